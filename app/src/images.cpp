#include "app/images.hpp"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <climits>
#include <memory>

namespace carnet::app {

Result<DecodedImage> decodeImage(std::string_view bytes, Lang lang) {
    const Error bad = makeError(ErrorCode::Invalid, tr("app.form.image_unsupported", lang));
    if (bytes.empty() || bytes.size() > static_cast<std::size_t>(INT_MAX)) return bad;
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int len = static_cast<int>(bytes.size());
    int w = 0, h = 0, channels = 0;
    // The header first: a small file may claim a huge image (a decompression bomb).
    if (stbi_info_from_memory(data, len, &w, &h, &channels) == 0 || w <= 0 || h <= 0 ||
        static_cast<std::int64_t>(w) * h > kMaxImagePixels)
        return bad;
    std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load_from_memory(data, len, &w, &h, &channels, 4),
                                                     stbi_image_free);
    if (!pixels) return bad;
    DecodedImage out;
    const double shrink = std::min(1.0, static_cast<double>(kMaxImageSide) / std::max(w, h));
    out.width = std::max(1, static_cast<int>(w * shrink));
    out.height = std::max(1, static_cast<int>(h * shrink));
    out.rgba.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height) * 4);
    if (out.width == w && out.height == h) {
        std::copy_n(pixels.get(), out.rgba.size(), out.rgba.begin());
    } else if (stbir_resize_uint8(pixels.get(), w, h, 0, out.rgba.data(), out.width, out.height, 0, 4) == 0) {
        return bad;
    }
    return out;
}

} // namespace carnet::app
