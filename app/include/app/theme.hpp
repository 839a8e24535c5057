#pragma once
// Touch sizes, type and colours: the one place they are decided.

#include "app/ui.hpp"

#include <string>

namespace carnet::app::theme {

constexpr float kTouchMin = 48.0f;     ///< minimum touch target, pixels at scale 1.0
constexpr float kFontSize = 24.0f;     ///< body text, pixels at scale 1.0
constexpr float kTitleSize = 34.0f;    ///< screen titles
constexpr float kButtonHeight = 64.0f; ///< primary buttons
constexpr float kPadding = 16.0f;
/// From this screen width (pixels: a landscape tablet) the form shows its outline beside it.
constexpr float kWideForm = 1200.0f;
/// A press on a target that moved or appeared less than this long ago is ignored (seconds).
constexpr double kSettleSeconds = 0.3;

/// Applies colours and spacing for the current scale and contrast to ImGui's style.
void apply(float scale, bool highContrast);

/// A large touch button; records its rectangle as a target; true when tapped.
bool button(DrawContext& ctx, const std::string& id, const std::string& label, float width = -1.0f,
            float height = kButtonHeight, bool primary = false);
/// Records the last item as a target for tests, when it is wholly on screen; the target recorded, or null.
Target* addTarget(DrawContext& ctx, const std::string& id, const std::string& label);
/// A button whose drawn text differs from the label tests find it by (a mark before the label).
bool labelledButton(DrawContext& ctx, const std::string& id, const std::string& text, const std::string& label,
                    float width = -1.0f, float height = kButtonHeight, bool primary = false);
/// A list row: a large button whose (often two-line) text starts at the left; true when tapped.
bool row(DrawContext& ctx, const std::string& id, const std::string& label, float height = 80.0f);
/// A toggle button (tabs, days of a calendar); true when tapped.
bool toggle(DrawContext& ctx, const std::string& id, const std::string& label, bool on, float width = -1.0f);
/// A choice of a question, the whole row a touch target: a check box before its label when several
/// answers may be chosen (`multiple`), a radio mark when one; ticked / dotted when `on`. True when tapped.
bool choice(DrawContext& ctx, const std::string& id, const std::string& label, bool on, bool multiple);
/// What a text field did this frame.
struct InputResult {
    bool changed = false; ///< the text changed (a keystroke)
    bool left = false;    ///< focus left the field after it was edited
};
/// A full-width text field; `placeholder` shows while it is empty, in the muted placeholder colour,
/// and is never part of `text`.
InputResult inputText(DrawContext& ctx, const std::string& id, const std::string& label, const std::string& placeholder,
                      std::string& text, bool readOnly);
/// Text in the title font.
void title(const std::string& text);
/// Secondary text (hints, subtitles).
void hint(const std::string& text);
/// An error message, in the error colour.
void error(const std::string& text);
/// The same, recorded in `ctx.texts` when tests read what is shown.
void hint(DrawContext& ctx, const std::string& text);
void error(DrawContext& ctx, const std::string& text);
/// A message drawn over the screen just above `bottom` (screen y), taking no layout space.
void toast(const std::string& text, float bottom);
/// Drag-to-scroll with inertia for the current window; call once per scrollable window.
void touchScroll(DrawContext& ctx);

} // namespace carnet::app::theme
