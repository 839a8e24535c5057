#pragma once
// What an operator watches (docs/deployment notes in docs/architecture.md, "Operations"): counters of
// requests by route pattern and status, a latency histogram, pushes, pulls and conflicts, rendered
// in the Prometheus text format for GET /metrics. Labels are route patterns, methods and statuses
// only: a bounded set, and never a name, an id, an answer or a token.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace carnet::server {

/// The route pattern a request path belongs to ("/api/v1/records/{id}/history"), with ids left out;
/// "other" for a path no route serves (so that a scan of random paths adds no label).
[[nodiscard]] std::string_view routePattern(std::string_view path);

/// The method as a metric label: one of the HTTP methods the server knows, else "OTHER".
[[nodiscard]] std::string_view methodLabel(std::string_view method);

/// The process's counters (each process of a scaled set-up has its own; Prometheus scrapes each and
/// sums). Thread-safe.
class Metrics {
public:
    /// Upper bounds of the latency histogram's buckets, in seconds.
    static constexpr std::array<double, 11> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /// One answered request.
    void request(std::string_view method, std::string_view route, int status, std::chrono::microseconds elapsed);
    /// One push applied: its mutations by status (applied, merged, conflict, rejected, discarded).
    void push(std::string_view mutationStatus, std::size_t count);
    /// A push request that was applied (counted once, whatever its size).
    void pushed();
    /// One pull page served with `changes` changes.
    void pulled(std::size_t changes);

    /// Everything, in the Prometheus text format (version 0.0.4); `writeQueue` is the gauge of write
    /// transactions waiting or running in this process.
    [[nodiscard]] std::string render(std::int64_t writeQueue) const;

private:
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{}; ///< not cumulative; summed when rendered
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> m_requests; ///< (method, route, status)
    std::map<std::pair<std::string, std::string>, Histogram> m_latency;            ///< (method, route)
    std::map<std::string, std::uint64_t> m_mutations;                              ///< by status
    std::uint64_t m_pushes = 0, m_pulls = 0, m_pulledChanges = 0;
};

} // namespace carnet::server
