// The translation table: language codes, lookups, placeholders, and the table's own consistency.
#include "core/i18n.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>

using carnet::Lang;

namespace {

// The placeholder numbers ({0}, {1}, ...) that appear in a text.
std::set<int> placeholders(std::string_view text) {
    std::set<int> out;
    for (std::size_t i = 0; i + 2 < text.size(); ++i)
        if (text[i] == '{' && text[i + 1] >= '0' && text[i + 1] <= '9' && text[i + 2] == '}')
            out.insert(text[i + 1] - '0');
    return out;
}

} // namespace

TEST_CASE("parseLang accepts fr and en in their usual spellings", "[i18n]") {
    CHECK(carnet::parseLang("fr") == Lang::Fr);
    CHECK(carnet::parseLang("FR") == Lang::Fr);
    CHECK(carnet::parseLang("fr_FR.UTF-8") == Lang::Fr);
    CHECK(carnet::parseLang("fr-CA") == Lang::Fr);
    CHECK(carnet::parseLang("en") == Lang::En);
    CHECK(carnet::parseLang("en-GB") == Lang::En);
    CHECK(carnet::parseLang("en_US.UTF-8") == Lang::En);
    CHECK(carnet::parseLang("en.UTF-8") == Lang::En);
}

TEST_CASE("parseLang refuses other languages and malformed codes", "[i18n]") {
    CHECK_FALSE(carnet::parseLang(""));
    CHECK_FALSE(carnet::parseLang("f"));
    CHECK_FALSE(carnet::parseLang("de"));
    CHECK_FALSE(carnet::parseLang("C"));
    CHECK_FALSE(carnet::parseLang("C.UTF-8"));
    CHECK_FALSE(carnet::parseLang("POSIX"));
    CHECK_FALSE(carnet::parseLang("fra"));
    CHECK_FALSE(carnet::parseLang("english"));
}

TEST_CASE("langCode is the inverse of parseLang", "[i18n]") {
    CHECK(carnet::langCode(Lang::Fr) == "fr");
    CHECK(carnet::langCode(Lang::En) == "en");
    for (Lang l : {Lang::Fr, Lang::En})
        CHECK(carnet::parseLang(carnet::langCode(l)) == l);
}

TEST_CASE("tr returns the text in the requested language", "[i18n]") {
    CHECK(carnet::tr("forms.required", Lang::Fr) == "Cette question est obligatoire.");
    CHECK(carnet::tr("forms.required", Lang::En) == "This question is required.");
}

TEST_CASE("tr substitutes numbered arguments", "[i18n]") {
    CHECK(carnet::tr("forms.range", Lang::En, {"1", "5"}) == "The value must be between 1 and 5.");
    CHECK(carnet::tr("forms.range", Lang::Fr, {"1", "5"}) == "La valeur doit être comprise entre 1 et 5.");
    // {1} before {0} in the text: arguments go by number, not by order of appearance.
    CHECK(carnet::tr("forms.unknown_instance", Lang::En, {"membres", "3"}) == "No entry 3 for 'membres'.");
    CHECK(carnet::tr("forms.unknown_instance", Lang::Fr, {"membres", "3"}) == "Entrée 3 inexistante pour « membres ».");
}

TEST_CASE("tr leaves no placeholder behind when an argument is missing", "[i18n]") {
    const std::string text = carnet::tr("forms.range", Lang::En, {"1"});
    CHECK(text == "The value must be between 1 and .");
    CHECK(text.find("{1}") == std::string::npos);
}

TEST_CASE("tr keeps braces that are not placeholders", "[i18n]") {
    // "${{0}}" renders as ${name}: the outer braces are literal text.
    CHECK(carnet::tr("expr.bare_name", Lang::En, {"commune"}) ==
          "'commune' is not a field reference: write ${commune}");
    CHECK(carnet::tr("expr.unterminated_ref", Lang::En) == "unterminated ${…} reference");
}

TEST_CASE("an unknown key is shown as itself, never as an empty text", "[i18n]") {
    CHECK(carnet::tr("no.such.key", Lang::Fr) == "no.such.key");
    CHECK(carnet::tr("no.such.key", Lang::En, {"x"}) == "no.such.key");
    CHECK_FALSE(carnet::hasTranslation("no.such.key"));
    CHECK(carnet::hasTranslation("forms.required"));
}

TEST_CASE("the table is sorted, without duplicates, and every key is findable", "[i18n]") {
    const auto keys = carnet::translationKeys();
    REQUIRE(keys.size() > 40);
    CHECK(std::is_sorted(keys.begin(), keys.end()));
    CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
    for (auto key : keys) {
        INFO(key);
        CHECK(carnet::hasTranslation(key));
    }
}

TEST_CASE("every entry has a French and an English text with the same placeholders", "[i18n]") {
    for (auto key : carnet::translationKeys()) {
        INFO(key);
        // With no arguments the placeholders vanish; render with markers to compare them.
        const std::string fr = carnet::tr(key, Lang::Fr,
                                          {"\x01"
                                           "0",
                                           "\x01"
                                           "1",
                                           "\x01"
                                           "2"});
        const std::string en = carnet::tr(key, Lang::En,
                                          {"\x01"
                                           "0",
                                           "\x01"
                                           "1",
                                           "\x01"
                                           "2"});
        CHECK_FALSE(fr.empty());
        CHECK_FALSE(en.empty());
        CHECK(fr != std::string(key));
        CHECK(en != std::string(key));
        for (int n = 0; n < 3; ++n) {
            const std::string marker = "\x01" + std::to_string(n);
            CHECK((fr.find(marker) != std::string::npos) == (en.find(marker) != std::string::npos));
        }
        // The raw texts use the same placeholder numbers.
        CHECK(placeholders(carnet::tr(key, Lang::Fr, {"{0}", "{1}", "{2}"})) ==
              placeholders(carnet::tr(key, Lang::En, {"{0}", "{1}", "{2}"})));
    }
}

TEST_CASE("French texts use French typography for quotes", "[i18n]") {
    // Messages quote names with « » in French and ' ' in English.
    CHECK(carnet::tr("load.unknown_property", Lang::Fr, {"colour"}) == "propriété inconnue « colour »");
    CHECK(carnet::tr("load.unknown_property", Lang::En, {"colour"}) == "unknown property 'colour'");
}
