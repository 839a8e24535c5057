#include "server/password_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace carnet::server {

namespace {

// Passwords of 12 characters or more that lists of leaked passwords (SecLists, "10k most common";
// French ones from the same leaks) show first; shorter ones are refused by length already. Compared
// without case.
constexpr auto kCommon = std::to_array<std::string_view>({
    "000000000000",   "111111111111",  "123123123123",   "123456123456",
    "1234567890ab",   "123456789012",  "1234567890123",  "12345678910111",
    "1234567891011",  "1q2w3e4r5t6y",  "1qaz2wsx3edc",   "1qaz2wsx3edc4rfv",
    "987654321098",   "aaaaaaaaaaaa",  "abc123abc123",   "abcdefghijkl",
    "administrateur", "administrator", "azertyuiop123",  "azertyuiopqsd",
    "bienvenue123",   "carnet123456",  "changeme1234",   "correcthorsebatterystaple",
    "football1234",   "iloveyou1234",  "jetaime123456",  "letmein12345",
    "marseille123",   "monmotdepasse", "motdepasse12",   "motdepasse123",
    "motdepasse1234", "mypassword123", "p@ssw0rd1234",   "passw0rd1234",
    "password1234",   "password12345", "password123456", "passwordpassword",
    "qwerty123456",   "qwertyuiop12",  "qwertyuiop123",  "qwertyuiopasdf",
    "soleil123456",   "superman1234",  "welcome12345",   "zaq12wsxcde3",
    "zxcvbnm12345",
});

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

std::optional<std::string> weakPassword(std::string_view password, std::string_view userName, Lang lang) {
    if (password.size() < kMinPasswordBytes)
        return tr("server.password.too_short", lang, {std::to_string(kMinPasswordBytes)});
    if (password.size() > kMaxPasswordBytes)
        return tr("server.password.too_long", lang, {std::to_string(kMaxPasswordBytes)});
    const std::string l = lower(password);
    if (std::find(kCommon.begin(), kCommon.end(), l) != kCommon.end()) return tr("server.password.common", lang);
    if (!userName.empty() && l.find(lower(userName)) != std::string::npos && l.size() < userName.size() + 6)
        return tr("server.password.is_name", lang);
    if (std::all_of(l.begin(), l.end(), [&](char c) { return c == l.front(); }))
        return tr("server.password.repeats", lang);
    return std::nullopt;
}

} // namespace carnet::server
