#pragma once
// Accounts, tokens and devices: argon2id passwords, random bearer tokens stored only as their hash.

#include "server/repository.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace carnet::server {

/// A successful login.
struct Session {
    std::string token; ///< 64 hex; only its SHA-256 is stored
    User user;
};

/// What registering a device did.
enum class DeviceRegistration { Registered, TakenByOtherUser };

/// Accounts and authentication.
class AuthService {
public:
    explicit AuthService(Repository& repo)
        : m_repo(repo) {}

    /// Creates an organisation.
    Result<std::int64_t> addOrg(std::string_view name);
    /// Creates a user in an existing organisation.
    Result<std::int64_t> addUser(std::string_view name, Role role, std::string_view org, std::string_view password);
    /// A new token, or nullopt for a wrong user or password (indistinguishable on purpose).
    Result<std::optional<Session>> login(std::string_view user, std::string_view password);
    /// The user of a live token, or nullopt.
    Result<std::optional<User>> authenticate(std::string_view token);
    /// Revokes a token.
    Result<void> logout(std::string_view token);
    /// Registers a device for the user (idempotent).
    Result<DeviceRegistration> registerDevice(const User& user, std::string_view deviceId, std::string_view name);
    /// Whether the device is registered to this user.
    Result<bool> ownsDevice(const User& user, std::string_view deviceId);

private:
    Repository& m_repo;
};

} // namespace carnet::server
