#pragma once
// The built-in forms (assets/forms/*.json) and demo campaign (assets/campaign/demo.json), embedded
// at build time so every binary ships them and the server can publish them.

#include <string_view>
#include <vector>

namespace carnet::field {

/// One embedded asset.
struct BuiltinFile {
    std::string_view name; ///< file name, e.g. "person.json"
    std::string_view text; ///< its content
};

/// Every form in assets/forms/, sorted by file name: the field forms (walk_list, building,
/// dwelling, person, consent, door_visit, call_task) and the interview forms.
[[nodiscard]] const std::vector<BuiltinFile>& builtinForms();
/// assets/campaign/demo.json.
[[nodiscard]] std::string_view demoCampaignText();

} // namespace carnet::field
