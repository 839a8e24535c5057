// libFuzzer target: whole HTTP requests (request line, headers, body; several requests one after the
// other on the same connection) through cpp-httplib's request processing into every route of the
// server (routes.cpp, console_routes.cpp, field_routes.cpp) on a real SQLite data folder. Each answer
// must be an HTTP response, an error must be a JSON body with "error" and "message", and no request
// may give a 500: a hostile request gets a 4xx, never a crash or an internal error.
//
// "@C" and "@A" in the input stand for the tokens of a coordinator and an ambassador, so the fuzzer
// reaches the routes behind authentication. Inputs that name the login route are skipped: a login
// hashes a password (argon2id, 64 MiB), far too slow per input.
#include "fuzz_expect.hpp"
#include "server/crypto.hpp"
#include "server/limits.hpp"
#include "server/routes.hpp"
#include "server/services.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unistd.h>
#include <utility>

using carnet::fuzz::expect;
using namespace carnet::server;

namespace {

const std::string kCoordinatorToken(64, 'c');
const std::string kAmbassadorToken(64, 'a');

// The input as a connection: reads come from it, the answers are collected.
class MemoryStream final : public httplib::Stream {
public:
    explicit MemoryStream(std::string input)
        : m_in(std::move(input)) {}
    bool is_readable() const override { return m_pos < m_in.size(); }
    bool is_writable() const override { return true; }
    ssize_t read(char* ptr, size_t size) override {
        const std::size_t n = std::min(size, m_in.size() - m_pos);
        std::copy_n(m_in.data() + m_pos, n, ptr);
        m_pos += n;
        return static_cast<ssize_t>(n);
    }
    ssize_t write(const char* ptr, size_t size) override {
        m_out.append(ptr, size);
        return static_cast<ssize_t>(size);
    }
    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        ip = "127.0.0.1";
        port = 40000;
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        ip = "127.0.0.1";
        port = 8080;
    }
    socket_t socket() const override { return 3; }

    [[nodiscard]] bool atEnd() const { return m_pos >= m_in.size(); }
    std::string takeOutput() { return std::exchange(m_out, std::string()); }

private:
    std::string m_in;
    std::size_t m_pos = 0;
    std::string m_out;
};

// The server's request processing without a socket.
class FuzzServer final : public LimitedServer {
public:
    bool serve(httplib::Stream& strm, bool last, bool& closed) { return process_request(strm, last, closed, nullptr); }
};

struct World {
    std::filesystem::path dir;
    std::unique_ptr<Services> services;
    FuzzServer http;

    World() {
        char tmpl[] = "/tmp/carnet-http-fuzz.XXXXXX";
        expect(::mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        auto opened = Services::open(dir / "data");
        expect(opened.ok());
        services = std::move(*opened);
        auto& auth = services->auth();
        expect(auth.addOrg("alec").ok());
        for (const auto& [name, role, token] : {std::tuple{"coco", Role::Coordinator, kCoordinatorToken},
                                                std::tuple{"awa", Role::Ambassador, kAmbassadorToken}}) {
            User u;
            u.name = name;
            u.role = role;
            u.orgId = 1;
            u.passwordHash = "!"; // no login: tokens are given below
            auto id = services->repository().addUser(u);
            expect(id.ok());
            expect(services->repository().addToken(sha256Hex(token), *id).ok());
        }
        expect(services->field().publishBuiltinForms().ok());
        // Errors are expected (that is what is fuzzed); only 500s are logged, and they fail below.
        mountRoutes(http, *services, [](std::string_view) {});
    }
    ~World() {
        services.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

std::string percentDecoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
        }
    }
    return out;
}

std::string withTokens(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '@' && i + 1 < in.size() && (in[i + 1] == 'C' || in[i + 1] == 'A')) {
            out += in[i + 1] == 'C' ? kCoordinatorToken : kAmbassadorToken;
            ++i;
        } else {
            out += in[i];
        }
    }
    return out;
}

// Whether cpp-httplib takes the first request for a HEAD (answered without a body): the first word of
// its request line as it splits it (on spaces, each word trimmed of spaces and tabs, empty words
// skipped), even when the line is broken (" HEAD ap", "HEAD", "\tHEAD\t/").
bool isHead(std::string_view raw) {
    std::string_view line = raw.substr(0, raw.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty()) {
        const auto end = line.find(' ');
        std::string_view word = line.substr(0, end);
        const auto first = word.find_first_not_of(" \t");
        if (first != std::string_view::npos) {
            word = word.substr(first, word.find_last_not_of(" \t") - first + 1);
            return word == "HEAD";
        }
        if (end == std::string_view::npos) break;
        line.remove_prefix(end + 1);
    }
    return false;
}

// Checks the responses written on the connection: each is HTTP, none is a 500, and the first, when it
// is an error with a JSON body, has "error" and "message". (Later ones are only found by their status
// line: a HEAD response declares a length it does not send.)
void checkAnswers(const std::string& out, bool head) {
    if (out.empty()) return; // nothing complete was read: the connection is just closed
    expect(out.rfind("HTTP/1.1 ", 0) == 0);
    for (std::size_t at = 0; at != std::string::npos; at = out.find("\nHTTP/1.1 ", at + 1)) {
        const std::size_t line = out[at] == '\n' ? at + 1 : at;
        const int status = std::atoi(out.c_str() + line + 9);
        expect(status >= 100 && status < 500); // a 500 is a bug: hostile input gets a 4xx
    }
    const std::size_t headEnd = out.find("\r\n\r\n");
    expect(headEnd != std::string::npos);
    const std::string headers = out.substr(0, headEnd);
    const int status = std::atoi(out.c_str() + 9);
    const auto cl = headers.find("\r\nContent-Length: ");
    if (head || status < 400 || cl == std::string::npos || headers.find("application/json") == std::string::npos)
        return;
    const std::size_t length = std::strtoull(headers.c_str() + cl + 18, nullptr, 10);
    const auto j = nlohmann::json::parse(out.substr(headEnd + 4, length), nullptr, false);
    expect(j.is_object() && j.contains("error") && j.contains("message"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World world;
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    if (percentDecoded(raw).find("login") != std::string::npos) return 0;
    MemoryStream strm(withTokens(raw));
    // Up to four requests on one connection, as a kept-alive client sends them.
    for (int i = 0; i < 4 && !strm.atEnd(); ++i) {
        bool closed = false;
        const bool ok = world.http.serve(strm, i == 3, closed);
        if (!ok || closed) break;
    }
    checkAnswers(strm.takeOutput(), isHead(raw));
    return 0;
}
