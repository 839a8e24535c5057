// The app's screens against a real carnet-server on 127.0.0.1: what waits in the outbox and why
// (issue 21), driven through ImGui input and read from what the screens draw.
#include "app/app_state.hpp"
#include "core/json_text.hpp"
#include "headless_imgui.hpp"
#include "server_process.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"
#include "tap.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;
using carnet::test::tapAndApply;
using nlohmann::json;

namespace {

struct World {
    test::TempDir dir;
    test::ServerProcess server{CARNET_SERVER_BIN, dir.path() / "server"};
    World() {
        REQUIRE(server.admin("org add alec"));
        REQUIRE(server.admin("user add awa --role ambassador --org alec --password-stdin", "awa-password"));
        REQUIRE(server.admin("user add chloe --role coordinator --org alec --password-stdin", "chloe-password"));
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
    const auto at = text.find("\"2026.11.3\"");
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
        REQUIRE(r.held == 1); // the create and its answer: one outbox entry (StoreOptions::compactOutbox)
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
    CHECK(ui.shows("Envoyées : 1"));
    tapAndApply(ui, *app, "nav.records");
    ui.look(draw);
    CHECK_FALSE(ui.shows("⚠"));
}

TEST_CASE("a record in conflict on the server is marked in the list and shows both values, as labels", "[app][sync]") {
    // Issue 21, finding 6: two tablets answer one question differently; the app says so, with both answers.
    World w;
    w.device("awa", "awa");
    w.device("chloe", "chloe");
    auto awa = store::Store::open(w.dir.path() / "awa");
    auto chloe = store::Store::open(w.dir.path() / "chloe");
    REQUIRE(awa.ok());
    REQUIRE(chloe.ok());
    auto toAwa = sync::makeCurlTransport(w.server.url());
    auto toChloe = sync::makeCurlTransport(w.server.url());
    const std::string id = *awa->createRecord("door_to_door", "awa");
    REQUIRE(awa->setAnswer(id, "commune", "gardanne").ok());
    REQUIRE(sync::synchronize(*awa, *toAwa).ok);
    REQUIRE(sync::synchronize(*chloe, *toChloe).ok);
    REQUIRE(chloe->setAnswer(id, "issue_visite", "absent").ok());
    REQUIRE(awa->setAnswer(id, "issue_visite", "refus").ok());
    REQUIRE(sync::synchronize(*chloe, *toChloe).ok);
    const sync::SyncReport r = sync::synchronize(*awa, *toAwa);
    INFO(r.toJson().dump());
    REQUIRE(r.conflicts == 1);
    // The coordinator's tablet learns it on its next pull too.
    REQUIRE(sync::synchronize(*chloe, *toChloe).ok);
    CHECK(chloe->get(id)->conflicts == std::vector<std::string>{"issue_visite"});

    for (const auto& [name, mine, other] :
         {std::tuple{"awa", "Refus", "Personne au domicile"}, std::tuple{"chloe", "Personne au domicile", "Refus"}}) {
        INFO(name);
        auto app = w.open(name);
        HeadlessImGui ui(800, 1280);
        auto draw = [&](DrawContext& ctx) { app->draw(ctx); };
        tapAndApply(ui, *app, "nav.records");
        ui.look(draw);
        INFO(joined(ui.texts));
        REQUIRE(ui.find("record." + id));
        CHECK(ui.shows("⚠ Conflit sur 1 question(s) : le coordinateur tranchera"));
        app->apply(ui.tap("record." + id, draw));
        REQUIRE(app->screen() == Screen::Form);
        ui.look(draw);
        INFO(joined(ui.texts));
        CHECK(ui.shows("⚠ Deux tablettes ont donné des réponses différentes"));
        CHECK(ui.shows("Issue de la visite"));
        CHECK(ui.shows(std::string("Sur cette tablette : ") + mine));
        CHECK(ui.shows(std::string("Sur une autre tablette : ") + other));
        CHECK(ui.shows("Le coordinateur choisira la bonne"));
        CHECK_FALSE(ui.shows(": refus")); // labels, not codes
        CHECK_FALSE(ui.shows(": absent"));
    }

    // Once the coordinator resolves it, the next pull clears the mark.
    auto resolved = toChloe->send(sync::HttpRequest{
        "POST", "/api/v1/conflicts/" + id + "/resolve", json{{"fields", {{"issue_visite", "refus"}}}}.dump(), {}});
    REQUIRE(resolved.ok());
    REQUIRE(resolved->status == 200);
    REQUIRE(sync::synchronize(*awa, *toAwa).ok);
    CHECK(awa->get(id)->conflicts.empty());
    CHECK(awa->get(id)->conflictValues.empty());
    auto app = w.open("awa");
    HeadlessImGui ui(800, 1280);
    auto draw = [&](DrawContext& ctx) { app->draw(ctx); };
    tapAndApply(ui, *app, "nav.records");
    ui.look(draw);
    CHECK_FALSE(ui.shows("Conflit"));
}

TEST_CASE("a video attached through the file picker reaches the server with its exact bytes on the next sync",
          "[app][sync][files]") {
    World w;
    const auto formFile = w.dir.path() / "clips.json";
    std::ofstream(formFile) << R"J({
  "id": "clips", "version": "1", "title": {"fr": "Clips", "en": "Clips"}, "default_language": "fr",
  "languages": ["fr", "en"],
  "pages": [{"type": "page", "name": "p", "label": {"fr": "Médias", "en": "Media"}, "children": [
    {"type": "video", "name": "clip", "label": {"fr": "La vidéo", "en": "The video"}}]}]})J";
    REQUIRE(w.server.admin("form publish " + formFile.string()));
    w.device("awa", "awa");
    w.device("chloe", "chloe");
    const auto media = w.dir.path() / "media";
    std::filesystem::create_directories(media);
    std::string clip(3'000'000, '\0');
    for (std::size_t k = 0; k < clip.size(); ++k)
        clip[k] = static_cast<char>((k * 2654435761u) >> 13);
    std::ofstream(media / "visite.mp4", std::ios::binary) << clip;

    AppOptions o;
    o.dataDir = w.dir.path() / "awa";
    o.lang = Lang::Fr;
    o.mediaDir = media;
    auto opened = AppState::open(o);
    REQUIRE(opened.ok());
    AppState& app = **opened;
    REQUIRE(app.openScreen("form:clips").ok());
    HeadlessImGui ui(800, 1280);
    auto draw = [&](DrawContext& ctx) { app.draw(ctx); };
    ui.look(draw);
    app.apply(ui.tapLabel("Choisir un fichier", draw));
    app.apply(ui.tapLabel("visite.mp4", draw));
    auto rec = app.store().get(app.formModel().recordId);
    REQUIRE(rec.ok());
    REQUIRE(rec->answers["clip"].is_string());
    const std::string hash = rec->answers["clip"].get<std::string>().substr(0, 64);

    auto s = store::Store::open(w.dir.path() / "awa");
    REQUIRE(s.ok());
    auto t = sync::makeCurlTransport(w.server.url());
    const sync::SyncReport r = sync::synchronize(*s, *t);
    INFO(r.toJson().dump());
    REQUIRE(r.ok);
    CHECK(r.attachmentsUploaded == 1);
    CHECK(r.attachmentBytes == clip.size());

    auto coordinator = store::Store::open(w.dir.path() / "chloe");
    REQUIRE(coordinator.ok());
    auto c = sync::makeCurlTransport(w.server.url());
    c->setToken(*coordinator->setting("server_token"));
    auto got = c->send(sync::HttpRequest{"GET", "/api/v1/attachments/" + hash + "/content", "", {}});
    REQUIRE(got.ok());
    CHECK(got->status == 200);
    CHECK(got->body == clip);
}
