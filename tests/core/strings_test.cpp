// Small shared helpers: strings, numbers, JSON text with line/column errors, Result.
#include "core/json_text.hpp"
#include "core/result.hpp"
#include "core/strings.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

using carnet::ErrorCode;

TEST_CASE("trim removes ASCII whitespace at both ends only", "[strings]") {
    CHECK(carnet::trim("  a b \t\n") == "a b");
    CHECK(carnet::trim("\r\f\vx\v") == "x");
    CHECK(carnet::trim("") == "");
    CHECK(carnet::trim(" \t ") == "");
    CHECK(carnet::trim("abc") == "abc");
    // A non-breaking space (U+00A0) is not ASCII whitespace.
    CHECK(carnet::trim("\xC2\xA0x") == "\xC2\xA0x");
}

TEST_CASE("splitWhitespace splits on runs and drops empty pieces", "[strings]") {
    using V = std::vector<std::string>;
    CHECK(carnet::splitWhitespace("bus velo") == V{"bus", "velo"});
    CHECK(carnet::splitWhitespace("  bus \t\n velo  train ") == V{"bus", "velo", "train"});
    CHECK(carnet::splitWhitespace("") == V{});
    CHECK(carnet::splitWhitespace("   ") == V{});
    CHECK(carnet::splitWhitespace("seul") == V{"seul"});
}

TEST_CASE("utf8Length counts code points", "[strings]") {
    CHECK(carnet::utf8Length("") == 0);
    CHECK(carnet::utf8Length("abc") == 3);
    CHECK(carnet::utf8Length("été") == 3);      // two 2-byte letters
    CHECK(carnet::utf8Length("2ᵉ") == 2);       // a 3-byte letter
    CHECK(carnet::utf8Length("vélo 🚲") == 6);   // a 4-byte emoji
    CHECK(carnet::utf8Length("\xFF\xFE") == 2); // invalid bytes count one each
}

TEST_CASE("formatNumber writes integers without a fraction", "[strings]") {
    CHECK(carnet::formatNumber(0) == "0");
    CHECK(carnet::formatNumber(-0.0) == "0");
    CHECK(carnet::formatNumber(42) == "42");
    CHECK(carnet::formatNumber(-7) == "-7");
    CHECK(carnet::formatNumber(1e14) == "100000000000000");
    CHECK(carnet::formatNumber(1e20) == "100000000000000000000");
}

TEST_CASE("formatNumber writes the shortest decimal that reads back the same", "[strings]") {
    CHECK(carnet::formatNumber(0.1) == "0.1");
    CHECK(carnet::formatNumber(2.5) == "2.5");
    CHECK(carnet::formatNumber(-3.25) == "-3.25");
    CHECK(carnet::formatNumber(0.1 + 0.2) == "0.30000000000000004");
    CHECK(carnet::formatNumber(1.0 / 3.0) == "0.3333333333333333");
    CHECK(carnet::formatNumber(1e-7) == "0.0000001"); // no exponent for usual values
    CHECK(carnet::formatNumber(43.5953) == "43.5953");
}

TEST_CASE("formatNumber never loses a value", "[strings]") {
    for (double v : {1e-20, 1.5e-20, -2.5e-30, 1.2345678901234567e-7, 123456.789, 9.87654321e-5, 1e300, 5e-324}) {
        const std::string text = carnet::formatNumber(v);
        INFO(text);
        CHECK(std::strtod(text.c_str(), nullptr) == v);
    }
}

TEST_CASE("formatNumber names the non-finite values", "[strings]") {
    CHECK(carnet::formatNumber(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    CHECK(carnet::formatNumber(std::numeric_limits<double>::infinity()) == "Infinity");
    CHECK(carnet::formatNumber(-std::numeric_limits<double>::infinity()) == "-Infinity");
}

TEST_CASE("parseDecimal accepts plain decimal numbers", "[strings]") {
    double d = 0;
    CHECK((carnet::parseDecimal("42", d) && d == 42));
    CHECK((carnet::parseDecimal("-3.5", d) && d == -3.5));
    CHECK((carnet::parseDecimal("+2", d) && d == 2));
    CHECK((carnet::parseDecimal(" 7.25 ", d) && d == 7.25));
    CHECK((carnet::parseDecimal(".5", d) && d == 0.5));
    CHECK((carnet::parseDecimal("5.", d) && d == 5));
    CHECK((carnet::parseDecimal("007", d) && d == 7));
}

TEST_CASE("parseDecimal refuses anything else", "[strings]") {
    double d = 123;
    for (const char* bad :
         {"", " ", "-", "+", ".", "1e5", "1,5", "1.2.3", "abc", "12abc", "0x10", "--1", "NaN", "inf", "1 2"}) {
        INFO(bad);
        CHECK_FALSE(carnet::parseDecimal(bad, d));
    }
    // Too large to be finite.
    CHECK_FALSE(carnet::parseDecimal(std::string(400, '9'), d));
}

TEST_CASE("lineColumnAt gives 1-based line and column", "[json]") {
    const std::string text = "ab\ncd\n\nef";
    CHECK(carnet::lineColumnAt(text, 0) == std::pair{1, 1});
    CHECK(carnet::lineColumnAt(text, 1) == std::pair{1, 2});
    CHECK(carnet::lineColumnAt(text, 3) == std::pair{2, 1});
    CHECK(carnet::lineColumnAt(text, 4) == std::pair{2, 2});
    CHECK(carnet::lineColumnAt(text, 7) == std::pair{4, 1});
    CHECK(carnet::lineColumnAt(text, 1000) == std::pair{4, 3}); // past the end: the end
}

TEST_CASE("parseJsonText parses valid JSON", "[json]") {
    nlohmann::json out;
    carnet::JsonSyntaxError err;
    REQUIRE(carnet::parseJsonText(R"({"a": [1, 2.5, "x"], "b": null})", out, err));
    CHECK(out["a"][1] == 2.5);
    CHECK(out["b"].is_null());
}

TEST_CASE("parseJsonText points at the offending token", "[json]") {
    nlohmann::json out;
    carnet::JsonSyntaxError err;
    SECTION("a stray number on line 3") {
        REQUIRE_FALSE(carnet::parseJsonText("{\n  \"id\": \"x\",\n  \"version\": 1 2\n}\n", out, err));
        CHECK(err.line == 3);
        CHECK(err.column == 16);
    }
    SECTION("a missing comma between members") {
        // The unexpected token is "b" (columns 2 to 4): the column lands on it.
        REQUIRE_FALSE(carnet::parseJsonText("{\"a\": 1\n \"b\": 2}", out, err));
        CHECK(err.line == 2);
        CHECK(err.column >= 2);
        CHECK(err.column <= 4);
    }
    SECTION("a truncated document") {
        REQUIRE_FALSE(carnet::parseJsonText("{\"a\": [1, 2", out, err));
        CHECK(err.line == 1);
        CHECK(err.column >= 11);
    }
    SECTION("an empty text") {
        REQUIRE_FALSE(carnet::parseJsonText("", out, err));
        CHECK(err.line == 1);
        CHECK(err.column == 1);
    }
    // The message is the human part only, without nlohmann's exception prefix.
    CHECK(err.message.find("[json.exception") == std::string::npos);
    CHECK_FALSE(err.message.empty());
}

TEST_CASE("readTextFile reads a file and names it when it cannot", "[json]") {
    const auto dir = std::filesystem::temp_directory_path() / "carnet_strings_test";
    std::filesystem::create_directories(dir);
    const auto file = dir / "hello.txt";
    {
        std::ofstream out(file, std::ios::binary);
        out << "bonjour\nà tous";
    }
    auto text = carnet::readTextFile(file);
    REQUIRE(text.ok());
    CHECK(*text == "bonjour\nà tous");

    auto missing = carnet::readTextFile(dir / "missing.json");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::Io);
    CHECK(missing.error().message.find("missing.json") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("jsonPointerToken escapes ~ and /", "[json]") {
    CHECK(carnet::jsonPointerToken("plain") == "plain");
    CHECK(carnet::jsonPointerToken("a/b") == "a~1b");
    CHECK(carnet::jsonPointerToken("a~b") == "a~0b");
    CHECK(carnet::jsonPointerToken("~/") == "~0~1");
    // The escaped token finds the member again through nlohmann's pointer.
    const nlohmann::json doc = {{"a/b~c", 7}};
    CHECK(doc.at(nlohmann::json::json_pointer("/" + carnet::jsonPointerToken("a/b~c"))) == 7);
}

TEST_CASE("Result holds a value or an error", "[result]") {
    carnet::Result<int> good = 5;
    REQUIRE(good.ok());
    CHECK(static_cast<bool>(good));
    CHECK(*good == 5);

    carnet::Result<int> bad = carnet::makeError(ErrorCode::Busy, "database locked", true);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::Busy);
    CHECK(bad.error().message == "database locked");
    CHECK(bad.error().transient);

    carnet::Result<std::string> moved = std::string("texte");
    const std::string taken = std::move(moved).value();
    CHECK(taken == "texte");
}

TEST_CASE("Result<void> is success by default", "[result]") {
    carnet::Result<void> ok;
    CHECK(ok.ok());
    carnet::Result<void> failed = carnet::makeError(ErrorCode::Conflict, "already sent");
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == ErrorCode::Conflict);
    CHECK_FALSE(failed.error().transient);
}
