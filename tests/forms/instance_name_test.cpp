// A record's name for people (settings.instance_name): docs/form-format.md.
#include "forms/instance_name.hpp"
#include "forms/loader.hpp"

#include <catch2/catch.hpp>

using namespace carnet::forms;
using nlohmann::json;

namespace {

std::shared_ptr<const Form> personForm(const std::string& instanceName) {
    LoadResult r = loadForm(R"js({"id": "p", "version": "1", "title": {"fr": "Personne", "en": "Person"},
      "default_language": "fr", "languages": ["fr", "en"],
      "settings": {"instance_name": )js" +
                            json(instanceName).dump() + R"js(},
      "pages": [{"type": "page", "name": "p1", "label": "P", "children": [
        {"type": "text", "name": "prenom", "label": "Prénom"},
        {"type": "text", "name": "nom", "label": "Nom"},
        {"type": "select_one", "name": "issue", "label": "Issue", "choices": [
          {"value": "pas_de_reponse", "label": {"fr": "Pas de réponse", "en": "No answer"}},
          {"value": "decroche", "label": {"fr": "A décroché", "en": "Answered"}}]},
        {"type": "repeat", "name": "enfants", "label": "Enfants",
         "children": [{"type": "text", "name": "enfant", "label": "Enfant"}]}]}]})js");
    for (const auto& p : r.problems)
        UNSCOPED_INFO(p.format("form", carnet::Lang::En));
    REQUIRE(r.ok());
    return r.form;
}

} // namespace

TEST_CASE("instance_name: the expression over the answers, choices by their label, empty parts left out",
          "[forms][instance_name]") {
    auto f = personForm("concat(${prenom}, ' ', ${nom}, ' – ', ${issue})");
    const json a = {{"prenom", "Noël"}, {"nom", "Quintal"}, {"issue", "pas_de_reponse"}};
    CHECK(instanceName(*f, a) == "Noël Quintal – Pas de réponse");
    CHECK(instanceName(*f, a, "en") == "Noël Quintal – No answer");
    // Not answered yet: no dangling separator, nothing at all when nothing is known.
    CHECK(instanceName(*f, json{{"prenom", "Noël"}, {"nom", "Quintal"}}) == "Noël Quintal");
    CHECK(instanceName(*f, json::object()).empty());
    // A value compared stays a value.
    auto g = personForm("if(${issue} = 'decroche', ${prenom}, 'à rappeler')");
    CHECK(instanceName(*g, json{{"prenom", "Awa"}, {"issue", "decroche"}}) == "Awa");
    CHECK(instanceName(*g, json{{"prenom", "Awa"}, {"issue", "pas_de_reponse"}}) == "à rappeler");
    // A question in a repeat reads as its values.
    auto h = personForm("${enfant}");
    CHECK(instanceName(*h, json{{"enfants", json::array({{{"enfant", "Lou"}}, {{"enfant", "Tim"}}})}}) == "Lou Tim");
}

TEST_CASE("instance_name: none, unknown names, bad expressions and long names are handled", "[forms][instance_name]") {
    CHECK(instanceName(*personForm("${inconnu}"), json{{"prenom", "Awa"}}).empty());
    CHECK(instanceName(*personForm("concat(${prenom}"), json{{"prenom", "Awa"}}).empty());
    const std::string longName(150, 'e');
    const std::string name = instanceName(*personForm("concat(${prenom}, ${nom})"),
                                          json{{"prenom", longName}, {"nom", std::string(100, 'x') + "é"}});
    CHECK(name.size() <= kMaxInstanceName);
    CHECK(name.rfind(longName, 0) == 0);
}
