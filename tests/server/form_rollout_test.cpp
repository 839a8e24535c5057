// Safe form rollout through the console API on a real server (issue 22): drafts for chosen devices,
// which devices lack each version, form errors named by their question, a re-used version number said
// in the reader's language, and the XLSForm importer's warnings. The draft reaching only its device
// through the real sync engine is tests/sync/draft_form_test.cpp.
#include "server_fixture.hpp"

#include <chrono>
#include <fstream>
#include <thread>

using namespace carnet;
using namespace carnet::test;

namespace {

struct RolloutFixture : ServerFixture {
    std::string awa, binta, coco;
    RolloutFixture() {
        awa = loginWithDevice("awa", "dev-awa");
        binta = loginWithDevice("binta", "dev-binta");
        coco = login("coco");
    }
    /// A POST of `body` as `type` in the language `lang` ("" = no Accept-Language).
    Reply upload(const std::string& path, const std::string& body, const std::string& type = "application/json",
                 const std::string& lang = "") const {
        auto c = client();
        httplib::Headers h = auth(coco);
        if (!lang.empty()) h.emplace("Accept-Language", lang);
        return reply(c.Post(path.c_str(), h, body, type.c_str()));
    }
    /// trip_survey at `version`, with its first label changed when `changed`.
    static std::string trip(const std::string& version, bool changed = false) {
        json doc = json::parse(assetForm("trip_survey"));
        doc["version"] = version;
        if (changed) doc["title"] = json{{"fr", "Enquête mobilité (modifiée)"}, {"en", "Mobility survey (changed)"}};
        return doc.dump();
    }
    json catalogueEntry(const std::string& formId, const std::string& version) const {
        auto cat = get("/api/v1/catalogue", coco);
        REQUIRE(cat.status == 200);
        for (const auto& f : cat.body["forms"])
            if (f["form_id"] == formId && f["version"] == version) return f;
        FAIL("no " << formId << " " << version << " in the catalogue: " << cat.body.dump());
        return json();
    }
    static std::vector<std::string> formsOf(const Reply& pull) {
        std::vector<std::string> out;
        for (const auto& f : pull.body["forms"])
            out.push_back(f["form_id"].get<std::string>() + "@" + f["version"].get<std::string>());
        return out;
    }
    static bool has(const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    }
};

} // namespace

TEST_CASE_METHOD(RolloutFixture, "a draft form version reaches only its devices until it is published",
                 "[console][rollout]") {
    auto draft = upload("/api/v1/forms?draft=1&devices=dev-awa", trip("2027.1.1"));
    INFO(draft.raw);
    REQUIRE(draft.status == 201);
    CHECK(draft.body["draft"] == true);
    CHECK(draft.body["published"] == false);

    // The pull's form list: the draft for dev-awa only; not for dev-binta, nor a pull naming no device,
    // nor a device id that is not the caller's.
    CHECK(has(formsOf(get("/api/v1/sync/pull?device_id=dev-awa", awa)), "trip_survey@2027.1.1"));
    CHECK_FALSE(has(formsOf(get("/api/v1/sync/pull?device_id=dev-binta", binta)), "trip_survey@2027.1.1"));
    CHECK_FALSE(has(formsOf(get("/api/v1/sync/pull", awa)), "trip_survey@2027.1.1"));
    CHECK_FALSE(has(formsOf(get("/api/v1/sync/pull?device_id=dev-awa", binta)), "trip_survey@2027.1.1"));
    CHECK(get("/api/v1/forms", binta).body["forms"].size() == 1); // the published door_to_door only

    // The catalogue says it is a draft, for whom, and who has not fetched it yet (dev-awa pulled it).
    auto entry = catalogueEntry("trip_survey", "2027.1.1");
    CHECK(entry["draft"] == true);
    CHECK(entry["draft_devices"] == json::array({"dev-awa"}));
    CHECK(entry["devices"] == json::array({"dev-awa"}));
    CHECK(entry["devices_total"] == 1);
    CHECK(entry["missing"].empty());

    // Bad device lists are refused: unknown, none, another organisation's.
    CHECK(upload("/api/v1/forms?draft=1&devices=dev-nobody", trip("2027.1.2")).status == 400);
    CHECK(upload("/api/v1/forms?draft=1&devices=", trip("2027.1.2")).status == 400);
    CHECK(upload("/api/v1/forms?draft=2", trip("2027.1.2")).status == 400);
    CHECK(post("/api/v1/forms/trip_survey/2027.1.1/devices", json{{"devices", json::array({"dev-x"})}}, coco).status ==
          400);
    // An ambassador may not publish.
    CHECK(post("/api/v1/forms/trip_survey/2027.1.1/publish", json::object(), awa).status == 403);

    // Other devices to test it on: now dev-binta too.
    REQUIRE(post("/api/v1/forms/trip_survey/2027.1.1/devices", json{{"devices", json::array({"dev-awa", "dev-binta"})}},
                 coco)
                .status == 200);
    CHECK(has(formsOf(get("/api/v1/sync/pull?device_id=dev-binta", binta)), "trip_survey@2027.1.1"));

    // Published: every device, and no longer a draft (publishing twice is a 404: no such draft).
    REQUIRE(post("/api/v1/forms/trip_survey/2027.1.1/publish", json::object(), coco).status == 200);
    CHECK(has(formsOf(get("/api/v1/sync/pull", awa)), "trip_survey@2027.1.1"));
    CHECK(catalogueEntry("trip_survey", "2027.1.1")["draft"] == false);
    CHECK(post("/api/v1/forms/trip_survey/2027.1.1/publish", json::object(), coco).status == 404);
    CHECK(post("/api/v1/forms/trip_survey/2027.1.1/discard", json::object(), coco).status == 404);

    // A draft nobody wrote with is discarded: gone from the pulls and the catalogue.
    REQUIRE(upload("/api/v1/forms?draft=1&devices=dev-binta", trip("2027.2.1")).status == 201);
    REQUIRE(post("/api/v1/forms/trip_survey/2027.2.1/discard", json::object(), coco).status == 200);
    CHECK_FALSE(has(formsOf(get("/api/v1/sync/pull?device_id=dev-binta", binta)), "trip_survey@2027.2.1"));
    const auto listed = get("/api/v1/catalogue", coco);
    for (const auto& f : listed.body["forms"])
        CHECK(f["version"] != "2027.2.1");

    // A draft a record was written with stays: publish it or keep it (said in the reader's language).
    REQUIRE(upload("/api/v1/forms?draft=1&devices=dev-awa", trip("2027.3.1")).status == 201);
    json rec = create(1, "0190a3d2-0000-7000-8000-000000000001", json{{"survey_phase", "avant"}});
    rec["changes"]["form_id"] = "trip_survey";
    rec["changes"]["form_version"] = "2027.3.1";
    auto pushed = push(awa, "dev-awa", json::array({rec}));
    REQUIRE(pushed.status == 200);
    INFO(pushed.raw);
    CHECK(pushed.body["results"][0]["status"] == "applied");
    auto kept = post("/api/v1/forms/trip_survey/2027.3.1/discard", json::object(), coco);
    CHECK(kept.status == 409);
    CHECK(kept.body["error"] == "draft_in_use");
    CHECK(kept.body["localized"].get<std::string>().find("publiez-le") != std::string::npos);
}

TEST_CASE_METHOD(RolloutFixture, "the catalogue names the devices that lack each version with their last sync",
                 "[console][rollout]") {
    REQUIRE(get("/api/v1/sync/pull?device_id=dev-awa", awa).status == 200);
    auto entry = catalogueEntry("door_to_door", "2026.11.3");
    CHECK(entry["devices"] == json::array({"dev-awa"}));
    CHECK(entry["devices_total"] == 2);
    REQUIRE(entry["missing"].size() == 1);
    const json& behind = entry["missing"][0];
    CHECK(behind["device_id"] == "dev-binta");
    CHECK(behind["name"] == "binta's tablet");
    CHECK(behind["user"] == "binta");
    CHECK(behind["last_sync"].is_null()); // never synced
    CHECK(behind["revoked"] == false);

    // A new version: dev-awa's last sync is now older than it (times are to the second), so it lacks
    // it, with its last sync; dev-binta syncs after it.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    REQUIRE(upload("/api/v1/forms", trip("2027.1.1")).status == 201);
    REQUIRE(get("/api/v1/sync/pull?device_id=dev-binta", binta).status == 200);
    auto next = catalogueEntry("trip_survey", "2027.1.1");
    REQUIRE(next["missing"].size() == 1);
    CHECK(next["missing"][0]["device_id"] == "dev-awa");
    CHECK_FALSE(next["missing"][0]["last_sync"].is_null());
}

TEST_CASE_METHOD(RolloutFixture, "form errors name their question in the reader's language", "[console][rollout]") {
    json broken = json::parse(assetForm("trip_survey"));
    json& q = broken["pages"][0]["children"][3]; // survey_phase, a select_one
    q.erase("choices");
    q["choice_list"] = "eco_liste_absente";
    for (const std::string lang : {"fr", "en"}) {
        INFO(lang);
        auto r = upload("/api/v1/forms", broken.dump(), "application/json", lang);
        INFO(r.raw);
        REQUIRE(r.status == 422);
        REQUIRE_FALSE(r.body["problems"].empty());
        const json& p = r.body["problems"][0];
        CHECK(p["question"] == "survey_phase");
        CHECK(p["pointer"].get<std::string>().rfind("/pages/0/children/3", 0) == 0);
        const std::string text = p["text"];
        CHECK(text.rfind(lang == "fr" ? "question « survey_phase » (/pages/0/children/3"
                                      : "question “survey_phase” (/pages/0/children/3",
                         0) == 0);
        // The English detail names it too (logs, tools).
        CHECK(r.body["message"].get<std::string>().rfind("question “survey_phase” (", 0) == 0);
    }
    // Outside any question (the header): the pointer alone.
    json header = json::parse(assetForm("trip_survey"));
    header["id"] = "not an id!";
    auto h = upload("/api/v1/forms", header.dump(), "application/json", "en");
    REQUIRE(h.status == 422);
    CHECK_FALSE(h.body["problems"][0].contains("question"));
    CHECK(h.body["problems"][0]["text"].get<std::string>().rfind("/id: ", 0) == 0);
}

TEST_CASE_METHOD(RolloutFixture, "a re-used version number is refused with what to do in the reader's language",
                 "[console][rollout]") {
    REQUIRE(upload("/api/v1/forms", trip("2027.1.1")).status == 201);
    auto fr = upload("/api/v1/forms", trip("2027.1.1", true), "application/json", "fr");
    INFO(fr.raw);
    REQUIRE(fr.status == 409);
    CHECK(fr.body["error"] == "version_taken");
    CHECK(fr.body["lang"] == "fr");
    CHECK(fr.body["localized"] ==
          "Le formulaire trip_survey existe déjà en version 2027.1.1 avec un autre contenu. Changez son numéro de "
          "version (« version » dans le JSON, ou dans la feuille settings du XLSForm) et envoyez-le de nouveau.");
    auto en = upload("/api/v1/forms", trip("2027.1.1", true), "application/json", "en-GB,en;q=0.9");
    REQUIRE(en.status == 409);
    CHECK(en.body["lang"] == "en");
    CHECK(en.body["localized"].get<std::string>().rfind("Form trip_survey version 2027.1.1 already exists with other "
                                                        "content. Change its version number",
                                                        0) == 0);
    // A draft's version number is taken the same way.
    REQUIRE(upload("/api/v1/forms?draft=1&devices=dev-awa", trip("2027.2.1")).status == 201);
    CHECK(upload("/api/v1/forms", trip("2027.2.1", true)).status == 409);
    // The same content again publishes the draft.
    auto same = upload("/api/v1/forms", trip("2027.2.1"));
    CHECK(same.status == 200);
    CHECK(same.body["published"] == true);
    CHECK(catalogueEntry("trip_survey", "2027.2.1")["draft"] == false);
}

TEST_CASE_METHOD(RolloutFixture, "the XLSForm importer's warnings come back with the upload", "[console][rollout]") {
    std::ifstream in(std::filesystem::path(CARNET_SOURCE_DIR) / "tests/forms/xlsform/kobo_household.xlsx",
                     std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    REQUIRE_FALSE(bytes.empty());
    const std::string type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    for (const std::string path : {"/api/v1/forms?dry_run=1", "/api/v1/forms"}) {
        INFO(path);
        auto r = upload(path, bytes, type);
        INFO(r.raw);
        REQUIRE((r.status == 200 || r.status == 201));
        REQUIRE(r.body["warnings"].size() == 2); // its two $kuid columns (its start and end are captured)
        bool kuid = false;
        for (const auto& w : r.body["warnings"]) {
            CHECK_FALSE(w["sheet"].get<std::string>().empty());
            CHECK_FALSE(w["message_fr"].get<std::string>().empty());
            if (w["sheet"] == "survey" && w["column"] == "O" &&
                w["message"].get<std::string>().find("column '$kuid' is not supported") != std::string::npos)
                kuid = true;
        }
        CHECK(kuid);
    }
    // A JSON form has none.
    CHECK(upload("/api/v1/forms?dry_run=1", trip("2027.1.1")).body["warnings"] == json::array());
}
