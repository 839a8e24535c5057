// A coordinator's edit of a record in the console (issue 22) and the record page's map, against a real
// server on a real socket: the edit is a version like a device's (its author, its time, pulled by
// devices, a later device edit of the same field from an older version is a conflict), a stale base is
// a 409 that writes nothing, and Leaflet's files are served from their folder or cleanly refused.
#include "server_fixture.hpp"

#include "server/cli_options.hpp"
#include "server/map_options.hpp"

#include <fstream>

using namespace carnet;
using namespace carnet::test;

namespace {

struct EditFixture : ServerFixture {
    std::string awa, binta, coco, zed;
    EditFixture() {
        awa = loginWithDevice("awa", "dev-awa");
        binta = loginWithDevice("binta", "dev-binta");
        coco = login("coco");
        zed = login("zed");
    }
    Reply edit(const std::string& record, json body, const std::string& token) const {
        return post("/api/v1/records/" + record + "/edit", body, token);
    }
    static json editBody(std::int64_t base, json fields) {
        return json{{"base_version", base}, {"fields", std::move(fields)}};
    }
    json history(const std::string& record) const {
        auto h = get("/api/v1/records/" + record + "/history", coco);
        REQUIRE(h.status == 200);
        return h.body.at("versions");
    }
    // The record as device dev-awa's pull gives it (its own clean writes left out), or null.
    json pulledByAwa(const std::string& record) const {
        auto r = get("/api/v1/sync/pull?device_id=dev-awa", awa);
        REQUIRE(r.status == 200);
        for (const auto& c : r.body.at("changes"))
            if (c.at("record_id") == record) return c;
        return nullptr;
    }
};

json visit(const std::string& adresse) {
    return json{{"commune", "gardanne"}, {"issue_visite", "refus"}, {"adresse", adresse}};
}

} // namespace

TEST_CASE_METHOD(EditFixture, "a coordinator's edit is a new version in their name that devices pull", "[console]") {
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-e1", visit("3 rue des Lilas"))})).status == 200);
    CHECK(pulledByAwa("r-e1").is_null()); // the device holds its own version already

    auto r = edit("r-e1", editBody(1, json{{"adresse", "3 bis rue des Lilas"}}), coco);
    INFO(r.raw);
    REQUIRE(r.status == 200);
    CHECK(r.body.at("version") == 2);
    CHECK(r.body.at("changed") == json::array({"adresse"}));

    // History: the coordinator's version, with its time, made in the console, old -> new.
    const json versions = history("r-e1");
    REQUIRE(versions.size() == 2);
    CHECK(versions[1].at("user") == "coco");
    CHECK(versions[1].at("device_id") == std::string(server::kConsoleDevice));
    CHECK(versions[1].at("received_at").get<std::string>().size() >= 20);
    CHECK(versions[1].at("changes") ==
          json::array({{{"field", "adresse"}, {"old", "3 rue des Lilas"}, {"new", "3 bis rue des Lilas"}}}));
    CHECK(get("/api/v1/records/r-e1", coco).body.at("answers").at("adresse") == "3 bis rue des Lilas");

    // The ambassador's device pulls the coordinator's version.
    const json pulled = pulledByAwa("r-e1");
    REQUIRE(pulled.is_object());
    CHECK(pulled.at("version") == 2);
    CHECK(pulled.at("answers").at("adresse") == "3 bis rue des Lilas");
    CHECK(pulled.at("answers").at("commune") == "gardanne");

    // The device, still at version 1, changed the same field offline: a conflict, as between two
    // devices, whose values say who wrote them.
    auto p = push(awa, "dev-awa", json::array({set(2, "r-e1", 1, json{{"adresse", "5 rue des Lilas"}})}));
    REQUIRE(p.status == 200);
    CHECK(p.body.at("results")[0].at("status") == "conflict");
    CHECK(p.body.at("results")[0].at("conflicts") == json::array({"adresse"}));
    auto conflicts = get("/api/v1/conflicts", coco);
    REQUIRE(conflicts.status == 200);
    REQUIRE(conflicts.body.at("conflicts").size() == 1);
    const json values = conflicts.body.at("conflicts")[0].at("values");
    REQUIRE(values.size() == 2);
    CHECK(values[0].at("value") == "3 bis rue des Lilas");
    CHECK(values[0].at("user") == "coco");
    CHECK(values[1].at("value") == "5 rue des Lilas");
    CHECK(values[1].at("user") == "awa");

    // A field in open conflict is resolved on the conflicts page, not edited over.
    auto locked = edit("r-e1", editBody(3, json{{"adresse", "7 rue des Lilas"}}), coco);
    CHECK(locked.status == 409);
    CHECK(locked.body.value("error", "") == "field_in_conflict");
    CHECK(history("r-e1").size() == 3);

    // The same answers again change nothing: no version.
    auto same = edit("r-e1", editBody(3, json{{"commune", "gardanne"}}), coco);
    REQUIRE(same.status == 200);
    CHECK(same.body.at("version") == 3);
    CHECK(same.body.at("changed").empty());
    CHECK(history("r-e1").size() == 3);
}

TEST_CASE_METHOD(EditFixture, "an edit on a stale version is a 409 that writes nothing", "[console]") {
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-e2", visit("3 rue des Lilas"))})).status == 200);
    // The device changes the address after the coordinator opened version 1.
    REQUIRE(push(awa, "dev-awa", json::array({set(2, "r-e2", 1, json{{"adresse", "4 rue des Lilas"}})})).status == 200);
    auto stale = edit("r-e2", editBody(1, json{{"adresse", "3 bis rue des Lilas"}}), coco);
    INFO(stale.raw);
    REQUIRE(stale.status == 409);
    CHECK(stale.body.at("error") == "stale_version");
    CHECK(stale.body.at("version") == 2);
    CHECK(stale.body.at("fields") == json::array({"adresse"}));
    CHECK_FALSE(stale.body.value("localized", "").empty()); // said in the console's language
    CHECK(history("r-e2").size() == 2);
    CHECK(get("/api/v1/records/r-e2", coco).body.at("answers").at("adresse") == "4 rue des Lilas");
    CHECK(edit("r-e2", editBody(7, json{{"adresse", "3 bis rue des Lilas"}}), coco).status == 409); // no such version

    // A field nobody changed since version 1 merges as a device's write would.
    auto other = edit("r-e2", editBody(1, json{{"commune", "venelles"}}), coco);
    INFO(other.raw);
    REQUIRE(other.status == 200);
    CHECK(other.body.at("version") == 3);
    auto rec = get("/api/v1/records/r-e2", coco).body.at("answers");
    CHECK(rec.at("commune") == "venelles");
    CHECK(rec.at("adresse") == "4 rue des Lilas");
}

TEST_CASE_METHOD(EditFixture, "only the organisation's coordinators edit a record, with values the form accepts",
                 "[console]") {
    json interview = visit("3 rue des Lilas");
    interview["issue_visite"] = "entretien"; // the household's page applies: its questions are checked
    REQUIRE(push(awa, "dev-awa", json::array({create(1, "r-e3", interview)})).status == 200);
    const json good = editBody(1, json{{"adresse", "9 rue des Lilas"}});
    auto ambassador = edit("r-e3", good, awa); // even their own record
    CHECK(ambassador.status == 403);
    CHECK(ambassador.body.value("error", "") == "forbidden");
    CHECK(edit("r-e3", good, zed).status == 404); // an admin of another organisation
    CHECK(edit("r-nope", good, coco).status == 404);
    CHECK(edit("r-e3", good, "not-a-token").status == 401);

    auto bad = [&](json body, int status, const std::string& code) {
        auto r = edit("r-e3", std::move(body), coco);
        INFO(r.raw);
        CHECK(r.status == status);
        CHECK(r.body.value("error", "") == code);
        return r;
    };
    bad(json{{"fields", {{"adresse", "9 rue des Lilas"}}}}, 400, "invalid_edit");
    bad(json{{"base_version", "1"}, {"fields", {{"adresse", "9 rue des Lilas"}}}}, 400, "invalid_edit");
    bad(editBody(1, json::array({"adresse"})), 400, "invalid_edit");
    bad(editBody(1, json::object()), 400, "invalid_edit");
    bad(editBody(1, json{{"", "x"}}), 400, "invalid_request");
    bad(editBody(1, json{{"no_such_question", "x"}}), 400, "not_editable");
    bad(editBody(1, json{{"membres", json::array()}}), 400, "not_editable"); // a repeat
    bad(editBody(1, json{{"nb_adultes", 2}}), 400, "not_editable");          // a calculation
    // The form's own rules, as on a device: the address's length, a choice of the list, a number.
    auto tooShort = bad(editBody(1, json{{"adresse", "3"}}), 422, "invalid_answer");
    CHECK(tooShort.body.at("fields") == json::array({"adresse"}));
    // Said by the question's label in the coordinator's language, which the console shows as it is.
    CHECK(tooShort.body.value("localized_detail", false));
    CHECK(tooShort.body.value("localized", "").rfind("« Numéro et rue » : ", 0) == 0);
    CHECK(tooShort.body.value("localized", "").find("adresse:") == std::string::npos); // not by its code
    bad(editBody(1, json{{"commune", "paris"}}), 422, "invalid_answer");
    bad(editBody(1, json{{"nb_personnes", 13}}), 422, "invalid_answer");
    bad(editBody(1, json{{"nb_personnes", "deux"}}), 422, "invalid_answer");
    CHECK(history("r-e3").size() == 1);
    // A body past its bound is refused before it is read whole.
    auto c = client();
    const std::string huge =
        "{\"base_version\":1,\"fields\":{\"observations\":\"" + std::string(300u << 10, 'x') + "\"}}";
    auto big = c.Post("/api/v1/records/r-e3/edit", auth(coco), huge, "application/json");
    REQUIRE(big);
    CHECK(big->status == 413);

    // Values are normalised by the form as a device's are, and the edit is the coordinator's.
    auto ok = edit("r-e3", editBody(1, json{{"nb_personnes", 2}, {"observations", "Rappeler le soir"}}), coco);
    INFO(ok.raw);
    REQUIRE(ok.status == 200);
    auto answers = get("/api/v1/records/r-e3", coco).body.at("answers");
    CHECK(answers.at("nb_personnes") == 2);
    CHECK(answers.at("observations") == "Rappeler le soir");

    // No device may take the id the console's versions are written under.
    auto taken = post("/api/v1/devices", json{{"device_id", std::string(server::kConsoleDevice)}}, awa);
    CHECK(taken.status == 400);
}

TEST_CASE_METHOD(EditFixture, "Leaflet's files are served from their folder and refused cleanly without it",
                 "[console]") {
    // Leaflet's folder, and beside it a file no request may reach.
    const auto leaflet = dir.path() / "leaflet";
    std::filesystem::create_directories(leaflet / "images");
    const std::string script = "/* Leaflet */ window.L = {};";
    std::ofstream(leaflet / "leaflet.js") << script;
    std::ofstream(leaflet / "leaflet.css") << ".leaflet-container { overflow: hidden; }";
    std::ofstream(leaflet / "images" / "marker-icon.png") << "\x89PNG\r\n\x1a\n";
    std::ofstream(dir.path() / "secret.js") << "not Leaflet's";

    server::RouteOptions options;
    options.map.leafletDir = leaflet;
    options.map.tiles = "https://{s}.tile.example.org/{z}/{x}/{y}.png";
    options.map.attribution = "© the tile makers";
    ServerThread withMap(*services, options);
    httplib::Client c("127.0.0.1", withMap.port());
    auto js = c.Get("/console/vendor/leaflet/leaflet.js");
    REQUIRE(js);
    CHECK(js->status == 200);
    CHECK(js->body == script);
    CHECK(js->get_header_value("Content-Type").rfind("text/javascript", 0) == 0);
    auto css = c.Get("/console/vendor/leaflet/leaflet.css");
    REQUIRE(css);
    CHECK(css->status == 200);
    CHECK(css->get_header_value("Content-Type").rfind("text/css", 0) == 0);
    auto png = c.Get("/console/vendor/leaflet/images/marker-icon.png");
    REQUIRE(png);
    CHECK(png->status == 200);
    CHECK(png->get_header_value("Content-Type") == "image/png");
    for (const std::string path :
         {"/console/vendor/leaflet/../secret.js", "/console/vendor/leaflet/%2e%2e/secret.js",
          "/console/vendor/leaflet/images/../../secret.js", "/console/vendor/leaflet/nope.js"}) {
        INFO(path);
        auto r = c.Get(path.c_str());
        REQUIRE(r);
        CHECK(r->status == 404);
        CHECK(r->body.find("not Leaflet's") == std::string::npos);
    }
    // The page's policy lets images come from the tile server, and the page learns where tiles are.
    CHECK(js->get_header_value("Content-Security-Policy").find("img-src 'self' data: https://*.tile.example.org;") !=
          std::string::npos);
    c.set_default_headers({{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)},
                           {"Authorization", "Bearer " + coco}});
    auto settings = c.Get("/api/v1/map");
    REQUIRE(settings);
    REQUIRE(settings->status == 200);
    const json s = json::parse(settings->body);
    CHECK(s.at("leaflet") == true);
    CHECK(s.at("tiles") == "https://{s}.tile.example.org/{z}/{x}/{y}.png");
    CHECK(s.at("attribution") == "© the tile makers");
    CHECK(withMap.log().empty());

    // Without the package's folder: a JSON 404, the page told there is no Leaflet, no tiles, the
    // policy as before.
    server::RouteOptions none;
    none.map.leafletDir = dir.path() / "no-leaflet";
    ServerThread without(*services, none);
    httplib::Client n("127.0.0.1", without.port());
    auto missing = n.Get("/console/vendor/leaflet/leaflet.js");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(json::parse(missing->body, nullptr, false).value("error", "") == "not_found");
    CHECK(missing->get_header_value("Content-Security-Policy").find("img-src 'self' data:;") != std::string::npos);
    n.set_default_headers({{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)},
                           {"Authorization", "Bearer " + coco}});
    auto noMap = n.Get("/api/v1/map");
    REQUIRE(noMap);
    REQUIRE(noMap->status == 200);
    CHECK(json::parse(noMap->body) == json{{"leaflet", false}, {"tiles", ""}, {"attribution", ""}});
    CHECK(without.log().empty());
}

TEST_CASE("a tile URL is checked before it reaches the page's policy", "[console]") {
    using server::tileOrigin;
    CHECK(tileOrigin("https://tile.example.org/{z}/{x}/{y}.png") == "https://tile.example.org");
    CHECK(tileOrigin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org");
    CHECK(tileOrigin("http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png?key=abc") == "http://127.0.0.1:8081");
    for (const std::string& bad : std::vector<std::string>{
             "", "ftp://tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org/{z}/{x}.png",
             "https://tile.example.org/{z}/{x}/{y}.png; script-src *",
             "https://tile.example.org/{z}/{x}/{y}.png 'unsafe-inline'", "https://tile.exa,mple.org/{z}/{x}/{y}",
             "https://:80/{z}/{x}/{y}", "https://tile.example.org:http/{z}/{x}/{y}",
             "https://" + std::string(600, 'a') + "/{z}/{x}/{y}"}) {
        INFO(bad);
        CHECK(tileOrigin(bad).empty());
    }
    auto parsed = server::parseOptions({"serve", "--data", "d", "--map-tiles", "https://t.example.org/{z}/{x}/{y}.png",
                                        "--map-attribution", "© OSM", "--leaflet-dir", "/opt/leaflet"},
                                       Lang::En);
    REQUIRE(parsed.options);
    CHECK(parsed.options->map.tiles == "https://t.example.org/{z}/{x}/{y}.png");
    CHECK(parsed.options->map.attribution == "© OSM");
    CHECK(parsed.options->map.leafletDir.string() == "/opt/leaflet");
    auto refused =
        server::parseOptions({"serve", "--data", "d", "--map-tiles", "https://t.example.org/x.png"}, Lang::En);
    CHECK_FALSE(refused.options);
    CHECK(refused.problem.find("--map-tiles") != std::string::npos);
}
