// The Repository on both backends: SQLite files and the test PostgreSQL cluster (pg_cluster.hpp).
// The same assertions for each; then what only several writers at once can show (row locks, the
// exactly-once push, a pull cursor that never skips a change committing late).

#include "core/db.hpp"
#include "pg_cluster.hpp"
#include "server/postgres_repository.hpp"
#include "server/schema.hpp"
#include "server/sqlite_repository.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <libpq-fe.h>
#include <set>
#include <thread>

using namespace carnet;
using namespace carnet::server;
using nlohmann::json;

namespace {

struct Backend {
    std::string name;
    test::TempDir dir;
    std::string url; ///< PostgreSQL only
    std::unique_ptr<Repository> repo;
    PostgresRepository* pg = nullptr;

    explicit Backend(std::string backend)
        : name(std::move(backend)) {
        if (name == "sqlite") {
            auto r = SqliteRepository::open(dir.path() / "server.db");
            REQUIRE(r.ok());
            repo = std::move(*r);
        } else {
            url = test::freshPostgresDatabase();
            auto r = PostgresRepository::open(url);
            INFO((r.ok() ? std::string() : r.error().message));
            REQUIRE(r.ok());
            pg = r->get();
            repo = std::move(*r);
        }
    }
};

struct Accounts {
    std::int64_t org = 0, other = 0, awa = 0, coco = 0;
};

Accounts addAccounts(Repository& repo) {
    Accounts a;
    a.org = repo.addOrg("alec").value();
    a.other = repo.addOrg("other").value();
    a.awa = repo.addUser(User{0, "awa", Role::Ambassador, a.org, "", "hash-a"}).value();
    a.coco = repo.addUser(User{0, "coco", Role::Coordinator, a.org, "", "hash-c"}).value();
    return a;
}

// One version of `id` setting `field` to `value`, written by `device` (a new record when absent).
Result<void> putField(WriteTx& tx, const std::string& id, const Accounts& a, const std::string& field,
                      const json& value, const std::string& device, const std::string& formId = "household") {
    auto cur = tx.loadRecord(id);
    if (!cur.ok()) return cur.error();
    RecordState s;
    if (*cur) {
        s = std::move(**cur);
    } else {
        s.recordId = id;
        s.orgId = a.org;
        s.createdBy = a.awa;
        s.kind = "record";
        s.formId = formId;
        s.formVersion = "1";
        s.status = "submitted";
        s.author = "awa";
    }
    s.version += 1;
    s.answers[field] = value;
    s.fields[field] = FieldMeta{value, s.version, device};
    return tx.saveVersion(s, versionRowOf(s, device, "awa", {field}));
}

// A PostgreSQL statement's single text value, on a connection of its own.
std::string pgValue(const std::string& url, const std::string& sql, const std::string& param) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
    REQUIRE(PQstatus(c.get()) == CONNECTION_OK);
    const char* values[] = {param.c_str()};
    std::unique_ptr<PGresult, decltype(&PQclear)> r(
        PQexecParams(c.get(), sql.c_str(), param.empty() ? 0 : 1, nullptr, values, nullptr, nullptr, 0), &PQclear);
    INFO(PQerrorMessage(c.get()));
    REQUIRE(PQresultStatus(r.get()) == PGRES_TUPLES_OK);
    std::string out;
    for (int i = 0; i < PQntuples(r.get()); ++i)
        out += std::string(PQgetvalue(r.get(), i, 0)) +
               (PQnfields(r.get()) > 1 ? "." + std::string(PQgetvalue(r.get(), i, 1)) : "") + "\n";
    return out;
}

} // namespace

TEST_CASE("repository: accounts, forms, records, pulls and lists behave the same on both backends", "[repository]") {
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
    INFO(backend);
    Backend b(backend);
    Repository& repo = *b.repo;
    const Accounts a = addAccounts(repo);

    // Accounts: names are unique, tokens live and die.
    CHECK(repo.addOrg("alec").error().code == ErrorCode::Conflict);
    CHECK(repo.addUser(User{0, "awa", Role::Admin, a.other, "", "x"}).error().code == ErrorCode::Conflict);
    auto awa = repo.findUser("awa");
    REQUIRE(awa.ok());
    REQUIRE(*awa);
    CHECK((*awa)->orgName == "alec");
    CHECK((*awa)->passwordHash == "hash-a");
    CHECK(repo.findOrg("other").value()->id == a.other);
    CHECK(!repo.findOrg("nobody").value());
    auto orgs = repo.listOrgs();
    REQUIRE(orgs.ok());
    REQUIRE(orgs->size() == 2);
    CHECK((*orgs)[0].id == a.org);
    CHECK((*orgs)[0].name == "alec");
    CHECK((*orgs)[1].name == "other");
    REQUIRE(repo.addToken("tok", a.awa).ok());
    const TokenWindow live{"2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z",
                           "2099-01-01T00:00:00Z"};
    CHECK(repo.useToken("tok", live).value()->name == "awa");
    const TokenWindow expired{"2100-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z",
                              "2099-01-01T00:00:00Z"};
    CHECK(!repo.useToken("tok", expired).value());
    REQUIRE(repo.revokeToken("tok").ok());
    CHECK(!repo.useToken("tok", live).value());
    CHECK(repo.registerDevice("dev-a", a.awa, "phone").value() == a.awa);
    CHECK(repo.registerDevice("dev-a", a.coco, "other").value() == a.awa); // already registered
    CHECK(repo.deviceOwner("dev-a").value() == a.awa);
    CHECK(!repo.deviceOwner("dev-x").value());
    CHECK(repo.listUsers(a.org).value().size() == 2);

    // Forms: per owner, the organisation's own version wins over the shared one.
    REQUIRE(repo.insertForm(FormRow{"household", "1", "h-shared", "{}", kSharedForms}).ok());
    REQUIRE(repo.insertForm(FormRow{"household", "1", "h-own", "{\"own\":1}", a.org}).ok());
    CHECK(repo.insertForm(FormRow{"household", "1", "h", "{}", a.org}).error().code == ErrorCode::Conflict);
    CHECK(repo.findForm(a.org, "household", "1").value()->hash == "h-own");
    CHECK(repo.findForm(a.other, "household", "1").value()->hash == "h-shared");
    CHECK(repo.listForms(a.org, {}).value().size() == 1);
    CHECK(repo.listFormRows(a.other).value().size() == 1);

    // Records: versions, history, conflicts, erasure.
    REQUIRE(repo.write([&](WriteTx& tx) -> Result<void> {
                    if (auto r = putField(tx, "r1", a, "nom", "Hélène DIALLO", "dev-a"); !r.ok()) return r;
                    if (auto r = putField(tx, "r2", a, "person_id", "p7", "dev-a", "consent"); !r.ok()) return r;
                    auto exists = tx.formExists(a.org, "household", "1");
                    if (!exists.ok()) return exists.error();
                    CHECK(*exists);
                    CHECK(!tx.formExists(a.org, "household", "9").value());
                    return tx.noteDeviceReport("dev-a", DeviceReport{3, 1, false});
                })
                .ok());
    REQUIRE(repo.write([&](WriteTx& tx) -> Result<void> {
                    if (auto r = putField(tx, "r1", a, "age", 41, "dev-a"); !r.ok()) return r;
                    if (auto r = tx.addConflict("r1", "nom", {ConflictValue{"Helene", "dev-b", 2}}); !r.ok()) return r;
                    auto at1 = tx.answersAt("r1", 1);
                    if (!at1.ok()) return at1.error();
                    CHECK(at1->value() == json{{"nom", "Hélène DIALLO"}});
                    auto linked = tx.linked(a.org, "consent", "person_id", "p7");
                    if (!linked.ok()) return linked.error();
                    CHECK(linked->size() == 1);
                    CHECK(tx.linked(a.org, "consent", "person_id", "p8").value().empty());
                    CHECK(tx.linked(a.org, "consent", "x'y", "p8").error().code == ErrorCode::Invalid);
                    return {};
                })
                .ok());
    auto r1 = repo.findRecord("r1");
    REQUIRE(r1.ok());
    REQUIRE(*r1);
    CHECK((*r1)->version == 2);
    CHECK((*r1)->answers == json{{"nom", "Hélène DIALLO"}, {"age", 41}});
    CHECK((*r1)->conflicts == std::vector<std::string>{"nom"});
    auto hist = repo.history("r1");
    REQUIRE(hist.ok());
    REQUIRE(hist->size() == 2);
    CHECK((*hist)[0].changed == std::vector<std::string>{"nom"});
    CHECK((*hist)[1].changed == std::vector<std::string>{"age"});
    CHECK(!(*hist)[1].receivedAt.empty());
    auto conflicts = repo.openConflicts(a.org);
    REQUIRE(conflicts.ok());
    REQUIRE(conflicts->size() == 1);
    CHECK(conflicts->front().values.front().value == "Helene");
    CHECK(repo.openConflicts(a.other).value().empty());

    // Pulls: by change sequence, scoped, paged, with the conflicts' values.
    const Scope coordinator{a.org, std::nullopt};
    auto page = repo.changes(coordinator, 0, 1, false, "dev-z");
    REQUIRE(page.ok());
    CHECK(page->records.size() == 1);
    CHECK(page->more);
    page = repo.changes(coordinator, page->records.back().changeSeq, 10, true, "dev-z");
    REQUIRE(page.ok());
    REQUIRE(page->records.size() == 1);
    CHECK(page->records[0].recordId == "r1");
    CHECK(json::parse(page->records[0].answersText) == json{{"nom", "Hélène DIALLO"}, {"age", 41}});
    CHECK(page->records[0].conflictValues["nom"][0]["device_id"] == "dev-b");
    CHECK(page->seenTo == page->records[0].changeSeq);
    CHECK(repo.changes(Scope{a.org, a.coco}, 0, 10, false, {}).value().records.empty());
    REQUIRE(repo.assignRecord("r1", a.coco).ok());
    CHECK(repo.assignRecord("nope", a.coco).error().code == ErrorCode::NotFound);
    CHECK(repo.changes(Scope{a.org, a.coco}, 0, 10, false, {}).value().records.size() == 1);

    // Lists: filters, folded text search, counts.
    RecordQuery q;
    q.scope = coordinator;
    q.terms = searchTerms("Hélène DIALLO");
    bool more = true;
    auto rows = repo.listRecords(q, more);
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 1);
    CHECK(!more);
    CHECK(rows->front().createdByName == "awa");
    CHECK(rows->front().record.conflicts == std::vector<std::string>{"nom"});
    CHECK(repo.countRecords(q).value() == 1);
    q.terms.clear();
    q.formId = "consent";
    CHECK(repo.countRecords(q).value() == 1);
    q.formId.clear();
    q.order = RecordOrder::Interview;
    q.newestFirst = true;
    CHECK(repo.listRecords(q, more).value().size() == 2);

    // Devices, references, erasure.
    auto devices = repo.listDevices(a.org);
    REQUIRE(devices.ok());
    REQUIRE(devices->size() == 1);
    CHECK(devices->front().pending == 3);
    CHECK(devices->front().draftsBehind == 1);
    CHECK(repo.orgsReferencing("DIALLO").value() == std::vector<std::int64_t>{a.org});
    REQUIRE(repo.write([&](WriteTx& tx) { return tx.scrubFields("r1", {"nom"}, {"nom"}, 3); }).ok());
    CHECK(repo.history("r1").value()[0].answers == json::object());
    CHECK(repo.openConflicts(a.org).value().empty());
    CHECK(repo.findRecord("r1").value()->erased == std::vector<std::string>{"nom"});
    CHECK(repo.purgeFreedData().ok());
}

TEST_CASE("repository: both backends' schemas have the same tables and columns", "[repository]") {
    Backend sqlite("sqlite");
    Backend pg("postgresql");
    auto db = Db::open(sqlite.dir.path() / "server.db");
    REQUIRE(db.ok());
    auto st = db->prepare("SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
                          "WHERE m.type = 'table' ORDER BY 1, 2");
    REQUIRE(st.ok());
    std::set<std::string> lite;
    while (st->step().value())
        lite.insert(st->text(0) + "." + st->text(1));
    std::set<std::string> postgres;
    const std::string text = pgValue(pg.url,
                                     "SELECT table_name, column_name FROM information_schema.columns WHERE "
                                     "table_schema = 'public' ORDER BY 1, 2",
                                     "");
    std::size_t from = 0;
    while (from < text.size()) {
        const auto end = text.find('\n', from);
        postgres.insert(text.substr(from, end - from));
        from = end + 1;
    }
    // Where the backends differ on purpose (schema.cpp): PostgreSQL's version table, and the id
    // conflict_values are ordered by (SQLite's rowid).
    postgres.erase("schema_version.version");
    postgres.erase("conflict_values.id");
    // SQLite's search index is tables (FTS5, schema 13); PostgreSQL's is an index.
    std::erase_if(lite, [](const std::string& c) { return c.rfind("record_search", 0) == 0; });
    CHECK(lite == postgres);
    CHECK(schemaVersions().back().version == db->scalar("PRAGMA user_version").value());
}

TEST_CASE("repository: PostgreSQL's carnet_fold folds text as foldText does (record search)", "[repository]") {
    Backend pg("postgresql");
    for (const std::string s : {"Hélène DIALLO", "  jean-pierre  l'Œuvre ", "Ça\tva.bien", "naïve FAÇADE", "ÀÉÎÔÜ æ",
                                "rue d’Alésia", "x--y"}) {
        INFO(s);
        CHECK(pgValue(pg.url, "SELECT carnet_fold($1)", s) == foldText(s) + "\n");
    }
}

TEST_CASE("repository: concurrent writes to one record each merge into the latest version (no lost update)",
          "[repository]") {
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
    INFO(backend);
    Backend b(backend);
    const Accounts a = addAccounts(*b.repo);
    constexpr int kWriters = 4;
    constexpr int kWrites = 8;
    std::vector<std::thread> writers;
    std::atomic<int> failures{0};
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] {
            for (int i = 0; i < kWrites; ++i) {
                auto r = b.repo->write([&](WriteTx& tx) {
                    return putField(tx, "shared", a, "w" + std::to_string(w), i, "dev-" + std::to_string(w));
                });
                if (!r.ok()) ++failures;
            }
        });
    for (auto& t : writers)
        t.join();
    CHECK(failures == 0);
    auto rec = b.repo->findRecord("shared");
    REQUIRE(rec.ok());
    REQUIRE(*rec);
    CHECK((*rec)->version == kWriters * kWrites);
    for (int w = 0; w < kWriters; ++w)
        CHECK((*rec)->answers["w" + std::to_string(w)] == kWrites - 1);
    CHECK(b.repo->history("shared").value().size() == kWriters * kWrites);
}

TEST_CASE("repository: a push retried at once (another process) is applied exactly once", "[repository]") {
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
    INFO(backend);
    Backend b(backend);
    const Accounts a = addAccounts(*b.repo);
    for (std::int64_t seq = 1; seq <= 10; ++seq) {
        std::atomic<int> applied{0}, replayed{0}, failures{0};
        auto push = [&] {
            auto r = b.repo->write([&](WriteTx& tx) -> Result<void> {
                auto stored = tx.storedResults("dev-a", seq, seq);
                if (!stored.ok()) return stored.error();
                if (!stored->empty()) {
                    ++replayed;
                    return {};
                }
                if (auto p = putField(tx, "counted", a, "n", seq, "dev-a"); !p.ok()) return p;
                ++applied;
                return tx.storeResults("dev-a", seq, seq, json::array({{{"seq", seq}}}).dump());
            });
            if (!r.ok()) ++failures;
        };
        std::thread first(push), second(push);
        first.join();
        second.join();
        INFO("seq " << seq);
        CHECK(failures == 0);
        CHECK(replayed == 1);
        CHECK(b.repo->findRecord("counted").value()->version == seq);
    }
}

TEST_CASE("repository: on PostgreSQL a pull never moves past a change that commits late", "[repository]") {
    Backend b("postgresql");
    const Accounts a = addAccounts(*b.repo);
    REQUIRE(b.repo->write([&](WriteTx& tx) { return putField(tx, "r0", a, "n", 0, "dev-a"); }).ok());
    const Scope scope{a.org, std::nullopt};
    const std::int64_t cursor = b.repo->changes(scope, 0, 10, false, "dev-z").value().seenTo;
    REQUIRE(cursor > 0);

    // Writer A takes its change sequence and stops before committing; writer B, which started
    // later, then wants the next sequence.
    std::promise<void> aAtCommit, release;
    auto releasing = release.get_future().share();
    std::atomic<bool> armed{true};
    b.pg->setBeforeCommit([&] {
        if (!armed.exchange(false)) return;
        aAtCommit.set_value();
        releasing.wait();
    });
    std::thread writerA(
        [&] { CHECK(b.repo->write([&](WriteTx& tx) { return putField(tx, "ra", a, "n", 1, "dev-a"); }).ok()); });
    aAtCommit.get_future().wait();
    std::atomic<bool> bDone{false};
    std::thread writerB([&] {
        CHECK(b.repo->write([&](WriteTx& tx) { return putField(tx, "rb", a, "n", 2, "dev-b"); }).ok());
        bDone = true;
    });
    // B waits on the change counter's lock that A holds until it commits (a design that let B
    // commit first would end this wait by bDone, and fail below).
    while (!bDone &&
           pgValue(b.url, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", "") == "0\n")
        std::this_thread::yield();
    CHECK(!bDone);

    auto during = b.repo->changes(scope, cursor, 10, false, "dev-z");
    REQUIRE(during.ok());
    CHECK(during->records.empty());
    CHECK(during->seenTo == cursor); // the cursor stays before A's uncommitted change

    release.set_value();
    writerA.join();
    writerB.join();
    auto after = b.repo->changes(scope, during->seenTo, 10, false, "dev-z");
    REQUIRE(after.ok());
    REQUIRE(after->records.size() == 2);
    CHECK(after->records[0].recordId == "ra"); // sequence order is commit order
    CHECK(after->records[1].recordId == "rb");
    CHECK(after->records[0].changeSeq < after->records[1].changeSeq);
    CHECK(after->seenTo == after->records[1].changeSeq);
}

TEST_CASE("repository: accounts and devices are managed the same on both backends", "[repository][accounts]") {
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
    INFO(backend);
    Backend b(backend);
    Repository& repo = *b.repo;
    const Accounts a = addAccounts(repo);
    const TokenWindow live{"2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z",
                           "2099-01-01T00:00:00Z"};
    REQUIRE(repo.addToken("tok-a", a.awa).ok());
    REQUIRE(repo.addToken("tok-c", a.coco).ok());
    auto users = repo.listUsers(a.org).value();
    REQUIRE(users.size() == 2);
    CHECK(!users[0].lastActive.empty()); // awa logged in (her token's creation)
    CHECK(users[0].passwordHash.empty());

    UserChange role;
    role.role = Role::Coordinator;
    REQUIRE(repo.updateUser(a.awa, role).ok());
    CHECK(repo.findUser("awa").value()->role == Role::Coordinator);
    CHECK(repo.findUser("awa").value()->passwordHash == "hash-a");
    CHECK(repo.useToken("tok-a", live).value()); // a role change keeps tokens

    UserChange reset;
    reset.passwordHash = "hash-temp";
    reset.mustChangePassword = true;
    reset.revokeTokens = true;
    REQUIRE(repo.updateUser(a.awa, reset).ok());
    auto awa = repo.findUser("awa").value();
    CHECK(awa->passwordHash == "hash-temp");
    CHECK(awa->mustChangePassword);
    CHECK(!repo.useToken("tok-a", live).value());
    CHECK(repo.useToken("tok-c", live).value()); // only hers

    REQUIRE(repo.addToken("tok-a2", a.awa).ok());
    UserChange off;
    off.disabled = true;
    REQUIRE(repo.updateUser(a.awa, off).ok());
    CHECK(repo.findUser("awa").value()->disabled);
    CHECK(!repo.useToken("tok-a2", live).value()); // no token of a deactivated user works
    off.disabled = false;
    REQUIRE(repo.updateUser(a.awa, off).ok());
    CHECK(!repo.findUser("awa").value()->disabled);
    CHECK(repo.useToken("tok-a2", live).value());
    CHECK(repo.updateUser(9999, off).error().code == ErrorCode::NotFound);

    REQUIRE(repo.registerDevice("dev-a", a.awa, "Tablette").ok());
    DeviceReport report;
    report.appVersion = "0.1.0";
    report.endOfSync = true;
    REQUIRE(repo.noteDeviceReport("dev-a", report).ok());
    auto dev = repo.findDevice("dev-a").value();
    REQUIRE(dev);
    CHECK(dev->userId == a.awa);
    CHECK(dev->orgId == a.org);
    CHECK(dev->appVersion == "0.1.0");
    CHECK(dev->revokedAt.empty());
    DeviceChange rename;
    rename.name = "Tablette 7";
    REQUIRE(repo.updateDevice("dev-a", rename).ok());
    DeviceChange revoke;
    revoke.revoke = true;
    REQUIRE(repo.updateDevice("dev-a", revoke).ok());
    dev = repo.findDevice("dev-a").value();
    CHECK(dev->name == "Tablette 7");
    CHECK(!dev->revokedAt.empty());
    CHECK(repo.listDevices(a.org).value().at(0).revokedAt == dev->revokedAt);
    CHECK(!repo.findDevice("dev-x").value());
    CHECK(repo.updateDevice("dev-x", revoke).error().code == ErrorCode::NotFound);
}

// Issue 22, finding 1: the records list's search (q=) over an index of the answers' words.
TEST_CASE("repository: a search finds records by the words of their answers, the same on both backends",
          "[repository][search]") {
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
    INFO(backend);
    Backend b(backend);
    const Accounts a = addAccounts(*b.repo);
    auto put = [&](const std::string& id, const std::string& field, const json& value) {
        REQUIRE(b.repo->write([&](WriteTx& tx) { return putField(tx, id, a, field, value, "dev-a"); }).ok());
    };
    put("r1", "nom", "Noël Ferrandi");
    put("r1", "telephone", "06 12 34 56 78");
    put("r1", "code_ambassadeur", "AMB-042");
    put("r1", "adresse", "12 rue de l'Église");
    put("r2", "nom", "Awa Diallo");
    put("r2", "enfants", json::array({json{{"prenom", "Zoé"}}}));
    put("r2", "adresse", "3 av. Jean-Jaurès");
    put("r3", "nom", "Cœur Martin");
    auto found = [&](const std::string& text) {
        RecordQuery q;
        q.scope = Scope{a.org, std::nullopt};
        q.terms = searchTerms(text);
        q.withConflicts = false;
        bool more = false;
        auto rows = b.repo->listRecords(q, more);
        REQUIRE(rows.ok());
        auto total = b.repo->countRecords(q);
        REQUIRE(total.ok());
        std::vector<std::string> ids;
        for (const auto& r : *rows)
            ids.push_back(r.record.recordId);
        std::sort(ids.begin(), ids.end());
        CHECK(*total == static_cast<std::int64_t>(ids.size()));
        return ids;
    };
    using Ids = std::vector<std::string>;
    CHECK(found("ferrandi") == Ids{"r1"});    // a surname
    CHECK(found("FERRAND") == Ids{"r1"});     // the start of a word, in any case
    CHECK(found("Noel") == Ids{"r1"});        // without its accent
    CHECK(found("AMB-042") == Ids{"r1"});     // an ambassador code
    CHECK(found("0612345678") == Ids{"r1"});  // a phone number without its spaces
    CHECK(found("06 12 34") == Ids{"r1"});    // or with them
    CHECK(found("zoe") == Ids{"r2"});         // in a repeat
    CHECK(found("jaures jean") == Ids{"r2"}); // every word, in any order
    CHECK(found("coeur") == Ids{"r3"});       // œ written oe
    CHECK(found("adresse").empty());          // a field's name is not in its text
    CHECK(found("diallo ferrandi").empty());  // all the words in one record
    CHECK(found("") == Ids{"r1", "r2", "r3"});
    put("r1", "nom", "Noël Bernard"); // a new version is indexed in its own transaction
    CHECK(found("ferrandi").empty());
    CHECK(found("bernard") == Ids{"r1"});
    CHECK(searchTerms("a b c d e f g h i j k l m n o p").size() == kMaxSearchTerms);

    if (backend == "sqlite") { // a database of schema 12 is indexed when it opens
        b.repo.reset();
        auto db = Db::open(b.dir.path() / "server.db");
        REQUIRE(db.ok());
        // Schema 16's columns go too: its migration adds them again.
        REQUIRE(db->exec("ALTER TABLE records DROP COLUMN version_edited_at; ALTER TABLE record_versions DROP COLUMN "
                         "edited_at; DROP TABLE record_search; DROP TABLE record_search_ids; PRAGMA user_version = 12")
                    .ok());
        auto reopened = SqliteRepository::open(b.dir.path() / "server.db");
        REQUIRE(reopened.ok());
        b.repo = std::move(*reopened);
        CHECK(found("bernard") == Ids{"r1"});
        CHECK(found("awa diallo") == Ids{"r2"});
    }
}
