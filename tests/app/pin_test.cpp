// The app on an encrypted store (docs/security.md): it opens with the PIN, and its sync worker's own
// connection opens with the unlocked key instead of asking for the PIN again.
#include "app/app_state.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

using namespace carnet;
using namespace carnet::app;

TEST_CASE("the app opens an encrypted store with the PIN and hands the key to its sync worker", "[app][vault]") {
    test::TempDir dir;
    {
        store::StoreOptions o;
        o.pin = "135792";
        o.kdf = store::KdfLimits::fastest(); // kept with the key: the app's open below is fast too
        REQUIRE(store::Store::open(dir.path(), o).ok());
    }
    AppOptions o;
    o.dataDir = dir.path();
    o.formsDir = std::string(CARNET_SOURCE_DIR) + "/assets/forms";
    o.pin = "000000";
    REQUIRE_FALSE(AppState::open(o).ok());
    o.pin = "135792";
    auto app = AppState::open(o);
    INFO((app.ok() ? std::string() : app.error().message));
    REQUIRE(app.ok());
    CHECK((*app)->store().encrypted());
    // A login to a closed port fails on the network, not on opening the worker's connection.
    REQUIRE((*app)->worker().startLogin(dir.path(), "http://127.0.0.1:9", "awa", "secret", nullptr));
    (*app)->worker().join();
    const SyncStatus done = (*app)->worker().take();
    CHECK(done.finished);
    CHECK_FALSE(done.loginError.empty());
    CHECK(done.loginError.find("PIN") == std::string::npos);
}

namespace {

std::string allBytes(const std::filesystem::path& dir) {
    std::string out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

} // namespace

TEST_CASE("text being typed on an encrypted store is sealed on disk and comes back with the PIN", "[app][vault]") {
    // What is typed is kept in a settings row before it becomes an answer (a crash loses nothing): on an
    // encrypted store that row may hold a name, so it is sealed like a personal answer.
    test::TempDir dir;
    {
        store::StoreOptions o;
        o.pin = "135792";
        o.kdf = store::KdfLimits::fastest();
        REQUIRE(store::Store::open(dir.path(), o).ok());
    }
    AppOptions o;
    o.dataDir = dir.path();
    o.formsDir = std::string(CARNET_SOURCE_DIR) + "/assets/forms";
    o.pin = "135792";
    const std::string typed = "Zéphyrine Quintal-Noël";
    std::string id;
    {
        auto app = AppState::open(o);
        REQUIRE(app.ok());
        REQUIRE((*app)->openScreen("form:door_to_door").ok());
        id = (*app)->formModel().recordId;
        Intent edit;
        edit.kind = Intent::Kind::EditText;
        edit.path = "observations"; // personal, on the last page; not left, so not an answer yet
        edit.text = typed;
        (*app)->apply({edit});
        REQUIRE((*app)->store().get(id)->answers.value("observations", "").empty());
        CHECK(*(*app)->store().setting("typing." + id) != "");
        CHECK(allBytes(dir.path()).find(typed) == std::string::npos); // the WAL while open
    }
    CHECK(allBytes(dir.path()).find(typed) == std::string::npos);
    auto app = AppState::open(o);
    REQUIRE(app.ok());
    Intent open;
    open.kind = Intent::Kind::OpenRecord;
    open.id = id;
    (*app)->apply({open});
    CHECK((*app)->store().get(id)->answers.value("observations", "") == typed);
}
