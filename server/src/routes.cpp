#include "server/routes.hpp"

#include "http_util.hpp"
#include "request_body.hpp"

#include "core/clock.hpp"
#include "server/account_routes.hpp"
#include "server/console_routes.hpp"
#include "server/crypto.hpp"
#include "server/field_routes.hpp"
#include "server/metrics.hpp"
#include "sync/protocol.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

namespace carnet::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

constexpr std::string_view kJson = "application/json";
// The console's policy; images may also come from the map's tile server when one is set.
std::string contentSecurityPolicy(const MapOptions& map) {
    std::string images = "img-src 'self' data:";
    if (const std::string origin = tileOrigin(map.tiles); !origin.empty()) images += " " + origin;
    return "default-src 'self'; script-src 'self'; style-src 'self'; " + images +
           "; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}
// A login is a name and a password.
constexpr std::size_t kMaxLoginBytes = 64u << 10;
constexpr std::size_t kMaxDeviceNameBytes = 100;

using http::sendError;
using http::sendJson;
using http::sendJsonText;

bool digitsOnly(std::string_view s, std::size_t maxLen) {
    if (s.empty() || s.size() > maxLen) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::optional<std::string> stringField(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

json userJson(const User& u) {
    return json{{"name", u.name},
                {"role", roleName(u.role)},
                {"org", u.orgName},
                {"must_change_password", u.mustChangePassword}};
}

json sessionJson(const Session& s) {
    return json{
        {"token", s.token}, {"user", userJson(s.user)}, {"expires_at", s.expiresAt}, {"renew_after", s.renewAfter}};
}

json formsJson(const std::vector<sync::FormRef>& forms) {
    json arr = json::array();
    for (const auto& f : forms)
        arr.push_back(sync::toJson(f));
    return arr;
}

class Routes {
public:
    Routes(Services& services, RouteOptions options)
        : m_s(services)
        , m_log(std::move(options.errors))
        , m_access(std::move(options.access))
        , m_metricsToken(std::move(options.metricsToken))
        , m_contentSecurityPolicy(contentSecurityPolicy(options.map)) {}

    void mount(httplib::Server& http);

    void log(std::string_view line) const {
        if (m_log)
            m_log(line);
        else
            std::cerr << (std::string(line) + '\n') << std::flush; // one write: lines of several workers never mix
    }

    // Every answered request: its metrics, its access log line, and a server error once more in the
    // error log. The route pattern stands for the path, so ids, names and query strings stay out.
    void answered(const Request& req, const Response& res) {
        const auto traffic = currentRequestTraffic();
        const std::string_view method = methodLabel(req.method);
        const std::string_view route = routePattern(req.path);
        m_metrics.request(method, route, res.status, traffic ? traffic->elapsed : std::chrono::microseconds(0));
        if (m_access) {
            char ms[32];
            std::snprintf(ms, sizeof ms, "%.1f",
                          traffic ? static_cast<double>(traffic->elapsed.count()) / 1000.0 : 0.0);
            std::string line = clock::isoUtc(clock::systemNow());
            line.append(" ").append(method).append(" ").append(route).append(" ").append(std::to_string(res.status));
            line.append(" ").append(ms).append("ms in=");
            line.append(std::to_string(traffic ? traffic->bytesIn : req.body.size())).append(" out=");
            line.append(std::to_string(traffic ? traffic->bytesOut : res.body.size()));
            m_access(line);
        }
        if (res.status >= 500)
            log(std::string(method) + " " + std::string(route) + " -> " + std::to_string(res.status));
    }

private:
    using Handler = std::function<void(const Request&, Response&, const User&)>;
    // The body is the handler's to take apart (a push moves its mutations' changes out of it).
    using BodyHandler = std::function<void(const Request&, Response&, const User&, json&)>;

    // Expected failures from the services, as HTTP. Storage failures are logged and answered
    // without their details.
    void sendFailure(Response& res, const Request& req, const Error& e) const { http::sendFailure(req, res, e, m_log); }

    std::optional<User> authenticate(const Request& req, Response& res) const {
        return http::authenticate(m_s, req, res, m_log);
    }

    static std::string bearer(const Request& req) { return req.get_header_value("Authorization").substr(7); }

    // An authenticated GET.
    httplib::Server::Handler get(Handler h) {
        return [this, h = std::move(h)](const Request& req, Response& res) {
            if (auto user = authenticate(req, res)) h(req, res, *user);
        };
    }

    // An authenticated POST with a JSON object body.
    httplib::Server::HandlerWithContentReader post(BodyHandler h) {
        return [this, h = std::move(h)](const Request& req, Response& res, const httplib::ContentReader& reader) {
            auto user = authenticate(req, res);
            if (!user) return;
            json j;
            if (!http::readJsonObject(req, res, reader, sync::kMaxBodyBytes, j)) return;
            h(req, res, *user, j);
        };
    }

    // Stores what a device reported on a pull (pending outbox, drafts left behind; see
    // docs/sync-protocol.md). A failure here is logged and never fails the pull itself; a push's report
    // is written in the push's transaction (afterMutations).
    void noteDevice(const Request& req, std::string_view deviceId, const DeviceReport& report) const {
        if (auto r = m_s.repository().noteDeviceReport(deviceId, report); !r.ok())
            log(req.method + " " + req.path + ": device report: " + r.error().message);
    }
    // A revoked device's syncs are refused, and the device says why (docs/sync-protocol.md).
    static void sendRevoked(Response& res, const std::string& deviceId) {
        sendError(res, 403, "device_revoked",
                  "device " + deviceId + " was revoked by a coordinator; ask them before syncing again");
    }
    // The app's version a device reports on a pull: at most 40 bytes of [0-9A-Za-z.+-].
    static std::optional<std::string> appVersion(const Request& req) {
        const std::string v = req.get_param_value("app_version");
        if (v.empty() || v.size() > 40) return std::nullopt;
        for (char c : v)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+') return std::nullopt;
        return v;
    }
    static std::optional<std::int64_t> countParam(const Request& req, const char* name) {
        const std::string v = req.get_param_value(name);
        if (!digitsOnly(v, 9)) return std::nullopt;
        return std::stoll(v);
    }

    // What a push does besides its mutations, inside its transaction: call tasks pushed for a phone
    // ambassador are assigned to them (field workflows), and the device's report is stored. A failure
    // rolls the whole push back; the device keeps its outbox and sends it again.
    static SyncService::AlsoInPush afterMutations(const User& user, std::string_view deviceId,
                                                  std::optional<std::int64_t> pending) {
        return [&user, deviceId, pending](WriteTx& tx, const PushReply& reply) -> Result<void> {
            std::vector<std::string> tasks;
            for (const auto& [recordId, formId] : reply.written)
                if (formId == field::formid::kCallTask) tasks.push_back(recordId);
            if (!tasks.empty())
                if (auto r = FieldService::routeCallTasks(tx, user, tasks); !r.ok()) return r.error();
            DeviceReport report;
            report.pending = pending;
            return tx.noteDeviceReport(deviceId, report);
        };
    }

    void login(const Request& req, Response& res, const httplib::ContentReader& reader);
    void push(const Request& req, Response& res, const httplib::ContentReader& reader);
    void pull(const Request& req, Response& res, const User& user);
    void history(const Request& req, Response& res, const User& user);
    void conflicts(const Request& req, Response& res, const User& user);
    void resolve(const Request& req, Response& res, const User& user, const json& body);
    void uploadChunk(const Request& req, Response& res, const httplib::ContentReader& reader);
    void formMedia(const Request& req, Response& res, const User& user);
    void healthz(const Request& req, Response& res);
    void metrics(const Request& req, Response& res);

    Services& m_s;
    LogSink m_log, m_access;
    std::string m_metricsToken;
    std::string m_contentSecurityPolicy;
    Metrics m_metrics;
};

void Routes::login(const Request& req, Response& res, const httplib::ContentReader& reader) {
    json j;
    if (!http::readJsonObject(req, res, reader, kMaxLoginBytes, j)) return;
    auto name = stringField(j, "user");
    auto password = stringField(j, "password");
    if (!name || !password) return sendError(res, 400, "missing_field", "login needs 'user' and 'password' strings");
    // Throttled before the password is checked: a locked account or address costs no hashing, and
    // the right password does not get in while the lock lasts.
    AuthService& auth = m_s.auth();
    const auto wait = auth.throttle().wait(*name, req.remote_addr, auth.limits());
    if (wait.count() > 0) {
        res.set_header("Retry-After", std::to_string(wait.count()));
        return sendError(res, 429, "too_many_attempts",
                         "too many failed logins; try again in " + std::to_string(wait.count()) + " seconds");
    }
    auto session = auth.login(*name, *password);
    if (!session.ok()) return sendFailure(res, req, session.error());
    if (!*session) {
        auth.throttle().failed(*name, req.remote_addr, auth.limits());
        return sendError(res, 401, "unauthorized", "wrong user or password");
    }
    if ((*session)->user.disabled)
        return sendError(res, 403, "account_disabled", "this account was deactivated by a coordinator");
    auth.throttle().succeeded(*name);
    sendJson(res, 200, sessionJson(**session));
}

void Routes::push(const Request& req, Response& res, const httplib::ContentReader& reader) {
    auto user = authenticate(req, res);
    if (!user) return;
    std::string body;
    if (!http::readBody(req, res, reader, sync::kMaxBodyBytes, body)) return;
    // As devices write it, the body is read without a JSON tree for the answers; any other body is
    // parsed in full, and what is wrong with it answered.
    auto push = sync::readCanonicalPush(body);
    if (!push) {
        json j;
        if (!http::parseJsonObject(res, body, sync::kMaxBodyBytes, j)) return;
        sync::PushBodyError error;
        push = sync::pushRequestFromJson(std::move(j), error);
        if (!push) return sendError(res, error.status, error.code, error.message);
    }
    auto access = m_s.auth().deviceAccess(*user, push->deviceId);
    if (!access.ok()) return sendFailure(res, req, access.error());
    if (*access == DeviceAccess::Revoked) return sendRevoked(res, push->deviceId);
    if (*access != DeviceAccess::Owned)
        return sendError(res, 403, "device_not_registered",
                         "device " + push->deviceId + " is not registered to user " + user->name);
    auto reply =
        m_s.sync().push(*user, push->deviceId, push->mutations, afterMutations(*user, push->deviceId, push->pending));
    if (!reply.ok()) return sendFailure(res, req, reply.error());
    m_metrics.pushed();
    for (const auto& r : reply->results)
        m_metrics.push(sync::statusName(r.status), 1);
    std::string out = "{\"acked\":" + std::to_string(reply->acked) + ",\"results\":[";
    out.reserve(out.size() + reply->results.size() * 64);
    for (std::size_t i = 0; i < reply->results.size(); ++i) {
        if (i > 0) out += ',';
        sync::appendJson(out, reply->results[i]);
    }
    out += "]}";
    sendJsonText(res, 200, std::move(out));
}

void Routes::pull(const Request& req, Response& res, const User& user) {
    std::size_t limit = 0;
    if (req.has_param("limit")) {
        const std::string l = req.get_param_value("limit");
        if (!digitsOnly(l, 9)) return sendError(res, 400, "invalid_request", "'limit' must be a positive integer");
        limit = std::stoul(l);
        if (limit == 0) return sendError(res, 400, "invalid_request", "'limit' must be a positive integer");
    }
    // A device of this user is not sent back what it holds already (its own clean writes).
    std::string deviceId = req.get_param_value("device_id");
    if (!deviceId.empty()) {
        auto access = m_s.auth().deviceAccess(user, deviceId);
        if (!access.ok()) return sendFailure(res, req, access.error());
        if (*access == DeviceAccess::Revoked) return sendRevoked(res, deviceId);
        if (*access != DeviceAccess::Owned) deviceId.clear();
    }
    auto reply = m_s.sync().pull(user, req.get_param_value("cursor"), limit, deviceId);
    if (!reply.ok()) return sendFailure(res, req, reply.error());
    m_metrics.pulled(reply->changeCount);
    if (!deviceId.empty() && !reply->more)
        noteDevice(req, deviceId,
                   DeviceReport{countParam(req, "pending"), countParam(req, "drafts_behind"), true, appVersion(req)});
    // The changes are JSON text already (answers as stored): spliced in, not parsed again.
    std::string body = std::move(reply->changes);
    body.insert(0, "{\"changes\":");
    body += ",\"cursor\":";
    body += json(reply->cursor).dump();
    body += ",\"forms\":";
    body += formsJson(reply->forms).dump();
    body += ",\"more\":";
    body += reply->more ? "true" : "false";
    body += '}';
    sendJsonText(res, 200, std::move(body));
}

// Device names by id, each looked up once (a record's versions come from a few devices); null for a
// device that is not registered (anymore) or of another organisation.
class DeviceNames {
public:
    DeviceNames(Repository& repo, std::int64_t orgId)
        : m_repo(repo)
        , m_orgId(orgId) {}
    Result<json> name(const std::string& deviceId) {
        auto it = m_names.find(deviceId);
        if (it == m_names.end()) {
            auto d = m_repo.findDevice(deviceId);
            if (!d.ok()) return d.error();
            it = m_names.emplace(deviceId, *d && (*d)->orgId == m_orgId ? json((*d)->name) : json(nullptr)).first;
        }
        return it->second;
    }

private:
    Repository& m_repo;
    std::int64_t m_orgId;
    std::map<std::string, json> m_names;
};

void Routes::history(const Request& req, Response& res, const User& user) {
    const std::string id = req.matches[1];
    auto versions = m_s.sync().history(user, id);
    if (!versions.ok()) return sendFailure(res, req, versions.error());
    DeviceNames devices(m_s.repository(), user.orgId);
    json arr = json::array();
    const json none = json::object();
    for (std::size_t i = 0; i < versions->size(); ++i) {
        const VersionRow& v = (*versions)[i];
        auto deviceName = devices.name(v.deviceId);
        if (!deviceName.ok()) return sendFailure(res, req, deviceName.error());
        // Old -> new for each field this version changed (old null: not answered before).
        const json& before = i > 0 ? (*versions)[i - 1].answers : none;
        json changes = json::array();
        for (const auto& field : v.changed) {
            auto o = before.find(field);
            auto n = v.answers.find(field);
            changes.push_back(json{{"field", field},
                                   {"old", o == before.end() ? json(nullptr) : *o},
                                   {"new", n == v.answers.end() ? json(nullptr) : *n}});
        }
        arr.push_back(json{{"version", v.version},
                           {"status", v.status},
                           {"form_version", v.formVersion},
                           {"device_id", v.deviceId},
                           {"device_name", *deviceName},
                           {"user", v.userName},
                           {"received_at", v.receivedAt},
                           {"edited_at", v.editedAt},
                           {"answers", v.answers},
                           {"changed", v.changed},
                           {"changes", std::move(changes)}});
    }
    sendJson(res, 200, json{{"record_id", id}, {"versions", arr}});
}

void Routes::conflicts(const Request& req, Response& res, const User& user) {
    if (!SyncService::mayManage(user))
        return sendError(res, 403, "forbidden", "only coordinators and admins see conflicts");
    auto rows = m_s.sync().conflicts(user);
    if (!rows.ok()) return sendFailure(res, req, rows.error());
    // Each value with who wrote it and when: the history entry of the version that wrote it (each
    // record's history read once), and its device's name.
    DeviceNames devices(m_s.repository(), user.orgId);
    std::map<std::string, std::map<std::int64_t, VersionRow>> histories;
    json arr = json::array();
    for (const auto& c : *rows) {
        auto h = histories.find(c.recordId);
        if (h == histories.end()) {
            auto versions = m_s.repository().history(c.recordId);
            if (!versions.ok()) return sendFailure(res, req, versions.error());
            std::map<std::int64_t, VersionRow> byVersion;
            for (auto& v : *versions) {
                v.answers = json(); // not needed here
                byVersion.emplace(v.version, std::move(v));
            }
            h = histories.emplace(c.recordId, std::move(byVersion)).first;
        }
        json values = json::array();
        for (const auto& v : c.values) {
            auto deviceName = devices.name(v.deviceId);
            if (!deviceName.ok()) return sendFailure(res, req, deviceName.error());
            auto written = h->second.find(v.version);
            const bool known = written != h->second.end();
            values.push_back(json{{"value", v.value},
                                  {"device_id", v.deviceId},
                                  {"device_name", *deviceName},
                                  {"version", v.version},
                                  {"user", known ? json(written->second.userName) : json(nullptr)},
                                  {"received_at", known ? json(written->second.receivedAt) : json(nullptr)}});
        }
        arr.push_back(json{{"record_id", c.recordId}, {"field", c.field}, {"values", values}});
    }
    sendJson(res, 200, json{{"conflicts", arr}});
}

void Routes::resolve(const Request& req, Response& res, const User& user, const json& body) {
    if (!SyncService::mayManage(user))
        return sendError(res, 403, "forbidden", "only coordinators and admins resolve conflicts");
    auto it = body.find("fields");
    if (it == body.end() || !it->is_object())
        return sendError(res, 400, "missing_field", "resolve needs a 'fields' object");
    const std::string id = req.matches[1];
    auto r = m_s.sync().resolve(user, id, *it);
    if (!r.ok()) return sendFailure(res, req, r.error());
    sendJson(res, 200, json{{"record_id", id}, {"version", r->version}, {"conflicts", r->conflicts}});
}

void Routes::formMedia(const Request& req, Response& res, const User& user) {
    const std::string sha = req.matches[1];
    if (!isSha256Hex(sha))
        return sendError(res, 400, "invalid_request", "form media are named by their sha256 (64 lowercase hex)");
    std::uint64_t offset = 0, length = sync::kMediaChunkBytes;
    if (req.has_param("offset")) {
        const std::string o = req.get_param_value("offset");
        if (!digitsOnly(o, 18)) return sendError(res, 400, "invalid_request", "'offset' must be a byte count");
        offset = std::stoull(o);
    }
    if (req.has_param("length")) {
        const std::string l = req.get_param_value("length");
        if (!digitsOnly(l, 18) || std::stoull(l) == 0)
            return sendError(res, 400, "invalid_request", "'length' must be a byte count over 0");
        length = std::min<std::uint64_t>(length, std::stoull(l));
    }
    auto file = m_s.forms().mediaFile(user.orgId, sha);
    if (!file.ok()) return sendFailure(res, req, file.error());
    if (!*file) return sendError(res, 404, "not_found", "no form media file " + sha);
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(**file, ec);
    if (ec) return sendFailure(res, req, makeError(ErrorCode::Io, "form media " + sha + ": " + ec.message()));
    if (offset > size)
        return sendError(res, 416, "invalid_request",
                         "'offset' is past the end of the file (" + std::to_string(size) + " bytes)");
    std::string body(static_cast<std::size_t>(std::min(length, size - offset)), '\0');
    std::ifstream in(**file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(body.data(), static_cast<std::streamsize>(body.size()));
    if (!in) return sendFailure(res, req, makeError(ErrorCode::Io, "form media " + sha + ": cannot read"));
    res.status = 200;
    res.set_header("Carnet-Media-Size", std::to_string(size));
    res.set_content(std::move(body), "application/octet-stream");
}

void Routes::uploadChunk(const Request& req, Response& res, const httplib::ContentReader& reader) {
    auto user = authenticate(req, res);
    if (!user) return;
    std::string body;
    if (!http::readBody(req, res, reader, sync::kMaxChunkBytes, body)) return;
    const std::string sha = req.matches[1];
    if (!isSha256Hex(sha))
        return sendError(res, 400, "invalid_request", "attachments are named by their sha256 (64 lowercase hex)");
    const std::string offset = req.get_param_value("offset");
    if (!digitsOnly(offset, 18)) return sendError(res, 400, "missing_field", "upload needs '?offset=N'");
    std::optional<std::uint64_t> total;
    if (req.has_param("total")) {
        const std::string t = req.get_param_value("total");
        if (!digitsOnly(t, 18)) return sendError(res, 400, "invalid_request", "'total' must be a byte count");
        total = std::stoull(t);
    }
    UploadState after;
    auto outcome = m_s.attachments().append(user->orgId, sha, std::stoull(offset), body, total, after);
    if (!outcome.ok()) return sendFailure(res, req, outcome.error());
    switch (*outcome) {
    case AppendOutcome::Appended:
        return sendJson(res, 200, json{{"received", after.received}, {"complete", after.complete}});
    case AppendOutcome::OffsetMismatch: {
        json j = sync::errorBody("offset_mismatch", "resume from the received size");
        j["received"] = after.received;
        return sendJson(res, 409, j);
    }
    case AppendOutcome::HashMismatch:
        return sendError(res, 422, "hash_mismatch", "the uploaded bytes do not hash to " + sha + "; upload again");
    case AppendOutcome::TooLong:
        return sendError(res, 400, "invalid_request", "more bytes than the declared 'total'");
    }
}

// For a load balancer or a supervisor: answers without a token, 200 when the storage answers a
// read, else 503 (the cause goes to the error log, not to the caller).
void Routes::healthz(const Request& req, Response& res) {
    res.set_header("Cache-Control", "no-store");
    if (auto r = m_s.repository().ping(); !r.ok()) {
        log(req.method + " /healthz: " + r.error().message);
        json j = sync::errorBody("unavailable", "the storage does not answer");
        j["status"] = "unavailable";
        return sendJson(res, 503, j);
    }
    sendJson(res, 200, json{{"status", "ok"}, {"protocol", sync::kProtocolVersion}});
}

// Prometheus' text format, to the holder of the metrics token only: behind a proxy on the same
// machine every request comes from 127.0.0.1, so the client's address proves nothing.
void Routes::metrics(const Request& req, Response& res) {
    if (m_metricsToken.empty())
        return sendError(res, 403, "forbidden", "metrics are off: start the server with --metrics-token-file");
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    // Compared as hashes: the time taken says nothing about how much of the token was right.
    if (header.compare(0, kBearer.size(), kBearer) != 0 ||
        sha256Hex(std::string_view(header).substr(kBearer.size())) != sha256Hex(m_metricsToken))
        return sendError(res, 401, "unauthorized", "/metrics needs the metrics token as a bearer token");
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_content(m_metrics.render(m_s.repository().writeQueueDepth()), "text/plain; version=0.0.4; charset=utf-8");
}

void Routes::mount(httplib::Server& http) {
    http.set_payload_max_length(sync::kMaxChunkBytes);
    // Every answer carries the console's security headers (docs/security.md): scripts and styles only
    // from the console's own files, never framed, types never sniffed, no referrer sent elsewhere.
    http.set_default_headers({{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)},
                              {"Content-Security-Policy", m_contentSecurityPolicy},
                              {"X-Frame-Options", "DENY"},
                              {"X-Content-Type-Options", "nosniff"},
                              {"Referrer-Policy", "no-referrer"}});

    // Runs once the headers are read and before any byte of the body: what can be refused from the
    // headers (a wrong protocol, a missing or unknown token, a body where none is taken) is refused
    // here, without reading the body, and the connection is closed after the answer.
    http.set_pre_routing_handler([this](const Request& req, Response& res) {
        using HR = httplib::Server::HandlerResponse;
        // Before anything answers: httplib reads Accept-Encoding only when it writes the response.
        // The handler is given httplib's own Request (a non-const object) as const, so the cast is
        // well defined; there is no other hook before the encoding is chosen.
        http::preferGzip(const_cast<Request&>(req));
        const bool takesBody =
            req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE";
        if (!takesBody &&
            (req.has_header("Transfer-Encoding") || req.get_header_value<std::uint64_t>("Content-Length") > 0)) {
            sendError(res, 400, "unexpected_body", req.method + " requests take no body");
            return HR::Handled;
        }
        if (req.path.rfind("/api/v1", 0) != 0) return HR::Unhandled;
        const std::string version = req.get_header_value(std::string(sync::kProtocolHeader));
        if (version == std::to_string(sync::kProtocolVersion)) {
            if (req.path == "/api/v1/login") return HR::Unhandled;
            return authenticate(req, res) ? HR::Unhandled : HR::Handled;
        }
        json j = sync::errorBody("protocol_mismatch",
                                 version.empty() ? "missing Carnet-Protocol header; this server speaks version " +
                                                       std::to_string(sync::kProtocolVersion)
                                                 : "protocol version " + version +
                                                       " is not supported; this server "
                                                       "speaks version " +
                                                       std::to_string(sync::kProtocolVersion));
        j["server_protocol"] = sync::kProtocolVersion;
        sendJson(res, 409, j);
        res.set_header("Connection", "close");
        closeConnectionAfterResponse();
        return HR::Handled;
    });

    http.set_error_handler(httplib::Server::Handler([](const Request& req, Response& res) {
        if (res.body.empty()) {
            if (res.status == 404)
                sendError(res, 404, "not_found", "no such route");
            else if (res.status == 413)
                sendError(res, 413, "payload_too_large", "the body is too large");
            else
                sendError(res, res.status, "bad_request",
                          "the request could not be handled (HTTP " + std::to_string(res.status) + ")");
        }
        http::localizeError(req, res);
    }));

    http.set_exception_handler([this](const Request& req, Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
            if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        log("exception in " + req.method + " " + req.path + ": " + what);
        sendError(res, 500, "internal", "internal server error");
    });

    http.Get("/healthz", [this](const Request& req, Response& res) { healthz(req, res); });
    http.Get("/metrics", [this](const Request& req, Response& res) { metrics(req, res); });
    http.Post("/api/v1/login",
              [this](const Request& req, Response& res, const httplib::ContentReader& r) { login(req, res, r); });
    http.Post("/api/v1/logout", post([this](const Request& req, Response& res, const User&, const json&) {
                  if (auto r = m_s.auth().logout(bearer(req)); !r.ok()) return sendFailure(res, req, r.error());
                  sendJson(res, 200, json::object());
              }));
    // A device renews its token when it syncs after `renew_after` (docs/sync-protocol.md).
    http.Post("/api/v1/session/renew", post([this](const Request& req, Response& res, const User&, const json&) {
                  auto s = m_s.auth().renew(bearer(req));
                  if (!s.ok()) return sendFailure(res, req, s.error());
                  if (!*s) return sendError(res, 401, "unauthorized", "unknown, revoked or expired token");
                  sendJson(res, 200, sessionJson(**s));
              }));
    http.Post(
        "/api/v1/devices", post([this](const Request& req, Response& res, const User& user, const json& body) {
            auto id = stringField(body, "device_id");
            if (!id || id->empty() || id->size() > 100)
                return sendError(res, 400, "missing_field", "devices needs a 'device_id' string");
            // The ids the server writes its own versions under: a device holding one would pass for it.
            if (isServerDevice(*id))
                return sendError(res, 400, "invalid_request", "'device_id' " + *id + " is reserved for the server");
            // A readable name for the console ("Tablette d'Awa"); bounded, no control characters.
            const std::string name = stringField(body, "name").value_or("");
            if (name.size() > kMaxDeviceNameBytes ||
                std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
                return sendError(res, 400, "invalid_request", "'name' is at most 100 bytes without control characters");
            auto reg = m_s.auth().registerDevice(user, *id, name);
            if (!reg.ok()) return sendFailure(res, req, reg.error());
            if (*reg == DeviceRegistration::Revoked) return sendRevoked(res, *id);
            if (*reg == DeviceRegistration::TakenByOtherUser)
                return sendError(res, 409, "device_taken", "this device id cannot be registered for you; use another");
            sendJson(res, 200, json{{"device_id", *id}});
        }));
    http.Get("/api/v1/forms", get([this](const Request& req, Response& res, const User& user) {
                 auto forms = m_s.forms().list(user.orgId);
                 if (!forms.ok()) return sendFailure(res, req, forms.error());
                 sendJson(res, 200, json{{"forms", formsJson(*forms)}});
             }));
    http.Get(R"(/api/v1/forms/([^/]+)/([^/]+))", get([this](const Request& req, Response& res, const User& user) {
                 auto doc = m_s.forms().document(user.orgId, req.matches[1].str(), req.matches[2].str());
                 if (!doc.ok()) return sendFailure(res, req, doc.error());
                 res.status = 200;
                 res.set_content(*doc, std::string(kJson));
             }));
    http.Post("/api/v1/sync/push", [this](const Request& req, Response& res, const httplib::ContentReader& reader) {
        push(req, res, reader);
    });
    http.Get("/api/v1/sync/pull", get([this](const Request& req, Response& res, const User& u) { pull(req, res, u); }));
    http.Get(R"(/api/v1/records/([^/]+)/history)",
             get([this](const Request& req, Response& res, const User& u) { history(req, res, u); }));
    http.Get("/api/v1/conflicts",
             get([this](const Request& req, Response& res, const User& u) { conflicts(req, res, u); }));
    http.Post(R"(/api/v1/conflicts/([^/]+)/resolve)", post([this](const Request& req, Response& res, const User& u,
                                                                  const json& b) { resolve(req, res, u, b); }));
    http.Get(R"(/api/v1/attachments/([^/]+))", get([this](const Request& req, Response& res, const User& user) {
                 const std::string sha = req.matches[1];
                 if (!isSha256Hex(sha))
                     return sendError(res, 400, "invalid_request",
                                      "attachments are named by their sha256 (64 lowercase hex)");
                 auto st = m_s.attachments().state(user.orgId, sha);
                 if (!st.ok()) return sendFailure(res, req, st.error());
                 sendJson(res, 200, json{{"received", st->received}, {"complete", st->complete}});
             }));
    // A form's media file by its sha256, from `offset`, at most `length` (≤ kMediaChunkBytes) bytes per
    // request: a device resumes a cut download where its partial file ends (docs/sync-protocol.md).
    http.Get(R"(/api/v1/form-media/([^/]+))",
             get([this](const Request& req, Response& res, const User& user) { formMedia(req, res, user); }));
    http.Put(R"(/api/v1/attachments/([^/]+))",
             [this](const Request& req, Response& res, const httplib::ContentReader& r) { uploadChunk(req, res, r); });
}

} // namespace

void mountRoutes(httplib::Server& http, Services& services, LogSink log) {
    RouteOptions options;
    options.errors = std::move(log);
    mountRoutes(http, services, std::move(options));
}

void mountRoutes(httplib::Server& http, Services& services, RouteOptions options) {
    // The routes live as long as the server: owned by the handlers through a shared pointer.
    MapOptions map = options.map;
    auto routes = std::make_shared<Routes>(services, std::move(options));
    routes->mount(http);
    mountConsoleRoutes(
        http, services, [routes](std::string_view line) { routes->log(line); }, std::move(map));
    mountFieldRoutes(http, services, [routes](std::string_view line) { routes->log(line); });
    mountAccountRoutes(http, services, [routes](std::string_view line) { routes->log(line); });
    // Every route that takes a body reads it through a content reader, with its own limit
    // (request_body.hpp). Any other request with a body lands here, so that cpp-httplib never reads a
    // body into `req.body` itself (unbounded for chunked and compressed bodies). A route registered
    // after this, or with a plain handler, is shadowed by it: register body routes with a content reader.
    const httplib::Server::HandlerWithContentReader noRoute = [](const Request&, Response& res,
                                                                 const httplib::ContentReader&) {
        sendError(res, 404, "not_found", "no such route");
    };
    http.Post(".*", noRoute);
    http.Put(".*", noRoute);
    http.Patch(".*", noRoute);
    http.Delete(".*", noRoute);
    // The logger holds the last reference: metrics, the access log, and every server error once more
    // with its status.
    http.set_logger([routes](const Request& req, const Response& res) { routes->answered(req, res); });
}

} // namespace carnet::server
