// Accounts, push, merge, conflicts, history, pull and visibility against a real server.
#include "server_fixture.hpp"

#include "core/db.hpp"
#include "server/crypto.hpp"
#include "server/schema.hpp"

#include <algorithm>
#include <set>
#include <thread>
#include <tuple>

using namespace carnet;
using namespace carnet::test;

namespace {

// The schema a server migrates an older file to: the last of the one list of versions.
std::int64_t latestSchema() {
    return static_cast<std::int64_t>(server::schemaVersions().size());
}

const std::string kDevA = "aaaaaaaa-0000-4000-8000-000000000001";
const std::string kDevB = "bbbbbbbb-0000-4000-8000-000000000002";
const std::string kDevC = "cccccccc-0000-4000-8000-000000000003";
const std::string kDevZ = "dddddddd-0000-4000-8000-000000000004";
const std::string kRec1 = "11111111-1111-4111-8111-111111111111";
const std::string kRec2 = "22222222-2222-4222-8222-222222222222";

std::string recordId(int i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08d-0000-4000-8000-000000000000", i);
    return buf;
}

// Turns the exactly-once results back into their layout before schema version 7: one row per mutation.
constexpr std::string_view kAppliedOfSchema6 =
    "CREATE TABLE applied(device_id TEXT NOT NULL, seq INTEGER NOT NULL, result TEXT NOT NULL, "
    "PRIMARY KEY(device_id, seq)) WITHOUT ROWID; "
    "INSERT INTO applied SELECT device_id, value ->> 'seq', value FROM applied_batches, json_each(results); "
    "DROP TABLE applied_batches; ";

std::set<std::string> ids(const std::vector<json>& changes) {
    std::set<std::string> out;
    for (const auto& c : changes)
        out.insert(c.at("record_id").get<std::string>());
    return out;
}

// The current version of kRec1 as the history gives it (its answers, its number).
json latest(ServerFixture& f, const std::string& token) {
    auto h = f.get("/api/v1/records/" + kRec1 + "/history", token);
    REQUIRE(h.status == 200);
    return h.body.at("versions").back();
}

} // namespace

TEST_CASE("login: good and bad passwords, tokens revoked by logout", "[server][auth]") {
    ServerFixture f;
    auto bad = f.post("/api/v1/login", json{{"user", "awa"}, {"password", "wrong password"}});
    CHECK(bad.status == 401);
    CHECK(bad.body.at("error") == "unauthorized");
    CHECK(f.post("/api/v1/login", json{{"user", "nobody"}, {"password", kPassword}}).status == 401);

    auto good = f.post("/api/v1/login", json{{"user", "awa"}, {"password", kPassword}});
    REQUIRE(good.status == 200);
    const std::string token = good.body.at("token");
    CHECK(token.size() == 64);
    CHECK(good.body.at("user") ==
          json{{"name", "awa"}, {"role", "ambassador"}, {"org", "alec"}, {"must_change_password", false}});

    CHECK(f.get("/api/v1/forms", token).status == 200);
    CHECK(f.get("/api/v1/forms", std::string(64, 'a')).status == 401);
    {
        auto c = f.client();
        auto r = ServerFixture::reply(c.Get("/api/v1/forms"));
        CHECK(r.status == 401);
        CHECK(r.body.at("error") == "unauthorized");
    }
    {
        auto c = f.client();
        auto out = ServerFixture::reply(c.Post("/api/v1/logout", ServerFixture::auth(token), "", "application/json"));
        CHECK(out.status == 200); // an empty body is fine
        CHECK(out.body == json::object());
    }
    auto after = f.get("/api/v1/forms", token);
    CHECK(after.status == 401);
    CHECK(after.body.at("error") == "unauthorized");
}

TEST_CASE("protocol version is checked on requests and sent on every response", "[server][protocol]") {
    ServerFixture f;
    const std::string token = f.login("awa");
    for (const char* version : {"2", "0", ""}) {
        httplib::Client c("127.0.0.1", f.server->port());
        httplib::Headers h = ServerFixture::auth(token);
        if (*version) h.emplace("Carnet-Protocol", version);
        auto r = ServerFixture::reply(c.Get("/api/v1/forms", h));
        CHECK(r.status == 409);
        CHECK(r.body.at("error") == "protocol_mismatch");
        CHECK(r.body.at("server_protocol") == sync::kProtocolVersion);
        CHECK(r.headers.find("Carnet-Protocol")->second == "1");
    }
    // Success, client errors and unknown routes all carry the server's version for the client to check.
    auto c = f.client();
    for (auto& r : {ServerFixture::reply(c.Get("/api/v1/forms", ServerFixture::auth(token))),
                    ServerFixture::reply(c.Get("/api/v1/forms")), ServerFixture::reply(c.Get("/api/v1/nope")),
                    ServerFixture::reply(c.Get("/elsewhere"))}) {
        auto it = r.headers.find("Carnet-Protocol");
        REQUIRE(it != r.headers.end());
        CHECK(it->second == "1");
        CHECK(r.body.is_object());
    }
}

TEST_CASE("forms catalogue and download", "[server][forms]") {
    ServerFixture f;
    const std::string token = f.login("awa");
    auto list = f.get("/api/v1/forms", token);
    REQUIRE(list.status == 200);
    REQUIRE(list.body.at("forms").size() == 1);
    const auto ref = list.body.at("forms")[0];
    CHECK(ref.at("form_id") == "door_to_door");
    CHECK(ref.at("version") == "2026.11.3");
    auto doc = f.get("/api/v1/forms/door_to_door/2026.11.3", token);
    REQUIRE(doc.status == 200);
    CHECK(doc.body.at("id") == "door_to_door");
    CHECK(server::sha256Hex(doc.raw) == ref.at("hash"));
    CHECK(f.get("/api/v1/forms/door_to_door/1999.1", token).status == 404);
}

TEST_CASE("push is applied exactly once per device and seq", "[server][push]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    const json batch = json::array({ServerFixture::create(1, kRec1, {{"issue_visite", "entretien"}}),
                                    ServerFixture::set(2, kRec1, 0, {{"nb_personnes", 2}})});
    auto first = f.push(token, kDevA, batch);
    REQUIRE(first.status == 200);
    CHECK(first.body.at("acked") == 2);
    CHECK(first.body.at("results")[0].at("status") == "applied");
    CHECK(first.body.at("results")[0].at("version") == 1);
    // Based on 0, but the only write since is the device's own create: applied, not a merge (issue 21).
    CHECK(first.body.at("results")[1].at("status") == "applied");
    CHECK(first.body.at("results")[1].at("version") == 2);

    auto again = f.push(token, kDevA, batch);
    REQUIRE(again.status == 200);
    CHECK(again.body == first.body);
    auto history = f.get("/api/v1/records/" + kRec1 + "/history", token);
    REQUIRE(history.status == 200);
    CHECK(history.body.at("versions").size() == 2);

    // A batch that repeats the applied part and adds a new mutation applies only the new one.
    json longer = batch;
    longer.push_back(ServerFixture::set(3, kRec1, 2, {{"nb_personnes", 3}}));
    auto third = f.push(token, kDevA, longer);
    REQUIRE(third.status == 200);
    CHECK(third.body.at("results")[2].at("status") == "applied");
    CHECK(third.body.at("results")[2].at("version") == 3);
    CHECK(f.get("/api/v1/records/" + kRec1 + "/history", token).body.at("versions").size() == 3);

    // Same record id from another device is the same record, never a duplicate.
    const std::string tokenC = f.loginWithDevice("coco", kDevC);
    auto dup = f.push(tokenC, kDevC, json::array({ServerFixture::create(1, kRec1, {{"remarque", "x"}})}));
    REQUIRE(dup.status == 200);
    CHECK(dup.body.at("results")[0].at("version") == 4);
    CHECK(f.pullAll(tokenC).size() == 1);
}

TEST_CASE("the results of one request are stored together, and any later request finds them by seq",
          "[server][push][sqlite]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("coco", kDevC); // a coordinator: sees every record
    const std::string tokenA = f.loginWithDevice("awa", kDevA);
    json rejectedFirst = ServerFixture::set(2, kRec2, 0, {{"a", 1}}); // no record 2 yet: rejected, not stored
    const json batch = json::array(
        {ServerFixture::create(1, kRec1, {{"a", 1}}), rejectedFirst, ServerFixture::set(3, kRec1, 1, {{"a", 2}})});
    auto first = f.push(token, kDevC, batch);
    REQUIRE(first.status == 200);
    CHECK(first.body.at("results")[1].at("status") == "rejected");
    CHECK(f.scalar("SELECT count(*) FROM applied_batches") == 1);
    CHECK(f.scalar("SELECT count(*) FROM applied_batches WHERE first_seq = 1 AND last_seq = 3 AND "
                   "json_array_length(results) = 2") == 1);

    // Record 2 comes from another device; seq 2 then applies, alone, in a row of its own inside 1..3.
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::create(1, kRec2, {{"b", 1}})})).status == 200);
    auto second = f.push(token, kDevC, json::array({rejectedFirst}));
    REQUIRE(second.status == 200);
    CHECK(second.body.at("results")[0].at("status") == "merged");
    CHECK(f.scalar("SELECT count(*) FROM applied_batches WHERE first_seq = 2 AND last_seq = 2") == 1);

    // The whole batch again, with a new mutation: the three stored results from two rows, one new.
    json longer = batch;
    longer.push_back(ServerFixture::set(4, kRec1, 2, {{"a", 3}}));
    auto third = f.push(token, kDevC, longer);
    REQUIRE(third.status == 200);
    const auto& res = third.body.at("results");
    REQUIRE(res.size() == 4);
    CHECK(res[0] == first.body.at("results")[0]);
    CHECK(res[1] == second.body.at("results")[0]);
    CHECK(res[2] == first.body.at("results")[2]);
    CHECK(res[3].at("status") == "applied");
    CHECK(res[3].at("version") == 3);
    CHECK(f.get("/api/v1/records/" + kRec1 + "/history", token).body.at("versions").size() == 3);
    CHECK(f.get("/api/v1/records/" + kRec2 + "/history", token).body.at("versions").size() == 2);

    // A database of schema version 6 kept one `applied` row per mutation: reopened, its results
    // answer a retry the same way.
    f.restart([](Db& db) {
        REQUIRE(db.exec(std::string(kUndoSchema16) + std::string(kUndoSchema12) + std::string(kAppliedOfSchema6) +
                        "PRAGMA user_version = 6")
                    .ok());
        REQUIRE(*db.scalar("SELECT count(*) FROM applied") == 5);
    });
    CHECK(f.scalar("PRAGMA user_version") == latestSchema()); // and the migrations after 7
    CHECK(f.scalar("SELECT count(*) FROM applied_batches") == 5);
    auto afterMigration = f.push(token, kDevC, longer);
    REQUIRE(afterMigration.status == 200);
    CHECK(afterMigration.body.at("results") == res);
    CHECK(f.get("/api/v1/records/" + kRec1 + "/history", token).body.at("versions").size() == 3);
}

TEST_CASE("push refuses what it cannot apply, and unregistered devices", "[server][push]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    auto unregistered = f.push(token, kDevB, json::array({ServerFixture::create(1, kRec1, json::object())}));
    CHECK(unregistered.status == 403);
    CHECK(unregistered.body.at("error") == "device_not_registered");

    json unknownForm = ServerFixture::create(1, kRec1, json::object());
    unknownForm["changes"]["form_version"] = "1999.1";
    auto r =
        f.push(token, kDevA,
               json::array({unknownForm, ServerFixture::set(2, kRec2, 0, {{"a", 1}}),
                            ServerFixture::create(3, kRec1, {{"a", 1}}), ServerFixture::set(4, kRec1, 9, {{"a", 2}})}));
    REQUIRE(r.status == 200);
    const auto& res = r.body.at("results");
    CHECK(res[0].at("status") == "rejected");
    CHECK(res[0].at("reason").get<std::string>().find("1999.1") != std::string::npos);
    CHECK(res[1].at("status") == "rejected");
    CHECK(res[2].at("status") == "applied");
    CHECK(res[3].at("status") == "rejected");
    // A rejected mutation is not remembered: once the cause is gone, the same seq applies.
    auto retry = f.push(token, kDevA, json::array({ServerFixture::set(4, kRec1, 1, {{"a", 2}})}));
    CHECK(retry.body.at("results")[0].at("status") == "applied");

    // Another user cannot take a registered device.
    const std::string tokenB = f.login("binta");
    auto taken = f.post("/api/v1/devices", json{{"device_id", kDevA}, {"name", "x"}}, tokenB);
    CHECK(taken.status == 409);
    CHECK(f.post("/api/v1/devices", json{{"device_id", kDevA}, {"name", "again"}}, token).status == 200);
}

TEST_CASE("fields changed on one side merge, the same field changed on both is a conflict", "[server][merge]") {
    ServerFixture f;
    const std::string tokenA = f.loginWithDevice("awa", kDevA);
    const std::string tokenC = f.loginWithDevice("coco", kDevC);
    auto created =
        f.push(tokenA, kDevA, json::array({ServerFixture::create(1, kRec1, {{"a", 1}, {"b", 1}, {"c", 1}})}));
    REQUIRE(created.body.at("results")[0].at("version") == 1);

    // Both start from version 1. Awa changes a twice (her own changes are never a conflict).
    auto a1 = f.push(tokenA, kDevA, json::array({ServerFixture::set(2, kRec1, 1, {{"a", 2}})}));
    CHECK(a1.body.at("results")[0].at("status") == "applied");
    auto a2 = f.push(tokenA, kDevA, json::array({ServerFixture::set(3, kRec1, 1, {{"a", 4}})}));
    CHECK(a2.body.at("results")[0].at("status") == "applied"); // only her own writes since version 1
    CHECK(a2.body.at("results")[0].at("version") == 3);

    // Coco, still on version 1: another field merges; the same value is no conflict; a different value is.
    auto merged = f.push(tokenC, kDevC, json::array({ServerFixture::set(1, kRec1, 1, {{"b", 5}})}));
    CHECK(merged.body.at("results")[0].at("status") == "merged");
    CHECK(merged.body.at("results")[0].at("merged") == json::array({"b"}));
    CHECK(merged.body.at("results")[0].at("version") == 4);
    auto same = f.push(tokenC, kDevC, json::array({ServerFixture::set(2, kRec1, 1, {{"a", 4}})}));
    CHECK(same.body.at("results")[0].at("status") == "merged");
    auto conflict = f.push(tokenC, kDevC, json::array({ServerFixture::set(3, kRec1, 1, {{"c", 9}})}));
    CHECK(conflict.body.at("results")[0].at("status") == "merged"); // c changed by nobody else
    auto clash = f.push(tokenA, kDevA, json::array({ServerFixture::set(4, kRec1, 3, {{"b", 7}, {"c", 1}})}));
    REQUIRE(clash.status == 200);
    const auto& res = clash.body.at("results")[0];
    CHECK(res.at("status") == "conflict");
    CHECK(res.at("conflicts") == json::array({"b", "c"}));
    CHECK(res.at("version") == 7);

    // Applied in arrival order, both values kept, the record flagged.
    auto changes = f.pullAll(tokenC);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].at("answers") == json{{"a", 4}, {"b", 7}, {"c", 1}});
    CHECK(changes[0].at("conflicts") == json::array({"b", "c"}));
    CHECK(changes[0].at("version") == 7);
    auto list = f.get("/api/v1/conflicts", tokenC);
    REQUIRE(list.status == 200);
    REQUIRE(list.body.at("conflicts").size() == 2);
    const auto& cb = list.body.at("conflicts")[0];
    CHECK(cb.at("record_id") == kRec1);
    CHECK(cb.at("field") == "b");
    // Each value with its device, version, and who wrote it when (that version's history entry).
    const auto& values = cb.at("values");
    REQUIRE(values.size() == 2);
    const std::vector<std::tuple<json, std::string, int, std::string>> expected{{5, kDevC, 4, "coco"},
                                                                                {7, kDevA, 7, "awa"}};
    auto history = f.get("/api/v1/records/" + kRec1 + "/history", tokenC).body.at("versions");
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& [value, device, version, user] = expected[i];
        INFO(values[i].dump());
        CHECK(values[i].at("value") == value);
        CHECK(values[i].at("device_id") == device);
        CHECK(values[i].at("version") == version);
        CHECK(values[i].at("user") == user);
        CHECK(values[i].at("device_name") == user + "'s tablet");
        CHECK(values[i].at("received_at") == history.at(static_cast<std::size_t>(version - 1)).at("received_at"));
    }
    CHECK(f.get("/api/v1/conflicts", tokenA).status == 403);
}

// Issue 21, finding 7: household members edited on two tablets were a conflict on all of `membres`,
// and the record kept one side's list.
TEST_CASE("repeat instances merge by identity: different instances or fields merge, the same field conflicts",
          "[server][merge][repeat]") {
    ServerFixture f;
    const std::string tokenA = f.loginWithDevice("awa", kDevA);
    const std::string tokenC = f.loginWithDevice("coco", kDevC);
    const json members = json::array({{{"_id", "n1"}, {"prenom", "Léa"}, {"tranche_age", "30-44"}},
                                      {{"_id", "7f3a9c01b2d4"}, {"prenom", "Noé"}, {"tranche_age", "0-14"}},
                                      {{"_id", "0c4e8a11f9b7"}, {"prenom", "Inès"}, {"tranche_age", "15-29"}}});
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::create(1, kRec1, {{"membres", members}})})).status ==
            200);
    auto edit = [&](json list, std::size_t i, const char* field, const json& v) {
        list[i][field] = v;
        return list;
    };
    // From version 1: Awa renames the second member, Coco changes the third member's age group.
    const json awaList = edit(members, 1, "prenom", "Noë");
    auto a = f.push(tokenA, kDevA, json::array({ServerFixture::set(2, kRec1, 1, {{"membres", awaList}})}));
    REQUIRE(a.body.at("results")[0].at("status") == "applied");
    const json cocoList = edit(members, 2, "tranche_age", "30-44");
    auto c = f.push(tokenC, kDevC, json::array({ServerFixture::set(1, kRec1, 1, {{"membres", cocoList}})}));
    REQUIRE(c.status == 200);
    CHECK(c.body.at("results")[0].at("status") == "merged");
    auto answers = f.pullAll(tokenC).at(0).at("answers");
    CHECK(answers.at("membres") == edit(awaList, 2, "tranche_age", "30-44"));
    CHECK(f.get("/api/v1/conflicts", tokenC).body.at("conflicts").empty());

    // Different fields of one instance, and an instance added on each side (both kept, in order).
    json awa2 = edit(answers.at("membres"), 0, "prenom", "Léana");
    awa2.push_back({{"_id", "a1a1a1a1a1a1"}, {"prenom", "Jules"}});
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::set(3, kRec1, 3, {{"membres", awa2}})}))
                .body.at("results")[0]
                .at("status") == "applied");
    json coco2 = edit(answers.at("membres"), 0, "tranche_age", "45-59");
    coco2.push_back({{"_id", "c2c2c2c2c2c2"}, {"prenom", "Maël"}});
    auto c2 = f.push(tokenC, kDevC, json::array({ServerFixture::set(2, kRec1, 3, {{"membres", coco2}})}));
    CHECK(c2.body.at("results")[0].at("status") == "merged");
    auto now = latest(f, tokenC).at("answers").at("membres");
    REQUIRE(now.size() == 5);
    CHECK(now[0] == json{{"_id", "n1"}, {"prenom", "Léana"}, {"tranche_age", "45-59"}});
    CHECK(now[3].at("prenom") == "Jules");
    CHECK(now[4].at("prenom") == "Maël");

    // The same field of the same instance changed to two values: a conflict on that field alone.
    json awa3 = edit(now, 1, "prenom", "Noah");
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::set(4, kRec1, 5, {{"membres", awa3}})})).status == 200);
    json coco3 = edit(edit(now, 1, "prenom", "Noam"), 2, "prenom", "Inès-Marie");
    auto clash = f.push(tokenC, kDevC, json::array({ServerFixture::set(3, kRec1, 5, {{"membres", coco3}})}));
    REQUIRE(clash.body.at("results")[0].at("status") == "conflict");
    CHECK(clash.body.at("results")[0].at("conflicts") == json::array({"membres[7f3a9c01b2d4]/prenom"}));
    auto list = f.get("/api/v1/conflicts", tokenC).body.at("conflicts");
    REQUIRE(list.size() == 1);
    CHECK(list[0].at("field") == "membres[7f3a9c01b2d4]/prenom");
    CHECK(list[0].at("values")[0].at("value") == "Noah");
    CHECK(list[0].at("values")[1].at("value") == "Noam");
    now = latest(f, tokenC).at("answers").at("membres");
    CHECK(now[1].at("prenom") == "Noam");       // arrival order, as for any field
    CHECK(now[2].at("prenom") == "Inès-Marie"); // the other edit merged

    // The coordinator resolves that one field; the rest of the list stays.
    auto r = f.post("/api/v1/conflicts/" + kRec1 + "/resolve",
                    json{{"fields", {{"membres[7f3a9c01b2d4]/prenom", "Noah"}}}}, tokenC);
    REQUIRE(r.status == 200);
    CHECK(r.body.at("conflicts").empty());
    now = latest(f, tokenC).at("answers").at("membres");
    CHECK(now[1].at("prenom") == "Noah");
    CHECK(now.size() == 5);

    // Removed on one side, edited on the other: kept (the edited one), and a conflict on the instance.
    const std::int64_t v = latest(f, tokenC).at("version");
    json awa4 = now;
    awa4.erase(awa4.begin() + 3); // Jules moved out
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::set(5, kRec1, v, {{"membres", awa4}})})).status == 200);
    json coco4 = edit(now, 3, "tranche_age", "0-14");
    auto gone = f.push(tokenC, kDevC, json::array({ServerFixture::set(4, kRec1, v, {{"membres", coco4}})}));
    REQUIRE(gone.body.at("results")[0].at("status") == "conflict");
    CHECK(gone.body.at("results")[0].at("conflicts") == json::array({"membres[a1a1a1a1a1a1]"}));
    now = latest(f, tokenC).at("answers").at("membres");
    REQUIRE(now.size() == 5);
    const auto jules =
        std::find_if(now.begin(), now.end(), [](const json& m) { return m.at("_id") == "a1a1a1a1a1a1"; });
    REQUIRE(jules != now.end());
    CHECK(jules->at("tranche_age") == "0-14");
    // Resolved as removed: the instance goes.
    REQUIRE(f.post("/api/v1/conflicts/" + kRec1 + "/resolve", json{{"fields", {{"membres[a1a1a1a1a1a1]", nullptr}}}},
                   tokenC)
                .status == 200);
    now = latest(f, tokenC).at("answers").at("membres");
    CHECK(now.size() == 4);
    for (const auto& m : now)
        CHECK(m.at("_id") != "a1a1a1a1a1a1");
}

// Answers written before instances had ids merge too: an instance without one is named by its
// position on both sides, as the forms engine names it.
TEST_CASE("repeat instances without ids merge by position", "[server][merge][repeat]") {
    ServerFixture f;
    const std::string tokenA = f.loginWithDevice("awa", kDevA);
    const std::string tokenC = f.loginWithDevice("coco", kDevC);
    const json old = json::array({{{"prenom", "Léa"}}, {{"prenom", "Noé"}}});
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::create(1, kRec1, {{"membres", old}})})).status == 200);
    json awa = old;
    awa[0]["prenom"] = "Léana";
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::set(2, kRec1, 1, {{"membres", awa}})})).status == 200);
    const json coco = json::array({{{"_id", "n1"}, {"prenom", "Léa"}}, {{"_id", "n2"}, {"prenom", "Noé"}, {"age", 4}}});
    auto c = f.push(tokenC, kDevC, json::array({ServerFixture::set(1, kRec1, 1, {{"membres", coco}})}));
    CHECK(c.body.at("results")[0].at("status") == "merged");
    auto now = latest(f, tokenC).at("answers").at("membres");
    REQUIRE(now.size() == 2);
    CHECK(now[0].at("prenom") == "Léana");
    CHECK(now[1] == json{{"_id", "n2"}, {"prenom", "Noé"}, {"age", 4}});
}

TEST_CASE("a new record's answers need no field rows, and still meet later edits as before", "[server][merge]") {
    ServerFixture f;
    const std::string tokenA = f.loginWithDevice("awa", kDevA);
    const std::string tokenC = f.loginWithDevice("coco", kDevC);
    auto created = f.push(tokenA, kDevA,
                          json::array({ServerFixture::create(1, kRec1, {{"a", 1}, {"b", "deux"}, {"c", nullptr}})}));
    REQUIRE(created.body.at("results")[0].at("status") == "applied");
    auto rows = [&] { return f.scalar("SELECT count(*) FROM record_fields WHERE record_id = '" + kRec1 + "'"); };
    // Only the null the record was created with has a row; a and b are implied (version 1, Awa's device).
    CHECK(rows() == 1);

    // The same record created again by another device from nothing (base 0): a different b is a
    // conflict against the implied metadata, an equal a is not.
    auto again = f.push(tokenC, kDevC, json::array({ServerFixture::create(1, kRec1, {{"a", 1}, {"b", "trois"}})}));
    REQUIRE(again.status == 200);
    CHECK(again.body.at("results")[0].at("status") == "conflict");
    CHECK(again.body.at("results")[0].at("conflicts") == json::array({"b"}));
    auto list = f.get("/api/v1/conflicts", tokenC);
    REQUIRE(list.body.at("conflicts").size() == 1);
    json values = json::array();
    for (const auto& v : list.body.at("conflicts")[0].at("values"))
        values.push_back(
            json{{"value", v.at("value")}, {"device_id", v.at("device_id")}, {"version", v.at("version")}});
    CHECK(values == json::array({{{"value", "deux"}, {"device_id", kDevA}, {"version", 1}},
                                 {{"value", "trois"}, {"device_id", kDevC}, {"version", 2}}}));
    CHECK(rows() == 3); // a and b now have rows of their own (version 2)

    // Awa's own later edit based on version 1 merges over a field nobody else changed.
    auto own = f.push(tokenA, kDevA, json::array({ServerFixture::set(2, kRec1, 1, {{"c", 3}})}));
    CHECK(own.body.at("results")[0].at("status") == "merged");
    auto changes = f.pullAll(tokenC);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].at("answers") == json{{"a", 1}, {"b", "trois"}, {"c", 3}});
    CHECK(changes[0].at("conflicts") == json::array({"b"}));
}

TEST_CASE("a device is not sent its own records back until someone else changed them", "[server][pull]") {
    ServerFixture f;
    const std::string tokenA = f.loginWithDevice("awa", kDevA);
    const std::string tokenC = f.loginWithDevice("coco", kDevC);
    REQUIRE(
        f.push(tokenA, kDevA,
               json::array({ServerFixture::create(1, kRec1, {{"a", 1}}), ServerFixture::create(2, kRec2, {{"a", 1}})}))
            .status == 200);
    std::string cursor;
    auto pullA = [&] {
        auto r = f.get("/api/v1/sync/pull?device_id=" + kDevA + (cursor.empty() ? "" : "&cursor=" + cursor), tokenA);
        REQUIRE(r.status == 200);
        cursor = r.body.at("cursor").get<std::string>();
        std::vector<std::string> out;
        for (const auto& c : r.body.at("changes"))
            out.push_back(c.at("record_id").get<std::string>() + "@" + std::to_string(c.at("version").get<int>()));
        return out;
    };
    // Awa's tablet holds both already: nothing comes back, and the cursor moves past them.
    CHECK(pullA().empty());
    CHECK(cursor == "c2");
    CHECK(pullA().empty());
    // Without a device (or with a device that is not hers) everything visible comes, as before.
    CHECK(f.pullAll(tokenA).size() == 2);
    auto other = f.get("/api/v1/sync/pull?device_id=" + kDevC, tokenA);
    REQUIRE(other.status == 200);
    CHECK(other.body.at("changes").size() == 2);

    // Coco changes record 1: Awa gets it. Her own clean edit of record 2 on top of what she holds does
    // not come back.
    REQUIRE(f.push(tokenC, kDevC, json::array({ServerFixture::set(1, kRec1, 1, {{"b", 2}})})).status == 200);
    auto own = f.push(tokenA, kDevA, json::array({ServerFixture::set(3, kRec2, 1, {{"a", 2}})}));
    CHECK(own.body.at("results")[0].at("status") == "applied");
    CHECK(pullA() == std::vector<std::string>{kRec1 + "@2"});

    // Once someone else wrote a record, the server cannot tell what her tablet holds: her next edit
    // of it comes back (harmless, as before).
    auto after = f.push(tokenA, kDevA, json::array({ServerFixture::set(4, kRec1, 2, {{"a", 3}})}));
    CHECK(after.body.at("results")[0].at("status") == "applied");
    CHECK(pullA() == std::vector<std::string>{kRec1 + "@3"});
    // A stale edit of record 2 merges with Coco's field, which her tablet lacks: it comes back.
    REQUIRE(f.push(tokenC, kDevC, json::array({ServerFixture::set(2, kRec2, 1, {{"b", 5}})})).status == 200);
    auto merged = f.push(tokenA, kDevA, json::array({ServerFixture::set(5, kRec2, 2, {{"a", 4}})}));
    CHECK(merged.body.at("results")[0].at("status") == "merged");
    const auto back = pullA();
    CHECK(back == std::vector<std::string>{kRec2 + "@4"});
}

TEST_CASE("history keeps every version", "[server][history]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    json batch = json::array({ServerFixture::create(1, kRec1, {{"n", 0}})});
    for (int i = 1; i <= 5; ++i)
        batch.push_back(ServerFixture::set(i + 1, kRec1, i, {{"n", i}}));
    batch.push_back(
        ServerFixture::mutation(7, kRec1, 6, "finalize", {{"status", "finalized"}, {"fields", {{"n", nullptr}}}}));
    REQUIRE(f.push(token, kDevA, batch).status == 200);
    auto h = f.get("/api/v1/records/" + kRec1 + "/history", token);
    REQUIRE(h.status == 200);
    const auto& v = h.body.at("versions");
    REQUIRE(v.size() == 7);
    for (int i = 0; i < 6; ++i) {
        CHECK(v[static_cast<std::size_t>(i)].at("version") == i + 1);
        CHECK(v[static_cast<std::size_t>(i)].at("answers") == json{{"n", i}});
        CHECK(v[static_cast<std::size_t>(i)].at("device_id") == kDevA);
        CHECK(v[static_cast<std::size_t>(i)].at("user") == "awa");
    }
    CHECK(v[6].at("answers") == json::object());
    CHECK(v[6].at("status") == "finalized");
    CHECK(v[6].at("changed") == json::array({"n"}));
    CHECK(f.get("/api/v1/records/" + kRec2 + "/history", token).status == 404);
}

TEST_CASE("each version keeps the device's time of its last edit next to the server's time and the user",
          "[server][history]") {
    // Issue 22: a device sends `edited_at` with each mutation (docs/sync-protocol.md, "Push"); an older
    // device sends none. A create may carry its finalize (the device's outbox compaction).
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    json create = ServerFixture::create(1, kRec1, {{"n", 1}});
    create["changes"]["status"] = "finalized";
    create["edited_at"] = "2026-11-23T09:41:07Z";
    REQUIRE(f.push(token, kDevA, json::array({create})).status == 200);
    const json older = ServerFixture::set(2, kRec1, 1, {{"n", 2}});
    REQUIRE(f.push(token, kDevA, json::array({older})).status == 200);
    auto h = f.get("/api/v1/records/" + kRec1 + "/history", token);
    REQUIRE(h.status == 200);
    const auto& v = h.body.at("versions");
    INFO(v.dump());
    REQUIRE(v.size() == 2);
    CHECK(v[0].at("edited_at") == "2026-11-23T09:41:07Z"); // kept in the history when version 2 came
    CHECK(v[0].at("received_at").get<std::string>().size() >= 20);
    CHECK(v[0].at("received_at") != v[0].at("edited_at"));
    CHECK(v[0].at("user") == "awa");
    CHECK(v[0].at("status") == "finalized");
    CHECK(v[1].at("edited_at") == "");
    CHECK_FALSE(v[1].at("received_at").get<std::string>().empty());
    CHECK(v[1].at("status") == "finalized");
    CHECK(v[1].at("changes") == json::array({json{{"field", "n"}, {"old", 1}, {"new", 2}}}));
    // Anything but a time stamp is a malformed mutation.
    json bad = ServerFixture::set(3, kRec1, 2, {{"n", 3}});
    bad["edited_at"] = "hier soir";
    CHECK(f.push(token, kDevA, json::array({bad})).status == 400);
}

TEST_CASE("a record's current version is stored once, and an older database moves it out of the history",
          "[server][history][sqlite]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    const std::string kRec3 = recordId(3);
    REQUIRE(f.push(token, kDevA,
                   json::array({ServerFixture::create(1, kRec1, {{"a", 1}, {"b", "x"}}),
                                ServerFixture::create(2, kRec2, {{"a", 1}, {"c", nullptr}}), // a null: merged
                                ServerFixture::set(3, kRec1, 1, {{"b", "y"}}),
                                ServerFixture::create(4, kRec3, {{"a", 1}, {"b", "é"}})}))
                .status == 200);
    // Only the superseded version of record 1 is in the kept history; each current version is in
    // `records` alone, and record 3's list of changes is implied by its answers.
    CHECK(f.scalar("SELECT count(*) FROM record_versions") == 1);
    CHECK(f.scalar("SELECT count(*) FROM record_versions WHERE record_id = '" + kRec1 +
                   "' AND version = 1 AND answers = '{\"a\":1,\"b\":\"x\"}' AND changed = '[\"a\",\"b\"]'") == 1);
    CHECK(f.scalar("SELECT count(*) FROM records WHERE version_changed IS NULL") == 1);
    CHECK(f.scalar("SELECT count(*) FROM records WHERE record_id = '" + kRec3 + "' AND version_changed IS NULL") == 1);

    auto history = [&](const std::string& id) {
        auto h = f.get("/api/v1/records/" + id + "/history", token);
        REQUIRE(h.status == 200);
        return h.body.at("versions");
    };
    const json h1 = history(kRec1), h2 = history(kRec2), h3 = history(kRec3);
    REQUIRE(h1.size() == 2);
    CHECK(h1[0].at("answers") == json{{"a", 1}, {"b", "x"}});
    CHECK(h1[0].at("changed") == json::array({"a", "b"}));
    CHECK(h1[1].at("answers") == json{{"a", 1}, {"b", "y"}});
    CHECK(h1[1].at("changed") == json::array({"b"}));
    CHECK(h1[1].at("device_id") == kDevA);
    CHECK(h1[1].at("user") == "awa");
    REQUIRE(h2.size() == 1);
    CHECK(h2[0].at("answers") == json{{"a", 1}});
    CHECK(h2[0].at("changed") == json::array({"a", "c"})); // the null it was created with is listed
    REQUIRE(h3.size() == 1);
    CHECK(h3[0].at("changed") == json::array({"a", "b"}));
    CHECK(h3[0].at("status") == "draft");

    // The same data in the layout of schema version 5 (every version in `record_versions`, the current
    // one too; no version columns in `records`), reopened: the migration moves it back and the history
    // reads the same.
    f.restart([](Db& db) {
        REQUIRE(db.exec(std::string(kUndoSchema16)).ok());
        REQUIRE(db.exec("INSERT INTO record_versions SELECT record_id, version, status, form_version, version_device, "
                        "version_user, answers, coalesce(version_changed, (SELECT json_group_array(key) FROM "
                        "json_each(records.answers))), version_at FROM records")
                    .ok());
        for (const char* column : {"version_device", "version_user", "version_changed", "version_at"})
            REQUIRE(db.exec(std::string("ALTER TABLE records DROP COLUMN ") + column).ok());
        REQUIRE(db.exec(std::string(kUndoSchema12) + std::string(kAppliedOfSchema6) + "PRAGMA user_version = 5").ok());
        REQUIRE(*db.scalar("SELECT count(*) FROM record_versions") == 4);
    });
    CHECK(f.scalar("PRAGMA user_version") == latestSchema()); // and the migrations after 7
    CHECK(f.scalar("SELECT count(*) FROM record_versions") == 1);
    CHECK(history(kRec1) == h1);
    CHECK(history(kRec2) == h2);
    CHECK(history(kRec3) == h3);
    // And it goes on from there: the next version of record 3 keeps version 1 with its answers listed.
    REQUIRE(f.push(token, kDevA, json::array({ServerFixture::set(5, kRec3, 1, {{"a", 2}})})).status == 200);
    const json after = history(kRec3);
    REQUIRE(after.size() == 2);
    CHECK(after[0] == h3[0]);
    CHECK(after[1].at("answers") == json{{"a", 2}, {"b", "é"}});
    CHECK(after[1].at("changed") == json::array({"a"}));
    CHECK(f.scalar("SELECT count(*) FROM record_versions WHERE record_id = '" + kRec3 +
                   "' AND changed = '[\"a\",\"b\"]'") == 1);
}

TEST_CASE("pull pages through everything exactly once, then costs one empty round trip", "[server][pull]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    json batch = json::array();
    for (int i = 0; i < 23; ++i)
        batch.push_back(ServerFixture::create(i + 1, recordId(i), {{"i", i}}));
    REQUIRE(f.push(token, kDevA, batch).status == 200);

    std::vector<json> seen;
    std::string cursor;
    int pages = 0;
    while (true) {
        auto r = f.get("/api/v1/sync/pull?limit=5" + (cursor.empty() ? std::string() : "&cursor=" + cursor), token);
        REQUIRE(r.status == 200);
        ++pages;
        CHECK(r.body.at("forms").size() == 1);
        for (const auto& c : r.body.at("changes"))
            seen.push_back(c);
        cursor = r.body.at("cursor");
        if (!r.body.at("more").get<bool>()) break;
        // A change made between pages comes in a later page.
        if (pages == 2)
            REQUIRE(f.push(token, kDevA, json::array({ServerFixture::set(100, recordId(0), 1, {{"i", -1}})})).status ==
                    200);
    }
    CHECK(pages == 5);
    REQUIRE(seen.size() == 24);
    CHECK(ids(seen).size() == 23);
    CHECK(seen.back().at("record_id") == recordId(0));
    CHECK(seen.back().at("answers") == json{{"i", -1}});

    auto empty = f.get("/api/v1/sync/pull?cursor=" + cursor, token);
    REQUIRE(empty.status == 200);
    CHECK(empty.body.at("changes").empty());
    CHECK(empty.body.at("cursor") == cursor);
    CHECK(empty.body.at("more") == false);
    CHECK(f.get("/api/v1/sync/pull?cursor=garbage", token).status == 400);
    CHECK(f.get("/api/v1/sync/pull?limit=x", token).status == 400);
}

TEST_CASE("visibility: ambassadors see their own and assigned records, organisations never each other's",
          "[server][pull][visibility]") {
    ServerFixture f;
    const std::string tokenA = f.loginWithDevice("awa", kDevA);
    const std::string tokenB = f.loginWithDevice("binta", kDevB);
    const std::string tokenC = f.login("coco");
    const std::string tokenZ = f.loginWithDevice("zed", kDevZ);
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::create(1, kRec1, {{"who", "awa"}})})).status == 200);
    REQUIRE(f.push(tokenB, kDevB, json::array({ServerFixture::create(1, kRec2, {{"who", "binta"}})})).status == 200);

    CHECK(ids(f.pullAll(tokenA)) == std::set<std::string>{kRec1});
    CHECK(ids(f.pullAll(tokenB)) == std::set<std::string>{kRec2});
    CHECK(ids(f.pullAll(tokenC)) == std::set<std::string>{kRec1, kRec2});
    CHECK(f.pullAll(tokenZ).empty());
    CHECK(f.pullAll(tokenC)[0].at("org") == "alec");

    CHECK(f.get("/api/v1/records/" + kRec2 + "/history", tokenA).status == 404);
    CHECK(f.get("/api/v1/records/" + kRec2 + "/history", tokenZ).status == 404);
    CHECK(f.get("/api/v1/records/" + kRec2 + "/history", tokenC).status == 200);
    auto foreign = f.push(tokenZ, kDevZ, json::array({ServerFixture::set(1, kRec1, 1, {{"who", "zed"}})}));
    CHECK(foreign.body.at("results")[0].at("status") == "rejected");
    auto notMine = f.push(tokenB, kDevB, json::array({ServerFixture::set(2, kRec1, 1, {{"who", "binta"}})}));
    CHECK(notMine.body.at("results")[0].at("status") == "rejected");
    // The other organisation's coordinator sees no conflicts of ours either.
    CHECK(f.get("/api/v1/conflicts", tokenZ).body.at("conflicts").empty());

    // Once assigned, the record reaches the assignee's next pull and she may edit it.
    auto cursorB = f.get("/api/v1/sync/pull", tokenB).body.at("cursor").get<std::string>();
    auto binta = f.services->repository().findUser("binta");
    REQUIRE((binta.ok() && *binta));
    REQUIRE(f.services->repository().assignRecord(kRec1, (*binta)->id).ok());
    auto next = f.get("/api/v1/sync/pull?cursor=" + cursorB, tokenB);
    REQUIRE(next.body.at("changes").size() == 1);
    CHECK(next.body.at("changes")[0].at("record_id") == kRec1);
    auto edit = f.push(tokenB, kDevB, json::array({ServerFixture::set(3, kRec1, 1, {{"who", "binta"}})}));
    CHECK(edit.body.at("results")[0].at("status") == "applied");
}

TEST_CASE("resolving a conflict creates a version that syncs like any other", "[server][conflicts]") {
    ServerFixture f;
    const std::string tokenA = f.loginWithDevice("awa", kDevA);
    const std::string tokenC = f.loginWithDevice("coco", kDevC);
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::create(1, kRec1, {{"a", 1}, {"b", 1}})})).status == 200);
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::set(2, kRec1, 1, {{"a", 2}, {"b", 2}})})).status == 200);
    auto clash = f.push(tokenC, kDevC, json::array({ServerFixture::set(1, kRec1, 1, {{"a", 3}, {"b", 3}})}));
    REQUIRE(clash.body.at("results")[0].at("status") == "conflict");
    // A third value on a field already in conflict joins the same conflict.
    REQUIRE(f.push(tokenA, kDevA, json::array({ServerFixture::set(3, kRec1, 2, {{"a", 4}})}))
                .body.at("results")[0]
                .at("status") == "conflict");
    auto list = f.get("/api/v1/conflicts", tokenC).body.at("conflicts");
    REQUIRE(list.size() == 2);
    CHECK(list[0].at("values").size() == 3);

    const std::string cursor = f.get("/api/v1/sync/pull", tokenA).body.at("cursor");
    CHECK(f.post("/api/v1/conflicts/" + kRec1 + "/resolve", json{{"fields", {{"a", 2}}}}, tokenA).status == 403);
    auto r = f.post("/api/v1/conflicts/" + kRec1 + "/resolve", json{{"fields", {{"a", 2}}}}, tokenC);
    REQUIRE(r.status == 200);
    CHECK(r.body.at("version") == 5);
    CHECK(r.body.at("conflicts") == json::array({"b"}));
    CHECK(f.post("/api/v1/conflicts/" + kRec1 + "/resolve", json{{"fields", {{"a", 2}}}}, tokenC).status == 409);
    CHECK(f.post("/api/v1/conflicts/" + kRec2 + "/resolve", json{{"fields", {{"a", 2}}}}, tokenC).status == 404);
    CHECK(f.post("/api/v1/conflicts/" + kRec1 + "/resolve", json{{"fields", 3}}, tokenC).status == 400);

    auto pulled = f.get("/api/v1/sync/pull?cursor=" + cursor, tokenA);
    REQUIRE(pulled.body.at("changes").size() == 1);
    CHECK(pulled.body.at("changes")[0].at("version") == 5);
    CHECK(pulled.body.at("changes")[0].at("answers") == json{{"a", 2}, {"b", 3}});
    CHECK(pulled.body.at("changes")[0].at("conflicts") == json::array({"b"}));
    auto versions = f.get("/api/v1/records/" + kRec1 + "/history", tokenA).body.at("versions");
    REQUIRE(versions.size() == 5);
    CHECK(versions[4].at("user") == "coco");
    CHECK(versions[4].at("device_id") == std::string(server::kResolutionDevice));
    REQUIRE(f.post("/api/v1/conflicts/" + kRec1 + "/resolve", json{{"fields", {{"b", 3}}}}, tokenC).status == 200);
    CHECK(f.get("/api/v1/conflicts", tokenC).body.at("conflicts").empty());
}

TEST_CASE("concurrent pushes from several devices are all applied, each exactly once", "[server][push]") {
    ServerFixture f;
    const std::vector<std::string> devices{kDevA, kDevB, kDevC, kDevZ};
    const std::vector<std::string> users{"awa", "binta", "coco", "coco"};
    std::vector<std::string> tokens;
    for (std::size_t d = 0; d < devices.size(); ++d)
        tokens.push_back(f.loginWithDevice(users[d], devices[d]));
    std::vector<std::thread> threads;
    std::vector<int> failures(devices.size(), 0);
    for (std::size_t d = 0; d < devices.size(); ++d)
        threads.emplace_back([&, d] {
            for (int b = 0; b < 5; ++b) {
                json batch = json::array();
                for (int i = 0; i < 10; ++i) {
                    const int n = static_cast<int>(d) * 1000 + b * 10 + i;
                    batch.push_back(ServerFixture::create(b * 10 + i + 1, recordId(n), {{"n", n}}));
                }
                // Sent twice, as a device does when a response is lost.
                for (int attempt = 0; attempt < 2; ++attempt) {
                    auto c = f.client();
                    auto r = c.Post("/api/v1/sync/push", ServerFixture::auth(tokens[d]),
                                    json{{"device_id", devices[d]}, {"mutations", batch}}.dump(), "application/json");
                    if (!r || r->status != 200) ++failures[d];
                }
            }
        });
    for (auto& t : threads)
        t.join();
    CHECK(failures == std::vector<int>(devices.size(), 0));
    auto all = f.pullAll(f.login("coco"), 37);
    CHECK(all.size() == 200);
    CHECK(ids(all).size() == 200);
    for (const auto& c : all)
        CHECK(c.at("version") == 1);
}

TEST_CASE("applied pushes and the cursor survive a server restart", "[server][push]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    const json batch =
        json::array({ServerFixture::create(1, kRec1, {{"a", 1}}), ServerFixture::set(2, kRec1, 1, {{"a", 2}})});
    auto first = f.push(token, kDevA, batch);
    REQUIRE(first.status == 200);
    const std::string cursor = f.get("/api/v1/sync/pull", token).body.at("cursor");

    f.restart();

    CHECK(f.push(token, kDevA, batch).body == first.body); // tokens, devices and applied seqs are on disk
    auto pulled = f.get("/api/v1/sync/pull?cursor=" + cursor, token);
    CHECK(pulled.body.at("changes").empty());
    CHECK(pulled.body.at("cursor") == cursor);
    CHECK(f.get("/api/v1/records/" + kRec1 + "/history", token).body.at("versions").size() == 2);
}

TEST_CASE("migrate moves a record to another published version of its form", "[server][push]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    auto doc = json::parse(ServerFixture::assetForm("door_to_door"));
    doc["version"] = "2026.12.1";
    REQUIRE(f.services->forms().publish(doc.dump()).ok());
    auto r = f.push(token, kDevA,
                    json::array({ServerFixture::create(1, kRec1, {{"a", 1}}),
                                 ServerFixture::mutation(2, kRec1, 1, "migrate", {{"form_version", "2099.1"}}),
                                 ServerFixture::mutation(3, kRec1, 1, "migrate", {{"form_version", "2026.12.1"}})}));
    REQUIRE(r.status == 200);
    CHECK(r.body.at("results")[1].at("status") == "rejected");
    CHECK(r.body.at("results")[2].at("status") == "applied");
    auto changes = f.pullAll(token);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].at("form_version") == "2026.12.1");
    CHECK(changes[0].at("answers") == json{{"a", 1}});
    auto forms = f.get("/api/v1/forms", token).body.at("forms");
    REQUIRE(forms.size() == 2);
    CHECK(forms[1].at("version") == "2026.12.1"); // oldest first
}

TEST_CASE("the WAL is checkpointed in the background, and nothing committed is lost", "[server][storage][sqlite]") {
    ServerFixture f;
    const std::string token = f.loginWithDevice("awa", kDevA);
    const auto dbFile = f.dbFile();
    const auto startSize = std::filesystem::file_size(dbFile);
    // 16 MB of answers in 32 pushes: the WAL crosses the checkpoint threshold (1,000 pages, 4 MB)
    // again and again.
    const std::string note(20000, 'n');
    std::int64_t seq = 0;
    for (int batch = 0; batch < 32; ++batch) {
        json mutations = json::array();
        for (int i = 0; i < 25; ++i) {
            ++seq;
            std::string id = std::to_string(seq);
            id = std::string(8 - id.size(), '0') + id + "-0000-4000-8000-000000000000";
            mutations.push_back(ServerFixture::create(seq, id, {{"note", note}, {"n", seq}}));
        }
        REQUIRE(f.push(token, kDevA, mutations).status == 200);
    }
    // No request checkpoints any more: the pages reach the database file from the checkpointer thread.
    for (int i = 0; i < 200 && std::filesystem::file_size(dbFile) < startSize + (4u << 20); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(std::filesystem::file_size(dbFile) >= startSize + (4u << 20));
    // And the WAL starts over once checkpointed, instead of holding all 16 MB.
    auto walFile = dbFile;
    walFile += "-wal";
    CHECK(std::filesystem::file_size(walFile) < (12u << 20));
    auto db = Db::open(dbFile);
    REQUIRE(db.ok());
    CHECK(*db->scalar("SELECT count(*) FROM records") == 800);
    auto check = db->prepare("PRAGMA integrity_check");
    REQUIRE(check.ok());
    REQUIRE(*check->step());
    CHECK(check->text(0) == "ok");
}
