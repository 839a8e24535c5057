#include "server/crypto.hpp"

#include <sodium.h>

#include <string>
#include <vector>

namespace carnet::server {

bool cryptoInit() {
    return sodium_init() >= 0;
}

namespace {

std::string toHex(const unsigned char* data, std::size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), data, size);
    hex.pop_back();
    return hex;
}

} // namespace

std::string sha256Hex(std::string_view data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return toHex(digest, sizeof digest);
}

std::string randomHex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    randombytes_buf(buf.data(), buf.size());
    return toHex(buf.data(), buf.size());
}

Result<std::string> hashPassword(std::string_view password) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return makeError(ErrorCode::Internal, "password hashing ran out of memory", true);
    return std::string(out);
}

bool verifyPassword(std::string_view hash, std::string_view password) {
    if (hash.size() >= crypto_pwhash_STRBYTES) return false;
    char buf[crypto_pwhash_STRBYTES] = {};
    hash.copy(buf, hash.size());
    return crypto_pwhash_str_verify(buf, password.data(), password.size()) == 0;
}

bool isSha256Hex(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

} // namespace carnet::server
