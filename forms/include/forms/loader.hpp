#pragma once
// Loading and validating a form file: every problem is reported with where it is and what is wrong.

#include "core/i18n.hpp"
#include "forms/form.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::forms {

/// One problem found in a form document.
struct Problem {
    std::string pointer; ///< JSON pointer ("" for the document, unused for syntax errors)
    int line = 0;        ///< > 0 only for JSON syntax errors
    int column = 0;
    std::string key; ///< translation key
    std::vector<std::string> args;
    /// The message in `lang` (without location).
    [[nodiscard]] std::string message(Lang lang) const;
    /// "FILE: /pointer: message" or "FILE:LINE:COL: message".
    [[nodiscard]] std::string format(std::string_view file, Lang lang) const;
};

/// The outcome of loading: a form when there is no problem.
struct LoadResult {
    std::shared_ptr<const Form> form;
    std::vector<Problem> problems;
    [[nodiscard]] bool ok() const { return form != nullptr; }
};

/// A form file's size limit: a larger text is refused before it is parsed.
inline constexpr std::size_t kMaxFormBytes = 8u << 20;
/// Arrays and objects inside one another in a form document (62 groups in groups, and their texts).
inline constexpr int kMaxFormJsonDepth = 128;
/// Groups and repeats inside one another (as many as an XLSForm may open).
inline constexpr int kMaxItemNesting = 32;

/// Loads a form from JSON text.
[[nodiscard]] LoadResult loadForm(std::string_view jsonText);
/// Loads a form from an already parsed JSON document.
[[nodiscard]] LoadResult loadFormJson(const nlohmann::json& doc);
/// Loads a form file; an unreadable file is one problem.
[[nodiscard]] LoadResult loadFormFile(const std::filesystem::path& path);

} // namespace carnet::forms
