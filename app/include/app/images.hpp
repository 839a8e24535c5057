#pragma once
// The images shown with labels (XLSForm's `media::image`): decoded from the form's media files with
// stb_image (Debian's libstb: PNG, JPEG, GIF, BMP), and made textures by whoever draws (app/main.cpp
// over OpenGL). The app library never calls GL: without a TextureMaker (tests) an image is decoded and
// sized, and drawn as its frame.

#include "core/i18n.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace carnet::app {

/// An image's longer side is scaled down to this when decoded: a label's image never needs more on a
/// tablet, and a camera's 4000 x 3000 photo would otherwise take 48 MB.
inline constexpr int kMaxImageSide = 1024;
/// Larger images (width x height, read from their header) are refused before being decoded.
inline constexpr std::int64_t kMaxImagePixels = 40'000'000;

/// Decoded pixels, 8-bit RGBA, top row first.
struct DecodedImage {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba;
};

/// Decodes a PNG, JPEG, GIF (first frame) or BMP file, scaled down to kMaxImageSide. Anything else
/// (SVG, WebP, a truncated file) is Invalid, with a message in `lang` naming what can be shown.
[[nodiscard]] Result<DecodedImage> decodeImage(std::string_view bytes, Lang lang);

/// Makes textures the renderer draws (ImGui's ImTextureID) from decoded images.
class TextureMaker {
public:
    virtual ~TextureMaker() = default;
    /// A texture of `image`; 0 when none could be made.
    virtual std::uintptr_t makeTexture(const DecodedImage& image) = 0;
    /// Frees a texture makeTexture() returned.
    virtual void freeTexture(std::uintptr_t texture) = 0;
};

} // namespace carnet::app
