// Form bundles on the server (docs/form-format.md, "Media files"; docs/sync-protocol.md, "Form
// media"): the console's upload takes a zip of the form and its files, stores them by sha256, and
// devices read them back in chunks; every bad input is a 4xx JSON answer naming what is wrong.
#include "forms/bundle.hpp"
#include "server_fixture.hpp"
#include "xlsx_writer.hpp"

#include <catch2/catch.hpp>

using namespace carnet;
using namespace carnet::test;
using nlohmann::json;

namespace {

std::string plotForm(const std::string& version) {
    json form = json::parse(R"J({
      "id": "plots", "title": "Plots", "default_language": "en", "languages": ["en"],
      "media": ["regions.csv", "logo.png"],
      "pages": [{"type": "page", "name": "p", "label": "Plot", "children": [
        {"type": "select_one", "name": "region", "label": "Region", "choice_file": {"file": "regions.csv"}}]}]})J");
    form["version"] = version;
    return form.dump();
}

const std::string kRegions = "name,label\ndar,Dar es Salaam\naru,Arusha\n";
const std::string kLogo = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, 'x');

struct MediaFixture : ServerFixture {
    std::string coco = login("coco");
    Reply upload(const std::string& body, const std::string& type = "application/zip") const {
        auto c = client();
        return reply(c.Post("/api/v1/forms", auth(coco), body, type.c_str()));
    }
};

} // namespace

TEST_CASE("the console publishes a bundle zip, devices of the organisation read its files by sha256, in chunks",
          "[server][media]") {
    MediaFixture f;
    const Reply pub =
        f.upload(zipBytes({{"plots.json", plotForm("1")}, {"regions.csv", kRegions}, {"logo.png", kLogo}}));
    INFO(pub.raw);
    REQUIRE(pub.status == 201);
    CHECK(pub.body["media_stored"] == 2);
    // The published form's manifest is what devices pull.
    const std::string awa = f.loginWithDevice("awa", "tab-1");
    const Reply doc = f.get("/api/v1/forms/plots/1", awa);
    REQUIRE(doc.status == 200);
    const std::string sha = forms::mediaSha256(kRegions);
    CHECK(doc.body["media"][0] ==
          json{{"file", "regions.csv"}, {"type", "csv"}, {"sha256", sha}, {"size", kRegions.size()}});
    CHECK(doc.body["media"][1]["type"] == "image");

    const Reply whole = f.get("/api/v1/form-media/" + sha, awa);
    CHECK(whole.status == 200);
    CHECK(whole.raw == kRegions);
    const Reply part = f.get("/api/v1/form-media/" + sha + "?offset=5&length=7", awa);
    CHECK(part.status == 200);
    CHECK(part.raw == kRegions.substr(5, 7));
    const Reply end = f.get("/api/v1/form-media/" + sha + "?offset=" + std::to_string(kRegions.size()), awa);
    CHECK(end.status == 200);
    CHECK(end.raw.empty());
    CHECK(f.get("/api/v1/form-media/" + sha + "?offset=999", awa).status == 416);
    CHECK(f.get("/api/v1/form-media/" + sha + "?offset=-1", awa).body["error"] == "invalid_request");
    CHECK(f.get("/api/v1/form-media/../../server.db", awa).status == 404);
    CHECK(f.get("/api/v1/form-media/ABC", awa).body["error"] == "invalid_request");
    CHECK(f.get("/api/v1/form-media/" + std::string(64, '0'), awa).status == 404);
    // Another organisation never reads them (nor learns they exist).
    const std::string zed = f.login("zed");
    CHECK(f.get("/api/v1/form-media/" + sha, zed).status == 404);

    // The same bundle again is harmless; v2 with the same files stores nothing new.
    CHECK(f.upload(zipBytes({{"plots.json", plotForm("1")}, {"regions.csv", kRegions}, {"logo.png", kLogo}}))
              .body["already_published"] == true);
    const Reply v2 =
        f.upload(zipBytes({{"plots.json", plotForm("2")}, {"regions.csv", kRegions}, {"logo.png", kLogo}}));
    CHECK(v2.status == 201);
    CHECK(v2.body["media_stored"] == 0);
}

TEST_CASE("a bad bundle is refused with a 4xx JSON answer naming the file", "[server][media]") {
    MediaFixture f;
    auto refused = [&](const std::string& body, const std::string& needle) {
        const Reply r = f.upload(body);
        INFO(r.raw);
        CHECK(r.status >= 400);
        CHECK(r.status < 500);
        CHECK(r.body.is_object());
        CHECK(r.body.value("message", "").find(needle) != std::string::npos);
    };
    // A declared file missing from the zip, a file that is not declared, a CSV a select cannot read.
    refused(zipBytes({{"plots.json", plotForm("1")}, {"regions.csv", kRegions}}), "'logo.png' is missing");
    refused(zipBytes({{"plots.json", plotForm("1")}, {"regions.csv", kRegions}, {"logo.png", kLogo}, {"x.csv", "a\n"}}),
            "'x.csv' is not one of the form's media files");
    refused(zipBytes({{"plots.json", plotForm("1")}, {"regions.csv", "id,label\n1,a\n"}, {"logo.png", kLogo}}),
            "regions.csv");
    // A manifest whose sha256 does not match the file given.
    json manifest = json::parse(plotForm("1"));
    manifest["media"] = json::array({json{{"file", "regions.csv"}, {"sha256", std::string(64, 'a')}, {"size", 3}},
                                     json{{"file", "logo.png"}, {"sha256", std::string(64, 'b')}, {"size", 3}}});
    refused(zipBytes({{"plots.json", manifest.dump()}, {"regions.csv", kRegions}, {"logo.png", kLogo}}),
            "'regions.csv' does not match the form's manifest");
    // Names: folders and '..' (path traversal), two forms, no form.
    refused(zipBytes({{"plots.json", plotForm("1")}, {"../regions.csv", kRegions}}), "'../regions.csv'");
    refused(zipBytes({{"plots.json", plotForm("1")}, {"sub/regions.csv", kRegions}}), "'sub/regions.csv'");
    refused(zipBytes({{"a.json", plotForm("1")}, {"b.json", plotForm("2")}}), "two forms");
    refused(zipBytes({{"regions.csv", kRegions}}), "holds no form");
    // Too many entries; a zip bomb (40 MiB of zeros compress to a few KiB): read, never trusted.
    Parts many{{"plots.json", plotForm("1")}};
    for (int i = 0; i < 120; ++i)
        many.push_back({"f" + std::to_string(i) + ".csv", "a\n"});
    refused(zipBytes(many), "at most 100 media files");
    const std::string bomb = zipBytes({{"plots.json", plotForm("1")}, {"regions.csv", std::string(40u << 20, '0')}});
    CHECK(bomb.size() < (1u << 20));
    refused(bomb, "'regions.csv' is over 32 MiB uncompressed");
    refused(std::string("PK\x03\x04", 4) + "not a zip", "not a zip");
    // Nothing was published by any of these.
    CHECK(f.get("/api/v1/forms", f.coco).body["forms"].size() == 1);
}
