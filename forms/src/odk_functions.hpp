#pragma once
// Helpers of the ODK XForms functions that need more than a line (getodk.github.io/xforms-spec,
// "Functions"): digests, base64, decimal-time, the seeded shuffle of randomize(), random UUIDs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::forms::odk {

/// digest(): `text`'s UTF-8 bytes hashed with `algorithm` ("MD5", "SHA-1", "SHA-256", "SHA-384",
/// "SHA-512", any case, dash optional) and written in `encoding` ("base64" or "hex"); nullopt when
/// either is unknown.
[[nodiscard]] std::optional<std::string> digest(std::string_view text, std::string_view algorithm,
                                                std::string_view encoding);
/// True when digest() knows `algorithm`.
[[nodiscard]] bool knownDigest(std::string_view algorithm);
/// True when digest() knows `encoding`.
[[nodiscard]] bool knownDigestEncoding(std::string_view encoding);

/// base64-decode(): the text `b64` encodes; nullopt when it is not base64 or not UTF-8.
[[nodiscard]] std::optional<std::string> base64Decode(std::string_view b64);

/// extract-signed(): the message of `signedB64`, base64 of a 64-byte Ed25519 signature followed by the
/// message (libsodium's crypto_sign format), when the signature verifies with `publicKeyB64` (base64 of
/// the raw 32-byte key); nullopt when it does not, when either is not base64, or the message not UTF-8.
[[nodiscard]] std::optional<std::string> extractSigned(std::string_view signedB64, std::string_view publicKeyB64);

/// decimal-time(): "HH:MM[:SS[.fff]]" with an optional "Z" or "±HH:MM" offset as a fraction of a day
/// in local time (`localOffsetDays`: the device's offset from UTC, in days); nullopt when invalid.
[[nodiscard]] std::optional<double> decimalTime(std::string_view text, double localOffsetDays);
/// The device's current offset from UTC, in days (+0.0833 in UTC+2).
[[nodiscard]] double localUtcOffsetDays();

/// randomize()'s permutation of `n` items with `seed`: ODK's "inside-out" Fisher-Yates shuffle drawing
/// from a Park-Miller generator (JavaRosa FisherYates/ParkMiller), so that a seed gives the order ODK
/// Collect and Enketo give. Result[i] is the index of the item that goes to place i.
[[nodiscard]] std::vector<std::size_t> seededPermutation(std::size_t n, std::int64_t seed);
/// The same shuffle drawing from the operating system's randomness (randomize() without a seed).
[[nodiscard]] std::vector<std::size_t> randomPermutation(std::size_t n);
/// A number in [0, 1) from the operating system's randomness (random()).
[[nodiscard]] double randomUnit();
/// An RFC 4122 version 4 UUID, lowercase (uuid()).
[[nodiscard]] std::string uuidV4();
/// `length` random characters from [0-9A-Z] (uuid(length), as JavaRosa's), at most 1000.
[[nodiscard]] std::string randomId(double length);

} // namespace carnet::forms::odk
