#include "app/png.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <zlib.h>

namespace carnet::app {

namespace {

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void chunk(std::vector<std::uint8_t>& out, const char* type, const std::vector<std::uint8_t>& data) {
    put32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    const uLong crc = crc32(0L, out.data() + start, static_cast<uInt>(out.size() - start));
    put32(out, static_cast<std::uint32_t>(crc));
}

constexpr std::array<std::uint8_t, 8> kSignature{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

std::uint32_t get32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

} // namespace

bool writePng(const std::filesystem::path& path, int width, int height, const std::vector<std::uint8_t>& rgba) {
    const auto w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
    if (rgba.size() != w * h * 4) return false;
    std::vector<std::uint8_t> raw;
    raw.reserve((w * 4 + 1) * h);
    for (std::size_t y = 0; y < h; ++y) {
        raw.push_back(0); // filter: none
        raw.insert(raw.end(), rgba.begin() + static_cast<std::ptrdiff_t>(y * w * 4),
                   rgba.begin() + static_cast<std::ptrdiff_t>((y + 1) * w * 4));
    }
    uLongf packedSize = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> packed(packedSize);
    if (compress2(packed.data(), &packedSize, raw.data(), static_cast<uLong>(raw.size()), 6) != Z_OK) return false;
    packed.resize(packedSize);

    std::vector<std::uint8_t> out(kSignature.begin(), kSignature.end());
    std::vector<std::uint8_t> ihdr;
    put32(ihdr, static_cast<std::uint32_t>(width));
    put32(ihdr, static_cast<std::uint32_t>(height));
    ihdr.insert(ihdr.end(), {8, 6, 0, 0, 0}); // 8-bit RGBA, deflate, no filter variants, no interlace
    chunk(out, "IHDR", ihdr);
    chunk(out, "IDAT", packed);
    chunk(out, "IEND", {});
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
    return static_cast<bool>(f);
}

bool readPng(const std::filesystem::path& path, int& width, int& height, std::vector<std::uint8_t>& rgba) {
    std::ifstream f(path, std::ios::binary);
    const std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(f)), {});
    if (data.size() < 8 || !std::equal(kSignature.begin(), kSignature.end(), data.begin())) return false;
    std::vector<std::uint8_t> idat;
    std::size_t pos = 8;
    width = height = 0;
    while (pos + 12 <= data.size()) {
        const std::uint32_t len = get32(&data[pos]);
        if (pos + 12 + len > data.size()) return false;
        const std::string type(reinterpret_cast<const char*>(&data[pos + 4]), 4);
        const std::uint8_t* body = &data[pos + 8];
        if (type == "IHDR") {
            if (len < 13 || body[8] != 8 || body[9] != 6 || body[12] != 0) return false;
            width = static_cast<int>(get32(body));
            height = static_cast<int>(get32(body + 4));
        } else if (type == "IDAT") {
            idat.insert(idat.end(), body, body + len);
        }
        pos += 12 + len;
    }
    if (width <= 0 || height <= 0) return false;
    const auto w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
    std::vector<std::uint8_t> raw((w * 4 + 1) * h);
    uLongf rawSize = static_cast<uLongf>(raw.size());
    if (uncompress(raw.data(), &rawSize, idat.data(), static_cast<uLong>(idat.size())) != Z_OK || rawSize != raw.size())
        return false;
    rgba.resize(w * h * 4);
    for (std::size_t y = 0; y < h; ++y) {
        if (raw[y * (w * 4 + 1)] != 0) return false; // only what writePng produces
        std::copy_n(raw.begin() + static_cast<std::ptrdiff_t>(y * (w * 4 + 1) + 1), w * 4,
                    rgba.begin() + static_cast<std::ptrdiff_t>(y * w * 4));
    }
    return true;
}

} // namespace carnet::app
