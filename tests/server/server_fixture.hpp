#pragma once
// A real carnet-server on an ephemeral 127.0.0.1 port in a thread, on real SQLite files in a temp
// folder, with a few accounts, and a real httplib client to talk to it.

#include "core/db.hpp"
#include "core/json_text.hpp"
#include "pg_cluster.hpp"
#include "server/limits.hpp"
#include "server/routes.hpp"
#include "server/services.hpp"
#include "sync/protocol.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace carnet::test {

/// The lines of a CSV text, without their CR (exports end lines with CRLF).
inline std::vector<std::string> csvLines(const std::string& text) {
    std::vector<std::string> out;
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

using nlohmann::json;

/// The server's HTTP side on its own thread (bind_to_any_port + listen_after_bind).
class ServerThread {
public:
    explicit ServerThread(server::Services& services, server::RouteOptions options = {}) {
        options.errors = [this](std::string_view line) {
            std::lock_guard lock(m_logMutex);
            m_log += std::string(line) + "\n";
        };
        server::mountRoutes(m_http, services, std::move(options));
        m_port = m_http.bind_to_any_port("127.0.0.1");
        REQUIRE(m_port > 0);
        m_thread = std::thread([this] { m_http.listen_after_bind(); });
        while (!m_http.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~ServerThread() {
        m_http.stop();
        m_thread.join();
    }
    ServerThread(const ServerThread&) = delete;
    ServerThread& operator=(const ServerThread&) = delete;
    [[nodiscard]] int port() const { return m_port; }
    /// What the server logged (errors only); tests expect it empty.
    [[nodiscard]] std::string log() const {
        std::lock_guard lock(m_logMutex);
        return m_log;
    }

private:
    server::LimitedServer m_http;
    std::thread m_thread;
    int m_port = 0;
    mutable std::mutex m_logMutex;
    std::string m_log;
};

/// One HTTP answer, its body parsed when it is JSON.
struct Reply {
    int status = 0;
    json body;
    httplib::Headers headers;
    std::string raw;
};

inline const std::string kPassword = "correct horse";

/// Takes a database back from schema 12 to 11 (what a server of before schema 12 left), for tests
/// that rewind the schema to replay older migrations.
inline constexpr std::string_view kUndoSchema12 =
    "DROP INDEX tokens_by_user; ALTER TABLE users DROP COLUMN disabled_at; "
    "ALTER TABLE users DROP COLUMN must_change_password; ALTER TABLE devices DROP COLUMN app_version; "
    "ALTER TABLE devices DROP COLUMN revoked_at; ";

/// Takes a database back from schema 16 to 15 (each version's device time), for the same tests: an
/// added column is not added twice.
inline constexpr std::string_view kUndoSchema16 =
    "ALTER TABLE records DROP COLUMN version_edited_at; ALTER TABLE record_versions DROP COLUMN edited_at; ";

/// A data folder with two organisations (alec, other) and four users, and the server on it.
struct ServerFixture {
    TempDir dir;
    std::string dbUrl = testDatabase(); ///< "" (SQLite in the data folder) or a postgresql:// URI
    std::unique_ptr<server::Services> services;
    std::unique_ptr<ServerThread> server;

    ServerFixture() {
        auto s = server::Services::open(dir.path() / "data", dbUrl);
        INFO((s.ok() ? std::string() : s.error().message));
        REQUIRE(s.ok());
        services = std::move(*s);
        auto& auth = services->auth();
        REQUIRE(auth.addOrg("alec").ok());
        REQUIRE(auth.addOrg("other").ok());
        REQUIRE(auth.addUser("awa", server::Role::Ambassador, "alec", kPassword).ok());
        REQUIRE(auth.addUser("binta", server::Role::Ambassador, "alec", kPassword).ok());
        REQUIRE(auth.addUser("coco", server::Role::Coordinator, "alec", kPassword).ok());
        REQUIRE(auth.addUser("zed", server::Role::Admin, "other", kPassword).ok());
        auto pub = services->forms().publish(assetForm("door_to_door"));
        REQUIRE(pub.ok());
        server = std::make_unique<ServerThread>(*services);
    }
    ~ServerFixture() { CHECK(server->log().empty()); }

    /// The server's database file (SQLite only: tests that use it are tagged [sqlite]).
    [[nodiscard]] std::filesystem::path dbFile() const {
        REQUIRE(dbUrl.empty());
        return dir.path() / "data" / "server.db";
    }

    /// One value the database gives for `sql` (SQL both backends read alike), read on a connection
    /// of its own.
    [[nodiscard]] std::int64_t scalar(const std::string& sql) const {
        if (!dbUrl.empty()) {
            std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(dbUrl.c_str()), &PQfinish);
            REQUIRE(PQstatus(c.get()) == CONNECTION_OK);
            std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
            INFO(sql << ": " << PQerrorMessage(c.get()));
            REQUIRE(PQresultStatus(r.get()) == PGRES_TUPLES_OK);
            REQUIRE(PQntuples(r.get()) == 1);
            return std::strtoll(PQgetvalue(r.get(), 0, 0), nullptr, 10);
        }
        auto file = Db::open(dbFile());
        REQUIRE(file.ok());
        auto v = file->scalar(sql);
        REQUIRE(v.ok());
        return *v;
    }

    /// Stops the server, lets `offline` change its database while nothing holds it open, and starts
    /// it again on the same data folder (migrations run as on any start).
    void restart(const std::function<void(Db&)>& offline = {}) {
        server.reset();
        services.reset();
        if (offline) {
            auto file = Db::open(dbFile());
            REQUIRE(file.ok());
            offline(*file);
        }
        auto reopened = server::Services::open(dir.path() / "data", dbUrl);
        REQUIRE(reopened.ok());
        services = std::move(*reopened);
        server = std::make_unique<ServerThread>(*services);
    }

    /// The text of a sample form from assets/forms.
    static std::string assetForm(const std::string& name) {
        auto text = readTextFile(std::filesystem::path(CARNET_SOURCE_DIR) / "assets" / "forms" / (name + ".json"));
        REQUIRE(text.ok());
        return *text;
    }

    [[nodiscard]] httplib::Client client() const {
        httplib::Client c("127.0.0.1", server->port());
        c.set_default_headers({{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)}});
        c.set_read_timeout(30, 0);
        return c;
    }

    static Reply reply(const httplib::Result& r) {
        REQUIRE(r);
        Reply out;
        out.status = r->status;
        out.headers = r->headers;
        out.raw = r->body;
        out.body = json::parse(r->body, nullptr, false);
        return out;
    }

    static httplib::Headers auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

    Reply post(const std::string& path, const json& body, const std::string& token = {}) const {
        auto c = client();
        return reply(
            c.Post(path.c_str(), token.empty() ? httplib::Headers{} : auth(token), body.dump(), "application/json"));
    }
    Reply get(const std::string& path, const std::string& token) const {
        auto c = client();
        return reply(c.Get(path.c_str(), auth(token)));
    }

    /// Logs in and returns the token.
    std::string login(const std::string& user) const {
        auto r = post("/api/v1/login", json{{"user", user}, {"password", kPassword}});
        REQUIRE(r.status == 200);
        return r.body.at("token").get<std::string>();
    }
    /// Logs in and registers a device; returns the token.
    std::string loginWithDevice(const std::string& user, const std::string& deviceId) const {
        auto token = login(user);
        auto r = post("/api/v1/devices", json{{"device_id", deviceId}, {"name", user + "'s tablet"}}, token);
        REQUIRE(r.status == 200);
        return token;
    }

    static json mutation(std::int64_t seq, const std::string& record, std::int64_t base, const std::string& op,
                         json changes) {
        return json{{"seq", seq}, {"record_id", record}, {"base_version", base}, {"op", op}, {"changes", changes}};
    }
    static json create(std::int64_t seq, const std::string& record, json fields) {
        return mutation(seq, record, 0, "create",
                        json{{"form_id", "door_to_door"},
                             {"form_version", "2026.11.3"},
                             {"kind", "interview"},
                             {"author", "Awa"},
                             {"fields", fields}});
    }
    static json set(std::int64_t seq, const std::string& record, std::int64_t base, json fields) {
        return mutation(seq, record, base, "set", json{{"fields", fields}});
    }

    Reply push(const std::string& token, const std::string& device, json mutations) const {
        return post("/api/v1/sync/push", json{{"device_id", device}, {"mutations", mutations}}, token);
    }

    /// Every change visible to the token's user, page after page.
    std::vector<json> pullAll(const std::string& token, int limit = 1000) const {
        std::vector<json> out;
        std::string cursor;
        for (int guard = 0; guard < 1000; ++guard) {
            auto r =
                get("/api/v1/sync/pull?limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor),
                    token);
            REQUIRE(r.status == 200);
            for (const auto& c : r.body.at("changes"))
                out.push_back(c);
            cursor = r.body.at("cursor").get<std::string>();
            if (!r.body.at("more").get<bool>()) break;
        }
        return out;
    }
};

} // namespace carnet::test
