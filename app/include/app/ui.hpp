#pragma once
// What screens exchange with the app: intents (what the person asked for) and the drawing context.
// Screens follow model -> evaluate -> View -> draw -> intents; side effects happen only when the app
// applies intents, never inside draw.

#include "core/i18n.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace carnet::app {

/// The screens of the app.
enum class Screen { FirstRun, Home, Form, Records, Settings, WalkLists, CallQueue, Contact, Indicators };

/// Something the person asked for, produced by draw code and applied by AppState.
struct Intent {
    /// What is asked.
    enum class Kind {
        Navigate,          ///< screen
        SetLanguage,       ///< number: 0 = fr, 1 = en
        EditName,          ///< text (first run)
        FinishFirstRun,    ///<
        SetTextScale,      ///< real
        SetHighContrast,   ///< flag
        StartForm,         ///< id = form id
        OpenRecord,        ///< id = record id
        EditText,          ///< path, text: the buffer of a field being typed in
        SetAnswer,         ///< path, value (null clears)
        AddRepeat,         ///< path
        RemoveRepeat,      ///< path ("members[2]")
        GoToPage,          ///< number
        Finalize,          ///<
        SaveAndLeave,      ///<
        SetRecordsTab,     ///< number
        EditSearch,        ///< text
        DismissSummary,    ///<
        FocusKeypad,       ///< path: the number field the keypad types into ("" closes it)
        StartSync,         ///<
        Login,             ///< uses the server fields typed in settings
        OpenWalkList,      ///< id = walk list id ("" = back to the lists)
        SelectDoor,        ///< id = dwelling id ("" closes the outcome buttons)
        DoorOutcome,       ///< id = dwelling id, text = outcome (absent, refus, repasser, entretien, ne_pas_contacter),
                           ///< flag = confirmed (do not contact asks once)
        UndoOutcome,       ///< undoes the last door outcome (while it may be)
        AskBuildingAbsent, ///< id = building id ("" cancels the question)
        ConfirmBuildingAbsent, ///< id = building id: "nobody home" for every remaining dwelling
        SelectCall,            ///< id = call task id ("" closes it)
        CallOutcome,        ///< id = call task id, text = no_answer | wrong_number | callback | answered, path = date
        ShowCallbackPicker, ///< flag: open / close the date picker of the selected call
        ShiftMonth,         ///< number: months to move the date picker by
        PickDate,           ///< text = "YYYY-MM-DD"
        OpenContact,        ///< id = person id
        RecordConsent,      ///< id = person id, text = purpose, flag = granted
        SetDoNotContact,    ///< id = person id, flag
        AskErase,           ///< flag: show / hide the erase confirmation
        ConfirmErase,       ///< id = person id
        Back,               ///< leaves a detail screen for the one it was opened from
        JumpTo,             ///< number = page, path = question to bring on screen ("" = the page's top)
        FocusShown,         ///< the question to bring on screen is on screen
        ShowOutline,        ///< flag: show / hide the outline of the form
        PinDigit,           ///< text = the digit typed on the PIN screen's keypad
        PinErase,           ///< erases the last digit typed on the PIN screen
        PinSubmit,          ///< the PIN typed is checked (or kept, when setting one)
        PinForgot,          ///< flag: show / hide the "forgotten PIN" reset confirmation
        PinReset,           ///< erases the device's store (confirmed "forgotten PIN")
        ChangePin,          ///< flag: open (settings) / cancel the change of the PIN
        RecordAudio,        ///< path: the audio question starts recording (a recording elsewhere is saved first)
        StopAudio,          ///< the recording is saved as the question's answer, or the playing stops
        PlayAudio,          ///< path: the audio question's recording plays
        PlayPrompt,         ///< path: the question (or "question.choice") whose prompt plays, text = its media file
        AddPosition,      ///< path: the device's position as the geopoint, or the next vertex of a geotrace / geoshape
        OpenDatePicker,   ///< path: the date, date-time or time question whose picker opens ("" or the open one closes)
        ShiftPickerMonth, ///< number: months to move the open calendar by
        ShiftPickerTime,  ///< number: minutes to move the open calendar's time by (within the day)
        SetPickerTime,    ///< text: the time the open picker holds, "HH:MM" (an hour tapped)
        OpenFilePicker,   ///< path: the file question whose list of the media folder opens ("" closes it)
        AttachFile,       ///< path: the file question, text: the file of the media folder it takes
    };
    Kind kind = Kind::Navigate;
    Screen screen = Screen::Home;
    std::string id, path, text;
    nlohmann::json value;
    int number = 0;
    float real = 0;
    bool flag = false;
};

/// The mark drawn at the start of a choice: a check box (several answers) or a radio mark (one).
enum class Mark { None, BoxOff, BoxOn, RadioOff, RadioOn };

/// A touch target drawn this frame (tests find them by id or by the label a person reads).
struct Target {
    std::string id, label;
    float x = 0, y = 0, w = 0, h = 0;
    /// The width and height its text takes as drawn (wrapped, or made smaller to fit): tests check
    /// that no text is wider or taller than its target. 0 when the target draws no text of its own.
    float textW = 0, textH = 0;
    Mark mark = Mark::None;
    bool disabled = false;             ///< drawn disabled (greyed): a press does nothing
    std::string placeholder = {};      ///< a text field's placeholder, when it shows one (empty field)
    std::uint32_t placeholderRgba = 0; ///< the colour it is drawn in (ImGui's packed ABGR)
};

/// Where a target was last drawn and when it last moved: a press on a target that moved (or
/// appeared) a moment ago is ignored, because the finger aimed at what was there before.
struct Placement {
    float x = 0, y = 0, w = 0, h = 0;
    double movedAt = 0; ///< ImGui time of the last move or appearance
    int frame = -1;     ///< ImGui frame it was last drawn in
};

/// Transient touch state that survives frames (kept by the app, never static).
struct TouchState {
    float velocity = 0; ///< inertial scroll, pixels per frame
    bool dragging = false;
    unsigned scrolled = 0;                             ///< ImGui id of the window the finger scrolls (only it glides)
    std::unordered_map<std::string, Placement> placed; ///< by target id
    int ignoredPresses = 0;                            ///< presses refused because their target had just moved
};

/// Everything draw code may touch besides ImGui.
struct DrawContext {
    std::vector<Intent>& intents;
    TouchState& touch;
    std::vector<Target>* targets = nullptr;    ///< filled when tests ask for it
    std::vector<std::string>* texts = nullptr; ///< the messages and button texts drawn (tests read them)
    float scale = 1.0f;
    bool highContrast = false;
    bool animating = false; ///< set by draw when another frame is needed (inertia)
    double wakeAfter = 0;   ///< > 0: draw again after this many seconds (an undo that expires)
    /// Appends an intent of `kind` and returns it for its payload: `ctx.emit(Kind::GoToPage).number = 2`.
    Intent& emit(Intent::Kind kind) {
        intents.emplace_back();
        intents.back().kind = kind;
        return intents.back();
    }
};

} // namespace carnet::app
