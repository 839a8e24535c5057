// The console API against a real server on a real socket: roles, organisations, record lists,
// users, devices, form upload, and exports read back (CSV, zip via libzip, XLSX, GeoJSON).
#include "server_fixture.hpp"

#include "server/crypto.hpp"

#include <fstream>
#include <pugixml.hpp>
#include <zip.h>

#include <map>
#include <set>
#include <sstream>

using namespace carnet;
using namespace carnet::test;

namespace {

// The files of a zip archive held in memory, read with libzip.
std::map<std::string, std::string> unzip(const std::string& bytes) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    REQUIRE(src != nullptr);
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &err);
    REQUIRE(z != nullptr);
    std::map<std::string, std::string> out;
    const zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        REQUIRE(zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) == 0);
        zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
        REQUIRE(f != nullptr);
        std::string data(static_cast<std::size_t>(st.size), '\0');
        REQUIRE(zip_fread(f, data.data(), st.size) == static_cast<zip_int64_t>(st.size));
        zip_fclose(f);
        out[st.name] = data;
    }
    zip_close(z);
    return out;
}

// The cells of a worksheet (inline strings and numbers) by reference ("A1"), parsed as XML.
std::map<std::string, std::string> sheetCells(const std::string& xml) {
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(xml.data(), xml.size());
    INFO(parsed.description());
    REQUIRE(parsed);
    std::map<std::string, std::string> out;
    for (auto row : doc.child("worksheet").child("sheetData").children("row"))
        for (auto c : row.children("c")) {
            const std::string type = c.attribute("t").as_string();
            out[c.attribute("r").as_string()] =
                type == "inlineStr" ? c.child("is").child("t").text().as_string() : c.child("v").text().as_string();
        }
    return out;
}

// The rows of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks).
std::vector<std::vector<std::string>> csvRows(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (c == '\n') {
            if (!field.empty() && field.back() == '\r') field.pop_back();
            row.push_back(std::move(field));
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
        } else {
            field += c;
        }
    }
    if (!field.empty() || !row.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

// The position of the column named `name` in a header row; fails the test when there is none.
std::size_t columnOf(const std::vector<std::string>& header, const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    INFO("column " << name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
}

// The row whose first cell is `id`; fails the test when there is none.
const std::vector<std::string>& rowOf(const std::vector<std::vector<std::string>>& rows, const std::string& id) {
    for (const auto& r : rows)
        if (!r.empty() && r[0] == id) return r;
    FAIL("no row " << id);
    return rows.front();
}

// A worksheet cell as written: its type attribute, style index and value (or inline text).
struct XCell {
    std::string type, style, value;
};
std::map<std::string, XCell> sheetXCells(const std::string& xml) {
    pugi::xml_document doc;
    REQUIRE(doc.load_buffer(xml.data(), xml.size()));
    std::map<std::string, XCell> out;
    for (auto row : doc.child("worksheet").child("sheetData").children("row"))
        for (auto c : row.children("c")) {
            const std::string type = c.attribute("t").as_string();
            out[c.attribute("r").as_string()] = {type, c.attribute("s").as_string(),
                                                 type == "inlineStr" ? c.child("is").child("t").text().as_string()
                                                                     : c.child("v").text().as_string()};
        }
    return out;
}

// The letters of the column whose header cell (row 1) is `name`.
std::string sheetColumn(const std::map<std::string, XCell>& cells, const std::string& name) {
    for (const auto& [ref, c] : cells)
        if (ref.find_first_of("0123456789") != std::string::npos &&
            ref.substr(ref.find_first_of("0123456789")) == "1" && c.value == name)
            return ref.substr(0, ref.find_first_of("0123456789"));
    FAIL("no column " << name);
    return {};
}

// The row number of the row whose column A is `id`.
std::string sheetRow(const std::map<std::string, XCell>& cells, const std::string& id) {
    for (const auto& [ref, c] : cells)
        if (ref[0] == 'A' && ref.size() > 1 && std::isdigit(static_cast<unsigned char>(ref[1])) && c.value == id)
            return ref.substr(1);
    FAIL("no row " << id);
    return {};
}

struct ConsoleFixture : ServerFixture {
    std::string awa, binta, coco, zed;
    ConsoleFixture() {
        awa = loginWithDevice("awa", "dev-awa");
        binta = loginWithDevice("binta", "dev-binta");
        coco = loginWithDevice("coco", "dev-coco");
        zed = loginWithDevice("zed", "dev-zed");
    }
    Reply raw(const std::string& method, const std::string& path, const std::string& token, const std::string& body,
              const std::string& type) const {
        auto c = client();
        if (method == "POST") return reply(c.Post(path.c_str(), auth(token), body, type.c_str()));
        return reply(c.Get(path.c_str(), auth(token)));
    }
    // A POST from a console in `lang` (its Accept-Language).
    Reply postIn(const std::string& lang, const std::string& path, const json& body, const std::string& token) const {
        auto c = client();
        auto headers = auth(token);
        headers.emplace("Accept-Language", lang);
        return reply(c.Post(path.c_str(), headers, body.dump(), "application/json"));
    }
};

json interview(const std::string& commune, const std::string& issue) {
    return json{{"commune", commune}, {"issue_visite", issue}};
}

} // namespace

TEST_CASE_METHOD(ConsoleFixture, "an ambassador is refused every coordinator route", "[console]") {
    for (const std::string path : {"/api/v1/users", "/api/v1/devices", "/api/v1/catalogue",
                                   "/api/v1/exports/door_to_door.csv", "/api/v1/exports/door_to_door.xlsx"}) {
        INFO(path);
        auto r = get(path, awa);
        CHECK(r.status == 403);
        CHECK(r.body.value("error", "") == "forbidden");
        CHECK(get(path, coco).status == 200);
    }
    CHECK(post("/api/v1/users", json{{"name", "eve"}, {"role", "ambassador"}, {"password", "12345678"}}, awa).status ==
          403);
    CHECK(raw("POST", "/api/v1/forms", awa, assetForm("trip_survey"), "application/json").status == 403);
    CHECK(get("/api/v1/users", "not-a-token").status == 401);
}

TEST_CASE_METHOD(ConsoleFixture, "records are listed by filters and pages within the reader's scope", "[console]") {
    REQUIRE(push(awa, "dev-awa",
                 json::array({create(1, "r-a1", interview("gardanne", "refus")),
                              create(2, "r-a2", interview("venelles", "absent"))}))
                .status == 200);
    REQUIRE(push(binta, "dev-binta", json::array({create(1, "r-b1", interview("gardanne", "absent"))})).status == 200);
    REQUIRE(push(zed, "dev-zed", json::array({create(1, "r-z1", interview("gardanne", "absent"))})).status == 200);

    auto all = get("/api/v1/records", coco);
    REQUIRE(all.status == 200);
    std::set<std::string> ids;
    for (const auto& r : all.body["records"])
        ids.insert(r["record_id"].get<std::string>());
    CHECK(ids == std::set<std::string>{"r-a1", "r-a2", "r-b1"});
    // Newest first, with the creating user's name.
    CHECK(all.body["records"][0]["record_id"] == "r-b1");
    CHECK(all.body["records"][0]["created_by"] == "binta");
    CHECK_FALSE(all.body["records"][0]["updated_at"].get<std::string>().empty());

    auto mine = get("/api/v1/records", awa);
    REQUIRE(mine.status == 200);
    CHECK(mine.body["records"].size() == 2);
    auto other = get("/api/v1/records", zed);
    REQUIRE(other.body["records"].size() == 1);
    CHECK(other.body["records"][0]["record_id"] == "r-z1");

    CHECK(get("/api/v1/records?author=binta", coco).body["records"].size() == 1);
    CHECK(get("/api/v1/records?status=draft&form=door_to_door", coco).body["records"].size() == 3);
    CHECK(get("/api/v1/records?form=trip_survey", coco).body["records"].empty());
    CHECK(get("/api/v1/records?from=2000-01-01&to=2999-12-31", coco).body["records"].size() == 3);
    CHECK(get("/api/v1/records?to=2000-01-01", coco).body["records"].empty());
    CHECK(get("/api/v1/records?from=yesterday", coco).status == 400);
    CHECK(get("/api/v1/records?limit=0", coco).status == 400);
    CHECK(get("/api/v1/records?cursor=abc", coco).status == 400);

    // Pages of one: every record exactly once.
    std::vector<std::string> seen;
    std::string cursor;
    for (int guard = 0; guard < 10; ++guard) {
        auto page = get("/api/v1/records?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor), coco);
        REQUIRE(page.status == 200);
        for (const auto& r : page.body["records"])
            seen.push_back(r["record_id"]);
        if (!page.body["more"].get<bool>()) break;
        cursor = page.body["cursor"];
    }
    CHECK(seen == std::vector<std::string>{"r-b1", "r-a2", "r-a1"});
}

TEST_CASE_METHOD(ConsoleFixture, "records are named, searched, counted, sorted and filtered on the interview's day",
                 "[console]") {
    json r1 = interview("gardanne", "refus");
    r1["adresse"] = "3 rue Émile Zola";
    r1["observations"] = "Famille DIALLO, rappeler";
    r1["membres"] = json::array({json{{"prenom", "Hélène"}}});
    r1["start"] = "2026-11-23T09:58:00.000+01:00";
    r1["end"] = "2026-11-23T10:05:00.000+01:00";
    json r2 = interview("venelles", "absent");
    r2["adresse"] = "8 avenue Victor Hugo";
    r2["start"] = "2026-11-24T18:00:00.000+01:00";    // no end: the start stands for the interview
    json r3 = interview("aix_en_provence", "absent"); // no time stamp: received today
    r3["adresse"] = "1 place des Prêcheurs";
    REQUIRE(
        push(awa, "dev-awa", json::array({create(1, "r-1", r1), create(2, "r-2", r2), create(3, "r-3", r3)})).status ==
        200);
    REQUIRE(push(zed, "dev-zed", json::array({create(1, "r-z", r1)})).status == 200); // another organisation

    auto ids = [](const Reply& r) {
        std::vector<std::string> out;
        for (const auto& rec : r.body.at("records"))
            out.push_back(rec.at("record_id").get<std::string>());
        return out;
    };
    auto all = get("/api/v1/records", coco);
    REQUIRE(all.status == 200);
    CHECK(all.body["total"] == 3);
    std::map<std::string, std::string> names;
    for (const auto& rec : all.body["records"])
        names[rec["record_id"]] = rec["name"];
    // The form's instance_name: concat(${commune}, ' – ', ${adresse}, ' – ', ${issue_visite}), choice labels.
    CHECK(names["r-1"].find("Gardanne – 3 rue Émile Zola") == 0);
    CHECK(names["r-2"].find("Venelles – 8 avenue Victor Hugo") == 0);
    CHECK(get("/api/v1/records?limit=1", coco).body["total"] == 3);
    CHECK(get("/api/v1/records?limit=1", coco).body["records"].size() == 1);

    // Dates are the interview's own by default (end, else start), the received day on request.
    CHECK(ids(get("/api/v1/records?from=2026-11-23&to=2026-11-23", coco)) == std::vector<std::string>{"r-1"});
    CHECK(get("/api/v1/records?from=2026-11-23&to=2026-11-23", coco).body["total"] == 1);
    CHECK(ids(get("/api/v1/records?from=2026-11-01&to=2026-11-30", coco)) == std::vector<std::string>{"r-2", "r-1"});
    CHECK(ids(get("/api/v1/records?from=2026-11-23&to=2026-11-23&date_field=received", coco)).empty());
    CHECK(get("/api/v1/records?from=2000-01-01&date_field=received", coco).body["total"] == 3);
    std::map<std::string, std::string> at;
    for (const auto& rec : all.body["records"])
        at[rec["record_id"]] = rec["interview_at"];
    CHECK(at["r-1"] == "2026-11-23T10:05:00.000+01:00");
    CHECK(at["r-2"] == "2026-11-24T18:00:00.000+01:00");
    CHECK(at["r-3"] == all.body["records"][0]["updated_at"].get<std::string>());
    CHECK(get("/api/v1/records?form=door_to_door&from=2026-11-24", coco).body["total"] == 2);

    // Search: any answer's text, whatever the case and accents; never another organisation's.
    CHECK(ids(get("/api/v1/records?q=diallo", coco)) == std::vector<std::string>{"r-1"});
    CHECK(get("/api/v1/records?q=diallo", coco).body["total"] == 1);
    CHECK(ids(get("/api/v1/records?q=HELENE", coco)) == std::vector<std::string>{"r-1"});
    CHECK(ids(get("/api/v1/records?q=victor%20hugo", coco)) == std::vector<std::string>{"r-2"});
    CHECK(ids(get("/api/v1/records?q=pr%C3%AAcheurs", coco)) == std::vector<std::string>{"r-3"});
    CHECK(get("/api/v1/records?q=quintal", coco).body["total"] == 0);
    CHECK(get("/api/v1/records?q=diallo", zed).body["total"] == 1);
    CHECK(get("/api/v1/records?q=diallo", binta).body["total"] == 0); // an ambassador's own records only

    // Sorting, each order paged with the cursor it gives: every record once.
    auto pages = [&](const std::string& query) {
        std::vector<std::string> seen;
        std::string cursor;
        for (int guard = 0; guard < 10; ++guard) {
            auto page = get("/api/v1/records?limit=1&" + query + (cursor.empty() ? "" : "&cursor=" + cursor), coco);
            REQUIRE(page.status == 200);
            CHECK(page.body["total"] == 3);
            for (const auto& rec : page.body["records"])
                seen.push_back(rec["record_id"]);
            if (!page.body["more"].get<bool>()) break;
            cursor = page.body["cursor"];
        }
        return seen;
    };
    CHECK(pages("sort=received") == std::vector<std::string>{"r-3", "r-2", "r-1"});
    CHECK(ids(get("/api/v1/records?sort=interview", coco)) == std::vector<std::string>{"r-3", "r-2", "r-1"});
    CHECK(pages("sort=interview&from=2000-01-01") == std::vector<std::string>{"r-3", "r-2", "r-1"});
    CHECK(pages("sort=name") == std::vector<std::string>{"r-3", "r-1", "r-2"}); // Aix, Gardanne, Venelles
    CHECK(ids(get("/api/v1/records?sort=name&q=absent", coco)) == std::vector<std::string>{"r-3", "r-2"});

    // Bounded parameters: 400 with a JSON error.
    for (const std::string& bad : {"q=" + std::string(101, 'a'), std::string("sort=size"), std::string("date_field=x"),
                                   std::string("sort=name&cursor=99999999"), std::string("limit=501")}) {
        INFO(bad);
        auto r = get("/api/v1/records?" + bad, coco);
        CHECK(r.status == 400);
        CHECK(r.body.value("error", "") == "invalid_request");
    }
}

TEST_CASE_METHOD(ConsoleFixture, "users are listed and created within the organisation", "[console]") {
    auto list = get("/api/v1/users", coco);
    REQUIRE(list.status == 200);
    std::set<std::string> names;
    for (const auto& u : list.body["users"]) {
        names.insert(u["name"].get<std::string>());
        CHECK_FALSE(u.contains("password_hash"));
    }
    CHECK(names == std::set<std::string>{"awa", "binta", "coco"});
    CHECK(get("/api/v1/users", zed).body["users"].size() == 1);

    auto created =
        post("/api/v1/users", json{{"name", "eve"}, {"role", "ambassador"}, {"password", "long enough pass"}}, coco);
    REQUIRE(created.status == 201);
    CHECK(created.body["org"] == "alec");
    CHECK(post("/api/v1/login", json{{"user", "eve"}, {"password", "long enough pass"}}).status == 200);
    CHECK(post("/api/v1/users", json{{"name", "eve"}, {"role", "ambassador"}, {"password", "long enough pass"}}, coco)
              .status == 409);
    CHECK(post("/api/v1/users", json{{"name", "max"}, {"role", "admin"}, {"password", "long enough pass"}}, coco)
              .status == 403);
    CHECK(post("/api/v1/users",
               json{{"name", "max"}, {"role", "ambassador"}, {"password", "long enough pass"}, {"org", "other"}}, coco)
              .status == 403);
    auto bad = post("/api/v1/users", json{{"name", "max"}, {"role", "boss"}, {"password", "long enough pass"}}, coco);
    CHECK(bad.status == 400);
    CHECK(bad.body["message"].get<std::string>().find("role") != std::string::npos);
    CHECK(post("/api/v1/users", json{{"name", "max"}, {"role", "ambassador"}, {"password", "short"}}, coco).status ==
          400);
    // An admin creates an admin in their own organisation.
    CHECK(
        post("/api/v1/users", json{{"name", "zoe"}, {"role", "admin"}, {"password", "long enough pass"}}, zed).status ==
        201);
}

// Issue 22, finding 10: a French coordinator read « Requête invalide. (the password must have at least
// 12 characters) ». What the console's own forms can get wrong is said in the console's language.
TEST_CASE_METHOD(ConsoleFixture, "the console's form errors are said in the coordinator's language", "[console]") {
    const json weak{{"name", "max"}, {"role", "ambassador"}, {"password", "short"}};
    auto fr = postIn("fr", "/api/v1/users", weak, coco);
    CHECK(fr.status == 400);
    CHECK(fr.body["error"] == "invalid_request");
    CHECK(fr.body["localized"] == "Le mot de passe doit compter au moins 12 caractères.");
    CHECK(fr.body["lang"] == "fr");
    CHECK(fr.body["localized_detail"] == true);
    CHECK(fr.raw.find("password") == std::string::npos); // no English anywhere in the answer
    auto en = postIn("en", "/api/v1/users", weak, coco);
    CHECK(en.status == 400);
    CHECK(en.body["localized"] == "The password must have at least 12 characters.");
    CHECK(en.body["lang"] == "en");
    CHECK(en.body["localized_detail"] == true);
    // The other rules of the password policy, in French too.
    auto common = postIn("fr", "/api/v1/users",
                         json{{"name", "max"}, {"role", "ambassador"}, {"password", "password1234"}}, coco);
    CHECK(common.status == 400);
    CHECK(common.body["localized"] == "Ce mot de passe est parmi les plus courants ; choisissez-en un autre.");
    CHECK(postIn("fr", "/api/v1/users", weak, coco).body["localized"] == fr.body["localized"]); // no state kept

    // A rule the route checks keeps its English detail in "message" for logs and tools.
    auto name = postIn("fr", "/api/v1/users",
                       json{{"name", "max b"}, {"role", "ambassador"}, {"password", "long enough pass"}}, coco);
    CHECK(name.status == 400);
    CHECK(name.body["error"] == "missing_field");
    CHECK(name.body["localized"] == "Le nom d’utilisateur doit compter de 1 à 64 octets, sans espace ni « / ».");
    CHECK(name.body["message"] == "The user name must be 1 to 64 bytes without spaces or “/”.");
    CHECK(name.body["localized_detail"] == true);
    auto admin =
        postIn("fr", "/api/v1/users", json{{"name", "max"}, {"role", "admin"}, {"password", "long enough pass"}}, coco);
    CHECK(admin.status == 403);
    CHECK(admin.body["localized"] == "Seul un administrateur peut créer un compte administrateur.");

    // The review comment rule.
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-lang", interview("gardanne", "refus"))})).status == 200);
    const json longComment{{"state", "rejected"}, {"comment", std::string(2001, 'x')}};
    auto review = postIn("fr", "/api/v1/records/r-lang/review", longComment, coco);
    CHECK(review.status == 400);
    CHECK(review.body["error"] == "invalid_review");
    CHECK(review.body["localized"] == "Le commentaire doit compter au plus 2000 octets, sans caractère de contrôle.");
    CHECK(review.body["localized_detail"] == true);
    review = postIn("en", "/api/v1/records/r-lang/review", longComment, coco);
    CHECK(review.body["localized"] == "The comment must be text of at most 2000 bytes without control characters.");
    // An error without a translated detail keeps its generic text per code, as before.
    auto state = postIn("fr", "/api/v1/records/r-lang/review", json{{"state", "validé"}}, coco);
    CHECK(state.body["localized"].get<std::string>().find("Revue invalide") == 0);
    CHECK_FALSE(state.body.contains("localized_detail"));
}

TEST_CASE_METHOD(ConsoleFixture, "devices show what they reported on their last sync", "[console]") {
    auto before = get("/api/v1/devices", coco);
    REQUIRE(before.status == 200);
    REQUIRE(before.body["devices"].size() == 3); // awa, binta, coco: never zed's
    for (const auto& d : before.body["devices"]) {
        CHECK(d["device_id"] != "dev-zed");
        CHECK(d["last_sync"].is_null());
        CHECK(d["pending"].is_null());
    }
    auto pushed = post("/api/v1/sync/push",
                       json{{"device_id", "dev-awa"},
                            {"pending", 4},
                            {"mutations", json::array({create(1, "r-1", interview("gardanne", "refus"))})}},
                       awa);
    REQUIRE(pushed.status == 200);
    auto find = [&](const std::string& id) {
        const auto list = get("/api/v1/devices", coco);
        for (const auto& d : list.body["devices"])
            if (d["device_id"] == id) return d;
        FAIL("no device " << id);
        return json();
    };
    auto awaDev = find("dev-awa");
    CHECK(awaDev["pending"] == 4);
    CHECK_FALSE(awaDev["last_seen"].is_null());
    CHECK(awaDev["last_sync"].is_null());
    CHECK(awaDev["user"] == "awa");

    REQUIRE(get("/api/v1/sync/pull?device_id=dev-awa&pending=0&drafts_behind=2", awa).status == 200);
    awaDev = find("dev-awa");
    CHECK(awaDev["pending"] == 0);
    CHECK(awaDev["drafts_behind"] == 2);
    CHECK_FALSE(awaDev["last_sync"].is_null());
    // Another user's device id is ignored.
    REQUIRE(get("/api/v1/sync/pull?device_id=dev-binta&pending=9", awa).status == 200);
    CHECK(find("dev-binta")["pending"].is_null());

    auto cat = get("/api/v1/catalogue", coco);
    REQUIRE(cat.status == 200);
    REQUIRE(cat.body["forms"].size() == 1);
    CHECK(cat.body["forms"][0]["devices"] == json::array({"dev-awa"}));
    CHECK(cat.body["forms"][0]["devices_total"] == 3);
    CHECK(cat.body["forms"][0]["drafts_behind"] == 2);
}

TEST_CASE_METHOD(ConsoleFixture, "forms are uploaded, checked and published", "[console]") {
    const std::string trip = assetForm("trip_survey");
    auto dry = raw("POST", "/api/v1/forms?dry_run=1", coco, trip, "application/json");
    REQUIRE(dry.status == 200);
    CHECK(dry.body["published"] == false);
    CHECK(get("/api/v1/forms", coco).body["forms"].size() == 1);

    auto pub = raw("POST", "/api/v1/forms", coco, trip, "application/json");
    REQUIRE(pub.status == 201);
    CHECK(pub.body["form_id"] == "trip_survey");
    CHECK(get("/api/v1/forms", coco).body["forms"].size() == 2);
    auto again = raw("POST", "/api/v1/forms", coco, trip, "application/json");
    CHECK(again.status == 200);
    CHECK(again.body["already_published"] == true);

    auto syntax = raw("POST", "/api/v1/forms", coco, "{\n  \"id\": \"x\",\n  oops\n}", "application/json");
    REQUIRE(syntax.status == 422);
    CHECK(syntax.body["error"] == "invalid_form");
    REQUIRE(syntax.body["problems"].size() >= 1);
    CHECK(syntax.body["problems"][0]["line"] == 3);

    json broken = json::parse(trip);
    broken["pages"][0]["children"][0]["type"] = "no_such_type";
    auto invalid = raw("POST", "/api/v1/forms", coco, broken.dump(), "application/json");
    REQUIRE(invalid.status == 422);
    CHECK(invalid.body["problems"][0]["pointer"].get<std::string>().rfind("/pages/0/children/0", 0) == 0);
    CHECK_FALSE(invalid.body["problems"][0]["message_fr"].get<std::string>().empty());

    auto xlsx = raw("POST", "/api/v1/forms", coco, std::string("PK\x03\x04 a spreadsheet", 19),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    CHECK(xlsx.status == 422);
    CHECK(xlsx.body["error"] == "invalid_xlsform");

    // A real XLSForm (the sample workbook) converts and publishes; a broken one names sheet, row, column.
    auto readBytes = [](const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string sheetType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    auto sample =
        raw("POST", "/api/v1/forms", coco,
            readBytes(std::filesystem::path(CARNET_SOURCE_DIR) / "assets/xlsform/enquete_mobilite.xlsx"), sheetType);
    REQUIRE(sample.status == 201);
    CHECK_FALSE(sample.body["form_id"].get<std::string>().empty());
    auto bad = raw("POST", "/api/v1/forms", coco,
                   readBytes(std::filesystem::path(CARNET_SOURCE_DIR) / "tests/forms/xlsform/broken.xlsx"), sheetType);
    REQUIRE(bad.status == 422);
    CHECK(bad.body["error"] == "invalid_xlsform");
    REQUIRE_FALSE(bad.body["problems"].empty());
    CHECK(bad.body["problems"][0]["sheet"] == "survey");
    CHECK(bad.body["problems"][0]["row"].get<int>() > 1);
    CHECK_FALSE(bad.body["problems"][0]["column"].get<std::string>().empty());
    CHECK(raw("POST", "/api/v1/forms", coco, "a,b", "text/csv").status == 415);
}

TEST_CASE_METHOD(ConsoleFixture, "exports give codes or labels with repeats as linked tables and points as GeoJSON",
                 "[console][export]") {
    json members = json::array({json{{"prenom", "Catherine"}, {"tranche_age", "45_59"}},
                                json{{"prenom", "Jean, dit \"Jeannot\""}, {"tranche_age", "60_74"}}});
    json a = interview("gardanne", "refus");
    a["membres"] = members;
    a["position"] = "43.4553 5.4691";
    a["adresse"] = "3 rue des Lilas\n2e étage";
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-1", a), create(2, "r-2", interview("venelles", "absent"))}))
                .status == 200);
    REQUIRE(push(zed, "dev-zed", json::array({create(1, "r-zed", interview("gardanne", "absent"))})).status == 200);

    auto codes = get("/api/v1/exports/door_to_door.csv?status=all", coco);
    REQUIRE(codes.status == 200);
    CHECK(codes.raw.rfind("\xEF\xBB\xBF", 0) == 0);
    CHECK(codes.raw.find("r-zed") == std::string::npos);
    CHECK(codes.raw.find(",gardanne,") != std::string::npos);
    CHECK(codes.raw.find("\"3 rue des Lilas\n2e étage\"") != std::string::npos);
    const auto header = csvLines(codes.raw.substr(3))[0];
    CHECK(header.rfind("record_id,form_version,status,author,created_by,version,updated_at,", 0) == 0);
    CHECK(header.find(",membres_count,") != std::string::npos);
    auto labels = get("/api/v1/exports/door_to_door.csv?labels=1&status=all", coco);
    REQUIRE(labels.status == 200);
    CHECK(labels.raw.find(",Gardanne,") != std::string::npos);
    CHECK(labels.raw.find(",Refus,") != std::string::npos);
    CHECK(labels.raw.find(",refus,") == std::string::npos);
    CHECK(get("/api/v1/exports/door_to_door.csv?labels=2", coco).status == 400);
    CHECK(get("/api/v1/exports/nope.csv", coco).status == 404);

    // The other organisation's export holds only its own record.
    auto theirs = get("/api/v1/exports/door_to_door.csv?status=all", zed);
    REQUIRE(theirs.status == 200);
    CHECK(theirs.raw.find("r-zed") != std::string::npos);
    CHECK(theirs.raw.find("r-1") == std::string::npos);

    auto zip = get("/api/v1/exports/door_to_door.zip?status=all", coco);
    REQUIRE(zip.status == 200);
    auto files = unzip(zip.raw);
    REQUIRE(files.count("door_to_door.csv") == 1);
    REQUIRE(files.count("door_to_door-membres.csv") == 1);
    auto rep = csvLines(files["door_to_door-membres.csv"].substr(3));
    REQUIRE(rep.size() == 3);
    CHECK(rep[0].rfind("record_id,instance,", 0) == 0);
    CHECK(rep[1].rfind("r-1,1,", 0) == 0);
    CHECK(rep[1].find("Catherine") != std::string::npos);
    CHECK(rep[2].find("\"Jean, dit \"\"Jeannot\"\"\"") != std::string::npos);

    auto xlsx = get("/api/v1/exports/door_to_door.xlsx?labels=1&status=all", coco);
    REQUIRE(xlsx.status == 200);
    auto parts = unzip(xlsx.raw);
    for (const auto* p : {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                          "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"})
        CHECK(parts.count(p) == 1);
    for (const auto& [name, xml] : parts) {
        INFO(name);
        pugi::xml_document doc;
        CHECK(doc.load_buffer(xml.data(), xml.size()));
    }
    pugi::xml_document workbook;
    REQUIRE(workbook.load_string(parts["xl/workbook.xml"].c_str()));
    auto sheets = workbook.child("workbook").child("sheets");
    CHECK(std::string(sheets.first_child().attribute("name").as_string()) == "door_to_door");
    CHECK(std::string(sheets.last_child().attribute("name").as_string()) == "membres");
    auto mainCells = sheetCells(parts["xl/worksheets/sheet1.xml"]);
    CHECK(mainCells["A1"] == "record_id");
    std::set<std::string> mainValues;
    for (const auto& [ref, v] : mainCells)
        mainValues.insert(v);
    CHECK(mainValues.count("r-1") == 1);
    CHECK(mainValues.count("r-2") == 1);
    CHECK(mainValues.count("r-zed") == 0);
    CHECK(mainValues.count("Gardanne") == 1);
    CHECK(mainValues.count("3 rue des Lilas\n2e étage") == 1);
    auto memberCells = sheetCells(parts["xl/worksheets/sheet2.xml"]);
    CHECK(memberCells["A2"] == "r-1");
    CHECK(memberCells["B2"] == "1");
    CHECK(memberCells["B3"] == "2");
    std::set<std::string> memberValues;
    for (const auto& [ref, v] : memberCells)
        memberValues.insert(v);
    CHECK(memberValues.count("Jean, dit \"Jeannot\"") == 1);

    auto geo = get("/api/v1/exports/door_to_door.geojson?status=all", coco);
    REQUIRE(geo.status == 200);
    REQUIRE(geo.body.is_object());
    CHECK(geo.body["type"] == "FeatureCollection");
    REQUIRE(geo.body["features"].size() == 1);
    const auto& f = geo.body["features"][0];
    CHECK(f["geometry"]["coordinates"][0].get<double>() == Approx(5.4691));
    CHECK(f["geometry"]["coordinates"][1].get<double>() == Approx(43.4553));
    CHECK(f["properties"]["record_id"] == "r-1");
    CHECK(f["properties"]["commune"] == "gardanne");
}

TEST_CASE_METHOD(
    ConsoleFixture,
    "exports keep every answer of every version: a renamed question keeps its column, named with its version",
    "[console][export]") {
    // Issue 21, finding 8: after v2 renames adresse to adresse_postale, a v1 record's address was dropped.
    std::string v2 = assetForm("door_to_door");
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"\"2026.11.3\"", "\"2026.12.1\""},
                                   {"${adresse}", "${adresse_postale}"},
                                   {"\"name\": \"adresse\"", "\"name\": \"adresse_postale\""}}) {
        const auto at = v2.find(from);
        REQUIRE(at != std::string::npos);
        v2.replace(at, from.size(), to);
    }
    json a = interview("gardanne", "refus");
    a["adresse"] = "3 rue des Lilas";
    a["position"] = "43.4553 5.4691";
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-v1", a)})).status == 200);
    REQUIRE(services->forms().publish(v2).ok());
    json b = interview("venelles", "absent");
    b["adresse_postale"] = "5 chemin Neuf";
    json c = create(2, "r-v2", b);
    c["changes"]["form_version"] = "2026.12.1";
    REQUIRE(push(awa, "dev-awa", json::array({c})).status == 200);

    auto csv = get("/api/v1/exports/door_to_door.csv?status=all", coco);
    REQUIRE(csv.status == 200);
    const auto rows = csvLines(csv.raw.substr(3));
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].find(",adresse_postale,") != std::string::npos);
    // The old column is named with its version; each record's cells are read with its own version.
    CHECK(rows[0].find(",adresse@2026.11.3") != std::string::npos);
    CHECK(csv.raw.find("3 rue des Lilas") != std::string::npos);
    CHECK(csv.raw.find("5 chemin Neuf") != std::string::npos);

    auto zip = unzip(get("/api/v1/exports/door_to_door.zip?status=all", coco).raw);
    CHECK(zip["door_to_door.csv"].find("3 rue des Lilas") != std::string::npos);
    CHECK(zip["door_to_door.csv"].find("adresse@2026.11.3") != std::string::npos);

    auto xlsx = unzip(get("/api/v1/exports/door_to_door.xlsx?status=all", coco).raw);
    std::set<std::string> values;
    for (const auto& [ref, v] : sheetCells(xlsx["xl/worksheets/sheet1.xml"]))
        values.insert(v);
    CHECK(values.count("adresse@2026.11.3") == 1);
    CHECK(values.count("3 rue des Lilas") == 1);
    CHECK(values.count("5 chemin Neuf") == 1);

    auto geo = get("/api/v1/exports/door_to_door.geojson?status=all", coco);
    REQUIRE(geo.status == 200);
    REQUIRE(geo.body["features"].size() == 1);
    CHECK(geo.body["features"][0]["properties"]["adresse@2026.11.3"] == "3 rue des Lilas");
}

TEST_CASE_METHOD(ConsoleFixture, "a repeat only an older version has keeps its table, named with its version",
                 "[console][export]") {
    // Issue 21: like a renamed question's column, a renamed repeat's table (ZIP file, XLSX sheet) says the
    // version it comes from, so that nobody reads it as a repeat of the current form.
    std::string v2 = assetForm("door_to_door");
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"\"2026.11.3\"", "\"2026.12.1\""},
                                   {"\"name\": \"membres\"", "\"name\": \"personnes\""}}) {
        const auto at = v2.find(from);
        REQUIRE(at != std::string::npos);
        v2.replace(at, from.size(), to);
    }
    json a = interview("gardanne", "refus");
    a["membres"] = json::array({json{{"prenom", "Catherine"}, {"tranche_age", "45_59"}}});
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-v1", a)})).status == 200);
    REQUIRE(services->forms().publish(v2).ok());
    json b = interview("venelles", "absent");
    b["personnes"] = json::array({json{{"prenom", "Noah"}, {"tranche_age", "18_29"}}});
    json c = create(2, "r-v2", b);
    c["changes"]["form_version"] = "2026.12.1";
    REQUIRE(push(awa, "dev-awa", json::array({c})).status == 200);

    auto files = unzip(get("/api/v1/exports/door_to_door.zip?status=all", coco).raw);
    CHECK(files.count("door_to_door-membres.csv") == 0);
    REQUIRE(files.count("door_to_door-membres@2026.11.3.csv") == 1);
    REQUIRE(files.count("door_to_door-personnes.csv") == 1);
    const auto old = csvLines(files["door_to_door-membres@2026.11.3.csv"].substr(3));
    REQUIRE(old.size() == 2);
    // Inside its own table, the old repeat's questions are named as its version named them.
    CHECK(old[0].rfind("record_id,instance,", 0) == 0);
    CHECK(old[0].find(",prenom") != std::string::npos);
    CHECK(old[1].rfind("r-v1,1,", 0) == 0);
    CHECK(old[1].find("Catherine") != std::string::npos);
    const auto now = csvLines(files["door_to_door-personnes.csv"].substr(3));
    REQUIRE(now.size() == 2);
    CHECK(now[1].find("Noah") != std::string::npos);
    CHECK(files["door_to_door.csv"].find("membres_count@2026.11.3") != std::string::npos);

    auto parts = unzip(get("/api/v1/exports/door_to_door.xlsx?status=all", coco).raw);
    pugi::xml_document workbook;
    REQUIRE(workbook.load_string(parts["xl/workbook.xml"].c_str()));
    std::set<std::string> sheets;
    for (auto sheet : workbook.child("workbook").child("sheets").children("sheet"))
        sheets.insert(sheet.attribute("name").as_string());
    CHECK(sheets == std::set<std::string>{"door_to_door", "personnes", "membres@2026.11.3"});
}

// Issue 22, finding 8: an export holds finalized records by default, and only those its filters
// (interview day, ambassador, form version) select; a bad filter is a 400 with a reason.
TEST_CASE_METHOD(ConsoleFixture, "exports hold finalized records and follow their filters", "[console][export]") {
    auto at = [](json a, const std::string& end) {
        a["end"] = end;
        return a;
    };
    json next = json::parse(assetForm("door_to_door"));
    next["version"] = "2026.12.1";
    REQUIRE(post("/api/v1/forms", next, coco).status == 201);
    json newer = create(4, "f-new", at(interview("venelles", "absent"), "2026-11-25T09:00:00.000+01:00"));
    newer["changes"]["form_version"] = "2026.12.1";
    REQUIRE(push(awa, "dev-awa",
                 json::array({create(1, "f-draft", at(interview("gardanne", "refus"), "2026-11-23T10:05:00.000+01:00")),
                              create(2, "f-23", at(interview("gardanne", "refus"), "2026-11-23T11:00:00.000+01:00")),
                              mutation(3, "f-23", 1, "finalize", json::object()), newer,
                              mutation(5, "f-new", 1, "finalize", json::object())}))
                .status == 200);
    REQUIRE(
        push(binta, "dev-binta",
             json::array({create(1, "f-binta", at(interview("gardanne", "absent"), "2026-11-24T15:00:00.000+01:00")),
                          mutation(2, "f-binta", 1, "finalize", json::object())}))
            .status == 200);
    auto ids = [&](const std::string& query) {
        auto r = get("/api/v1/exports/door_to_door.csv" + query, coco);
        REQUIRE(r.status == 200);
        std::set<std::string> out;
        const auto lines = csvLines(r.raw.substr(3));
        for (std::size_t i = 1; i < lines.size(); ++i)
            out.insert(lines[i].substr(0, lines[i].find(',')));
        return out;
    };
    using Ids = std::set<std::string>;
    CHECK(ids("") == Ids{"f-23", "f-new", "f-binta"});
    CHECK(ids("?status=finalized") == Ids{"f-23", "f-new", "f-binta"});
    CHECK(ids("?status=draft") == Ids{"f-draft"});
    CHECK(ids("?status=all") == Ids{"f-draft", "f-23", "f-new", "f-binta"});
    // The interview's own day, not the day the server received it.
    CHECK(ids("?from=2026-11-23&to=2026-11-23") == Ids{"f-23"});
    CHECK(ids("?from=2026-11-24") == Ids{"f-new", "f-binta"});
    CHECK(ids("?to=2026-11-24&status=all") == Ids{"f-draft", "f-23", "f-binta"});
    CHECK(ids("?author=binta") == Ids{"f-binta"});
    CHECK(ids("?version=2026.12.1") == Ids{"f-new"});
    CHECK(ids("?version=2026.11.3&author=binta&from=2026-11-24") == Ids{"f-binta"});
    // The other formats select the same records.
    auto zip = get("/api/v1/exports/door_to_door.zip?author=binta", coco);
    REQUIRE(zip.status == 200);
    const auto main = unzip(zip.raw)["door_to_door.csv"];
    CHECK(main.find("f-binta") != std::string::npos);
    CHECK(main.find("f-23") == std::string::npos);

    for (const std::string& bad : std::vector<std::string>{
             "?status=erased", "?from=23/11/2026", "?to=2026-11-2", "?from=2026-11-24&to=2026-11-23",
             "?version=2026.11.3%27%20OR%20x", "?version=" + std::string(65, '1'), "?author=" + std::string(65, 'a'),
             "?author=a%0Ab"}) {
        INFO(bad);
        auto r = get("/api/v1/exports/door_to_door.csv" + bad, coco);
        CHECK(r.status == 400);
        CHECK(r.body.value("error", "") == "invalid_request");
        CHECK_FALSE(r.body.value("message", "").empty());
    }
}

TEST_CASE_METHOD(ConsoleFixture, "a large export streams every record once", "[console][export]") {
    constexpr int kRecords = 3000;
    std::int64_t seq = 0;
    for (int batch = 0; batch < kRecords / 500; ++batch) {
        json muts = json::array();
        for (int i = 0; i < 500; ++i) {
            ++seq;
            muts.push_back(create(seq, "big-" + std::to_string(seq), interview("gardanne", "absent")));
        }
        REQUIRE(push(awa, "dev-awa", muts).status == 200);
    }
    auto c = client();
    std::string body;
    std::size_t pieces = 0;
    auto res = c.Get("/api/v1/exports/door_to_door.csv?status=all", auth(coco), [&](const char* data, std::size_t n) {
        body.append(data, n);
        ++pieces;
        return true;
    });
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Transfer-Encoding") == "chunked");
    CHECK(pieces > 1);
    auto rows = csvLines(body.substr(3));
    REQUIRE(rows.size() == kRecords + 1);
    std::set<std::string> ids;
    for (std::size_t i = 1; i < rows.size(); ++i)
        ids.insert(rows[i].substr(0, rows[i].find(',')));
    CHECK(ids.size() == kRecords);
    CHECK(ids.count("big-1") == 1);
    CHECK(ids.count("big-3000") == 1);
}

TEST_CASE_METHOD(ConsoleFixture, "the console is served at /", "[console]") {
    auto c = client();
    auto index = c.Get("/");
    REQUIRE(index);
    CHECK(index->status == 200);
    CHECK(index->get_header_value("Content-Type").rfind("text/html", 0) == 0);
    CHECK(index->body.find("/console/app.js") != std::string::npos);
    for (const auto* f : {"/console/app.js", "/console/i18n.js", "/console/charts.js", "/console/console.css"}) {
        auto r = c.Get(f);
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body.size() > 100);
    }
    auto missing = c.Get("/console/nope.js");
    REQUIRE(missing);
    CHECK(missing->status == 404);
}

TEST_CASE_METHOD(ConsoleFixture, "a record's history says when and by whom each version was made", "[console]") {
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-h", interview("gardanne", "refus"))})).status == 200);
    REQUIRE(push(coco, "dev-coco", json::array({set(1, "r-h", 1, json{{"adresse", "3 rue des Lilas"}})})).status ==
            200);
    auto h = get("/api/v1/records/r-h/history", coco);
    REQUIRE(h.status == 200);
    const auto& versions = h.body.at("versions");
    REQUIRE(versions.size() == 2);
    CHECK(versions[0]["user"] == "awa");
    CHECK(versions[0]["device_id"] == "dev-awa");
    CHECK(versions[1]["user"] == "coco");
    CHECK(versions[1]["device_id"] == "dev-coco");
    // Each version's device by its name, and old -> new for each field it changed.
    CHECK(versions[0]["device_name"] == "awa's tablet");
    CHECK(versions[1]["device_name"] == "coco's tablet");
    CHECK(versions[1]["changes"] ==
          json::array({{{"field", "adresse"}, {"old", nullptr}, {"new", "3 rue des Lilas"}}}));
    json created = json::array();
    for (const auto& c : versions[0]["changes"])
        if (c["field"] == "commune") created.push_back(c);
    CHECK(created == json::array({{{"field", "commune"}, {"old", nullptr}, {"new", "gardanne"}}}));
    for (const auto& v : versions) {
        const std::string at = v.at("received_at").get<std::string>();
        INFO(at);
        // UTC ISO 8601, as every server time stamp (2026-12-07T02:44:19Z or with fractions).
        REQUIRE(at.size() >= 20);
        CHECK(at[4] == '-');
        CHECK(at[10] == 'T');
        CHECK(at.back() == 'Z');
    }
    CHECK(versions[0]["received_at"].get<std::string>() <= versions[1]["received_at"].get<std::string>());

    // The record itself, as the list shows it, for its page and its conflict cards.
    auto rec = get("/api/v1/records/r-h", coco);
    REQUIRE(rec.status == 200);
    CHECK(rec.body["record_id"] == "r-h");
    CHECK(rec.body["form_id"] == "door_to_door");
    CHECK(rec.body["version"] == 2);
    CHECK(rec.body["created_by"] == "awa");
    CHECK(rec.body["name"].get<std::string>().find("Gardanne – 3 rue des Lilas") == 0);
    CHECK(rec.body["interview_at"] == versions[0]["received_at"]); // no start/end: the first receipt
    CHECK(rec.body["updated_at"] == versions[1]["received_at"]);
    CHECK(rec.body["answers"]["adresse"] == "3 rue des Lilas");
    CHECK(get("/api/v1/records/r-h", awa).status == 200); // created it
    CHECK(get("/api/v1/records/r-h", zed).status == 404); // another organisation
    CHECK(get("/api/v1/records/r-nope", coco).status == 404);
    json stamped = interview("venelles", "absent");
    stamped["end"] = "2026-11-23T10:05:00.000+01:00";
    REQUIRE(push(binta, "dev-binta", json::array({create(2, "r-s", stamped)})).status == 200);
    CHECK(get("/api/v1/records/r-s", coco).body["interview_at"] == "2026-11-23T10:05:00.000+01:00");
    CHECK(get("/api/v1/records/r-s", awa).status == 404); // an ambassador sees their own records only
    // A later version gives the value it replaced.
    REQUIRE(push(coco, "dev-coco", json::array({set(2, "r-h", 2, json{{"adresse", "5 rue des Lilas"}})})).status ==
            200);
    const auto third = get("/api/v1/records/r-h/history", coco).body.at("versions").at(2);
    CHECK(third["changes"] ==
          json::array({{{"field", "adresse"}, {"old", "3 rue des Lilas"}, {"new", "5 rue des Lilas"}}}));
}

TEST_CASE_METHOD(ConsoleFixture, "attachments are served to their organisation's coordinators only", "[console]") {
    const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(200, 'p');
    const std::string sha = server::sha256Hex(png);
    const std::string path = "/api/v1/attachments/" + sha;
    auto c = client();
    auto up = reply(c.Put((path + "?offset=0&total=" + std::to_string(png.size())).c_str(), auth(awa), png,
                          "application/octet-stream"));
    REQUIRE(up.status == 200);
    REQUIRE(up.body["complete"] == true);

    auto own = c.Get((path + "/content").c_str(), auth(coco));
    REQUIRE(own);
    CHECK(own->status == 200);
    CHECK(own->body == png);
    CHECK(own->get_header_value("Content-Type") == "image/png");
    // Another organisation's admin: not found, as for a name nobody uploaded.
    auto other = c.Get((path + "/content").c_str(), auth(zed));
    REQUIRE(other);
    CHECK(other->status == 404);
    CHECK(other->body.find(sha) != std::string::npos);
    auto unknown = c.Get(("/api/v1/attachments/" + std::string(64, 'a') + "/content").c_str(), auth(coco));
    REQUIRE(unknown);
    CHECK(unknown->status == 404);
    CHECK(get(path + "/content", awa).status == 403); // the console's route: coordinators and admins
    CHECK(get("/api/v1/attachments/not-a-hash/content", coco).status == 400);
    auto anonymous = c.Get((path + "/content").c_str());
    REQUIRE(anonymous);
    CHECK(anonymous->status == 401);

    // A partial upload is not served, and anything but an image is a download, never shown inline.
    const std::string text = "<script>alert(1)</script>";
    const std::string textSha = server::sha256Hex(text);
    REQUIRE(reply(c.Put(("/api/v1/attachments/" + textSha + "?offset=0&total=" + std::to_string(text.size())).c_str(),
                        auth(coco), text.substr(0, 5), "application/octet-stream"))
                .status == 200);
    CHECK(get("/api/v1/attachments/" + textSha + "/content", coco).status == 404);
    REQUIRE(reply(c.Put(("/api/v1/attachments/" + textSha + "?offset=5&total=" + std::to_string(text.size())).c_str(),
                        auth(coco), text.substr(5), "application/octet-stream"))
                .status == 200);
    auto script = c.Get(("/api/v1/attachments/" + textSha + "/content").c_str(), auth(coco));
    REQUIRE(script);
    CHECK(script->status == 200);
    CHECK(script->get_header_value("Content-Type") == "application/octet-stream");
    CHECK(script->get_header_value("Content-Disposition").rfind("attachment", 0) == 0);
}

TEST_CASE_METHOD(ConsoleFixture, "a coordinator reviews a record: its state and comment are kept, listed and filtered",
                 "[console]") {
    REQUIRE(push(awa, "dev-awa",
                 json::array({create(1, "r-rv", interview("gardanne", "refus")),
                              create(2, "r-rw", interview("venelles", "absent"))}))
                .status == 200);
    auto rec = get("/api/v1/records/r-rv", coco);
    REQUIRE(rec.status == 200);
    CHECK(rec.body.at("review").is_null()); // not reviewed yet
    CHECK(rec.body.at("reviews").empty());

    auto first = post("/api/v1/records/r-rv/review",
                      json{{"state", "has_issues"}, {"comment", "Adresse à vérifier\nrappeler Mme Ferrandi"}}, coco);
    REQUIRE(first.status == 200);
    CHECK(first.body["review"]["state"] == "has_issues");
    CHECK(first.body["review"]["user"] == "coco");
    CHECK(first.body["review"]["version"] == 1);
    const std::string at = first.body["review"]["at"].get<std::string>();
    CHECK((at.size() >= 20 && at[10] == 'T' && at.back() == 'Z'));

    // The record changes after the review; the next review says which version it was about.
    REQUIRE(push(awa, "dev-awa", json::array({set(3, "r-rv", 1, json{{"adresse", "3 rue des Lilas"}})})).status == 200);
    REQUIRE(post("/api/v1/records/r-rv/review", json{{"state", "approved"}}, coco).status == 200);
    rec = get("/api/v1/records/r-rv", coco);
    CHECK(rec.body["version"] == 2);
    CHECK(rec.body["review"]["state"] == "approved");
    CHECK(rec.body["review"]["version"] == 2);
    CHECK(rec.body["review"]["comment"] == "");
    REQUIRE(rec.body["reviews"].size() == 2); // kept one after the other, oldest first
    CHECK(rec.body["reviews"][0]["state"] == "has_issues");
    CHECK(rec.body["reviews"][0]["comment"] == "Adresse à vérifier\nrappeler Mme Ferrandi");
    CHECK(rec.body["reviews"][0]["version"] == 1);
    CHECK(get("/api/v1/records/r-rv", awa).body["review"]["state"] == "approved"); // its author reads it

    // The list gives each record's latest review and filters on it ("received": never reviewed).
    auto all = get("/api/v1/records", coco);
    REQUIRE(all.status == 200);
    std::map<std::string, json> byId;
    for (const auto& r : all.body["records"])
        byId[r["record_id"].get<std::string>()] = r["review"];
    CHECK(byId.at("r-rv")["state"] == "approved");
    CHECK(byId.at("r-rw").is_null());
    auto approved = get("/api/v1/records?review=approved", coco);
    REQUIRE(approved.status == 200);
    CHECK(approved.body["total"] == 1);
    REQUIRE(approved.body["records"].size() == 1);
    CHECK(approved.body["records"][0]["record_id"] == "r-rv");
    auto received = get("/api/v1/records?review=received", coco);
    REQUIRE(received.status == 200);
    CHECK(received.body["total"] == 1);
    REQUIRE(received.body["records"].size() == 1);
    CHECK(received.body["records"][0]["record_id"] == "r-rw");
    CHECK(get("/api/v1/records?review=has_issues", coco).body["total"] == 0);
    CHECK(get("/api/v1/records?review=approved&sort=name", coco).body["total"] == 1);
    CHECK(get("/api/v1/records?review=nope", coco).status == 400);

    // Bad reviews are refused with a reason; others' records are not found; ambassadors may not review.
    auto bad = post("/api/v1/records/r-rw/review", json{{"state", "validé"}}, coco);
    CHECK(bad.status == 400);
    CHECK(bad.body["error"] == "invalid_review");
    CHECK(bad.body["localized"].get<std::string>().find("Revue invalide") == 0);
    CHECK(post("/api/v1/records/r-rw/review", json{{"comment", "sans état"}}, coco).status == 400);
    CHECK(post("/api/v1/records/r-rw/review", json{{"state", "rejected"}, {"comment", std::string(2001, 'x')}}, coco)
              .status == 400);
    CHECK(post("/api/v1/records/r-rw/review", json{{"state", "rejected"}, {"comment", "bip\x07"}}, coco).status == 400);
    CHECK(post("/api/v1/records/r-rw/review", json{{"state", "rejected"}, {"comment", 3}}, coco).status == 400);
    CHECK(post("/api/v1/records/r-rw/review", json{{"state", "rejected"}}, awa).status == 403);
    CHECK(post("/api/v1/records/r-rw/review", json{{"state", "rejected"}}, zed).status == 404);
    CHECK(post("/api/v1/records/r-none/review", json{{"state", "rejected"}}, coco).status == 404);
    CHECK(get("/api/v1/records/r-rw", coco).body["reviews"].empty()); // nothing refused was kept
    // A review is not a version: the record's version and its devices' copies are unchanged.
    CHECK(get("/api/v1/records/r-rv/history", coco).body["versions"].size() == 2);
}

// ---- Exports for a coordinator's spreadsheet (issue 22, "Exports") ----

TEST_CASE_METHOD(ConsoleFixture, "exports name their columns by question labels in the console's language, or by codes",
                 "[console][export]") {
    json a = interview("gardanne", "refus");
    a["membres"] = json::array({json{{"prenom", "Catherine"}, {"tranche_age", "45_59"}}});
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-1", a)})).status == 200);

    const auto fr = get("/api/v1/exports/door_to_door.csv?status=all&headers=labels&lang=fr", coco);
    REQUIRE(fr.status == 200);
    const auto rows = csvRows(fr.raw.substr(3));
    REQUIRE(rows.size() == 2);
    const auto& h = rows[0];
    CHECK(h[0] == "Fiche");
    CHECK(h[2] == "Statut");
    CHECK(h[6] == "Mise à jour");
    CHECK(rows[1][columnOf(h, "Commune")] == "gardanne"); // values stay codes unless labels=1
    CHECK(rows[1][columnOf(h, "Issue de la visite")] == "refus");
    CHECK(rows[1][columnOf(h, "Membres du foyer (nombre)")] == "1");
    CHECK(std::find(h.begin(), h.end(), "commune") == h.end());
    // An interpolated part of a label is not an answer: shown as an ellipsis.
    CHECK(std::find(h.begin(), h.end(), "Combien de personnes vivent dans le logement, vous compris ?") != h.end());

    const auto en =
        csvRows(get("/api/v1/exports/door_to_door.csv?status=all&headers=labels&lang=en&labels=1", coco).raw.substr(3));
    REQUIRE(en.size() == 2);
    CHECK(en[0][0] == "Record");
    CHECK(en[1][columnOf(en[0], "Town")] == "Gardanne");
    CHECK(en[1][columnOf(en[0], "Outcome of the visit")] == "Refused");

    const auto codes = csvRows(get("/api/v1/exports/door_to_door.csv?status=all&headers=codes", coco).raw.substr(3));
    CHECK(codes[0][0] == "record_id");
    CHECK(codes[1][columnOf(codes[0], "commune")] == "gardanne");

    // The repeat's table and the workbook's sheets are named the same way.
    auto zip = unzip(get("/api/v1/exports/door_to_door.zip?status=all&headers=labels", coco).raw);
    const auto members = csvRows(zip["door_to_door-membres.csv"].substr(3));
    REQUIRE(members.size() == 2);
    CHECK(members[0][0] == "Fiche");
    CHECK(members[0][1] == "Rang");
    CHECK(members[1][columnOf(members[0], "Prénom de la personne n° … (facultatif)")] == "Catherine");
    auto xlsx = unzip(get("/api/v1/exports/door_to_door.xlsx?status=all&headers=labels", coco).raw);
    auto cells = sheetCells(xlsx["xl/worksheets/sheet1.xml"]);
    CHECK(cells["A1"] == "Fiche");
    CHECK_FALSE(sheetColumn(sheetXCells(xlsx["xl/worksheets/sheet1.xml"]), "Commune").empty());

    for (const std::string bad : {"?headers=names", "?split_geopoint=yes", "?split_multiple=2", "?media=true"}) {
        INFO(bad);
        auto r = get("/api/v1/exports/door_to_door.csv" + bad, coco);
        CHECK(r.status == 400);
        CHECK(r.body.value("error", "") == "invalid_request");
    }
}

TEST_CASE_METHOD(ConsoleFixture, "an XLSX export writes dates and times as real dates with a date format",
                 "[console][export]") {
    json a = interview("gardanne", "repasser");
    a["heure_passage"] = "2026-11-23T10:05:00.000+01:00";
    a["date_repassage"] = "2026-11-30";
    a["heure_repassage"] = "18:30";
    json b = interview("venelles", "repasser");
    b["date_repassage"] = "fin novembre"; // not a date: kept as text, never lost
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-d", a), create(2, "r-t", b)})).status == 200);

    auto parts = unzip(get("/api/v1/exports/door_to_door.xlsx?status=all", coco).raw);
    REQUIRE(parts.count("xl/styles.xml") == 1);
    CHECK(parts["[Content_Types].xml"].find("/xl/styles.xml") != std::string::npos);
    CHECK(parts["xl/_rels/workbook.xml.rels"].find("Target=\"styles.xml\"") != std::string::npos);
    // The styles part: cell format index -> number format code.
    pugi::xml_document styles;
    REQUIRE(styles.load_string(parts["xl/styles.xml"].c_str()));
    std::map<int, std::string> formatCodes;
    for (auto f : styles.child("styleSheet").child("numFmts").children("numFmt"))
        formatCodes[f.attribute("numFmtId").as_int()] = f.attribute("formatCode").as_string();
    std::vector<std::string> xfFormats;
    for (auto xf : styles.child("styleSheet").child("cellXfs").children("xf"))
        xfFormats.push_back(formatCodes[xf.attribute("numFmtId").as_int()]);
    const auto cells = sheetXCells(parts["xl/worksheets/sheet1.xml"]);
    const std::string row = sheetRow(cells, "r-d");
    auto formatOf = [&](const std::string& column) {
        const auto& c = cells.at(sheetColumn(cells, column) + row);
        INFO(column << " t=" << c.type << " s=" << c.style << " v=" << c.value);
        CHECK(c.type.empty()); // a number, not text
        REQUIRE_FALSE(c.style.empty());
        const auto index = static_cast<std::size_t>(std::stoi(c.style));
        REQUIRE(index < xfFormats.size());
        return std::pair<double, std::string>{std::stod(c.value), xfFormats[index]};
    };
    const auto [day, dayFormat] = formatOf("date_repassage");
    CHECK(day == 46356); // 2026-11-30 in days since 1899-12-30
    CHECK(dayFormat == "yyyy-mm-dd");
    // A date-time as the device wrote it, its own local time.
    const auto [visit, visitFormat] = formatOf("heure_passage");
    CHECK(visit == Approx(46349 + (10 * 60 + 5) / 1440.0));
    CHECK(visitFormat == "yyyy-mm-dd hh:mm:ss");
    const auto [time, timeFormat] = formatOf("heure_repassage");
    CHECK(time == Approx(18.5 / 24));
    CHECK(timeFormat == "hh:mm:ss");
    const auto [updated, updatedFormat] = formatOf("updated_at");
    CHECK(updated > 46000);
    CHECK(updatedFormat == "yyyy-mm-dd hh:mm:ss");
    const auto& text = cells.at(sheetColumn(cells, "date_repassage") + sheetRow(cells, "r-t"));
    CHECK(text.type == "inlineStr");
    CHECK(text.value == "fin novembre");

    // CSV has no types: the same dates as ISO text.
    const auto csv = csvRows(get("/api/v1/exports/door_to_door.csv?status=all", coco).raw.substr(3));
    CHECK(rowOf(csv, "r-d")[columnOf(csv[0], "date_repassage")] == "2026-11-30");
    CHECK(rowOf(csv, "r-d")[columnOf(csv[0], "heure_passage")] == "2026-11-23T10:05:00.000+01:00");
}

TEST_CASE_METHOD(ConsoleFixture, "a geopoint splits into latitude, longitude, altitude and accuracy columns",
                 "[console][export]") {
    json a = interview("gardanne", "refus");
    a["position"] = "43.4553 5.4691 120.5 8";
    json b = interview("venelles", "absent");
    b["position"] = json{{"lat", 43.5}, {"lon", -5.25}};
    json c = interview("venelles", "absent");
    c["position"] = "nowhere";
    REQUIRE(push(awa, "dev-awa",
                 json::array({create(1, "r-full", a), create(2, "r-object", b), create(3, "r-bad", c),
                              create(4, "r-none", interview("venelles", "absent"))}))
                .status == 200);

    const auto rows = csvRows(get("/api/v1/exports/door_to_door.csv?status=all&split_geopoint=1", coco).raw.substr(3));
    REQUIRE(rows.size() == 5);
    const auto& h = rows[0];
    CHECK(std::find(h.begin(), h.end(), "position") == h.end());
    const std::size_t lat = columnOf(h, "position_latitude");
    CHECK(columnOf(h, "position_longitude") == lat + 1);
    CHECK(columnOf(h, "position_altitude") == lat + 2);
    CHECK(columnOf(h, "position_accuracy") == lat + 3);
    auto point = [&](const std::string& id) {
        const auto& r = rowOf(rows, id);
        return std::vector<std::string>(r.begin() + static_cast<std::ptrdiff_t>(lat),
                                        r.begin() + static_cast<std::ptrdiff_t>(lat) + 4);
    };
    CHECK(point("r-full") == std::vector<std::string>{"43.4553", "5.4691", "120.5", "8.0"});
    CHECK(point("r-object") == std::vector<std::string>{"43.5", "-5.25", "", ""}); // a number, not a formula
    CHECK(point("r-bad") == std::vector<std::string>{"", "", "", ""});
    CHECK(point("r-none") == std::vector<std::string>{"", "", "", ""});

    const auto labels =
        csvRows(get("/api/v1/exports/door_to_door.csv?status=all&split_geopoint=1&headers=labels", coco).raw.substr(3));
    CHECK(rowOf(labels, "r-full")[columnOf(labels[0], "Position du logement (facultatif) – latitude")] == "43.4553");
    CHECK(rowOf(labels, "r-full")[columnOf(labels[0], "Position du logement (facultatif) – précision (m)")] == "8.0");

    // In the workbook, numbers.
    auto xlsx = unzip(get("/api/v1/exports/door_to_door.xlsx?status=all&split_geopoint=1", coco).raw);
    const auto cells = sheetXCells(xlsx["xl/worksheets/sheet1.xml"]);
    const auto& cell = cells.at(sheetColumn(cells, "position_longitude") + sheetRow(cells, "r-object"));
    CHECK(cell.type.empty());
    CHECK(cell.value == "-5.25");

    // Without the option, one text cell as before.
    const auto whole = csvRows(get("/api/v1/exports/door_to_door.csv?status=all", coco).raw.substr(3));
    CHECK(rowOf(whole, "r-full")[columnOf(whole[0], "position")] == "43.4553 5.4691 120.5 8");
}

TEST_CASE_METHOD(ConsoleFixture, "a select_multiple splits into one 0 or 1 column per choice", "[console][export]") {
    json a = interview("gardanne", "entretien");
    a["trajets_vises"] = json::array({"travail", "courses"});
    json b = interview("venelles", "entretien");
    b["trajets_vises"] = "loisirs"; // codes separated by spaces are read too
    REQUIRE(push(awa, "dev-awa",
                 json::array(
                     {create(1, "r-m1", a), create(2, "r-m2", b), create(3, "r-m3", interview("venelles", "absent"))}))
                .status == 200);
    const auto rows = csvRows(get("/api/v1/exports/door_to_door.csv?status=all&split_multiple=1", coco).raw.substr(3));
    REQUIRE(rows.size() == 4);
    const auto& h = rows[0];
    const std::size_t whole = columnOf(h, "trajets_vises");
    const std::vector<std::string> choices{"travail", "etudes", "courses", "loisirs", "demarches", "aucun"};
    for (std::size_t i = 0; i < choices.size(); ++i)
        CHECK(columnOf(h, "trajets_vises/" + choices[i]) == whole + 1 + i);
    auto split = [&](const std::string& id) {
        const auto& r = rowOf(rows, id);
        return std::vector<std::string>(r.begin() + static_cast<std::ptrdiff_t>(whole),
                                        r.begin() + static_cast<std::ptrdiff_t>(whole) + 7);
    };
    CHECK(split("r-m1") == std::vector<std::string>{"travail courses", "1", "0", "1", "0", "0", "0"});
    CHECK(split("r-m2") == std::vector<std::string>{"loisirs", "0", "0", "0", "1", "0", "0"});
    CHECK(split("r-m3") == std::vector<std::string>{"", "", "", "", "", "", ""}); // not answered: nothing

    const auto labels =
        csvRows(get("/api/v1/exports/door_to_door.csv?status=all&split_multiple=1&headers=labels&labels=1", coco)
                    .raw.substr(3));
    CHECK(rowOf(labels, "r-m1")[columnOf(labels[0], "Pour quels trajets ? : Domicile – travail")] == "1");
    CHECK(rowOf(labels, "r-m1")[columnOf(labels[0], "Pour quels trajets ?")] == "Domicile – travail ; Courses");
    const auto plain = csvRows(get("/api/v1/exports/door_to_door.csv?status=all", coco).raw.substr(3));
    CHECK(std::find(plain[0].begin(), plain[0].end(), "trajets_vises/travail") == plain[0].end());
}

TEST_CASE_METHOD(ConsoleFixture, "exports follow a territory as the dashboard attributes it", "[console][export]") {
    // A walk list of the territory « Pays d’Aix »: its buildings carry the territory, its dwellings
    // link to them, and an interview started at a door links to its dwelling.
    auto c = client();
    auto imported = reply(c.Post("/api/v1/walklists/import?name=Lot%201", auth(coco),
                                 "liste;territoire;commune;code_postal;rue;numero;batiment;logement;etage\n"
                                 "Lot 1;Pays d’Aix;Aix-en-Provence;13090;rue A;1;;1;0\n",
                                 "text/csv"));
    REQUIRE(imported.status == 200);
    auto dwellings = get("/api/v1/records?form=dwelling", coco);
    REQUIRE(dwellings.status == 200);
    REQUIRE(dwellings.body["records"].size() == 1);
    const std::string dwelling = dwellings.body["records"][0]["record_id"];
    json atDoor = interview("aix_en_provence", "entretien");
    atDoor["dwelling_id"] = dwelling;
    json own = interview("gardanne", "entretien");
    own["territoire"] = "Pays d’Aix"; // a record's own territory (as the advice-desk sessions have)
    REQUIRE(push(awa, "dev-awa",
                 json::array({create(1, "r-door", atDoor), create(2, "r-own", own),
                              create(3, "r-commune", interview("venelles", "absent"))}))
                .status == 200);
    // Another organisation's record of the same territory stays theirs.
    json theirs = interview("gardanne", "entretien");
    theirs["territoire"] = "Pays d’Aix";
    REQUIRE(push(zed, "dev-zed", json::array({create(1, "r-zed", theirs)})).status == 200);

    auto ids = [&](const std::string& query) {
        auto r = get("/api/v1/exports/door_to_door.csv?status=all" + query, coco);
        REQUIRE(r.status == 200);
        std::set<std::string> out;
        const auto rows = csvRows(r.raw.substr(3));
        for (std::size_t i = 1; i < rows.size(); ++i)
            out.insert(rows[i][0]);
        return out;
    };
    using Ids = std::set<std::string>;
    CHECK(ids("") == Ids{"r-door", "r-own", "r-commune"});
    CHECK(ids("&territory=Pays%20d%E2%80%99Aix") == Ids{"r-door", "r-own"});
    CHECK(ids("&territory=venelles") == Ids{"r-commune"}); // no territory known: the commune, as the dashboard
    CHECK(ids("&territory=Pays%20d%E2%80%99Aix&author=nobody").empty());
    CHECK(ids("&territory=Nulle%20part").empty());
    auto zip = unzip(get("/api/v1/exports/door_to_door.zip?status=all&territory=venelles", coco).raw);
    CHECK(zip["door_to_door.csv"].find("r-commune") != std::string::npos);
    CHECK(zip["door_to_door.csv"].find("r-door") == std::string::npos);

    for (const std::string& bad :
         {std::string("&territory=a%0Ab"), "&territory=" + std::string(65, 't'), std::string("&territory=%FF%FE")}) {
        INFO(bad);
        auto r = get("/api/v1/exports/door_to_door.csv?status=all" + bad, coco);
        CHECK(r.status == 400);
        CHECK(r.body.value("error", "") == "invalid_request");
    }
}

TEST_CASE_METHOD(ConsoleFixture, "the ZIP export holds the photos its records name, of its organisation only",
                 "[console][export]") {
    REQUIRE(services->forms()
                .publish(*readTextFile(std::filesystem::path(CARNET_SOURCE_DIR) / "tests/console/visite_e2e.json"))
                .ok());
    const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(300, 'p');
    const std::string sha = server::sha256Hex(png);
    auto c = client();
    REQUIRE(reply(c.Put(("/api/v1/attachments/" + sha + "?offset=0&total=" + std::to_string(png.size())).c_str(),
                        auth(awa), png, "application/octet-stream"))
                .status == 200);
    auto visit = [](std::int64_t seq, const std::string& id, json fields) {
        return mutation(seq, id, 0, "create",
                        json{{"form_id", "visite_e2e"},
                             {"form_version", "1"},
                             {"kind", "interview"},
                             {"author", "Awa"},
                             {"fields", std::move(fields)}});
    };
    const std::string missing = server::sha256Hex("never uploaded") + ".jpg";
    REQUIRE(push(awa, "dev-awa",
                 json::array({visit(1, "v-photo", json{{"nom", "Ferrandi"}, {"photo_facade", sha + ".png"}}),
                              visit(2, "v-missing", json{{"nom", "Martin"}, {"photo_facade", missing}}),
                              visit(3, "v-path", json{{"nom", "Roux"}, {"photo_facade", sha + "./../../etc"}})}))
                .status == 200);

    auto files = unzip(get("/api/v1/exports/visite_e2e.zip?status=all", coco).raw);
    REQUIRE(files.count("media/" + sha + ".png") == 1);
    CHECK(files["media/" + sha + ".png"] == png);
    CHECK(files.count("media/" + missing) == 0); // never received: left out, its name stays in its cell
    std::set<std::string> media;
    for (const auto& [name, bytes] : files)
        if (name.rfind("media/", 0) == 0) media.insert(name);
    // A name that is not a plain extension is never a path in the archive.
    CHECK(media == std::set<std::string>{"media/" + sha + ".png", "media/" + sha});
    const auto rows = csvRows(files["visite_e2e.csv"].substr(3));
    CHECK(rowOf(rows, "v-photo")[columnOf(rows[0], "photo_facade")] == sha + ".png");
    CHECK(rowOf(rows, "v-missing")[columnOf(rows[0], "photo_facade")] == missing);

    // Without media, the tables only.
    auto bare = unzip(get("/api/v1/exports/visite_e2e.zip?status=all&media=0", coco).raw);
    for (const auto& [name, bytes] : bare)
        CHECK(name.rfind("media/", 0) != 0);
    // Another organisation naming the same file never gets it: attachments are kept per organisation.
    REQUIRE(push(zed, "dev-zed", json::array({visit(1, "v-zed", json{{"photo_facade", sha + ".png"}})})).status == 200);
    auto other = unzip(get("/api/v1/exports/visite_e2e.zip?status=all", zed).raw);
    CHECK(other["visite_e2e.csv"].find("v-zed") != std::string::npos);
    CHECK(other.count("media/" + sha + ".png") == 0);
}

TEST_CASE_METHOD(ConsoleFixture, "GeoJSON properties are typed: numbers, booleans and arrays", "[console][export]") {
    json a = interview("gardanne", "entretien");
    a["position"] = "43.4553 5.4691";
    a["nb_personnes"] = 2;
    a["distance_travail_km"] = "8.5"; // a number written as text is still a number
    a["trajets_vises"] = json::array({"travail", "courses"});
    a["consentement_reponses"] = true;
    a["membres"] = json::array({json{{"prenom", "Inès"}}, json{{"prenom", "Noé"}}});
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-g", a)})).status == 200);

    auto geo = get("/api/v1/exports/door_to_door.geojson?status=all", coco);
    REQUIRE(geo.status == 200);
    REQUIRE(geo.body["features"].size() == 1);
    const auto& p = geo.body["features"][0]["properties"];
    CHECK(p["nb_personnes"].is_number_integer());
    CHECK(p["nb_personnes"] == 2);
    CHECK(p["distance_travail_km"].is_number());
    CHECK(p["distance_travail_km"].get<double>() == Approx(8.5));
    CHECK(p["trajets_vises"] == json::array({"travail", "courses"}));
    CHECK(p["consentement_reponses"] == true);
    CHECK(p["membres_count"] == 2);
    CHECK(p["commune"] == "gardanne");
    CHECK(p["version"] == 1);

    auto labelled = get("/api/v1/exports/door_to_door.geojson?status=all&labels=1&headers=labels", coco);
    REQUIRE(labelled.status == 200);
    const auto& l = labelled.body["features"][0]["properties"];
    CHECK(l["Pour quels trajets ?"] == json::array({"Domicile – travail", "Courses"}));
    CHECK(l["Commune"] == "Gardanne");
    CHECK(l["record_id"] == "r-g"); // the meta properties keep their names for GIS tools
}

TEST_CASE_METHOD(ConsoleFixture, "a walk list opens with its doors and outcomes, and a coordinator deletes it",
                 "[console][walklist]") {
    auto c = client();
    auto imported = reply(c.Post("/api/v1/walklists/import?name=Lot%202", auth(coco),
                                 "commune;code_postal;rue;numero;batiment;logement;etage\n"
                                 "Aix-en-Provence;13090;rue A;1;B1;1;0\n"
                                 "Aix-en-Provence;13090;rue A;1;B1;2;1\n"
                                 "Aix-en-Provence;13090;rue B;7;;3;2\n",
                                 "text/csv"));
    REQUIRE(imported.status == 200);
    const std::string list = imported.body["walklist_id"];
    REQUIRE(post("/api/v1/walklists/" + list + "/assign", json{{"user", "awa"}}, coco).status == 200);
    // Awa's tablet writes an outcome at the second door (as planDoorVisit does).
    std::string door;
    std::int64_t doorVersion = 0;
    for (const auto& ch : pullAll(awa))
        if (ch.value("form_id", "") == "dwelling" && ch["answers"].value("logement", "") == "2") {
            door = ch["record_id"].get<std::string>();
            doorVersion = ch["version"].get<std::int64_t>();
        }
    REQUIRE(!door.empty());
    auto visit = push(
        awa, "dev-awa",
        json::array(
            {set(1, door, doorVersion,
                 json{{"derniere_issue", "repasser"}, {"nb_passages", 1}, {"derniere_visite", "2026-11-23T10:25"}})}));
    REQUIRE(visit.status == 200);
    REQUIRE(visit.body["results"][0]["status"] == "applied");

    auto detail = get("/api/v1/walklists/" + list, coco);
    REQUIRE(detail.status == 200);
    CHECK(detail.body["name"] == "Lot 2");
    CHECK(detail.body["assigned_to"] == "awa");
    CHECK(detail.body["dwellings"] == 3);
    CHECK(detail.body["visited"] == 1);
    CHECK(detail.body["come_back"] == 1);
    const auto& doors = detail.body["doors"];
    REQUIRE(doors.size() == 3);
    CHECK(doors[0]["street"] == "rue A");
    CHECK(doors[0]["number"] == "1");
    CHECK(doors[0]["building"] == "B1");
    CHECK(doors[0]["dwelling"] == "1");
    CHECK(doors[0]["outcome"].is_null());
    CHECK(doors[1]["dwelling_id"] == door);
    CHECK(doors[1]["outcome"] == "repasser");
    CHECK(doors[1]["visits"] == 1);
    CHECK(doors[1]["last_visit"] == "2026-11-23T10:25");
    CHECK(doors[1]["floor"] == "1");
    CHECK(doors[2]["street"] == "rue B");
    CHECK(doors[2]["postcode"] == "13090");
    CHECK(doors[2]["commune"] == "Aix-en-Provence");

    // The console's: an ambassador is refused, another organisation finds nothing.
    for (const std::string& token : {awa, zed}) {
        INFO((token == awa ? "awa" : "zed"));
        const int want = token == awa ? 403 : 404;
        CHECK(get("/api/v1/walklists/" + list, token).status == want);
        CHECK(reply(c.Delete(("/api/v1/walklists/" + list).c_str(), auth(token))).status == want);
    }
    CHECK(get("/api/v1/walklists/" + door, coco).status == 404); // a dwelling is not a walk list
    CHECK(get("/api/v1/walklists/nope", coco).status == 404);

    // As a browser sends it: with "Content-Length: 0" (or a body, ignored).
    auto deleted = reply(c.Delete(("/api/v1/walklists/" + list).c_str(), auth(coco), "{}", "application/json"));
    REQUIRE(deleted.status == 200);
    CHECK(deleted.body["deleted"] == 6); // the list, 2 buildings, 3 dwellings
    CHECK(get("/api/v1/walklists", coco).body["walklists"].empty());
    CHECK(get("/api/v1/walklists/" + list, coco).status == 404);
    CHECK(reply(c.Delete(("/api/v1/walklists/" + list).c_str(), auth(coco))).status == 404);
    // Awa's tablet is told: every record of the list comes back deleted.
    int gone = 0;
    for (const auto& ch : pullAll(awa))
        if (ch.value("status", "") == "deleted") ++gone;
    CHECK(gone == 6);
}

TEST_CASE_METHOD(ConsoleFixture, "the funder view names each funder in the reader's language", "[console]") {
    // An interview counts for the campaign's funder (the demo campaign's « metropole_amp »).
    REQUIRE(push(awa, "dev-awa",
                 json::array({create(1, "r-f1", interview("aix_en_provence", "entretien")),
                              mutation(2, "r-f1", 1, "finalize", json::object())}))
                .status == 200);
    auto c = client();
    for (const auto& [lang, name] : std::vector<std::pair<std::string, std::string>>{
             {"fr", "Métropole Aix-Marseille-Provence"}, {"en", "Métropole Aix-Marseille-Provence"}}) {
        INFO(lang);
        auto headers = auth(coco);
        headers.emplace("Accept-Language", lang);
        auto r = reply(c.Get("/api/v1/indicators?by=funder", headers));
        REQUIRE(r.status == 200);
        REQUIRE(r.body["groups"].size() == 1);
        CHECK(r.body["groups"][0]["key"] == "metropole_amp");
        CHECK(r.body["groups"][0]["label"] == name);
        CHECK(r.body["groups"][0]["interviews"] == 1);
    }
    // Other views keep their keys alone.
    CHECK(!get("/api/v1/indicators?by=ambassador", coco).body["groups"][0].contains("label"));
    // The advice-desk sessions' funders are the form's choice labels, in the language asked for.
    const auto& field = services->field();
    CHECK(field.funderNames(Lang::Fr).at("region_occitanie") == "Région Occitanie");
    CHECK(field.funderNames(Lang::En).at("region_occitanie") == "Occitanie Region");
    CHECK(field.funderNames(Lang::En).at("metropole_amp") == "Métropole Aix-Marseille-Provence");
}

TEST_CASE_METHOD(ConsoleFixture, "the territory view names the advice desks' territories, and keeps a walk list's own",
                 "[console]") {
    // An advice-desk session in « coeur_herault » (a choice of the built-in form), and an interview
    // whose territory is its commune's name as a walk list would give it.
    REQUIRE(services->forms().publish(assetForm("advice_desk_session")).ok());
    json session = mutation(2, "r-s1", 0, "create",
                            json{{"form_id", "advice_desk_session"},
                                 {"form_version", "2026.11.1"},
                                 {"kind", "record"},
                                 {"author", "Awa"},
                                 {"fields",
                                  {{"type_seance", "permanence_physique"},
                                   {"date_seance", "2026-11-20"},
                                   {"territoire", "coeur_herault"},
                                   {"financeur", "region_occitanie"}}}});
    REQUIRE(push(awa, "dev-awa",
                 json::array({create(1, "r-t1", interview("Gardanne", "entretien")), session,
                              mutation(3, "r-t1", 1, "finalize", json::object()),
                              mutation(4, "r-s1", 1, "finalize", json::object())}))
                .status == 200);
    auto c = client();
    for (const auto& [lang, name] : std::vector<std::pair<std::string, std::string>>{{"fr", "Pays Cœur d’Hérault"},
                                                                                     {"en", "Pays Cœur d’Hérault"}}) {
        INFO(lang);
        auto headers = auth(coco);
        headers.emplace("Accept-Language", lang);
        auto r = reply(c.Get("/api/v1/indicators?by=territory", headers));
        REQUIRE(r.status == 200);
        std::map<std::string, json> groups;
        for (const auto& g : r.body["groups"])
            groups[g.value("key", "")] = g;
        REQUIRE(groups.count("coeur_herault") == 1);
        CHECK(groups["coeur_herault"]["label"] == name);
        CHECK(groups["coeur_herault"]["sessions"]["physical"] == 1);
        REQUIRE(groups.count("Gardanne") == 1);
        CHECK(groups["Gardanne"]["label"].is_null());
        CHECK(groups["Gardanne"]["interviews"] == 1);
    }
    CHECK(server::FieldService::territoryNames(Lang::Fr).at("haut_languedoc_vignobles") ==
          "Pays Haut Languedoc et Vignobles");
}
