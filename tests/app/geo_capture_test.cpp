// Geo questions take the device's position (issue 16): a geopoint's "My position", a geotrace's and a
// geoshape's "Add my position" vertex by vertex, stored in ODK's text format.
#include "app/app_state.hpp"
#include "app/location.hpp"
#include "driver.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <fstream>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;
using nlohmann::json;

namespace {

const char* kGeoForm = R"J({
  "id": "plots", "version": "1", "title": "Parcelles", "default_language": "fr", "languages": ["fr"],
  "pages": [{"type": "page", "name": "p", "label": "Parcelle", "children": [
    {"type": "geopoint", "name": "gate", "label": "Entrée"},
    {"type": "geotrace", "name": "path", "label": "Chemin"},
    {"type": "geoshape", "name": "plot", "label": "Contour"}]}]})J";

// A receiver that moves a few metres at each fix; none before the first.
struct Walk final : LocationSource {
    std::deque<Position> fixes;
    std::optional<Position> current() override {
        if (fixes.empty()) return std::nullopt;
        Position p = fixes.front();
        fixes.pop_front();
        return p;
    }
};

} // namespace

TEST_CASE("geopoint, geotrace and geoshape take the device's position, vertex by vertex, in ODK's format",
          "[app][geo]") {
    test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "forms");
    std::ofstream(dir.path() / "forms" / "plots.json") << kGeoForm;
    Walk walk;
    AppOptions o;
    o.dataDir = dir.path() / "data";
    o.formsDir = dir.path() / "forms";
    o.lang = Lang::Fr;
    o.location = &walk;
    auto opened = AppState::open(o);
    INFO((opened.ok() ? std::string() : opened.error().message));
    REQUIRE(opened.ok());
    AppState& app = **opened;
    REQUIRE(app.openScreen("form:plots").ok());
    HeadlessImGui ui(800, 1280);
    test::Driver d{app, ui};

    // No fix yet: said so, nothing stored.
    d.tap("position.gate");
    CHECK(app.formModel().message == "Position de l’appareil pas encore connue : réessayez dans un instant.");
    CHECK_FALSE(d.answers().contains("gate"));

    walk.fixes = {{43.5297, 5.4474, 120, 4.5}};
    d.tapLabel("Ma position");
    CHECK(d.answers()["gate"] == "43.5297 5.4474 120 4.5");

    walk.fixes = {{43.53, 5.45, 121, 3}, {43.5301, 5.4502, 121.5, 3.2}};
    d.tap("position.path");
    CHECK_FALSE(d.answers().contains("path")); // one point is no line yet: kept in the field
    d.tap("position.path");
    CHECK(d.answers()["path"] == "43.53 5.45 121 3;43.5301 5.4502 121.5 3.2");

    walk.fixes = {{43.1, 5.1, 100, 5}, {43.1, 5.2, 100, 5}, {43.2, 5.2, 100, 5}, {43.2, 5.1, 100, 5}};
    d.tap("position.plot");
    d.tap("position.plot");
    CHECK_FALSE(d.answers().contains("plot"));
    d.tap("position.plot");
    // Three vertices: a shape, closed (its last point its first).
    CHECK(d.answers()["plot"] == "43.1 5.1 100 5;43.1 5.2 100 5;43.2 5.2 100 5;43.1 5.1 100 5");
    d.tap("position.plot"); // a fourth vertex goes before the closing point
    CHECK(d.answers()["plot"] == "43.1 5.1 100 5;43.1 5.2 100 5;43.2 5.2 100 5;43.2 5.1 100 5;43.1 5.1 100 5");
    CHECK(app.formModel().message.empty());
}

TEST_CASE("a position reads as LAT LON, then optional ALT and ACC, and writes as ODK's point", "[app][geo]") {
    auto p = parsePosition("-12.3456789 130.5 12.26 3");
    REQUIRE(p);
    CHECK(odkPoint(*p) == "-12.3456789 130.5 12.3 3");
    CHECK(odkPoint(*parsePosition("1 2")) == "1 2 0 0");
    CHECK_FALSE(parsePosition("91 2"));
    CHECK_FALSE(parsePosition("north"));
}
