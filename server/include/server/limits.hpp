#pragma once
// Limits that hold before any work is done for a request (docs/security.md, "Limits"): how long a
// client may take to send its request line and headers, then its body; how many bytes of each; how
// many connections one client address may hold. cpp-httplib 0.11 only bounds each single read (5 s), so
// a client sending one byte every second keeps a worker forever, and it reads chunked bodies without a
// bound: the server's connections go through a stream of our own that enforces these limits.

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace carnet::server {

/// The transport limits of the HTTP server; every one has a command-line option (`carnet-server serve`).
struct ServerLimits {
    /// Time from the first byte of a request to the end of its headers (slow-header attacks).
    std::chrono::milliseconds headerTimeout{10'000};
    /// Time from the end of the headers to the end of the body: 64 MiB at 1.1 MB/s (devices send
    /// attachments in 256 KiB chunks; the console's largest upload is 8 MiB).
    std::chrono::milliseconds bodyTimeout{60'000};
    /// Request line and headers together.
    std::size_t maxHeaderBytes = 64u << 10;
    /// Body bytes on the wire per request (still compressed, with chunked framing): the largest route
    /// limit (an attachment chunk, 64 MiB) and some framing; each route has a tighter limit on the
    /// decoded body.
    std::size_t maxTransferBytes = (64u << 20) + (1u << 20);
    /// Open connections per client address (each holds a worker while it is open); more are answered
    /// 429 at once and closed.
    std::size_t maxConnectionsPerAddress = 32;
};

/// What LimitedServer and LimitedTlsServer share: the limits, the count of open connections per
/// client address, and the reading of one connection (plain, or TLS with its handshake under the
/// header deadline) through a stream that enforces the limits.
class ConnectionLimiter {
public:
    explicit ConnectionLimiter(ServerLimits limits)
        : m_limits(limits) {}

    [[nodiscard]] const ServerLimits& limits() const { return m_limits; }

    /// The server's own settings a connection follows.
    struct Settings {
        std::chrono::microseconds readWait, writeWait; ///< one wait for the client (cpp-httplib's)
        std::chrono::seconds keepAlive;                ///< wait for the next request on a connection
        std::size_t maxRequests = 5;                   ///< requests per connection
    };
    /// cpp-httplib's Server::process_request for one request (last: close after it).
    using Process =
        std::function<bool(httplib::Stream&, bool last, bool& closed, const std::function<void(httplib::Request&)>&)>;

    /// Serves the connection `sock` and closes it. With `tls`, the TLS handshake comes first, within the
    /// header deadline, and every read and write goes through it.
    bool serve(socket_t sock, SSL_CTX* tls, const Settings& settings, const std::function<bool()>& running,
               const Process& process);

private:
    ServerLimits m_limits;
    std::mutex m_mutex;
    std::map<std::string, std::size_t> m_perAddress; ///< open connections by client address
};

/// cpp-httplib's server, with every connection read through the limits above.
class LimitedServer : public httplib::Server {
public:
    explicit LimitedServer(ServerLimits limits = {})
        : m_limiter(limits) {}

    [[nodiscard]] const ServerLimits& limits() const { return m_limiter.limits(); }

private:
    bool process_and_close_socket(socket_t sock) override;

    ConnectionLimiter m_limiter;
};

/// cpp-httplib's https server (`serve --tls-cert --tls-key`), with the same limits: its handshake is
/// bounded by the header deadline, and its reads and writes by the same deadlines as plain HTTP.
class LimitedTlsServer : public httplib::SSLServer {
public:
    /// `certFile` and `keyFile` are PEM files of one key pair; is_valid() says whether they loaded.
    LimitedTlsServer(const std::string& certFile, const std::string& keyFile, ServerLimits limits = {})
        : httplib::SSLServer(certFile.c_str(), keyFile.c_str())
        , m_limiter(limits) {}

    [[nodiscard]] const ServerLimits& limits() const { return m_limiter.limits(); }

private:
    bool process_and_close_socket(socket_t sock) override;

    ConnectionLimiter m_limiter;
};

/// Asks the connection the current request arrived on to close once its response is written (a
/// request refused before its body was read leaves that body on the connection). Before closing, what
/// the client still sends is read and dropped: 1 MiB at most, or `drain` bytes (the declared length
/// of a body refused from its Content-Length, bounded by maxTransferBytes), so that a client that
/// only reads the answer once it has sent its body still gets it. No effect outside a LimitedServer or
/// LimitedTlsServer.
void closeConnectionAfterResponse(std::size_t drain = 0);

/// What the request a worker is answering has cost so far (its access log line and metrics).
struct RequestTraffic {
    std::chrono::microseconds elapsed{0}; ///< since its first byte arrived
    std::size_t bytesIn = 0;              ///< request line, headers and body as read from the wire
    std::size_t bytesOut = 0;             ///< the response as written (headers and body)
};
/// The current request's traffic; nullopt outside a LimitedServer or LimitedTlsServer.
[[nodiscard]] std::optional<RequestTraffic> currentRequestTraffic();

} // namespace carnet::server
