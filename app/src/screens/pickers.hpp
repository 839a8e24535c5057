#pragma once
// The pickers drawn under a date, date-time or time question (form.cpp): a month calendar, and a
// time question's hours and minutes. What they refuse (FormScreenView) is drawn disabled. And the
// file picker of video, photo (and microphone-less audio) questions (files.cpp).

#include "app/screens.hpp"

#include <string>

namespace carnet::app {

/// The open calendar under the date (or date-time, `withTime`) question at `path`: a tapped day is
/// its answer (ISO, with the time held) and closes the calendar; a refused day takes no tap.
void drawCalendar(const FormScreenView& view, DrawContext& ctx, const std::string& path, bool withTime);
/// The open time picker under the time question at `path`: an hour tapped is held, a minute tapped
/// makes "HH:MM" the answer and closes the picker; refused hours and minutes take no tap.
void drawTimePicker(const FormScreenView& view, DrawContext& ctx, const std::string& path);
/// A video or photo question (an audio one without a microphone): what its answer names, the buttons
/// to choose, replace or remove its file and, when open, the media folder's files of its kind.
void drawFileField(const FormScreenView& view, DrawContext& ctx, const forms::ItemView& item);
/// The file picker's labels and rows (evaluateForm).
void evaluateFiles(const FormModel& model, Lang lang, FormScreenView& v);

} // namespace carnet::app
