// The app's screens against a real carnet-server on 127.0.0.1: what waits in the outbox and why
// (issue 21), driven through ImGui input and read from what the screens draw.
#include "app/app_state.hpp"
#include "core/json_text.hpp"
#include "headless_imgui.hpp"
#include "server_process.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;
using nlohmann::json;

namespace {

struct World {
    test::TempDir dir;
    test::ServerProcess server{CARNET_SERVER_BIN, dir.path() / "server"};
    World() {
        REQUIRE(server.admin("org add alec"));
        REQUIRE(server.admin("user add awa --role ambassador --org alec --password-stdin", "awa-password"));
        REQUIRE(server.admin("user add bea --role ambassador --org alec --password-stdin", "bea-password"));
        REQUIRE(server.admin(std::string("form publish ") + CARNET_SOURCE_DIR + "/assets/forms/door_to_door.json"));
        REQUIRE(server.start());
    }
    /// A device in DIR/name logged in as `user`, named in the app, its forms pulled.
    void device(const std::string& name, const std::string& user) {
        auto s = store::Store::open(dir.path() / name);
        REQUIRE(s.ok());
        REQUIRE(s->setSetting("user_name", user).ok());
        auto t = sync::makeCurlTransport(server.url());
        REQUIRE(sync::login(*s, *t, server.url(), user, user + "-password").ok());
        REQUIRE(sync::synchronize(*s, *t).ok);
    }
    std::unique_ptr<AppState> open(const std::string& name) {
        AppOptions o;
        o.dataDir = dir.path() / name;
        o.lang = Lang::Fr;
        auto app = AppState::open(o);
        INFO((app.ok() ? std::string() : app.error().message));
        REQUIRE(app.ok());
        REQUIRE((*app)->screen() == Screen::Home);
        return std::move(*app);
    }
};

void tapAndApply(HeadlessImGui& ui, AppState& app, const std::string& id) {
    auto draw = [&](DrawContext& ctx) { app.draw(ctx); };
    ui.frame(draw);
    INFO("target " << id);
    REQUIRE(ui.find(id));
    app.apply(ui.tap(id, draw));
}

// Taps "Synchroniser" and waits for the worker, then looks at the screen.
void syncThroughHome(HeadlessImGui& ui, AppState& app) {
    auto draw = [&](DrawContext& ctx) { app.draw(ctx); };
    tapAndApply(ui, app, "sync");
    app.worker().join();
    ui.look(draw);
}

std::string joined(const std::vector<std::string>& texts) {
    std::string all;
    for (const auto& t : texts)
        all += t + "\n";
    return all;
}

} // namespace

TEST_CASE("home says how many records wait and why, from the outbox, after a restart and after every sync",
          "[app][sync]") {
    World w;
    w.device("awa", "awa");
    // A door_to_door version the server has not published: the record's entries are held.
    std::string text = *readTextFile(std::string(CARNET_SOURCE_DIR) + "/assets/forms/door_to_door.json");
    const auto at = text.find("\"2026.11.2\"");
    REQUIRE(at != std::string::npos);
    text.replace(at, 11, "\"2026.12.9\"");
    const auto newer = w.dir.path() / "door_to_door_2026.12.9.json";
    std::ofstream(newer) << text;
    std::string id;
    {
        auto s = store::Store::open(w.dir.path() / "awa");
        REQUIRE(s.ok());
        REQUIRE(s->installForm(text).ok());
        id = *s->createRecord("door_to_door", "awa");
        REQUIRE(s->setAnswer(id, "issue_visite", "refus").ok());
        auto t = sync::makeCurlTransport(w.server.url());
        const sync::SyncReport r = sync::synchronize(*s, *t);
        INFO(r.toJson().dump());
        REQUIRE(r.held == 2);
    }

    // The app starts again: before any sync, home says it from the store.
    auto app = w.open("awa");
    HeadlessImGui ui(800, 1280);
    auto draw = [&](DrawContext& ctx) { app->draw(ctx); };
    ui.look(draw);
    INFO(joined(ui.texts));
    CHECK(ui.shows("1 fiche(s) en attente d’envoi"));
    CHECK(ui.shows("1 fiche(s) bloquée(s) par le serveur : "));
    CHECK(ui.shows("2026.12.9"));                                                // the reason, as the server gave it
    CHECK(ui.shows("Le coordinateur doit publier cette version du formulaire")); // what to do

    // The record list marks it.
    tapAndApply(ui, *app, "nav.records");
    ui.look(draw);
    CHECK(ui.find("record." + id));
    CHECK(ui.shows("⚠ Pas encore sur le serveur : "));

    // A sync that leaves it held is not a clean success on screen.
    tapAndApply(ui, *app, "nav.home");
    syncThroughHome(ui, *app);
    INFO(joined(ui.texts));
    CHECK(ui.shows("Synchronisation incomplète"));
    CHECK(ui.shows("1 fiche(s) restent sur la tablette"));
    CHECK_FALSE(ui.shows("Envoyées : "));
    CHECK(ui.shows("1 fiche(s) bloquée(s) par le serveur"));

    // The coordinator publishes the version: the next sync sends the record, and home says nothing waits.
    REQUIRE(w.server.admin("form publish " + newer.string()));
    syncThroughHome(ui, *app);
    INFO(joined(ui.texts));
    CHECK(ui.shows("0 fiche(s) en attente d’envoi"));
    CHECK_FALSE(ui.shows("bloquée"));
    CHECK(ui.shows("Envoyées : 2"));
    tapAndApply(ui, *app, "nav.records");
    ui.look(draw);
    CHECK_FALSE(ui.shows("⚠"));
}
