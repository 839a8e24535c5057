#pragma once
// gzip for request bodies (the protocol accepts "Content-Encoding: gzip" on any request).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace carnet::sync {

/// Bodies smaller than this go as they are: gzip's header costs more than it saves on them.
inline constexpr std::size_t kGzipFromBytes = 1024;

/// zlib's level 3, its fastest matcher with a longer search: on push bodies (answers as JSON) it
/// takes 2.4 times less CPU than the default level 6 for 23 % more bytes (docs/performance.md, "Sync"):
/// a tablet's battery pays for the one, a record's 80 bytes on the wire for the other.
inline constexpr int kGzipLevel = 3;

/// gzip (RFC 1952) of `in` at kGzipLevel, or nullopt when zlib fails (the body then goes uncompressed).
[[nodiscard]] std::optional<std::string> gzip(std::string_view in);

} // namespace carnet::sync
