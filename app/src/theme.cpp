#include "app/theme.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>
#include <optional>
#include <vector>

namespace carnet::app::theme {

namespace {
ImVec4 rgb(int r, int g, int b, float a = 1.0f) {
    return ImVec4(static_cast<float>(r) / 255.0f, static_cast<float>(g) / 255.0f, static_cast<float>(b) / 255.0f, a);
}
constexpr ImGuiCol kErrorSlot = ImGuiCol_PlotHistogramHovered;   // the error colour lives in the style
constexpr ImGuiCol kPlaceholderSlot = ImGuiCol_PlotLinesHovered; // and the placeholders' colour

} // namespace

Target* addTarget(DrawContext& ctx, const std::string& id, const std::string& label) {
    if (!ctx.targets) return nullptr;
    // Only what is wholly on screen: a finger cannot tap what a scroll region hides.
    const ImVec2 a = ImGui::GetItemRectMin();
    const ImVec2 b = ImGui::GetItemRectMax();
    const ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 cmin = dl->GetClipRectMin();
    const ImVec2 cmax = dl->GetClipRectMax();
    if (a.x < cmin.x - 0.5f || a.y < cmin.y - 0.5f || b.x > cmax.x + 0.5f || b.y > cmax.y + 0.5f) return nullptr;
    Target t;
    t.id = id;
    t.label = label;
    t.x = a.x;
    t.y = a.y;
    t.w = b.x - a.x;
    t.h = b.y - a.y;
    t.disabled = (GImGui->CurrentItemFlags & ImGuiItemFlags_Disabled) != 0; // inside BeginDisabled()
    ctx.targets->push_back(std::move(t));
    return &ctx.targets->back();
}

namespace {

// Records the last item as the target `id` (for tests) and tracks where it is drawn; returns false
// when it moved or appeared less than kSettleSeconds ago.
bool record(DrawContext& ctx, const std::string& id, const std::string& label, Target** target = nullptr) {
    const ImVec2 a = ImGui::GetItemRectMin();
    const ImVec2 b = ImGui::GetItemRectMax();
    Target* t = addTarget(ctx, id, label);
    if (target) *target = t;
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
        c[kPlaceholderSlot] = rgb(118, 118, 118);
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
        c[kPlaceholderSlot] = rgb(150, 156, 162);
        style.FrameBorderSize = 1;
    }
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

bool button(DrawContext& ctx, const std::string& id, const std::string& label, float width, float height,
            bool primary) {
    return labelledButton(ctx, id, label, visibleLabel(label), width, height, primary);
}

namespace {

// A button's text laid out in the space it has: lines wrapped at word boundaries, in the body size,
// or a smaller one (down to kSmallest of it) when the words or the lines would not fit otherwise.
struct Fitted {
    float size = 0;     ///< font size the text is drawn in
    float w = 0, h = 0; ///< widest line (or word) and height of the block
    std::vector<std::pair<const char*, const char*>> lines;
};
constexpr float kSmallest = 0.6f;

Fitted layOut(ImFont* font, float size, const std::string& text, float width) {
    Fitted f;
    f.size = size;
    const float scale = size / font->FontSize;
    const char* s = text.data();
    const char* const end = s + text.size();
    for (;;) {
        const char* eop = std::find(s, end, '\n'); // one paragraph
        const char* p = s;
        do {
            const char* eol = p < eop ? font->CalcWordWrapPositionA(scale, p, eop, width) : eop;
            if (eol <= p && p < eop) ++eol;
            while (eol < eop && (*eol & 0xC0) == 0x80)
                ++eol; // never in the middle of a character
            f.lines.emplace_back(p, eol);
            f.w = std::max(f.w, font->CalcTextSizeA(size, FLT_MAX, 0, p, eol).x);
            p = eol;
            while (p < eop && *p == ' ')
                ++p;
        } while (p < eop);
        // A word cut in two counts at its full width: it did not fit.
        for (const char* w = s; w < eop;) {
            const char* we = std::find(w, eop, ' ');
            f.w = std::max(f.w, font->CalcTextSizeA(size, FLT_MAX, 0, w, we).x);
            w = we < eop ? we + 1 : eop;
        }
        if (eop == end) break;
        s = eop + 1;
    }
    f.h = size * static_cast<float>(f.lines.size());
    return f;
}

// The largest size at which `text` fits in width x height; else the largest at which its words fit
// in width (the caller grows its height); else the smallest.
Fitted fit(const std::string& text, float width, float height) {
    ImFont* font = ImGui::GetFont();
    const float full = ImGui::GetFontSize();
    std::optional<Fitted> narrow;
    for (float k = 1.0f; k >= kSmallest - 1e-3f; k -= 0.05f) {
        Fitted f = layOut(font, full * k, text, width);
        if (f.w <= width + 0.5f && f.h <= height + 0.5f) return f;
        if (!narrow && f.w <= width + 0.5f) narrow = std::move(f);
    }
    return narrow ? *narrow : layOut(font, full * kSmallest, text, width);
}

// Draws the fitted text in [min, max], aligned as the style aligns button text, line by line.
void drawFitted(const Fitted& f, ImVec2 min, ImVec2 max) {
    const ImVec2 align = ImGui::GetStyle().ButtonTextAlign;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImFont* font = ImGui::GetFont();
    const ImU32 col = ImGui::GetColorU32(ImGuiCol_Text);
    float y = min.y + std::max(0.0f, (max.y - min.y - f.h) * align.y);
    dl->PushClipRect(min, max, true);
    for (const auto& [b, e] : f.lines) {
        const float w = font->CalcTextSizeA(f.size, FLT_MAX, 0, b, e).x;
        const float x = min.x + std::max(0.0f, (max.x - min.x - w) * align.x);
        dl->AddText(font, f.size, ImVec2(x, y), col, b, e);
        y += f.size;
    }
    dl->PopClipRect();
}

// A button with `text` fitted in it, `lead` pixels kept free at the left for a mark; its height
// grows only when the text cannot fit even in the smallest size. Returns whether it was pressed.
bool fittedButton(DrawContext& ctx, const std::string& id, const std::string& text, const std::string& label, float w,
                  float h, float lead, Target** target) {
    const ImGuiStyle& style = ImGui::GetStyle();
    float padX = style.FramePadding.x;
    const float padY = 4.0f * ctx.scale;
    Fitted f = fit(text, std::max(1.0f, w - 2 * padX - lead), h - 2 * padY);
    if (f.w > w - 2 * padX - lead) {
        // A narrow button (a tab at 150 % text): its text may come closer to its edges.
        padX = 4.0f * ctx.scale;
        f = fit(text, std::max(1.0f, w - 2 * padX - lead), h - 2 * padY);
    }
    h = std::max(h, f.h + 2 * padY);
    const bool pressed = ImGui::Button("##button", ImVec2(w, h));
    const ImVec2 a = ImGui::GetItemRectMin();
    const ImVec2 b = ImGui::GetItemRectMax();
    drawFitted(f, ImVec2(a.x + padX + lead, a.y + padY), ImVec2(b.x - padX, b.y - padY));
    if (ctx.texts) ctx.texts->push_back(text);
    Target* t = nullptr;
    guard(ctx, record(ctx, id, label, &t));
    if (t) {
        t->textW = f.w + lead + 2 * padX;
        t->textH = f.h + 2 * padY;
    }
    if (target) *target = t;
    return pressed;
}

} // namespace

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
    const bool pressed = fittedButton(ctx, id, visibleLabel(text), label, w, h, 0, nullptr);
    if (primary) ImGui::PopStyleColor(3);
    ImGui::PopID();
    return pressed;
}

bool choice(DrawContext& ctx, const std::string& id, const std::string& label, bool on, bool multiple) {
    ImGui::PushID(id.c_str());
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImVec4 accent = style.Colors[ImGuiCol_Header];
    // A chosen answer: a light tint of the accent behind it, its mark filled; the text stays dark.
    const ImVec4 tint(accent.x, accent.y, accent.z, 0.16f);
    ImGui::PushStyleColor(ImGuiCol_Button, on ? tint : style.Colors[ImGuiCol_FrameBg]);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, on ? tint : style.Colors[ImGuiCol_FrameBg]);
    ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0.0f, 0.5f));
    const float box = 28.0f * ctx.scale;
    const float lead = box + style.ItemInnerSpacing.x + 4.0f * ctx.scale;
    Target* t = nullptr;
    const bool pressed =
        fittedButton(ctx, id, label, label, ImGui::GetContentRegionAvail().x, 56.0f * ctx.scale, lead, &t);
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(2);
    const ImVec2 a = ImGui::GetItemRectMin();
    const ImVec2 b = ImGui::GetItemRectMax();
    const ImVec2 c(a.x + style.FramePadding.x + box / 2, (a.y + b.y) / 2);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 fill = ImGui::GetColorU32(ImGuiCol_Header);
    const float line = 2.5f * ctx.scale;
    if (multiple) {
        const ImVec2 lo(c.x - box / 2, c.y - box / 2), hi(c.x + box / 2, c.y + box / 2);
        if (on) {
            dl->AddRectFilled(lo, hi, fill, 4.0f * ctx.scale);
            ImGui::RenderCheckMark(dl, ImVec2(lo.x + box * 0.18f, lo.y + box * 0.18f), IM_COL32(255, 255, 255, 255),
                                   box * 0.64f);
        } else {
            dl->AddRect(lo, hi, ink, 4.0f * ctx.scale, 0, line);
        }
    } else {
        dl->AddCircle(c, box / 2, on ? fill : ink, 0, line);
        if (on) dl->AddCircleFilled(c, box / 4, fill);
    }
    if (t) t->mark = multiple ? (on ? Mark::BoxOn : Mark::BoxOff) : (on ? Mark::RadioOn : Mark::RadioOff);
    ImGui::PopID();
    return pressed;
}

InputResult inputText(DrawContext& ctx, const std::string& id, const std::string& label, const std::string& placeholder,
                      std::string& text, bool readOnly) {
    InputResult r;
    ImGui::PushID(id.c_str());
    ImGui::SetNextItemWidth(-1);
    // ImGui draws a field's placeholder in the disabled-text colour: the placeholder colour here.
    const ImVec4 muted = ImGui::GetStyle().Colors[kPlaceholderSlot];
    ImGui::PushStyleColor(ImGuiCol_TextDisabled, muted);
    r.changed = ImGui::InputTextWithHint("##text", placeholder.c_str(), &text,
                                         readOnly ? ImGuiInputTextFlags_ReadOnly : ImGuiInputTextFlags_None);
    ImGui::PopStyleColor();
    r.left = ImGui::IsItemDeactivatedAfterEdit();
    if (Target* t = addTarget(ctx, id, label); t && text.empty() && !placeholder.empty()) {
        t->placeholder = placeholder;
        t->placeholderRgba = ImGui::GetColorU32(muted);
    }
    ImGui::PopID();
    return r;
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
    // The mark goes before the label when both fit on one line; in a narrow cell (a picker's minute,
    // « 02 ») the filled accent alone says it is chosen, rather than the label wrapping under the mark.
    const std::string marked = "✓ " + label;
    const float w = width < 0 ? ImGui::GetContentRegionAvail().x : std::max(width, kTouchMin * ctx.scale);
    const bool fits = ImGui::CalcTextSize(visibleLabel(marked).c_str()).x + 2 * ImGui::GetStyle().FramePadding.x <= w;
    const bool pressed = labelledButton(ctx, id, on && fits ? marked : label, label, width, 56.0f);
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
        ctx.touch.scrolled = ImGui::GetCurrentWindow()->ID;
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
        ctx.touch.velocity = -io.MouseDelta.y;
    } else if (!io.MouseDown[0]) {
        ctx.touch.dragging = false;
        // Only the scroll region the finger moved glides (a landscape form has two).
        if (ctx.touch.scrolled != ImGui::GetCurrentWindow()->ID) return;
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
