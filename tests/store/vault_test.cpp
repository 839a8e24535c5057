// Encryption at rest (docs/security.md, "What a lost tablet reveals"): personal answers, the server
// token and attachments are unreadable in every file the device keeps, without the PIN.
#include "fixtures.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace carnet;
using namespace carnet::store;
using carnet::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPin = "482913";
constexpr const char* kName = "Quenouille-Marchetti";
constexpr const char* kToken = "tok-9f8e7d6c5b4a39281706";

StoreOptions withPin(std::string pin) {
    StoreOptions o;
    o.pin = std::move(pin);
    o.kdf = KdfLimits::fastest(); // the stored limits are used on every later open
    return o;
}

Store openStore(const TempDir& dir, StoreOptions options) {
    auto s = Store::open(dir.path(), options);
    INFO((s.ok() ? std::string() : s.error().message));
    REQUIRE(s.ok());
    return std::move(*s);
}

std::string fileBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every byte the device keeps: the database, its WAL and shared memory, the attachments.
std::string allBytes(const fs::path& dir) {
    std::string out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out += fileBytes(e.path());
    return out;
}

// A contact: name and phone personal, the count of people not.
std::string contactForm() {
    return R"J({"id": "contact", "version": "1", "title": "Contact", "languages": ["fr"], "default_language": "fr",
      "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "text", "name": "nom", "label": "Nom", "personal": true},
        {"type": "phone", "name": "telephone", "label": "Téléphone", "personal": true},
        {"type": "integer", "name": "personnes", "label": "Personnes"},
        {"type": "repeat", "name": "membres", "label": "Membres",
         "children": [{"type": "text", "name": "prenom", "label": "Prénom", "personal": true}]}]}]})J";
}

struct Written {
    std::string id, phone, photoHash;
};

// A record with a name, a phone number, a member's first name and a count; the token; a photo.
Written writeContact(Store& s, const TempDir& dir) {
    REQUIRE(s.installForm(contactForm()).ok());
    auto id = s.createRecord("contact", "enqueteur");
    REQUIRE(id.ok());
    REQUIRE(s.setAnswer(*id, "nom", kName).ok());
    REQUIRE(s.setAnswer(*id, "telephone", "06 47 83 91 25").ok());
    REQUIRE(s.setAnswer(*id, "personnes", 4).ok());
    REQUIRE(*s.addRepeat(*id, "membres") == 1);
    REQUIRE(s.setAnswer(*id, "membres[1]/prenom", "Zéphyrine").ok());
    REQUIRE(s.setSetting("server_token", kToken).ok());
    const fs::path photo = dir.path() / "photo.txt";
    std::ofstream(photo) << "portrait de " << kName;
    auto a = s.addAttachment(photo);
    REQUIRE(a.ok());
    fs::remove(photo);
    auto rec = s.get(*id);
    REQUIRE(rec.ok());
    return Written{*id, rec->answers["telephone"].get<std::string>(), a->hash};
}

// A visit whose address question is marked personal from `version` 2 on.
std::string addressForm(std::string_view version, bool addressPersonal) {
    return std::string(R"J({"id": "visite", "version": ")J") + std::string(version) +
           R"J(", "title": "Visite", "languages": ["fr"], "default_language": "fr",
      "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "text", "name": "adresse", "label": "Adresse")J" +
           (addressPersonal ? R"J(, "personal": true)J" : "") + R"J(},
        {"type": "integer", "name": "personnes", "label": "Personnes"}]}]})J";
}

} // namespace

TEST_CASE("without the PIN, no personal value, token or photo is readable in the database, WAL or attachments",
          "[store][vault]") {
    SECTION("control: a store without a PIN keeps them in clear (what the scan would find)") {
        TempDir dir;
        Store s = openStore(dir, StoreOptions{});
        const Written w = writeContact(s, dir);
        const std::string bytes = allBytes(dir.path());
        CHECK(bytes.find(kName) != std::string::npos);
        CHECK(bytes.find(w.phone) != std::string::npos);
        CHECK(bytes.find(kToken) != std::string::npos);
    }
    SECTION("with a PIN") {
        TempDir dir;
        Written w;
        {
            Store s = openStore(dir, withPin(kPin));
            REQUIRE(s.encrypted());
            w = writeContact(s, dir);
            // While open: the WAL holds the latest pages.
            REQUIRE(fs::exists(dir.path() / "carnet.db-wal"));
            const std::string open = allBytes(dir.path());
            CHECK(open.find(kName) == std::string::npos);
            CHECK(open.find(w.phone) == std::string::npos);
            CHECK(open.find("Zéphyrine") == std::string::npos);
            CHECK(open.find(kToken) == std::string::npos);
        }
        const std::string closed = allBytes(dir.path());
        CHECK(closed.find(kName) == std::string::npos);
        CHECK(closed.find(w.phone) == std::string::npos);
        CHECK(closed.find("Zéphyrine") == std::string::npos);
        CHECK(closed.find(kToken) == std::string::npos);

        // With the PIN everything reads back, the outbox and the push body in clear.
        Store s = openStore(dir, withPin(kPin));
        auto rec = s.get(w.id);
        REQUIRE(rec.ok());
        CHECK(rec->answers["nom"] == kName);
        CHECK(rec->answers["telephone"] == w.phone);
        CHECK(rec->answers["personnes"] == 4);
        CHECK(rec->answers["membres"][0]["prenom"] == "Zéphyrine");
        CHECK(*s.setting("server_token") == kToken);
        auto push = s.pendingOutboxText(0, 100);
        REQUIRE(push.ok());
        std::string body;
        for (const auto& e : *push)
            body += e.changesText;
        CHECK(body.find(kName) != std::string::npos);
        CHECK(body.find("$sealed") == std::string::npos);
        auto outbox = s.outbox();
        REQUIRE(outbox.ok());
        CHECK(outbox->back().changes["fields"]["membres"][0]["prenom"] == "Zéphyrine");
        auto photo = s.attachmentData(w.photoHash);
        REQUIRE(photo.ok());
        CHECK(*photo == std::string("portrait de ") + kName);
        // What an upload request sends: a range of the content, opened (the file is sealed whole).
        auto range = s.attachmentRange(w.photoHash, 3, 8);
        REQUIRE(range.ok());
        CHECK(*range == std::string("portrait de ").substr(3, 8));
        // An upload reads it range after range (opened once, kept until its last range), then again.
        for (int pass = 0; pass < 2; ++pass) {
            std::string whole;
            for (std::uint64_t at = 0; at < photo->size(); at += 5) {
                auto part = s.attachmentRange(w.photoHash, at, 5);
                REQUIRE(part.ok());
                whole += *part;
            }
            CHECK(whole == *photo);
        }
    }
}

TEST_CASE("indicators and lists need no personal value: clear counts, sealed names", "[store][vault]") {
    TempDir dir;
    Store s = openStore(dir, withPin(kPin));
    const Written w = writeContact(s, dir);
    auto db = Db::open(s.file());
    REQUIRE(db.ok());
    // What an indicator reads straight from the row: the count is plain, the name is sealed.
    auto st = db->prepare("SELECT answers FROM records WHERE id = ?");
    REQUIRE(st.ok());
    st->bind(1, w.id);
    REQUIRE(*st->step());
    const json stored = json::parse(st->text(0));
    CHECK(stored["personnes"] == 4);
    CHECK(isSealed(stored["nom"]));
    CHECK(isSealed(stored["membres"]));
    auto list = s.list();
    REQUIRE(list.ok());
    REQUIRE(list->size() == 1);
    CHECK(list->front().id == w.id);
}

TEST_CASE("a wrong or missing PIN is refused, the right one opens", "[store][vault]") {
    TempDir dir;
    { Store s = openStore(dir, withPin(kPin)); }
    CHECK(*Store::needsPin(dir.path()));
    auto none = Store::open(dir.path());
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("PIN") != std::string::npos);
    auto wrong = Store::open(dir.path(), withPin("000000"));
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == ErrorCode::Invalid);
    CHECK(Store::open(dir.path(), withPin(kPin)).ok());
    // Too short a PIN is refused when setting up.
    TempDir other;
    auto shortPin = Store::open(other.path(), withPin("1234"));
    REQUIRE_FALSE(shortPin.ok());
    CHECK_FALSE(*Store::needsPin(other.path()));
}

TEST_CASE("changing the PIN re-seals the key only: the data stays, the old PIN no longer opens", "[store][vault]") {
    TempDir dir;
    Written w;
    {
        Store s = openStore(dir, withPin(kPin));
        w = writeContact(s, dir);
        CHECK_FALSE(s.changePin("999999", "nouveau-code").ok()); // the old PIN must be right
        REQUIRE(s.changePin(kPin, "nouveau-code").ok());
        CHECK(s.get(w.id)->answers["nom"] == kName); // the open connection keeps working
    }
    CHECK_FALSE(Store::open(dir.path(), withPin(kPin)).ok());
    Store s = openStore(dir, withPin("nouveau-code"));
    CHECK(s.get(w.id)->answers["nom"] == kName);
    CHECK(*s.setting("server_token") == kToken);
}

TEST_CASE("setting a PIN on a store that has none seals what it already holds", "[store][vault]") {
    TempDir dir;
    Written w;
    {
        Store s = openStore(dir, StoreOptions{});
        w = writeContact(s, dir);
        // The app keeps text being typed in a setting until it becomes an answer.
        REQUIRE(s.setSetting("typing." + w.id, R"({"nom": "Typed Quintal"})").ok());
        CHECK_FALSE(s.encrypted());
    }
    {
        Store s = openStore(dir, withPin(kPin));
        CHECK(s.encrypted());
        CHECK(s.get(w.id)->answers["nom"] == kName);
        CHECK(*s.setting("typing." + w.id) == R"({"nom": "Typed Quintal"})");
    }
    const std::string bytes = allBytes(dir.path());
    CHECK(bytes.find(kName) == std::string::npos);
    CHECK(bytes.find(w.phone) == std::string::npos);
    CHECK(bytes.find(kToken) == std::string::npos);
    CHECK(bytes.find("Typed Quintal") == std::string::npos);
}

TEST_CASE("a second connection takes the unlocked key, a sealed value moved to another field does not open",
          "[store][vault]") {
    TempDir dir;
    Store s = openStore(dir, withPin(kPin));
    const Written w = writeContact(s, dir);
    StoreOptions shared;
    shared.key = s.dataKey();
    Store worker = openStore(dir, shared);
    CHECK(worker.get(w.id)->answers["nom"] == kName);
    // Copy the sealed name over the sealed phone: authenticated with record and field, it is refused.
    auto db = Db::open(s.file());
    REQUIRE(db.ok());
    REQUIRE(
        db->exec("UPDATE records SET answers = json_set(answers, '$.telephone', json_extract(answers, '$.nom'))").ok());
    auto moved = worker.get(w.id);
    REQUIRE_FALSE(moved.ok());
    CHECK(moved.error().message.find("telephone") != std::string::npos);
}

TEST_CASE("a device reset for a forgotten PIN says what is lost, then leaves an empty store", "[store][vault]") {
    TempDir dir;
    {
        Store s = openStore(dir, withPin(kPin));
        const Written w = writeContact(s, dir);
        CHECK(s.get(w.id).ok());
    }
    auto lost = Store::unsyncedCount(dir.path());
    REQUIRE(lost.ok());
    CHECK(*lost == 1);                                 // create + 5 edits, compacted, never pushed
    auto records = Store::unsyncedRecords(dir.path()); // what the app's "PIN oublié" names
    REQUIRE(records.ok());
    CHECK(*records == 1);
    REQUIRE(Store::reset(dir.path()).ok());
    CHECK_FALSE(*Store::needsPin(dir.path()));
    CHECK(*Store::unsyncedCount(dir.path()) == 0);
    CHECK(*Store::unsyncedRecords(dir.path()) == 0);
    Store s = openStore(dir, withPin("un-autre-code"));
    CHECK(s.list()->empty());
    CHECK(allBytes(dir.path()).find(kName) == std::string::npos);
}

TEST_CASE("the values of a pulled conflict are sealed like the answers, and read back with the PIN", "[store][vault]") {
    // Issue 21: the device keeps both values of a conflict to show them; they are answers too.
    const std::string other = "Marchetti-Quenouille Zoé";
    auto pullConflict = [&](Store& s) {
        REQUIRE(s.installForm(contactForm()).ok());
        PulledRecord p;
        p.id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        p.kind = "interview";
        p.formId = "contact";
        p.formVersion = "1";
        p.status = "draft";
        p.author = "enqueteur";
        p.version = 3;
        p.answers = json{{"nom", kName}};
        p.conflicts = {"nom"};
        p.conflictValues = json{{"nom", json::array({json{{"value", other}, {"device_id", "d-1"}, {"version", 2}},
                                                     json{{"value", kName}, {"device_id", "d-2"}, {"version", 3}}})}};
        REQUIRE(s.applyPulled({p}, "c1").ok());
        return p;
    };
    SECTION("control: without a PIN the values are in clear") {
        TempDir dir;
        Store s = openStore(dir, StoreOptions{});
        const PulledRecord p = pullConflict(s);
        CHECK(allBytes(dir.path()).find(other) != std::string::npos);
        CHECK(s.get(p.id)->conflictValues == p.conflictValues);
    }
    SECTION("with a PIN") {
        TempDir dir;
        PulledRecord p;
        {
            Store s = openStore(dir, withPin(kPin));
            p = pullConflict(s);
        }
        CHECK(allBytes(dir.path()).find(other) == std::string::npos);
        Store s = openStore(dir, withPin(kPin));
        auto rec = s.get(p.id);
        REQUIRE(rec.ok());
        CHECK(rec->conflicts == std::vector<std::string>{"nom"});
        CHECK(rec->conflictValues == p.conflictValues);
        CHECK(rec->toJson()["conflict_values"] == p.conflictValues);
        auto listed = s.list();
        REQUIRE(listed.ok());
        REQUIRE(listed->size() == 1);
        CHECK(listed->front().conflictValues == p.conflictValues);
    }
}

TEST_CASE("a new form version that marks a question personal seals its values in the records of every version",
          "[store][vault]") {
    // Version 1 forgot to mark the address personal; version 2 marks it. A tablet with records on version 1
    // (a draft, a finalized one and their outbox entries) must not keep those addresses in clear.
    constexpr const char* kDraftAddress = "17 impasse des Quenouilles";
    constexpr const char* kDoneAddress = "42 chemin de la Marjolaine";
    TempDir dir;
    std::string draft, done;
    {
        Store s = openStore(dir, withPin(kPin));
        REQUIRE(s.installForm(addressForm("1", false)).ok());
        auto d = s.createRecord("visite", "enqueteur");
        auto f = s.createRecord("visite", "enqueteur");
        REQUIRE(d.ok());
        REQUIRE(f.ok());
        draft = *d;
        done = *f;
        REQUIRE(s.setAnswer(draft, "adresse", kDraftAddress).ok());
        REQUIRE(s.setAnswer(done, "adresse", kDoneAddress).ok());
        REQUIRE(s.setAnswer(done, "personnes", 3).ok());
        REQUIRE(s.finalize(done).ok());
        // Control: version 1 does not mark it, so the scan finds both addresses.
        const std::string before = allBytes(dir.path());
        CHECK(before.find(kDraftAddress) != std::string::npos);
        CHECK(before.find(kDoneAddress) != std::string::npos);

        auto report = s.installForm(addressForm("2", true));
        REQUIRE(report.ok());
        CHECK(report->draftsMigrated == 1);
        const std::string open = allBytes(dir.path());
        CHECK(open.find(kDraftAddress) == std::string::npos);
        CHECK(open.find(kDoneAddress) == std::string::npos);
    }
    const std::string closed = allBytes(dir.path());
    CHECK(closed.find(kDraftAddress) == std::string::npos);
    CHECK(closed.find(kDoneAddress) == std::string::npos);

    // With the PIN both read back; the finalized record stays on version 1, the count stays countable.
    Store s = openStore(dir, withPin(kPin));
    auto d = s.get(draft);
    auto f = s.get(done);
    REQUIRE(d.ok());
    REQUIRE(f.ok());
    CHECK(d->formVersion == "2");
    CHECK(d->answers["adresse"] == kDraftAddress);
    CHECK(f->formVersion == "1");
    CHECK(f->answers["adresse"] == kDoneAddress);
    CHECK(f->answers["personnes"] == 3);
    auto push = s.pendingOutboxText(0, 100);
    REQUIRE(push.ok());
    std::string body;
    for (const auto& e : *push)
        body += e.changesText;
    CHECK(body.find(kDoneAddress) != std::string::npos);
    CHECK(body.find(kDraftAddress) != std::string::npos);
}

TEST_CASE("a form version installed by another connection counts at once: the next answer is sealed",
          "[store][vault]") {
    // The app's store and its sync worker's store share the file; the worker installs the version that
    // marks the address personal while the app's connection has already sealed answers of version 1.
    constexpr const char* kAddress = "8 allée des Capucines";
    TempDir dir;
    Store app = openStore(dir, withPin(kPin));
    REQUIRE(app.installForm(addressForm("1", false)).ok());
    auto first = app.createRecord("visite", "enqueteur");
    REQUIRE(first.ok());
    REQUIRE(app.setAnswer(*first, "personnes", 2).ok());
    StoreOptions shared;
    shared.key = app.dataKey();
    Store worker = openStore(dir, shared);
    REQUIRE(worker.installForm(addressForm("2", true)).ok());
    auto second = app.createRecord("visite", "enqueteur");
    REQUIRE(second.ok());
    REQUIRE(app.setAnswer(*second, "adresse", kAddress).ok());
    CHECK(app.get(*second)->formVersion == "2");
    CHECK(allBytes(dir.path()).find(kAddress) == std::string::npos);
    CHECK(worker.get(*second)->answers["adresse"] == kAddress);
}
