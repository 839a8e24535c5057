#pragma once
// The field workflows' HTTP routes (contract in docs/field-model.md): indicators, walk lists
// (list, CSV import, assignment) and call statistics for the console.

#include "server/services.hpp"

#include <functional>
#include <string_view>

namespace httplib {
class Server;
}

namespace carnet::server {

/// Installs GET /api/v1/indicators, GET /api/v1/walklists, POST /api/v1/walklists/import,
/// POST /api/v1/walklists/{id}/assign and GET /api/v1/calls on `http`. `log` reports failures.
void mountFieldRoutes(httplib::Server& http, Services& services, std::function<void(std::string_view)> log);

} // namespace carnet::server
