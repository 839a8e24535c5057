#pragma once
// Small forms for the store tests.

#include <string>

namespace carnet::test {

/// A household visit form; `version` and `extra` (a trailing question JSON, or "") vary between versions.
inline std::string visitForm(const std::string& version, const std::string& extra = "", bool withComment = true) {
    std::string children = R"J({"type": "select_one", "name": "outcome", "label": {"fr": "Issue", "en": "Outcome"},
          "required": true,
          "choices": [{"value": "done", "label": {"fr": "Fait", "en": "Done"}},
                      {"value": "absent", "label": {"fr": "Absent", "en": "Nobody home"}}]},
         {"type": "integer", "name": "cars", "label": {"fr": "Voitures", "en": "Cars"},
          "relevant": "${outcome} = 'done'", "constraint": ". >= 0 and . < 10",
          "constraint_message": {"fr": "Entre 0 et 9", "en": "Between 0 and 9"}},
         {"type": "repeat", "name": "members", "label": "Membres",
          "children": [{"type": "text", "name": "first_name", "label": "Prénom"}]},
         {"type": "calculate", "name": "nmembers", "calculation": "count(${members})"})J";
    if (withComment) children += R"J(, {"type": "text", "name": "comment", "label": "Commentaire"})J";
    if (!extra.empty()) children += ", " + extra;
    return R"J({"id": "visit", "version": ")J" + version + R"J(", "title": {"fr": "Visite", "en": "Visit"},
      "default_language": "fr", "languages": ["fr", "en"], "settings": {"kind": "visit"},
      "pages": [{"type": "page", "name": "p", "label": "P", "children": [)J" +
           children + "]}]}";
}

/// The form the crash test child fills: an integer and a text (personal: sealed in an encrypted store).
inline std::string counterForm() {
    return R"J({"id": "counter", "version": "1", "title": "Compteur", "languages": ["fr"], "default_language": "fr",
      "pages": [{"type": "page", "name": "p", "label": "P", "children": [
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "text", "name": "t", "label": "T", "personal": true}]}]})J";
}

} // namespace carnet::test
