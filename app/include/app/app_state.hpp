#pragma once
// The app's state: the store, the settings and the models of the screens. A frame drains pending
// work, evaluates the current screen, draws it, then applies the intents.

#include "app/screens.hpp"
#include "app/sync_worker.hpp"
#include "app/ui.hpp"
#include "store/store.hpp"

#include <filesystem>
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
};

/// The whole app, without a window.
class AppState {
public:
    /// Opens the store; installs the demo campaign's forms when it has none.
    static Result<std::unique_ptr<AppState>> open(const AppOptions& options);

    /// Evaluates and draws the current screen (inside an ImGui frame), collecting intents.
    void draw(DrawContext& ctx);
    /// Applies intents: store writes, navigation, settings.
    void apply(const std::vector<Intent>& intents);

    /// Opens a screen directly (screenshots, tests): "home", "records", "settings", "form:FORM_ID".
    Result<void> openScreen(const std::string& spec);

    [[nodiscard]] Screen screen() const { return m_screen; }
    [[nodiscard]] Lang lang() const { return m_lang; }
    [[nodiscard]] float textScale() const { return m_textScale; }
    [[nodiscard]] bool highContrast() const { return m_highContrast; }
    [[nodiscard]] const FormModel& formModel() const { return m_form; }
    [[nodiscard]] store::Store& store() { return m_store; }
    /// Called from the sync worker's thread when it has news: the UI loop wakes up and draws.
    void setWake(std::function<void()> wake) { m_wake = std::move(wake); }
    /// The background sync/login worker (tests wait on it).
    [[nodiscard]] SyncWorker& worker() { return m_worker; }
    /// True when the font atlas must be rebuilt (text size changed).
    [[nodiscard]] bool fontsDirty() const { return m_fontsDirty; }
    void fontsRebuilt() { m_fontsDirty = false; }

private:
    AppState(store::Store store, std::filesystem::path dataDir);
    void pollWorker();
    HomeData homeData();
    std::vector<RecordRow> recordRows();
    void startForm(const std::string& formId);
    void openRecord(const std::string& id);
    void setText(const std::string& path, const std::string& text);
    bool commitEdits();

    store::Store m_store;
    Screen m_screen = Screen::Home;
    Lang m_lang = Lang::Fr;
    float m_textScale = 1.0f;
    bool m_highContrast = false;
    bool m_fontsDirty = false;
    std::string m_userName;
    FirstRunModel m_firstRun;
    FormModel m_form;
    RecordsModel m_records;
    SettingsModel m_settings;
    std::filesystem::path m_dataDir;
    std::function<void()> m_wake;
    SyncWorker m_worker;
    bool m_haveReport = false;
    sync::SyncReport m_report;
    std::string m_loginError;
};

} // namespace carnet::app
