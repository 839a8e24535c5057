#include "store/vault.hpp"

#include <sodium.h>

#include <array>
#include <new>
#include <vector>

namespace carnet::store {

using nlohmann::json;

namespace {

constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::string_view kVersion = "v1:";
// Bounds on stored limits: above them the file was tampered with (or came from something else), and
// honouring them would exhaust the tablet.
constexpr std::uint64_t kMaxOps = 16;
constexpr std::size_t kMaxMemBytes = std::size_t{1} << 30;
constexpr std::string_view kKeyContext = "carnet:data-key";

const unsigned char* bytesOf(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string toBase64(const unsigned char* data, std::size_t size) {
    std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1); // the terminating NUL
    return out;
}

std::optional<std::vector<unsigned char>> fromBase64(std::string_view text) {
    std::vector<unsigned char> out(text.size() / 4 * 3 + 3);
    std::size_t len = 0;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return std::nullopt;
    out.resize(len);
    return out;
}

// nonce + ciphertext of `plain` under `key`, `context` as associated data.
std::vector<unsigned char> seal(const unsigned char* key, std::string_view context, const unsigned char* plain,
                                std::size_t size) {
    std::vector<unsigned char> out(kNonceBytes + size + kTagBytes);
    randombytes_buf(out.data(), kNonceBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonceBytes, &written, plain, size, bytesOf(context),
                                               context.size(), nullptr, out.data(), key);
    out.resize(kNonceBytes + written);
    return out;
}

// Opens what seal() returned into `plain` (sized by the caller to box size - nonce - tag).
bool open(const unsigned char* key, std::string_view context, const std::vector<unsigned char>& box,
          unsigned char* plain) {
    if (box.size() < kNonceBytes + kTagBytes) return false;
    unsigned long long written = 0;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &written, nullptr, box.data() + kNonceBytes,
                                                      box.size() - kNonceBytes, bytesOf(context), context.size(),
                                                      box.data(), key) == 0;
}

Result<void> checkPin(std::string_view pin) {
    if (pin.size() < kMinPinLength || pin.size() > kMaxPinLength)
        return makeError(ErrorCode::Invalid, "the PIN must have between " + std::to_string(kMinPinLength) + " and " +
                                                 std::to_string(kMaxPinLength) + " characters");
    return {};
}

// The key-encryption key, in guarded memory for as long as it is needed.
struct Kek {
    unsigned char* bytes = static_cast<unsigned char*>(sodium_malloc(kKeyBytes));
    Kek() {
        if (bytes == nullptr) throw std::bad_alloc();
    }
    ~Kek() { sodium_free(bytes); }
    Kek(const Kek&) = delete;
    Kek& operator=(const Kek&) = delete;
};

Result<void> derive(Kek& kek, std::string_view pin, const std::vector<unsigned char>& salt, KdfLimits limits) {
    if (salt.size() != crypto_pwhash_SALTBYTES) return makeError(ErrorCode::Invalid, "vault: bad salt");
    if (crypto_pwhash(kek.bytes, kKeyBytes, pin.data(), pin.size(), salt.data(), limits.ops, limits.memBytes,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return makeError(ErrorCode::NoSpace, "vault: not enough memory to derive the key from the PIN");
    return {};
}

} // namespace

KdfLimits KdfLimits::tablet() {
    return KdfLimits{3, std::size_t{64} << 20};
}

KdfLimits KdfLimits::fastest() {
    return KdfLimits{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

DataKey::DataKey()
    : m_bytes(static_cast<unsigned char*>(sodium_malloc(kKeyBytes))) {
    if (m_bytes == nullptr) throw std::bad_alloc();
}

DataKey::~DataKey() {
    sodium_free(m_bytes); // wipes before freeing
}

std::shared_ptr<const DataKey> DataKey::random() {
    std::shared_ptr<DataKey> k(new DataKey());
    crypto_aead_xchacha20poly1305_ietf_keygen(k->m_bytes);
    return k;
}

json SealedKey::toJson() const {
    return json{{"kdf", "argon2id13"}, {"salt", salt}, {"ops", limits.ops}, {"mem", limits.memBytes}, {"box", box}};
}

Result<SealedKey> SealedKey::fromJson(const json& j) {
    const auto bad = makeError(ErrorCode::Invalid, "vault: the sealed key is damaged");
    if (!j.is_object() || j.value("kdf", "") != "argon2id13" || !j.contains("salt") || !j["salt"].is_string() ||
        !j.contains("box") || !j["box"].is_string() || !j.contains("ops") || !j["ops"].is_number_unsigned() ||
        !j.contains("mem") || !j["mem"].is_number_unsigned())
        return bad;
    SealedKey k;
    k.salt = j["salt"].get<std::string>();
    k.box = j["box"].get<std::string>();
    k.limits.ops = j["ops"].get<std::uint64_t>();
    k.limits.memBytes = j["mem"].get<std::size_t>();
    if (k.limits.ops < crypto_pwhash_OPSLIMIT_MIN || k.limits.ops > kMaxOps ||
        k.limits.memBytes < crypto_pwhash_MEMLIMIT_MIN || k.limits.memBytes > kMaxMemBytes)
        return bad;
    return k;
}

Result<SealedKey> sealKey(const DataKey& key, std::string_view pin, KdfLimits limits) {
    if (auto r = checkPin(pin); !r.ok()) return r.error();
    std::vector<unsigned char> salt(crypto_pwhash_SALTBYTES);
    randombytes_buf(salt.data(), salt.size());
    Kek kek;
    if (auto r = derive(kek, pin, salt, limits); !r.ok()) return r.error();
    SealedKey out;
    out.salt = toBase64(salt.data(), salt.size());
    out.limits = limits;
    const auto box = seal(kek.bytes, kKeyContext, key.bytes(), kKeyBytes);
    out.box = toBase64(box.data(), box.size());
    return out;
}

Result<std::shared_ptr<const DataKey>> unsealKey(const SealedKey& sealed, std::string_view pin) {
    if (pin.size() > kMaxPinLength) return makeError(ErrorCode::Invalid, "wrong PIN");
    auto salt = fromBase64(sealed.salt);
    auto box = fromBase64(sealed.box);
    if (!salt || !box || box->size() != kNonceBytes + kKeyBytes + kTagBytes)
        return makeError(ErrorCode::Invalid, "vault: the sealed key is damaged");
    Kek kek;
    if (auto r = derive(kek, pin, *salt, sealed.limits); !r.ok()) return r.error();
    std::shared_ptr<DataKey> key(new DataKey());
    if (!open(kek.bytes, kKeyContext, *box, key->m_bytes)) return makeError(ErrorCode::Invalid, "wrong PIN");
    return std::shared_ptr<const DataKey>(std::move(key));
}

std::string sealText(const DataKey& key, std::string_view context, std::string_view plain) {
    const auto box = seal(key.bytes(), context, bytesOf(plain), plain.size());
    return std::string(kVersion) + toBase64(box.data(), box.size());
}

std::optional<std::string> openText(const DataKey& key, std::string_view context, std::string_view sealed) {
    if (sealed.substr(0, kVersion.size()) != kVersion) return std::nullopt;
    auto box = fromBase64(sealed.substr(kVersion.size()));
    if (!box || box->size() < kNonceBytes + kTagBytes) return std::nullopt;
    std::string plain(box->size() - kNonceBytes - kTagBytes, '\0');
    if (!open(key.bytes(), context, *box, reinterpret_cast<unsigned char*>(plain.data()))) return std::nullopt;
    return plain;
}

namespace {
constexpr std::string_view kFileMagic = "CRNTENC1";
}

std::string sealBytes(const DataKey& key, std::string_view context, std::string_view plain) {
    const auto box = seal(key.bytes(), context, bytesOf(plain), plain.size());
    std::string out(kFileMagic);
    out.append(reinterpret_cast<const char*>(box.data()), box.size());
    return out;
}

bool isSealedBytes(std::string_view data) {
    return data.substr(0, kFileMagic.size()) == kFileMagic;
}

std::optional<std::string> openBytes(const DataKey& key, std::string_view context, std::string_view sealed) {
    if (!isSealedBytes(sealed)) return std::nullopt;
    const std::string_view rest = sealed.substr(kFileMagic.size());
    if (rest.size() < kNonceBytes + kTagBytes) return std::nullopt;
    const std::vector<unsigned char> box(bytesOf(rest), bytesOf(rest) + rest.size());
    std::string plain(rest.size() - kNonceBytes - kTagBytes, '\0');
    if (!open(key.bytes(), context, box, reinterpret_cast<unsigned char*>(plain.data()))) return std::nullopt;
    return plain;
}

std::size_t sealedBytesOverhead() {
    return kFileMagic.size() + kNonceBytes + kTagBytes;
}

json sealJson(const DataKey& key, std::string_view context, const json& value) {
    return json{{"$sealed", sealText(key, context, value.dump())}};
}

bool isSealed(const json& value) {
    return value.is_object() && value.size() == 1 && value.contains("$sealed") && value["$sealed"].is_string();
}

std::optional<json> openJson(const DataKey& key, std::string_view context, const json& sealed) {
    if (!isSealed(sealed)) return std::nullopt;
    auto text = openText(key, context, sealed["$sealed"].get_ref<const std::string&>());
    if (!text) return std::nullopt;
    json value = json::parse(*text, nullptr, false);
    sodium_memzero(text->data(), text->size());
    if (value.is_discarded()) return std::nullopt;
    return value;
}

} // namespace carnet::store
