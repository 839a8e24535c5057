#pragma once
// The HTTP layer (docs/sync-protocol.md): parses requests, checks the protocol header and the
// bearer token, calls the services and turns their results into JSON. No SQL, no rules.

#include "server/map_options.hpp"
#include "server/services.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace httplib {
class Server;
}

namespace carnet::server {

/// Where the server writes its log lines (stderr by default).
using LogSink = std::function<void(std::string_view line)>;

/// How the server logs, and who may read its metrics.
struct RouteOptions {
    /// Storage failures, exceptions and server errors (stderr when empty).
    LogSink errors;
    /// One line per request: time, method, route pattern (ids left out), status, milliseconds, bytes
    /// in and out; never a query string, a name, an answer or a token. None when empty.
    LogSink access;
    /// The bearer token GET /metrics asks for (`serve --metrics-token-file`); empty: /metrics is
    /// refused (403) to everyone.
    std::string metricsToken;
    /// The record page's map: Leaflet's folder, the tiles (whose origin the page's policy then lets
    /// images come from) and their attribution.
    MapOptions map;
};

/// Installs every route and handler on `http` (limits, protocol header, JSON errors, exceptions,
/// /healthz and /metrics). `services` must outlive the server.
void mountRoutes(httplib::Server& http, Services& services, RouteOptions options);
/// The same, with errors going to `log` and no access log.
void mountRoutes(httplib::Server& http, Services& services, LogSink log = {});

} // namespace carnet::server
