#include "core/clock.hpp"
#include "core/ids.hpp"
#include "fixtures.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace carnet;
using namespace carnet::store;
using carnet::test::TempDir;
using nlohmann::json;

namespace {

Store openStore(const TempDir& dir, StoreOptions options = {}) {
    auto s = Store::open(dir.path(), options);
    INFO((s.ok() ? std::string() : s.error().message));
    REQUIRE(s.ok());
    return std::move(*s);
}

// English messages, one outbox entry per edit (StoreOptions::compactOutbox off): for the tests that
// count or inspect entries edit by edit.
StoreOptions perEdit() {
    StoreOptions o{Durability::Full, "en", 0};
    o.compactOutbox = false;
    return o;
}

std::string fileBytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Replays the outbox from nothing: the fields of every record must come out as stored.
std::map<std::string, json> replay(const std::vector<OutboxEntry>& entries) {
    std::map<std::string, json> out;
    for (const auto& e : entries) {
        json& answers = out[e.recordId];
        if (answers.is_null()) answers = json::object();
        for (const auto& [k, v] : e.changes["fields"].items()) {
            if (v.is_null())
                answers.erase(k);
            else
                answers[k] = v;
        }
    }
    return out;
}

} // namespace

TEST_CASE("a new store is a WAL SQLite file with full sync and the newest schema", "[store]") {
    TempDir dir;
    Store s = openStore(dir);
    auto db = Db::open(s.file());
    REQUIRE(db.ok());
    CHECK(*db->scalar("PRAGMA user_version") == storeMigrations().back().version);
    CHECK(*db->scalar("PRAGMA application_id") == 0x43524E54);
    auto mode = db->prepare("PRAGMA journal_mode");
    REQUIRE(mode.ok());
    REQUIRE(*mode->step());
    CHECK(mode->text(0) == "wal");
    // Synchronous is per connection: the store's own setting is checked through its durability option.
    CHECK(*Db::open(s.file())->scalar("PRAGMA synchronous") == 2);
    CHECK(isUuid(s.deviceId()));
    const std::string id = s.deviceId();
    Store again = openStore(dir);
    CHECK(again.deviceId() == id);
}

TEST_CASE("form versions are immutable and validated", "[store]") {
    TempDir dir;
    Store s = openStore(dir, StoreOptions{Durability::Full, "en", 0});
    auto first = s.installForm(test::visitForm("1"));
    REQUIRE(first.ok());
    CHECK_FALSE(first->alreadyInstalled);
    CHECK(first->form.hash.size() == 64);
    auto same = s.installForm(test::visitForm("1"));
    REQUIRE(same.ok());
    CHECK(same->alreadyInstalled);
    auto changed = s.installForm(test::visitForm("1", R"({"type": "text", "name": "x", "label": "X"})"));
    REQUIRE_FALSE(changed.ok());
    CHECK(changed.error().code == ErrorCode::Conflict);
    CHECK(changed.error().message.find("'visit' version '1'") != std::string::npos);
    auto broken = s.installForm(R"({"id": "b", "version": "1", "title": "B", "languages": ["fr"],
        "default_language": "fr", "pages": [
        {"type": "page", "name": "p", "label": "P", "children": [{"type": "integr", "name": "x", "label": "X"}]}]})");
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().message == "/pages/0/children/0/type: unknown question type 'integr'");
    CHECK(s.forms()->size() == 1);
}

TEST_CASE("every answer is saved durably with its outbox entry, and invalid values change nothing", "[store]") {
    TempDir dir;
    std::string id;
    {
        Store s = openStore(dir, perEdit());
        REQUIRE(s.installForm(test::visitForm("1")).ok());
        auto created = s.createRecord("visit", "Awa");
        REQUIRE(created.ok());
        id = *created;
        CHECK(isUuid(id));
        REQUIRE(s.setAnswer(id, "outcome", "done").ok());
        REQUIRE(s.setAnswer(id, "cars", "2").ok());
        CHECK(s.outbox()->size() == 3); // create + 2 answers

        auto bad = s.setAnswer(id, "cars", 12);
        REQUIRE_FALSE(bad.ok());
        CHECK(bad.error().message == "record " + id + ": field 'cars': Between 0 and 9");
        auto typed = s.setAnswer(id, "cars", "deux");
        REQUIRE_FALSE(typed.ok());
        CHECK(typed.error().message == "record " + id + ": field 'cars': Enter a whole number.");
        auto unknown = s.setAnswer(id, "colour", "red");
        REQUIRE_FALSE(unknown.ok());
        CHECK(unknown.error().message.find("field 'colour'") != std::string::npos);
        CHECK(s.outbox()->size() == 3);
        CHECK(s.get(id)->answers["cars"] == 2);

        REQUIRE(s.setAnswer(id, "cars", 2).ok()); // the same answer again: nothing new to send
        CHECK(s.outbox()->size() == 3);
    }
    Store reopened = openStore(dir);
    auto rec = reopened.get(id);
    REQUIRE(rec.ok());
    CHECK(rec->answers == json{{"outcome", "done"}, {"cars", 2}});
    CHECK(rec->author == "Awa");
    CHECK(rec->kind == "visit");
    CHECK(rec->status == Status::Draft);
    CHECK(replay(*reopened.outbox())[id] == rec->answers);
}

TEST_CASE("repeats are saved and addressed as group[k]/field", "[store]") {
    TempDir dir;
    Store s = openStore(dir);
    REQUIRE(s.installForm(test::visitForm("1")).ok());
    const std::string id = *s.createRecord("visit", "Awa");
    REQUIRE(*s.addRepeat(id, "members") == 1);
    REQUIRE(*s.addRepeat(id, "members") == 2);
    REQUIRE(s.setAnswer(id, "members[2]/first_name", "Léa").ok());
    const json lea = s.get(id)->answers["members"][1]; // with its identity (forms::kInstanceId)
    REQUIRE(lea.contains("_id"));
    REQUIRE(s.removeRepeat(id, "members[1]").ok());
    CHECK(s.get(id)->answers["members"] == json::array({lea}));
    CHECK_FALSE(s.setAnswer(id, "members[3]/first_name", "x").ok());
    CHECK(replay(*s.outbox())[id] == s.get(id)->answers);
}

TEST_CASE("finalize lists what is missing, then freezes the clean record", "[store]") {
    TempDir dir;
    Store s = openStore(dir, perEdit());
    REQUIRE(s.installForm(test::visitForm("1")).ok());
    const std::string id = *s.createRecord("visit", "Awa");
    auto missing = s.finalize(id);
    REQUIRE(missing.ok());
    REQUIRE(missing->size() == 1);
    CHECK((*missing)[0].path == "outcome");
    CHECK((*missing)[0].message == "This question is required.");
    CHECK(s.get(id)->status == Status::Draft);

    REQUIRE(s.setAnswer(id, "outcome", "done").ok());
    REQUIRE(s.setAnswer(id, "cars", 1).ok());
    REQUIRE(s.setAnswer(id, "outcome", "absent").ok()); // cars becomes irrelevant
    CHECK(s.get(id)->answers.contains("cars"));         // the draft keeps it, in case
    auto done = s.finalize(id);
    REQUIRE(done.ok());
    CHECK(done->empty());
    auto rec = s.get(id);
    CHECK(rec->status == Status::Finalized);
    CHECK(rec->answers == json{{"outcome", "absent"}, {"nmembers", 0}});
    CHECK(s.setAnswer(id, "comment", "x").error().code == ErrorCode::Conflict);
    CHECK(s.outbox()->back().op == "finalize");
    CHECK(replay(*s.outbox())[id] == rec->answers);
}

TEST_CASE("the XLSForm metadata a record captures are its own: made when, by whom, on which device", "[store]") {
    // What the importer makes of the start, today, end, deviceid and username rows (docs/form-format.md).
    TempDir dir;
    StoreOptions o{Durability::Full, "en", 0};
    o.clock = clock::fixedAt(*clock::parseIsoUtc("2026-11-20T09:15:00Z"));
    Store s = openStore(dir, o);
    REQUIRE(s.installForm(R"J({"id": "meta", "version": "1", "title": "M", "languages": ["en"],
        "default_language": "en", "pages": [{"type": "page", "name": "p", "label": "P", "children": [
            {"type": "calculate", "name": "start", "calculation": "carnet:property('start')"},
            {"type": "calculate", "name": "today", "calculation": "carnet:property('today')"},
            {"type": "calculate", "name": "end", "calculation": "now()"},
            {"type": "calculate", "name": "deviceid", "calculation": "carnet:property('deviceid')"},
            {"type": "calculate", "name": "username", "calculation": "carnet:property('username')"},
            {"type": "text", "name": "note", "label": "Note"}]}]})J")
                .ok());
    const std::string id = *s.createRecord("meta", "AMB-042");
    REQUIRE(s.setAnswer(id, "note", "x").ok());
    const auto made = s.get(id);
    REQUIRE(made.ok());
    REQUIRE(s.finalize(id)->empty());
    const auto rec = s.get(id);
    INFO(rec->answers.dump());
    const auto createdAt = clock::parseIsoUtc(made->createdAt);
    REQUIRE(createdAt);
    CHECK(rec->answers["start"] == clock::localFormat(*createdAt, "%Y-%m-%dT%H:%M:%S"));
    CHECK(rec->answers["today"] == clock::localDate(*createdAt));
    CHECK(rec->answers["end"] == clock::localFormat(o.clock(), "%Y-%m-%dT%H:%M:%S"));
    CHECK(rec->answers["deviceid"] == s.deviceId());
    CHECK_FALSE(s.deviceId().empty());
    CHECK(rec->answers["username"] == "AMB-042");
    CHECK(replay(*s.outbox())[id] == rec->answers); // and they travel with the finalize
}

TEST_CASE("a form update moves drafts that fit and flags the others", "[store]") {
    TempDir dir;
    Store s = openStore(dir, StoreOptions{Durability::Full, "en", 0});
    REQUIRE(s.installForm(test::visitForm("1")).ok());
    const std::string fits = *s.createRecord("visit", "Awa");
    REQUIRE(s.setAnswer(fits, "outcome", "done").ok());
    const std::string stays = *s.createRecord("visit", "Awa");
    REQUIRE(s.setAnswer(stays, "comment", "Deuxième étage").ok());
    const std::string finalized = *s.createRecord("visit", "Awa");
    REQUIRE(s.setAnswer(finalized, "outcome", "absent").ok());
    REQUIRE(s.finalize(finalized)->empty());

    // Version 2 drops "comment" and adds an optional phone.
    auto report = s.installForm(test::visitForm("2", R"({"type": "phone", "name": "phone", "label": "Tél."})", false));
    REQUIRE(report.ok());
    CHECK(report->draftsMigrated == 1);
    CHECK(report->draftsKept == 1);
    CHECK(s.get(fits)->formVersion == "2");
    CHECK(s.get(fits)->migrationNote.empty());
    auto kept = s.get(stays);
    CHECK(kept->formVersion == "1");
    CHECK(kept->migrationNote.find("field 'comment'") != std::string::npos);
    CHECK(kept->answers["comment"] == "Deuxième étage"); // nothing lost
    CHECK(s.get(finalized)->formVersion == "1");
    // The note says where the draft stayed and why.
    CHECK(kept->migrationNote.find("stays on form version 1, because version 2 does not accept") != std::string::npos);
    // Kept drafts still work on their own version.
    REQUIRE(s.setAnswer(stays, "comment", "Troisième").ok());
    REQUIRE(s.setAnswer(fits, "phone", "06 12 34 56 78").ok());
    CHECK(s.get(fits)->answers["phone"] == "+33612345678");
    CHECK(s.outbox()->back().recordId == fits);
    // New records use the newest version.
    CHECK(s.get(*s.createRecord("visit", "Awa"))->formVersion == "2");
    // The device report on each pull counts them in SQL: the whole outbox, and the one kept draft.
    auto counts = s.syncCounts();
    REQUIRE(counts.ok());
    CHECK(counts->pending == static_cast<std::int64_t>(s.outbox()->size()));
    CHECK(counts->pending > 0);
    CHECK(counts->draftsBehind == 1);
    REQUIRE(s.deleteRecord(stays).ok()); // a tombstone is no longer a draft behind
    CHECK(s.syncCounts()->draftsBehind == 0);
    CHECK(s.syncCounts()->pending == static_cast<std::int64_t>(s.outbox()->size()));
}

TEST_CASE("drafts only move forward: an older form version installed later leaves them where they are", "[store]") {
    TempDir dir;
    Store s = openStore(dir, StoreOptions{Durability::Full, "en", 0});
    // The device holds 2026.12.9 (added by hand) before the server's 2026.11.2 arrives.
    REQUIRE(s.installForm(test::visitForm("2026.12.9")).ok());
    const std::string id = *s.createRecord("visit", "Awa");
    REQUIRE(s.setAnswer(id, "outcome", "done").ok());
    const std::size_t queued = s.outbox()->size();
    auto report = s.installForm(test::visitForm("2026.11.2"));
    REQUIRE(report.ok());
    CHECK(report->draftsMigrated == 0);
    CHECK(report->draftsKept == 0);
    auto rec = s.get(id);
    CHECK(rec->formVersion == "2026.12.9");
    CHECK(rec->migrationNote.empty());
    CHECK(s.outbox()->size() == queued); // no migrate queued
    // New records use the highest version, not the last installed; 2026.12.10 is newer than 2026.12.9.
    CHECK(s.get(*s.createRecord("visit", "Awa"))->formVersion == "2026.12.9");
    REQUIRE(s.installForm(test::visitForm("2026.12.10")).ok());
    CHECK(s.get(id)->formVersion == "2026.12.10");
}

TEST_CASE("import-answers validates a whole answers object", "[store]") {
    TempDir dir;
    Store s = openStore(dir, StoreOptions{Durability::Full, "en", 0});
    REQUIRE(s.installForm(test::visitForm("1")).ok());
    auto good =
        s.importAnswers("visit", json{{"outcome", "done"}, {"cars", 3}, {"members", {{{"first_name", "Zoé"}}}}}, "Awa");
    REQUIRE(good.ok());
    CHECK(s.get(*good)->answers["members"][0]["first_name"] == "Zoé");
    const auto before = s.list()->size();
    auto bad = s.importAnswers("visit", json{{"outcome", "done"}, {"cars", 30}}, "Awa");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("field 'cars': Between 0 and 9") != std::string::npos);
    auto unknown = s.importAnswers("visit", json{{"colour", "red"}}, "Awa");
    REQUIRE_FALSE(unknown.ok());
    CHECK(s.list()->size() == before);
    CHECK_FALSE(s.importAnswers("nope", json::object(), "Awa").ok());
}

TEST_CASE("list filters by status", "[store]") {
    TempDir dir;
    Store s = openStore(dir);
    REQUIRE(s.installForm(test::visitForm("1")).ok());
    const std::string a = *s.createRecord("visit", "Awa");
    const std::string b = *s.createRecord("visit", "Awa");
    REQUIRE(s.setAnswer(b, "outcome", "absent").ok());
    REQUIRE(s.finalize(b)->empty());
    CHECK(s.list()->size() == 2);
    auto drafts = s.list(Status::Draft);
    REQUIRE(drafts->size() == 1);
    CHECK(drafts->front().id == a);
    auto fin = s.list(Status::Finalized);
    REQUIRE(fin->size() == 1);
    CHECK(fin->front().id == b);
}

TEST_CASE("attachments are content-addressed files written before their row", "[store]") {
    TempDir dir;
    Store s = openStore(dir);
    const auto src = dir.path() / "photo.jpg";
    std::ofstream(src, std::ios::binary) << std::string(5000, 'x') << "fin";
    auto a = s.addAttachment(src);
    REQUIRE(a.ok());
    CHECK(a->size == 5003);
    CHECK(a->hash.size() == 64);
    CHECK(fileBytes(a->path) == fileBytes(src));
    auto b = s.addAttachment(src);
    REQUIRE(b.ok());
    CHECK(b->hash == a->hash);
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path() / "attachments"))
        ++files;
    CHECK(files == 1);
    CHECK_FALSE(s.addAttachment(dir.path() / "missing.jpg").ok());
}

TEST_CASE("a file is attached a chunk at a time, capped, and read back by ranges", "[store]") {
    TempDir dir;
    Store s = openStore(dir);
    const auto src = dir.path() / "visite.mp4";
    std::string bytes(Store::kAttachmentChunk * 2 + 123, '\0');
    for (std::size_t k = 0; k < bytes.size(); ++k)
        bytes[k] = static_cast<char>((k * 131) >> 7);
    std::ofstream(src, std::ios::binary) << bytes;
    auto refused = s.addAttachment(src, 1'000'000);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message == "« visite.mp4 » fait 2,1 Mo : la limite est de 1 Mo, il n’a pas été joint.");
    CHECK(s.attachmentBufferPeak() == 0); // refused before a byte was read
    auto a = s.addAttachment(src, 3'000'000);
    REQUIRE(a.ok());
    CHECK(a->size == static_cast<std::int64_t>(bytes.size()));
    CHECK(fileBytes(a->path) == bytes);
    CHECK(s.attachmentBufferPeak() == Store::kAttachmentChunk); // never the whole file at once
    auto head = s.attachmentRange(a->hash, 0, 10);
    REQUIRE(head.ok());
    CHECK(*head == bytes.substr(0, 10));
    auto tail = s.attachmentRange(a->hash, Store::kAttachmentChunk * 2, 1000); // fewer at the end
    REQUIRE(tail.ok());
    CHECK(*tail == bytes.substr(Store::kAttachmentChunk * 2));
    auto past = s.attachmentRange(a->hash, bytes.size() + 5, 10);
    REQUIRE(past.ok());
    CHECK(past->empty());
    CHECK_FALSE(s.attachmentRange(std::string(64, 'a'), 0, 10).ok());
}

TEST_CASE("attachment paths are stored relative to the data folder, and old absolute ones follow a move",
          "[store][platform]") {
    TempDir dir;
    const auto src = dir.path() / "photo.jpg";
    std::ofstream(src, std::ios::binary) << "signature";
    std::string hash;
    {
        Store s = openStore(dir);
        auto a = s.addAttachment(src);
        REQUIRE(a.ok());
        hash = a->hash;
    }
    auto stored = [&] {
        auto db = Db::open(dir.path() / "carnet.db");
        REQUIRE(db.ok());
        auto st = db->prepare("SELECT path FROM attachments");
        REQUIRE(st.ok());
        REQUIRE(*st->step());
        return st->text(0);
    };
    CHECK(stored() == "attachments/" + hash);
    // A row from before: the absolute path of a container that has since moved.
    {
        auto db = Db::open(dir.path() / "carnet.db");
        REQUIRE(db.ok());
        REQUIRE(
            db->exec("UPDATE attachments SET path = '/data/user/0/org.carnet/files/attachments/" + hash + "'").ok());
    }
    // The data folder moves too (a restore into another container).
    TempDir moved;
    std::filesystem::remove(moved.path());
    std::filesystem::rename(dir.path(), moved.path());
    std::filesystem::create_directories(dir.path()); // so that TempDir's cleanup finds it
    auto s = Store::open(moved.path());
    REQUIRE(s.ok());
    auto a = s->attachment(hash);
    REQUIRE(a.ok());
    CHECK(a->path == moved.path() / "attachments" / hash);
    CHECK(fileBytes(a->path) == "signature");
    auto db = Db::open(moved.path() / "carnet.db");
    REQUIRE(db.ok());
    auto st = db->prepare("SELECT path FROM attachments");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    CHECK(st->text(0) == "attachments/" + hash);
}

TEST_CASE("a store upgrades from every earlier schema without losing data", "[store][migrations]") {
    const auto all = storeMigrations();
    for (std::size_t k = 0; k < all.size(); ++k) {
        DYNAMIC_SECTION("from schema " << k) {
            TempDir dir;
            {
                auto db = Db::open(dir.path() / "carnet.db");
                REQUIRE(db.ok());
                REQUIRE(db->exec("PRAGMA application_id=" + std::to_string(0x43524E54)).ok());
                REQUIRE(migrate(*db, all.subspan(0, k)).ok());
                if (k >= 1) {
                    // Data as the schema-1 program wrote it.
                    REQUIRE(db->exec("INSERT INTO meta VALUES ('device_id', '00000000-0000-4000-8000-000000000001');"
                                     "INSERT INTO forms VALUES ('counter', '1', 'h', '" +
                                     test::counterForm() +
                                     "', 't', 1);"
                                     "INSERT INTO records(id, kind, form_id, form_version, status, answers, author, "
                                     "created_at, updated_at) VALUES ('r1', 'interview', 'counter', '1', 'draft', "
                                     "'{\"n\":7}', 'Awa', 't', 't');"
                                     "INSERT INTO outbox(record_id, base_version, op, changes, created_at) VALUES "
                                     "('r1', 0, 'create', '{\"fields\":{\"n\":7}}', 't');")
                                .ok());
                }
            }
            Store s = openStore(dir);
            auto db = Db::open(dir.path() / "carnet.db");
            CHECK(*db->scalar("PRAGMA user_version") == all.back().version);
            CHECK(*s.integrityOk());
            if (k >= 1) {
                CHECK(s.deviceId() == "00000000-0000-4000-8000-000000000001");
                auto rec = s.get("r1");
                REQUIRE(rec.ok());
                CHECK(rec->answers == json{{"n", 7}});
                CHECK(rec->migrationNote.empty());
                REQUIRE(s.setAnswer("r1", "n", 8).ok());
                CHECK(s.outbox()->size() == 2);
            }
        }
    }
}

TEST_CASE("bad files are refused with a clear error and left untouched", "[store][bad-input]") {
    SECTION("corrupted file") {
        TempDir dir;
        const auto file = dir.path() / "carnet.db";
        std::string junk(8192, '\0');
        for (std::size_t i = 0; i < junk.size(); ++i)
            junk[i] = static_cast<char>((i * 7919) % 251);
        std::ofstream(file, std::ios::binary) << junk;
        auto s = Store::open(dir.path(), StoreOptions{Durability::Full, "en", 0});
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message.find("unreadable or damaged database, left untouched") != std::string::npos);
        CHECK(s.error().message.find(file.string()) != std::string::npos);
        CHECK(fileBytes(file) == junk);
    }
    SECTION("a SQLite file of another program") {
        TempDir dir;
        const auto file = dir.path() / "carnet.db";
        {
            auto db = Db::open(file);
            REQUIRE(db.ok());
            REQUIRE(db->exec("CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES ('Martine');").ok());
        }
        auto s = Store::open(dir.path(), StoreOptions{Durability::Full, "en", 0});
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message == file.string() + ": this file is not a Carnet store, left untouched");
        auto db = Db::open(file);
        CHECK(*db->scalar("SELECT count(*) FROM contacts") == 1);
    }
    SECTION("a store written by a newer Carnet") {
        TempDir dir;
        { REQUIRE(Store::open(dir.path()).ok()); }
        { REQUIRE(Db::open(dir.path() / "carnet.db")->exec("PRAGMA user_version=99").ok()); }
        auto s = Store::open(dir.path(), StoreOptions{Durability::Full, "en", 0});
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().message.find("written by a newer Carnet (schema 99)") != std::string::npos);
    }
    SECTION("a record whose form version is missing") {
        TempDir dir;
        std::string id;
        {
            Store s = openStore(dir);
            REQUIRE(s.installForm(test::visitForm("1")).ok());
            id = *s.createRecord("visit", "Awa");
        }
        {
            auto db = Db::open(dir.path() / "carnet.db");
            REQUIRE(db->exec("PRAGMA foreign_keys=OFF; DELETE FROM forms;").ok());
        }
        Store s = openStore(dir, StoreOptions{Durability::Full, "en", 0});
        auto r = s.setAnswer(id, "outcome", "done");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "record " + id + ": version '1' of form 'visit' is not installed");
        CHECK(s.get(id)->answers == json::object());
    }
}

TEST_CASE("a full disk refuses the save and keeps everything already saved", "[store][bad-input]") {
    TempDir dir;
    StoreOptions o = perEdit(); // a compacted outbox does not grow with the saves
    o.maxPageCount = 40;
    Store s = openStore(dir, o);
    REQUIRE(s.installForm(test::visitForm("1")).ok());
    const std::string id = *s.createRecord("visit", "Awa");
    REQUIRE(s.setAnswer(id, "outcome", "done").ok());
    Result<void> last;
    std::string saved;
    for (int i = 0; i < 2000 && last.ok(); ++i) {
        const std::string text(400, static_cast<char>('a' + i % 26));
        last = s.setAnswer(id, "comment", text);
        if (last.ok()) saved = text;
    }
    REQUIRE_FALSE(last.ok());
    CHECK(last.error().code == ErrorCode::NoSpace);
    CHECK(last.error().message == dir.path().string() + ": disk full, nothing was saved");
    Store reopened = openStore(dir);
    CHECK(*reopened.integrityOk());
    CHECK(reopened.get(id)->answers["comment"] == saved);
    CHECK(reopened.get(id)->answers["outcome"] == "done");
    CHECK(replay(*reopened.outbox())[id] == reopened.get(id)->answers);
}

TEST_CASE("a data folder that cannot be written is reported, not crashed on", "[store][bad-input]") {
    TempDir dir;
    const auto locked = dir.path() / "locked";
    std::filesystem::create_directories(locked);
    REQUIRE(::chmod(locked.c_str(), 0555) == 0);
    // Root ignores permissions: check as an unprivileged user in a child process.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
        auto s = Store::open(locked, StoreOptions{Durability::Full, "en", 0});
        if (s.ok()) ::_exit(1);
        ::_exit(s.error().message.find("data folder is not writable") != std::string::npos ? 0 : 2);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("deletion and erasure on the device: tombstones, scrubbed outbox, refused edits", "[store][sync]") {
    TempDir dir;
    Store s = openStore(dir);
    REQUIRE(s.installForm(test::counterForm()).ok());
    const std::string a = *s.createRecord("counter", "Awa");
    const std::string b = *s.createRecord("counter", "Awa");
    REQUIRE(s.setAnswer(a, "t", "Secret-Name-42").ok());
    REQUIRE(s.setAnswer(a, "n", 3).ok());
    REQUIRE(s.setAnswer(a, "t", "Secret-Name-43").ok());

    // Erasure: the value leaves the record and every pending entry; a set left empty is dropped.
    REQUIRE(s.eraseFields(a, {"t"}).ok());
    auto rec = s.get(a);
    REQUIRE(rec.ok());
    CHECK_FALSE(rec->answers.contains("t"));
    CHECK(rec->answers["n"] == 3);
    CHECK(rec->erased == std::vector<std::string>{"t"});
    auto out = s.outbox();
    REQUIRE(out.ok());
    std::vector<std::string> ops;
    for (const auto& e : *out) {
        if (e.recordId != a) continue;
        ops.push_back(e.op);
        if (e.op != "erase") CHECK_FALSE(e.changes["fields"].contains("t"));
    }
    CHECK(ops == std::vector<std::string>{"create", "set", "erase"});
    CHECK(out->back().changes == json{{"fields", {{"t", nullptr}}}});
    auto refused = s.setAnswer(a, "t", "again");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("« t » a été effacé") != std::string::npos);
    std::ifstream file(s.file(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), {});
    CHECK(bytes.find("Secret-Name-4") == std::string::npos);

    // Deletion: hidden from the list, says so, queued in the same transaction, no more edits.
    REQUIRE(s.deleteRecord(b).ok());
    CHECK(s.get(b)->deleted);
    CHECK(s.list()->size() == 1);
    CHECK(s.outbox()->back().op == "delete");
    CHECK_FALSE(s.setAnswer(b, "n", 1).ok());

    // A pulled tombstone drops the record's pending changes; a pulled erasure scrubs them.
    REQUIRE(s.setAnswer(a, "n", 4).ok());
    PulledRecord tomb{a, "interview", "counter", "1", "deleted", "Awa", 5, json::object(), {}, {}};
    REQUIRE(s.applyPulled({tomb}, "c9").ok());
    CHECK(s.get(a)->deleted);
    auto left = s.outbox();
    REQUIRE(left.ok());
    for (const auto& e : *left)
        CHECK(e.recordId != a);
    CHECK(s.list()->empty());
}

TEST_CASE("linked: records by a link answer, through the schema's indexes", "[store]") {
    TempDir dir;
    Store s = openStore(dir);
    REQUIRE(s.installForm(R"({"id": "link", "version": "1", "title": "L", "default_language": "fr",
        "languages": ["fr"], "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "text", "name": "person_id", "label": "P"}, {"type": "text", "name": "note", "label": "N"}]}]})")
                .ok());
    auto a = s.importAnswers("link", {{"person_id", "p1"}, {"note", "a"}}, "awa");
    auto b = s.importAnswers("link", {{"person_id", "p2"}}, "awa");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    auto found = s.linked("link", "person_id", "p1");
    REQUIRE(found.ok());
    REQUIRE(found->size() == 1);
    CHECK(found->front().id == *a);
    CHECK(found->front().answers.at("note") == "a");
    CHECK(s.linked("other", "person_id", "p1")->empty());
    REQUIRE(s.deleteRecord(*a).ok());
    CHECK(s.linked("link", "person_id", "p1")->empty()); // a tombstone is not linked
    // The query the store runs is answered by an index, not by reading every row.
    auto db = Db::open(s.file());
    REQUIRE(db.ok());
    for (const auto& [field, index] :
         {std::pair{"person_id", "records_by_person"}, std::pair{"fusionne_dans", "records_by_merged"},
          std::pair{"building_id", "records_by_building"}}) {
        auto plan = db->prepare(std::string("EXPLAIN QUERY PLAN SELECT id FROM records WHERE form_id = ? AND "
                                            "json_extract(answers, '$.") +
                                field + "') = ? AND deleted = 0 ORDER BY updated_at DESC, id");
        REQUIRE(plan.ok());
        std::string details;
        while (*plan->step())
            details += plan->text(3) + "\n";
        INFO(details);
        CHECK(details.find(std::string("USING INDEX ") + index) != std::string::npos);
    }
}

TEST_CASE("consecutive unsent edits of one record are one outbox entry, never merged into one a push has read",
          "[store][compaction]") {
    // Issue 22, "History that reads as people work": an interview of 24 answers was 24 entries, so 24
    // versions on the server.
    TempDir dir;
    const std::string form = R"J({"id": "long", "version": "1", "title": "Long", "languages": ["fr"],
      "default_language": "fr", "pages": [{"type": "page", "name": "p", "label": "P", "children": [)J";
    std::string questions;
    for (int i = 1; i <= 24; ++i)
        questions += std::string(i > 1 ? ", " : "") + R"J({"type": "integer", "name": "q)J" + std::to_string(i) +
                     R"J(", "label": "Q", "required": true})J";
    std::string id, other;
    json expected = json::object();
    {
        Store s = openStore(dir, StoreOptions{Durability::Full, "en", 0});
        REQUIRE(s.installForm(form + questions + "]}]}").ok());
        REQUIRE(s.installForm(test::visitForm("1")).ok());
        id = *s.createRecord("long", "Awa");
        for (int i = 1; i <= 24; ++i) {
            REQUIRE(s.setAnswer(id, "q" + std::to_string(i), i).ok());
            expected["q" + std::to_string(i)] = i;
        }
        REQUIRE(s.setAnswer(id, "q3", 33).ok()); // a corrected answer: the entry keeps the last value
        expected["q3"] = 33;
        auto out = s.outbox();
        REQUIRE(out.ok());
        REQUIRE(out->size() == 1);
        CHECK(out->front().op == "create");
        CHECK(out->front().changes["fields"] == expected);
        CHECK_FALSE(out->front().editedAt.empty());

        // Finalizing joins the create too: one mutation says "this finalized interview".
        REQUIRE(s.finalize(id).ok());
        REQUIRE(s.outbox()->size() == 1);
        CHECK(s.outbox()->front().op == "create");
        CHECK(s.outbox()->front().changes["status"] == "finalized");
        CHECK(replay(*s.outbox())[id] == s.get(id)->answers);

        // Another record in between: its edits are its own entries, and the first record's next edit
        // after them is a new entry (the outbox keeps the order edits were made in).
        other = *s.createRecord("visit", "Awa");
        REQUIRE(s.setAnswer(other, "outcome", "done").ok());
        REQUIRE(s.outbox()->size() == 2);

        // A push reads the outbox: what it read may be in flight, and is never changed again.
        auto sent = s.pendingOutboxText(0, 100);
        REQUIRE(sent.ok());
        REQUIRE(sent->size() == 2);
        CHECK_FALSE(sent->back().editedAt.empty());
        const std::string inFlight = sent->back().changesText;
        REQUIRE(s.setAnswer(other, "cars", 2).ok());
        REQUIRE(s.setAnswer(other, "cars", 3).ok());
        auto after = s.outbox();
        REQUIRE(after->size() == 3); // the two edits after the push read are one new entry
        CHECK(after->at(1).changes == json::parse(inFlight));
        CHECK(after->at(2).op == "set");
        CHECK(after->at(2).changes["fields"] == json{{"cars", 3}});
    }
    // Closed and reopened (as after a kill): the mark of what was sent holds, the unsent tail still merges.
    {
        Store s = openStore(dir, StoreOptions{Durability::Full, "en", 0});
        auto db = Db::open(s.file());
        REQUIRE(db.ok());
        const auto tail = s.outbox()->back().seq;
        CHECK(*db->scalar("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'outbox.sent_through'") == tail - 1);
        REQUIRE(s.setAnswer(other, "comment", "rien").ok());
        auto out = s.outbox();
        REQUIRE(out->size() == 3);
        CHECK(out->back().seq == tail);
        CHECK(out->back().changes["fields"] == json{{"cars", 3}, {"comment", "rien"}});
        CHECK(replay(*out)[other] == s.get(other)->answers);
        // Answered: the entries leave; the next edit is a new entry on the new base version.
        std::vector<PushAck> acks;
        const auto pushed = s.pendingOutboxText(0, 100);
        REQUIRE(pushed.ok());
        for (const auto& e : *pushed) {
            PushAck a;
            a.seq = e.seq;
            a.version = 2;
            acks.push_back(a);
        }
        REQUIRE(s.acknowledge(acks).ok());
        REQUIRE(s.outbox()->empty());
        REQUIRE(s.setAnswer(other, "comment", "encore").ok());
        REQUIRE(s.setAnswer(other, "comment", "enfin").ok());
        REQUIRE(s.outbox()->size() == 1);
        CHECK(s.outbox()->front().baseVersion == 2);
    }
    // Off (StoreOptions::compactOutbox): one entry per edit, as before.
    TempDir plain;
    Store s = openStore(plain, perEdit());
    REQUIRE(s.installForm(test::visitForm("1")).ok());
    const std::string v = *s.createRecord("visit", "Awa");
    REQUIRE(s.setAnswer(v, "outcome", "done").ok());
    REQUIRE(s.setAnswer(v, "cars", 1).ok());
    CHECK(s.outbox()->size() == 3);
}

TEST_CASE("an edit merged into the outbox commits with the record or not at all", "[store][compaction]") {
    // The merge is an UPDATE of the tail entry in the edit's own transaction: a step of a workflow that
    // rolls back leaves the entry as it was.
    TempDir dir;
    Store s = openStore(dir, StoreOptions{Durability::Full, "en", 0});
    REQUIRE(s.installForm(test::visitForm("1")).ok());
    const std::string id = *s.createRecord("visit", "Awa");
    REQUIRE(s.setAnswer(id, "outcome", "done").ok());
    const json before = s.outbox()->front().changes;
    {
        auto tx = s.transaction();
        REQUIRE(tx.begun().ok());
        REQUIRE(s.setAnswer(id, "cars", 4).ok());
        CHECK(s.outbox()->front().changes["fields"]["cars"] == 4);
    } // rolled back
    CHECK(s.outbox()->size() == 1);
    CHECK(s.outbox()->front().changes == before);
    CHECK_FALSE(s.get(id)->answers.contains("cars"));
}

TEST_CASE("a store of schema 7 upgraded keeps its queued entries apart: they may have been sent",
          "[store][compaction]") {
    TempDir dir;
    std::string id;
    {
        Store s = openStore(dir, perEdit());
        REQUIRE(s.installForm(test::visitForm("1")).ok());
        id = *s.createRecord("visit", "Awa");
        REQUIRE(s.setAnswer(id, "outcome", "done").ok());
    }
    {
        // Back to schema 7, as an older app left it: no mark, no edit times.
        auto db = Db::open(dir.path() / "carnet.db");
        REQUIRE(db.ok());
        REQUIRE(db->exec("DELETE FROM meta WHERE key = 'outbox.sent_through'; ALTER TABLE outbox DROP COLUMN "
                         "edited_at; PRAGMA user_version = 7")
                    .ok());
    }
    Store s = openStore(dir);
    REQUIRE(s.setAnswer(id, "cars", 1).ok());
    auto out = s.outbox();
    REQUIRE(out->size() == 3);
    CHECK_FALSE(out->front().editedAt.empty()); // its creation time
    REQUIRE(s.setAnswer(id, "cars", 2).ok());
    CHECK(s.outbox()->size() == 3); // the new entry is unsent: it merges
}
