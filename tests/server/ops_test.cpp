// What an operator runs the server with (issue 19, "Operations"): GET /healthz for the load balancer,
// GET /metrics for Prometheus, one log line per request. On SQLite and, as server.pg.*, on PostgreSQL.
#include "core/db.hpp"
#include "server/metrics.hpp"
#include "server_fixture.hpp"
#include "server_process.hpp"

#include <fstream>
#include <regex>

using namespace carnet;
using namespace carnet::test;

namespace {

constexpr const char* kMetricsToken = "scrape-me-0123456789abcdef";

// Runs a statement that returns no rows on the fixture's database (a connection of its own).
void execSql(const ServerFixture& f, const std::string& sql) {
    if (!f.dbUrl.empty()) {
        std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(f.dbUrl.c_str()), &PQfinish);
        REQUIRE(PQstatus(c.get()) == CONNECTION_OK);
        std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
        INFO(sql << ": " << PQerrorMessage(c.get()));
        REQUIRE(PQresultStatus(r.get()) == PGRES_COMMAND_OK);
        return;
    }
    auto db = Db::open(f.dbFile());
    REQUIRE(db.ok());
    REQUIRE(db->exec(sql).ok());
}

// The value of the metric line `series` (name with its labels, as rendered); -1 when absent.
double metric(const std::string& text, const std::string& series) {
    const std::string prefix = "\n" + series + " ";
    const auto at = ("\n" + text).find(prefix);
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + prefix.size() - 1));
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

} // namespace

TEST_CASE("route patterns leave ids out, and unknown paths share one label", "[ops]") {
    CHECK(server::routePattern("/api/v1/sync/push") == "/api/v1/sync/push");
    CHECK(server::routePattern("/api/v1/records/0190a1b2-0000-7000-8000-000000000001/history") ==
          "/api/v1/records/{id}/history");
    CHECK(server::routePattern("/api/v1/records/abc") == "/api/v1/records/{id}");
    CHECK(server::routePattern("/api/v1/walklists/import") == "/api/v1/walklists/import");
    CHECK(server::routePattern("/api/v1/attachments/" + std::string(64, 'a') + "/content") ==
          "/api/v1/attachments/{sha256}/content");
    CHECK(server::routePattern("/console/app.js") == "/console/{file}");
    CHECK(server::routePattern("/") == "/");
    CHECK(server::routePattern("/api/v1/records//history") == "other");
    CHECK(server::routePattern("/wp-admin/awa.php") == "other");
    CHECK(server::routePattern("") == "other");
    CHECK(server::methodLabel("POST") == "POST");
    CHECK(server::methodLabel("BREW\r\nawa") == "OTHER");
}

TEST_CASE("/healthz answers without a token while the storage answers, 503 when it does not", "[server][ops]") {
    ServerFixture f;
    auto c = f.client();
    c.set_default_headers({}); // no protocol header, no token: a load balancer's probe
    auto ok = ServerFixture::reply(c.Get("/healthz"));
    CHECK(ok.status == 200);
    CHECK(ok.body.value("status", "") == "ok");
    CHECK(ok.headers.find("Cache-Control")->second == "no-store");

    // The storage stops answering the read (a table gone): the probe fails, the cause is logged only.
    execSql(f, "ALTER TABLE orgs RENAME TO orgs_moved");
    auto down = ServerFixture::reply(c.Get("/healthz"));
    CHECK(down.status == 503);
    CHECK(down.body.value("status", "") == "unavailable");
    CHECK(down.raw.find("orgs") == std::string::npos);
    CHECK(f.server->log().find("/healthz") != std::string::npos);
    execSql(f, "ALTER TABLE orgs_moved RENAME TO orgs");
    CHECK(ServerFixture::reply(c.Get("/healthz")).status == 200);
    f.server = std::make_unique<ServerThread>(*f.services); // the fixture expects an empty error log
}

TEST_CASE("/metrics counts requests, latencies, pushes, pulls and conflicts, for the token holder only",
          "[server][ops]") {
    ServerFixture f;
    std::mutex accessMutex;
    std::vector<std::string> access;
    server::RouteOptions options;
    options.metricsToken = kMetricsToken;
    options.access = [&](std::string_view line) {
        std::lock_guard lock(accessMutex);
        access.emplace_back(line);
    };
    f.server = std::make_unique<ServerThread>(*f.services, options);

    const std::string record = "0190a1b2-0000-7000-8000-0000000000aa";
    auto tokenA = f.loginWithDevice("awa", "tab-a");
    auto tokenB = f.loginWithDevice("awa", "tab-b");
    REQUIRE(f.push(tokenA, "tab-a", json::array({ServerFixture::create(1, record, {{"remarque", "Mariam Diallo"}})}))
                .status == 200);
    REQUIRE(
        f.push(tokenB, "tab-b", json::array({ServerFixture::set(1, record, 1, {{"remarque", "Mariam Sow"}})})).status ==
        200);
    // The same field changed on both tablets from version 1: a conflict.
    auto conflicting =
        f.push(tokenA, "tab-a", json::array({ServerFixture::set(2, record, 1, {{"remarque", "M. Ba"}})}));
    REQUIRE(conflicting.status == 200);
    REQUIRE(conflicting.body.at("results").at(0).at("status") == "conflict");
    REQUIRE(f.pullAll(tokenA).size() == 1);
    REQUIRE(f.get("/api/v1/records/" + record + "/history", tokenA).status == 200);

    auto c = f.client();
    CHECK(ServerFixture::reply(c.Get("/metrics")).status == 401);
    CHECK(ServerFixture::reply(c.Get("/metrics", ServerFixture::auth(tokenA))).status == 401);
    // A request is counted once its response is written: the client may read it a moment before.
    Reply m;
    int scrapes = 0;
    for (; scrapes < 100; ++scrapes) {
        m = ServerFixture::reply(c.Get("/metrics", ServerFixture::auth(kMetricsToken)));
        REQUIRE(m.status == 200);
        if (metric(m.raw, R"(carnet_http_requests_total{method="GET",route="/metrics",status="401"})") == 2 &&
            metric(m.raw,
                   R"(carnet_http_requests_total{method="GET",route="/api/v1/records/{id}/history",status="200"})") ==
                1)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ++scrapes;
    CHECK(m.headers.find("Content-Type")->second.rfind("text/plain; version=0.0.4", 0) == 0);
    const std::string& text = m.raw;
    INFO(text);
    CHECK(metric(text, R"(carnet_http_requests_total{method="POST",route="/api/v1/sync/push",status="200"})") == 3);
    CHECK(metric(text, R"(carnet_http_requests_total{method="GET",route="/metrics",status="401"})") == 2);
    CHECK(metric(text,
                 R"(carnet_http_requests_total{method="GET",route="/api/v1/records/{id}/history",status="200"})") == 1);
    CHECK(metric(text, R"(carnet_http_request_duration_seconds_count{method="POST",route="/api/v1/sync/push"})") == 3);
    CHECK(metric(text,
                 R"(carnet_http_request_duration_seconds_bucket{method="POST",route="/api/v1/sync/push",le="+Inf"})") ==
          3);
    CHECK(metric(text, R"(carnet_http_request_duration_seconds_sum{method="POST",route="/api/v1/sync/push"})") > 0);
    CHECK(metric(text, "carnet_sync_pushes_total") == 3);
    CHECK(metric(text, R"(carnet_sync_mutations_total{status="applied"})") == 2);
    CHECK(metric(text, "carnet_sync_conflicts_total") == 1);
    CHECK(metric(text, "carnet_sync_pulls_total") == 1);
    CHECK(metric(text, "carnet_sync_pulled_changes_total") == 1);
    CHECK(metric(text, "carnet_write_queue_depth") == 0);
    // Nothing personal, and no id: names, answers, record ids and tokens never become labels.
    for (const std::string& secret : {std::string("awa"), std::string("Mariam"), record, tokenA, std::string("tab-a")})
        CHECK(text.find(secret) == std::string::npos);

    // One access line per answered request (the logger runs once the response is written), each
    // with the route pattern, the status, the time and the bytes, and nothing personal.
    std::vector<std::string> logged;
    for (int i = 0; i < 200; ++i) {
        {
            std::lock_guard lock(accessMutex);
            logged = access;
        }
        if (logged.size() >= 9 + 2 + static_cast<std::size_t>(scrapes)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const std::regex shape(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (GET|POST) (/[^ ]*) \d{3} \d+\.\dms in=\d+ out=\d+$)");
    // 2 logins, 2 device registrations, 3 pushes, 1 pull, 1 history, 2 refused /metrics, the scrapes.
    REQUIRE(logged.size() == 9 + 2 + static_cast<std::size_t>(scrapes));
    for (const auto& l : logged) {
        INFO(l);
        CHECK(std::regex_match(l, shape));
        for (const std::string& secret :
             {std::string("awa"), std::string("Mariam"), record, tokenA, tokenB, std::string(kMetricsToken), kPassword,
              std::string("tab-a"), std::string("cursor")})
            CHECK(l.find(secret) == std::string::npos);
    }
    CHECK(std::count_if(logged.begin(), logged.end(), [](const std::string& l) {
              return l.find(" POST /api/v1/sync/push 200 ") != std::string::npos;
          }) == 3);
    CHECK(std::any_of(logged.begin(), logged.end(), [](const std::string& l) {
        return l.find(" GET /api/v1/records/{id}/history 200 ") != std::string::npos;
    }));
}

TEST_CASE("/metrics is refused to everyone when no token is configured", "[server][ops]") {
    ServerFixture f;
    auto token = f.login("coco");
    auto c = f.client();
    auto r = ServerFixture::reply(c.Get("/metrics", ServerFixture::auth(token)));
    CHECK(r.status == 403);
    CHECK(r.body.value("error", "") == "forbidden");
}

TEST_CASE("carnet-server serve: /healthz, /metrics with --metrics-token-file, a log line per request on stderr",
          "[server][ops]") {
    TempDir dir;
    ServerProcess p(CARNET_SERVER_BIN, dir.path() / "data");
    p.setDatabase(testDatabase());
    p.setStderr(dir.path() / "server.err");
    REQUIRE(p.admin("org add alec"));
    REQUIRE(p.admin("user add awa --role ambassador --org alec --password-stdin", kPassword));

    // A token file that is too short is refused at start.
    {
        std::ofstream(dir.path() / "short.token") << "short\n";
        ServerProcess bad(CARNET_SERVER_BIN, dir.path() / "data");
        bad.setDatabase(testDatabase());
        CHECK_FALSE(bad.start({"--metrics-token-file", (dir.path() / "short.token").string()}));
    }
    std::ofstream(dir.path() / "metrics.token") << kMetricsToken << "\n";
    REQUIRE(p.start({"--metrics-token-file", (dir.path() / "metrics.token").string()}));

    httplib::Client c("127.0.0.1", p.port());
    auto health = c.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    auto login = c.Post("/api/v1/login", {{std::string(sync::kProtocolHeader), "1"}},
                        json{{"user", "awa"}, {"password", kPassword}}.dump(), "application/json");
    REQUIRE(login);
    REQUIRE(login->status == 200);
    const std::string token = json::parse(login->body).at("token");
    std::size_t scrapes = 0;
    std::string text;
    while (scrapes < 100 && text.find(R"(route="/api/v1/login",status="200"} 1)") == std::string::npos) {
        auto metrics = c.Get("/metrics", {{"Authorization", std::string("Bearer ") + kMetricsToken}});
        REQUIRE(metrics);
        REQUIRE(metrics->status == 200);
        text = metrics->body;
        ++scrapes;
    }
    CHECK(text.find(R"(carnet_http_requests_total{method="POST",route="/api/v1/login",status="200"} 1)") !=
          std::string::npos);
    REQUIRE(p.stop());

    std::ifstream in(dir.path() / "server.err");
    std::stringstream err;
    err << in.rdbuf();
    INFO(err.str());
    const auto logged = lines(err.str());
    // A line per request, and the one saying that the dashboard's figures were read at the start.
    REQUIRE(logged.size() == 3 + scrapes);
    auto count = [&](const std::string& part) {
        return std::count_if(logged.begin(), logged.end(),
                             [&](const std::string& l) { return l.find(part) != std::string::npos; });
    };
    CHECK(count(" 1 organisation(s) ") == 1);
    CHECK(count(" GET /healthz 200 ") == 1);
    CHECK(count(" POST /api/v1/login 200 ") == 1);
    CHECK(count(" GET /metrics 200 ") == static_cast<std::ptrdiff_t>(scrapes));
    for (const std::string& secret : {std::string("awa"), kPassword, token, std::string(kMetricsToken)})
        CHECK(err.str().find(secret) == std::string::npos);
}
