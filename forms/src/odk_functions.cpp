#include "odk_functions.hpp"

#include "core/clock.hpp"
#include "core/strings.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <random>

namespace carnet::forms::odk {

namespace {

std::string normalizedAlgorithm(std::string_view algorithm) {
    std::string out;
    for (char c : algorithm)
        if (c != '-') out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return out;
}

const EVP_MD* digestType(std::string_view algorithm) {
    const std::string a = normalizedAlgorithm(algorithm);
    if (a == "MD5") return EVP_md5();
    if (a == "SHA1") return EVP_sha1();
    if (a == "SHA256") return EVP_sha256();
    if (a == "SHA384") return EVP_sha384();
    if (a == "SHA512") return EVP_sha512();
    return nullptr;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64Encode(const unsigned char* data, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; i += 3) {
        const std::uint32_t b0 = data[i], b1 = i + 1 < n ? data[i + 1] : 0u, b2 = i + 2 < n ? data[i + 2] : 0u;
        const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += i + 1 < n ? kBase64[(v >> 6) & 63] : '=';
        out += i + 2 < n ? kBase64[v & 63] : '=';
    }
    return out;
}

// Park-Miller's "minimal standard" generator as JavaRosa's ParkMiller and openrosa-xpath-evaluator
// write it: a state in (0, 2^31 - 1), x * 16807 mod 2^31 - 1, exact in a double.
class ParkMiller {
public:
    explicit ParkMiller(std::int64_t seed) {
        m_state = std::fmod(static_cast<double>(seed), kModulus);
        if (m_state <= 0) m_state += kModulus - 1;
    }
    double next() {
        m_state = std::fmod(m_state * 16807.0, kModulus);
        return (m_state - 1) / (kModulus - 1);
    }

private:
    static constexpr double kModulus = 2147483647.0;
    double m_state = 1;
};

template <class Draw> std::vector<std::size_t> insideOut(std::size_t n, Draw draw) {
    std::vector<std::size_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto j = static_cast<std::size_t>(std::floor(draw() * static_cast<double>(i + 1)));
        j = std::min(j, i);
        if (j != i) out[i] = out[j];
        out[j] = i;
    }
    return out;
}

std::mt19937_64 seededEngine() {
    std::random_device device;
    std::seed_seq seq{device(), device(), device(), device()};
    return std::mt19937_64(seq);
}

} // namespace

bool knownDigest(std::string_view algorithm) {
    return digestType(algorithm) != nullptr;
}

bool knownDigestEncoding(std::string_view encoding) {
    const std::string e = lower(encoding);
    return e == "base64" || e == "hex";
}

std::optional<std::string> digest(std::string_view text, std::string_view algorithm, std::string_view encoding) {
    const EVP_MD* type = digestType(algorithm);
    if (!type || !knownDigestEncoding(encoding)) return std::nullopt;
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), md.data(), &size, type, nullptr) != 1) return std::nullopt;
    if (lower(encoding) == "base64") return base64Encode(md.data(), size);
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 15];
    }
    return out;
}

namespace {
// The bytes `b64` encodes (whitespace skipped, padding optional); nullopt when it is not base64.
std::optional<std::string> base64Bytes(std::string_view b64) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t padding = 0, symbols = 0;
    for (char c : b64) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        const auto pos = kBase64.find(c);
        if (pos == std::string_view::npos || padding > 0) return std::nullopt; // nothing after '='
        ++symbols;
        acc = (acc << 6) | static_cast<std::uint32_t>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    if (padding > 2 || symbols % 4 == 1 || (padding > 0 && (symbols + padding) % 4 != 0)) return std::nullopt;
    return out;
}
} // namespace

std::optional<std::string> base64Decode(std::string_view b64) {
    auto out = base64Bytes(b64);
    if (!out || invalidUtf8At(*out) != std::string::npos) return std::nullopt;
    return out;
}

std::optional<std::string> extractSigned(std::string_view signedB64, std::string_view publicKeyB64) {
    constexpr std::size_t kSignature = 64, kKey = 32;
    const auto content = base64Bytes(signedB64);
    const auto key = base64Bytes(publicKeyB64);
    if (!content || !key || content->size() < kSignature || key->size() != kKey) return std::nullopt;
    EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                 reinterpret_cast<const unsigned char*>(key->data()), key->size());
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    const auto* bytes = reinterpret_cast<const unsigned char*>(content->data());
    const bool valid = pkey && md && EVP_DigestVerifyInit(md, nullptr, nullptr, nullptr, pkey) == 1 &&
                       EVP_DigestVerify(md, bytes, kSignature, bytes + kSignature, content->size() - kSignature) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    if (!valid) return std::nullopt;
    std::string message = content->substr(kSignature);
    if (invalidUtf8At(message) != std::string::npos) return std::nullopt;
    return message;
}

std::optional<double> decimalTime(std::string_view text, double localOffsetDays) {
    const std::string_view s = trim(text);
    auto digits = [&](std::size_t at, std::size_t n, int& out) {
        if (at + n > s.size()) return false;
        out = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    int h = 0, m = 0, sec = 0;
    if (!digits(0, 2, h) || s.size() < 5 || s[2] != ':' || !digits(3, 2, m)) return std::nullopt;
    std::size_t i = 5;
    double frac = 0;
    if (i < s.size() && s[i] == ':') {
        if (!digits(i + 1, 2, sec)) return std::nullopt;
        i += 3;
        if (i < s.size() && s[i] == '.') {
            double scale = 0.1;
            ++i;
            if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
            for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10)
                frac += (s[i] - '0') * scale;
        }
    }
    if (h > 23 || m > 59 || sec > 59) return std::nullopt;
    double days = (h * 3600.0 + m * 60.0 + sec + frac) / 86400.0;
    if (i < s.size()) {
        // An offset names the instant: move it to the device's time zone, as ODK does.
        int oh = 0, om = 0;
        if (s[i] == 'Z' && i + 1 == s.size()) {
            days += localOffsetDays;
        } else if ((s[i] == '+' || s[i] == '-') && digits(i + 1, 2, oh) && i + 6 == s.size() && s[i + 3] == ':' &&
                   digits(i + 4, 2, om) && oh <= 23 && om <= 59) {
            const double offset = (oh * 60.0 + om) / 1440.0;
            days += localOffsetDays - (s[i] == '+' ? offset : -offset);
        } else {
            return std::nullopt;
        }
        days -= std::floor(days);
    }
    return days;
}

double localUtcOffsetDays() {
    const auto now = clock::systemNow();
    const double utc = std::chrono::duration<double>(now.time_since_epoch()).count() / 86400.0;
    return clock::localDays(now) - utc;
}

std::vector<std::size_t> seededPermutation(std::size_t n, std::int64_t seed) {
    ParkMiller rng(seed);
    return insideOut(n, [&] { return rng.next(); });
}

std::vector<std::size_t> randomPermutation(std::size_t n) {
    return insideOut(n, [] { return randomUnit(); });
}

double randomUnit() {
    thread_local std::mt19937_64 engine = seededEngine();
    return static_cast<double>(engine() >> 11) * 0x1.0p-53; // 53 random bits: [0, 1), never 1
}

std::string uuidV4() {
    std::random_device device;
    std::array<unsigned char, 16> b{};
    for (std::size_t i = 0; i < b.size(); i += 4) {
        const auto r = device();
        for (std::size_t k = 0; k < 4; ++k)
            b[i + k] = static_cast<unsigned char>((r >> (8 * k)) & 0xFF);
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40); // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80); // RFC 4122 variant
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += kHex[b[i] >> 4];
        out += kHex[b[i] & 15];
    }
    return out;
}

std::string randomId(double length) {
    if (!(length > 0)) return "";
    const auto n = static_cast<std::size_t>(std::min(length, 1000.0));
    static constexpr std::string_view kChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += kChars[std::min(kChars.size() - 1,
                               static_cast<std::size_t>(randomUnit() * static_cast<double>(kChars.size())))];
    return out;
}

} // namespace carnet::forms::odk
