#pragma once
// Canonical JSON text: the exact bytes nlohmann::json::dump() writes for a value. No whitespace,
// object keys in strictly increasing byte order (so no duplicates), the serializer's escapes, and
// numbers as it prints them. Devices write their answers this way, so a server can check the text
// and keep it as it is, instead of parsing it into a tree and writing the same bytes back
// (readCanonicalPush in sync/protocol.hpp; docs/performance.md, "Sync").
//
// The check is conservative: text it accepts is valid JSON that parses and dumps back to the same
// bytes; anything else (invalid, or valid in another form) is refused, and the caller parses it with
// nlohmann::json as usual.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace carnet::sync {

/// Nesting deeper than this is never called canonical (the caller's full parser decides).
inline constexpr int kMaxCanonicalDepth = 32;

/// The length of the canonical JSON value at the start of `text` (more text may follow it), or 0 when
/// the value there is not valid JSON or not in canonical form.
[[nodiscard]] std::size_t canonicalValue(std::string_view text);

/// The same for an object of answers, telling in `plain` whether every member has a non-empty key and
/// a non-null value (answers that only set values: no removal, nothing to refuse).
[[nodiscard]] std::size_t canonicalAnswers(std::string_view text, bool& plain);

/// The same for a string value: its length, and its decoded contents in `out`.
[[nodiscard]] std::size_t canonicalString(std::string_view text, std::string& out);

/// The same for a non-negative integer (digits only, no sign, no fraction, at most 18 digits): its
/// length, and its value in `out`.
[[nodiscard]] std::size_t canonicalCount(std::string_view text, std::int64_t& out);

/// Calls `fn` with the decoded key and the value's text of each member of `object`, in order, as it
/// checks it. False when `object` is not a whole canonical object (`fn` may have seen its first
/// members then), or as soon as `fn` returns false.
[[nodiscard]] bool forEachMember(std::string_view object,
                                 const std::function<bool(std::string_view key, std::string_view value)>& fn);

} // namespace carnet::sync
