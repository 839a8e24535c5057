#pragma once
// The screens: for each, a plain model (no ImGui types), a View computed by a pure evaluate(), and a
// draw() that is the only code calling ImGui and only produces intents.

#include "app/ui.hpp"
#include "forms/session.hpp"

#include <string>
#include <vector>

namespace carnet::app {

/// The tab bar shared by the main screens.
struct NavView {
    Screen current = Screen::Home;
    std::string home, records, settings;
};

// ---------------------------------------------------------------- first run
struct FirstRunModel {
    std::string name; ///< being typed
};
struct FirstRunView {
    std::string title, intro, languageLabel, nameLabel, nameHint, start;
    std::string name;
    Lang lang = Lang::Fr;
    bool canStart = false;
};
[[nodiscard]] FirstRunView evaluateFirstRun(const FirstRunModel& model, Lang lang);
void drawFirstRun(const FirstRunView& view, DrawContext& ctx);

// ---------------------------------------------------------------- home
struct HomeFormButton {
    std::string formId, label;
};
struct HomeRecordRow {
    std::string id, title, subtitle;
};
struct HomeData { ///< what the store says, gathered by the app
    std::string userName;
    std::vector<HomeFormButton> forms;
    std::vector<HomeRecordRow> drafts;
    int waiting = 0;
    std::string lastSync; ///< "" = never
    bool hasServer = false;
    bool syncing = false;
    std::string syncStep;
    int syncDone = 0;
    bool haveReport = false; ///< a sync ran since the app started
    int pushed = 0, pulled = 0, merged = 0, conflicts = 0;
    bool offline = false;
    std::string syncError;
};
struct HomeView {
    NavView nav;
    std::string title, greeting, formsHeader, draftsHeader, noDrafts, waiting, lastSync;
    std::string syncButton, syncText;
    bool canSync = false, syncing = false, syncTextIsError = false;
    std::vector<HomeFormButton> forms;
    std::vector<HomeRecordRow> drafts;
};
[[nodiscard]] HomeView evaluateHome(const HomeData& data, Lang lang);
void drawHome(const HomeView& view, DrawContext& ctx);

// ---------------------------------------------------------------- form filling
struct FormModel {
    std::string recordId;
    int page = 0;
    std::vector<std::pair<std::string, std::string>> edits; ///< text being typed, by path
    std::string keypad;                                     ///< path of the number field the keypad types into
    bool showMissing = false;                               ///< "required" messages appear once finalizing was tried
    bool showSummary = false;
    std::vector<forms::FieldIssue> summary; ///< what blocks finalizing
    std::string message;                    ///< last store error, translated
};
struct FormScreenView {
    std::string title, pageLabel, pageHint, progressText;
    float progress = 0; ///< 0..1
    int page = 0, pageCount = 0;
    std::vector<forms::ItemView> items;
    std::vector<std::pair<std::string, std::string>> edits;
    std::string keypad;
    std::string message;
    bool showSummary = false;
    std::vector<forms::FieldIssue> summary;
    // Labels, already translated.
    std::string previous, next, saveLeave, finalize, addEntry, removeEntry, entry, summaryTitle, summaryOk, unavailable,
        deviceLocation, today, now, clear, yes, keypadOk;
    std::string todayIso, nowTime, dateHint, timeHint, dateTimeHint;
    Lang lang = Lang::Fr;
};
/// `todayIso` ("2026-11-25") and `nowTime` ("14:05") feed the Today / Now buttons.
[[nodiscard]] FormScreenView evaluateForm(const FormModel& model, const forms::FormView& form, Lang lang,
                                          const std::string& todayIso, const std::string& nowTime);
void drawForm(const FormScreenView& view, DrawContext& ctx);

// ---------------------------------------------------------------- records
struct RecordsModel {
    int tab = 0; ///< 0 drafts, 1 finalized (waiting), 2 sent
    std::string search;
};
struct RecordRow {
    std::string id, title, subtitle, status;
    bool draft = false;
};
struct RecordsView {
    NavView nav;
    std::string title, searchLabel, empty;
    std::vector<std::string> tabs;
    int tab = 0;
    std::string search;
    std::vector<RecordRow> rows;
};
[[nodiscard]] RecordsView evaluateRecords(const RecordsModel& model, const std::vector<RecordRow>& all, Lang lang);
void drawRecords(const RecordsView& view, DrawContext& ctx);

// ---------------------------------------------------------------- settings
struct SettingsModel {
    std::string url, user, password; ///< being typed; the password is never stored
};
struct SettingsServer {    ///< what the store and the worker say
    std::string url, user; ///< saved after a successful login
    bool connecting = false;
    std::string loginError;
};
struct SettingsView {
    NavView nav;
    std::string title, languageLabel, textSizeLabel, contrastLabel, contrastOn, contrastOff, about;
    std::string serverLabel, urlLabel, userLabel, passwordLabel, connect, status;
    std::string url, user, password;
    bool statusIsError = false, canConnect = false;
    Lang lang = Lang::Fr;
    float textScale = 1.0f;
    bool highContrast = false;
};
[[nodiscard]] SettingsView evaluateSettings(Lang lang, float textScale, bool highContrast, const SettingsModel& model,
                                            const SettingsServer& server);
void drawSettings(const SettingsView& view, DrawContext& ctx);

/// Français / English, as two toggles (first run and settings).
void drawLanguageToggles(Lang current, DrawContext& ctx);
/// The tab bar at the bottom of the main screens.
void drawNav(const NavView& nav, DrawContext& ctx);
[[nodiscard]] NavView navView(Screen current, Lang lang);

} // namespace carnet::app
