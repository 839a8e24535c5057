// carnet-server migrate-store and backup (docs/architecture.md, "Backups and migration"): real
// carnet-server processes on a real SQLite data folder and a real PostgreSQL, compared through the API.
#include "core/db.hpp"
#include "core/json_text.hpp"
#include "forms/bundle.hpp"
#include "pg_cluster.hpp"
#include "server/crypto.hpp"
#include "server/folder_lock.hpp"
#include "server/services.hpp"
#include "server/store_ops.hpp"
#include "server_process.hpp"
#include "shell_run.hpp"
#include "sync/protocol.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

using namespace carnet;
using namespace carnet::test;
using nlohmann::json;

namespace {

const std::string kPassword = "correct horse";
const std::string kDevA = "aaaaaaaa-0000-4000-8000-000000000001";
const std::string kDevC = "cccccccc-0000-4000-8000-000000000003";
const std::string kRec1 = "11111111-1111-4111-8111-111111111111";
const std::string kRec2 = "22222222-2222-4222-8222-222222222222";
const std::string kRec3 = "33333333-3333-4333-8333-333333333333";

const std::string kBin = std::string("CARNET_LANG=en ") + quote(CARNET_SERVER_BIN);

// One HTTP client on a server, with the protocol header on every request.
struct Api {
    explicit Api(int port)
        : c("127.0.0.1", port) {
        c.set_default_headers({{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)}});
        c.set_read_timeout(30, 0);
    }
    httplib::Client c;

    static httplib::Headers auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
    std::pair<int, json> post(const std::string& path, const json& body, const std::string& token = {}) {
        auto r =
            c.Post(path.c_str(), token.empty() ? httplib::Headers{} : auth(token), body.dump(), "application/json");
        REQUIRE(r);
        return {r->status, json::parse(r->body, nullptr, false)};
    }
    std::pair<int, std::string> get(const std::string& path, const std::string& token) {
        auto r = c.Get(path.c_str(), auth(token));
        REQUIRE(r);
        return {r->status, r->body};
    }
    json getJson(const std::string& path, const std::string& token) {
        auto [status, body] = get(path, token);
        INFO(path << ": " << body);
        REQUIRE(status == 200);
        return json::parse(body);
    }
    std::string login(const std::string& user) {
        auto [status, body] = post("/api/v1/login", json{{"user", user}, {"password", kPassword}});
        REQUIRE(status == 200);
        return body.at("token").get<std::string>();
    }
    std::string loginWithDevice(const std::string& user, const std::string& device) {
        const std::string token = login(user);
        auto [status, body] = post("/api/v1/devices", json{{"device_id", device}, {"name", user + "'s tablet"}}, token);
        REQUIRE(status == 200);
        return token;
    }
    json push(const std::string& token, const std::string& device, const json& mutations) {
        auto [status, body] = post("/api/v1/sync/push", json{{"device_id", device}, {"mutations", mutations}}, token);
        INFO(body.dump());
        REQUIRE(status == 200);
        return body.at("results");
    }
    /// Every change from `cursor` ("" = from scratch), and the cursor after them.
    std::vector<json> pullAll(const std::string& token, std::string& cursor) {
        std::vector<json> out;
        for (int guard = 0; guard < 1000; ++guard) {
            const json page =
                getJson("/api/v1/sync/pull?limit=7" + (cursor.empty() ? std::string() : "&cursor=" + cursor), token);
            for (const auto& change : page.at("changes"))
                out.push_back(change);
            cursor = page.at("cursor").get<std::string>();
            if (!page.at("more").get<bool>()) break;
        }
        return out;
    }
    std::vector<json> pullAll(const std::string& token) {
        std::string cursor;
        return pullAll(token, cursor);
    }
    int putChunk(const std::string& token, const std::string& bytes) {
        const std::string sha = server::sha256Hex(bytes);
        auto r = c.Put(("/api/v1/attachments/" + sha + "?offset=0&total=" + std::to_string(bytes.size())).c_str(),
                       auth(token), bytes, "application/octet-stream");
        REQUIRE(r);
        return r->status;
    }
};

json mutation(std::int64_t seq, const std::string& record, std::int64_t base, const std::string& op, json changes) {
    return json{{"seq", seq}, {"record_id", record}, {"base_version", base}, {"op", op}, {"changes", changes}};
}
json create(std::int64_t seq, const std::string& record, json fields) {
    return mutation(seq, record, 0, "create",
                    json{{"form_id", "door_to_door"},
                         {"form_version", "2026.11.3"},
                         {"kind", "interview"},
                         {"author", "Awa"},
                         {"fields", fields}});
}
json set(std::int64_t seq, const std::string& record, std::int64_t base, json fields) {
    return mutation(seq, record, base, "set", json{{"fields", fields}});
}

// A form with a media file, in version `version`.
std::string plots(const std::string& version) {
    return R"J({"id": "plots", "version": ")J" + version + R"J(", "title": "Plots", "default_language": "en",
      "languages": ["en"], "media": ["regions.csv"],
      "pages": [{"type": "page", "name": "p", "label": "Plot", "children": [
        {"type": "select_one", "name": "region", "label": "Region", "choice_file": {"file": "regions.csv"}}]}]})J";
}
const std::string kRegions = "name,label\ndar,Dar es Salaam\naru,Arusha\n";

// The organisations, accounts and forms both tests start from, written in the SQLite data folder
// `data` in this process (quicker than a command per line).
void seed(const std::filesystem::path& data) {
    auto opened = server::Services::open(data);
    REQUIRE(opened.ok());
    server::Services& s = **opened;
    REQUIRE(s.auth().addOrg("alec").ok());
    REQUIRE(s.auth().addOrg("other").ok());
    REQUIRE(s.auth().addUser("awa", server::Role::Ambassador, "alec", kPassword).ok());
    REQUIRE(s.auth().addUser("coco", server::Role::Coordinator, "alec", kPassword).ok());
    REQUIRE(s.auth().addUser("zed", server::Role::Admin, "other", kPassword).ok());
    auto door = readTextFile(std::filesystem::path(CARNET_SOURCE_DIR) / "assets" / "forms" / "door_to_door.json");
    REQUIRE(door.ok());
    REQUIRE(s.forms().publish(*door).ok());
    const forms::MediaContents media{{"regions.csv", kRegions}};
    REQUIRE(s.forms().publish(plots("1"), server::kSharedForms, media).ok());
    auto alec = s.repository().findOrg("alec");
    REQUIRE(alec.ok());
    REQUIRE(alec->has_value());
    auto own = s.forms().publish(plots("2"), (*alec)->id, media);
    INFO((own.ok() ? std::string() : own.error().message));
    REQUIRE(own.ok());
}

// Everything the API shows of the store, for comparing two servers.
struct Seen {
    std::vector<json> awaPull, cocoPull;
    json history1, history2, conflicts, forms, plots2, record1;
    std::string photo, media;
    bool operator==(const Seen&) const = default;
};

Seen look(Api& api, const std::string& awa, const std::string& coco, const std::string& photoSha) {
    Seen s;
    s.awaPull = api.pullAll(awa);
    s.cocoPull = api.pullAll(coco);
    s.history1 = api.getJson("/api/v1/records/" + kRec1 + "/history", coco);
    s.history2 = api.getJson("/api/v1/records/" + kRec2 + "/history", awa);
    s.conflicts = api.getJson("/api/v1/conflicts", coco);
    s.record1 = api.getJson("/api/v1/records/" + kRec1, coco); // with its reviews
    s.forms = api.getJson("/api/v1/forms", awa);
    s.plots2 = api.getJson("/api/v1/forms/plots/2", awa);
    auto [photoStatus, photo] = api.get("/api/v1/attachments/" + photoSha + "/content", coco);
    CHECK(photoStatus == 200);
    s.photo = photo;
    auto [mediaStatus, media] = api.get("/api/v1/form-media/" + server::sha256Hex(kRegions), awa);
    CHECK(mediaStatus == 200);
    s.media = media;
    return s;
}

} // namespace

TEST_CASE("carnet-server migrate-store copies a SQLite store into PostgreSQL, identical through the API", "[store]") {
    TempDir dir;
    const auto liteDir = dir.path() / "lite";
    const auto pgDir = dir.path() / "pg-files";
    seed(liteDir);
    ServerProcess lite(CARNET_SERVER_BIN, liteDir);
    lite.setStderr(dir.path() / "lite.log");
    REQUIRE(lite.start());
    Api api(lite.port());
    const std::string awa = api.loginWithDevice("awa", kDevA);
    const std::string coco = api.loginWithDevice("coco", kDevC);
    const std::string revoked = api.login("awa");
    REQUIRE(api.post("/api/v1/logout", json::object(), revoked).first == 200);
    REQUIRE(api.get("/api/v1/forms", revoked).first == 401);

    // Records with a history, merges and an open conflict, and an attachment one of them names.
    const std::string photo = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(300, 'p');
    const std::string photoSha = server::sha256Hex(photo);
    REQUIRE(api.putChunk(awa, photo) == 200);
    REQUIRE(api.push(awa, kDevA,
                     json::array({create(1, kRec1, {{"a", 1}, {"b", 1}, {"c", "x\ty\\z\n"}}),
                                  create(2, kRec2, {{"photo", photoSha}})}))[0]
                .at("version") == 1);
    REQUIRE(api.push(awa, kDevA, json::array({set(3, kRec1, 1, {{"a", 2}})}))[0].at("status") == "applied");
    REQUIRE(api.push(coco, kDevC, json::array({set(1, kRec1, 1, {{"b", 5}})}))[0].at("status") == "merged");
    const json retried = json::array({set(4, kRec1, 2, {{"b", 7}})});
    const json clash = api.push(awa, kDevA, retried);
    REQUIRE(clash[0].at("status") == "conflict");
    REQUIRE(api.post("/api/v1/records/" + kRec1 + "/review",
                     json{{"state", "has_issues"}, {"comment", "adresse\tà vérifier\nrappeler"}}, coco)
                .first == 200);
    std::string awaCursor;
    const auto awaBefore = api.pullAll(awa, awaCursor);
    const Seen before = look(api, awa, coco, photoSha);
    REQUIRE(before.conflicts.at("conflicts").size() == 1);
    REQUIRE(before.history1.at("versions").size() == 4);
    REQUIRE(lite.stop());

    const std::string url = freshPostgresDatabase();
    const std::string migrate =
        kBin + " migrate-store --from " + quote("sqlite:" + liteDir.string()) + " --to " + quote(url);
    auto migrated = sh(migrate + " --data " + quote(pgDir.string()));
    INFO(migrated.out);
    REQUIRE(migrated.code == 0);
    CHECK(migrated.out.find("records: 2 row(s)") != std::string::npos);
    CHECK(migrated.out.find("conflicts: 1 row(s)") != std::string::npos);
    CHECK(migrated.out.find("record_reviews: 1 row(s)") != std::string::npos);
    CHECK(migrated.out.find("applied_batches: 4 row(s)") != std::string::npos);
    // The photo, and regions.csv as the shared form's and as alec's own.
    CHECK(migrated.out.find(", 3 attached file(s)") != std::string::npos);

    // A second run finds the target in use: one line, nothing changed.
    auto again = sh(migrate);
    CHECK(again.code == 1);
    CHECK(again.out.find("is not empty") != std::string::npos);
    CHECK(std::count(again.out.begin(), again.out.end(), '\n') == 1);

    ServerProcess pg(CARNET_SERVER_BIN, pgDir);
    pg.setDatabase(url);
    pg.setStderr(dir.path() / "pg.log");
    REQUIRE(pg.start());
    Api after(pg.port());
    // The tokens from before: awa's and coco's still work, the one logged out still does not.
    CHECK(after.get("/api/v1/forms", revoked).first == 401);
    const Seen seen = look(after, awa, coco, photoSha);
    CHECK(seen.awaPull == before.awaPull);
    CHECK(seen.cocoPull == before.cocoPull);
    CHECK(seen.history1 == before.history1);
    CHECK(seen.history2 == before.history2);
    CHECK(seen.conflicts == before.conflicts);
    CHECK(seen.forms == before.forms);
    CHECK(seen.plots2 == before.plots2);
    CHECK(seen.record1 == before.record1);
    CHECK(seen.record1.at("reviews").size() == 1);
    CHECK(seen.photo == photo);
    CHECK(seen.media == kRegions);

    // The device's retry after the migration gets its stored results and is not applied again.
    CHECK(after.push(awa, kDevA, retried) == clash);
    CHECK(after.getJson("/api/v1/records/" + kRec1 + "/history", coco) == before.history1);
    // The change sequence goes on: the cursor from before brings the new record alone.
    REQUIRE(after.push(awa, kDevA, json::array({create(5, kRec3, {{"a", 3}})}))[0].at("version") == 1);
    const auto news = after.pullAll(awa, awaCursor);
    REQUIRE(news.size() == 1);
    CHECK(news[0].at("record_id") == kRec3);
    CHECK(after.pullAll(awa).size() == awaBefore.size() + 1);
    // Ids go on after the copied ones.
    CHECK(after.post("/api/v1/records/" + kRec1 + "/review", json{{"state", "approved"}}, coco).first == 200);
    CHECK(after.getJson("/api/v1/records/" + kRec1, coco).at("reviews").size() == 2);
    CHECK(pg.admin("org add third"));
    CHECK(pg.admin("user add tina --role ambassador --org third --password-stdin", kPassword));
    CHECK(after.login("tina").size() > 10);

    // PostgreSQL's backup as docs/architecture.md gives it: pg_dump, pg_restore into a new database,
    // and a server on that database serves the same store (the retried push still applied once).
    const auto everything = after.pullAll(coco);
    REQUIRE(pg.stop());
    const std::string bin = "\"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)\"/";
    const auto dump = dir.path() / "carnet.dump";
    auto dumped = sh(bin + "pg_dump --format=custom --file=" + quote(dump.string()) + " " + quote(url));
    INFO(dumped.out);
    REQUIRE(dumped.code == 0);
    const std::string copyUrl = freshPostgresDatabase();
    auto restored = sh(bin + "pg_restore --no-owner --dbname=" + quote(copyUrl) + " " + quote(dump.string()));
    INFO(restored.out);
    REQUIRE(restored.code == 0);
    ServerProcess copy(CARNET_SERVER_BIN, pgDir);
    copy.setDatabase(copyUrl);
    copy.setStderr(dir.path() / "copy.log");
    REQUIRE(copy.start());
    Api fromDump(copy.port());
    CHECK(fromDump.pullAll(coco) == everything);
    CHECK(fromDump.push(awa, kDevA, retried) == clash);
    CHECK(fromDump.getJson("/api/v1/records/" + kRec1 + "/history", coco) == before.history1);
}

TEST_CASE("carnet-server migrate-store and backup refuse bad input with one line and a non-zero exit", "[store]") {
    TempDir dir;
    const auto data = dir.path() / "data";
    {
        auto opened = server::Services::open(data);
        REQUIRE(opened.ok());
    }
    const std::string from = " --from " + quote("sqlite:" + data.string());
    struct Case {
        std::string args, says;
        int code;
    };
    const std::string url = freshPostgresDatabase();
    const std::vector<Case> cases{
        {"migrate-store" + from + " --to mysql://x", "needs --to postgresql://", 2},
        {"migrate-store --from " + quote("sqlite:" + (dir.path() / "none").string()) + " --to " + quote(url),
         "no such folder", 1},
        {"migrate-store" + from + " --to " + quote(url + "_missing"), "cannot connect", 1},
        {"backup --data " + quote(data.string()) + " --to " + quote(data.string()), "not an empty folder", 1},
        {"backup --data " + quote(data.string()) + " --db " + quote(url) + " --to " +
             quote((dir.path() / "b").string()),
         "pg_dump", 2},
    };
    for (const auto& c : cases) {
        auto r = sh(kBin + " " + c.args);
        INFO(c.args << "\n" << r.out);
        CHECK(r.code == c.code);
        CHECK(r.out.rfind("carnet-server: ", 0) == 0);
        CHECK(r.out.find(c.says) != std::string::npos);
        if (c.code == 1) CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    }
    // Nothing was created by the refusals; the commands themselves tell the other cases apart.
    CHECK_FALSE(std::filesystem::exists(dir.path() / "none"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "b"));
    auto noStore = server::migrateStore(dir.path(), url);
    REQUIRE_FALSE(noStore.ok());
    CHECK(noStore.error().message.find("no server.db") != std::string::npos);
    auto notEmpty = server::backupStore(data, dir.path());
    REQUIRE_FALSE(notEmpty.ok());
    CHECK(notEmpty.error().message.find("not an empty folder") != std::string::npos);
}

TEST_CASE("carnet-server migrate-store refuses a data folder a server still serves, and serve waits for no migration",
          "[store]") {
    TempDir dir;
    const auto data = dir.path() / "data";
    seed(data);
    const std::string url = freshPostgresDatabase();
    const std::string migrate =
        kBin + " migrate-store --from " + quote("sqlite:" + data.string()) + " --to " + quote(url);

    // Two processes serve the folder (as behind a load balancer): the copy would miss what they write
    // after its snapshot, so it is refused, in one line, and the target stays empty.
    ServerProcess first(CARNET_SERVER_BIN, data), second(CARNET_SERVER_BIN, data);
    first.setStderr(dir.path() / "first.log");
    second.setStderr(dir.path() / "second.log");
    REQUIRE(first.start());
    REQUIRE(second.start());
    auto refused = sh(migrate);
    INFO(refused.out);
    CHECK(refused.code == 1);
    CHECK(refused.out.find("a carnet-server is running on " + data.string()) != std::string::npos);
    CHECK(std::count(refused.out.begin(), refused.out.end(), '\n') == 1);
    REQUIRE(first.stop());
    auto stillRefused = sh(migrate);
    CHECK(stillRefused.code == 1); // one process is enough
    REQUIRE(second.stop());
    auto migrated = sh(migrate);
    INFO(migrated.out);
    CHECK(migrated.code == 0); // the target was left empty by the refusals

    // While a migration holds the folder, serve says so and stops instead of writing under it.
    auto held = server::FolderLock::take(data, server::FolderLock::Mode::Exclusive);
    REQUIRE(held.ok());
    auto serve = sh("CARNET_LANG=en timeout 20 " + quote(CARNET_SERVER_BIN) + " --data " + quote(data.string()) +
                    " serve --port 0");
    INFO(serve.out);
    CHECK(serve.code == 1);
    CHECK(serve.out.find("is being copied by migrate-store") != std::string::npos);
}

TEST_CASE("carnet-server backup copies a running server's data folder while it writes, and the copy serves",
          "[store]") {
    TempDir dir;
    const auto live = dir.path() / "live";
    seed(live);
    ServerProcess p(CARNET_SERVER_BIN, live);
    p.setStderr(dir.path() / "live.log");
    REQUIRE(p.start());
    Api api(p.port());
    const std::string awa = api.loginWithDevice("awa", kDevA);
    const std::string coco = api.login("coco");
    const std::string photo = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(500, 'q');
    REQUIRE(api.putChunk(awa, photo) == 200);

    // A device pushes one new record per request, record i with seq i + 1, until told to stop.
    auto recordId = [](int i) {
        char id[40];
        std::snprintf(id, sizeof id, "%08d-0000-4000-8000-000000000000", i);
        return std::string(id);
    };
    std::atomic<int> acknowledged{0};
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::thread writer([&] { // no Catch2 assertion on this thread
        httplib::Client w("127.0.0.1", p.port());
        w.set_default_headers({{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)},
                               {"Authorization", "Bearer " + awa}});
        for (int i = 0; i < 2000 && !stop; ++i) {
            const json body{{"device_id", kDevA}, {"mutations", json::array({create(i + 1, recordId(i), {{"n", i}})})}};
            auto r = w.Post("/api/v1/sync/push", body.dump(), "application/json");
            const json answer = r ? json::parse(r->body, nullptr, false) : json();
            if (!r || r->status != 200 || !answer.contains("results") ||
                answer["results"][0].value("status", "") != "applied") {
                ++failures;
                break;
            }
            acknowledged = i + 1;
        }
    });
    while (acknowledged < 20 && failures == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const int before = acknowledged;
    const auto copy = dir.path() / "copy";
    auto backup = sh(kBin + " backup --data " + quote(live.string()) + " --to " + quote(copy.string()));
    stop = true;
    writer.join();
    const int total = acknowledged;
    CHECK(failures == 0);
    INFO(backup.out);
    REQUIRE(backup.code == 0);
    CHECK(backup.out.find("3 attached file(s)") != std::string::npos); // the photo, regions.csv in 0 and in alec
    REQUIRE(p.stop());

    {
        auto db = Db::open(copy / "server.db", DbOptions{.readOnly = true, .create = false});
        REQUIRE(db.ok());
        auto st = db->prepare("PRAGMA integrity_check");
        REQUIRE(st.ok());
        REQUIRE(st->step().value());
        CHECK(st->text(0) == "ok");
    }
    // Restored into a new folder, a server runs on it: every record acknowledged before the backup
    // started is there, and what is there is a prefix of the pushes (one snapshot, no holes).
    const auto restored = dir.path() / "restored";
    std::filesystem::copy(copy, restored, std::filesystem::copy_options::recursive);
    ServerProcess r(CARNET_SERVER_BIN, restored);
    r.setStderr(dir.path() / "restored.log");
    REQUIRE(r.start());
    Api again(r.port());
    const auto records = again.pullAll(awa);
    std::set<std::string> ids;
    for (const auto& rec : records) {
        ids.insert(rec.at("record_id").get<std::string>());
        CHECK(rec.at("answers").at("n").is_number());
    }
    INFO("acknowledged before the backup " << before << ", in the copy " << ids.size() << ", in all " << total);
    CHECK(static_cast<int>(ids.size()) >= before);
    CHECK(static_cast<int>(ids.size()) <= total);
    for (int i = 0; i < static_cast<int>(ids.size()); ++i)
        CHECK(ids.contains(recordId(i)));
    auto [status, body] = again.get("/api/v1/attachments/" + server::sha256Hex(photo) + "/content", coco);
    CHECK(status == 200);
    CHECK(body == photo);
    // The restored server takes the device's next push after what it holds.
    const int next = static_cast<int>(ids.size());
    CHECK(again.push(awa, kDevA, json::array({create(next + 1, recordId(next), {{"n", next}})}))[0].at("status") ==
          "applied");
}
