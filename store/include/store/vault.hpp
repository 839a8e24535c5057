#pragma once
// The device's encryption at rest (docs/security.md, "What a lost tablet reveals"): personal answers
// and the server token are sealed with XChaCha20-Poly1305 under a random data key; the data key is
// itself sealed under a key derived from the user's PIN with argon2id. Changing the PIN re-seals the
// data key only. Pure functions over bytes and JSON: the store decides what to seal and where it lives.

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace carnet::store {

/// argon2id cost when deriving the key from the PIN. Stored with the sealed key, so a store keeps
/// the limits it was created with.
struct KdfLimits {
    std::uint64_t ops = 0;
    std::size_t memBytes = 0;
    /// The default for a tablet: 3 passes over 64 MiB (docs/security.md gives the measured time).
    [[nodiscard]] static KdfLimits tablet();
    /// libsodium's minimum (1 pass, 8 KiB): tests only, where hundreds of opens must stay fast.
    [[nodiscard]] static KdfLimits fastest();
};

/// The shortest PIN accepted (characters).
inline constexpr std::size_t kMinPinLength = 6;
/// The longest PIN or password accepted (bytes).
inline constexpr std::size_t kMaxPinLength = 256;

struct SealedKey;

/// The random data key, held in guarded, non-swappable memory (sodium_malloc) and wiped when the last
/// owner lets go. Shared between the connections of one process (the app and its sync worker).
class DataKey {
public:
    /// A fresh random key.
    [[nodiscard]] static std::shared_ptr<const DataKey> random();
    DataKey(const DataKey&) = delete;
    DataKey& operator=(const DataKey&) = delete;
    ~DataKey();
    /// The 32 key bytes.
    [[nodiscard]] const unsigned char* bytes() const { return m_bytes; }

private:
    DataKey();
    friend Result<std::shared_ptr<const DataKey>> unsealKey(const SealedKey&, std::string_view pin);
    unsigned char* m_bytes = nullptr;
};

/// What the store keeps to reopen the data key: all public (salt, limits, the sealed key).
struct SealedKey {
    std::string salt; ///< base64, crypto_pwhash_SALTBYTES
    KdfLimits limits;
    std::string box; ///< base64 of nonce + XChaCha20-Poly1305(data key)
    /// As stored in the store's meta table.
    [[nodiscard]] nlohmann::json toJson() const;
    /// Parses what toJson wrote; refuses limits no tablet could afford (a tampered file).
    [[nodiscard]] static Result<SealedKey> fromJson(const nlohmann::json& j);
};

/// Seals `key` under a key derived from `pin` (fresh salt). A PIN shorter than kMinPinLength or longer
/// than kMaxPinLength is refused.
[[nodiscard]] Result<SealedKey> sealKey(const DataKey& key, std::string_view pin, KdfLimits limits);
/// Opens the data key; a wrong PIN is an Invalid error (the AEAD tag does not match).
[[nodiscard]] Result<std::shared_ptr<const DataKey>> unsealKey(const SealedKey& sealed, std::string_view pin);

/// Seals text; `context` is authenticated but not stored (record id and field): a sealed value moved to
/// another record or field no longer opens. Returns "v1:" + base64(nonce + ciphertext).
[[nodiscard]] std::string sealText(const DataKey& key, std::string_view context, std::string_view plain);
/// Opens what sealText returned under the same context; nullopt when it was altered or moved.
[[nodiscard]] std::optional<std::string> openText(const DataKey& key, std::string_view context,
                                                  std::string_view sealed);

/// Seals a file's bytes (attachments): "CRNTENC1" + nonce + ciphertext, `context` authenticated.
[[nodiscard]] std::string sealBytes(const DataKey& key, std::string_view context, std::string_view plain);
/// True when `data` starts like what sealBytes returned.
[[nodiscard]] bool isSealedBytes(std::string_view data);
/// Opens what sealBytes returned; nullopt when altered or moved.
[[nodiscard]] std::optional<std::string> openBytes(const DataKey& key, std::string_view context,
                                                   std::string_view sealed);
/// How many bytes sealBytes adds.
[[nodiscard]] std::size_t sealedBytesOverhead();

/// The JSON form of a sealed value inside answers and outbox changes: {"$sealed": "v1:..."}.
[[nodiscard]] nlohmann::json sealJson(const DataKey& key, std::string_view context, const nlohmann::json& value);
/// True for what sealJson returned.
[[nodiscard]] bool isSealed(const nlohmann::json& value);
/// Opens what sealJson returned; nullopt when altered or moved.
[[nodiscard]] std::optional<nlohmann::json> openJson(const DataKey& key, std::string_view context,
                                                     const nlohmann::json& sealed);

} // namespace carnet::store
