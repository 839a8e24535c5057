#pragma once
// What a password must be before an account gets it (docs/security.md, "Accounts").

#include "core/i18n.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace carnet::server {

/// The shortest password accepted, in bytes.
inline constexpr std::size_t kMinPasswordBytes = 12;
/// The longest password accepted, in bytes (argon2id takes any length; this bounds the input).
inline constexpr std::size_t kMaxPasswordBytes = 1024;

/// Why `password` is refused for account `userName` (too short, too long, a common password, the
/// account's name) in `lang`, or nullopt when it is acceptable.
[[nodiscard]] std::optional<std::string> weakPassword(std::string_view password, std::string_view userName,
                                                      Lang lang = Lang::En);

} // namespace carnet::server
