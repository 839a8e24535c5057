#pragma once
// What every route file answers the same way: JSON bodies, JSON errors, expected failures as HTTP
// statuses, and bearer-token authentication. Private to the server library.

#include "core/i18n.hpp"
#include "server/limits.hpp"
#include "server/services.hpp"
#include "sync/protocol.hpp"

#include <functional>
#include <httplib.h>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace carnet::server::http {

/// Answers `body` with `status`; text from the request (a record id in the path) may be invalid
/// UTF-8, so it is replaced, never thrown on.
inline void sendJson(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

/// Answers a body that is JSON text already.
inline void sendJsonText(httplib::Response& res, int status, std::string body) {
    res.status = status;
    res.set_content(std::move(body), "application/json");
}

/// The language a client asked for (Accept-Language: "en…" first → English; French otherwise).
inline Lang requestLang(const httplib::Request& req) {
    const std::string accept = req.get_header_value("Accept-Language");
    return accept.rfind("en", 0) == 0 ? Lang::En : Lang::Fr;
}

/// Adds to a JSON error body its text in the client's language: `"localized"` (from the
/// translation table, by error code) and `"lang"`. `"message"` keeps the detailed text (English,
/// naming the field or record) for logs and tools. A body that has its `"localized"` already (a
/// detail said in the client's language, sendErrorIn) is kept as it is.
inline void localizeError(const httplib::Request& req, httplib::Response& res) {
    if (res.body.empty() || res.body.size() > 64 * 1024 || res.body.front() != '{') return;
    nlohmann::json j = nlohmann::json::parse(res.body, nullptr, false);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_string() || j.contains("localized")) return;
    const std::string key = "api.error." + j["error"].get<std::string>();
    if (!hasTranslation(key)) return;
    const Lang lang = requestLang(req);
    j["localized"] = tr(key, lang);
    j["lang"] = std::string(langCode(lang));
    res.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// `accept` (an Accept-Encoding value) without brotli: "gzip, deflate, br" -> "gzip, deflate". Every
/// coding whose text holds "br" goes, as cpp-httplib 0.11 picks brotli whenever it finds "br" anywhere.
inline std::string withoutBrotli(std::string_view accept) {
    std::string out;
    while (!accept.empty()) {
        const auto comma = accept.find(',');
        std::string_view coding = accept.substr(0, comma);
        accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
        while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
            coding.remove_prefix(1);
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
            coding.remove_suffix(1);
        if (coding.empty() || coding.find("br") != std::string_view::npos) continue;
        if (!out.empty()) out += ", ";
        out += coding;
    }
    return out;
}

/// Makes cpp-httplib answer `req` with gzip rather than brotli. Debian's cpp-httplib 0.11 compresses
/// with brotli at quality 11 whenever the client accepts it, as Chromium does: 0.46 s for the console's
/// app.js against 0.022 s with gzip, and a 2.8 MB CSV export took 4.2 s in Chromium against 0.15 s
/// with curl (issue 22).
inline void preferGzip(httplib::Request& req) {
    for (auto range = req.headers.equal_range("Accept-Encoding"); range.first != range.second; ++range.first)
        range.first->second = withoutBrotli(range.first->second);
}

/// Answers a JSON error {"error": code, "message": message}. The connection is closed after it: the
/// request's body may not have been read (limits before work), and must not be taken for a request.
inline void sendError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
    sendJson(res, status, sync::errorBody(code, message));
    res.set_header("Connection", "close");
    closeConnectionAfterResponse();
}

/// Answers a JSON error whose detail is said in the client's language: {"error": code, "message":
/// message, "localized": localized, "lang": "fr"|"en", "localized_detail": true}. The console shows
/// `localized` alone then (issue 22, finding 10: no English inside the French console). Like
/// sendError, the connection is closed after it.
inline void sendLocalizedError(const httplib::Request& req, httplib::Response& res, int status, std::string_view code,
                               std::string_view message, std::string_view localized) {
    nlohmann::json j = sync::errorBody(code, message);
    j["localized"] = std::string(localized);
    j["lang"] = std::string(langCode(requestLang(req)));
    j["localized_detail"] = true;
    sendJson(res, status, j);
    res.set_header("Connection", "close");
    closeConnectionAfterResponse();
}

/// Answers a JSON error whose detail is the translation `key` (with `args`): in English in
/// `"message"`, in the client's language in `"localized"` (sendLocalizedError).
inline void sendErrorIn(const httplib::Request& req, httplib::Response& res, int status, std::string_view code,
                        std::string_view key, std::initializer_list<std::string_view> args = {}) {
    sendLocalizedError(req, res, status, code, tr(key, Lang::En, args), tr(key, requestLang(req), args));
}

/// Answers an expected failure from the services as HTTP; storage failures are logged and answered
/// without their details.
inline void sendFailure(const httplib::Request& req, httplib::Response& res, const Error& e,
                        const std::function<void(std::string_view)>& log) {
    switch (e.code) {
    case ErrorCode::Invalid:
        return sendError(res, 400, "invalid_request", e.message);
    case ErrorCode::NotFound:
        return sendError(res, 404, "not_found", e.message);
    case ErrorCode::Conflict:
        return sendError(res, 409, "conflict", e.message);
    case ErrorCode::Busy:
        res.set_header("Retry-After", "1");
        return sendError(res, 503, "busy", "the server is busy, try again");
    case ErrorCode::NoSpace:
        if (log) log(req.method + " " + req.path + ": " + e.message);
        return sendError(res, 507, "no_space", "the server's disk is full");
    case ErrorCode::Io:
    case ErrorCode::Offline:
    case ErrorCode::Internal:
        break;
    }
    if (log) log(req.method + " " + req.path + ": " + e.message);
    sendError(res, 500, "internal", "internal server error");
}

/// Answers a failure of a service that was given `requestLang(req)` (AuthService::addUser,
/// changePassword): its Invalid and NotFound messages are in the client's language already, and are
/// both `"message"` and `"localized"` (sendLocalizedError); any other failure as sendFailure.
inline void sendFailureIn(const httplib::Request& req, httplib::Response& res, const Error& e,
                          const std::function<void(std::string_view)>& log) {
    switch (e.code) {
    case ErrorCode::Invalid:
        return sendLocalizedError(req, res, 400, "invalid_request", e.message, e.message);
    case ErrorCode::NotFound:
        return sendLocalizedError(req, res, 404, "not_found", e.message, e.message);
    default:
        return sendFailure(req, res, e, log);
    }
}

/// The user of the request's bearer token; otherwise answers 401 (or the storage failure) and
/// returns nullopt.
inline std::optional<User> authenticate(Services& services, const httplib::Request& req, httplib::Response& res,
                                        const std::function<void(std::string_view)>& log) {
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.compare(0, kBearer.size(), kBearer) != 0) {
        sendError(res, 401, "unauthorized", "missing bearer token");
        return std::nullopt;
    }
    auto user = services.auth().authenticate(std::string_view(header).substr(kBearer.size()));
    if (!user.ok()) {
        sendFailure(req, res, user.error(), log);
        return std::nullopt;
    }
    if (!*user) {
        sendError(res, 401, "unauthorized", "unknown, revoked or expired token");
        return std::nullopt;
    }
    // A temporary password (reset by a coordinator) opens nothing but choosing one's own.
    if ((*user)->mustChangePassword && req.path != "/api/v1/password" && req.path != "/api/v1/logout" &&
        req.path != "/api/v1/me") {
        sendError(res, 403, "password_change_required", "choose a new password first (POST /api/v1/password)");
        return std::nullopt;
    }
    return **user;
}

} // namespace carnet::server::http
