#pragma once
// The one way every route reads a request body: through cpp-httplib's content reader (never
// `req.body`, which the library fills without a bound), with a size limit that holds after gzip
// decoding, and JSON parsed with the same size and depth limits on every route. Private to the server.

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace carnet::server::http {

/// Arrays and objects inside one another in a JSON request body (a form answer needs far fewer).
inline constexpr int kMaxJsonDepth = 64;

/// Reads the body, at most `limit` bytes once decoded (gzip is inflated piece by piece, never whole),
/// into `body`; false when it answered the error (413 over the limit, 415 an unknown encoding, 400 a
/// broken body). A declared Content-Length over the limit is refused before anything is read.
[[nodiscard]] bool readBody(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                            std::size_t limit, std::string& body);

/// Parses a JSON object body with the routes' limits (`maxBytes`, kMaxJsonDepth); an empty body is an
/// empty object. False when it answered the error (400 bad_json, 413 payload_too_large).
[[nodiscard]] bool parseJsonObject(httplib::Response& res, const std::string& body, std::size_t maxBytes,
                                   nlohmann::json& out);

/// readBody then parseJsonObject.
[[nodiscard]] bool readJsonObject(const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader& reader, std::size_t limit, nlohmann::json& out);

} // namespace carnet::server::http
