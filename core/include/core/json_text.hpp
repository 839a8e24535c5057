#pragma once
// Parsing JSON text with errors that a person can act on (line and column, not a byte offset).

#include "core/result.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace carnet {

/// A JSON syntax error located in the text.
struct JsonSyntaxError {
    int line = 0;   ///< 1-based
    int column = 0; ///< 1-based, in bytes
    std::string message;
};

/// Parses `text`; on failure fills `error` with the line and column and returns nullopt-like discarded json.
[[nodiscard]] bool parseJsonText(std::string_view text, nlohmann::json& out, JsonSyntaxError& error);

/// Reads a whole file into a string; an Io error names the file.
[[nodiscard]] Result<std::string> readTextFile(const std::filesystem::path& path);

/// Line and column (1-based) of a byte offset in `text`.
[[nodiscard]] std::pair<int, int> lineColumnAt(std::string_view text, std::size_t offset);

/// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
[[nodiscard]] std::string jsonPointerToken(std::string_view token);

} // namespace carnet
