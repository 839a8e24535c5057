#pragma once
// gzip for request bodies (the protocol accepts "Content-Encoding: gzip" on any request).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace carnet::sync {

/// Bodies smaller than this go as they are: gzip's header costs more than it saves on them.
inline constexpr std::size_t kGzipFromBytes = 1024;

/// gzip (RFC 1952) of `in`, or nullopt when zlib fails (the body then goes uncompressed).
[[nodiscard]] std::optional<std::string> gzip(std::string_view in);

} // namespace carnet::sync
