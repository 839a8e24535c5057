#include "server/limits.hpp"

#include "core/i18n.hpp"
#include "sync/protocol.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>

namespace carnet::server {

namespace {

using Clock = std::chrono::steady_clock;

// The connection a worker is serving, so that a route can ask for it to be closed.
struct ConnectionState {
    bool closeAfterResponse = false;
    std::size_t drain = 0;                   ///< bytes of a refused body to read and drop before closing
    std::function<RequestTraffic()> traffic; ///< the current request's so far
};
thread_local ConnectionState* t_connection = nullptr;

std::string addressOf(socket_t sock, bool peer) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len)
                        : ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
    if (rc != 0) return {};
    std::array<char, NI_MAXHOST> host{};
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host.data(), host.size(), nullptr, 0, NI_NUMERICHOST) !=
        0)
        return {};
    return host.data();
}

int portOf(socket_t sock, bool peer) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len)
                        : ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
    if (rc != 0) return -1;
    if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    return -1;
}

// A socket read with an absolute deadline per phase of the request: the request line and headers
// (headerTimeout, maxHeaderBytes), then the body (bodyTimeout, maxTransferBytes). A single wait is
// also bounded by the server's read timeout. Once a limit is crossed every read fails, so cpp-httplib
// answers 400 or gives up, and the connection is closed. Over TLS the socket is non-blocking and every
// wait of OpenSSL (a record that comes a byte at a time, a renegotiation) is a poll under the same
// deadlines, so that a slow client cannot hold a worker inside SSL_read either.
class LimitedStream final : public httplib::Stream {
public:
    LimitedStream(socket_t sock, SSL* ssl, const ServerLimits& limits, std::chrono::microseconds readWait,
                  std::chrono::microseconds writeWait)
        : m_sock(sock)
        , m_ssl(ssl)
        , m_limits(limits)
        , m_readWait(readWait)
        , m_writeWait(writeWait) {}

    /// The TLS handshake, within the header deadline; false when it failed or took too long.
    bool handshake() {
        m_deadline = Clock::now() + m_limits.headerTimeout;
        for (;;) {
            ERR_clear_error(); // SSL_get_error reads the thread's queue: only this call's errors
            const int rc = SSL_accept(m_ssl);
            if (rc == 1) return true;
            if (!waitForTls(rc, waitLeft())) return false;
        }
    }

    /// Waits for the first byte of the next request (keep-alive); false when none came in time.
    bool waitForRequest(std::chrono::milliseconds wait) {
        if (m_failed) return false;
        if (m_pos < m_len || (m_ssl && SSL_pending(m_ssl) > 0)) return true;
        return pollFor(POLLIN, wait);
    }

    /// A new request starts: its header deadline runs from now.
    void startRequest() {
        m_started = Clock::now();
        m_bytesOut = 0;
        m_head = true;
        m_crlf = 0;
        m_headBytes = 0;
        m_bodyBytes = 0;
        m_deadline = Clock::now() + m_limits.headerTimeout;
    }

    [[nodiscard]] bool failed() const { return m_failed; }

    /// The current request's time so far and bytes on the wire (headers and body, either way).
    [[nodiscard]] RequestTraffic traffic() const {
        return {std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - m_started),
                m_headBytes + m_bodyBytes, m_bytesOut};
    }

    bool is_readable() const override {
        if (m_pos < m_len || (m_ssl && SSL_pending(m_ssl) > 0)) return true;
        return const_cast<LimitedStream*>(this)->pollFor(POLLIN, waitLeft());
    }
    bool is_writable() const override { return const_cast<LimitedStream*>(this)->pollFor(POLLOUT, m_writeWait); }

    ssize_t read(char* ptr, size_t size) override {
        if (m_failed || size == 0) return m_failed ? -1 : 0;
        if (m_pos == m_len) {
            const ssize_t n = m_ssl ? receiveTls() : receivePlain();
            if (n < 0) return fail();
            if (n == 0) return 0;
            m_pos = 0;
            m_len = static_cast<std::size_t>(n);
        }
        std::size_t n = std::min(size, m_len - m_pos);
        if (m_head) {
            // cpp-httplib reads the request line and headers a byte at a time; they end at an empty line.
            for (std::size_t i = 0; i < n; ++i) {
                const char c = m_buf[m_pos + i];
                m_crlf = (c == (m_crlf % 2 == 0 ? '\r' : '\n')) ? m_crlf + 1 : (c == '\r' ? 1 : 0);
                if (++m_headBytes > m_limits.maxHeaderBytes) return fail();
                if (m_crlf == 4) {
                    m_head = false;
                    m_deadline = Clock::now() + m_limits.bodyTimeout;
                    m_bodyBytes = n - i - 1;
                    break;
                }
            }
        } else {
            m_bodyBytes += n;
        }
        if (m_bodyBytes > m_limits.maxTransferBytes) return fail();
        std::copy_n(m_buf.data() + m_pos, n, ptr);
        m_pos += n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override {
        const ssize_t n = send(ptr, size);
        if (n > 0) m_bytesOut += static_cast<std::size_t>(n);
        return n;
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        ip = addressOf(m_sock, true);
        port = portOf(m_sock, true);
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        ip = addressOf(m_sock, false);
        port = portOf(m_sock, false);
    }
    socket_t socket() const override { return m_sock; }

private:
    ssize_t send(const char* ptr, size_t size) {
        if (!m_ssl) {
            if (!pollFor(POLLOUT, m_writeWait)) return -1;
            return ::send(m_sock, ptr, size, MSG_NOSIGNAL);
        }
        if (size == 0) return 0;
        const int n = static_cast<int>(std::min<size_t>(size, INT_MAX));
        for (;;) {
            ERR_clear_error();
            const int rc = SSL_write(m_ssl, ptr, n);
            if (rc > 0) return rc;
            if (!waitForTls(rc, m_writeWait)) return -1;
        }
    }

    ssize_t fail() {
        m_failed = true;
        return -1;
    }

    ssize_t receivePlain() {
        const auto wait = waitLeft();
        if (wait.count() <= 0 || !pollFor(POLLIN, wait)) return -1;
        return ::recv(m_sock, m_buf.data(), m_buf.size(), 0);
    }

    ssize_t receiveTls() {
        for (;;) {
            if (waitLeft().count() <= 0) return -1;
            ERR_clear_error();
            const int rc = SSL_read(m_ssl, m_buf.data(), static_cast<int>(m_buf.size()));
            if (rc > 0) return rc;
            if (SSL_get_error(m_ssl, rc) == SSL_ERROR_ZERO_RETURN) return 0; // the client's close_notify
            if (!waitForTls(rc, waitLeft())) return -1;
        }
    }

    // After an OpenSSL call returned `rc`: waits (at most `wait`) for what it needs, the socket readable
    // or writable; false on an error or when the wait ran out.
    bool waitForTls(int rc, std::chrono::microseconds wait) {
        switch (SSL_get_error(m_ssl, rc)) {
        case SSL_ERROR_WANT_READ:
            return pollFor(POLLIN, wait);
        case SSL_ERROR_WANT_WRITE:
            return pollFor(POLLOUT, wait);
        default:
            return false;
        }
    }

    // How long the next read may wait: the server's read timeout, and never past the phase's deadline.
    [[nodiscard]] std::chrono::microseconds waitLeft() const {
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(m_deadline - Clock::now());
        return std::min(left, m_readWait);
    }

    template <class Duration> bool pollFor(short events, Duration wait) {
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
        if (ms <= 0) return false;
        pollfd p{m_sock, events, 0};
        int rc = 0;
        do {
            rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(ms, 24LL * 3600 * 1000)));
        } while (rc < 0 && errno == EINTR);
        return rc > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
    }

    socket_t m_sock;
    SSL* m_ssl; ///< null for plain HTTP
    const ServerLimits& m_limits;
    std::chrono::microseconds m_readWait, m_writeWait;
    std::array<char, 4096> m_buf{};
    std::size_t m_pos = 0, m_len = 0;
    bool m_head = true, m_failed = false;
    int m_crlf = 0; ///< how much of "\r\n\r\n" was just read
    std::size_t m_headBytes = 0, m_bodyBytes = 0, m_bytesOut = 0;
    Clock::time_point m_deadline = Clock::now(), m_started = Clock::now();
};

// Counts a connection against its client address for as long as it is open.
class AddressSlot {
public:
    AddressSlot(std::mutex& mutex, std::map<std::string, std::size_t>& counts, std::string address, std::size_t max)
        : m_mutex(mutex)
        , m_counts(counts)
        , m_address(std::move(address)) {
        std::lock_guard lock(m_mutex);
        auto& n = m_counts[m_address];
        if (n < max) {
            ++n;
            m_taken = true;
        } else if (n == 0) {
            m_counts.erase(m_address);
        }
    }
    ~AddressSlot() {
        if (!m_taken) return;
        std::lock_guard lock(m_mutex);
        if (auto it = m_counts.find(m_address); it != m_counts.end() && --it->second == 0) m_counts.erase(it);
    }
    AddressSlot(const AddressSlot&) = delete;
    AddressSlot& operator=(const AddressSlot&) = delete;
    [[nodiscard]] bool taken() const { return m_taken; }

private:
    std::mutex& m_mutex;
    std::map<std::string, std::size_t>& m_counts;
    std::string m_address;
    bool m_taken = false;
};

// The request was not read, so neither was its Accept-Language: the text is in French, the server's
// default (http::localizeError).
void refuse(LimitedStream& strm, std::size_t max) {
    auto j = sync::errorBody("too_many_connections", "more than " + std::to_string(max) +
                                                         " open connections from your address; close some and retry");
    j["localized"] = tr("api.error.too_many_connections", Lang::Fr);
    j["lang"] = std::string(langCode(Lang::Fr));
    const std::string body = j.dump();
    const std::string head = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: "
                             "1\r\nConnection: close\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n";
    const std::string all = head + body;
    (void)strm.write(all.data(), all.size()); // best effort: the connection is closed either way
    // Closing with unread bytes would reset the connection, and the client could lose the answer:
    // say nothing more is coming, and drop what it sent already (no wait: a refused connection must
    // not hold a worker).
    ::shutdown(strm.socket(), SHUT_WR);
    std::array<char, 4096> buf{};
    for (std::size_t total = 0; total < (64u << 10);) {
        const ssize_t n = ::recv(strm.socket(), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n <= 0) break;
        total += static_cast<std::size_t>(n);
    }
}

// A response sent before the request's body was read: closing at once with that body unread would
// reset the connection, and the client could lose the response. Say that nothing more is coming,
// then read (and drop) what the client still sends, as web servers do: 1 MiB at most within 250 ms,
// or a refused body's declared length (each wait at most 1 s, 10 s in all).
void lingerClose(socket_t sock, std::size_t drain) {
    ::shutdown(sock, SHUT_WR);
    const std::size_t maxBytes = std::max<std::size_t>(1u << 20, drain);
    const auto deadline =
        Clock::now() + (drain > 0 ? std::chrono::milliseconds(10'000) : std::chrono::milliseconds(250));
    std::array<char, 16384> buf{};
    std::size_t total = 0;
    while (total < maxBytes) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        pollfd p{sock, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000))) <= 0) break;
        const ssize_t n = ::recv(sock, buf.data(), buf.size(), 0);
        if (n <= 0) break;
        total += static_cast<std::size_t>(n);
    }
}

} // namespace

bool ConnectionLimiter::serve(socket_t sock, SSL_CTX* tls, const Settings& settings,
                              const std::function<bool()>& running, const Process& process) {
    SSL* ssl = nullptr;
    if (tls) {
        // Non-blocking, so that no OpenSSL call waits past a deadline (LimitedStream polls instead).
        const int flags = ::fcntl(sock, F_GETFL, 0);
        if (flags >= 0) ::fcntl(sock, F_SETFL, flags | O_NONBLOCK);
        std::lock_guard lock(m_mutex);
        ssl = SSL_new(tls);
        if (ssl && SSL_set_fd(ssl, static_cast<int>(sock)) != 1) {
            SSL_free(ssl);
            ssl = nullptr;
        }
    }
    LimitedStream strm(sock, ssl, m_limits, settings.readWait, settings.writeWait);
    bool ok = true;
    if (!tls || ssl) {
        AddressSlot slot(m_mutex, m_perAddress, addressOf(sock, true), m_limits.maxConnectionsPerAddress);
        if (!slot.taken()) {
            // Over TLS, answering would take a handshake first: the connection is closed at once.
            if (!ssl) refuse(strm, m_limits.maxConnectionsPerAddress);
        } else if (!ssl || strm.handshake()) {
            ConnectionState state;
            state.traffic = [&strm] { return strm.traffic(); };
            t_connection = &state;
            const std::function<void(httplib::Request&)> setup = [ssl](httplib::Request& req) {
                if (ssl) req.ssl = ssl;
            };
            for (std::size_t count = settings.maxRequests; count > 0 && running(); --count) {
                if (!strm.waitForRequest(settings.keepAlive)) break;
                strm.startRequest();
                state.closeAfterResponse = false;
                state.drain = 0;
                bool closed = false;
                ok = process(strm, count == 1, closed, setup);
                if (!ok || closed || state.closeAfterResponse || strm.failed()) break;
            }
            t_connection = nullptr;
            if (ssl && !strm.failed()) {
                ERR_clear_error();
                SSL_shutdown(ssl); // close_notify, best effort (non-blocking)
            }
            if (state.closeAfterResponse || strm.failed())
                lingerClose(sock, std::min(state.drain, m_limits.maxTransferBytes));
        }
    }
    if (ssl) {
        SSL_free(ssl);
        ERR_clear_error(); // nothing of this connection left for the next one on this worker
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
}

namespace {

ConnectionLimiter::Settings settingsOf(time_t readSec, time_t readUsec, time_t writeSec, time_t writeUsec,
                                       time_t keepAliveSec, std::size_t maxRequests) {
    return {std::chrono::seconds(readSec) + std::chrono::microseconds(readUsec),
            std::chrono::seconds(writeSec) + std::chrono::microseconds(writeUsec), std::chrono::seconds(keepAliveSec),
            maxRequests};
}

} // namespace

bool LimitedServer::process_and_close_socket(socket_t sock) {
    return m_limiter.serve(
        sock, nullptr,
        settingsOf(read_timeout_sec_, read_timeout_usec_, write_timeout_sec_, write_timeout_usec_,
                   keep_alive_timeout_sec_, keep_alive_max_count_),
        [this] { return svr_sock_ != INVALID_SOCKET; },
        [this](httplib::Stream& strm, bool last, bool& closed, const std::function<void(httplib::Request&)>& setup) {
            return process_request(strm, last, closed, setup);
        });
}

bool LimitedTlsServer::process_and_close_socket(socket_t sock) {
    return m_limiter.serve(
        sock, ssl_context(),
        settingsOf(read_timeout_sec_, read_timeout_usec_, write_timeout_sec_, write_timeout_usec_,
                   keep_alive_timeout_sec_, keep_alive_max_count_),
        [this] { return svr_sock_ != INVALID_SOCKET; },
        [this](httplib::Stream& strm, bool last, bool& closed, const std::function<void(httplib::Request&)>& setup) {
            return process_request(strm, last, closed, setup);
        });
}

std::optional<RequestTraffic> currentRequestTraffic() {
    if (!t_connection) return std::nullopt;
    return t_connection->traffic();
}

void closeConnectionAfterResponse(std::size_t drain) {
    if (!t_connection) return;
    t_connection->closeAfterResponse = true;
    t_connection->drain = std::max(t_connection->drain, drain);
}

} // namespace carnet::server
