#pragma once
// An ImGui context without a window: a display size, the app's fonts and theme, and input through
// io.MousePos / io.MouseDown / io.AddInputCharactersUTF8 / io.KeysDown (imgui 1.86 predates the input
// event API). Screens draw into it exactly as in the app. Tests find targets by the label a person
// reads (or by id) and press where they are drawn, never at hard-coded pixels.

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
    using Draw = std::function<void(app::DrawContext&)>;

    HeadlessImGui(float width, float height, float scale = 1.0f) {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(width, height);
        io.DeltaTime = kFrame;
        io.KeyMap[ImGuiKey_Backspace] = kBackspace;
        io.KeyMap[ImGuiKey_Enter] = kEnter;
        io.KeyMap[ImGuiKey_Tab] = kTab;
        fontFile = app::loadFonts(scale);
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        app::theme::apply(scale, false);
    }
    ~HeadlessImGui() { ImGui::DestroyContext(); }
    HeadlessImGui(const HeadlessImGui&) = delete;
    HeadlessImGui& operator=(const HeadlessImGui&) = delete;

    /// Runs one frame of `draw` in a full-screen window, `seconds` after the previous one; returns the
    /// intents and fills `targets`.
    std::vector<app::Intent> frame(const Draw& draw, float seconds = kFrame) {
        ImGuiIO& io = ImGui::GetIO();
        io.DeltaTime = seconds;
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("carnet", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
        std::vector<app::Intent> intents;
        targets.clear();
        texts.clear();
        app::DrawContext ctx{intents, touch};
        ctx.targets = &targets;
        ctx.texts = &texts;
        draw(ctx);
        animating = ctx.animating;
        ImGui::End();
        ImGui::Render();
        return intents;
    }

    /// Runs frames until the content stops gliding after a drag (at most 600).
    void settle(const Draw& draw) {
        for (int k = 0; k < 600; ++k) {
            frame(draw);
            if (!animating) break;
        }
        look(draw);
    }

    /// What a person sees before they tap: the screen updates, then they pause (targets have settled).
    std::vector<app::Intent> look(const Draw& draw) {
        auto all = frame(draw);
        for (auto& i : frame(draw, 0.5f))
            all.push_back(std::move(i));
        return all;
    }

    /// The target with `id` in the last frame.
    std::optional<app::Target> find(const std::string& id) const {
        for (const auto& t : targets)
            if (t.id == id) return t;
        return std::nullopt;
    }

    /// The `nth` target (0 = the first) whose label is `label` in the last frame.
    std::optional<app::Target> findLabel(const std::string& label, int nth = 0) const {
        for (const auto& t : targets)
            if (t.label == label && nth-- == 0) return t;
        return std::nullopt;
    }

    /// Whether the last frame showed a message or button text containing `part`.
    bool shows(const std::string& part) const {
        for (const auto& t : texts)
            if (t.find(part) != std::string::npos) return true;
        return false;
    }

    /// Puts the finger down at (x, y) for one frame.
    std::vector<app::Intent> press(float x, float y, const Draw& draw) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = ImVec2(x, y);
        io.MouseDown[0] = true;
        return frame(draw);
    }

    /// Lifts the finger (where it is) for one frame, then moves it away.
    std::vector<app::Intent> release(const Draw& draw) {
        ImGuiIO& io = ImGui::GetIO();
        io.MouseDown[0] = false;
        auto out = frame(draw);
        io.MousePos = ImVec2(-1, -1);
        return out;
    }

    /// Press and release at (x, y) on the next two frames, without waiting: a quick tap at the spot
    /// the person aimed at, whatever is drawn there now.
    std::vector<app::Intent> tapAt(float x, float y, const Draw& draw) {
        auto all = press(x, y, draw);
        for (auto& i : release(draw))
            all.push_back(std::move(i));
        return all;
    }

    /// Looks at the screen, then taps the centre of the target `id`; returns the intents.
    std::vector<app::Intent> tap(const std::string& id, const Draw& draw) {
        look(draw);
        auto t = find(id);
        if (!t) return {};
        return tapAt(t->x + t->w / 2, t->y + t->h / 2, draw);
    }

    /// Looks at the screen, then taps the `nth` target labelled `label`; empty when there is none.
    std::vector<app::Intent> tapLabel(const std::string& label, const Draw& draw, int nth = 0) {
        look(draw);
        auto t = findLabel(label, nth);
        if (!t) return {};
        return tapAt(t->x + t->w / 2, t->y + t->h / 2, draw);
    }

    /// Types `text` into the focused text field (one frame).
    std::vector<app::Intent> type(const std::string& text, const Draw& draw) {
        ImGui::GetIO().AddInputCharactersUTF8(text.c_str());
        return frame(draw);
    }

    /// Presses and releases a key (kBackspace, kEnter, kTab) over two frames.
    std::vector<app::Intent> key(int k, const Draw& draw) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeysDown[k] = true;
        auto all = frame(draw);
        io.KeysDown[k] = false;
        for (auto& i : frame(draw))
            all.push_back(std::move(i));
        return all;
    }

    /// Types `digits` on the number keypad by tapping its keys ("key.7", "key.,").
    std::vector<app::Intent> keypad(const std::string& digits, const Draw& draw) {
        std::vector<app::Intent> all;
        for (char c : digits)
            for (auto& i : tap(std::string("key.") + c, draw))
                all.push_back(std::move(i));
        return all;
    }

    /// Drags the finger from (x, y) by `dy` pixels over a few frames (a scroll), then lifts it.
    std::vector<app::Intent> drag(float x, float y, float dy, const Draw& draw, int steps = 8) {
        auto all = press(x, y, draw);
        for (int k = 1; k <= steps; ++k) {
            ImGui::GetIO().MousePos = ImVec2(x, y + dy * static_cast<float>(k) / static_cast<float>(steps));
            for (auto& i : frame(draw))
                all.push_back(std::move(i));
        }
        for (auto& i : release(draw))
            all.push_back(std::move(i));
        return all;
    }

    static constexpr float kFrame = 1.0f / 60.0f;
    static constexpr int kBackspace = 1, kEnter = 2, kTab = 3;

    std::vector<app::Target> targets; ///< the targets visible in the last frame
    std::vector<std::string> texts;   ///< the messages and button texts drawn in the last frame
    app::TouchState touch;
    bool animating = false; ///< the last frame asked for another (inertia)
    std::string fontFile;
};

} // namespace carnet::test
