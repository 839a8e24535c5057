#include "server/metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace carnet::server {

namespace {

// Every route the server mounts (routes.cpp, console_routes.cpp, field_routes.cpp), "{...}" for a
// segment that holds an id, a hash or a file name.
constexpr std::string_view kRoutes[] = {
    "/",
    "/console/{file}",
    "/console/vendor/leaflet/{file}",
    "/console/vendor/leaflet/images/{file}",
    "/healthz",
    "/metrics",
    "/api/v1/login",
    "/api/v1/logout",
    "/api/v1/session/renew",
    "/api/v1/devices",
    "/api/v1/forms",
    "/api/v1/forms/{id}/{version}",
    "/api/v1/form-media/{sha256}",
    "/api/v1/sync/push",
    "/api/v1/sync/pull",
    "/api/v1/records",
    "/api/v1/records/{id}",
    "/api/v1/records/{id}/history",
    "/api/v1/records/{id}/review",
    "/api/v1/records/{id}/edit",
    "/api/v1/map",
    "/api/v1/conflicts",
    "/api/v1/conflicts/{id}/resolve",
    "/api/v1/attachments/{sha256}",
    "/api/v1/attachments/{sha256}/content",
    "/api/v1/users",
    "/api/v1/users/{name}",
    "/api/v1/devices/{id}",
    "/api/v1/catalogue",
    "/api/v1/exports/{file}",
    "/api/v1/indicators",
    "/api/v1/walklists",
    "/api/v1/walklists/import",
    "/api/v1/walklists/{id}",
    "/api/v1/walklists/{id}/assign",
    "/api/v1/calls",
};

// Whether `path` has the segments of `pattern` ("{...}" matches one non-empty segment).
bool matches(std::string_view pattern, std::string_view path) {
    while (true) {
        if (pattern.empty() || path.empty()) return pattern.empty() && path.empty();
        if (pattern.front() != '/' || path.front() != '/') return false;
        pattern.remove_prefix(1);
        path.remove_prefix(1);
        const std::size_t pe = std::min(pattern.find('/'), pattern.size());
        const std::size_t se = std::min(path.find('/'), path.size());
        const std::string_view want = pattern.substr(0, pe);
        const std::string_view got = path.substr(0, se);
        if (!want.empty() && want.front() == '{') {
            if (got.empty()) return false;
        } else if (want != got) {
            return false;
        }
        pattern.remove_prefix(pe);
        path.remove_prefix(se);
    }
}

// A number as Prometheus reads it.
std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

} // namespace

std::string_view routePattern(std::string_view path) {
    // Literal segments win over "{...}" ones: the table has no two patterns matching one path but
    // for that, and the literal ones come first in it.
    for (std::string_view r : kRoutes)
        if (matches(r, path)) return r;
    return "other";
}

std::string_view methodLabel(std::string_view method) {
    for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
        if (method == m) return m;
    return "OTHER";
}

void Metrics::request(std::string_view method, std::string_view route, int status, std::chrono::microseconds elapsed) {
    const double seconds = static_cast<double>(elapsed.count()) / 1e6;
    std::lock_guard lock(m_mutex);
    ++m_requests[{std::string(method), std::string(route), status}];
    Histogram& h = m_latency[{std::string(method), std::string(route)}];
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) {
            ++h.buckets[i];
            break;
        }
    ++h.count;
    h.sum += seconds;
}

void Metrics::push(std::string_view mutationStatus, std::size_t count) {
    std::lock_guard lock(m_mutex);
    m_mutations[std::string(mutationStatus)] += count;
}

void Metrics::pushed() {
    std::lock_guard lock(m_mutex);
    ++m_pushes;
}

void Metrics::pulled(std::size_t changes) {
    std::lock_guard lock(m_mutex);
    ++m_pulls;
    m_pulledChanges += changes;
}

std::string Metrics::render(std::int64_t writeQueue) const {
    std::string out;
    auto head = [&out](std::string_view name, std::string_view type, std::string_view help) {
        out.append("# HELP ").append(name).append(" ").append(help).append("\n");
        out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    };
    auto line = [&out](std::string_view name, std::string_view labels, const std::string& value) {
        out.append(name);
        if (!labels.empty()) out.append("{").append(labels).append("}");
        out.append(" ").append(value).append("\n");
    };
    std::lock_guard lock(m_mutex);
    head("carnet_http_requests_total", "counter", "HTTP requests answered, by method, route pattern and status.");
    for (const auto& [key, n] : m_requests) {
        const auto& [method, route, status] = key;
        line("carnet_http_requests_total",
             "method=\"" + method + "\",route=\"" + route + "\",status=\"" + std::to_string(status) + "\"",
             std::to_string(n));
    }
    head("carnet_http_request_duration_seconds", "histogram",
         "Time from a request's first byte to its response written, by method and route pattern.");
    for (const auto& [key, h] : m_latency) {
        const std::string labels = "method=\"" + key.first + "\",route=\"" + key.second + "\"";
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            cumulative += h.buckets[i];
            line("carnet_http_request_duration_seconds_bucket", labels + ",le=\"" + number(kBuckets[i]) + "\"",
                 std::to_string(cumulative));
        }
        line("carnet_http_request_duration_seconds_bucket", labels + ",le=\"+Inf\"", std::to_string(h.count));
        line("carnet_http_request_duration_seconds_sum", labels, number(h.sum));
        line("carnet_http_request_duration_seconds_count", labels, std::to_string(h.count));
    }
    head("carnet_sync_pushes_total", "counter", "Pushes applied (one per request, whatever its size).");
    line("carnet_sync_pushes_total", "", std::to_string(m_pushes));
    head("carnet_sync_mutations_total", "counter", "Pushed mutations answered, by result status.");
    for (const auto& [status, n] : m_mutations)
        line("carnet_sync_mutations_total", "status=\"" + status + "\"", std::to_string(n));
    head("carnet_sync_conflicts_total", "counter", "Pushed mutations that opened or joined a conflict.");
    const auto conflicts = m_mutations.find("conflict");
    line("carnet_sync_conflicts_total", "", std::to_string(conflicts == m_mutations.end() ? 0 : conflicts->second));
    head("carnet_sync_pulls_total", "counter", "Pull pages served.");
    line("carnet_sync_pulls_total", "", std::to_string(m_pulls));
    head("carnet_sync_pulled_changes_total", "counter", "Changes sent in pull pages.");
    line("carnet_sync_pulled_changes_total", "", std::to_string(m_pulledChanges));
    head("carnet_write_queue_depth", "gauge",
         "Write transactions of this process waiting for their turn or running (pushes, resolutions, assignments).");
    line("carnet_write_queue_depth", "", std::to_string(writeQueue));
    return out;
}

} // namespace carnet::server
