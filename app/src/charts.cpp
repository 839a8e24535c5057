#include "app/charts.hpp"

#include "app/theme.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <imgui.h>

namespace carnet::app {

namespace {

// Rounds a maximum up to 1, 2 or 5 × 10^n so that the axis reads well.
double niceMax(double v) {
    if (v <= 0) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (v <= m * p + 1e-9) return m * p;
    return 10 * p;
}

std::string number(double v) {
    char buf[32];
    if (std::fabs(v - std::round(v)) < 1e-9)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

ImU32 colour(ImGuiCol slot, float alpha = 1.0f) {
    ImVec4 c = ImGui::GetStyle().Colors[slot];
    c.w *= alpha;
    return ImGui::ColorConvertFloat4ToU32(c);
}

constexpr float kAxisLabelWidth = 56.0f;
constexpr ImU32 kTargetColour = IM_COL32(200, 90, 0, 255); // orange: readable on both themes

} // namespace

BarLayout layoutBars(const BarChartData& data, float width, float height) {
    BarLayout out;
    double top = 0;
    for (const Bar& b : data.bars) {
        top = std::max(top, b.value);
        if (b.target) top = std::max(top, *b.target);
    }
    out.scaleMax = niceMax(top);
    const auto n = static_cast<float>(std::max<std::size_t>(1, data.bars.size()));
    const float slot = width / n;
    const float barWidth = slot * 0.6f;
    for (std::size_t k = 0; k < data.bars.size(); ++k) {
        const Bar& b = data.bars[k];
        const float h = static_cast<float>(std::max(0.0, b.value) / out.scaleMax) * height;
        const float x = slot * static_cast<float>(k) + (slot - barWidth) / 2;
        out.bars.push_back(ChartRect{x, height - h, barWidth, h});
        if (b.target)
            out.targetY.emplace_back(height - static_cast<float>(*b.target / out.scaleMax) * height);
        else
            out.targetY.emplace_back(std::nullopt);
    }
    return out;
}

LineLayout layoutLine(const LineChartData& data, float width, float height) {
    LineLayout out;
    double top = 0;
    for (const LinePoint& p : data.points)
        top = std::max(top, p.value);
    out.scaleMax = niceMax(top);
    const std::size_t n = data.points.size();
    for (std::size_t k = 0; k < n; ++k) {
        const float x = n > 1 ? width * static_cast<float>(k) / static_cast<float>(n - 1) : width / 2;
        const float y = height - static_cast<float>(std::max(0.0, data.points[k].value) / out.scaleMax) * height;
        out.points.emplace_back(x, y);
    }
    return out;
}

namespace {

// The frame shared by both charts: title, y axis with 0 / half / max, and the plot rectangle.
struct Plot {
    ImVec2 origin; // top-left of the plot area
    float w = 0, h = 0;
};

// The y axis labels' column: wide enough for the top value.
float axisWidth(double scaleMax, float scale) {
    return std::max(kAxisLabelWidth * scale, ImGui::CalcTextSize(number(scaleMax).c_str()).x + 12.0f * scale);
}

Plot beginPlot(const std::string& title, float height, float scale, double scaleMax) {
    theme::hint(title);
    const ImVec2 start = ImGui::GetCursorScreenPos();
    const float lineH = ImGui::GetTextLineHeight();
    const float axisW = axisWidth(scaleMax, scale);
    const float total = height * scale;
    Plot p;
    p.origin = ImVec2(start.x + axisW, start.y + lineH / 2);
    p.w = std::max(10.0f, ImGui::GetContentRegionAvail().x - axisW);
    p.h = std::max(10.0f, total - 2 * lineH);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 grid = colour(ImGuiCol_Border);
    const ImU32 text = colour(ImGuiCol_TextDisabled);
    for (int k = 0; k <= 2; ++k) {
        const float y = p.origin.y + p.h - p.h * static_cast<float>(k) / 2.0f;
        dl->AddLine(ImVec2(p.origin.x, y), ImVec2(p.origin.x + p.w, y), grid, 1.0f);
        const std::string label = number(scaleMax * k / 2.0);
        const float tw = ImGui::CalcTextSize(label.c_str()).x;
        dl->AddText(ImVec2(p.origin.x - tw - 6 * scale, y - lineH / 2), text, label.c_str());
    }
    ImGui::Dummy(ImVec2(axisW + p.w, total));
    return p;
}

void axisLabel(const Plot& p, float centreX, const std::string& label, float maxWidth = 0) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float size = ImGui::GetFontSize();
    float tw = ImGui::CalcTextSize(label.c_str()).x;
    if (maxWidth > 0 && tw > maxWidth) {
        // A label wider than its bar's slot is drawn smaller rather than over its neighbour.
        size *= std::max(0.6f, maxWidth / tw);
        tw = ImGui::GetFont()->CalcTextSizeA(size, FLT_MAX, 0.0f, label.c_str()).x;
    }
    // Centred under its bar or point, but never past the plot's edges.
    const float x = std::clamp(p.origin.x + centreX - tw / 2, p.origin.x, std::max(p.origin.x, p.origin.x + p.w - tw));
    dl->AddText(ImGui::GetFont(), size, ImVec2(x, p.origin.y + p.h + 4), colour(ImGuiCol_Text), label.c_str());
}

} // namespace

void drawBarChart(const BarChartData& data, float height, DrawContext& ctx) {
    ImGui::PushID(data.title.c_str());
    const float axisW = axisWidth(layoutBars(data, 100, 100).scaleMax, ctx.scale);
    const float lineH = ImGui::GetTextLineHeight();
    const BarLayout layout = layoutBars(data, std::max(10.0f, ImGui::GetContentRegionAvail().x - axisW),
                                        std::max(10.0f, height * ctx.scale - 2 * lineH));
    const Plot p = beginPlot(data.title, height, ctx.scale, layout.scaleMax);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 fill = colour(ImGuiCol_PlotHistogram);
    for (std::size_t k = 0; k < layout.bars.size(); ++k) {
        const ChartRect& r = layout.bars[k];
        const ImVec2 a(p.origin.x + r.x, p.origin.y + r.y);
        const ImVec2 b(a.x + r.w, a.y + r.h);
        if (r.h > 0) dl->AddRectFilled(a, b, fill, 3.0f * ctx.scale);
        const std::string value = number(data.bars[k].value);
        const float tw = ImGui::CalcTextSize(value.c_str()).x;
        dl->AddText(ImVec2(a.x + (r.w - tw) / 2, std::max(p.origin.y, a.y - lineH - 2)), colour(ImGuiCol_Text),
                    value.c_str());
        if (layout.targetY[k]) {
            const float y = p.origin.y + *layout.targetY[k];
            dl->AddLine(ImVec2(a.x - 8 * ctx.scale, y), ImVec2(b.x + 8 * ctx.scale, y), kTargetColour,
                        4.0f * ctx.scale);
        }
        axisLabel(p, r.x + r.w / 2, data.bars[k].label, p.w / static_cast<float>(layout.bars.size()) - 4.0f);
    }
    if (!data.targetLegend.empty()) {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float y = at.y + lineH / 2;
        dl->AddLine(ImVec2(at.x, y), ImVec2(at.x + 28 * ctx.scale, y), kTargetColour, 4.0f * ctx.scale);
        ImGui::SetCursorScreenPos(ImVec2(at.x + 36 * ctx.scale, at.y));
        ImGui::TextUnformatted(data.targetLegend.c_str());
    }
    ImGui::PopID();
}

void drawLineChart(const LineChartData& data, float height, DrawContext& ctx) {
    ImGui::PushID(data.title.c_str());
    const float axisW = axisWidth(layoutLine(data, 100, 100).scaleMax, ctx.scale);
    const float lineH = ImGui::GetTextLineHeight();
    const LineLayout layout = layoutLine(data, std::max(10.0f, ImGui::GetContentRegionAvail().x - axisW - 20),
                                         std::max(10.0f, height * ctx.scale - 2 * lineH));
    const Plot p = beginPlot(data.title, height, ctx.scale, layout.scaleMax);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 line = colour(ImGuiCol_PlotHistogram);
    std::vector<ImVec2> pts;
    for (const auto& [x, y] : layout.points)
        pts.emplace_back(p.origin.x + 10 + x, p.origin.y + y);
    if (pts.size() > 1) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), line, 0, 3.0f * ctx.scale);
    // Label every point when they fit, else every other one; the last one always carries its value.
    const std::size_t step = pts.size() > 8 ? (pts.size() + 7) / 8 : 1;
    for (std::size_t k = 0; k < pts.size(); ++k) {
        dl->AddCircleFilled(pts[k], 5.0f * ctx.scale, line);
        if (k % step == 0 || k + 1 == pts.size()) axisLabel(p, 10 + layout.points[k].first, data.points[k].label);
    }
    if (!pts.empty()) {
        const std::string last = number(data.points.back().value) + " " + data.unit;
        const float tw = ImGui::CalcTextSize(last.c_str()).x;
        dl->AddText(ImVec2(std::max(p.origin.x, pts.back().x - tw), pts.back().y - lineH - 4), colour(ImGuiCol_Text),
                    last.c_str());
    }
    ImGui::PopID();
}

} // namespace carnet::app
