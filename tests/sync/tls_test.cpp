// Transport and accounts seen from a device (issue 17, findings 7 and TLS): a sync over https with
// a private CA the test makes with the openssl command, certificate failures reported as such,
// plain HTTP refused off loopback, and a token renewed by a sync.
#include "server_process.hpp"
#include "temp_dir.hpp"

#include "core/json_text.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

using namespace carnet;
using namespace carnet::sync;
using nlohmann::json;

namespace {

constexpr const char* kPassword = "tls-test-password";

// Runs a shell command; its exit code, and its output in `out` when given.
int sh(const std::string& cmd, std::string* out = nullptr) {
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    REQUIRE(p != nullptr);
    std::string text;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p))
        text += buf;
    const int rc = ::pclose(p);
    if (out) *out = text;
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// A CA (ca.pem) and a certificate it signs for 127.0.0.1 (server.pem, server.key) in `dir`; and a
// second CA (other-ca.pem) that signed nothing of the server's.
void makeCertificates(const std::filesystem::path& dir) {
    const std::string d = "'" + dir.string() + "'";
    std::ofstream(dir / "ext.cnf") << "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::string out;
    for (const std::string& cmd :
         {"openssl req -x509" + ec + " -keyout " + d + "/ca.key -out " + d +
              "/ca.pem -days 2 -subj '/CN=Carnet test CA'",
          "openssl req -x509" + ec + " -keyout " + d + "/other-ca.key -out " + d +
              "/other-ca.pem -days 2 -subj '/CN=Another CA'",
          "openssl req" + ec + " -keyout " + d + "/server.key -out " + d + "/server.csr -subj '/CN=127.0.0.1'",
          "openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
              "/ca.key -CAcreateserial -out " + d + "/server.pem -days 2 -extfile " + d + "/ext.cnf"}) {
        INFO(cmd << "\n" << out);
        REQUIRE(sh(cmd, &out) == 0);
    }
}

std::string pem(const std::filesystem::path& file) {
    auto text = readTextFile(file);
    REQUIRE(text.ok());
    return *text;
}

struct TlsWorld {
    test::TempDir dir;
    test::ServerProcess server{CARNET_SERVER_BIN, dir.path() / "server"};
    TlsWorld() {
        makeCertificates(dir.path());
        REQUIRE(server.admin("org add alec"));
        REQUIRE(server.admin("user add awa --role ambassador --org alec --password-stdin", kPassword));
        REQUIRE(server.admin(std::string("form publish ") + CARNET_SOURCE_DIR + "/assets/forms/trip_survey.json"));
        REQUIRE(server.start(
            {"--tls-cert", (dir.path() / "server.pem").string(), "--tls-key", (dir.path() / "server.key").string()}));
        REQUIRE(server.url().rfind("https://", 0) == 0);
    }
    store::Store device(const std::string& name) {
        auto s = store::Store::open(dir.path() / name, store::StoreOptions{Durability::Normal, "en", 0});
        REQUIRE(s.ok());
        return std::move(*s);
    }
};

SyncOptions fast() {
    SyncOptions o;
    o.sleep = [](std::chrono::milliseconds) {};
    return o;
}

} // namespace

TEST_CASE("a device syncs over TLS with a private CA and says when it cannot trust the certificate", "[sync][tls]") {
    TlsWorld w;
    store::Store awa = w.device("awa");

    // Without the CA, or with another one: a certificate problem, not "offline".
    for (const std::string& ca : {std::string(), pem(w.dir.path() / "other-ca.pem")}) {
        auto t = makeCurlTransport(w.server.url(), TransportOptions{ca});
        auto r = login(awa, *t, w.server.url(), "awa", kPassword);
        REQUIRE_FALSE(r.ok());
        INFO(r.error().message);
        CHECK(r.error().code != ErrorCode::Offline);
        CHECK_FALSE(r.error().transient);
        CHECK(r.error().message.find(kCertificateProblem) != std::string::npos);
    }

    auto t = makeCurlTransport(w.server.url(), TransportOptions{pem(w.dir.path() / "ca.pem")});
    auto logged = login(awa, *t, w.server.url(), "awa", kPassword);
    INFO((logged.ok() ? std::string() : logged.error().message));
    REQUIRE(logged.ok());
    REQUIRE(synchronize(awa, *t, fast()).ok);
    REQUIRE(awa.importAnswers("trip_survey", json{{"survey_phase", "avant"}}, "awa").ok());
    const SyncReport r = synchronize(awa, *t, fast());
    INFO(r.toJson().dump());
    CHECK(r.ok);
    CHECK(r.pushed == 1);
    CHECK(awa.pendingOutbox(100)->empty());
}

TEST_CASE("carnet-device login takes --ca for a server with a private CA", "[sync][tls]") {
    TlsWorld w;
    const std::string dev =
        std::string("'") + CARNET_DEVICE_BIN + "' --lang en --data '" + (w.dir.path() / "dev").string() + "'";
    std::string out;
    CHECK(sh("printf '%s\\n' '" + std::string(kPassword) + "' | " + dev + " login " + w.server.url() + " awa", &out) ==
          1);
    CHECK(out.find(kCertificateProblem) != std::string::npos);
    REQUIRE(sh("printf '%s\\n' '" + std::string(kPassword) + "' | " + dev + " login " + w.server.url() + " awa --ca '" +
                   (w.dir.path() / "ca.pem").string() + "'",
               &out) == 0);
    // The CA stays with the device: its syncs need no option.
    INFO(out);
    CHECK(sh(dev + " sync", &out) == 0);
    CHECK(json::parse(out, nullptr, false).value("ok", false));
}

TEST_CASE("plain HTTP is refused on an address other machines reach, unless asked for", "[sync][tls]") {
    test::TempDir dir;
    const std::string bin = std::string("'") + CARNET_SERVER_BIN + "' --data '" + dir.path().string() + "'";
    std::string out;
    CHECK(sh("timeout 20 " + bin + " serve --port 0 --bind 0.0.0.0", &out) == 2);
    CHECK(out.find("--tls-cert") != std::string::npos);
    CHECK(out.find("--insecure-http") != std::string::npos);
}

TEST_CASE("a sync renews a token past its renewal date, and a dead token asks for the password", "[sync][tls]") {
    test::TempDir dir;
    test::ServerProcess server{CARNET_SERVER_BIN, dir.path() / "server"};
    REQUIRE(server.admin("org add alec"));
    REQUIRE(server.admin("user add awa --role ambassador --org alec --password-stdin", kPassword));
    REQUIRE(server.start());
    auto s = store::Store::open(dir.path() / "awa", store::StoreOptions{Durability::Normal, "en", 0});
    REQUIRE(s.ok());
    store::Store& awa = *s;
    auto t = makeCurlTransport(server.url());
    REQUIRE(login(awa, *t, server.url(), "awa", kPassword).ok());
    const std::string first = *awa.setting("server_token");
    CHECK_FALSE(awa.setting("server_token_renew_after")->empty());

    // Not yet due: the token stays.
    REQUIRE(synchronize(awa, *t, fast()).ok);
    CHECK(*awa.setting("server_token") == first);
    // Due: the sync renews it, and the old one no longer opens anything.
    REQUIRE(awa.setSetting("server_token_renew_after", "2000-01-01T00:00:00Z").ok());
    const SyncReport renewed = synchronize(awa, *t, fast());
    INFO(renewed.toJson().dump());
    REQUIRE(renewed.ok);
    const std::string second = *awa.setting("server_token");
    CHECK(second != first);
    CHECK(*awa.setting("server_token_renew_after") > "2000-01-01T00:00:00Z");
    REQUIRE(awa.setSetting("server_token", first).ok());
    const SyncReport dead = synchronize(awa, *t, fast());
    CHECK_FALSE(dead.ok);
    CHECK(dead.loginNeeded);
    CHECK_FALSE(dead.offline);
}
