#pragma once
// A record's name for people: the form's `settings.instance_name` expression (ODK's setting of that
// name; the XLSForm importer maps it) over the record's answers, e.g. "Awa Diallo" for a person.

#include "forms/form.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace carnet::forms {

/// Longest name returned, in bytes (cut at a character boundary): a list row, not a document.
inline constexpr std::size_t kMaxInstanceName = 200;

/// The record's name by its form's `instance_name` over `answers` (top-level questions; a question in a
/// repeat reads as its values joined by spaces), trimmed; "" when the form declares none, when the
/// expression does not parse or names an unknown question, or when it evaluates to nothing. Parts
/// between " – " separators that are empty (a question not answered yet) are left out with their separator.
/// A single-choice answer shown whole or as a part of concat() reads as its choice's label in `language`
/// (else the form's default language).
[[nodiscard]] std::string instanceName(const Form& form, const nlohmann::json& answers, std::string_view language = {});

} // namespace carnet::forms
