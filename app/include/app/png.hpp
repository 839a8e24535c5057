#pragma once
// Writing RGBA images as PNG (zlib), for screenshots.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace carnet::app {

/// Writes `rgba` (width*height*4 bytes, top row first) to `path`; false on I/O error.
bool writePng(const std::filesystem::path& path, int width, int height, const std::vector<std::uint8_t>& rgba);
/// Reads a PNG written by writePng (8-bit RGBA, no interlace); false if it is not one.
bool readPng(const std::filesystem::path& path, int& width, int& height, std::vector<std::uint8_t>& rgba);

} // namespace carnet::app
