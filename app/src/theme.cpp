#include "app/theme.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <imgui.h>
#include <imgui_internal.h>

namespace carnet::app::theme {

namespace {
ImVec4 rgb(int r, int g, int b, float a = 1.0f) {
    return ImVec4(static_cast<float>(r) / 255.0f, static_cast<float>(g) / 255.0f, static_cast<float>(b) / 255.0f, a);
}
constexpr ImGuiCol kErrorSlot = ImGuiCol_PlotHistogramHovered; // the error colour lives in the style

} // namespace

void addTarget(DrawContext& ctx, const std::string& id, const std::string& label) {
    if (!ctx.targets) return;
    // Only what is wholly on screen: a finger cannot tap what a scroll region hides.
    const ImVec2 a = ImGui::GetItemRectMin();
    const ImVec2 b = ImGui::GetItemRectMax();
    const ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 cmin = dl->GetClipRectMin();
    const ImVec2 cmax = dl->GetClipRectMax();
    if (a.x < cmin.x - 0.5f || a.y < cmin.y - 0.5f || b.x > cmax.x + 0.5f || b.y > cmax.y + 0.5f) return;
    ctx.targets->push_back(Target{id, label, a.x, a.y, b.x - a.x, b.y - a.y});
}

namespace {

// Records the last item as the target `id` (for tests) and tracks where it is drawn; returns false
// when it moved or appeared less than kSettleSeconds ago.
bool record(DrawContext& ctx, const std::string& id, const std::string& label) {
    const ImVec2 a = ImGui::GetItemRectMin();
    const ImVec2 b = ImGui::GetItemRectMax();
    addTarget(ctx, id, label);
    const double now = ImGui::GetTime();
    const int frame = ImGui::GetFrameCount();
    auto& placed = ctx.touch.placed;
    if (placed.size() > 4096) std::erase_if(placed, [&](const auto& p) { return p.second.frame < frame - 1; });
    Placement& p = placed[id];
    const bool same = p.frame == frame - 1 && std::fabs(p.x - a.x) < 0.5f && std::fabs(p.y - a.y) < 0.5f &&
                      std::fabs(p.w - (b.x - a.x)) < 0.5f && std::fabs(p.h - (b.y - a.y)) < 0.5f;
    if (!same && p.frame != frame) p.movedAt = now;
    p.x = a.x;
    p.y = a.y;
    p.w = b.x - a.x;
    p.h = b.y - a.y;
    p.frame = frame;
    return now - p.movedAt >= kSettleSeconds;
}

// The press that just started on the last item is dropped when its target is not steady: the
// finger aimed at what was drawn there before.
void guard(DrawContext& ctx, bool steady) {
    if (steady || !ImGui::IsItemActivated()) return;
    ImGui::ClearActiveID();
    ++ctx.touch.ignoredPresses;
}

std::string visibleLabel(const std::string& label) {
    const auto hidden = label.find("##");
    return hidden == std::string::npos ? label : label.substr(0, hidden);
}
} // namespace

void apply(float scale, bool highContrast) {
    ImGuiStyle style;
    ImGui::StyleColorsLight(&style);
    style.WindowPadding = ImVec2(kPadding, kPadding);
    style.FramePadding = ImVec2(14, 12);
    style.ItemSpacing = ImVec2(12, 12);
    style.ItemInnerSpacing = ImVec2(10, 8);
    style.ScrollbarSize = 14;
    style.GrabMinSize = 40;
    style.FrameRounding = 8;
    style.GrabRounding = 8;
    style.WindowRounding = 0;
    style.WindowBorderSize = 0;
    style.TouchExtraPadding = ImVec2(4, 4);
    ImVec4* c = style.Colors;
    if (highContrast) {
        // Black on white, saturated accents: readable in direct sunlight.
        c[ImGuiCol_Text] = rgb(0, 0, 0);
        c[ImGuiCol_TextDisabled] = rgb(40, 40, 40);
        c[ImGuiCol_WindowBg] = rgb(255, 255, 255);
        c[ImGuiCol_ChildBg] = rgb(255, 255, 255);
        c[ImGuiCol_Border] = rgb(0, 0, 0);
        c[ImGuiCol_FrameBg] = rgb(255, 255, 255);
        c[ImGuiCol_Button] = rgb(230, 230, 230);
        c[ImGuiCol_ButtonHovered] = rgb(200, 200, 200);
        c[ImGuiCol_ButtonActive] = rgb(0, 0, 0);
        c[ImGuiCol_CheckMark] = rgb(0, 0, 0);
        c[ImGuiCol_Header] = rgb(0, 60, 160);
        c[ImGuiCol_PlotHistogram] = rgb(0, 60, 160);
        c[kErrorSlot] = rgb(170, 0, 0);
        style.FrameBorderSize = 2;
    } else {
        c[ImGuiCol_Text] = rgb(28, 33, 40);
        c[ImGuiCol_TextDisabled] = rgb(96, 104, 112);
        c[ImGuiCol_WindowBg] = rgb(246, 244, 239);
        c[ImGuiCol_ChildBg] = rgb(255, 255, 255);
        c[ImGuiCol_Border] = rgb(208, 204, 196);
        c[ImGuiCol_FrameBg] = rgb(255, 255, 255);
        c[ImGuiCol_Button] = rgb(226, 232, 226);
        c[ImGuiCol_ButtonHovered] = rgb(206, 220, 206);
        c[ImGuiCol_ButtonActive] = rgb(150, 190, 150);
        c[ImGuiCol_CheckMark] = rgb(27, 94, 32);
        c[ImGuiCol_Header] = rgb(46, 125, 50);
        c[ImGuiCol_PlotHistogram] = rgb(46, 125, 50);
        c[kErrorSlot] = rgb(183, 28, 28);
        style.FrameBorderSize = 1;
    }
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

bool button(DrawContext& ctx, const std::string& id, const std::string& label, float width, float height,
            bool primary) {
    return labelledButton(ctx, id, label, visibleLabel(label), width, height, primary);
}

bool labelledButton(DrawContext& ctx, const std::string& id, const std::string& text, const std::string& label,
                    float width, float height, bool primary) {
    ImGui::PushID(id.c_str());
    const float h = std::max(height, kTouchMin) * ctx.scale;
    const float w = width < 0 ? ImGui::GetContentRegionAvail().x : std::max(width, kTouchMin * ctx.scale);
    if (primary) {
        const ImVec4 accent = ImGui::GetStyle().Colors[ImGuiCol_Header];
        ImGui::PushStyleColor(ImGuiCol_Button, accent);
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, accent);
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    }
    bool pressed = ImGui::Button(text.c_str(), ImVec2(w, h));
    if (ctx.texts) ctx.texts->push_back(text);
    if (primary) ImGui::PopStyleColor(3);
    guard(ctx, record(ctx, id, label));
    ImGui::PopID();
    return pressed;
}

bool row(DrawContext& ctx, const std::string& id, const std::string& label, float height) {
    ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0.0f, 0.5f));
    const bool pressed = button(ctx, id, label, -1.0f, height);
    ImGui::PopStyleVar();
    return pressed;
}

bool toggle(DrawContext& ctx, const std::string& id, const std::string& label, bool on, float width) {
    if (on) {
        const ImVec4 accent = ImGui::GetStyle().Colors[ImGuiCol_Header];
        ImGui::PushStyleColor(ImGuiCol_Button, accent);
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, accent);
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    }
    const bool pressed = labelledButton(ctx, id, (on ? "✓ " : "") + label, label, width, 56.0f);
    if (on) ImGui::PopStyleColor(3);
    return pressed;
}

void title(const std::string& text) {
    ImGuiIO& io = ImGui::GetIO();
    if (io.Fonts->Fonts.Size > 1) ImGui::PushFont(io.Fonts->Fonts[1]);
    ImGui::TextWrapped("%s", text.c_str());
    if (io.Fonts->Fonts.Size > 1) ImGui::PopFont();
}

void hint(const std::string& text) {
    if (text.empty()) return;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

void error(const std::string& text) {
    if (text.empty()) return;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[kErrorSlot]);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

void hint(DrawContext& ctx, const std::string& text) {
    if (ctx.texts && !text.empty()) ctx.texts->push_back(text);
    hint(text);
}

void error(DrawContext& ctx, const std::string& text) {
    if (ctx.texts && !text.empty()) ctx.texts->push_back(text);
    error(text);
}

void toast(const std::string& text, float bottom) {
    if (text.empty()) return;
    // Drawn over everything, taking no space and no input: the layout under it does not move.
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImGuiIO& io = ImGui::GetIO();
    const float pad = style.WindowPadding.x;
    const float width = io.DisplaySize.x - 4 * pad;
    ImFont* font = ImGui::GetFont();
    const ImVec2 size = font->CalcTextSizeA(font->FontSize, FLT_MAX, width, text.c_str());
    const ImVec2 min(2 * pad, bottom - size.y - 3 * pad);
    const ImVec2 max(io.DisplaySize.x - 2 * pad, bottom - pad);
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    dl->AddRectFilled(min, max, ImGui::GetColorU32(style.Colors[kErrorSlot]), style.FrameRounding);
    dl->AddText(font, font->FontSize, ImVec2(min.x + pad, min.y + pad), IM_COL32(255, 255, 255, 255), text.c_str(),
                nullptr, width);
}

void touchScroll(DrawContext& ctx) {
    // A finger drag scrolls the content; past a small distance it cancels the press it started, and
    // on release the content glides and slows down.
    ImGuiIO& io = ImGui::GetIO();
    const bool inside = ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem);
    const float threshold = 12.0f * ctx.scale;
    if (inside && io.MouseDown[0] && io.MouseDragMaxDistanceSqr[0] > threshold * threshold) {
        if (!ctx.touch.dragging && ImGui::GetActiveID() != 0) ImGui::ClearActiveID();
        ctx.touch.dragging = true;
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
        ctx.touch.velocity = -io.MouseDelta.y;
    } else if (!io.MouseDown[0]) {
        ctx.touch.dragging = false;
        if (std::fabs(ctx.touch.velocity) > 0.5f) {
            ImGui::SetScrollY(ImGui::GetScrollY() + ctx.touch.velocity);
            ctx.touch.velocity *= 0.92f;
            ctx.animating = true;
        } else {
            ctx.touch.velocity = 0;
        }
    }
}

} // namespace carnet::app::theme
