#pragma once
// A fault-injecting HTTP/TCP proxy on 127.0.0.1 between the device's libcurl transport and a real
// carnet-server: real sockets both ways. Each client connection carries one request; the proxy reads
// it whole, then by a seeded schedule cuts the connection before the request reaches the server,
// after the server got it but before the response, or in the middle of the response; delays it;
// delivers it twice (the captured bytes replayed on a fresh upstream connection); and it can throttle
// both directions (bytes per second) with added latency. Counts every byte.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace carnet::test {

/// What the proxy did to one request.
enum class Fault { None, CutBeforeServer, CutAfterServer, CutMidResponse, Delay, Replay, CutMidRequest };
/// "none", "cut_before_server", ...
[[nodiscard]] const char* faultName(Fault f);

/// Per-request probabilities of each fault (the rest passes untouched).
struct FaultPlan {
    double cutBeforeServer = 0, cutAfterServer = 0, cutMidResponse = 0, delay = 0, replay = 0;
    std::chrono::milliseconds delayBy{30};
};

/// The proxy. Starts listening at construction; stops and joins its threads at destruction.
class FaultProxy {
public:
    /// Forwards to 127.0.0.1:upstreamPort; `seed` drives the fault schedule.
    FaultProxy(int upstreamPort, std::uint64_t seed);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    /// The port clients connect to.
    [[nodiscard]] int port() const { return m_port; }
    /// "http://127.0.0.1:PORT".
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    /// Points at a restarted server.
    void setUpstreamPort(int port) { m_upstream = port; }
    /// The fault schedule for the next requests.
    void setPlan(const FaultPlan& plan);
    /// Throttles both directions to `bytesPerSecond` (0: unlimited) and adds `latency` before each
    /// request is forwarded and before its response is sent.
    void setThrottle(std::uint64_t bytesPerSecond, std::chrono::milliseconds latency);
    /// One-shot: cuts the client connection as soon as the total bytes read from clients reach `n`.
    void cutAtClientByte(std::uint64_t n);
    /// One-shot: the next response that reaches the proxy goes to the client cut after `n` bytes.
    void cutResponseAt(std::size_t n) { m_cutResponseAt = static_cast<std::int64_t>(n); }
    /// Called after a request was delivered to the server, before its response is read (crash tests).
    void onDelivered(std::function<void(const std::string& requestLine)> hook);

    /// Bytes read from clients, written to clients.
    [[nodiscard]] std::uint64_t bytesFromClients() const { return m_fromClients; }
    [[nodiscard]] std::uint64_t bytesToClients() const { return m_toClients; }
    /// Bytes of requests whose complete response never reached the client (what a client may resend).
    [[nodiscard]] std::uint64_t wastedClientBytes() const { return m_wasted; }
    /// How many requests met each fault.
    [[nodiscard]] std::map<Fault, int> counts() const;
    /// Requests seen.
    [[nodiscard]] int requests() const;

private:
    void acceptLoop();
    void handle(int client);
    Fault decide();
    bool readRequest(int fd, std::string& out);
    bool sendAll(int fd, const std::string& data, std::size_t limit);
    std::string exchangeUpstream(const std::string& request, bool& ok);
    void pace(std::size_t bytes);

    int m_listen = -1;
    int m_port = 0;
    std::atomic<int> m_upstream;
    std::atomic<bool> m_stop{false};
    std::thread m_acceptor;
    mutable std::mutex m_mutex; // plan, rng, counts, threads, hook
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::vector<Worker> m_workers;
    std::mt19937_64 m_rng;
    FaultPlan m_plan;
    std::map<Fault, int> m_counts;
    int m_requests = 0;
    std::function<void(const std::string&)> m_hook;
    std::atomic<std::uint64_t> m_rate{0};
    std::atomic<std::int64_t> m_latencyMs{0};
    std::atomic<std::uint64_t> m_cutAt{0};
    std::atomic<std::int64_t> m_cutResponseAt{-1};
    std::atomic<std::uint64_t> m_fromClients{0}, m_toClients{0}, m_wasted{0};
};

} // namespace carnet::test
