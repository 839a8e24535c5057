// byte_relay: a TCP relay on 127.0.0.1 that counts every byte crossing it, both ways, and the HTTP
// requests going up. bench/sync puts it between each client and server (Carnet and PouchDB alike),
// so headers and bodies are counted the same way for both stacks.
//
//   byte_relay TARGET_PORT    prints the port it listens on, then for each line read on stdin prints
//                             "UP DOWN REQUESTS" counted since the previous line (and starts again).
#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

std::atomic<std::uint64_t> g_up{0}, g_down{0}, g_requests{0};
int g_target = 0;

// Counts request lines (" HTTP/1.1\r\n") in the upstream bytes, across read boundaries.
class RequestCounter {
public:
    void feed(const char* data, std::size_t n) {
        m_tail.append(data, n);
        std::size_t at = 0;
        while ((at = m_tail.find(kMarker, at)) != std::string::npos) {
            ++g_requests;
            at += kMarker.size();
        }
        if (m_tail.size() > kMarker.size()) m_tail.erase(0, m_tail.size() - kMarker.size() + 1);
    }

private:
    static constexpr std::string_view kMarker = " HTTP/1.1\r\n";
    std::string m_tail;
};

void pump(int from, int to, std::atomic<std::uint64_t>& counter, bool upstream) {
    char buf[65536];
    RequestCounter requests;
    while (true) {
        const ssize_t n = ::read(from, buf, sizeof buf);
        if (n <= 0) break;
        counter += static_cast<std::uint64_t>(n);
        if (upstream) requests.feed(buf, static_cast<std::size_t>(n));
        ssize_t off = 0;
        while (off < n) {
            const ssize_t w = ::send(to, buf + off, static_cast<std::size_t>(n - off), MSG_NOSIGNAL);
            if (w <= 0) {
                ::shutdown(from, SHUT_RD);
                return;
            }
            off += w;
        }
    }
    ::shutdown(to, SHUT_WR);
}

void serve(int client) {
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(g_target));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(server);
        ::close(client);
        return;
    }
    const int one = 1;
    ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread down(pump, server, client, std::ref(g_down), false);
    pump(client, server, g_up, true);
    down.join();
    ::close(server);
    ::close(client);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: byte_relay TARGET_PORT\n";
        return 2;
    }
    g_target = std::atoi(argv[1]);
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 512) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::perror("byte_relay");
        return 1;
    }
    std::printf("%d\n", ntohs(addr.sin_port));
    std::fflush(stdout);
    std::thread([listener] {
        while (true) {
            const int c = ::accept(listener, nullptr, nullptr);
            if (c < 0) continue;
            std::thread(serve, c).detach();
        }
    }).detach();
    std::string line;
    while (std::getline(std::cin, line)) {
        std::printf("%llu %llu %llu\n", static_cast<unsigned long long>(g_up.exchange(0)),
                    static_cast<unsigned long long>(g_down.exchange(0)),
                    static_cast<unsigned long long>(g_requests.exchange(0)));
        std::fflush(stdout);
    }
    return 0;
}
