// The PIN screen and the lock (docs/security.md, "The PIN screen"), driven through ImGui input: keys
// are found by label or id and pressed where they are drawn; what matters is read back from the store.
#include "app/shell.hpp"
#include "headless_imgui.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;

namespace {

constexpr const char* kPin = "135792";

// A device whose store has a PIN (cheap argon2id limits, kept with the key) and a user name.
void makeEncryptedStore(const std::filesystem::path& dir) {
    store::StoreOptions o;
    o.pin = kPin;
    o.kdf = store::KdfLimits::fastest();
    auto s = store::Store::open(dir, o);
    REQUIRE(s.ok());
    REQUIRE(s->setSetting("user_name", "Awa").ok());
}

std::string allBytes(const std::filesystem::path& dir) {
    std::string out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

struct Device {
    test::TempDir tmp;
    std::filesystem::path dir = tmp.path() / "data";
    double t = 1000; ///< the shell's monotonic clock, moved by the tests
    std::unique_ptr<AppShell> shell;
    HeadlessImGui ui{800, 1280};
    HeadlessImGui::Draw draw = [this](DrawContext& ctx) { shell->draw(ctx); };

    AppOptions options() const {
        AppOptions o;
        o.dataDir = dir;
        o.formsDir = std::string(CARNET_SOURCE_DIR) + "/assets/forms";
        o.lang = Lang::Fr;
        o.kdf = store::KdfLimits::fastest();
        return o;
    }
    void start(std::optional<std::string> pin = std::nullopt) {
        AppOptions o = options();
        o.pin = pin;
        LockOptions lock;
        lock.now = [this] { return t; };
        auto s = AppShell::start(o, lock);
        INFO((s.ok() ? std::string() : s.error().message));
        REQUIRE(s.ok());
        shell = std::move(*s);
    }
    void tap(const std::string& id) {
        ui.look(draw);
        for (int k = 0; k < 12 && !ui.find(id); ++k) { // scrolls down to it, as a finger does
            shell->apply(ui.drag(400, 900, -300, draw));
            ui.settle(draw);
        }
        INFO("target " << id);
        REQUIRE(ui.find(id));
        shell->apply(ui.tap(id, draw));
    }
    /// Types `pin` on the keypad and taps OK; the check runs on the frame after "Checking…".
    void typePin(const std::string& pin) {
        for (char c : pin)
            tap(std::string("pin.") + c);
        tap("pin.ok");
        shell->apply(ui.frame(draw));
        shell->apply(ui.frame(draw));
    }
    PinView pinView() const { return evaluatePin(shell->pinModel(), Lang::Fr, 0); }
};

} // namespace

TEST_CASE("an encrypted store starts on the PIN screen: a wrong PIN opens nothing, the right one opens home",
          "[app][lock]") {
    Device d;
    makeEncryptedStore(d.dir);
    d.start();
    REQUIRE(d.shell->locked());
    REQUIRE(d.shell->app() == nullptr);
    d.ui.look(d.draw);
    for (const char* key : {"pin.0", "pin.1", "pin.5", "pin.9", "pin.erase", "pin.ok", "pin.forgot"}) {
        INFO(key);
        auto t = d.ui.find(key);
        REQUIRE(t);
        CHECK(t->w >= 48.0f);
        CHECK(t->h >= 48.0f);
    }
    CHECK(d.pinView().title == "Carnet est verrouillé");

    d.typePin("000000");
    CHECK(d.shell->app() == nullptr);
    CHECK(d.shell->pinModel().message == "Code PIN incorrect.");
    CHECK(d.shell->pinModel().messageIsError);
    CHECK(d.shell->pinModel().entered.empty());

    // A digit typed then erased is not part of the PIN.
    d.tap("pin.4");
    d.tap("pin.erase");
    d.typePin(kPin);
    REQUIRE(d.shell->app() != nullptr);
    CHECK_FALSE(d.shell->locked());
    CHECK(d.shell->app()->screen() == Screen::Home);
    CHECK(d.shell->app()->store().encrypted());
    d.ui.look(d.draw);
    CHECK_FALSE(d.ui.find("pin.ok"));
}

TEST_CASE("wrong PINs in a row make the keypad wait, on the injected clock", "[app][lock]") {
    Device d;
    makeEncryptedStore(d.dir);
    d.start();
    for (int k = 0; k < 3; ++k)
        d.typePin("000000");
    CHECK(d.shell->app() == nullptr);
    // The third wrong PIN: 30 s during which digits are refused, said plainly.
    const PinView waiting = evaluatePin(d.shell->pinModel(), Lang::Fr, 30);
    CHECK(waiting.message == "Trop d’essais : réessayez dans 30 s.");
    CHECK_FALSE(waiting.canType);
    d.tap("pin.1");
    CHECK(d.shell->pinModel().entered.empty());
    d.t += 31;
    d.typePin(kPin);
    CHECK(d.shell->app() != nullptr);
}

TEST_CASE("a first start chooses the PIN, typed twice, and sets encryption up", "[app][lock]") {
    Device d;
    d.start();
    CHECK(d.pinView().title == "Choisissez un code PIN");
    d.ui.look(d.draw);
    CHECK_FALSE(d.ui.find("pin.forgot")); // nothing to forget yet
    d.typePin("246810");
    CHECK(d.pinView().title == "Confirmez le code PIN");
    d.typePin("246811");
    CHECK(d.shell->app() == nullptr);
    CHECK(d.shell->pinModel().message == "Les deux codes ne sont pas les mêmes : recommencez.");
    CHECK(d.pinView().title == "Choisissez un code PIN");
    d.typePin("246810");
    d.typePin("246810");
    REQUIRE(d.shell->app() != nullptr);
    CHECK(d.shell->app()->store().encrypted());
    CHECK(d.shell->app()->screen() == Screen::FirstRun);
    d.shell.reset();
    CHECK(*store::Store::needsPin(d.dir));
    store::StoreOptions o;
    o.pin = "246810";
    CHECK(store::Store::open(d.dir, o).ok());
}

TEST_CASE("after 5 minutes in the background the app saves what is typed, forgets the key and asks the PIN",
          "[app][lock]") {
    Device d;
    makeEncryptedStore(d.dir);
    d.start(kPin);
    REQUIRE(d.shell->openScreen("form:door_to_door").ok());
    const std::string id = d.shell->app()->formModel().recordId;
    std::weak_ptr<const store::DataKey> key = d.shell->app()->store().dataKey();
    REQUIRE_FALSE(key.expired());
    const std::string typed = "12 rue Zéphyrine";
    d.tap("input.adresse");
    d.shell->apply(d.ui.type(typed, d.draw));
    d.shell->apply(d.ui.frame(d.draw));

    REQUIRE(d.shell->enterBackground().ok());
    d.t += 299;
    CHECK_FALSE(d.shell->tick());
    CHECK(d.shell->app() != nullptr);
    d.t += 1;
    CHECK(d.shell->tick());
    CHECK(d.shell->locked());
    CHECK(d.shell->app() == nullptr);
    CHECK(key.expired()); // no connection holds the data key any more: its memory was wiped and freed
    d.shell->enterForeground();
    d.ui.look(d.draw);
    CHECK(d.ui.find("pin.ok"));

    // What was typed is on disk, sealed (the door's address is personal): only the PIN reads it back.
    CHECK(allBytes(d.dir).find(typed) == std::string::npos);
    {
        store::StoreOptions o;
        o.pin = kPin;
        auto s = store::Store::open(d.dir, o);
        REQUIRE(s.ok());
        auto rec = s->get(id);
        REQUIRE(rec.ok());
        CHECK(rec->answers.value("adresse", "") == typed);
    }
    // The PIN again: back on the same record.
    d.typePin(kPin);
    REQUIRE(d.shell->app() != nullptr);
    CHECK(d.shell->app()->screen() == Screen::Form);
    CHECK(d.shell->app()->formModel().recordId == id);
}

TEST_CASE("5 minutes without a touch lock the app too, and a touch counts the time again", "[app][lock]") {
    Device d;
    makeEncryptedStore(d.dir);
    d.start(kPin);
    CHECK(d.shell->secondsUntilLock() == Approx(300));
    d.t += 200;
    d.shell->noteInput();
    d.t += 200;
    CHECK_FALSE(d.shell->tick());
    CHECK(d.shell->secondsUntilLock() == Approx(100));
    d.t += 100;
    CHECK(d.shell->tick());
    CHECK(d.shell->app() == nullptr);
    CHECK(d.shell->secondsUntilLock() < 0); // nothing left to lock
}

TEST_CASE("a store without a PIN (--no-pin) never shows the PIN screen nor locks", "[app][lock]") {
    Device d;
    AppOptions o = d.options();
    LockOptions lock;
    lock.noPin = true;
    lock.now = [&d] { return d.t; };
    auto s = AppShell::start(o, lock);
    REQUIRE(s.ok());
    d.shell = std::move(*s);
    REQUIRE(d.shell->app() != nullptr);
    d.t += 3600;
    CHECK_FALSE(d.shell->tick());
    CHECK(d.shell->app() != nullptr);
}

TEST_CASE("PIN oublié says how many records would be lost, asks, then resets the device", "[app][lock]") {
    Device d;
    makeEncryptedStore(d.dir);
    {
        // Two records waiting to be sent.
        d.start(kPin);
        REQUIRE(d.shell->openScreen("form:door_to_door").ok());
        REQUIRE(d.shell->openScreen("form:door_to_door").ok());
        d.shell.reset();
    }
    const auto waiting = store::Store::unsyncedRecords(d.dir);
    REQUIRE(waiting.ok());
    REQUIRE(*waiting >= 2);
    d.start();
    d.tap("pin.forgot");
    CHECK(d.shell->pinModel().confirmReset);
    const PinView v = d.pinView();
    CHECK(v.resetLost == std::to_string(*waiting) + " fiche(s) pas encore envoyée(s) au serveur seront perdues.");
    d.ui.look(d.draw);
    CHECK_FALSE(d.ui.find("pin.ok")); // the question replaces the keypad

    // "Annuler" keeps everything.
    d.tap("pin.reset_cancel");
    CHECK_FALSE(d.shell->pinModel().confirmReset);
    CHECK(*store::Store::needsPin(d.dir));

    d.tap("pin.forgot");
    d.tap("pin.reset");
    CHECK_FALSE(std::filesystem::exists(d.dir / "carnet.db"));
    CHECK_FALSE(*store::Store::needsPin(d.dir));
    CHECK(d.shell->pinModel().message == "La tablette a été remise à zéro. Choisissez un nouveau code PIN.");
    CHECK(d.pinView().title == "Choisissez un code PIN");
    d.typePin("802468");
    d.typePin("802468");
    REQUIRE(d.shell->app() != nullptr);
    CHECK(d.shell->app()->screen() == Screen::FirstRun); // a new device: name, then the coordinator's login
    CHECK(*store::Store::unsyncedRecords(d.dir) == 0);
}

TEST_CASE("changing the PIN from the settings re-seals the key: the new PIN opens, the old does not", "[app][lock]") {
    Device d;
    makeEncryptedStore(d.dir);
    d.start(kPin);
    REQUIRE(d.shell->openScreen("settings").ok());
    d.tap("settings.change_pin");
    CHECK(d.shell->locked());
    CHECK(d.pinView().title == "Changer le code PIN");
    d.typePin("000000"); // not the current PIN: said at the end, nothing changed
    d.typePin("975310");
    d.typePin("975310");
    CHECK(d.shell->pinModel().message == "Code PIN incorrect.");
    CHECK(d.pinView().prompt == "Tapez le code PIN actuel.");
    d.typePin(kPin);
    d.typePin("975310");
    d.typePin("975310");
    CHECK_FALSE(d.shell->locked());
    CHECK(d.shell->app()->screen() == Screen::Settings);
    d.shell.reset();
    store::StoreOptions o;
    o.pin = kPin;
    CHECK_FALSE(store::Store::open(d.dir, o).ok());
    o.pin = "975310";
    CHECK(store::Store::open(d.dir, o).ok());
}
