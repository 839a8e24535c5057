#pragma once
// Accounts, tokens and devices: argon2id passwords, random bearer tokens stored only as their hash.

#include "core/i18n.hpp"
#include "server/password_gate.hpp"
#include "server/repository.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace carnet::server {

/// A successful login.
struct Session {
    std::string token; ///< 64 hex; only its SHA-256 is stored
    User user;
    std::string expiresAt;  ///< ISO 8601 UTC: the end of the token's lifetime (if used before it idles)
    std::string renewAfter; ///< ISO 8601 UTC: from then on a device renews its token when it syncs
};

/// How hard logins are throttled and how long tokens live (docs/security.md, "Accounts").
struct AccountLimits {
    int accountFailures = 5;  ///< failed logins of one account within the window before it must wait
    int addressFailures = 30; ///< failed logins from one client address within the window before it waits
    std::chrono::seconds failureWindow{15 * 60};
    std::chrono::seconds lockout{5 * 60};                ///< the wait after the limit (doubling, at most an hour)
    std::chrono::seconds tokenIdle{30 * 24 * 3600};      ///< a token unused this long is dead
    std::chrono::seconds tokenLifetime{180 * 24 * 3600}; ///< a token is dead this long after its login
};

/// Failed logins per account and per client address, in memory (a restart forgets them). Bounded:
/// past kMaxEntries the stalest entries are dropped.
class LoginThrottle {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kMaxEntries = 100000;

    /// How long `account` from `address` must wait before trying again (zero: it may try now).
    std::chrono::seconds wait(std::string_view account, std::string_view address, const AccountLimits& limits,
                              Clock::time_point now = Clock::now());
    /// Counts a failed login.
    void failed(std::string_view account, std::string_view address, const AccountLimits& limits,
                Clock::time_point now = Clock::now());
    /// Forgets the account's failures after a successful login.
    void succeeded(std::string_view account);

private:
    struct Entry {
        int failures = 0;
        Clock::time_point windowStart, lockedUntil;
        int lockouts = 0;
    };
    static void fail(std::unordered_map<std::string, Entry>& map, const std::string& key, int limit,
                     const AccountLimits& limits, Clock::time_point now);
    static std::chrono::seconds remaining(const std::unordered_map<std::string, Entry>& map, const std::string& key,
                                          Clock::time_point now);
    std::mutex m_mutex;
    std::unordered_map<std::string, Entry> m_accounts, m_addresses;
};

/// What registering a device did.
enum class DeviceRegistration { Registered, TakenByOtherUser, Revoked };

/// Whether a user may sync as a device.
enum class DeviceAccess {
    Owned,    ///< registered to this user, live
    NotOwned, ///< unknown, or registered to someone else
    Revoked,  ///< registered to this user and revoked by a coordinator
};

/// Accounts and authentication.
class AuthService {
public:
    explicit AuthService(Repository& repo)
        : m_repo(repo) {}

    /// Sets the login throttling and token lifetimes (`carnet-server serve` options, tests).
    void setLimits(const AccountLimits& limits) { m_limits = limits; }
    [[nodiscard]] const AccountLimits& limits() const { return m_limits; }
    /// The failed-login counters the login route consults.
    LoginThrottle& throttle() { return m_throttle; }

    /// Creates an organisation; an Invalid name is said in `lang`.
    Result<std::int64_t> addOrg(std::string_view name, Lang lang = Lang::En);
    /// Creates a user in an existing organisation; Invalid for a bad name or a weak password
    /// (password_policy.hpp), NotFound for an unknown organisation, both said in `lang` (the
    /// console's routes answer them as they are, the CLI prints them).
    Result<std::int64_t> addUser(std::string_view name, Role role, std::string_view org, std::string_view password,
                                 Lang lang = Lang::En);
    /// A new token, or nullopt for a wrong user or password (indistinguishable on purpose). A
    /// deactivated account with the right password gets a Session with `user.disabled` and no token.
    Result<std::optional<Session>> login(std::string_view user, std::string_view password);
    /// The user of a live token (not revoked, not idle too long, within its lifetime), or nullopt.
    /// Each use restarts the idle clock.
    Result<std::optional<User>> authenticate(std::string_view token);
    /// A new token for the live `token`'s user (a fresh lifetime), the old one revoked; nullopt when
    /// `token` is not live (the device then asks for the password).
    Result<std::optional<Session>> renew(std::string_view token);
    /// Revokes a token.
    Result<void> logout(std::string_view token);
    /// Registers a device for the user (idempotent).
    Result<DeviceRegistration> registerDevice(const User& user, std::string_view deviceId, std::string_view name);
    /// Whether the user may sync as this device.
    Result<DeviceAccess> deviceAccess(const User& user, std::string_view deviceId);
    /// Gives the user a temporary password (returned once, never stored in clear), to be changed at
    /// their next login; every token of theirs is revoked.
    Result<std::string> resetPassword(const User& target);
    /// The user's own new password, after the current one: Invalid when the current one is wrong or
    /// the new one weak (password_policy.hpp) or the same, said in `lang`.
    Result<void> changePassword(const User& user, std::string_view current, std::string_view next,
                                Lang lang = Lang::En);
    /// The bound on concurrent password hashing (logins, new users): a Busy error beyond it.
    PasswordGate& passwordGate() { return m_gate; }

private:
    Result<Session> newSession(const User& user);
    Repository& m_repo;
    AccountLimits m_limits;
    LoginThrottle m_throttle;
    PasswordGate m_gate;
};

} // namespace carnet::server
