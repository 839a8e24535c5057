#pragma once
// Small string helpers shared by every module.

#include <string>
#include <string_view>
#include <vector>

namespace carnet {

/// Removes ASCII whitespace at both ends.
[[nodiscard]] std::string_view trim(std::string_view s);
/// Splits on runs of ASCII whitespace, dropping empty pieces.
[[nodiscard]] std::vector<std::string> splitWhitespace(std::string_view s);
/// Number of Unicode code points in a UTF-8 string (invalid bytes count as one each).
[[nodiscard]] std::size_t utf8Length(std::string_view s);
/// The offset of the first byte that is not valid UTF-8 (overlong forms, surrogates and code points
/// past U+10FFFF are invalid, as in JSON), or npos when all of `s` is valid.
[[nodiscard]] std::size_t invalidUtf8At(std::string_view s);
/// Shortest decimal text for a number: integers without a fraction, no exponent for usual values.
[[nodiscard]] std::string formatNumber(double value);
/// Parses a whole string as a decimal number (optional sign, digits, optional fraction); false otherwise.
[[nodiscard]] bool parseDecimal(std::string_view s, double& out);

} // namespace carnet
