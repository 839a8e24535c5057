#pragma once
// The pickers drawn under a date, date-time or time question (form.cpp): a month calendar, and a
// time question's hours and minutes. What they refuse (FormScreenView) is drawn disabled.

#include "app/screens.hpp"

#include <string>

namespace carnet::app {

/// The open calendar under the date (or date-time, `withTime`) question at `path`: a tapped day is
/// its answer (ISO, with the time held) and closes the calendar; a refused day takes no tap.
void drawCalendar(const FormScreenView& view, DrawContext& ctx, const std::string& path, bool withTime);
/// The open time picker under the time question at `path`: an hour tapped is held, a minute tapped
/// makes "HH:MM" the answer and closes the picker; refused hours and minutes take no tap.
void drawTimePicker(const FormScreenView& view, DrawContext& ctx, const std::string& path);

} // namespace carnet::app
