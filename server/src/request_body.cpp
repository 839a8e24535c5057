#include "request_body.hpp"

#include "http_util.hpp"

#include "core/json_text.hpp"

#include <cstdint>

namespace carnet::server::http {

bool readBody(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
              std::size_t limit, std::string& body) {
    if (const auto declared = req.get_header_value<std::uint64_t>("Content-Length"); declared > limit) {
        sendError(res, 413, "payload_too_large", "the body is over " + std::to_string(limit) + " bytes");
        // The user is known by now: their client may send the whole body before it reads the answer.
        closeConnectionAfterResponse(static_cast<std::size_t>(declared));
        return false;
    }
    bool tooLarge = false;
    const bool ok = reader([&](const char* data, std::size_t n) {
        if (body.size() + n > limit) {
            tooLarge = true;
            return false;
        }
        body.append(data, n);
        return true;
    });
    if (ok) return true;
    body.clear();
    body.shrink_to_fit();
    if (tooLarge || res.status == 413)
        sendError(res, 413, "payload_too_large", "the body is over " + std::to_string(limit) + " bytes");
    else if (res.status == 415)
        sendError(res, 415, "unsupported_encoding", "unsupported Content-Encoding");
    else
        sendError(res, 400, "bad_body", "the body could not be read");
    return false;
}

bool parseJsonObject(httplib::Response& res, const std::string& body, std::size_t maxBytes, nlohmann::json& out) {
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        out = nlohmann::json::object(); // an empty body (logout) is an empty object
        return true;
    }
    JsonSyntaxError error;
    if (!parseJsonText(body, out, error, JsonLimits{maxBytes, kMaxJsonDepth})) {
        switch (error.problem) {
        case JsonProblem::TooLarge:
            sendError(res, 413, "payload_too_large", "the body is over " + std::to_string(maxBytes) + " bytes");
            break;
        case JsonProblem::TooDeep:
            sendError(res, 400, "bad_json",
                      "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels at " + error.pointer);
            break;
        case JsonProblem::Syntax:
            sendError(res, 400, "bad_json",
                      "the body is not valid JSON (line " + std::to_string(error.line) + ", column " +
                          std::to_string(error.column) + ": " + error.message + ")");
            break;
        }
        return false;
    }
    if (!out.is_object()) {
        sendError(res, 400, "bad_json", "the body must be a JSON object");
        return false;
    }
    return true;
}

bool readJsonObject(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                    std::size_t limit, nlohmann::json& out) {
    std::string body;
    return readBody(req, res, reader, limit, body) && parseJsonObject(res, body, limit, out);
}

} // namespace carnet::server::http
