#pragma once
// Accounts and devices managed by an organisation's coordinators and admins (docs/console.md,
// "Comptes et appareils"): roles, temporary passwords, deactivation, device names and revocation;
// and a user's own password change. Same tokens and organisation rules as the console API.

#include "server/services.hpp"

#include <functional>
#include <string_view>

namespace httplib {
class Server;
}

namespace carnet::server {

/// Installs GET /api/v1/me, POST /api/v1/password, POST /api/v1/users/{name}/{role|password-reset|
/// deactivate|reactivate} and POST /api/v1/devices/{id}/{name|revoke} on `http`. `log` reports failures.
void mountAccountRoutes(httplib::Server& http, Services& services, std::function<void(std::string_view)> log);

} // namespace carnet::server
