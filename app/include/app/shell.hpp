#pragma once
// The app behind its lock (docs/security.md, "The PIN screen"): the PIN screen until the store is
// unlocked, then the app; locked again after a while in the background or without a touch. Locking
// saves what is being typed, then closes the app's store and its sync worker, so the data key leaves
// memory (sodium_free wipes it); unlocking opens them again where the person was.

#include "app/app_state.hpp"
#include "app/screens.hpp"

#include <functional>
#include <memory>
#include <string>

namespace carnet::app {

/// How the lock behaves.
struct LockOptions {
    /// Seconds in the background, or without any input, before the app locks (issue 18: 5 minutes).
    double lockAfterSeconds = 300;
    /// Monotonic seconds (tests move it; empty = std::chrono::steady_clock).
    std::function<double()> now;
    /// Opens a store without a PIN (tests, screenshots, benchmarks): no PIN screen, never locks.
    bool noPin = false;
};

/// The app with its PIN screen: what the window's loop (app/main.cpp) talks to.
class AppShell {
public:
    /// With AppOptions::pin (--pin-stdin) the store opens now (a wrong PIN is an error); with
    /// LockOptions::noPin it opens without one; otherwise the PIN screen comes first: unlock an
    /// encrypted store, or choose the PIN (typed twice) for a new store or one still in clear.
    static Result<std::unique_ptr<AppShell>> start(AppOptions options, LockOptions lock = {});
    ~AppShell();
    AppShell(const AppShell&) = delete;
    AppShell& operator=(const AppShell&) = delete;

    /// Draws the PIN screen or the app (inside an ImGui frame), collecting intents.
    void draw(DrawContext& ctx);
    /// Applies intents: the PIN screen's own, the rest to the app. Runs a pending PIN check first.
    void apply(const std::vector<Intent>& intents);
    /// The person touched or typed something (resets the idle time).
    void noteInput();
    /// The app left the screen (SDL_APP_WILLENTERBACKGROUND, window minimised or hidden): saves what is
    /// being typed and starts counting the time in the background.
    Result<void> enterBackground();
    /// Back on screen: locks if it stayed away lockAfterSeconds or more.
    void enterForeground();
    /// Locks when the time in the background or without input has passed; true when it locked just now.
    bool tick();
    /// Seconds before tick() would lock (the loop wakes up then); < 0 when nothing is counting.
    [[nodiscard]] double secondsUntilLock() const;
    /// Saves what is being typed and forgets the key: the PIN screen shows until the PIN is typed. An
    /// error says what could not be saved (it stays in its field's typing row and comes back).
    Result<void> lock();
    [[nodiscard]] bool locked() const { return m_app == nullptr || m_changing; }
    /// The unlocked app (nullptr while locked).
    [[nodiscard]] AppState* app() { return m_app.get(); }
    [[nodiscard]] const PinModel& pinModel() const { return m_pin; }
    /// Sent to the app (AppState::suspend) when the system may end the process.
    Result<void> suspend();
    /// Opens a screen (AppState::openScreen), now or right after the unlock.
    Result<void> openScreen(const std::string& spec);

    void setDensity(float density);
    [[nodiscard]] float uiScale() const;
    [[nodiscard]] bool highContrast() const;
    void setWake(std::function<void()> wake);
    [[nodiscard]] bool fontsDirty() const;
    void fontsRebuilt();

private:
    AppShell(AppOptions options, LockOptions lock);
    double now() const;
    void applyPin(const Intent& intent);
    void check();
    void unlock(const std::string& pin);
    void changePin(const std::string& newPin);
    void wrongPin(const std::string& message);
    void wipe(std::string& secret);
    void resumeApp();

    AppOptions m_options;
    LockOptions m_lock;
    std::unique_ptr<AppState> m_app;
    PinModel m_pin;
    bool m_changing = false;   ///< the PIN screen over the unlocked app (changing the PIN)
    bool m_checkShown = false; ///< "Checking…" has been drawn: the check may run
    std::string m_first;       ///< the PIN typed first, waiting for its confirmation (wiped)
    std::string m_oldPin;      ///< changing: the current PIN (wiped)
    int m_failures = 0;        ///< wrong PINs in a row (in memory)
    double m_waitUntil = 0;    ///< no PIN is checked before this (monotonic seconds)
    double m_lastInput = 0;
    double m_backgroundAt = -1; ///< < 0: on screen
    std::string m_resumeScreen; ///< openScreen spec, or "record:ID", to go back to after the unlock
    // What the PIN screen is drawn with while no store is open: the last app's (or the defaults).
    Lang m_lang = Lang::Fr;
    float m_textScale = 1.0f;
    float m_density = 1.0f;
    bool m_highContrast = false;
    float m_fontScale = 0; ///< uiScale the fonts were last built for
    std::function<void()> m_wake;
};

} // namespace carnet::app
