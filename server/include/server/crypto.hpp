#pragma once
// The few cryptographic operations the server needs, all from libsodium.

#include "core/result.hpp"

#include <string>
#include <string_view>

namespace carnet::server {

/// Initialises libsodium (idempotent, thread-safe); false when it cannot be.
[[nodiscard]] bool cryptoInit();
/// SHA-256 of `data`, lowercase hex.
[[nodiscard]] std::string sha256Hex(std::string_view data);
/// `bytes` random bytes, lowercase hex.
[[nodiscard]] std::string randomHex(std::size_t bytes);
/// An argon2id hash string with libsodium's interactive limits.
[[nodiscard]] Result<std::string> hashPassword(std::string_view password);
/// Whether `password` matches `hash`.
[[nodiscard]] bool verifyPassword(std::string_view hash, std::string_view password);
/// True for 64 lowercase hex digits.
[[nodiscard]] bool isSha256Hex(std::string_view s);

} // namespace carnet::server
