// Sync under bad networks and crashes: deletion and erasure end to end, a randomised convergence run
// through a fault-injecting proxy, kill -9 of the server during pushes, and a slow link with a cut.
// Real parts everywhere: carnet-server processes, device stores on disk, libcurl, TCP sockets.
#include "core/db.hpp"
#include "fault_proxy.hpp"
#include "pg_cluster.hpp"
#include "server_process.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <unistd.h>

using namespace carnet;
using namespace carnet::sync;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kForm = std::string(CARNET_SOURCE_DIR) + "/tests/sync/household_visit.json";

std::uint64_t seedFor(const char* test) {
    std::uint64_t seed = 20261126;
    if (const char* env = std::getenv("CARNET_SYNC_SEED")) seed = std::strtoull(env, nullptr, 10);
    std::cout << test << ": seed " << seed << " (set CARNET_SYNC_SEED to replay)" << std::endl;
    return seed;
}

SyncOptions fast(int attempts = 5) {
    SyncOptions o;
    o.attempts = attempts;
    o.sleep = [](std::chrono::milliseconds) {}; // backoff is counted, not waited
    return o;
}

std::string fileBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The database file and its write-ahead log, as bytes on disk.
std::string dbBytes(const fs::path& db) {
    std::string all = fileBytes(db);
    std::error_code ec;
    if (fs::exists(db.string() + "-wal", ec)) all += fileBytes(db.string() + "-wal");
    return all;
}

// A RAM disk when there is one: the many-round tests are about protocol faults and process crashes,
// not power loss, and on a shared CI disk fsync would dominate their run time. The files are still
// real SQLite files written by the real programs.
fs::path fastDisk() {
    std::error_code ec;
    return fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0 ? fs::path("/dev/shm")
                                                                               : fs::temp_directory_path();
}

struct World {
    test::TempDir dir;
    test::ServerProcess server{CARNET_SERVER_BIN, dir.path() / "server"};
    /// "" (SQLite in the data folder), or for the sync.pg.* tests the server's PostgreSQL database.
    std::string database;
    explicit World(int ambassadors = 2, const fs::path& parent = fs::temp_directory_path(), bool eitherBackend = false)
        : dir(parent)
        , database(eitherBackend ? test::testDatabase() : std::string()) {
        server.setDatabase(database);
        REQUIRE(server.admin("org add alec"));
        for (int i = 0; i < ambassadors; ++i)
            REQUIRE(server.admin("user add amb" + std::to_string(i) + " --role ambassador --org alec --password-stdin",
                                 "fault-password"));
        REQUIRE(server.admin("user add coord --role coordinator --org alec --password-stdin", "fault-password"));
        REQUIRE(server.admin("form publish " + kForm));
        REQUIRE(server.start());
    }
    fs::path serverDb() const { return dir.path() / "server" / "server.db"; }
    // One outbox entry per edit (StoreOptions::compactOutbox off): these tests count mutations, and want
    // many of them in flight.
    store::Store device(const std::string& name) {
        store::StoreOptions o{Durability::Normal, "en", 0};
        o.compactOutbox = false;
        auto s = store::Store::open(dir.path() / name, o);
        REQUIRE(s.ok());
        return std::move(*s);
    }
};

// One device: its store and its own transport (to the server or through a proxy).
struct Device {
    std::string user;
    store::Store store;
    std::unique_ptr<Transport> transport;
    Device(World& w, const std::string& u, const std::string& url)
        : user(u)
        , store(w.device(u))
        , transport(makeCurlTransport(url)) {
        auto r = login(store, *transport, url, u, "fault-password");
        INFO(u << ": " << (r.ok() ? std::string() : r.error().message));
        REQUIRE(r.ok());
    }
    SyncReport sync(const SyncOptions& o = fast()) { return synchronize(store, *transport, o); }
    // Syncs until a sync ends well (faults are random; each try keeps what it did). With `heldOk`, a
    // sync whose only trouble is entries held for a form version the server has not published yet
    // ends well too.
    SyncReport syncUntilOk(std::vector<SyncReport>* all = nullptr, int tries = 60, bool heldOk = false) {
        SyncReport r;
        for (int i = 0; i < tries; ++i) {
            r = sync();
            if (all) all->push_back(r);
            if (r.ok) return r;
            if (heldOk && !r.offline && r.held > 0 && r.errors.size() == r.waiting.size() &&
                std::all_of(r.waiting.begin(), r.waiting.end(),
                            [](const SyncReport::Waiting& w) { return w.code == "unknown_form_version"; }))
                return r;
        }
        FAIL(user << ": no clean sync in " << tries << " tries: " << r.toJson().dump());
        return r;
    }
};

// A JSON GET with a device's session, straight to the server.
json getJson(Transport& t, const std::string& path) {
    auto r = t.send(HttpRequest{"GET", path, "", {}});
    REQUIRE(r.ok());
    INFO(path << " -> " << r->status << " " << r->body);
    REQUIRE(r->status == 200);
    return json::parse(r->body);
}

// One value of a query on the server's PostgreSQL database (the sync.pg.* runs): SQL checks stand
// there for the SQLite file's bytes and integrity check.
std::string pgValue(const std::string& database, const std::string& sql, const std::string& param = {}) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> pg(PQconnectdb(database.c_str()), &PQfinish);
    REQUIRE(PQstatus(pg.get()) == CONNECTION_OK);
    const char* values[] = {param.c_str()};
    std::unique_ptr<PGresult, decltype(&PQclear)> res(
        PQexecParams(pg.get(), sql.c_str(), param.empty() ? 0 : 1, nullptr, values, nullptr, nullptr, 0), &PQclear);
    INFO(sql << ": " << PQerrorMessage(pg.get()));
    REQUIRE(PQresultStatus(res.get()) == PGRES_TUPLES_OK);
    REQUIRE(PQntuples(res.get()) == 1);
    return PQgetisnull(res.get(), 0, 0) ? std::string() : std::string(PQgetvalue(res.get(), 0, 0));
}

} // namespace

TEST_CASE("a deletion and an erasure reach every device, win over late edits and leave no copy behind",
          "[sync][backends]") {
    World w(1, fs::temp_directory_path(), true);
    Device awa(w, "amb0", w.server.url());
    Device chloe(w, "coord", w.server.url());
    REQUIRE(awa.sync().ok);
    // An erase must name fields with null values: anything else is a 400 naming the mutation.
    auto bad = awa.transport->send(HttpRequest{"POST",
                                               "/api/v1/sync/push",
                                               json{{"device_id", awa.store.deviceId()},
                                                    {"mutations",
                                                     {{{"seq", 1},
                                                       {"record_id", "r"},
                                                       {"base_version", 1},
                                                       {"op", "erase"},
                                                       {"changes", {{"fields", {{"nom", "x"}}}}}}}}}
                                                   .dump(),
                                               {}});
    REQUIRE(bad.ok());
    CHECK(bad->status == 400);
    CHECK(bad->body.find("mutations[0]: protocol: erase: 'changes.fields.nom' must be null") != std::string::npos);
    const std::string kName = "Zephyrine-Unique-7731", kPhone = "0611223344", kLate = "Nouveau-Nom-5566";
    const std::string r =
        *awa.store.importAnswers("household_visit", json{{"nom", kName}, {"telephone", kPhone}, {"note", "n1"}}, "awa");
    const std::string d = *awa.store.importAnswers("household_visit", json{{"note", "to-delete"}}, "awa");
    REQUIRE(awa.sync().ok);
    REQUIRE(chloe.sync().ok);
    // The coordinator's review comment names the person: the erasure blanks it, the review stays.
    const std::string kComment = "Mme " + kName + " refuse de répondre";
    auto reviewed = chloe.transport->send(HttpRequest{
        "POST", "/api/v1/records/" + r + "/review", json{{"state", "has_issues"}, {"comment", kComment}}.dump(), {}});
    REQUIRE(reviewed.ok());
    INFO(reviewed->body);
    REQUIRE(reviewed->status == 200);
    CHECK(getJson(*chloe.transport, "/api/v1/records/" + r)["review"]["comment"] == kComment);
    REQUIRE(chloe.store.setAnswer(r, "note", "n2").ok());
    REQUIRE(chloe.store.eraseFields(r, {"nom", "telephone"}).ok());
    REQUIRE(chloe.store.deleteRecord(d).ok());
    CHECK(chloe.store.get(d)->deleted);
    CHECK(chloe.store.list()->size() == 1);
    // The erasing device scrubbed its own file at once.
    CHECK(dbBytes(chloe.store.file()).find(kName) == std::string::npos);
    auto refused = chloe.store.setAnswer(r, "nom", "again");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("erased") != std::string::npos);
    const SyncReport c = chloe.sync();
    INFO(c.toJson().dump());
    REQUIRE(c.ok);

    // Awa, offline meanwhile, wrote to the erased field and to the deleted record.
    REQUIRE(awa.store.setAnswer(r, "nom", kLate).ok());
    REQUIRE(awa.store.setAnswer(r, "nb", 3).ok());
    REQUIRE(awa.store.setAnswer(d, "note", "late edit").ok());
    const SyncReport a = awa.sync();
    INFO(a.toJson().dump());
    REQUIRE(a.ok);
    CHECK(a.discarded == 2); // the write to the erased field, the edit of the deleted record
    CHECK(a.pushed == 1);
    CHECK(a.errors.empty());
    CHECK(awa.store.outbox()->empty());
    auto rec = awa.store.get(r);
    REQUIRE(rec.ok());
    CHECK_FALSE(rec->answers.contains("nom"));
    CHECK_FALSE(rec->answers.contains("telephone"));
    CHECK(rec->answers["nb"] == 3);
    CHECK(rec->answers["note"] == "n2");
    CHECK(rec->erased == std::vector<std::string>{"nom", "telephone"});
    CHECK(awa.store.get(d)->deleted);
    CHECK(awa.store.list()->size() == 1);
    CHECK(dbBytes(awa.store.file()).find(kName) == std::string::npos);
    CHECK(dbBytes(awa.store.file()).find(kLate) == std::string::npos);

    // The review is kept, its comment blanked.
    const json rv = getJson(*chloe.transport, "/api/v1/records/" + r);
    REQUIRE(rv["reviews"].size() == 1);
    CHECK(rv["review"]["state"] == "has_issues");
    CHECK(rv["review"]["user"] == "coord");
    CHECK(rv["review"]["comment"] == "");
    CHECK(rv["reviews"][0]["comment"] == "");

    // History keeps every version, without the erased fields; the tombstone is the last version.
    const json h = getJson(*chloe.transport, "/api/v1/records/" + r + "/history");
    REQUIRE(h["versions"].size() == 4); // create, note, erase, nb
    for (const auto& v : h["versions"]) {
        CHECK_FALSE(v["answers"].contains("nom"));
        CHECK_FALSE(v["answers"].contains("telephone"));
    }
    CHECK(h["versions"][2]["status"] == "erased");
    const json hd = getJson(*chloe.transport, "/api/v1/records/" + d + "/history");
    REQUIRE(hd["versions"].size() == 2);
    CHECK(hd["versions"][0]["answers"]["note"] == "to-delete");
    CHECK(hd["versions"][1]["status"] == "deleted");
    CHECK(hd["versions"][1]["answers"].empty());

    // Nothing of the erased values is left in the server's database, by SQL or (SQLite) in the file's
    // bytes. PostgreSQL's VACUUM frees the old row versions without overwriting them
    // (docs/architecture.md, "PostgreSQL"): there, SQL only.
    w.server.stop();
    const std::vector<std::string> tables{"record_versions WHERE answers", "records WHERE answers",
                                          "record_fields WHERE value", "conflict_values WHERE value",
                                          "record_reviews WHERE comment"};
    if (!w.database.empty()) {
        const auto count = [&](const std::string& sql, const std::string& param) {
            return pgValue(w.database, sql, param);
        };
        for (const auto& value : {kName, kPhone, kLate})
            for (const auto& table : tables)
                CHECK(count("SELECT count(*) FROM " + table + " LIKE $1", "%" + value + "%") == "0");
        CHECK(count("SELECT count(*) FROM records WHERE erased LIKE '%telephone%'", "") == "1");
        CHECK(count("SELECT count(*) FROM record_reviews WHERE state = 'has_issues'", "") == "1");
        CHECK(count("SELECT count(*) FROM record_versions WHERE answers LIKE '%to-delete%'", "") == "1");
        return;
    }
    {
        auto db = Db::open(w.serverDb());
        REQUIRE(db.ok());
        for (const auto& value : {kName, kPhone, kLate}) {
            for (const auto& table : tables) {
                auto st = db->prepare("SELECT count(*) FROM " + table + " LIKE ?");
                REQUIRE(st.ok());
                st->bind(1, "%" + value + "%");
                REQUIRE(*st->step());
                CHECK(st->integer(0) == 0);
            }
        }
        CHECK(*db->scalar("SELECT count(*) FROM records WHERE erased LIKE '%telephone%'") == 1);
        CHECK(*db->scalar("SELECT count(*) FROM record_reviews WHERE state = 'has_issues'") == 1);
    }
    const std::string bytes = dbBytes(w.serverDb());
    CHECK(bytes.find("to-delete") != std::string::npos); // the check can see kept history
    CHECK(bytes.find(kName) == std::string::npos);
    CHECK(bytes.find(kPhone) == std::string::npos);
    CHECK(bytes.find(kLate) == std::string::npos);
    CHECK(bytes.find("refuse de r") == std::string::npos);
}

TEST_CASE("randomised: devices and a coordinator converge through a faulty network", "[sync][faults][backends]") {
    const std::uint64_t seed = seedFor("convergence");
    World w(3, fastDisk(), true);
    // On PostgreSQL (sync.pg.*) a third of the rounds: each push there waits for a commit in another
    // process, and the faults, the oracle and the checks are the same.
    int rounds = w.database.empty() ? 1000 : 300;
    if (const char* env = std::getenv("CARNET_SYNC_ROUNDS")) rounds = std::atoi(env);
    std::mt19937_64 rng(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    test::FaultProxy proxy(w.server.port(), seed);
    std::vector<std::unique_ptr<Device>> devs;
    for (const char* u : {"amb0", "amb1", "amb2", "coord"})
        devs.push_back(std::make_unique<Device>(w, u, proxy.url()));
    Device observer(w, "coord", w.server.url()); // a second coordinator device, straight to the server

    // The oracle.
    struct Rec {
        std::string creator, assignee;
    };
    std::map<std::string, Rec> recs;
    std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::string, json>>> writes;
    std::set<std::string> deleted;
    std::set<std::pair<std::string, std::string>> erased;
    std::vector<std::string> shared;
    int pushed = 0, discarded = 0, rejected = 0, conflicts = 0, syncs = 0, failedSyncs = 0, resolutions = 0;
    int plannedConflicts = 0, uploads = 0;
    auto account = [&](const SyncReport& r) {
        pushed += r.pushed;
        discarded += r.discarded;
        rejected += r.rejected;
        conflicts += r.conflicts;
        uploads += r.attachmentsUploaded;
        ++syncs;
        if (!r.ok) ++failedSyncs;
    };
    bool v3Published = false; // until then amb0's records on version 3 wait, held, on its tablet
    auto syncOk = [&](Device& d) {
        std::vector<SyncReport> all;
        d.syncUntilOk(&all, 60, !v3Published);
        for (const auto& r : all)
            account(r);
        return all;
    };
    auto wrote = [&](const std::string& id, const std::string& field, const std::string& user, const json& v) {
        writes[{id, field}].emplace_back(user, v);
    };

    // Shared households: created by one ambassador, assigned to the next; the coordinator sees all.
    for (auto& d : devs)
        syncOk(*d);
    for (int i = 0; i < 3; ++i) {
        for (int k = 0; k < 2; ++k) {
            const json a{{"nom", "foyer-" + std::to_string(i) + "-" + std::to_string(k)}, {"note", "depart"}};
            const std::string id = *devs[static_cast<std::size_t>(i)]->store.importAnswers("household_visit", a, "x");
            recs[id] = Rec{"amb" + std::to_string(i), "amb" + std::to_string((i + 1) % 3)};
            for (const auto& [f, v] : a.items())
                wrote(id, f, recs[id].creator, v);
            shared.push_back(id);
        }
        syncOk(*devs[static_cast<std::size_t>(i)]);
    }
    for (const auto& id : shared)
        REQUIRE(w.server.admin("record assign " + id + " " + recs[id].assignee));
    for (auto& d : devs)
        syncOk(*d);

    // Form version 2, published mid-run.
    json v2 = json::parse(fileBytes(kForm));
    v2["version"] = "2";
    v2["pages"][0]["children"].push_back(
        json{{"type", "text"}, {"name", "remarque"}, {"label", {{"fr", "Remarque"}, {"en", "Remark"}}}});
    const fs::path v2File = w.dir.path() / "household_v2.json";
    std::ofstream(v2File) << v2.dump();
    // Version 3: amb0 installs it a quarter of the way in, before the server publishes it (three
    // quarters in): its new records are held meanwhile and go by themselves once it is published, and
    // its drafts never move back to version 2 when that arrives.
    json v3 = v2;
    v3["version"] = "3";
    const fs::path v3File = w.dir.path() / "household_v3.json";
    std::ofstream(v3File) << v3.dump();
    int heldSeen = 0;

    test::FaultPlan plan;
    plan.cutBeforeServer = 0.06;
    plan.cutAfterServer = 0.06;
    plan.cutMidResponse = 0.06;
    plan.delay = 0.04;
    plan.replay = 0.06;
    plan.delayBy = std::chrono::milliseconds(5);
    proxy.setPlan(plan);

    for (int round = 0; round < rounds; ++round) {
        if (round == rounds / 2) REQUIRE(w.server.admin("form publish " + v2File.string()));
        if (round == rounds / 4) REQUIRE(devs[0]->store.installForm(v3.dump()).ok());
        if (round == 3 * rounds / 4) {
            REQUIRE(w.server.admin("form publish " + v3File.string()));
            v3Published = true;
        }
        Device& d = *devs[pick(devs.size())];
        const std::string tag = d.user + "-" + std::to_string(round);
        const int ops = static_cast<int>(pick(3));
        for (int k = 0; k < ops; ++k) {
            const std::string val = tag + "-" + std::to_string(k);
            const std::size_t kind = pick(100);
            auto mine = d.store.list();
            REQUIRE(mine.ok());
            if (kind < 20 || mine->empty()) {
                const json a{{"nom", "nom-" + val}, {"note", "note-" + val}};
                auto id = d.store.importAnswers("household_visit", a, d.user);
                REQUIRE(id.ok());
                recs[*id] = Rec{d.user, ""};
                for (const auto& [f, v] : a.items())
                    wrote(*id, f, d.user, v);
                continue;
            }
            const std::string id = (*mine)[pick(mine->size())].id;
            if (kind < 85) {
                static const char* kFields[] = {"note", "nb", "nom", "telephone"};
                const std::string field = kFields[pick(4)];
                const json v = field == "nb" ? json(round * 10 + k) : json(field + "-" + val);
                if (d.store.setAnswer(id, field, v).ok()) wrote(id, field, d.user, v);
            } else if (kind < 90) {
                const fs::path photo = w.dir.path() / ("photo-" + val);
                std::string bytes(200 + pick(1800), '\0');
                for (auto& c : bytes)
                    c = static_cast<char>(rng());
                std::ofstream(photo, std::ios::binary) << bytes;
                auto a = d.store.addAttachment(photo);
                REQUIRE(a.ok());
                if (d.store.setAnswer(id, "photo", a->hash).ok()) wrote(id, "photo", d.user, a->hash);
            } else if (kind < 96) {
                if (std::find(shared.begin(), shared.end(), id) != shared.end()) continue; // kept for conflicts
                REQUIRE(d.store.deleteRecord(id).ok());
                deleted.insert(id);
            } else {
                REQUIRE(d.store.eraseFields(id, {"nom", "telephone"}).ok());
                erased.insert({id, "nom"});
                erased.insert({id, "telephone"});
            }
        }
        const SyncReport rep = d.sync(fast(2)); // few retries: some syncs are cut short and resume next time
        account(rep);
        heldSeen += rep.held;
        if (v3Published && rep.ok) CHECK(rep.held == 0);

        // A planned concurrent edit: both sides start from the same version, write different values.
        if (round % 100 == 50) {
            const std::string h = shared[pick(shared.size())];
            Device& a = *devs[static_cast<std::size_t>(recs[h].creator.back() - '0')];
            Device& b = *devs[static_cast<std::size_t>(recs[h].assignee.back() - '0')];
            syncOk(a);
            syncOk(b);
            syncOk(a);
            const std::string x = "planned-a-" + std::to_string(round), y = "planned-b-" + std::to_string(round);
            REQUIRE(a.store.setAnswer(h, "note", x).ok());
            REQUIRE(b.store.setAnswer(h, "note", y).ok());
            wrote(h, "note", a.user, x);
            wrote(h, "note", b.user, y);
            syncOk(a);
            int seen = 0;
            for (const auto& r : syncOk(b))
                seen += r.conflicts;
            CHECK(seen >= 1);
            const json open = getJson(*observer.transport, "/api/v1/conflicts");
            bool flagged = false;
            for (const auto& c : open["conflicts"])
                if (c["record_id"] == h && c["field"] == "note")
                    for (const auto& v : c["values"])
                        flagged = flagged || v["value"] == y;
            CHECK(flagged);
            auto res = observer.transport->send(
                HttpRequest{"POST", "/api/v1/conflicts/" + h + "/resolve", json{{"fields", {{"note", y}}}}.dump(), {}});
            REQUIRE(res.ok());
            CHECK(res->status == 200);
            ++resolutions;
            ++plannedConflicts;
            wrote(h, "note", "resolution", y);
        }
    }

    // Everyone syncs cleanly, twice round, so every change reached every device.
    proxy.setPlan(test::FaultPlan{});
    for (int pass = 0; pass < 2; ++pass)
        for (auto& d : devs)
            syncOk(*d);
    REQUIRE(observer.sync().ok);
    if (rounds >= 8) CHECK(heldSeen > 0); // amb0's version-3 records were held for a while
    for (auto& d : devs)
        CHECK(d->store.outbox()->empty());
    CHECK(devs[0]->store.syncCounts()->pending == 0);

    // No record lost or doubled; tombstones everywhere.
    auto image = observer.store.list(std::nullopt, true);
    REQUIRE(image.ok());
    std::map<std::string, json> server;
    for (const auto& r : *image)
        server[r.id] = r.answers;
    CHECK(server.size() + deleted.size() == recs.size());
    for (const auto& id : deleted) {
        auto r = observer.store.get(id);
        REQUIRE(r.ok());
        CHECK(r->deleted);
    }
    // Every device sees exactly what it may see, with the server's values.
    for (auto& d : devs) {
        auto list = d->store.list(std::nullopt, true);
        REQUIRE(list.ok());
        std::set<std::string> expected, got;
        for (const auto& [id, rec] : recs)
            if (!deleted.count(id) && (d->user == "coord" || rec.creator == d->user || rec.assignee == d->user))
                expected.insert(id);
        for (const auto& r : *list) {
            got.insert(r.id);
            INFO(d->user << " record " << r.id);
            CHECK(r.answers == server[r.id]);
        }
        CHECK(got == expected);
        for (const auto& id : deleted) {
            auto r = d->store.get(id);
            if (r.ok()) CHECK(r->deleted);
        }
    }
    // Values: none lost, none invented; erased fields gone.
    for (const auto& [key, list] : writes) {
        const auto& [id, field] = key;
        if (deleted.count(id)) continue;
        const json& answers = server[id];
        if (erased.count(key)) {
            CHECK_FALSE(answers.contains(field));
            continue;
        }
        INFO("record " << id << " field " << field);
        REQUIRE(answers.contains(field));
        std::set<std::string> writers;
        bool known = false;
        for (const auto& [u, v] : list) {
            writers.insert(u);
            known = known || v == answers[field];
        }
        CHECK(known);
        if (writers.size() == 1) CHECK(answers[field] == list.back().second);
    }
    // Exactly once: the versions kept are the mutations acknowledged as applied (not a replay more).
    int versions = 0;
    for (const auto& [id, rec] : recs) {
        const json h = getJson(*observer.transport, "/api/v1/records/" + id + "/history");
        for (std::size_t i = 0; i < h["versions"].size(); ++i)
            CHECK(h["versions"][i]["version"] == static_cast<int>(i) + 1);
        versions += static_cast<int>(h["versions"].size());
    }
    CHECK(versions == pushed + resolutions);

    const auto faults = proxy.counts();
    std::cout << "convergence: " << rounds << " rounds, " << syncs << " syncs (" << failedSyncs << " cut short), "
              << proxy.requests() << " requests through the proxy;";
    for (const auto& [f, n] : faults)
        std::cout << ' ' << test::faultName(f) << '=' << n;
    std::cout << "; " << recs.size() << " records, " << versions << " versions, " << conflicts << " conflicts flagged ("
              << plannedConflicts << " planned, all found), " << discarded << " mutations discarded, " << deleted.size()
              << " deletions, " << erased.size() / 2 << " erasures, " << uploads << " attachments uploaded, "
              << rejected << " rejections of entries held for version 3 (" << heldSeen << " held after syncs)"
              << std::endl;
    CHECK(faults.at(test::Fault::Replay) > 0);
    CHECK(faults.at(test::Fault::CutAfterServer) > 0);

    // Erased values are gone from the server's file (on PostgreSQL: from every table, by SQL); the
    // database is sound.
    w.server.stop();
    if (!w.database.empty()) {
        for (const auto& [key, list] : writes)
            if (erased.count(key))
                for (const auto& [u, v] : list)
                    if (v.is_string())
                        for (const char* table : {"record_versions WHERE answers", "records WHERE answers",
                                                  "record_fields WHERE value", "conflict_values WHERE value"})
                            CHECK(pgValue(w.database, std::string("SELECT count(*) FROM ") + table + " LIKE $1",
                                          "%" + v.get<std::string>() + "%") == "0");
        return;
    }
    const std::string bytes = dbBytes(w.serverDb());
    for (const auto& [key, list] : writes)
        if (erased.count(key))
            for (const auto& [u, v] : list)
                if (v.is_string()) CHECK(bytes.find(v.get<std::string>()) == std::string::npos);
    auto db = Db::open(w.serverDb());
    REQUIRE(db.ok());
    auto st = db->prepare("PRAGMA integrity_check");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    CHECK(st->text(0) == "ok");
}

TEST_CASE("kill -9 of the server during pushes loses nothing acknowledged and applies nothing twice",
          "[sync][faults][backends]") {
    const std::uint64_t seed = seedFor("server crash");
    std::mt19937_64 rng(seed);
    World w(1, fastDisk(), true);
    test::FaultProxy proxy(w.server.port(), seed);
    Device awa(w, "amb0", proxy.url());
    REQUIRE(awa.sync().ok);
    constexpr int kRecords = 60;
    std::map<std::string, json> expected;
    for (int i = 0; i < kRecords; ++i) {
        const std::string id =
            *awa.store.importAnswers("household_visit", json{{"note", "n" + std::to_string(i)}}, "a");
        REQUIRE(awa.store.setAnswer(id, "nb", i).ok());
        REQUIRE(awa.store.setAnswer(id, "nom", "nom" + std::to_string(i)).ok());
        REQUIRE(awa.store.setAnswer(id, "note", "fin" + std::to_string(i)).ok());
        expected[id] = json{{"note", "fin" + std::to_string(i)}, {"nb", i}, {"nom", "nom" + std::to_string(i)}};
    }
    // Kill the server right after the n-th push request reached it (while it applies the batch).
    std::set<int> killAt;
    for (int k = 0; k < 4; ++k)
        killAt.insert(2 + 5 * k + static_cast<int>(rng() % 4));
    std::atomic<int> pushes{0}, kills{0};
    std::atomic<bool> down{false};
    const auto jitter = std::chrono::microseconds(rng() % 3000);
    proxy.onDelivered([&](const std::string& line) {
        if (line.find("/api/v1/sync/push") == std::string::npos) return;
        if (killAt.count(++pushes) == 0) return;
        std::this_thread::sleep_for(jitter);
        w.server.kill9();
        ++kills;
        down = true;
    });
    SyncOptions o = fast(2);
    o.pushBatch = 10;
    int pushed = 0, tries = 0;
    while (!awa.store.outbox()->empty() && tries++ < 50) {
        const SyncReport r = awa.sync(o);
        pushed += r.pushed;
        if (down) {
            REQUIRE(w.server.start()); // same data folder
            proxy.setUpstreamPort(w.server.port());
            down = false;
        }
    }
    const SyncReport last = awa.sync(o);
    pushed += last.pushed;
    REQUIRE(last.ok);
    CHECK(awa.store.outbox()->empty());
    CHECK(kills == 4);
    CHECK(pushed == kRecords * 4);

    Device chloe(w, "coord", w.server.url());
    REQUIRE(chloe.sync().ok);
    for (const auto& [id, answers] : expected) {
        auto r = chloe.store.get(id);
        REQUIRE(r.ok());
        CHECK(r->answers == answers);
        const json h = getJson(*chloe.transport, "/api/v1/records/" + id + "/history");
        CHECK(h["versions"].size() == 4); // create + three edits: none lost, none applied twice
    }
    w.server.stop();
    // Every acknowledged mutation is recorded once among the applied batches.
    if (!w.database.empty()) {
        CHECK(pgValue(w.database, "SELECT sum(jsonb_array_length(results::jsonb)) FROM applied_batches") ==
              std::to_string(kRecords * 4));
        CHECK(pgValue(w.database, "SELECT count(DISTINCT e ->> 'seq') FROM applied_batches, "
                                  "jsonb_array_elements(results::jsonb) AS e") == std::to_string(kRecords * 4));
    } else {
        auto db = Db::open(w.serverDb());
        REQUIRE(db.ok());
        auto st = db->prepare("PRAGMA integrity_check");
        REQUIRE(st.ok());
        REQUIRE(*st->step());
        CHECK(st->text(0) == "ok");
        CHECK(*db->scalar("SELECT sum(json_array_length(results)) FROM applied_batches") == kRecords * 4);
        CHECK(*db->scalar("SELECT count(DISTINCT value ->> 'seq') FROM applied_batches, json_each(results)") ==
              kRecords * 4);
    }
    std::cout << "server crash: " << kills << " kill -9 during " << pushes << " push requests, " << tries << " syncs, "
              << pushed << " mutations acknowledged, each applied once" << std::endl;
}

TEST_CASE("a day's work over a slow link completes, and a cut resumes without resending what arrived",
          "[sync][faults][slow]") {
    const std::uint64_t seed = seedFor("slow link");
    std::mt19937_64 rng(seed);
    World w(1);
    test::FaultProxy proxy(w.server.port(), seed);
    Device awa(w, "amb0", proxy.url());
    REQUIRE(awa.sync().ok);
    // 50 interviews with one photo each. Photos are 8 KiB of random (incompressible) bytes, smaller
    // than a real JPEG so the test stays under a minute at 20 kB/s (docs/sync-protocol.md).
    constexpr int kInterviews = 50;
    constexpr std::size_t kPhoto = 8 * 1024;
    std::set<std::string> hashes;
    for (int i = 0; i < kInterviews; ++i) {
        const std::string id = *awa.store.importAnswers(
            "household_visit", json{{"note", "entretien " + std::to_string(i)}, {"nb", i % 6 + 1}}, "a");
        std::string bytes(kPhoto, '\0');
        for (auto& c : bytes)
            c = static_cast<char>(rng());
        const fs::path photo = w.dir.path() / ("photo" + std::to_string(i) + ".jpg");
        std::ofstream(photo, std::ios::binary) << bytes;
        auto a = awa.store.addAttachment(photo);
        REQUIRE(a.ok());
        hashes.insert(a->hash);
        REQUIRE(awa.store.setAnswer(id, "photo", a->hash + ".jpg").ok());
    }
    proxy.setThrottle(20000, std::chrono::milliseconds(150)); // 20 kB/s, 300 ms round trip
    const std::uint64_t before = proxy.bytesFromClients();
    proxy.cutAtClientByte(before + kInterviews * kPhoto / 2); // the link drops halfway through the photos
    const auto t0 = std::chrono::steady_clock::now();
    SyncReport total;
    int syncs = 0;
    for (; syncs < 5; ++syncs) {
        const SyncReport r = awa.sync(fast(8));
        total.pushed += r.pushed;
        total.attachmentsUploaded += r.attachmentsUploaded;
        total.attachmentBytes += r.attachmentBytes;
        if (r.ok) break;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(syncs < 5);
    CHECK(total.pushed == kInterviews * 2);
    CHECK(total.attachmentsUploaded == kInterviews);
    CHECK(awa.store.outbox()->empty());
    // The cut happened, and what was resent is bounded by one chunk (plus a push batch, not needed here).
    const std::uint64_t wasted = proxy.wastedClientBytes();
    CHECK(wasted > 0);
    CHECK(wasted <= kPhoto + 4096);
    CHECK(total.attachmentBytes <= kInterviews * kPhoto + kPhoto);
    CHECK(total.attachmentBytes >= kInterviews * kPhoto);
    // Every photo is on the server, complete.
    for (const auto& h : hashes) {
        const json st = getJson(*awa.transport, "/api/v1/attachments/" + h);
        CHECK(st["complete"] == true);
        CHECK(st["received"] == kPhoto);
    }
    std::cout << "slow link (20 kB/s, 300 ms round trip): " << kInterviews << " interviews with " << kPhoto
              << "-byte photos synced in " << seconds << " s, " << (proxy.bytesFromClients() - before) << " bytes up, "
              << total.attachmentBytes << " attachment bytes, " << wasted << " bytes lost to the cut and resent"
              << std::endl;
}

// Issue 21, finding 3: a response cut inside its headers was read as "server speaks protocol ?:
// update Carnet" (25 bytes) or "response is not JSON" (60 bytes), and the sync stopped; login failed
// the same way. Every cut in the first 200 bytes of a response (the status line, the headers and the
// start of the body) must be a network failure: reported offline, retried, and never an "update".
TEST_CASE("a response cut at any of its first 200 bytes is a network failure, retried, for sync and login",
          "[sync][faults]") {
    World w(1);
    test::FaultProxy proxy(w.server.port(), 21);
    Device awa(w, "amb0", proxy.url());
    REQUIRE(awa.sync().ok);
    auto misread = [](const std::vector<std::string>& errors) {
        return std::any_of(errors.begin(), errors.end(), [](const std::string& e) {
            return e.find("protocol") != std::string::npos || e.find("update") != std::string::npos ||
                   e.find("not JSON") != std::string::npos;
        });
    };
    int recovered = 0, loginsRecovered = 0;
    for (std::size_t cut = 0; cut < 200; ++cut) {
        INFO("response cut after " << cut << " bytes");
        // Something to push, so that the cut response is the push's answer on odd offsets and the
        // pull's on even ones (the push goes first; a cut one is retried within the sync).
        if (cut % 2 == 1) {
            auto id = awa.store.importAnswers("household_visit", json{{"note", "cut " + std::to_string(cut)}}, "a");
            REQUIRE(id.ok());
        }
        proxy.cutResponseAt(cut);
        if (cut % 10 == 0) { // one attempt: the cut is what the report tells
            const SyncReport once = awa.sync(fast(1));
            CHECK_FALSE(once.ok);
            CHECK(once.offline);
            CHECK_FALSE(misread(once.errors));
        }
        // Two attempts: the cut one is retried within the sync, which then ends well.
        const SyncReport next = awa.sync(fast(2));
        CHECK(next.ok);
        CHECK_FALSE(misread(next.errors));
        recovered += next.ok ? 1 : 0;

        // Login, at every tenth offset: each login costs the server an argon2id hash (~70 ms).
        if (cut % 10 != 0) continue;
        proxy.cutResponseAt(cut);
        store::Store other = w.device("login" + std::to_string(cut % 4));
        auto cutLogin = login(other, *awa.transport, proxy.url(), "amb0", "fault-password", fast(1));
        REQUIRE_FALSE(cutLogin.ok());
        CHECK(cutLogin.error().code == ErrorCode::Offline);
        CHECK_FALSE(misread({cutLogin.error().message}));
        auto again = login(other, *awa.transport, proxy.url(), "amb0", "fault-password", fast(2));
        CHECK(again.ok());
        loginsRecovered += again.ok() ? 1 : 0;
        // The transport now holds the last login's session: the device goes on with it.
        auto token = other.setting("server_token");
        REQUIRE(token.ok());
        REQUIRE(awa.store.setSetting("server_token", *token).ok());
    }
    CHECK(recovered == 200);
    CHECK(loginsRecovered == 20);
    REQUIRE(awa.sync().ok);
    CHECK(awa.store.outbox()->empty());
}
