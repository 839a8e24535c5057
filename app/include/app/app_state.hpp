#pragma once
// The app's state: the store, the settings and the models of the screens. A frame drains pending
// work, evaluates the current screen, draws it, then applies the intents.

#include "app/audio.hpp"
#include "app/images.hpp"
#include "app/location.hpp"
#include "app/screens.hpp"
#include "app/sync_worker.hpp"
#include "app/ui.hpp"
#include "core/clock.hpp"
#include "field/campaign.hpp"
#include "field/model.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace carnet::app {

/// How the app is started.
struct AppOptions {
    std::filesystem::path dataDir;
    std::filesystem::path formsDir; ///< forms installed when the store has none (demo campaign)
    std::optional<Lang> lang;       ///< overrides the saved language
    bool demo = false;              ///< seed the demo campaign into an empty store (`make run`)
    std::string today;              ///< "YYYY-MM-DD" overriding the clock (tests, screenshots); "" = today
    clock::Source clock;            ///< where "now" comes from (tests fix it); empty = the system clock
    /// Unlocks an encrypted store, or sets encryption up on one without (docs/security.md).
    std::optional<std::string> pin = std::nullopt;
    /// argon2id cost when the PIN sets encryption up (tests: KdfLimits::fastest()); empty = the tablet's.
    std::optional<store::KdfLimits> kdf = std::nullopt;
    /// The microphone and loudspeaker (app/main.cpp's SdlAudio; not owned). None: an audio question
    /// takes a file of the media folder, as a photo does.
    AudioDevice* audio = nullptr;
    /// Makes textures of the images shown with labels (app/main.cpp's over OpenGL; not owned). None:
    /// images are decoded and drawn as their frame (tests).
    TextureMaker* textures = nullptr;
    /// Where the device is (not owned): geopoint, geotrace and geoshape questions take its position
    /// with a button. None: points are typed.
    LocationSource* location = nullptr;
    /// The folder a video or photo question (an audio one without a microphone) picks its file from
    /// (`--media-dir`); empty: the platform's photo and video folder (platform::mediaDirectory()).
    std::filesystem::path mediaDir;
    /// The largest file such a question takes (the store copies it in chunks, so this bounds the disk
    /// it takes, not the memory).
    std::uint64_t maxFileBytes = kMaxFileBytes;
    static constexpr std::uint64_t kMaxFileBytes = 500'000'000;
};

/// The whole app, without a window.
class AppState {
public:
    /// Opens the store; installs the demo campaign's forms when it has none.
    static Result<std::unique_ptr<AppState>> open(const AppOptions& options);
    /// A recording in progress is saved.
    ~AppState();
    AppState(const AppState&) = delete;
    AppState& operator=(const AppState&) = delete;

    /// Evaluates and draws the current screen (inside an ImGui frame), collecting intents.
    void draw(DrawContext& ctx);
    /// Applies intents: store writes, navigation, settings.
    void apply(const std::vector<Intent>& intents);
    /// The app goes to the background or is ending (SDL_APP_WILLENTERBACKGROUND, SDL_APP_TERMINATING):
    /// Android and iOS may kill it next without warning, so what is being typed is saved and the
    /// store's write-ahead log checkpointed into the database file.
    Result<void> suspend();

    /// Opens a screen directly (screenshots, tests): "home", "records", "settings", "form:FORM_ID",
    /// "walk" (the walk lists), "walk:ID" or "walk:first" (a walk list, its first door open),
    /// "calls", "calls:first" (the first call open), "contact:ID" or "contact:first", "indicators".
    Result<void> openScreen(const std::string& spec);

    [[nodiscard]] Screen screen() const { return m_screen; }
    [[nodiscard]] Lang lang() const { return m_lang; }
    [[nodiscard]] float textScale() const { return m_textScale; }
    /// Screen density: physical pixels per density-independent pixel (dpi / 160, Android's dp).
    void setDensity(float density) { m_density = density; }
    /// The factor every size is drawn at: the user's text size times the screen density, so that a
    /// 48 dp target is 48 px at 160 dpi and 96 px at 320 dpi.
    [[nodiscard]] float uiScale() const { return m_textScale * m_density; }
    [[nodiscard]] bool highContrast() const { return m_highContrast; }
    [[nodiscard]] const FormModel& formModel() const { return m_form; }
    [[nodiscard]] const WalkListModel& walkModel() const { return m_walk; }
    [[nodiscard]] const CallQueueModel& callModel() const { return m_calls; }
    [[nodiscard]] const ContactModel& contactModel() const { return m_contact; }
    [[nodiscard]] const field::Campaign& campaign() const { return m_campaign; }
    /// What the screens show, gathered from the store by the field library (tests check them).
    WalkListData walkListData();
    /// The walk list the Doors tab opens: the last one opened (kept in the store), else the first.
    std::string currentWalkList();
    CallQueueData callQueueData();
    ContactData contactData();
    IndicatorsData indicatorsData();
    /// The device's date, "YYYY-MM-DD" (AppOptions::today when set).
    [[nodiscard]] std::string today() const;
    /// Now as an ISO 8601 UTC instant ("2026-03-10T23:30:00Z"): the stamp of field events.
    [[nodiscard]] std::string nowIso() const;
    [[nodiscard]] store::Store& store() { return m_store; }
    /// Called from the sync worker's thread when it has news: the UI loop wakes up and draws.
    void setWake(std::function<void()> wake) { m_wake = std::move(wake); }
    /// The background sync/login worker (tests wait on it).
    [[nodiscard]] SyncWorker& worker() { return m_worker; }
    /// How long a door outcome can be undone.
    static constexpr double kUndoSeconds = 5.0;
    /// The app's monotonic clock, in seconds (undo deadlines).
    [[nodiscard]] double clock() const;
    /// Moves the clock forward (tests: an undo that expired).
    void advanceClock(double seconds) { m_clockOffset += seconds; }
    /// True when the font atlas must be rebuilt (text size changed).
    [[nodiscard]] bool fontsDirty() const { return m_fontsDirty; }
    void fontsRebuilt() { m_fontsDirty = false; }

private:
    AppState(store::Store store, std::filesystem::path dataDir);
    void pollWorker();
    HomeData homeData();
    std::vector<RecordRow> recordRows();
    /// A record's name for people: its form's instance_name, after the name of the person it is about
    /// (a call script, an interview); "" when it has none. Cached until the record changes.
    std::string recordName(const store::Record& summary);
    /// Who an open record is about, said under its title: "Vous appelez Awa Diallo · +33 6 …" for a call
    /// script, "Personne : Awa Diallo" for another record with a person_id; "" for none.
    std::string subjectOf(const store::Record& rec);
    /// The instance name of one record read whole (answers opened).
    std::string instanceNameOf(std::string_view recordId);
    void startForm(const std::string& formId);
    void openRecord(const std::string& id);
    /// The setting that keeps the ambassador code of the account the tablet is paired with
    /// ("ambassador_code.awa"; "ambassador_code" when unpaired).
    [[nodiscard]] std::string ambassadorCodeSetting();
    /// The open record's form session, reloaded only when the store's stamp moved (a save here, a pull
    /// by the sync worker's connection); nullptr when the record cannot be read.
    forms::Session* openSession();
    void setText(const std::string& path, const std::string& text);
    bool commitEdits();
    /// Opens `page` of the record at its top (or with `focus` on screen and highlighted).
    void enterPage(int page, const std::string& focus = {});
    /// Decides the messages under the questions of the current page (their space is then kept).
    void freezeMessages();
    /// Keeps what is being typed in the store, so that a crash loses nothing.
    void saveTyping();
    /// Puts back what was being typed when the app stopped, saving it as answers where it is valid.
    void restoreTyping();
    const std::vector<field::RecordView>& views();
    void doorOutcome(const std::string& dwellingId, const std::string& outcome, bool confirmed);
    void undoOutcome();
    void callOutcome(const std::string& taskId, const std::string& outcome);
    void openContact(const std::string& personId);
    /// Audio questions: a recording takes what the microphone captured at each frame (the loop wakes
    /// four times a second while recording or playing, and sleeps otherwise).
    void startRecording(const std::string& path);
    void playRecording(const std::string& path);
    void pollAudio(DrawContext& ctx);
    /// Ends the recording (saved as a WAV attachment, the answer naming it) or the playing.
    void stopAudio();
    /// Plays a label's audio prompt, the media file `file` (`key`: the question, or "question.choice").
    void playPrompt(const std::string& key, const std::string& file);
    /// Fills `view.images` with the images its labels show: decoded from the form's media files once,
    /// made textures, kept for the form open (freed when another form opens).
    void labelImages(const forms::Form& form, FormScreenView& view);
    void freeImages();
    /// A geopoint takes the device's position; a geotrace or geoshape gets it as its next vertex (kept
    /// as typed text until it has enough points to be an answer: 2 for a line, 3 for a shape, closed
    /// by the engine when saved).
    void addPosition(const std::string& path);
    /// Writes what was captured and not written yet to the recording's file, when it is half a second
    /// or more (`all`: whatever there is).
    void flushRecording(bool all);
    /// The file picker: lists the media folder's files of the question's kind (OpenFilePicker), and
    /// copies the one tapped into the store as the question's attachment (AttachFile).
    void openFilePicker(const std::string& path);
    void attachFile(const std::string& path, const std::string& file);
    /// Fills m_form.attached for the file answers of the page shown (from the store, cached).
    void describeAttached(const forms::FormView& view);
    /// A recording the previous run left unfinished (killed mid-record) becomes its question's answer.
    void recoverRecording();

    store::Store m_store;
    Screen m_screen = Screen::Home;
    Lang m_lang = Lang::Fr;
    float m_textScale = 1.0f;
    float m_density = 1.0f;
    bool m_highContrast = false;
    bool m_fontsDirty = false;
    std::string m_userName;
    FirstRunModel m_firstRun;
    FormModel m_form;
    std::unique_ptr<forms::Session> m_session; ///< the open record's (the app owns it; the store writes)
    store::Store::Stamp m_sessionStamp;        ///< the store's stamp when m_session was read
    std::string m_sessionLang;                 ///< the language m_session and m_form.conflicts are in
    RecordsModel m_records;
    struct CachedName {
        std::string updatedAt, name;
    };
    std::map<std::string, CachedName> m_names; ///< record id -> its name as of its updatedAt
    SettingsModel m_settings;
    WalkListModel m_walk;
    CallQueueModel m_calls;
    ContactModel m_contact;
    field::Campaign m_campaign;
    std::vector<field::RecordView> m_views; ///< the store's records for the field screens (cached)
    bool m_viewsLoaded = false;             ///< false after anything may have written
    std::string m_viewsError;
    Screen m_formBack = Screen::Home; ///< where a form returns when it is left
    clock::Source m_clock;            ///< "now": the system clock, moved to AppOptions::today when set
    std::filesystem::path m_dataDir;
    std::function<void()> m_wake;
    SyncWorker m_worker;
    double m_clockOffset = 0;
    bool m_haveReport = false;
    sync::SyncReport m_report;
    std::string m_loginError;
    AudioDevice* m_audio = nullptr;
    std::string m_recorded;    ///< PCM captured so far (s16le mono at kAudioRate)
    std::string m_audioRecord; ///< the record the recording is an answer of
    std::size_t m_flushed = 0; ///< bytes of m_recorded written to the recording's file
    TextureMaker* m_textures = nullptr;
    LocationSource* m_location = nullptr;
    std::map<std::string, LabelImage> m_images; ///< decoded label images by sha256 (of form m_imagesForm)
    std::string m_imagesForm;
    std::filesystem::path m_mediaDir;
    std::uint64_t m_maxFileBytes = AppOptions::kMaxFileBytes;
};

} // namespace carnet::app
