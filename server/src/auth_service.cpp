#include "server/auth_service.hpp"

#include "core/clock.hpp"
#include "server/crypto.hpp"
#include "server/password_policy.hpp"

#include <algorithm>

namespace carnet::server {

namespace {

constexpr std::size_t kTokenBytes = 32;
// A token's last use is written at most this often (every request would otherwise write).
constexpr std::chrono::seconds kTouchInterval{60};

std::string isoUtc(std::chrono::system_clock::time_point t) {
    return clock::isoUtc(t);
}
constexpr std::size_t kMaxNameBytes = 200;

// `what` is "org" or "user" (the keys server.name.<what>_length and _control).
Result<void> checkName(std::string_view what, std::string_view name, Lang lang) {
    if (name.empty() || name.size() > kMaxNameBytes)
        return makeError(ErrorCode::Invalid, tr("server.name." + std::string(what) + "_length", lang));
    for (char c : name)
        if (static_cast<unsigned char>(c) < 0x20)
            return makeError(ErrorCode::Invalid, tr("server.name." + std::string(what) + "_control", lang));
    return {};
}

} // namespace

Result<std::int64_t> AuthService::addOrg(std::string_view name, Lang lang) {
    if (auto r = checkName("org", name, lang); !r.ok()) return r.error();
    return m_repo.addOrg(name);
}

Result<std::int64_t> AuthService::addUser(std::string_view name, Role role, std::string_view org,
                                          std::string_view password, Lang lang) {
    if (auto r = checkName("user", name, lang); !r.ok()) return r.error();
    if (auto weak = weakPassword(password, name, lang)) return makeError(ErrorCode::Invalid, *weak);
    auto o = m_repo.findOrg(org);
    if (!o.ok()) return o.error();
    if (!*o) return makeError(ErrorCode::NotFound, tr("server.no_org", lang, {org}));
    auto turn = m_gate.enter();
    if (!turn.ok()) return turn.error();
    auto hash = hashPassword(password);
    if (!hash.ok()) return hash.error();
    User u;
    u.name = std::string(name);
    u.role = role;
    u.orgId = (*o)->id;
    u.passwordHash = *hash;
    return m_repo.addUser(u);
}

Result<std::optional<Session>> AuthService::login(std::string_view user, std::string_view password) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    auto turn = m_gate.enter();
    if (!turn.ok()) return turn.error();
    auto u = m_repo.findUser(user);
    if (!u.ok()) return u.error();
    if (!*u) {
        // Spend the same time as a real check so that timing does not reveal which names exist.
        static const std::string dummy = hashPassword("not a password").value_or("");
        (void)verifyPassword(dummy, password);
        return std::optional<Session>();
    }
    if (!verifyPassword((*u)->passwordHash, password)) return std::optional<Session>();
    if ((*u)->disabled) { // the right password of a deactivated account: said so, and no token
        Session refused;
        refused.user = **u;
        refused.user.passwordHash.clear();
        return std::optional<Session>(std::move(refused));
    }
    auto s = newSession(**u);
    if (!s.ok()) return s.error();
    return std::optional<Session>(std::move(*s));
}

Result<Session> AuthService::newSession(const User& user) {
    const auto now = std::chrono::system_clock::now();
    Session s{randomHex(kTokenBytes), user, isoUtc(now + m_limits.tokenLifetime),
              isoUtc(now + m_limits.tokenLifetime / 2)};
    if (auto r = m_repo.addToken(sha256Hex(s.token), s.user.id); !r.ok()) return r.error();
    return s;
}

Result<std::optional<User>> AuthService::authenticate(std::string_view token) {
    if (!isSha256Hex(token)) return std::optional<User>(); // tokens are 32 bytes = 64 hex, like a digest
    const auto now = std::chrono::system_clock::now();
    const TokenWindow window{isoUtc(now - m_limits.tokenLifetime), isoUtc(now - m_limits.tokenIdle),
                             isoUtc(now - kTouchInterval), isoUtc(now)};
    return m_repo.useToken(sha256Hex(token), window);
}

Result<std::optional<Session>> AuthService::renew(std::string_view token) {
    auto user = authenticate(token);
    if (!user.ok()) return user.error();
    if (!*user) return std::optional<Session>();
    auto s = newSession(**user);
    if (!s.ok()) return s.error();
    if (auto r = m_repo.revokeToken(sha256Hex(token)); !r.ok()) return r.error();
    return std::optional<Session>(std::move(*s));
}

std::chrono::seconds LoginThrottle::remaining(const std::unordered_map<std::string, Entry>& map, const std::string& key,
                                              Clock::time_point now) {
    auto it = map.find(key);
    if (it == map.end() || it->second.lockedUntil <= now) return std::chrono::seconds(0);
    // Rounded up: a client that waits exactly Retry-After is let in.
    return std::chrono::ceil<std::chrono::seconds>(it->second.lockedUntil - now);
}

std::chrono::seconds LoginThrottle::wait(std::string_view account, std::string_view address, const AccountLimits&,
                                         Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    return std::max(remaining(m_accounts, std::string(account), now),
                    remaining(m_addresses, std::string(address), now));
}

void LoginThrottle::fail(std::unordered_map<std::string, Entry>& map, const std::string& key, int limit,
                         const AccountLimits& limits, Clock::time_point now) {
    if (map.size() >= kMaxEntries && !map.contains(key)) {
        // Bounded memory: forget the entries whose window is over, or, failing that, all of them.
        std::erase_if(map, [&](const auto& e) {
            return e.second.lockedUntil <= now && now - e.second.windowStart > limits.failureWindow;
        });
        if (map.size() >= kMaxEntries) map.clear();
    }
    Entry& e = map[key];
    if (e.failures == 0 || now - e.windowStart > limits.failureWindow) {
        e.failures = 0;
        e.windowStart = now;
    }
    if (++e.failures < limit) return;
    // Each lockout in a row doubles the wait, up to an hour.
    const auto wait =
        std::min<std::chrono::seconds>(limits.lockout * (1 << std::min(e.lockouts, 6)), std::chrono::hours(1));
    e.lockedUntil = now + wait;
    ++e.lockouts;
    e.failures = 0;
    e.windowStart = now;
}

void LoginThrottle::failed(std::string_view account, std::string_view address, const AccountLimits& limits,
                           Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    fail(m_accounts, std::string(account), limits.accountFailures, limits, now);
    fail(m_addresses, std::string(address), limits.addressFailures, limits, now);
}

void LoginThrottle::succeeded(std::string_view account) {
    std::lock_guard lock(m_mutex);
    m_accounts.erase(std::string(account));
}

Result<void> AuthService::logout(std::string_view token) {
    return m_repo.revokeToken(sha256Hex(token));
}

Result<DeviceRegistration> AuthService::registerDevice(const User& user, std::string_view deviceId,
                                                       std::string_view name) {
    auto known = m_repo.findDevice(deviceId);
    if (!known.ok()) return known.error();
    if (*known && !(*known)->revokedAt.empty())
        return (*known)->userId == user.id ? DeviceRegistration::Revoked : DeviceRegistration::TakenByOtherUser;
    auto owner = m_repo.registerDevice(deviceId, user.id, name);
    if (!owner.ok()) return owner.error();
    return *owner == user.id ? DeviceRegistration::Registered : DeviceRegistration::TakenByOtherUser;
}

Result<DeviceAccess> AuthService::deviceAccess(const User& user, std::string_view deviceId) {
    auto d = m_repo.findDevice(deviceId);
    if (!d.ok()) return d.error();
    if (!*d || (*d)->userId != user.id) return DeviceAccess::NotOwned;
    return (*d)->revokedAt.empty() ? DeviceAccess::Owned : DeviceAccess::Revoked;
}

namespace {

// A temporary password a coordinator reads out or writes down: 16 letters and digits without the
// ones read alike (0/O, 1/l/I), in groups of four; about 82 bits.
std::string temporaryPassword() {
    constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    const std::string hex = randomHex(16);
    std::string out;
    for (std::size_t i = 0; i < 16; ++i) {
        if (i > 0 && i % 4 == 0) out += '-';
        const auto byte = std::stoi(hex.substr(2 * i, 2), nullptr, 16);
        out += kAlphabet[static_cast<std::size_t>(byte) % kAlphabet.size()]; // 256 % 32 == 0: unbiased
    }
    return out;
}

} // namespace

Result<std::string> AuthService::resetPassword(const User& target) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    std::string temporary = temporaryPassword();
    auto turn = m_gate.enter();
    if (!turn.ok()) return turn.error();
    auto hash = hashPassword(temporary);
    if (!hash.ok()) return hash.error();
    UserChange change;
    change.passwordHash = *hash;
    change.mustChangePassword = true;
    change.revokeTokens = true;
    if (auto r = m_repo.updateUser(target.id, change); !r.ok()) return r.error();
    return temporary;
}

Result<void> AuthService::changePassword(const User& user, std::string_view current, std::string_view next, Lang lang) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    auto turn = m_gate.enter();
    if (!turn.ok()) return turn.error();
    auto stored = m_repo.findUser(user.name);
    if (!stored.ok()) return stored.error();
    if (!*stored || !verifyPassword((*stored)->passwordHash, current))
        return makeError(ErrorCode::Invalid, tr("server.password.current_wrong", lang));
    if (current == next) return makeError(ErrorCode::Invalid, tr("server.password.same", lang));
    if (auto weak = weakPassword(next, user.name, lang)) return makeError(ErrorCode::Invalid, *weak);
    auto hash = hashPassword(next);
    if (!hash.ok()) return hash.error();
    UserChange change;
    change.passwordHash = *hash;
    change.mustChangePassword = false;
    return m_repo.updateUser(user.id, change);
}

} // namespace carnet::server
