#include "server/auth_service.hpp"

#include "server/crypto.hpp"

namespace carnet::server {

namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxNameBytes = 200;

Result<void> checkName(std::string_view what, std::string_view name) {
    if (name.empty() || name.size() > kMaxNameBytes)
        return makeError(ErrorCode::Invalid, std::string(what) + " name must be 1 to 200 bytes");
    for (char c : name)
        if (static_cast<unsigned char>(c) < 0x20)
            return makeError(ErrorCode::Invalid, std::string(what) + " name has a control character");
    return {};
}

} // namespace

Result<std::int64_t> AuthService::addOrg(std::string_view name) {
    if (auto r = checkName("organisation", name); !r.ok()) return r.error();
    return m_repo.addOrg(name);
}

Result<std::int64_t> AuthService::addUser(std::string_view name, Role role, std::string_view org,
                                          std::string_view password) {
    if (auto r = checkName("user", name); !r.ok()) return r.error();
    if (password.empty()) return makeError(ErrorCode::Invalid, "the password is empty");
    auto o = m_repo.findOrg(org);
    if (!o.ok()) return o.error();
    if (!*o) return makeError(ErrorCode::NotFound, "no organisation '" + std::string(org) + "'");
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
    auto u = m_repo.findUser(user);
    if (!u.ok()) return u.error();
    if (!*u) {
        // Spend the same time as a real check so that timing does not reveal which names exist.
        static const std::string dummy = hashPassword("not a password").value_or("");
        (void)verifyPassword(dummy, password);
        return std::optional<Session>();
    }
    if (!verifyPassword((*u)->passwordHash, password)) return std::optional<Session>();
    Session s{randomHex(kTokenBytes), **u};
    if (auto r = m_repo.addToken(sha256Hex(s.token), s.user.id); !r.ok()) return r.error();
    return std::optional<Session>(std::move(s));
}

Result<std::optional<User>> AuthService::authenticate(std::string_view token) {
    if (!isSha256Hex(token)) return std::optional<User>(); // tokens are 32 bytes = 64 hex, like a digest
    return m_repo.tokenUser(sha256Hex(token));
}

Result<void> AuthService::logout(std::string_view token) {
    return m_repo.revokeToken(sha256Hex(token));
}

Result<DeviceRegistration> AuthService::registerDevice(const User& user, std::string_view deviceId,
                                                       std::string_view name) {
    auto owner = m_repo.registerDevice(deviceId, user.id, name);
    if (!owner.ok()) return owner.error();
    return *owner == user.id ? DeviceRegistration::Registered : DeviceRegistration::TakenByOtherUser;
}

Result<bool> AuthService::ownsDevice(const User& user, std::string_view deviceId) {
    auto owner = m_repo.deviceOwner(deviceId);
    if (!owner.ok()) return owner.error();
    return *owner && **owner == user.id;
}

} // namespace carnet::server
