#include "fault_proxy.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace carnet::test {

namespace {

void closeFd(int fd) {
    if (fd >= 0) {
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
    }
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// The request with "Connection: close", so the server ends its response by closing.
std::string closingRequest(const std::string& request) {
    const auto end = request.find("\r\n\r\n");
    std::string head = request.substr(0, end), out;
    std::size_t pos = 0;
    while (pos <= head.size()) {
        auto eol = head.find("\r\n", pos);
        if (eol == std::string::npos) eol = head.size();
        const std::string line = head.substr(pos, eol - pos);
        if (lower(line).rfind("connection:", 0) != 0) out += line + "\r\n";
        pos = eol + 2;
    }
    return out + "Connection: close\r\n\r\n" + request.substr(end + 4);
}

} // namespace

const char* faultName(Fault f) {
    switch (f) {
    case Fault::None:
        return "none";
    case Fault::CutBeforeServer:
        return "cut_before_server";
    case Fault::CutAfterServer:
        return "cut_after_server";
    case Fault::CutMidResponse:
        return "cut_mid_response";
    case Fault::Delay:
        return "delay";
    case Fault::Replay:
        return "replay";
    case Fault::CutMidRequest:
        return "cut_mid_request";
    }
    return "?";
}

FaultProxy::FaultProxy(int upstreamPort, std::uint64_t seed)
    : m_upstream(upstreamPort)
    , m_rng(seed) {
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(m_listen, 64) != 0) {
        closeFd(m_listen);
        m_listen = -1;
        return;
    }
    socklen_t len = sizeof addr;
    ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_acceptor = std::thread([this] { acceptLoop(); });
}

FaultProxy::~FaultProxy() {
    m_stop = true;
    if (m_acceptor.joinable()) m_acceptor.join();
    std::vector<Worker> workers;
    {
        std::lock_guard lock(m_mutex);
        workers.swap(m_workers);
    }
    for (auto& w : workers)
        w.thread.join();
    closeFd(m_listen);
}

void FaultProxy::setPlan(const FaultPlan& plan) {
    std::lock_guard lock(m_mutex);
    m_plan = plan;
}

void FaultProxy::setThrottle(std::uint64_t bytesPerSecond, std::chrono::milliseconds latency) {
    m_rate = bytesPerSecond;
    m_latencyMs = latency.count();
}

void FaultProxy::cutAtClientByte(std::uint64_t n) {
    m_cutAt = n;
}

void FaultProxy::onDelivered(std::function<void(const std::string&)> hook) {
    std::lock_guard lock(m_mutex);
    m_hook = std::move(hook);
}

std::map<Fault, int> FaultProxy::counts() const {
    std::lock_guard lock(m_mutex);
    return m_counts;
}

int FaultProxy::requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
}

void FaultProxy::acceptLoop() {
    while (!m_stop) {
        pollfd p{m_listen, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        const int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        std::lock_guard lock(m_mutex);
        // Finished connections are joined as new ones come: thousands of requests, a handful of threads.
        for (auto it = m_workers.begin(); it != m_workers.end();) {
            if (*it->done) {
                it->thread.join();
                it = m_workers.erase(it);
            } else {
                ++it;
            }
        }
        auto done = std::make_shared<std::atomic<bool>>(false);
        m_workers.push_back(Worker{std::thread([this, client, done] {
                                       handle(client);
                                       *done = true;
                                   }),
                                   done});
    }
}

Fault FaultProxy::decide() {
    std::lock_guard lock(m_mutex);
    ++m_requests;
    const double x = std::uniform_real_distribution<double>(0.0, 1.0)(m_rng);
    double acc = 0;
    Fault f = Fault::None;
    for (auto [fault, p] : {std::pair{Fault::CutBeforeServer, m_plan.cutBeforeServer},
                            {Fault::CutAfterServer, m_plan.cutAfterServer},
                            {Fault::CutMidResponse, m_plan.cutMidResponse},
                            {Fault::Delay, m_plan.delay},
                            {Fault::Replay, m_plan.replay}}) {
        acc += p;
        if (x < acc) {
            f = fault;
            break;
        }
    }
    ++m_counts[f];
    return f;
}

void FaultProxy::pace(std::size_t bytes) {
    const std::uint64_t rate = m_rate;
    if (rate == 0 || bytes == 0) return;
    std::this_thread::sleep_for(std::chrono::microseconds(bytes * 1000000 / rate));
}

bool FaultProxy::readRequest(int fd, std::string& out) {
    std::size_t need = std::string::npos;
    char buf[16384];
    while (need == std::string::npos || out.size() < need) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, 100);
        if (m_stop) return false;
        if (ready <= 0) continue;
        std::size_t want = sizeof buf;
        if (m_rate > 0) want = std::max<std::size_t>(256, static_cast<std::size_t>(m_rate / 50));
        want = std::min(want, sizeof buf);
        const ssize_t n = ::recv(fd, buf, want, 0);
        if (n <= 0) return false;
        const auto got = static_cast<std::uint64_t>(n);
        const std::uint64_t before = m_fromClients.fetch_add(got);
        out.append(buf, static_cast<std::size_t>(n));
        const std::uint64_t cut = m_cutAt;
        if (cut > 0 && before + got >= cut) {
            m_cutAt = 0;
            std::lock_guard lock(m_mutex);
            ++m_counts[Fault::CutMidRequest];
            return false;
        }
        pace(static_cast<std::size_t>(n));
        if (need == std::string::npos) {
            const auto end = out.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            std::size_t length = 0;
            const std::string head = lower(out.substr(0, end));
            const auto cl = head.find("\r\ncontent-length:");
            if (cl != std::string::npos) length = std::strtoull(head.c_str() + cl + 17, nullptr, 10);
            need = end + 4 + length;
        }
    }
    return true;
}

bool FaultProxy::sendAll(int fd, const std::string& data, std::size_t limit) {
    std::size_t done = 0;
    const std::size_t total = std::min(limit, data.size());
    while (done < total) {
        std::size_t piece = total - done;
        if (m_rate > 0) piece = std::min<std::size_t>(piece, std::max<std::size_t>(256, m_rate / 50));
        const ssize_t n = ::send(fd, data.data() + done, piece, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
        m_toClients += static_cast<std::uint64_t>(n);
        pace(static_cast<std::size_t>(n));
    }
    return true;
}

std::string FaultProxy::exchangeUpstream(const std::string& request, bool& ok) {
    ok = false;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(m_upstream.load()));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        closeFd(fd);
        return {};
    }
    const std::string req = closingRequest(request);
    std::size_t done = 0;
    while (done < req.size()) {
        const ssize_t n = ::send(fd, req.data() + done, req.size() - done, MSG_NOSIGNAL);
        if (n <= 0) {
            closeFd(fd);
            return {};
        }
        done += static_cast<std::size_t>(n);
    }
    std::function<void(const std::string&)> hook;
    {
        std::lock_guard lock(m_mutex);
        hook = m_hook;
    }
    if (hook) hook(request.substr(0, request.find("\r\n")));
    std::string response;
    char buf[16384];
    while (true) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            closeFd(fd);
            return {};
        }
        if (n == 0) break;
        response.append(buf, static_cast<std::size_t>(n));
    }
    closeFd(fd);
    // A server killed mid-response leaves a response without its end: not a response.
    const auto end = response.find("\r\n\r\n");
    if (end == std::string::npos) return {};
    const std::string head = lower(response.substr(0, end));
    const auto cl = head.find("\r\ncontent-length:");
    if (cl != std::string::npos && response.size() < end + 4 + std::strtoull(head.c_str() + cl + 17, nullptr, 10))
        return {};
    ok = true;
    return response;
}

void FaultProxy::handle(int client) {
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string request;
    if (!readRequest(client, request)) {
        m_wasted += request.size();
        closeFd(client);
        return;
    }
    const Fault fault = decide();
    const auto latency = std::chrono::milliseconds(m_latencyMs.load());
    if (latency.count() > 0) std::this_thread::sleep_for(latency);
    if (fault == Fault::CutBeforeServer) {
        m_wasted += request.size();
        closeFd(client);
        return;
    }
    if (fault == Fault::Delay) {
        FaultPlan plan;
        {
            std::lock_guard lock(m_mutex);
            plan = m_plan;
        }
        std::this_thread::sleep_for(plan.delayBy);
    }
    bool ok = false;
    std::string response = exchangeUpstream(request, ok);
    if (ok && fault == Fault::Replay) response = exchangeUpstream(request, ok); // delivered twice
    if (!ok || fault == Fault::CutAfterServer) {
        m_wasted += request.size();
        closeFd(client);
        return;
    }
    if (latency.count() > 0) std::this_thread::sleep_for(latency);
    std::size_t limit = fault == Fault::CutMidResponse ? response.size() / 2 : response.size();
    if (const std::int64_t cut = m_cutResponseAt.exchange(-1); cut >= 0)
        limit = std::min(limit, static_cast<std::size_t>(cut));
    if (!sendAll(client, response, limit) || limit < response.size()) m_wasted += request.size();
    closeFd(client);
}

} // namespace carnet::test
