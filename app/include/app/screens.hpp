#pragma once
// The screens: for each, a plain model (no ImGui types), a View computed by a pure evaluate(), and a
// draw() that is the only code calling ImGui and only produces intents.

#include "app/charts.hpp"
#include "app/ui.hpp"
#include "core/platform.hpp"
#include "forms/session.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::app {

/// The tab bar shared by the main screens.
struct NavView {
    Screen current = Screen::Home;
    std::string home, records, settings, walk, calls;
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
/// Records the server held, grouped by reason (sync::OutboxSummary::waiting).
struct HomeHeld {
    int records = 0;
    std::string reason, action; ///< already translated (the reason as the server gave it)
};
struct HomeData { ///< what the store says, gathered by the app
    std::string userName;
    std::vector<HomeFormButton> forms;
    std::vector<HomeRecordRow> drafts;
    int waiting = 0;            ///< records with anything in the outbox: not on the server as they are here
    std::vector<HomeHeld> held; ///< read from the outbox, so true after a restart before any sync
    std::string outboxError;    ///< the outbox could not be read
    std::string lastSync;       ///< "" = never
    bool hasServer = false;
    bool syncing = false;
    std::string syncStep;
    int syncDone = 0;
    bool haveReport = false; ///< a sync ran since the app started
    int pushed = 0, pulled = 0, merged = 0, conflicts = 0;
    int heldAfterSync = 0; ///< records the last sync left held: never shown as a clean success
    bool offline = false;
    std::string syncError; ///< the first failure of the last sync other than held entries
};
struct HomeView {
    NavView nav;
    std::string fieldHeader, walkLists, calls, indicators; ///< the field work: door to door, phone, figures
    std::string title, greeting, formsHeader, draftsHeader, noDrafts, waiting, lastSync;
    std::string syncButton, syncText;
    bool canSync = false, syncing = false, syncTextIsError = false;
    std::vector<std::string> held; ///< one line per reason: how many records, why, what to do
    std::vector<HomeFormButton> forms;
    std::vector<HomeRecordRow> drafts;
};
[[nodiscard]] HomeView evaluateHome(const HomeData& data, Lang lang);
void drawHome(const HomeView& view, DrawContext& ctx);

// ---------------------------------------------------------------- form filling
/// One field of the open record in open conflict on the server: the question and the values given.
struct ConflictLine {
    std::string path;                ///< the field as the server names it ("adresse", "membres[7f3a…]/prenom")
    std::string label;               ///< the question as the form shows it
    std::optional<std::string> mine; ///< this device's value, shown as a person reads it (a choice's label)
    std::vector<std::string> others; ///< the other devices' values, the same way
};
/// The conflict lines of a record: `conflicts` are its fields in conflict, `values` the server's values
/// (store::Record::conflictValues), `view` its form session's view (labels as shown), `deviceId` this device.
[[nodiscard]] std::vector<ConflictLine> conflictLines(const forms::Form& form, const forms::FormView& view,
                                                      const nlohmann::json& answers,
                                                      const std::vector<std::string>& conflicts,
                                                      const nlohmann::json& values, std::string_view deviceId,
                                                      Lang lang);

struct FormModel {
    std::string recordId;
    int page = 0;
    int visit = 0; ///< counts page changes: each visit of a page opens it at its top
    std::vector<std::pair<std::string, std::string>> edits; ///< text being typed, by path
    std::string keypad;                                     ///< path of the number field the keypad types into
    bool showMissing = false;                               ///< "required" messages appear once finalizing was tried
    bool showSummary = false;
    bool showOutline = false;               ///< every page and question, to jump to one
    std::vector<forms::FieldIssue> summary; ///< what blocks finalizing
    /// The messages under the questions of this page, decided when the page was entered (or left, or
    /// finalizing was tried): their space stays while the page is shown, so an answer never moves
    /// what is below it. (path, message)
    std::vector<std::pair<std::string, std::string>> slots;
    std::string focus;     ///< question to bring on screen (cleared once it is)
    std::string highlight; ///< question reached by a jump, highlighted until the page changes
    std::string message;   ///< last store error, translated
    bool readOnly = false; ///< a finalized record: shown, never edited
    std::string subject;   ///< who the record is about ("Vous appelez Awa Diallo · +33 6 …"), translated
    std::vector<ConflictLine> conflicts; ///< fields in open conflict on the server (a coordinator resolves them)
    bool audio = false;      ///< a microphone and loudspeaker: audio questions record and play (else a file reference)
    std::string audioPath;   ///< the audio question recording or playing now ("" none)
    bool recording = false;  ///< audioPath is recording (else playing)
    double audioSeconds = 0; ///< how long the recording is so far
    bool location = false;   ///< a position source: geo questions take the device's position with a button
    std::string picker;      ///< the date, date-time or time question whose picker is open ("" none)
    std::string pickerMonth; ///< the month the calendar shows, "YYYY-MM"
    /// The time the picker holds, "HH:MM": a date-time takes it with the day tapped, a time question
    /// when one of its minutes is tapped.
    std::string pickerTime;
    /// The file picker of a video or photo question (an audio one without a microphone): the question
    /// whose list is open ("" none), the folder listed, the files of its kind there (read when the
    /// list opened, newest first) and, when it lists none, why (translated).
    std::string filePicker;
    std::string fileFolder;
    std::vector<platform::FileEntry> files;
    std::string filesNote;
    /// The files answers name, by answer ("<sha256>.mp4"): the name the file had and its size, said
    /// under the question (filled by AppState from the store).
    std::map<std::string, std::pair<std::string, std::uint64_t>, std::less<>> attached;
};
/// "12,3 Mo" / "12.3 MB" (1 Mo = 1,000,000 bytes, as file managers count them).
[[nodiscard]] std::string fileSize(std::uint64_t bytes, Lang lang);
/// The extensions a file question takes from the media folder ("mp4", "jpg", ...; lower case); none
/// for the other questions.
[[nodiscard]] std::vector<std::string_view> fileKinds(forms::ItemType type);
/// A day of a calendar month.
struct CalendarDay {
    std::string iso, label; ///< "2026-12-03", "3"
    bool selected = false, past = false, today = false;
    bool refused = false; ///< the question's constraint refuses it: drawn disabled, a tap does nothing
};
/// A calendar month, Monday first, as the date pickers draw it.
struct MonthView {
    std::string label;                 ///< "janvier 2027"
    std::vector<std::string> weekdays; ///< "L", "M", ... (Monday first)
    int firstWeekday = 0;              ///< column of day 1, 0 = Monday
    std::vector<CalendarDay> days;     ///< past: on or before `today`
};
/// The month `yearMonth` ("YYYY-MM"; an invalid one gives no days), `selected` and `today`
/// ("YYYY-MM-DD", may be "") marked.
[[nodiscard]] MonthView monthView(const std::string& yearMonth, const std::string& selected, const std::string& today,
                                  Lang lang);
/// "2026-12" moved by `months` ("2027-01"); `yearMonth` itself when it is not a month.
[[nodiscard]] std::string shiftMonth(const std::string& yearMonth, int months);

/// One line of the outline or of the finalize summary.
struct OutlineLine {
    enum class State { Page, Answered, Missing, Error, Unanswered };
    std::string path, label, detail; ///< detail: the message (summary) or the state, translated
    int page = 0;
    State state = State::Unanswered;
};
/// An image shown with a label (a form's media file), decoded and made a texture by AppState.
struct LabelImage {
    std::uintptr_t texture = 0; ///< ImTextureID; 0: drawn as its frame (no renderer, as in tests)
    int width = 0, height = 0;  ///< decoded pixels; 0 when it cannot be shown
    std::string message;        ///< why it cannot be shown (not received yet, not an image), translated
};
struct FormScreenView {
    std::string title, subject, pageLabel, pageHint, progressText;
    float progress = 0; ///< 0..1
    int page = 0, pageCount = 0, visit = 0;
    std::vector<forms::ItemView> items;
    std::vector<std::pair<std::string, std::string>> edits;
    std::vector<std::pair<std::string, std::string>> slots;
    std::string keypad, focus, highlight;
    std::string message;
    bool showSummary = false, showOutline = false;
    bool readOnly = false;            ///< every question shown read-only; "Retour" instead of save / finalize
    std::vector<OutlineLine> summary; ///< what blocks finalizing, by question label
    std::vector<OutlineLine> outline; ///< pages and their questions
    /// Fields in open conflict: a heading, per field its label and both values, and who resolves it.
    std::string conflictsTitle, conflictsNote;
    std::vector<std::pair<std::string, std::vector<std::string>>> conflicts; ///< label, value lines
    // Labels, already translated.
    std::string previous, next, saveLeave, finalize, addEntry, removeEntry, entry, summaryTitle, summaryOk, unavailable,
        deviceLocation, today, now, clear, yes, keypadOk, outlineButton, outlineTitle, outlineClose, readOnlyNote, back;
    std::string todayIso, nowTime, dateHint, timeHint, dateTimeHint;
    /// The calendar of one date or date-time question, under it: its month, and the time a date-time takes.
    std::string picker, pickerTime, calendar, previousMonth, nextMonth, hour, minutes;
    MonthView pickerMonth;
    /// The time picker of a time question: its button, hint, hour cells ("18 h") and minute cells ("47");
    /// the hours with no minute the question takes and, in the hour held, the minutes it refuses.
    std::string clock, timePickerHint;
    std::vector<std::string> hourCells, minuteCells;
    int heldHour = -1, heldMinute = -1; ///< the time the picker holds (-1: none)
    std::array<bool, 24> refusedHours{};
    std::array<bool, 60> refusedMinutes{};
    /// Audio questions: buttons, and what the one in use is doing ("Enregistrement… 3 s").
    std::string recordAudio, stopAudio, playAudio, audioStatus, audioKept;
    bool audio = false, recording = false;
    std::string audioPath;
    /// Label media: the images by file name (filled by AppState), the audio prompts' buttons.
    std::map<std::string, LabelImage, std::less<>> images;
    std::string playPrompt, playChoicePrompt;
    bool location = false;               ///< a position source (else the "not available" hint)
    std::string myPosition, addPosition; ///< the geopoint's and the geotrace / geoshape's button
    /// File questions: their buttons; the open list's title, rows (name, "12,3 Mo · 06/12/2026 18:47")
    /// and note; what each answer names ("Fichier joint : entretien.mp4 (12,3 Mo)") by answer.
    std::string chooseFile, replaceFile, removeFile, closeFiles, filePicker, filesTitle, filesNote;
    std::vector<std::pair<std::string, std::string>> files;
    std::map<std::string, std::string, std::less<>> attached;
    Lang lang = Lang::Fr;
};
/// Whether the question of the open picker takes a value ("2026-12-06", "2026-12-06T18:47", "18:47").
using PickerCheck = std::function<bool(const std::string& value)>;
/// `todayIso` ("2026-11-25") and `nowTime` ("14:05") feed the Today / Now buttons; `accepts` (may be
/// empty: everything is offered) marks the days, hours and minutes the open picker refuses.
[[nodiscard]] FormScreenView evaluateForm(const FormModel& model, const forms::FormView& form, Lang lang,
                                          const std::string& todayIso, const std::string& nowTime,
                                          const PickerCheck& accepts = {});
void drawForm(const FormScreenView& view, DrawContext& ctx);
/// The messages to show under the questions of `page` (missing answers only when `showMissing`).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> pageMessages(const forms::FormView& form, int page,
                                                                            bool showMissing);
/// Whether a wrong answer on `page` keeps "Next" from leaving it (a missing answer does not, nor a
/// question nobody can answer).
[[nodiscard]] bool pageHolds(const forms::FormView& form, int page);

// ---------------------------------------------------------------- records
struct RecordsModel {
    int tab = 0; ///< 0 drafts, 1 finalized and waiting to reach the server, 2 finalized and on the server
    std::string search;
};
struct RecordRow {
    std::string id, title, subtitle, status; ///< title: the record's name (instance_name), else its form's title
    bool draft = false;
    bool waiting = false;  ///< has changes not on the server yet (pending or held in the outbox)
    std::string held;      ///< why the server holds it, translated mark included ("" when it is not held)
    std::string conflicts; ///< its open conflicts on the server, translated mark included ("" when none)
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
    bool pinSet = false; ///< the store is encrypted: the PIN can be changed
};
struct SettingsView {
    NavView nav;
    std::string title, languageLabel, textSizeLabel, contrastLabel, contrastOn, contrastOff, about;
    std::string serverLabel, urlLabel, userLabel, passwordLabel, connect, status;
    std::string url, user, password;
    std::string changePin; ///< "" without a PIN
    bool statusIsError = false, canConnect = false;
    Lang lang = Lang::Fr;
    float textScale = 1.0f;
    bool highContrast = false;
};
[[nodiscard]] SettingsView evaluateSettings(Lang lang, float textScale, bool highContrast, const SettingsModel& model,
                                            const SettingsServer& server);
void drawSettings(const SettingsView& view, DrawContext& ctx);

// ---------------------------------------------------------------- walk lists (door to door)
/// The five outcomes at a door, in the order of the buttons.
inline constexpr const char* kDoorOutcomes[] = {"absent", "refus", "repasser", "entretien", "ne_pas_contacter"};

struct WalkListRow { ///< one walk list and how far it got
    std::string id, name, territory;
    int done = 0, visited = 0, total = 0; ///< dwellings with a final outcome / with any outcome / all
};
struct DwellingRow {
    std::string id, label; ///< "Apt 12 · 3e étage"
    std::string outcome;   ///< last outcome ("" = not visited yet)
    int visits = 0;        ///< door visits so far
    std::string personId;  ///< the person met there ("" = none)
    bool final = false;    ///< its outcome closes the door (interview, refusal, do not contact)
};
struct BuildingRow {
    std::string id, address;
    int remaining = 0; ///< dwellings without a final outcome ("nobody home" for all applies to them)
    std::vector<DwellingRow> dwellings;
};
struct WalkListData { ///< what the field library says, gathered by the app
    std::vector<WalkListRow> lists;
    std::vector<BuildingRow> buildings; ///< of the open walk list
};
struct WalkListModel {
    std::string listId;              ///< the open walk list ("" = the list of walk lists)
    std::string doorId;              ///< the dwelling whose outcome buttons are shown
    std::string confirmBuilding;     ///< the building whose "nobody home" action waits for confirmation
    std::string confirmDoNotContact; ///< the door whose "do not contact" waits for confirmation
    std::string message;             ///< last error, already translated
    // The last outcome, undoable for a few seconds: undoing deletes its visit and puts the door back.
    std::string undoVisit, undoDoor, undoOutcome;
    nlohmann::json undoBefore; ///< the door's fields the outcome changed, as they were
    double undoUntil = 0;      ///< app clock, seconds
};
struct OutcomeButton {
    std::string code, label;
};
struct DwellingView {
    std::string id, label, status, personId; ///< status: "Personne · 2 passages"
    std::string outcome;                     ///< code, for the colour
    bool open = false;                       ///< its outcome buttons are shown
    bool confirmingDoNotContact = false;     ///< "do not contact" was tapped, waits for confirmation
};
struct BuildingView {
    std::string id, address, progress, absentAll, confirmText;
    bool canAbsentAll = false, confirming = false;
    std::vector<DwellingView> dwellings;
};
struct WalkListRowView {
    std::string id, name, progressText;
    float progress = 0;
};
struct WalkListView {
    NavView nav;
    std::string title, empty, back, message, listName, listProgressText, contact, confirm, cancel;
    std::string dncQuestion;    ///< "do not contact" asks once
    std::string undoText, undo; ///< "Personne enregistré · Apt 12", "Annuler"
    bool canUndo = false;
    float listProgress = 0;
    bool inList = false;
    std::vector<WalkListRowView> lists;
    std::vector<BuildingView> buildings;
    std::vector<OutcomeButton> outcomes;
};
[[nodiscard]] WalkListView evaluateWalkLists(const WalkListModel& model, const WalkListData& data, Lang lang);
void drawWalkLists(const WalkListView& view, DrawContext& ctx);

// ---------------------------------------------------------------- call queue (phone ambassador)
struct CallRow {
    std::string id, personId, name, phone;
    std::string due; ///< "YYYY-MM-DD"
    int attempts = 0;
};
struct CallQueueData {
    std::vector<CallRow> calls; ///< open call tasks, any order
    std::string today;          ///< "YYYY-MM-DD"
};
struct CallQueueModel {
    std::string taskId;   ///< the selected call
    bool picking = false; ///< the callback date picker is open
    std::string date;     ///< the chosen callback date ("" = none yet)
    int monthOffset = 0;  ///< months shown after the current one
    std::string message;
};
struct CallView {
    std::string id, personId, title, subtitle; ///< "Awa Diallo", "+33 6 12 … · prévu le 03/12/2026 · 2 essai(s)"
    bool overdue = false, open = false;
};
struct CallQueueView {
    NavView nav;
    std::string title, empty, message, noAnswer, wrongNumber, callback, answered, contact;
    std::vector<CallView> calls;
    // The date picker of the selected call.
    bool picking = false;
    std::string monthLabel, previousMonth, nextMonth, confirmCallback, cancel;
    std::vector<std::string> weekdays; ///< "L", "M", ... (Monday first)
    int firstWeekday = 0;              ///< column of day 1, 0 = Monday
    std::vector<CalendarDay> days;
    std::vector<std::pair<std::string, std::string>> quick; ///< (label, iso): tomorrow, in a week, in six weeks
    bool canConfirm = false;
};
[[nodiscard]] CallQueueView evaluateCallQueue(const CallQueueModel& model, const CallQueueData& data, Lang lang);
void drawCallQueue(const CallQueueView& view, DrawContext& ctx);

// ---------------------------------------------------------------- contact card
struct ConsentRow {
    std::string purpose;   ///< phone_followup, answers_use
    bool recorded = false; ///< a consent record exists
    bool granted = false;
    std::string wordingVersion, collectedAt, collectedBy;
};
struct HistoryItem {
    std::string kind;    ///< "door" (a door visit) or "call" (a call task)
    std::string date;    ///< YYYY-MM-DD
    std::string outcome; ///< door outcome or call status, as stored
};
struct ContactData {
    std::string personId, name, phone, address;
    bool found = false, doNotContact = false, erased = false;
    std::vector<ConsentRow> consents; ///< one per purpose
    std::string wordingVersion;       ///< the consent wording in use (recorded with a new consent)
    std::vector<HistoryItem> history; ///< door visits and calls, newest first
};
struct ContactModel {
    std::string personId;
    Screen back = Screen::WalkLists; ///< where "back" goes
    bool confirmErase = false;
    std::string message;
};
struct ConsentView {
    std::string purpose, label, status, grant, refuse;
    bool granted = false, recorded = false;
};
struct ContactView {
    NavView nav;
    std::string title, name, details, back, message, consentsHeader, doNotContactLabel, doNotContactOn, doNotContactOff,
        erase, eraseQuestion, eraseConfirm, cancel, historyHeader, erasedNote;
    std::string personId;
    bool found = false, doNotContact = false, confirmErase = false, erased = false;
    std::vector<ConsentView> consents;
    std::vector<std::string> history;
};
[[nodiscard]] ContactView evaluateContact(const ContactModel& model, const ContactData& data, Lang lang);
void drawContact(const ContactView& view, DrawContext& ctx);

// ---------------------------------------------------------------- indicators
struct WeekValue {
    std::string week; ///< "2026-W48"
    double value = 0;
};
struct SessionCount {
    std::string kind; ///< physical, phone, workshop, awareness
    int count = 0;
    int target = 0;
};
struct IndicatorsData { ///< computed by the field library from the device's records
    int interviews = 0, volunteers = 0, consents = 0, calls = 0, answeredCalls = 0, pairs = 0;
    double pickupRate = 0; ///< 0..1
    double kmAvoided = 0, co2Kg = 0, euros = 0;
    std::vector<WeekValue> interviewsPerWeek;
    std::vector<WeekValue> kmPerWeek; ///< cumulative
    std::vector<SessionCount> sessions;
};
struct KeyFigure {
    std::string label, value;
};
struct IndicatorsView {
    NavView nav;
    std::string title, note;
    std::vector<KeyFigure> figures;
    BarChartData interviewsChart, sessionsChart;
    LineChartData kmChart;
};
[[nodiscard]] IndicatorsView evaluateIndicators(const IndicatorsData& data, Lang lang);
void drawIndicators(const IndicatorsView& view, DrawContext& ctx);

// ---------------------------------------------------------------- PIN (app/include/app/shell.hpp)
/// The most digits the PIN keypad takes (the store accepts longer passphrases from scripts).
inline constexpr std::size_t kMaxPinDigits = 12;
struct PinModel {
    /// What the digits typed are for.
    enum class Mode { Unlock, Create, Confirm, ChangeOld, ChangeNew, ChangeConfirm };
    Mode mode = Mode::Unlock;
    std::string entered; ///< digits typed (wiped after use)
    std::string message; ///< translated
    bool messageIsError = false;
    bool checking = false;     ///< OK was tapped: the check runs once "Checking…" has been shown
    bool confirmReset = false; ///< "forgotten PIN" asks before erasing
    std::int64_t unsynced = 0; ///< records not yet sent, for the reset question (-1 = unknown)
};
struct PinView {
    std::string title, prompt, message, forgot, erase, ok, cancel;
    int digits = 0; ///< how many digits are typed (shown as dots, never as digits)
    std::string resetTitle, resetIntro, resetLost, resetAfter, resetConfirm;
    bool messageIsError = false, canType = false, canSubmit = false, showForgot = false, showCancel = false;
    bool confirmReset = false, checking = false;
    double waitSeconds = 0; ///< > 0: the keypad waits this long after too many wrong PINs
};
/// `waitSeconds` > 0 while wrong PINs keep the keypad waiting.
[[nodiscard]] PinView evaluatePin(const PinModel& model, Lang lang, double waitSeconds);
void drawPin(const PinView& view, DrawContext& ctx);

/// "1 590" / "1,590": thousands grouped the way the language writes them.
[[nodiscard]] std::string groupThousands(long long value, Lang lang);
/// "+33612345678" -> "+33 6 12 34 56 78" (other numbers as they are).
[[nodiscard]] std::string displayPhone(const std::string& e164);
/// "2026-12-03" -> "03/12/2026" (fr) or "2026-12-03" (en).
[[nodiscard]] std::string displayDate(const std::string& iso, Lang lang);
/// Every ISO date or date-time inside `text` written the way `lang` reads it: "Atelier – 2026-12-06"
/// -> "Atelier – 06/12/2026", "2026-12-06T18:47" -> "06/12/2026 18:47" (a UTC instant "…Z" in local
/// time); English keeps the ISO date, with a space before the time.
[[nodiscard]] std::string displayDatesIn(const std::string& text, Lang lang);

/// Français / English, as two toggles (first run and settings).
void drawLanguageToggles(Lang current, DrawContext& ctx);
/// The tab bar at the bottom of the main screens.
void drawNav(const NavView& nav, DrawContext& ctx);
[[nodiscard]] NavView navView(Screen current, Lang lang);

} // namespace carnet::app
