#pragma once
// The HTTP layer (docs/sync-protocol.md): parses requests, checks the protocol header and the
// bearer token, calls the services and turns their results into JSON. No SQL, no rules.

#include "server/services.hpp"

#include <functional>
#include <string_view>

namespace httplib {
class Server;
}

namespace carnet::server {

/// Where the server writes its log lines (stderr by default).
using LogSink = std::function<void(std::string_view line)>;

/// Installs every route and handler on `http` (limits, protocol header, JSON errors, exceptions).
/// `services` must outlive the server.
void mountRoutes(httplib::Server& http, Services& services, LogSink log = {});

} // namespace carnet::server
