// The phone ambassador's queue: calls sorted by due date, and the outcome of a call in one or two
// taps (a callback asks for a date on a calendar with big targets).
#include "app/screens.hpp"
#include "app/theme.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <imgui.h>

namespace carnet::app {

namespace {

using namespace std::chrono;

std::optional<year_month_day> parseIso(const std::string& iso) {
    int y = 0;
    unsigned m = 0, d = 0;
    if (iso.size() < 10 || std::sscanf(iso.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) return std::nullopt;
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

std::string iso(const year_month_day& ymd) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string addDays(const year_month_day& from, int days) {
    return iso(year_month_day{sys_days{from} + std::chrono::days{days}});
}

std::optional<year_month> parseMonth(const std::string& text) {
    int y = 0;
    unsigned m = 0;
    if (text.size() != 7 || std::sscanf(text.c_str(), "%4d-%2u", &y, &m) != 2) return std::nullopt;
    const year_month ym{year{y}, month{m}};
    if (!ym.ok() || y < 1900 || y > 2200) return std::nullopt; // the forms engine's date range, roughly
    return ym;
}

std::string monthIso(const year_month& ym) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
    return buf;
}

} // namespace

std::string shiftMonth(const std::string& yearMonth, int by) {
    const auto ym = parseMonth(yearMonth);
    if (!ym) return yearMonth;
    const year_month moved = *ym + months{by};
    return parseMonth(monthIso(moved)) ? monthIso(moved) : yearMonth;
}

MonthView monthView(const std::string& yearMonth, const std::string& selected, const std::string& today, Lang lang) {
    MonthView v;
    const auto shown = parseMonth(yearMonth);
    if (!shown) return v;
    const char* const monthKeys[] = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"};
    v.label = tr(std::string("app.month.") + monthKeys[static_cast<unsigned>(shown->month()) - 1], lang) + " " +
              std::to_string(static_cast<int>(shown->year()));
    for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
        v.weekdays.push_back(tr(std::string("app.weekday.") + d, lang));
    const weekday first{sys_days{*shown / day{1}}};
    v.firstWeekday = static_cast<int>(first.iso_encoding()) - 1;
    const unsigned lastDay =
        static_cast<unsigned>(year_month_day_last{shown->year(), month_day_last{shown->month()}}.day());
    const std::string todayIso = today.size() >= 10 ? today.substr(0, 10) : std::string();
    for (unsigned d = 1; d <= lastDay; ++d) {
        CalendarDay cd;
        cd.iso = iso(*shown / day{d});
        cd.label = std::to_string(d);
        cd.past = !todayIso.empty() && cd.iso <= todayIso;
        cd.today = cd.iso == todayIso;
        cd.selected = cd.iso == selected;
        v.days.push_back(std::move(cd));
    }
    return v;
}

std::string displayPhone(const std::string& e164) {
    // +33612345678 -> +33 6 12 34 56 78: read aloud and dialled by a person, in pairs.
    if (e164.size() != 12 || e164.rfind("+33", 0) != 0) return e164;
    std::string out = "+33 " + e164.substr(3, 1);
    for (std::size_t k = 4; k < 12; k += 2)
        out += " " + e164.substr(k, 2);
    return out;
}

std::string displayDate(const std::string& isoDate, Lang lang) {
    if (isoDate.size() < 10 || lang != Lang::Fr) return isoDate.substr(0, 10);
    return isoDate.substr(8, 2) + "/" + isoDate.substr(5, 2) + "/" + isoDate.substr(0, 4);
}

CallQueueView evaluateCallQueue(const CallQueueModel& model, const CallQueueData& data, Lang lang) {
    CallQueueView v;
    v.nav = navView(Screen::CallQueue, lang);
    v.title = tr("app.calls.title", lang, {std::to_string(data.calls.size())});
    v.empty = tr("app.calls.empty", lang);
    v.message = model.message;
    v.noAnswer = tr("app.calls.no_answer", lang);
    v.wrongNumber = tr("app.calls.wrong_number", lang);
    v.callback = tr("app.calls.callback", lang);
    v.answered = tr("app.calls.answered", lang);
    v.contact = tr("app.calls.contact", lang);
    std::vector<CallRow> calls = data.calls;
    std::stable_sort(calls.begin(), calls.end(), [](const CallRow& a, const CallRow& b) { return a.due < b.due; });
    for (const auto& c : calls) {
        CallView cv;
        cv.id = c.id;
        cv.personId = c.personId;
        cv.title = c.name;
        cv.overdue = !data.today.empty() && c.due.substr(0, 10) < data.today;
        cv.subtitle = tr(cv.overdue ? "app.calls.overdue" : "app.calls.due", lang,
                         {displayPhone(c.phone), displayDate(c.due, lang), std::to_string(c.attempts)});
        cv.open = c.id == model.taskId;
        v.calls.push_back(std::move(cv));
    }
    v.picking = model.picking && !model.taskId.empty();
    if (!v.picking) return v;

    // The date picker: quick choices, then the month's days (Monday first); past days are disabled.
    const auto today = parseIso(data.today).value_or(year_month_day{floor<days>(system_clock::now())});
    v.quick = {{tr("app.calls.tomorrow", lang), addDays(today, 1)},
               {tr("app.calls.in_week", lang), addDays(today, 7)},
               {tr("app.calls.in_six_weeks", lang), addDays(today, 42)}};
    const year_month shown = year_month{today.year(), today.month()} + months{model.monthOffset};
    MonthView grid = monthView(monthIso(shown), model.date, iso(today), lang);
    v.monthLabel = std::move(grid.label);
    v.previousMonth = "‹";
    v.nextMonth = "›";
    v.weekdays = std::move(grid.weekdays);
    v.firstWeekday = grid.firstWeekday;
    v.days = std::move(grid.days);
    v.canConfirm = parseIso(model.date).has_value() && model.date > iso(today);
    v.confirmCallback = v.canConfirm ? tr("app.calls.confirm_callback", lang, {displayDate(model.date, lang)})
                                     : tr("app.calls.choose_date", lang);
    v.cancel = tr("app.walk.cancel", lang);
    return v;
}

namespace {

void outcome(DrawContext& ctx, const CallView& call, const char* code, const std::string& label, float width,
             bool primary = false) {
    if (theme::button(ctx, std::string("call.") + code + "." + call.id, label, width, 72.0f, primary)) {
        Intent& i = ctx.emit(Intent::Kind::CallOutcome);
        i.id = call.id;
        i.text = code;
    }
}

void datePicker(const CallQueueView& view, const CallView& call, DrawContext& ctx) {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float third = (avail - 2 * spacing) / 3.0f;
    for (std::size_t k = 0; k < view.quick.size(); ++k) {
        if (k) ImGui::SameLine();
        const auto& [label, date] = view.quick[k];
        if (theme::button(ctx, "quick." + std::to_string(k), label, third, 64.0f))
            ctx.emit(Intent::Kind::PickDate).text = date;
    }
    const float arrow = 72.0f * ctx.scale;
    const float x0 = ImGui::GetCursorPosX();
    if (theme::button(ctx, "month.previous", view.previousMonth, 72.0f, 56.0f))
        ctx.emit(Intent::Kind::ShiftMonth).number = -1;
    ImGui::SameLine(x0 + (avail - ImGui::CalcTextSize(view.monthLabel.c_str()).x) / 2);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(view.monthLabel.c_str());
    ImGui::SameLine(x0 + avail - arrow);
    if (theme::button(ctx, "month.next", view.nextMonth, 72.0f, 56.0f)) ctx.emit(Intent::Kind::ShiftMonth).number = 1;
    // Seven columns; each cell is at least 48 px wide even at 800 px.
    const float cell = (avail - 6 * spacing) / 7.0f;
    for (int c = 0; c < 7; ++c) {
        const std::string& wd = view.weekdays[static_cast<std::size_t>(c)];
        if (c)
            ImGui::SameLine(x0 + static_cast<float>(c) * (cell + spacing) +
                            (cell - ImGui::CalcTextSize(wd.c_str()).x) / 2);
        else
            ImGui::SetCursorPosX(x0 + (cell - ImGui::CalcTextSize(wd.c_str()).x) / 2);
        theme::hint(wd);
    }
    int column = view.firstWeekday;
    if (column > 0) ImGui::SetCursorPosX(x0 + static_cast<float>(column) * (cell + spacing));
    for (const auto& d : view.days) {
        ImGui::BeginDisabled(d.past);
        if (theme::toggle(ctx, "day." + d.iso, d.label, d.selected, cell))
            ctx.emit(Intent::Kind::PickDate).text = d.iso;
        ImGui::EndDisabled();
        column = (column + 1) % 7;
        if (column != 0) ImGui::SameLine(x0 + static_cast<float>(column) * (cell + spacing));
    }
    if (column != 0) ImGui::NewLine();
    const float half = (avail - spacing) / 2.0f;
    if (theme::button(ctx, "callback.cancel", view.cancel, half))
        ctx.emit(Intent::Kind::ShowCallbackPicker).flag = false;
    ImGui::SameLine();
    ImGui::BeginDisabled(!view.canConfirm);
    if (theme::button(ctx, "callback.confirm", view.confirmCallback, half, theme::kButtonHeight, true)) {
        Intent& i = ctx.emit(Intent::Kind::CallOutcome);
        i.id = call.id;
        i.text = "callback";
    }
    ImGui::EndDisabled();
}

} // namespace

void drawCallQueue(const CallQueueView& view, DrawContext& ctx) {
    theme::title(view.title);
    theme::error(view.message);
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::BeginChild("calls.body", ImVec2(0, -navHeight), false);
    theme::touchScroll(ctx);
    if (view.calls.empty()) theme::hint(view.empty);
    for (const auto& c : view.calls) {
        ImGui::PushID(c.id.c_str());
        if (c.overdue) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(1.0f, 0.90f, 0.80f, 1));
        const bool tapped = theme::row(ctx, "call." + c.id, c.title + "\n" + c.subtitle);
        if (c.overdue) ImGui::PopStyleColor();
        if (tapped) ctx.emit(Intent::Kind::SelectCall).id = c.open ? std::string() : c.id;
        if (c.open) {
            ImGui::Indent(24.0f * ctx.scale);
            if (view.picking) {
                datePicker(view, c, ctx);
            } else {
                const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
                outcome(ctx, c, "answered", view.answered, -1, true);
                outcome(ctx, c, "no_answer", view.noAnswer, half);
                ImGui::SameLine();
                outcome(ctx, c, "wrong_number", view.wrongNumber, half);
                if (theme::button(ctx, "call.callback." + c.id, view.callback, half, 72.0f))
                    ctx.emit(Intent::Kind::ShowCallbackPicker).flag = true;
                ImGui::SameLine();
                if (theme::button(ctx, "call.contact." + c.id, view.contact, half, 72.0f))
                    ctx.emit(Intent::Kind::OpenContact).id = c.personId;
            }
            ImGui::Unindent(24.0f * ctx.scale);
        }
        ImGui::PopID();
    }
    ImGui::EndChild();
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
