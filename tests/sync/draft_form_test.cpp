// A draft form version (issue 22, "Safe form rollout") through the real sync engine against a real
// carnet-server on 127.0.0.1: only the chosen tablet installs it and may write with it; the console's
// catalogue names the tablet that lacks it; once published, the other tablet installs it on its next sync.
#include "pg_cluster.hpp"
#include "server_process.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

using namespace carnet;
using namespace carnet::sync;
using nlohmann::json;

namespace {

struct DraftWorld {
    test::TempDir dir;
    test::ServerProcess server{CARNET_SERVER_BIN, dir.path() / "server"};
    DraftWorld() {
        server.setDatabase(test::testDatabase()); // SQLite, or PostgreSQL for the sync.pg.* run
        REQUIRE(server.admin("org add alec"));
        REQUIRE(server.admin("user add awa --role ambassador --org alec --password-stdin", "awa-password"));
        REQUIRE(server.admin("user add chloe --role coordinator --org alec --password-stdin", "chloe-password"));
        REQUIRE(server.admin(std::string("form publish ") + CARNET_SOURCE_DIR + "/assets/forms/trip_survey.json"));
        REQUIRE(server.start());
    }
    store::Store device(const std::string& name) {
        auto s = store::Store::open(dir.path() / name, store::StoreOptions{Durability::Full, "en", 0});
        REQUIRE(s.ok());
        return std::move(*s);
    }
    std::unique_ptr<Transport> connect(store::Store& store, const std::string& user) {
        auto t = makeCurlTransport(server.url());
        REQUIRE(login(store, *t, server.url(), user, user + "-password").ok());
        return t;
    }
};

SyncOptions fast() {
    SyncOptions o;
    o.sleep = [](std::chrono::milliseconds) {};
    return o;
}

bool installed(store::Store& s, const std::string& formId, const std::string& version) {
    auto forms = s.forms();
    REQUIRE(forms.ok());
    return std::any_of(forms->begin(), forms->end(),
                       [&](const store::InstalledForm& f) { return f.formId == formId && f.version == version; });
}

json send(Transport& t, const std::string& method, const std::string& path, const std::string& body = {}) {
    auto r = t.send(HttpRequest{method, path, body, {}});
    REQUIRE(r.ok());
    INFO(method << " " << path << " -> " << r->status << " " << r->body);
    json j = json::parse(r->body, nullptr, false);
    j["_status"] = r->status;
    return j;
}

} // namespace

TEST_CASE("a draft form version reaches only the chosen tablet until it is published", "[sync][backends]") {
    DraftWorld w;
    store::Store tabletA = w.device("tablet-a");
    store::Store tabletB = w.device("tablet-b");
    auto a = w.connect(tabletA, "awa");
    auto b = w.connect(tabletB, "awa"); // the same ambassador, two tablets
    REQUIRE(synchronize(tabletA, *a, fast()).ok);
    REQUIRE(synchronize(tabletB, *b, fast()).ok);
    store::Store console = w.device("chloe");
    auto coordinator = w.connect(console, "chloe");

    std::ifstream in(std::string(CARNET_SOURCE_DIR) + "/assets/forms/trip_survey.json");
    json doc = json::parse(in);
    const std::string published = doc["version"];
    doc["version"] = "2099.1.1";
    doc["title"] = json{{"fr", "Enquête mobilité (essai)"}, {"en", "Mobility survey (test)"}};
    auto draft = send(*coordinator, "POST", "/api/v1/forms?draft=1&devices=" + tabletA.deviceId(), doc.dump());
    REQUIRE(draft["_status"] == 201);
    CHECK(draft["draft"] == true);

    // Tablet A installs the draft and writes a test record with it; tablet B does not see it.
    const SyncReport ra = synchronize(tabletA, *a, fast());
    INFO(ra.toJson().dump());
    REQUIRE(ra.ok);
    CHECK(installed(tabletA, "trip_survey", "2099.1.1"));
    REQUIRE(synchronize(tabletB, *b, fast()).ok);
    CHECK_FALSE(installed(tabletB, "trip_survey", "2099.1.1"));
    CHECK(installed(tabletB, "trip_survey", published));

    auto id = tabletA.importAnswers("trip_survey", json{{"survey_phase", "avant"}}, "awa");
    REQUIRE(id.ok());
    CHECK(tabletA.get(*id)->formVersion == "2099.1.1");
    const SyncReport pushed = synchronize(tabletA, *a, fast());
    INFO(pushed.toJson().dump());
    REQUIRE(pushed.ok);
    CHECK(tabletA.pendingOutbox(100)->empty());

    // The catalogue: a draft for tablet A, which has it; the published version lacks nobody.
    auto cat = send(*coordinator, "GET", "/api/v1/catalogue");
    json entry;
    for (const auto& f : cat["forms"])
        if (f["version"] == "2099.1.1") entry = f;
    REQUIRE(entry.is_object());
    CHECK(entry["draft"] == true);
    CHECK(entry["draft_devices"] == json::array({tabletA.deviceId()}));
    CHECK(entry["missing"].empty());

    // Published: tablet B installs it on its next sync; until then the catalogue names it as behind
    // (its last sync is older than the publication; times are to the second).
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    REQUIRE(send(*coordinator, "POST", "/api/v1/forms/trip_survey/2099.1.1/publish", "{}")["_status"] == 200);
    cat = send(*coordinator, "GET", "/api/v1/catalogue");
    std::vector<std::string> missing;
    for (const auto& f : cat["forms"])
        if (f["version"] == "2099.1.1")
            for (const auto& d : f["missing"])
                missing.push_back(d["device_id"]);
    CHECK(std::find(missing.begin(), missing.end(), tabletB.deviceId()) != missing.end());
    REQUIRE(synchronize(tabletB, *b, fast()).ok);
    CHECK(installed(tabletB, "trip_survey", "2099.1.1"));
}
