#pragma once
// A form bundle uploaded as one zip (docs/form-format.md, "Media files"): the form (its JSON, or an
// XLSForm workbook imported on the server) and its media files, each a plain name at the top of the zip.
// Every input is bounded: entry count, each file's and the total uncompressed size (read, not trusted
// from the zip's headers), names (no folders, no `..`), no encrypted entries.

#include "core/result.hpp"
#include "forms/bundle.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace carnet::server {

/// A zip bundle holds at most this many bytes once uncompressed, all files together.
inline constexpr std::size_t kMaxBundleBytes = 64u << 20;

/// What a bundle zip holds.
struct BundleUpload {
    std::string formJson;       ///< the form document (imported from the workbook when the zip holds one)
    forms::MediaContents files; ///< the media files, by name
    bool fromWorkbook = false;  ///< the form came from an .xlsx in the zip
};

/// Whether `bytes` is a zip that is not itself an XLSForm workbook (a workbook is a zip too).
[[nodiscard]] bool isBundleZip(std::string_view bytes);

/// Reads a bundle zip: exactly one form (`*.json`, or one `*.xlsx`), the other entries its media files.
/// Invalid, with a message naming the entry, for anything else and past the limits.
[[nodiscard]] Result<BundleUpload> readBundleZip(std::string_view bytes);

} // namespace carnet::server
