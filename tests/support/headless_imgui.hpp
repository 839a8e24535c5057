#pragma once
// An ImGui context without a window: a display size, a built font atlas, and mouse input through
// io.MousePos / io.MouseDown (imgui 1.86 predates the input event API). Screens draw into it exactly
// as in the app.

#include "app/fonts.hpp"
#include "app/theme.hpp"
#include "app/ui.hpp"

#include <functional>
#include <imgui.h>
#include <optional>
#include <string>
#include <vector>

namespace carnet::test {

class HeadlessImGui {
public:
    HeadlessImGui(float width, float height, float scale = 1.0f) {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(width, height);
        io.DeltaTime = 1.0f / 60.0f;
        fontFile = app::loadFonts(scale);
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        app::theme::apply(scale, false);
    }
    ~HeadlessImGui() { ImGui::DestroyContext(); }
    HeadlessImGui(const HeadlessImGui&) = delete;
    HeadlessImGui& operator=(const HeadlessImGui&) = delete;

    /// Runs one frame of `draw` in a full-screen window; returns the intents and fills `targets`.
    std::vector<app::Intent> frame(const std::function<void(app::DrawContext&)>& draw) {
        ImGuiIO& io = ImGui::GetIO();
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("carnet", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
        std::vector<app::Intent> intents;
        targets.clear();
        app::DrawContext ctx{intents, touch};
        ctx.targets = &targets;
        draw(ctx);
        ImGui::End();
        ImGui::Render();
        return intents;
    }

    /// The target with `id` in the last frame.
    std::optional<app::Target> find(const std::string& id) const {
        for (const auto& t : targets)
            if (t.id == id) return t;
        return std::nullopt;
    }

    /// Taps the target `id`: press on one frame, release on the next; returns the intents of both.
    std::vector<app::Intent> tap(const std::string& id, const std::function<void(app::DrawContext&)>& draw) {
        std::vector<app::Intent> all;
        auto t = find(id);
        if (!t) return all;
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = ImVec2(t->x + t->w / 2, t->y + t->h / 2);
        io.MouseDown[0] = true;
        for (auto& i : frame(draw))
            all.push_back(i);
        io.MouseDown[0] = false;
        for (auto& i : frame(draw))
            all.push_back(i);
        io.MousePos = ImVec2(-1, -1);
        return all;
    }

    std::vector<app::Target> targets;
    app::TouchState touch;
    std::string fontFile;
};

} // namespace carnet::test
