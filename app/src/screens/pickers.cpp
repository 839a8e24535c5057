#include "pickers.hpp"

#include "app/theme.hpp"

#include <algorithm>
#include <imgui.h>

namespace carnet::app {

namespace {

void answer(DrawContext& ctx, const std::string& path, const std::string& value) {
    Intent& i = ctx.emit(Intent::Kind::SetAnswer);
    i.path = path;
    i.value = value;
    ctx.emit(Intent::Kind::OpenDatePicker); // path "": the picker closes
}

// `count` cells of equal width, `columns` a row, each a toggle (on: the value held), a refused one
// drawn disabled; the index of the cell tapped, or -1.
template <class Id, class Label, class On, class Refused>
int cellGrid(DrawContext& ctx, int count, int columns, Id id, Label label, On on, Refused refused) {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float x0 = ImGui::GetCursorPosX();
    const float cell =
        (ImGui::GetContentRegionAvail().x - static_cast<float>(columns - 1) * spacing) / static_cast<float>(columns);
    int tapped = -1;
    for (int k = 0; k < count; ++k) {
        const int column = k % columns;
        if (column) ImGui::SameLine(x0 + static_cast<float>(column) * (cell + spacing));
        const bool off = refused(k);
        ImGui::BeginDisabled(off);
        if (theme::toggle(ctx, id(k), label(k), on(k), cell) && !off) tapped = k;
        ImGui::EndDisabled();
    }
    return tapped;
}

// As many columns of `count` cells as fit at least a touch target wide, at most `most`, a divisor
// of `count` (rows are full: 60 minutes in 10, 6, 5 or 4 columns).
int columnsFor(DrawContext& ctx, int count, int most) {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float least = theme::kTouchMin * ctx.scale;
    for (int c = most; c > 1; --c)
        if (count % c == 0 && (avail - static_cast<float>(c - 1) * spacing) / static_cast<float>(c) >= least) return c;
    return 1;
}

} // namespace

// A month of day cells (56 px high, a seventh of the width), the months before and after, and for a
// date-time the hour and minutes as steppers. A tapped day is the answer (ISO, with the time shown),
// and the calendar closes; a day the question's constraint refuses is greyed and takes no tap.
void drawCalendar(const FormScreenView& view, DrawContext& ctx, const std::string& path, bool withTime) {
    const MonthView& month = view.pickerMonth;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float x0 = ImGui::GetCursorPosX();
    const float arrow = 72.0f * ctx.scale;
    if (theme::button(ctx, "picker.previous", view.previousMonth, arrow, 56.0f))
        ctx.emit(Intent::Kind::ShiftPickerMonth).number = -1;
    ImGui::SameLine(x0 + (avail - ImGui::CalcTextSize(month.label.c_str()).x) / 2);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(month.label.c_str());
    if (ctx.texts) ctx.texts->push_back(month.label);
    ImGui::SameLine(x0 + avail - arrow);
    if (theme::button(ctx, "picker.next", view.nextMonth, arrow, 56.0f))
        ctx.emit(Intent::Kind::ShiftPickerMonth).number = 1;
    const float cell = (avail - 6 * spacing) / 7.0f;
    for (std::size_t c = 0; c < month.weekdays.size(); ++c) {
        const std::string& wd = month.weekdays[c];
        const float x = x0 + static_cast<float>(c) * (cell + spacing) + (cell - ImGui::CalcTextSize(wd.c_str()).x) / 2;
        if (c)
            ImGui::SameLine(x);
        else
            ImGui::SetCursorPosX(x);
        theme::hint(wd);
    }
    int column = month.firstWeekday;
    if (column > 0) ImGui::SetCursorPosX(x0 + static_cast<float>(column) * (cell + spacing));
    for (const auto& d : month.days) {
        ImGui::BeginDisabled(d.refused);
        if (theme::toggle(ctx, "picker.day." + d.iso, d.label, d.selected, cell) && !d.refused)
            answer(ctx, path, withTime ? d.iso + "T" + view.pickerTime : d.iso);
        ImGui::EndDisabled();
        column = (column + 1) % 7;
        if (column != 0) ImGui::SameLine(x0 + static_cast<float>(column) * (cell + spacing));
    }
    if (column != 0) ImGui::NewLine();
    if (!withTime) return;
    // The time first, then the day: "18:47", an hour or five minutes a tap.
    const std::string hh = view.pickerTime.substr(0, 2),
                      mm = view.pickerTime.size() >= 5 ? view.pickerTime.substr(3, 2) : "";
    const float step = 72.0f * ctx.scale;
    const auto stepper = [&](const char* id, const std::string& label, const std::string& value, int minutes) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(label.c_str());
        ImGui::SameLine();
        if (theme::button(ctx, std::string("picker.") + id + ".minus", "−", step, 56.0f))
            ctx.emit(Intent::Kind::ShiftPickerTime).number = -minutes;
        ImGui::SameLine();
        ImGui::TextUnformatted(value.c_str());
        if (ctx.texts) ctx.texts->push_back(value);
        ImGui::SameLine();
        if (theme::button(ctx, std::string("picker.") + id + ".plus", "+", step, 56.0f))
            ctx.emit(Intent::Kind::ShiftPickerTime).number = minutes;
    };
    stepper("hour", view.hour, hh, 60);
    ImGui::SameLine(0, 3 * spacing);
    stepper("minute", view.minutes, mm, 5);
}

// The time held, large; the 24 hours (6 a row) then the 60 minutes (10 a row on a tablet), every cell
// at least a touch target: an hour and a minute, two taps, whatever the time. The hour is held, the
// minute makes the answer. A refused hour or minute is greyed and takes no tap.
void drawTimePicker(const FormScreenView& view, DrawContext& ctx, const std::string& path) {
    const std::string held = view.heldHour < 0 ? "--:--" : view.pickerTime.substr(0, 5);
    theme::title(held);
    if (ctx.texts) ctx.texts->push_back(held);
    theme::hint(ctx, view.timePickerHint);
    const std::string minute = view.heldMinute < 0 ? "00" : view.pickerTime.substr(3, 2);
    ImGui::TextUnformatted(view.hour.c_str());
    const int hour = cellGrid(
        ctx, 24, columnsFor(ctx, 24, 6),
        [&](int h) { return "picker.hour." + view.minuteCells[static_cast<std::size_t>(h)]; },
        [&](int h) { return view.hourCells[static_cast<std::size_t>(h)]; }, [&](int h) { return h == view.heldHour; },
        [&](int h) { return view.refusedHours[static_cast<std::size_t>(h)]; });
    if (hour >= 0)
        ctx.emit(Intent::Kind::SetPickerTime).text = view.minuteCells[static_cast<std::size_t>(hour)] + ":" + minute;
    ImGui::TextUnformatted(view.minutes.c_str());
    const int tapped = cellGrid(
        ctx, 60, columnsFor(ctx, 60, 10),
        [&](int m) { return "picker.minute." + view.minuteCells[static_cast<std::size_t>(m)]; },
        [&](int m) { return view.minuteCells[static_cast<std::size_t>(m)]; },
        [&](int m) { return m == view.heldMinute; },
        [&](int m) { return view.refusedMinutes[static_cast<std::size_t>(m)]; });
    if (tapped >= 0 && view.heldHour >= 0)
        answer(ctx, path,
               view.minuteCells[static_cast<std::size_t>(view.heldHour)] + ":" +
                   view.minuteCells[static_cast<std::size_t>(tapped)]);
}

} // namespace carnet::app
