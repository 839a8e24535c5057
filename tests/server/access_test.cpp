// Who may see and change what, across users and organisations, through real HTTP on 127.0.0.1
// (issue 17: findings 4, 5, 7, 8, 9, 10; docs/security.md).
#include "server_fixture.hpp"

#include "server/crypto.hpp"

#include <algorithm>
#include <cstdlib>
#include <sys/wait.h>

#include <sstream>

using namespace carnet;
using namespace carnet::test;

namespace {

struct AccessFixture : ServerFixture {
    std::string awa, binta, coco, zed;
    AccessFixture() {
        REQUIRE(services->field().publishBuiltinForms().ok());
        awa = loginWithDevice("awa", "dev-awa");
        binta = loginWithDevice("binta", "dev-binta");
        coco = loginWithDevice("coco", "dev-coco");
        zed = loginWithDevice("zed", "dev-zed");
    }

    static json createOf(std::int64_t seq, const std::string& record, const std::string& formId,
                         const std::string& version, const std::string& kind, json fields) {
        return mutation(seq, record, 0, "create",
                        json{{"form_id", formId},
                             {"form_version", version},
                             {"kind", kind},
                             {"author", "someone"},
                             {"fields", std::move(fields)}});
    }

    // Whether the token's user receives record `id` on a pull.
    bool pulls(const std::string& token, const std::string& id) const {
        for (const auto& c : pullAll(token))
            if (c.value("record_id", "") == id) return true;
        return false;
    }
};

} // namespace

// Finding 5: a call task naming another ambassador's person must not route that person to the pusher.
TEST_CASE_METHOD(AccessFixture, "a call task routes only a person its pusher may see", "[access]") {
    const json person{{"prenom", "Nadia"}, {"nom", "Secret"}, {"telephone", "0601020304"}};
    REQUIRE(push(awa, "dev-awa", json::array({createOf(1, "p-awa", "person", "2026.11.1", "person", person)})).status ==
            200);
    REQUIRE_FALSE(pulls(binta, "p-awa"));

    const json task{{"person_id", "p-awa"},
                    {"formulaire", "phone_followup"},
                    {"echeance", "2026-12-01"},
                    {"statut", "a_faire"},
                    {"appelant", "binta"}};
    auto r =
        push(binta, "dev-binta", json::array({createOf(1, "t-binta", "call_task", "2026.11.1", "call_task", task)}));
    REQUIRE(r.status == 200);
    CHECK_FALSE(pulls(binta, "p-awa"));
    CHECK(scalar("SELECT count(*) FROM records WHERE record_id = 'p-awa' AND assigned_to IS NOT NULL") == 0);

    // The person's own ambassador routing the call to binta still hands binta the contact.
    REQUIRE(
        push(awa, "dev-awa", json::array({createOf(2, "t-awa", "call_task", "2026.11.1", "call_task", task)})).status ==
        200);
    CHECK(pulls(binta, "p-awa"));
}

// Finding 8: text cells a spreadsheet would run as a formula are written as text.
TEST_CASE_METHOD(AccessFixture, "a CSV export never writes a cell a spreadsheet runs as a formula", "[access]") {
    json a{{"commune", "gardanne"}, {"issue_visite", "refus"}};
    a["adresse"] = "=HYPERLINK(\"http://evil.example\",\"clic\")";
    json b{{"commune", "gardanne"}, {"issue_visite", "refus"}};
    b["adresse"] = "@SUM(1+1)";
    json c{{"commune", "gardanne"}, {"issue_visite", "refus"}};
    c["adresse"] = "-2+3";
    json d{{"commune", "gardanne"}, {"issue_visite", "refus"}};
    d["adresse"] = "+33 6 01";
    REQUIRE(push(awa, "dev-awa",
                 json::array({create(1, "r-a", a), create(2, "r-b", b), create(3, "r-c", c), create(4, "r-d", d)}))
                .status == 200);
    auto csv = get("/api/v1/exports/door_to_door.csv?status=all", coco);
    REQUIRE(csv.status == 200);
    CHECK(csv.raw.find("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"clic\"\")\"") != std::string::npos);
    CHECK(csv.raw.find(",'@SUM(1+1),") != std::string::npos);
    CHECK(csv.raw.find(",'-2+3,") != std::string::npos);
    CHECK(csv.raw.find(",'+33 6 01,") != std::string::npos);
    for (const auto& line : csvLines(csv.raw))
        for (const char* bad : {",=", ",\"=", ",@", ",\"@", ",+", ",-2"})
            CHECK(line.find(bad) == std::string::npos);
}

// Finding 9: the console and the API send the browser security headers.
TEST_CASE_METHOD(AccessFixture, "the console sends its security headers", "[access]") {
    auto c = client();
    for (const auto* path : {"/", "/console/app.js", "/api/v1/records"}) {
        auto r = c.Get(path, auth(coco));
        REQUIRE(r);
        INFO(path);
        CHECK(r->status == 200);
        const std::string csp = r->get_header_value("Content-Security-Policy");
        CHECK(csp.find("default-src 'self'") != std::string::npos);
        CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
        CHECK(csp.find("unsafe-inline") == std::string::npos);
        CHECK(r->get_header_value("X-Frame-Options") == "DENY");
        CHECK(r->get_header_value("X-Content-Type-Options") == "nosniff");
        CHECK(r->get_header_value("Referrer-Policy") == "no-referrer");
    }
}

namespace {

// Applies `f` to every JSON object in `j`, depth first; an object `f` returns true for is removed
// from the array holding it.
bool editObjects(json& j, const std::function<bool(json&)>& f) {
    if (j.is_object()) {
        for (auto& [k, v] : j.items())
            if (editObjects(v, f)) v = nullptr;
        return f(j);
    }
    if (j.is_array()) {
        json kept = json::array();
        for (auto& v : j)
            if (!editObjects(v, f)) kept.push_back(v);
        j = std::move(kept);
    }
    return false;
}

std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (char c : line) {
        if (c == '"')
            quoted = !quoted;
        else if (c == ',' && !quoted)
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

// The CSV's cell of `column` on the line of record `id`.
std::string cellOf(const std::string& csv, const std::string& id, const std::string& column) {
    auto all = csvLines(csv.substr(3));
    REQUIRE(!all.empty());
    const auto header = splitCsv(all[0]);
    const auto col = std::find(header.begin(), header.end(), column);
    REQUIRE(col != header.end());
    for (const auto& l : all) {
        auto cells = splitCsv(l);
        if (!cells.empty() && cells[0] == id) {
            REQUIRE(cells.size() == header.size());
            return cells[static_cast<std::size_t>(col - header.begin())];
        }
    }
    FAIL("no line for " << id);
    return {};
}

} // namespace

// Finding 4: another organisation publishing a version of the same form id changes nothing here,
// and each record is exported with the version it was written with.
TEST_CASE_METHOD(AccessFixture, "forms belong to an organisation and exports read each record with its own version",
                 "[access]") {
    json a{{"commune", "gardanne"}, {"issue_visite", "refus"}, {"telephone", "0611223344"}};
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-old", a)})).status == 200);
    auto before = get("/api/v1/exports/door_to_door.csv?status=all", coco);
    REQUIRE(before.status == 200);

    // Organisation "other" publishes door_to_door 0.0.1-beta with one question.
    const json beta{
        {"id", "door_to_door"},
        {"version", "0.0.1-beta"},
        {"title", {{"fr", "Bêta"}}},
        {"default_language", "fr"},
        {"languages", json::array({"fr"})},
        {"pages",
         json::array({json{
             {"type", "page"},
             {"name", "p"},
             {"label", {{"fr", "P"}}},
             {"children", json::array({json{{"type", "text"}, {"name", "seule"}, {"label", {{"fr", "Seule"}}}}})}}})}};
    auto published = post("/api/v1/forms", beta, zed);
    REQUIRE(published.status == 201);

    auto after = get("/api/v1/exports/door_to_door.csv?status=all", coco);
    REQUIRE(after.status == 200);
    CHECK(after.raw == before.raw);
    CHECK(cellOf(after.raw, "r-old", "telephone") == "0611223344");
    // Alec's devices neither list nor fetch it; the other organisation does.
    CHECK(get("/api/v1/forms", awa).raw.find("0.0.1-beta") == std::string::npos);
    CHECK(get("/api/v1/forms/door_to_door/0.0.1-beta", awa).status == 404);
    CHECK(get("/api/v1/forms/door_to_door/0.0.1-beta", zed).status == 200);
    CHECK(get("/api/v1/forms", zed).raw.find("0.0.1-beta") != std::string::npos);
    // Nor may alec write records of it.
    json beta1 = create(2, "r-beta", json{{"seule", "x"}});
    beta1["changes"]["form_version"] = "0.0.1-beta";
    auto refused = push(awa, "dev-awa", json::array({beta1}));
    REQUIRE(refused.status == 200);
    CHECK(refused.body["results"][0]["status"] == "rejected");

    // Alec's own next version drops the phone and renames a choice: each record keeps its own.
    json next = json::parse(assetForm("door_to_door"));
    next["version"] = "2026.12.1";
    editObjects(next, [](json& o) {
        if (o.value("value", "") == "refus" && o.contains("label")) o["label"]["fr"] = "Refus poli";
        return o.value("name", "") == "telephone";
    });
    REQUIRE(post("/api/v1/forms", next, coco).status == 201);
    json b{{"commune", "gardanne"}, {"issue_visite", "refus"}};
    json newer = create(2, "r-new", b);
    newer["changes"]["form_version"] = "2026.12.1";
    REQUIRE(push(awa, "dev-awa", json::array({newer})).body["results"][0]["status"] == "applied");
    auto labels = get("/api/v1/exports/door_to_door.csv?labels=1&status=all", coco);
    REQUIRE(labels.status == 200);
    CHECK(cellOf(labels.raw, "r-old", "issue_visite") == "Refus");
    CHECK(cellOf(labels.raw, "r-new", "issue_visite") == "Refus poli");
    CHECK(cellOf(labels.raw, "r-old", "telephone@2026.11.3") == "0611223344");
    // The other organisation's export has its own version's column first, and never alec's version.
    auto theirs = get("/api/v1/exports/door_to_door.csv?status=all", zed);
    REQUIRE(theirs.status == 200);
    CHECK(csvLines(theirs.raw.substr(3))[0].find("updated_at,seule,") != std::string::npos);
    CHECK(get("/api/v1/forms", zed).raw.find("2026.12.1") == std::string::npos);
}

// Finding 4, existing data: forms published before organisations owned forms stay shared.
TEST_CASE_METHOD(AccessFixture, "forms published before the schema change stay shared by every organisation",
                 "[access][sqlite]") {
    const auto published = scalar("SELECT count(*) FROM forms");
    restart([](Db& db) {
        // The schema-7 forms table, as a server of before this change left it.
        REQUIRE(db.exec(std::string(kUndoSchema16) + std::string(kUndoSchema12) +
                        "CREATE TABLE old_forms(seq INTEGER PRIMARY KEY, form_id TEXT NOT NULL, version TEXT NOT "
                        "NULL, hash TEXT NOT NULL, body TEXT NOT NULL, published_at TEXT NOT NULL, "
                        "UNIQUE(form_id, version));"
                        "INSERT INTO old_forms SELECT seq, form_id, version, hash, body, published_at FROM forms;"
                        "DROP TABLE forms; ALTER TABLE old_forms RENAME TO forms; PRAGMA user_version = 7;")
                    .ok());
    });
    CHECK(scalar("SELECT count(*) FROM forms WHERE org_id = 0") == published);
    CHECK(get("/api/v1/forms/door_to_door/2026.11.3", awa).status == 200);
    CHECK(get("/api/v1/forms/door_to_door/2026.11.3", zed).status == 200);
}

namespace {

std::string sha256Of(const std::string& bytes) {
    return server::sha256Hex(bytes);
}

Reply putChunk(const ServerFixture& f, const std::string& token, const std::string& sha, std::size_t offset,
               const std::string& bytes, std::size_t total) {
    auto c = f.client();
    return ServerFixture::reply(
        c.Put(("/api/v1/attachments/" + sha + "?offset=" + std::to_string(offset) + "&total=" + std::to_string(total))
                  .c_str(),
              ServerFixture::auth(token), bytes, "application/octet-stream"));
}

// Runs a shell command; its exit code.
int run(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

} // namespace

// Finding 10: an attachment is its organisation's; another one can neither read its state nor learn
// that it exists.
TEST_CASE_METHOD(AccessFixture, "attachments are scoped to the organisation that uploaded them", "[access]") {
    const std::string photo = "a photo of a door, in bytes";
    const std::string sha = sha256Of(photo);
    auto up = putChunk(*this, awa, sha, 0, photo, photo.size());
    REQUIRE(up.status == 200);
    CHECK(up.body["complete"] == true);
    CHECK(get("/api/v1/attachments/" + sha, coco).body["complete"] == true);

    auto probe = get("/api/v1/attachments/" + sha, zed);
    REQUIRE(probe.status == 200);
    CHECK(probe.body["complete"] == false);
    CHECK(probe.body["received"] == 0);
    // Their own upload of the same bytes is theirs, from the first byte.
    auto second = putChunk(*this, zed, sha, 0, photo.substr(0, 5), photo.size());
    REQUIRE(second.status == 200);
    CHECK(second.body["received"] == 5);
    CHECK(second.body["complete"] == false);
}

// Finding 10: a partial upload nobody finishes does not stay on the server for ever.
TEST_CASE_METHOD(AccessFixture, "abandoned partial uploads expire", "[access]") {
    const std::string photo(4000, 'p');
    const std::string sha = sha256Of(photo);
    REQUIRE(putChunk(*this, awa, sha, 0, photo.substr(0, 1000), photo.size()).status == 200);
    CHECK(get("/api/v1/attachments/" + sha, awa).body["received"] == 1000);
    const auto org = scalar("SELECT id FROM orgs WHERE name = 'alec'");
    const auto part = dir.path() / "data" / "attachments" / std::to_string(org) / "partial" / (sha + ".part");
    REQUIRE(std::filesystem::exists(part));
    std::filesystem::last_write_time(part, std::filesystem::file_time_type::clock::now() - std::chrono::hours(25));

    // The next upload the organisation starts sweeps it away.
    const std::string other = "another photo";
    REQUIRE(putChunk(*this, awa, sha256Of(other), 0, other, other.size()).status == 200);
    CHECK_FALSE(std::filesystem::exists(part));
    CHECK(get("/api/v1/attachments/" + sha, awa).body["received"] == 0);
}

// Finding 10: weak passwords are refused, by the console and by `carnet-server user add`.
TEST_CASE_METHOD(AccessFixture, "accounts refuse weak passwords", "[access]") {
    for (const char* weak : {"x", "short pass", "password1234", "PASSWORD1234", "aaaaaaaaaaaaaaaa"}) {
        INFO(weak);
        auto r = post("/api/v1/users", json{{"name", "eve"}, {"role", "ambassador"}, {"password", weak}}, coco);
        CHECK(r.status == 400);
        CHECK(r.body["error"] == "invalid_request");
    }
    CHECK(
        post("/api/v1/users", json{{"name", "eve"}, {"role", "ambassador"}, {"password", "eve walks 3 streets"}}, coco)
            .status == 201);

    const std::string data = " --data " + (dir.path() / "cli").string() + " >/dev/null 2>&1";
    const std::string bin = CARNET_SERVER_BIN;
    REQUIRE(run(bin + " org add alec" + data) == 0);
    CHECK(run("printf 'x\\n' | " + bin + " user add bob --role admin --org alec --password-stdin" + data) == 1);
    CHECK(run("printf 'password1234\\n' | " + bin + " user add bob --role admin --org alec --password-stdin" + data) ==
          1);
    CHECK(run("printf 'bob keeps 12 keys\\n' | " + bin + " user add bob --role admin --org alec --password-stdin" +
              data) == 0);
}

// Finding 10: a 409 never says that a name is taken in another organisation, or by whom.
TEST_CASE_METHOD(AccessFixture, "taken user and device names give one generic answer", "[access]") {
    const json theirs{{"name", "zed"}, {"role", "ambassador"}, {"password", "a long enough one"}};
    const json ours{{"name", "binta"}, {"role", "ambassador"}, {"password", "a long enough one"}};
    auto a = post("/api/v1/users", theirs, coco);
    auto b = post("/api/v1/users", ours, coco);
    CHECK(a.status == 409);
    CHECK(b.status == 409);
    CHECK(a.raw == b.raw);
    CHECK(a.body["message"].get<std::string>().find("zed") == std::string::npos);

    auto d1 = post("/api/v1/devices", json{{"device_id", "dev-zed"}}, coco);
    auto d2 = post("/api/v1/devices", json{{"device_id", "dev-awa"}}, coco);
    CHECK(d1.status == 409);
    CHECK(d2.status == 409);
    CHECK(d1.raw == d2.raw);
    CHECK(d1.body["message"].get<std::string>().find("dev-zed") == std::string::npos);

    // A record of another organisation is refused like a colleague's.
    REQUIRE(push(zed, "dev-zed", json::array({create(1, "r-zed", json{{"commune", "gardanne"}})})).status == 200);
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-awa", json{{"commune", "gardanne"}})})).status == 200);
    auto x = push(binta, "dev-binta", json::array({set(1, "r-zed", 1, json{{"commune", "venelles"}})}));
    auto y = push(binta, "dev-binta", json::array({set(2, "r-awa", 1, json{{"commune", "venelles"}})}));
    REQUIRE(x.status == 200);
    REQUIRE(y.status == 200);
    CHECK(x.body["results"][0]["status"] == "rejected");
    CHECK(x.body["results"][0]["reason"].get<std::string>().find("organisation") == std::string::npos);
    std::string rx = x.body["results"][0]["reason"], ry = y.body["results"][0]["reason"];
    rx.replace(rx.find("r-zed"), 5, "ID");
    ry.replace(ry.find("r-awa"), 5, "ID");
    CHECK(rx == ry);
}

// Finding 7: failed logins are throttled per account and per client address, with a clear 429.
TEST_CASE_METHOD(AccessFixture, "logins are throttled per account and per client address", "[access]") {
    server::AccountLimits limits;
    limits.accountFailures = 3;
    limits.addressFailures = 5;
    limits.lockout = std::chrono::seconds(120);
    services->auth().setLimits(limits);
    const json wrong{{"user", "awa"}, {"password", "not her password"}};
    for (int i = 0; i < 3; ++i)
        REQUIRE(post("/api/v1/login", wrong).status == 401);
    auto locked = post("/api/v1/login", json{{"user", "awa"}, {"password", kPassword}});
    CHECK(locked.status == 429);
    CHECK(locked.body["error"] == "too_many_attempts");
    const std::string retry = locked.headers.find("Retry-After") != locked.headers.end()
                                  ? locked.headers.find("Retry-After")->second
                                  : std::string();
    REQUIRE_FALSE(retry.empty());
    CHECK(std::stoi(retry) > 0);
    CHECK(std::stoi(retry) <= 120);
    // Another account from the same address still logs in, until the address has failed too often.
    CHECK(post("/api/v1/login", json{{"user", "binta"}, {"password", kPassword}}).status == 200);
    CHECK(post("/api/v1/login", json{{"user", "nobody"}, {"password", "guess number one"}}).status == 401);
    CHECK(post("/api/v1/login", json{{"user", "nobody2"}, {"password", "guess number two"}}).status == 401);
    auto address = post("/api/v1/login", json{{"user", "binta"}, {"password", kPassword}});
    CHECK(address.status == 429);
    CHECK(address.headers.count("Retry-After") == 1);
    // Tokens already given keep working.
    CHECK(get("/api/v1/records", coco).status == 200);
}

// Finding 7: tokens die when left idle and at the end of their lifetime; a live one is renewed.
TEST_CASE_METHOD(AccessFixture, "tokens expire when idle and after their lifetime, and are renewed",
                 "[access][sqlite]") {
    auto db = Db::open(dbFile());
    REQUIRE(db.ok());
    auto tokenHash = [](const std::string& token) { return server::sha256Hex(token); };
    CHECK(get("/api/v1/records", coco).status == 200);
    CHECK(get("/api/v1/records", awa).status == 200);

    // Idle: last used long ago (the default idle time is 30 days).
    REQUIRE(
        db->exec("INSERT OR REPLACE INTO token_uses VALUES ('" + tokenHash(coco) + "', '2000-01-01T00:00:00Z')").ok());
    CHECK(get("/api/v1/records", coco).status == 401);
    // Lifetime: created long ago, even if used a minute ago.
    REQUIRE(
        db->exec("UPDATE tokens SET created_at = '2000-01-01T00:00:00Z' WHERE token_hash = '" + tokenHash(awa) + "'")
            .ok());
    CHECK(get("/api/v1/records", awa).status == 401);
    CHECK(post("/api/v1/session/renew", json::object(), awa).status == 401);

    // A login says when the token ends and when to renew it; renewing gives a new token, the old one dies.
    auto login = post("/api/v1/login", json{{"user", "binta"}, {"password", kPassword}});
    REQUIRE(login.status == 200);
    CHECK(login.body["expires_at"].get<std::string>() > login.body["renew_after"].get<std::string>());
    const std::string old = login.body["token"];
    auto renewed = post("/api/v1/session/renew", json::object(), old);
    REQUIRE(renewed.status == 200);
    const std::string fresh = renewed.body["token"];
    CHECK(fresh != old);
    CHECK(get("/api/v1/records", fresh).status == 200);
    CHECK(get("/api/v1/records", old).status == 401);
}

// API errors carry a text in the client's language (French unless it asks for English).
TEST_CASE_METHOD(AccessFixture, "API errors carry a message in French or English", "[access]") {
    auto c = client();
    const std::string body = json{{"user", "awa"}, {"password", "not her password"}}.dump();
    auto fr = reply(c.Post("/api/v1/login", body, "application/json"));
    CHECK(fr.status == 401);
    CHECK(fr.body["lang"] == "fr");
    CHECK(fr.body["localized"].get<std::string>().find("mot de passe") != std::string::npos);
    auto en = reply(
        c.Post("/api/v1/login", httplib::Headers{{"Accept-Language", "en-GB,en;q=0.8"}}, body, "application/json"));
    CHECK(en.body["lang"] == "en");
    CHECK(en.body["localized"].get<std::string>().find("password") != std::string::npos);
    CHECK(en.body["message"] == fr.body["message"]);
    // Every code the server answers has both texts. (Without a token, an unknown route is a 401: the
    // token is checked before anything else, see docs/security.md "Limits".)
    auto headers = auth(awa);
    headers.emplace("Accept-Language", "en");
    auto missing = reply(c.Get("/api/v1/nope", headers));
    CHECK(missing.status == 404);
    CHECK(missing.body["localized"] == "Not found.");
    CHECK(get("/api/v1/users", awa).body["localized"] ==
          "Votre rôle ou votre organisation ne permet pas cette action.");
}

namespace {

// A fault in the server's own database: the next statement that writes `what` fails to prepare (an
// unknown function in a trigger), as a storage failure would; dropped with heal().
void breakWrites(Db& db, const std::string& what) {
    REQUIRE(
        db.exec("CREATE TRIGGER broken_for_test BEFORE UPDATE " + what + " BEGIN SELECT no_such_function(); END").ok());
}
void heal(Db& db) {
    REQUIRE(db.exec("DROP TRIGGER broken_for_test").ok());
}

} // namespace

// Issue 18: the push, the call-task routing it sets off and the device's report are one transaction.
// Before, the push committed first and routing and report were written after it on their own: a
// failure there left the push applied (the caller never received the task, nobody retried it).
TEST_CASE_METHOD(AccessFixture, "a push whose call routing or device report fails leaves nothing applied",
                 "[access][push][sqlite]") {
    const json person{{"prenom", "Nadia"}, {"telephone", "0601020304"}};
    const json consent{{"person_id", "p-1"},    {"finalite", "phone_followup"},           {"accorde", "oui"},
                       {"version_texte", "v1"}, {"recueilli_le", "2026-12-01T10:00:00Z"}, {"recueilli_par", "awa"}};
    const json task{{"person_id", "p-1"},
                    {"formulaire", "phone_followup"},
                    {"echeance", "2026-12-02"},
                    {"statut", "a_faire"},
                    {"appelant", "binta"}};
    // A duplicate merged into the person, with a consent of its own.
    const json duplicate{{"prenom", "Nadia"}, {"fusionne_dans", "p-1"}};
    json oldConsent = consent;
    oldConsent["person_id"] = "p-0";
    // All of them and the task in one push: routing must see the push's own rows, even those after
    // the task.
    const json body{{"device_id", "dev-awa"},
                    {"pending", 3},
                    {"mutations", json::array({createOf(1, "p-1", "person", "2026.11.1", "person", person),
                                               createOf(2, "c-1", "consent", "2026.11.1", "consent", consent),
                                               createOf(3, "t-1", "call_task", "2026.11.1", "call_task", task),
                                               createOf(4, "p-0", "person", "2026.11.1", "person", duplicate),
                                               createOf(5, "c-0", "consent", "2026.11.1", "consent", oldConsent)})}};
    const std::string broken = GENERATE(std::string("OF assigned_to ON records"), std::string("ON devices"));
    INFO("failing: UPDATE " << broken);
    restart([&](Db& db) { breakWrites(db, broken); });

    auto failed = post("/api/v1/sync/push", body, awa);
    CHECK(failed.status == 500);
    CHECK(scalar("SELECT count(*) FROM records") == 0);
    CHECK(scalar("SELECT count(*) FROM applied_batches") == 0);
    CHECK(scalar("SELECT count(*) FROM devices WHERE device_id = 'dev-awa' AND pending IS NOT NULL") == 0);
    CHECK(server->log().find("no such function") != std::string::npos);

    // The device sends the same batch again once the fault is gone: everything lands together.
    restart(heal);
    auto ok = post("/api/v1/sync/push", body, awa);
    REQUIRE(ok.status == 200);
    for (const auto& r : ok.body.at("results"))
        CHECK(r.at("status") == "applied");
    CHECK(pulls(binta, "t-1"));
    CHECK(pulls(binta, "p-1"));
    CHECK(pulls(binta, "c-1"));
    CHECK(pulls(binta, "p-0"));
    CHECK(pulls(binta, "c-0"));
    CHECK(scalar("SELECT pending FROM devices WHERE device_id = 'dev-awa'") == 3);
}

// Issue 18: assigning a walk list (its name in the list, the list, its buildings and dwellings) is
// one transaction. Before, the name was written first and each assignment committed on its own: a
// failure half way left a list naming an ambassador who had received none of its doors.
TEST_CASE_METHOD(AccessFixture, "assigning a walk list is all or nothing", "[access][walklist][sqlite]") {
    auto coordinator = services->repository().findUser("coco");
    REQUIRE(coordinator.ok());
    REQUIRE(*coordinator);
    auto imp =
        services->field().importWalkList((*coordinator)->orgId, (*coordinator)->id, "coco",
                                         "commune;rue;numero;logement\nAix;rue A;4;1A\nAix;rue A;4;1B\n", "Lot A");
    REQUIRE(imp.ok());
    REQUIRE(imp->errors.empty());
    const std::string list = imp->walkListId;

    restart([](Db& db) { breakWrites(db, "OF assigned_to ON records"); });
    auto failed = services->field().assignWalkList((*coordinator)->orgId, list, "awa");
    REQUIRE_FALSE(failed.ok());
    CHECK(scalar("SELECT version FROM records WHERE record_id = '" + list + "'") == 1); // no name written
    CHECK(scalar("SELECT count(*) FROM records WHERE assigned_to IS NOT NULL") == 0);
    CHECK_FALSE(pulls(awa, list));

    restart(heal);
    REQUIRE(services->field().assignWalkList((*coordinator)->orgId, list, "awa").ok());
    CHECK(scalar("SELECT count(*) FROM records WHERE assigned_to IS NOT NULL") == 4); // list, building, 2 doors
    CHECK(pulls(awa, list));
    CHECK_FALSE(pulls(binta, list));
    auto rec = services->repository().findRecord(list);
    REQUIRE(rec.ok());
    CHECK((*rec)->answers.at("ambassadeur") == "awa");
    // An unknown list or user changes nothing.
    CHECK(services->field().assignWalkList((*coordinator)->orgId, "no-such-list", "awa").error().code ==
          ErrorCode::NotFound);
    CHECK(services->field().assignWalkList((*coordinator)->orgId, list, "nobody").error().code == ErrorCode::NotFound);
}
