#pragma once
// The translation table: every user-facing string is looked up here by key, French first.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet {

/// A user interface language.
enum class Lang { Fr, En };

/// Parses "fr" / "en" (also "fr_FR.UTF-8", "en-GB"); nullopt for anything else.
[[nodiscard]] std::optional<Lang> parseLang(std::string_view code);
/// "fr" or "en".
[[nodiscard]] std::string_view langCode(Lang lang);

/// The text for `key` in `lang`, with {0}, {1}, ... replaced by `args`.
/// An unknown key returns the key itself so that a missing entry is visible, never empty.
[[nodiscard]] std::string tr(std::string_view key, Lang lang, std::initializer_list<std::string_view> args = {});

/// True when the table has an entry for `key` (tests use it to keep the table complete).
[[nodiscard]] bool hasTranslation(std::string_view key);

/// Every key in the table, for completeness tests.
[[nodiscard]] std::vector<std::string_view> translationKeys();

} // namespace carnet
