#include "app/shell.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sodium.h>

namespace carnet::app {

namespace {

// Wrong PINs in a row before the keypad waits, and how long it waits then (doubling, capped). Each
// check already costs one argon2id derivation (about a second on a tablet).
constexpr int kFreeTries = 3;
constexpr double kFirstWaitSeconds = 30;
constexpr double kLongestWaitSeconds = 900;

bool isPinIntent(Intent::Kind kind) {
    using K = Intent::Kind;
    return kind == K::PinDigit || kind == K::PinErase || kind == K::PinSubmit || kind == K::PinForgot ||
           kind == K::PinReset || kind == K::ChangePin;
}

} // namespace

AppShell::AppShell(AppOptions options, LockOptions lock)
    : m_options(std::move(options))
    , m_lock(std::move(lock)) {}

AppShell::~AppShell() {
    wipe(m_first);
    wipe(m_oldPin);
    wipe(m_pin.entered);
}

Result<std::unique_ptr<AppShell>> AppShell::start(AppOptions options, LockOptions lock) {
    std::unique_ptr<AppShell> shell(new AppShell(std::move(options), std::move(lock)));
    AppOptions& o = shell->m_options;
    if (o.lang) shell->m_lang = *o.lang;
    shell->m_lastInput = shell->now();
    if (o.pin || shell->m_lock.noPin) {
        // Scripts and tests: the PIN on standard input (or none at all), no screen to type it on.
        auto app = AppState::open(o);
        if (o.pin) shell->wipe(*o.pin);
        o.pin.reset();
        if (!app.ok()) return app.error();
        shell->m_app = std::move(*app);
        shell->resumeApp();
        return shell;
    }
    auto needs = store::Store::needsPin(o.dataDir);
    if (!needs.ok()) return needs.error();
    shell->m_pin.mode = *needs ? PinModel::Mode::Unlock : PinModel::Mode::Create;
    return shell;
}

double AppShell::now() const {
    if (m_lock.now) return m_lock.now();
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void AppShell::wipe(std::string& secret) {
    if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
    secret.clear();
}

void AppShell::draw(DrawContext& ctx) {
    if (m_app && !m_changing) {
        m_app->draw(ctx);
        return;
    }
    ctx.scale = uiScale();
    ctx.highContrast = highContrast();
    m_checkShown = m_pin.checking; // "Checking…" is on screen: the next apply runs the check
    const double wait = std::max(0.0, m_waitUntil - now());
    drawPin(evaluatePin(m_pin, m_app ? m_app->lang() : m_lang, wait), ctx);
}

void AppShell::apply(const std::vector<Intent>& intents) {
    if (m_pin.checking && m_checkShown) check();
    if (!intents.empty()) noteInput();
    std::vector<Intent> forApp;
    for (const Intent& i : intents) {
        if (isPinIntent(i.kind))
            applyPin(i);
        else if (m_app && !m_changing)
            forApp.push_back(i);
    }
    if (m_app && !forApp.empty()) m_app->apply(forApp);
}

void AppShell::applyPin(const Intent& i) {
    using K = Intent::Kind;
    using Mode = PinModel::Mode;
    const bool onPinScreen = !m_app || m_changing;
    const bool waiting = m_waitUntil > now();
    switch (i.kind) {
    case K::PinDigit:
        if (!onPinScreen || m_pin.checking || waiting || m_pin.entered.size() >= kMaxPinDigits) break;
        if (i.text.size() == 1 && i.text[0] >= '0' && i.text[0] <= '9') {
            m_pin.entered += i.text;
            m_pin.message.clear();
        }
        break;
    case K::PinErase:
        if (!onPinScreen || m_pin.checking || m_pin.entered.empty()) break;
        m_pin.entered.back() = '\0';
        m_pin.entered.pop_back();
        break;
    case K::PinSubmit:
        if (!onPinScreen || m_pin.checking || waiting || m_pin.entered.size() < store::kMinPinLength) break;
        if (m_pin.mode == Mode::Unlock || m_pin.mode == Mode::Confirm || m_pin.mode == Mode::ChangeConfirm) {
            // argon2id takes a moment: "Checking…" is drawn first, the check runs at the next apply.
            m_pin.checking = true;
            m_checkShown = false;
        } else {
            check();
        }
        break;
    case K::PinForgot:
        if (m_app || m_pin.mode != Mode::Unlock) break;
        m_pin.confirmReset = i.flag;
        if (i.flag) {
            // Counted without the key: the outbox's record ids are not sealed.
            auto n = store::Store::unsyncedRecords(m_options.dataDir);
            m_pin.unsynced = n.ok() ? *n : -1;
        }
        break;
    case K::PinReset: {
        if (m_app || !m_pin.confirmReset) break;
        auto r = store::Store::reset(m_options.dataDir);
        const Lang lang = m_lang;
        wipe(m_pin.entered);
        m_pin = PinModel{};
        if (r.ok()) {
            m_pin.mode = Mode::Create;
            m_pin.message = tr("app.pin.reset_done", lang);
            m_failures = 0;
            m_waitUntil = 0;
            m_resumeScreen.clear();
        } else {
            m_pin.message = r.error().message;
            m_pin.messageIsError = true;
        }
        break;
    }
    case K::ChangePin:
        if (i.flag && m_app && !m_changing && m_app->store().encrypted()) {
            m_changing = true;
            m_pin = PinModel{};
            m_pin.mode = Mode::ChangeOld;
        } else if (!i.flag && m_changing) {
            m_changing = false;
            wipe(m_pin.entered);
            wipe(m_oldPin);
            wipe(m_first);
            m_pin = PinModel{};
        }
        break;
    default:
        break;
    }
}

void AppShell::check() {
    using Mode = PinModel::Mode;
    m_pin.checking = false;
    m_checkShown = false;
    std::string entered = m_pin.entered;
    wipe(m_pin.entered);
    m_pin.message.clear();
    m_pin.messageIsError = false;
    const Lang lang = m_app ? m_app->lang() : m_lang;
    switch (m_pin.mode) {
    case Mode::Unlock:
        unlock(entered);
        break;
    case Mode::Create:
        m_first = entered;
        m_pin.mode = Mode::Confirm;
        break;
    case Mode::Confirm:
        if (entered == m_first) {
            unlock(entered); // the first open with a PIN sets encryption up
        } else {
            m_pin.mode = Mode::Create;
            m_pin.message = tr("app.pin.mismatch", lang);
            m_pin.messageIsError = true;
        }
        wipe(m_first);
        break;
    case Mode::ChangeOld:
        m_oldPin = entered;
        m_pin.mode = Mode::ChangeNew;
        break;
    case Mode::ChangeNew:
        m_first = entered;
        m_pin.mode = Mode::ChangeConfirm;
        break;
    case Mode::ChangeConfirm:
        if (entered == m_first) {
            changePin(entered);
        } else {
            m_pin.mode = Mode::ChangeNew;
            m_pin.message = tr("app.pin.mismatch", lang);
            m_pin.messageIsError = true;
        }
        wipe(m_first);
        break;
    }
    wipe(entered);
}

void AppShell::unlock(const std::string& pin) {
    AppOptions o = m_options;
    o.pin = pin;
    auto app = AppState::open(o);
    wipe(*o.pin);
    if (!app.ok()) {
        // A wrong PIN is the store's Invalid; anything else (a full disk, a damaged file) says itself.
        if (app.error().code == ErrorCode::Invalid && m_pin.mode == PinModel::Mode::Unlock) {
            wrongPin(tr("app.pin.wrong", m_lang));
        } else {
            m_pin.message = app.error().message;
            m_pin.messageIsError = true;
        }
        return;
    }
    m_failures = 0;
    m_waitUntil = 0;
    m_app = std::move(*app);
    m_pin = PinModel{};
    resumeApp();
}

void AppShell::changePin(const std::string& newPin) {
    auto r = m_app->store().changePin(m_oldPin, newPin);
    wipe(m_oldPin);
    if (!r.ok()) {
        m_pin.mode = PinModel::Mode::ChangeOld;
        if (r.error().code == ErrorCode::Invalid) {
            wrongPin(tr("app.pin.wrong", m_app->lang()));
        } else {
            m_pin.message = r.error().message;
            m_pin.messageIsError = true;
        }
        return;
    }
    m_failures = 0;
    m_changing = false;
    m_pin = PinModel{};
}

void AppShell::wrongPin(const std::string& message) {
    ++m_failures;
    m_pin.message = message;
    m_pin.messageIsError = true;
    if (m_failures >= kFreeTries) {
        const double wait = std::min(
            kLongestWaitSeconds, kFirstWaitSeconds * static_cast<double>(1 << std::min(m_failures - kFreeTries, 10)));
        m_waitUntil = now() + wait;
    }
}

void AppShell::resumeApp() {
    m_app->setDensity(m_density);
    if (m_wake) m_app->setWake(m_wake);
    m_lang = m_app->lang();
    m_lastInput = now();
    const std::string spec = std::exchange(m_resumeScreen, std::string());
    if (spec.rfind("record:", 0) == 0) {
        Intent open;
        open.kind = Intent::Kind::OpenRecord;
        open.id = spec.substr(7);
        m_app->apply({open}); // the draft reopens at its page, with what was being typed
    } else if (!spec.empty()) {
        if (auto r = m_app->openScreen(spec); !r.ok()) std::fprintf(stderr, "%s\n", r.error().message.c_str());
    }
}

Result<void> AppShell::lock() {
    if (!m_app || !m_app->store().encrypted()) return {};
    m_lang = m_app->lang();
    m_textScale = m_app->textScale();
    m_highContrast = m_app->highContrast();
    switch (m_app->screen()) {
    case Screen::Form:
        m_resumeScreen = m_app->formModel().recordId.empty() ? "" : "record:" + m_app->formModel().recordId;
        break;
    case Screen::Home:
        m_resumeScreen = "home";
        break;
    case Screen::Records:
        m_resumeScreen = "records";
        break;
    case Screen::Settings:
        m_resumeScreen = "settings";
        break;
    case Screen::WalkLists:
        m_resumeScreen = "walk";
        break;
    case Screen::CallQueue:
        m_resumeScreen = "calls";
        break;
    case Screen::Indicators:
        m_resumeScreen = "indicators";
        break;
    case Screen::Contact:
        m_resumeScreen = "contact:" + m_app->contactModel().personId;
        break;
    case Screen::FirstRun:
        m_resumeScreen.clear();
        break;
    }
    // What is being typed reaches the disk first (a value the form refuses stays in its field's typing
    // row, sealed, and comes back after the unlock).
    auto saved = m_app->suspend();
    // The store and the sync worker's connection hold the only references to the data key: closing
    // them frees it (sodium_free wipes it). A running sync finishes first.
    m_app.reset();
    m_changing = false;
    wipe(m_pin.entered);
    wipe(m_first);
    wipe(m_oldPin);
    m_pin = PinModel{};
    m_pin.mode = PinModel::Mode::Unlock;
    return saved;
}

bool AppShell::tick() {
    if (!m_app || !m_app->store().encrypted() || secondsUntilLock() > 0) return false;
    if (auto r = lock(); !r.ok()) std::fprintf(stderr, "lock: %s\n", r.error().message.c_str());
    return true;
}

double AppShell::secondsUntilLock() const {
    if (!m_app || !m_app->store().encrypted()) return -1;
    const double since = m_backgroundAt >= 0 ? m_backgroundAt : m_lastInput;
    return std::max(0.0, since + m_lock.lockAfterSeconds - now());
}

void AppShell::noteInput() {
    m_lastInput = now();
}

Result<void> AppShell::enterBackground() {
    if (m_backgroundAt < 0) m_backgroundAt = now();
    return suspend();
}

void AppShell::enterForeground() {
    tick(); // away long enough: the PIN screen is what shows
    m_backgroundAt = -1;
    m_lastInput = now();
}

Result<void> AppShell::suspend() {
    if (!m_app) return {};
    return m_app->suspend();
}

Result<void> AppShell::openScreen(const std::string& spec) {
    if (m_app && !m_changing) return m_app->openScreen(spec);
    m_resumeScreen = spec;
    return {};
}

void AppShell::setDensity(float density) {
    m_density = density;
    if (m_app) m_app->setDensity(density);
}

float AppShell::uiScale() const {
    return m_app ? m_app->uiScale() : m_textScale * m_density;
}

bool AppShell::highContrast() const {
    return m_app ? m_app->highContrast() : m_highContrast;
}

void AppShell::setWake(std::function<void()> wake) {
    m_wake = wake;
    if (m_app) m_app->setWake(std::move(wake));
}

bool AppShell::fontsDirty() const {
    return m_fontScale != uiScale() || (m_app && m_app->fontsDirty());
}

void AppShell::fontsRebuilt() {
    m_fontScale = uiScale();
    if (m_app) m_app->fontsRebuilt();
}

} // namespace carnet::app
