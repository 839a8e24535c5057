#include "app/screens.hpp"
#include "app/theme.hpp"
#include "core/clock.hpp"

#include <algorithm>
#include <cctype>
#include <imgui.h>
#include <imgui_stdlib.h>

namespace carnet::app {

namespace {
std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
bool digits(const std::string& s, std::size_t at, std::size_t n) {
    if (at + n > s.size()) return false;
    for (std::size_t k = at; k < at + n; ++k)
        if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
    return true;
}

} // namespace

std::string displayDatesIn(const std::string& text, Lang lang) {
    std::string out;
    std::size_t k = 0;
    while (k < text.size()) {
        const bool boundary = k == 0 || !std::isalnum(static_cast<unsigned char>(text[k - 1]));
        if (!boundary || !digits(text, k, 4) || text.compare(k + 4, 1, "-") != 0 || !digits(text, k + 5, 2) ||
            text.compare(k + 7, 1, "-") != 0 || !digits(text, k + 8, 2)) {
            out += text[k++];
            continue;
        }
        std::string date = text.substr(k, 10);
        std::size_t end = k + 10;
        std::string time;
        if (end < text.size() && text[end] == 'T' && digits(text, end + 1, 2) && text.compare(end + 3, 1, ":") == 0 &&
            digits(text, end + 4, 2)) {
            time = text.substr(end + 1, 5);
            std::size_t stop = end + 6;
            if (text.compare(stop, 1, ":") == 0 && digits(text, stop + 1, 2)) stop += 3;
            if (stop < text.size() && text[stop] == 'Z') {
                // A UTC instant: shown at the device's local time.
                const std::string utc = text.substr(k, 10) + "T" + time + ":" +
                                        (text.compare(end + 6, 1, ":") == 0 ? text.substr(end + 7, 2) : "00") + "Z";
                if (auto at = clock::parseIsoUtc(utc)) {
                    date = clock::localDate(*at);
                    time = clock::localFormat(*at, "%H:%M");
                }
                ++stop;
            }
            end = stop;
        }
        out += displayDate(date, lang);
        if (!time.empty()) out += " " + time;
        k = end;
    }
    return out;
}

RecordsView evaluateRecords(const RecordsModel& model, const std::vector<RecordRow>& all, Lang lang) {
    RecordsView v;
    v.nav = navView(Screen::Records, lang);
    v.title = tr("app.records.title", lang);
    v.searchLabel = tr("app.records.search", lang);
    v.empty = tr("app.records.empty", lang);
    v.tabs = {tr("app.records.drafts", lang), tr("app.records.finalized", lang), tr("app.records.sent", lang)};
    v.tab = model.tab;
    v.search = model.search;
    const std::string needle = lower(model.search);
    for (const auto& r : all) {
        // Finalized records wait until the server has all of them, held ones included.
        const bool inTab = model.tab == 0 ? r.draft : model.tab == 1 ? !r.draft && r.waiting : !r.draft && !r.waiting;
        if (!inTab) continue;
        if (!needle.empty() && lower(r.title + " " + r.subtitle + " " + r.id).find(needle) == std::string::npos)
            continue;
        v.rows.push_back(r);
    }
    return v;
}

void drawRecords(const RecordsView& view, DrawContext& ctx) {
    theme::title(view.title);
    const float w = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    for (int t = 0; t < static_cast<int>(view.tabs.size()); ++t) {
        if (t) ImGui::SameLine();
        if (theme::toggle(ctx, "tab." + std::to_string(t), view.tabs[static_cast<std::size_t>(t)], view.tab == t, w)) {
            ctx.emit(Intent::Kind::SetRecordsTab).number = t;
        }
    }
    std::string search = view.search;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputTextWithHint("##search", view.searchLabel.c_str(), &search)) {
        ctx.emit(Intent::Kind::EditSearch).text = search;
    }
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::BeginChild("records.body", ImVec2(0, -navHeight), false);
    theme::touchScroll(ctx);
    if (view.rows.empty()) theme::hint(view.empty);
    for (const auto& r : view.rows) {
        // A draft opens to be filled in, a finalized record read-only.
        std::string text = r.title + "\n" + r.subtitle;
        float height = 80.0f;
        for (const std::string* mark : {&r.held, &r.conflicts})
            if (!mark->empty()) {
                text += "\n" + *mark;
                height += 30.0f;
            }
        if (theme::labelledButton(ctx, "record." + r.id, text, r.title, -1, height)) {
            ctx.emit(Intent::Kind::OpenRecord).id = r.id;
        }
    }
    ImGui::EndChild();
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
