// The sync engine against a real carnet-server on 127.0.0.1, through the real libcurl transport, with
// fault injection layered on top of it (a lost response, a flaky link, a wrong protocol version).
#include "core/db.hpp"
#include "core/json_text.hpp"
#include "pg_cluster.hpp"
#include "server_process.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"
#include "sync/gzip.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>

using namespace carnet;
using namespace carnet::sync;
using nlohmann::json;

namespace {

// Wraps a real transport; can lose the response of chosen requests (sent and processed by the
// server, the device never hears back) or fail before sending.
class FaultyTransport final : public Transport {
public:
    explicit FaultyTransport(Transport& inner)
        : m_inner(inner) {}
    Result<HttpResponse> send(const HttpRequest& r) override {
        ++calls;
        if (failBeforeSend > 0) {
            --failBeforeSend;
            return makeError(ErrorCode::Offline, "injected: connection refused", true);
        }
        if (r.path == "/api/v1/sync/push" && failPushAfter >= 0 && pushes++ >= failPushAfter)
            return makeError(ErrorCode::Offline, "injected: link down before a push", false);
        auto res = m_inner.send(r);
        if (loseNextPushResponse && r.path == "/api/v1/sync/push") {
            loseNextPushResponse = false;
            return makeError(ErrorCode::Offline, "injected: connection reset after the request", true);
        }
        if (failPullAfter >= 0 && r.path.rfind("/api/v1/sync/pull", 0) == 0 && pulls++ >= failPullAfter)
            return makeError(ErrorCode::Offline, "injected: link down during pull", false);
        if (res.ok() && !protocolOverride.empty()) res->headers["carnet-protocol"] = protocolOverride;
        return res;
    }
    void setToken(std::string token) override { m_inner.setToken(std::move(token)); }
    std::uint64_t bytesSent() const override { return m_inner.bytesSent(); }
    std::uint64_t bytesReceived() const override { return m_inner.bytesReceived(); }

    int calls = 0, failBeforeSend = 0, failPullAfter = -1, pulls = 0, failPushAfter = -1, pushes = 0;
    bool loseNextPushResponse = false;
    std::string protocolOverride;

private:
    Transport& m_inner;
};

struct World {
    test::TempDir dir;
    test::ServerProcess server{CARNET_SERVER_BIN, dir.path() / "server"};
    World() {
        server.setDatabase(test::testDatabase()); // SQLite, or PostgreSQL for the sync.pg.* tests
        REQUIRE(server.admin("org add alec"));
        REQUIRE(server.admin("user add awa --role ambassador --org alec --password-stdin", "awa-password"));
        REQUIRE(server.admin("user add chloe --role coordinator --org alec --password-stdin", "chloe-password"));
        REQUIRE(server.admin(std::string("form publish ") + CARNET_SOURCE_DIR + "/assets/forms/trip_survey.json"));
        REQUIRE(server.start());
    }
    /// The tests here count mutations: one outbox entry per edit unless `compact` (StoreOptions::compactOutbox).
    store::Store device(const std::string& name, bool compact = false) {
        store::StoreOptions o{Durability::Full, "en", 0};
        o.compactOutbox = compact;
        auto s = store::Store::open(dir.path() / name, o);
        REQUIRE(s.ok());
        return std::move(*s);
    }
    /// A transport to the server with `store` logged in as `user` (whose password is "<user>-password").
    std::unique_ptr<Transport> connect(store::Store& store, const std::string& user) {
        auto t = makeCurlTransport(server.url());
        REQUIRE(login(store, *t, server.url(), user, user + "-password").ok());
        return t;
    }
};

SyncOptions fast() {
    SyncOptions o;
    o.sleep = [](std::chrono::milliseconds) {}; // backoff is counted, not waited
    return o;
}

} // namespace

TEST_CASE("a push whose response is lost is applied once when retried", "[sync]") {
    World w;
    store::Store awa = w.device("awa");
    auto curl = w.connect(awa, "awa");
    REQUIRE(synchronize(awa, *curl, fast()).ok); // forms
    const std::string id = *awa.importAnswers("trip_survey", json{{"survey_phase", "avant"}}, "awa");
    REQUIRE(awa.setAnswer(id, "trajets_voiture_solo", 5).ok());

    FaultyTransport faulty(*curl);
    faulty.loseNextPushResponse = true;
    const SyncReport r = synchronize(awa, faulty, fast());
    INFO(r.toJson().dump());
    REQUIRE(r.ok);
    CHECK(r.pushed == 2);
    CHECK(awa.pendingOutbox(100)->empty());

    // The coordinator sees one record, at the version of exactly two applied mutations.
    store::Store chloe = w.device("chloe");
    auto curl2 = w.connect(chloe, "chloe");
    const SyncReport c = synchronize(chloe, *curl2, fast());
    REQUIRE(c.ok);
    CHECK(c.pulled == 1);
    auto rec = chloe.get(id);
    REQUIRE(rec.ok());
    CHECK(rec->serverVersion == 2);
    CHECK(rec->answers["trajets_voiture_solo"] == 5);
}

TEST_CASE("the server stops on SIGTERM with its database closed cleanly", "[sync]") {
    World w;
    store::Store awa = w.device("awa");
    auto curl = w.connect(awa, "awa");
    REQUIRE(synchronize(awa, *curl, fast()).ok); // forms
    REQUIRE(awa.importAnswers("trip_survey", json{{"survey_phase", "avant"}}, "awa").ok());
    REQUIRE(synchronize(awa, *curl, fast()).ok);
    // The stop goes through the server's own shutdown (not the signal's default action, which would
    // end it from any thread that does not block SIGTERM): exit status 0, the WAL folded back in.
    REQUIRE(w.server.stop());
    CHECK_FALSE(std::filesystem::exists(w.dir.path() / "server" / "server.db-wal"));
    auto db = Db::open(w.dir.path() / "server" / "server.db");
    REQUIRE(db.ok());
    CHECK(*db->scalar("SELECT count(*) FROM records") == 1);
}

TEST_CASE("a push in batches keeps what was answered when the link drops, and sends a refused entry once", "[sync]") {
    World w;
    store::Store awa = w.device("awa");
    auto curl = w.connect(awa, "awa");
    REQUIRE(synchronize(awa, *curl, fast()).ok); // forms
    // A form the server never published: its record is refused (and stays on the device).
    auto local = awa.installForm(*readTextFile(std::string(CARNET_SOURCE_DIR) + "/assets/forms/door_to_door.json"));
    REQUIRE(local.ok());
    std::vector<std::string> trips;
    for (int i = 0; i < 6; ++i) {
        if (i == 3) REQUIRE(awa.importAnswers(local->form.formId, json::object(), "awa").ok());
        trips.push_back(*awa.importAnswers("trip_survey", json{{"survey_phase", "avant"}}, "awa"));
    }
    REQUIRE(awa.pendingOutbox(100)->size() == 7);

    // Batches of two: [t1 t2] [t3 refused] [t4 t5] go, the link drops before [t6].
    FaultyTransport faulty(*curl);
    faulty.failPushAfter = 3;
    SyncOptions o = fast();
    o.pushBatch = 2;
    const SyncReport r = synchronize(awa, faulty, o);
    INFO(r.toJson().dump());
    CHECK_FALSE(r.ok);
    CHECK(r.pushed == 5);
    CHECK(r.rejected == 1);
    CHECK(faulty.pushes == 4);
    // Every answer that came back is stored: only t6 is left to send (the refused one is kept aside).
    auto left = awa.pendingOutbox(100);
    REQUIRE(left.ok());
    REQUIRE(left->size() == 1);
    CHECK(left->front().recordId == trips.back());

    // The next sync sends t6 and the held entry again (its form may have been published since); the
    // held one still waits, and the report says so.
    const SyncReport again = synchronize(awa, *curl, o);
    INFO(again.toJson().dump());
    CHECK_FALSE(again.ok);
    CHECK(again.pushed == 1);
    CHECK(again.rejected == 1);
    CHECK(again.held == 1);
    CHECK(again.recordsWaiting == 1);
    CHECK(awa.pendingOutbox(100)->empty());
}

TEST_CASE("entries held for a form version the server lacks go again once it is published, every sync says they wait",
          "[sync][backends]") {
    // Issue 21, findings 1, 2 and 4: forms add a door_to_door version the server has not published,
    // new, set, sync; the coordinator publishes it; sync again.
    World w;
    REQUIRE(w.server.admin(std::string("form publish ") + CARNET_SOURCE_DIR + "/assets/forms/door_to_door.json"));
    store::Store awa = w.device("awa");
    auto curl = w.connect(awa, "awa");
    std::string text = *readTextFile(std::string(CARNET_SOURCE_DIR) + "/assets/forms/door_to_door.json");
    const auto at = text.find("\"2026.11.3\"");
    REQUIRE(at != std::string::npos);
    text.replace(at, 11, "\"2026.12.9\"");
    const auto newer = w.dir.path() / "door_to_door_2026.12.9.json";
    std::ofstream(newer) << text;
    REQUIRE(awa.installForm(text).ok());
    const std::string id = *awa.createRecord("door_to_door", "awa");
    REQUIRE(awa.setAnswer(id, "issue_visite", "refus").ok());

    const SyncReport first = synchronize(awa, *curl, fast());
    std::cout << "finding 1, first sync: " << first.toJson().dump() << std::endl;
    CHECK_FALSE(first.ok); // never a clean success while something waits
    CHECK(first.rejected == 2);
    CHECK(first.held == 2);
    CHECK(first.recordsWaiting == 1);
    REQUIRE(first.waiting.size() == 1); // the set waits for its create: one reason
    CHECK(first.waiting[0].code == "unknown_form_version");
    CHECK(first.waiting[0].retried);
    CHECK(first.waiting[0].action.find("publish") != std::string::npos);
    CHECK_FALSE(first.errors.empty());
    CHECK(first.bytesSent > 0); // finding 4: counted on the wire
    CHECK(first.bytesReceived > 0);
    CHECK(first.formsInstalled == 2);
    // Finding 2: the server's older 2026.11.3 arrived; the draft stays on 2026.12.9, no migrate queued.
    CHECK(awa.get(id)->formVersion == "2026.12.9");
    auto outbox = awa.outbox();
    REQUIRE(outbox->size() == 2);
    for (const auto& e : *outbox) {
        CHECK(e.state() == "held");
        CHECK(e.op != "migrate");
    }

    // Every sync says so again (and sends them again: the cause may be gone).
    const SyncReport again = synchronize(awa, *curl, fast());
    CHECK_FALSE(again.ok);
    CHECK(again.held == 2);
    CHECK(again.rejected == 2);

    REQUIRE(w.server.admin("form publish " + newer.string()));
    const SyncReport after = synchronize(awa, *curl, fast());
    std::cout << "finding 1, sync after the publication: " << after.toJson().dump() << std::endl;
    CHECK(after.ok);
    CHECK(after.pushed == 2);
    CHECK(after.merged == 0);
    CHECK(after.held == 0);
    CHECK(after.errors.empty());
    CHECK(awa.outbox()->empty());

    store::Store chloe = w.device("chloe");
    auto curl2 = w.connect(chloe, "chloe");
    REQUIRE(synchronize(chloe, *curl2, fast()).ok);
    auto rec = chloe.get(id);
    REQUIRE(rec.ok());
    CHECK(rec->formVersion == "2026.12.9");
    CHECK(rec->answers["issue_visite"] == "refus");
}

TEST_CASE("solo offline work is pushed as applied, not merged, and never pulled back", "[sync]") {
    // Issue 21, finding 5.
    World w;
    store::Store awa = w.device("awa");
    auto curl = w.connect(awa, "awa");
    REQUIRE(synchronize(awa, *curl, fast()).ok); // forms
    for (int i = 0; i < 6; ++i) {
        const std::string id = *awa.createRecord("trip_survey", "awa");
        REQUIRE(awa.setAnswer(id, "survey_phase", "avant").ok());
        REQUIRE(awa.setAnswer(id, "trajets_voiture_solo", i).ok());
        REQUIRE(awa.setAnswer(id, "trajets_voiture_solo", i + 1).ok());
    }
    const auto queued = static_cast<int>(awa.outbox()->size());
    SyncOptions o = fast();
    o.pushBatch = 5; // the edits of one record travel in different requests too
    const SyncReport r = synchronize(awa, *curl, o);
    INFO(r.toJson().dump());
    CHECK(r.ok);
    CHECK(r.pushed == queued);
    CHECK(r.merged == 0);
    CHECK(r.pulled == 0);
    // Later edits go on top of the acknowledged version: still not merges, still not pulled back.
    const std::string id = awa.list()->front().id;
    REQUIRE(awa.setAnswer(id, "trajets_voiture_solo", 42).ok());
    const SyncReport r2 = synchronize(awa, *curl, o);
    CHECK(r2.ok);
    CHECK(r2.pushed == 1);
    CHECK(r2.merged == 0);
    CHECK(r2.pulled == 0);
}

TEST_CASE("a record's open conflicts show on the devices until a coordinator resolves them", "[sync]") {
    // Issue 21, finding 6.
    World w;
    store::Store awa = w.device("awa");
    auto curl = w.connect(awa, "awa");
    REQUIRE(synchronize(awa, *curl, fast()).ok);
    const std::string id = *awa.importAnswers("trip_survey", json{{"survey_phase", "avant"}}, "awa");
    REQUIRE(synchronize(awa, *curl, fast()).ok);
    store::Store chloe = w.device("chloe");
    auto curl2 = w.connect(chloe, "chloe");
    REQUIRE(synchronize(chloe, *curl2, fast()).ok);
    REQUIRE(chloe.setAnswer(id, "trajets_voiture_solo", 3).ok());
    REQUIRE(awa.setAnswer(id, "trajets_voiture_solo", 4).ok());
    REQUIRE(synchronize(chloe, *curl2, fast()).ok);
    const SyncReport r = synchronize(awa, *curl, fast());
    CHECK(r.conflicts == 1);
    auto rec = awa.get(id);
    REQUIRE(rec.ok());
    CHECK(rec->conflicts == std::vector<std::string>{"trajets_voiture_solo"});
    CHECK(rec->toJson()["conflicts"] == json::array({"trajets_voiture_solo"}));
    CHECK(awa.list()->front().conflicts == std::vector<std::string>{"trajets_voiture_solo"});
    REQUIRE(synchronize(chloe, *curl2, fast()).ok);
    CHECK(chloe.get(id)->conflicts == std::vector<std::string>{"trajets_voiture_solo"});
}

TEST_CASE("transient failures are retried with backoff, a protocol mismatch stops with a clear message", "[sync]") {
    World w;
    store::Store awa = w.device("awa");
    auto curl = w.connect(awa, "awa");
    FaultyTransport faulty(*curl);
    faulty.failBeforeSend = 2;
    std::vector<long long> waits;
    SyncOptions o;
    o.sleep = [&](std::chrono::milliseconds d) { waits.push_back(d.count()); };
    const SyncReport r = synchronize(awa, faulty, o);
    INFO(r.toJson().dump());
    CHECK(r.ok);
    CHECK(waits == std::vector<long long>{200, 400});

    FaultyTransport wrong(*curl);
    wrong.protocolOverride = "2";
    const SyncReport m = synchronize(awa, wrong, fast());
    CHECK_FALSE(m.ok);
    REQUIRE_FALSE(m.errors.empty());
    CHECK(m.errors[0].find("server speaks protocol 2, this device 1") != std::string::npos);

    w.server.stop();
    const SyncReport off = synchronize(awa, *curl, fast());
    CHECK_FALSE(off.ok);
    CHECK(off.offline);
}

TEST_CASE("a pull cut part-way resumes from the last applied page, and an idle sync is one round trip",
          "[sync][backends]") {
    World w;
    store::Store awa = w.device("awa");
    auto curl = w.connect(awa, "awa");
    REQUIRE(synchronize(awa, *curl, fast()).ok);
    for (int i = 0; i < 25; ++i)
        REQUIRE(awa.importAnswers("trip_survey", json{{"survey_phase", i % 2 ? "avant" : "apres"}}, "awa").ok());
    const SyncReport pushed = synchronize(awa, *curl, fast());
    REQUIRE(pushed.ok);
    CHECK(pushed.pushed == 25);

    store::Store chloe = w.device("chloe");
    auto curl2 = w.connect(chloe, "chloe");
    FaultyTransport faulty(*curl2);
    faulty.failPullAfter = 2; // two pages arrive, then the link goes down
    SyncOptions o = fast();
    o.pullLimit = 10;
    const SyncReport cut = synchronize(chloe, faulty, o);
    CHECK_FALSE(cut.ok);
    CHECK(cut.pulled == 20);
    CHECK(chloe.list()->size() == 20);
    const std::string cursor = *chloe.syncCursor();
    CHECK_FALSE(cursor.empty());

    const SyncReport rest = synchronize(chloe, *curl2, o);
    REQUIRE(rest.ok);
    CHECK(rest.pulled == 5);
    CHECK(chloe.list()->size() == 25);

    const SyncReport idle = synchronize(chloe, *curl2, o);
    REQUIRE(idle.ok);
    CHECK(idle.roundTrips == 1);
    CHECK(idle.pulled == 0);
    std::cout << "sync: idle sync " << idle.roundTrips << " round trip, " << idle.bytesSent + idle.bytesReceived
              << " bytes; first pull of 25 records "
              << (cut.bytesSent + cut.bytesReceived + rest.bytesSent + rest.bytesReceived) / 25
              << " bytes per record on the wire; push " << (pushed.bytesSent + pushed.bytesReceived) / 25
              << " bytes per record" << std::endl;
}

TEST_CASE("a pull change spliced from stored answers text is the protocol's own JSON byte for byte", "[sync]") {
    RemoteRecord r;
    r.recordId = "r-1";
    r.version = 7;
    r.kind = "interview";
    r.formId = "mobilite";
    r.formVersion = "2026.11.1";
    r.status = "finalized";
    r.author = GENERATE(std::string("Awa"), std::string("Zoé « la \"brave\" » \\ €"), std::string("tab\there"));
    r.org = "Familles Rurales";
    r.conflicts = {"km", "nom"};
    // Each conflict's values go with it (the device shows both); none: the key is left out.
    const bool withValues = GENERATE(true, false);
    if (withValues)
        r.conflictValues = json{{"km", json::array({json{{"value", 12.5}, {"device_id", "d-1"}, {"version", 3}},
                                                    json{{"value", 14}, {"device_id", "d-2"}, {"version", 4}}})},
                                {"nom", json::array({json{{"value", "Zoé « é »"}, {"device_id", "d-1"}, {"version", 3}},
                                                     json{{"value", nullptr}, {"device_id", "d-2"}, {"version", 4}}})}};
    r.erased = {"téléphone"};
    r.answers = json{{"nom", "Chloé"}, {"km", 12.5}, {"membres", json::array({json{{"age", 40}}})}};
    std::string text;
    appendJson(text, r, r.answers.dump());
    CHECK(text == toJson(r).dump());
    auto back = remoteRecordFromJson(json::parse(text));
    REQUIRE(back.ok());
    CHECK(back->author == r.author);
    CHECK(back->answers == r.answers);
    CHECK(back->erased == r.erased);
    CHECK(back->conflictValues == r.conflictValues);
    CHECK((text.find("conflict_values") != std::string::npos) == withValues);
}

TEST_CASE("the app's store and the sync worker's store on one file: a pulled field and an edit of another both stay",
          "[sync]") {
    World w;
    store::Store app = w.device("awa");
    auto curl = w.connect(app, "awa");
    REQUIRE(synchronize(app, *curl, fast()).ok); // forms
    const std::string id = *app.importAnswers("trip_survey", json{{"survey_phase", "avant"}}, "awa");
    REQUIRE(app.setAnswer(id, "trajets_voiture_solo", 5).ok()); // the app is filling the record
    auto opened = app.openSession(id);
    REQUIRE(opened.ok());
    const auto stampBefore = app.stamp();
    REQUIRE(stampBefore.ok());

    // The sync worker: its own connection on the same file (app/src/sync_worker.cpp).
    auto worker = store::Store::open(w.dir.path() / "awa", store::StoreOptions{Durability::Full, "en", 0});
    REQUIRE(worker.ok());
    REQUIRE(synchronize(*worker, *curl, fast()).ok);

    // The coordinator changes field A on the server; the worker pulls it.
    store::Store chloe = w.device("chloe");
    auto curl2 = w.connect(chloe, "chloe");
    REQUIRE(synchronize(chloe, *curl2, fast()).ok);
    REQUIRE(chloe.setAnswer(id, "trajets_velo", 3).ok());
    REQUIRE(synchronize(chloe, *curl2, fast()).ok);
    const SyncReport pulled = synchronize(*worker, *curl, fast());
    REQUIRE(pulled.ok);
    CHECK(pulled.pulled == 1);
    // The app sees that the file moved under its open session.
    const auto stampAfter = app.stamp();
    REQUIRE(stampAfter.ok());
    CHECK_FALSE(*stampAfter == *stampBefore);

    // Field B edited in the app: both values stay, on the device and on the server.
    REQUIRE(app.setAnswer(id, "trajets_voiture_solo", 7).ok());
    auto rec = app.get(id);
    REQUIRE(rec.ok());
    CHECK(rec->answers["trajets_velo"] == 3);
    CHECK(rec->answers["trajets_voiture_solo"] == 7);
    REQUIRE(synchronize(*worker, *curl, fast()).ok);
    REQUIRE(synchronize(chloe, *curl2, fast()).ok);
    auto server = chloe.get(id);
    REQUIRE(server.ok());
    CHECK(server->answers["trajets_velo"] == 3);
    CHECK(server->answers["trajets_voiture_solo"] == 7);
    auto reopened = app.openSession(id);
    REQUIRE(reopened.ok());
    CHECK((*reopened)->answers()["trajets_velo"] == 3);
}

namespace {

// A form of 24 required whole-number questions: a door-to-door interview's length.
std::string interviewForm() {
    std::string questions;
    for (int i = 1; i <= 24; ++i)
        questions += std::string(i > 1 ? ", " : "") + R"J({"type": "integer", "name": "q)J" + std::to_string(i) +
                     R"J(", "label": "Question", "required": true})J";
    return R"J({"id": "interview24", "version": "1", "title": "Entretien", "languages": ["fr"],
      "default_language": "fr", "pages": [{"type": "page", "name": "p", "label": "P", "children": [)J" +
           questions + "]}]}";
}

// A record's history as the API gives it, read by `transport`'s user.
json historyOf(Transport& transport, const std::string& id) {
    auto r = transport.send(HttpRequest{"GET", "/api/v1/records/" + id + "/history", "", ""});
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
    const json j = json::parse(r->body, nullptr, false);
    REQUIRE(j.is_object());
    return j.value("versions", json::array());
}

// The push body of what `s` holds in its outbox, as the engine builds it: its bytes, and gzipped when
// the engine compresses it (at least kGzipFromBytes), else 0.
std::pair<std::size_t, std::size_t> pushSize(store::Store& s) {
    auto batch = s.pendingOutboxText(0, kMaxPushBatch, true);
    REQUIRE(batch.ok());
    std::vector<PushEntryText> entries;
    for (const auto& e : *batch)
        entries.push_back(PushEntryText{e.seq, e.recordId, e.baseVersion, e.op, e.changesText, e.editedAt});
    const std::string body = pushBody(s.deviceId(), entries);
    const auto z = body.size() >= kGzipFromBytes ? gzip(body) : std::nullopt;
    return {body.size(), z ? z->size() : 0};
}

// Fills the 24 answers (`first` onwards) and finalizes; returns the record's id.
std::string interview(store::Store& s, int first = 1) {
    const std::string id = *s.createRecord("interview24", "awa");
    for (int i = 1; i <= 24; ++i)
        REQUIRE(s.setAnswer(id, "q" + std::to_string(i), first + i).ok());
    REQUIRE(s.finalize(id).ok());
    return id;
}

} // namespace

TEST_CASE("an interview of 24 answers is one version with the device's edit time, applied once through a lost answer",
          "[sync][backends][compaction]") {
    // Issue 22, "History that reads as people work".
    World w;
    const auto formPath = w.dir.path() / "interview24.json";
    std::ofstream(formPath) << interviewForm();
    REQUIRE(w.server.admin("form publish " + formPath.string()));
    store::Store awa = w.device("awa", true);
    auto curl = w.connect(awa, "awa");
    REQUIRE(synchronize(awa, *curl, fast()).ok); // forms
    store::Store chloe = w.device("chloe");
    auto coordinator = w.connect(chloe, "chloe");

    // 24 answers and the finalize: one entry, one push, and the answer to it lost on the way back.
    const std::string id = interview(awa);
    REQUIRE(awa.outbox()->size() == 1);
    const std::string editedAt = awa.outbox()->front().editedAt;
    REQUIRE_FALSE(editedAt.empty());
    FaultyTransport faulty(*curl);
    faulty.loseNextPushResponse = true;
    const SyncReport r = synchronize(awa, faulty, fast());
    INFO(r.toJson().dump());
    REQUIRE(r.ok);
    CHECK(r.pushed == 1);
    CHECK(awa.outbox()->empty());
    const json versions = historyOf(*coordinator, id);
    INFO(versions.dump());
    REQUIRE(versions.size() == 1);
    CHECK(versions[0]["edited_at"] == editedAt);
    CHECK(versions[0]["received_at"].get<std::string>() >= editedAt.substr(0, 10));
    CHECK(versions[0]["user"] == "awa");
    CHECK(versions[0]["status"] == "finalized");
    CHECK(versions[0]["answers"]["q24"] == 25);
    CHECK(awa.get(id)->serverVersion == 1);

    // A push whose answer never comes, then an edit: the entry it read may be applied already, so the
    // edit is an entry of its own; the next sync sends both, and the first is applied once.
    const std::string draft = *awa.createRecord("interview24", "awa");
    REQUIRE(awa.setAnswer(draft, "q1", 1).ok());
    FaultyTransport cut(*curl);
    cut.loseNextPushResponse = true;
    SyncOptions once = fast();
    once.attempts = 1;
    CHECK_FALSE(synchronize(awa, cut, once).ok);
    REQUIRE(awa.setAnswer(draft, "q2", 2).ok());
    REQUIRE(awa.setAnswer(draft, "q3", 3).ok());
    REQUIRE(awa.outbox()->size() == 2);
    const SyncReport again = synchronize(awa, *curl, fast());
    INFO(again.toJson().dump());
    REQUIRE(again.ok);
    CHECK(again.pushed == 2);
    const json draftVersions = historyOf(*coordinator, draft);
    INFO(draftVersions.dump());
    REQUIRE(draftVersions.size() == 2);
    CHECK(draftVersions[1]["changes"].size() == 2);
    CHECK(awa.get(draft)->serverVersion == 2);

    // The same interview with one entry per edit (compaction off), for the numbers.
    store::Store perEdit = w.device("awa-per-edit");
    auto curl3 = w.connect(perEdit, "awa");
    REQUIRE(synchronize(perEdit, *curl3, fast()).ok);
    const std::string other = interview(perEdit, 100);
    const auto entries = perEdit.outbox()->size();
    const auto perEditBody = pushSize(perEdit);
    const SyncReport p = synchronize(perEdit, *curl3, fast());
    REQUIRE(p.ok);
    const auto perEditVersions = historyOf(*coordinator, other).size();
    CHECK(entries == 26);
    CHECK(perEditVersions == 26);
    // And compacted, with nothing lost on the way.
    const std::string clean = interview(awa, 200);
    REQUIRE(awa.outbox()->size() == 1);
    const auto compactedBody = pushSize(awa);
    const SyncReport c = synchronize(awa, *curl, fast());
    REQUIRE(c.ok);
    const auto compactedVersions = historyOf(*coordinator, clean).size();
    CHECK(compactedVersions == 1);
    // The body shrinks; on the wire less so, as the engine gzips a body of 1 kB or more (the 26 entries
    // repeat themselves) and sends a smaller one as it is.
    CHECK(compactedBody.first < perEditBody.first / 3);
    CHECK(compactedBody.second == 0);
    std::cout << "compaction, a 24-answer interview: per edit " << entries << " entries, " << perEditVersions
              << " versions, push body " << perEditBody.first << " B (" << perEditBody.second << " B gzipped), "
              << p.bytesSent << " B sent by the sync, " << p.roundTrips << " round trips; compacted 1 entry, "
              << compactedVersions << " version, push body " << compactedBody.first << " B (not gzipped), "
              << c.bytesSent << " B sent by the sync, " << c.roundTrips << " round trips" << std::endl;
}
