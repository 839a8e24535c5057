// The app tests' tap: a frame, then a tap on the target found by its id, and what the tap produced
// applied to the app, as the app's own frame does.
#pragma once

#include "app/app_state.hpp"
#include "headless_imgui.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace carnet::test {

inline void tapAndApply(HeadlessImGui& ui, app::AppState& app, const std::string& id) {
    auto draw = [&](app::DrawContext& ctx) { app.draw(ctx); };
    ui.frame(draw);
    INFO("target " << id);
    REQUIRE(ui.find(id));
    app.apply(ui.tap(id, draw));
}

} // namespace carnet::test
