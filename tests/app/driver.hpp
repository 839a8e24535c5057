// The app as a person uses it, for the harness tests: the demo campaign opened on a fixed date, and a
// driver that scrolls to a target by its label and taps it through ImGui's input.
#pragma once

#include "app/app_state.hpp"
#include "headless_imgui.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

namespace carnet::test {

/// The demo campaign in `dir`, on 2026-12-06, first run done (the user "Awa"), on the home screen.
inline std::unique_ptr<app::AppState> openDemo(const std::filesystem::path& dir) {
    app::AppOptions o;
    o.dataDir = dir / "data";
    o.lang = Lang::Fr;
    o.demo = true;
    o.today = "2026-12-06";
    auto app = app::AppState::open(o);
    INFO((app.ok() ? std::string() : app.error().message));
    REQUIRE(app.ok());
    if ((*app)->screen() == app::Screen::FirstRun) {
        app::Intent name;
        name.kind = app::Intent::Kind::EditName;
        name.text = "Awa";
        app::Intent finish;
        finish.kind = app::Intent::Kind::FinishFirstRun;
        (*app)->apply({name, finish});
    }
    REQUIRE((*app)->screen() == app::Screen::Home);
    return std::move(*app);
}

struct Driver {
    app::AppState& app;
    HeadlessImGui& ui;
    HeadlessImGui::Draw draw = [this](app::DrawContext& ctx) { app.draw(ctx); };
    int taps = 0; ///< taps made through tap() and tapLabel(): what a person's finger did

    /// Scrolls down (finger drags) until a target labelled `label` is on screen.
    void reveal(const std::string& label, int nth = 0) {
        revealIf([&] { return ui.findLabel(label, nth).has_value(); });
    }
    template <class Found> void revealIf(Found found) {
        ui.look(draw);
        const ImVec2 size = ImGui::GetIO().DisplaySize; // a finger on the body of the screen, pushing up
        for (int k = 0; k < 12 && !found(); ++k) {
            app.apply(ui.drag(size.x / 2, size.y * 0.7f, -size.y * 0.23f, draw));
            ui.settle(draw);
        }
    }
    void tapLabel(const std::string& label, int nth = 0) {
        reveal(label, nth);
        INFO("label " << label);
        REQUIRE(ui.findLabel(label, nth));
        app.apply(ui.tapLabel(label, draw, nth));
        ++taps;
    }
    void tap(const std::string& id) {
        revealIf([&] { return ui.find(id).has_value(); });
        INFO("target " << id);
        REQUIRE(ui.find(id));
        app.apply(ui.tap(id, draw));
        ++taps;
    }
    /// Where the target labelled `label` is drawn now (its centre): where a person aims.
    std::pair<float, float> aim(const std::string& label) {
        reveal(label);
        INFO("label " << label);
        auto t = ui.findLabel(label);
        REQUIRE(t);
        return {t->x + t->w / 2, t->y + t->h / 2};
    }
    nlohmann::json answers() { return app.store().get(app.formModel().recordId)->answers; }
};

} // namespace carnet::test
