// The campaign's figures on the tablet, computed by the field library from this device's records:
// key figures, interviews per week, sessions by kind against their targets, cumulative km avoided.
#include "app/screens.hpp"
#include "app/theme.hpp"

#include <cmath>
#include <cstdio>
#include <imgui.h>

namespace carnet::app {

std::string groupThousands(long long value, Lang lang) {
    const bool negative = value < 0;
    std::string digits = std::to_string(negative ? -value : value);
    // French groups with a narrow no-break space, English with a comma.
    const std::string sep = lang == Lang::Fr ? "\u202f" : ",";
    std::string out;
    const std::size_t n = digits.size();
    for (std::size_t k = 0; k < n; ++k) {
        if (k > 0 && (n - k) % 3 == 0) out += sep;
        out += digits[k];
    }
    return negative ? "-" + out : out;
}

namespace {

std::string rounded(double v, Lang lang) {
    return groupThousands(std::llround(v), lang);
}

// "2026-W48" -> "S48" / "W48": short enough for an axis label.
std::string weekLabel(const std::string& week, Lang lang) {
    const auto w = week.find("-W");
    return tr("app.ind.week_short", lang, {w == std::string::npos ? week : week.substr(w + 2)});
}

} // namespace

IndicatorsView evaluateIndicators(const IndicatorsData& data, Lang lang) {
    IndicatorsView v;
    v.nav = navView(Screen::Indicators, lang);
    v.title = tr("app.ind.title", lang);
    v.note = tr("app.ind.note", lang);
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.0f", data.pickupRate * 100.0);
    v.figures = {
        {tr("app.ind.interviews", lang), groupThousands(data.interviews, lang)},
        {tr("app.ind.volunteers", lang), groupThousands(data.volunteers, lang)},
        {tr("app.ind.consents", lang), groupThousands(data.consents, lang)},
        {tr("app.ind.calls", lang), groupThousands(data.calls, lang)},
        {tr("app.ind.pickup", lang), tr("app.ind.percent", lang, {pct})},
        {tr("app.ind.pairs", lang), groupThousands(data.pairs, lang)},
        {tr("app.ind.km", lang), tr("app.ind.km_value", lang, {rounded(data.kmAvoided, lang)})},
        {tr("app.ind.co2", lang), tr("app.ind.kg_value", lang, {rounded(data.co2Kg, lang)})},
    };
    v.interviewsChart.title = tr("app.ind.interviews_per_week", lang);
    for (const auto& w : data.interviewsPerWeek)
        v.interviewsChart.bars.push_back(Bar{weekLabel(w.week, lang), w.value, std::nullopt});
    v.sessionsChart.title = tr("app.ind.sessions", lang);
    v.sessionsChart.targetLegend = tr("app.ind.target", lang);
    for (const auto& s : data.sessions)
        v.sessionsChart.bars.push_back(Bar{tr("app.session." + s.kind, lang), static_cast<double>(s.count),
                                           s.target > 0 ? std::optional<double>(s.target) : std::nullopt});
    v.kmChart.title = tr("app.ind.km_per_week", lang);
    v.kmChart.unit = "km";
    for (const auto& w : data.kmPerWeek)
        v.kmChart.points.push_back(LinePoint{weekLabel(w.week, lang), w.value});
    return v;
}

void drawIndicators(const IndicatorsView& view, DrawContext& ctx) {
    theme::title(view.title);
    theme::hint(view.note);
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::BeginChild("ind.body", ImVec2(0, -navHeight), false);
    theme::touchScroll(ctx);
    // Key figures in a grid of cards: two columns in portrait, four in landscape.
    const float avail = ImGui::GetContentRegionAvail().x;
    const int columns = avail > 1000.0f * ctx.scale ? 4 : 2;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float cardW = (avail - static_cast<float>(columns - 1) * spacing) / static_cast<float>(columns);
    const float cardH = 2.6f * ImGui::GetTextLineHeightWithSpacing() + 8.0f * ctx.scale;
    ImGuiIO& io = ImGui::GetIO();
    for (std::size_t k = 0; k < view.figures.size(); ++k) {
        if (k % static_cast<std::size_t>(columns)) ImGui::SameLine();
        ImGui::PushID(static_cast<int>(k));
        ImGui::BeginChild("figure", ImVec2(cardW, cardH), true, ImGuiWindowFlags_NoScrollbar);
        theme::hint(view.figures[k].label);
        if (io.Fonts->Fonts.Size > 1) ImGui::PushFont(io.Fonts->Fonts[1]);
        ImGui::TextUnformatted(view.figures[k].value.c_str());
        if (io.Fonts->Fonts.Size > 1) ImGui::PopFont();
        ImGui::EndChild();
        ImGui::PopID();
    }
    ImGui::Spacing();
    if (avail > 1000.0f * ctx.scale) {
        // Landscape: the two bar charts side by side, the line under them.
        const float h = 300.0f * ctx.scale;
        ImGui::BeginChild("chart.interviews", ImVec2((avail - spacing) / 2, h), false, ImGuiWindowFlags_NoScrollbar);
        drawBarChart(view.interviewsChart, 230.0f, ctx);
        ImGui::EndChild();
        ImGui::SameLine();
        ImGui::BeginChild("chart.sessions", ImVec2(0, h), false, ImGuiWindowFlags_NoScrollbar);
        drawBarChart(view.sessionsChart, 230.0f, ctx);
        ImGui::EndChild();
    } else {
        drawBarChart(view.interviewsChart, 240.0f, ctx);
        ImGui::Spacing();
        drawBarChart(view.sessionsChart, 240.0f, ctx);
    }
    ImGui::Spacing();
    drawLineChart(view.kmChart, 240.0f, ctx);
    ImGui::EndChild();
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
