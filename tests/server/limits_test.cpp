// Limits before work (issue 17, findings 1, 2, 3 and 6): hostile requests through real HTTP on
// 127.0.0.1, against the server in a thread or, where its memory is measured, a real carnet-server
// process whose peak RSS is read from /proc.
#include "server_fixture.hpp"
#include "server_process.hpp"
#include "xlsx_writer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

using namespace carnet;
using namespace carnet::test;

namespace {

const std::string kPass = "a long enough passphrase 17";
constexpr std::size_t kMiB = 1u << 20;
// The issue's bound on the server's memory during the bomb and slow-connection tests.
constexpr std::size_t kMaxRssMiB = 300;

// A line of /proc/PID/status ("VmHWM", "VmRSS") in MiB.
std::size_t procStatusMiB(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) return std::stoul(line.substr(field.size() + 1)) / 1024;
    FAIL("no " << field << " in /proc/" << pid << "/status");
    return 0;
}

// A raw TCP connection to 127.0.0.1:port, from another loopback address when `from` is given.
class Raw {
public:
    explicit Raw(int port, const char* from = nullptr)
        : m_fd(::socket(AF_INET, SOCK_STREAM, 0)) {
        REQUIRE(m_fd >= 0);
        if (from) {
            sockaddr_in src{};
            src.sin_family = AF_INET;
            REQUIRE(::inet_pton(AF_INET, from, &src.sin_addr) == 1);
            REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0);
        }
        sockaddr_in dst{};
        dst.sin_family = AF_INET;
        dst.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
        REQUIRE(::connect(m_fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0);
    }
    ~Raw() { ::close(m_fd); }
    Raw(const Raw&) = delete;
    Raw& operator=(const Raw&) = delete;

    bool send(std::string_view s) {
        while (!s.empty()) {
            const ssize_t n = ::send(m_fd, s.data(), s.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            s.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// Sends `head`, then the body pieces `next` gives (an empty piece ends the body) for as long as
    /// the server reads them, and returns everything the server answered until it closed (requests
    /// say Connection: close) or `timeout` passed. How much of the body went out is in `sent`.
    std::string exchange(const std::string& head, const std::function<std::string_view()>& next,
                         std::chrono::milliseconds timeout, std::size_t* sent = nullptr) {
        REQUIRE(send(head));
        std::string answer;
        std::string_view pending = next ? next() : std::string_view();
        std::size_t total = 0;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{m_fd, static_cast<short>(POLLIN | (pending.empty() ? 0 : POLLOUT)), 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
                char buf[65536];
                const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
                if (n <= 0) break;
                answer.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            const ssize_t n = ::send(m_fd, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) continue;
                pending = {}; // the server stopped reading: wait for its answer
                continue;
            }
            total += static_cast<std::size_t>(n);
            pending.remove_prefix(static_cast<std::size_t>(n));
            if (pending.empty()) pending = next();
        }
        if (sent) *sent = total;
        return answer;
    }

    /// Whether the server closed the connection (EOF or a reset) within `wait`; an answer is skipped.
    bool closedWithin(std::chrono::milliseconds wait) {
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            char buf[4096];
            if (::recv(m_fd, buf, sizeof buf, 0) <= 0) return true;
        }
        return false;
    }

    [[nodiscard]] int fd() const { return m_fd; }

private:
    int m_fd;
};

int statusOf(const std::string& answer) {
    if (answer.rfind("HTTP/1.1 ", 0) != 0 || answer.size() < 12) return 0;
    return std::stoi(answer.substr(9, 3));
}

json bodyOf(const std::string& answer) {
    const auto at = answer.find("\r\n\r\n");
    if (at == std::string::npos) return json();
    return json::parse(answer.substr(at + 4), nullptr, false);
}

std::string head(const std::string& method, const std::string& path, const std::string& token,
                 const std::string& extra) {
    std::string h = method + " " + path +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nCarnet-Protocol: " + std::to_string(sync::kProtocolVersion) +
                    "\r\nConnection: close\r\n";
    if (!token.empty()) h += "Authorization: Bearer " + token + "\r\n";
    return h + extra + "\r\n";
}

// A gzip body of about 1 MB that inflates to `bytes` zeros: a deflate segment of 1 MiB of zeros after
// a sync flush is the same every time, so it is repeated rather than compressed 1,000 times.
std::string gzipBomb(std::size_t bytes) {
    const std::string zeros(kMiB, '\0');
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) == Z_OK);
    auto segment = [&] {
        std::string out(64 * 1024, '\0');
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
        zs.avail_in = static_cast<uInt>(zeros.size());
        zs.next_out = reinterpret_cast<Bytef*>(out.data());
        zs.avail_out = static_cast<uInt>(out.size());
        REQUIRE(deflate(&zs, Z_SYNC_FLUSH) == Z_OK);
        REQUIRE(zs.avail_in == 0);
        out.resize(out.size() - zs.avail_out);
        return out;
    };
    const std::string first = segment();
    const std::string again = segment();
    REQUIRE(segment() == again);
    deflateEnd(&zs);
    std::string out = first;
    for (std::size_t i = 1; i < bytes / kMiB; ++i)
        out += again;
    out += std::string("\x03\x00", 2); // an empty final block
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(zeros.data()), static_cast<uInt>(zeros.size()));
    for (std::size_t len = kMiB; len < bytes; len *= 2)
        crc = crc32_combine(crc, crc, static_cast<z_off_t>(len));
    for (const std::uint32_t v : {static_cast<std::uint32_t>(crc), static_cast<std::uint32_t>(bytes)})
        for (int i = 0; i < 4; ++i)
            out += static_cast<char>((v >> (8 * i)) & 0xffu);
    return out;
}

// Pieces of a chunked body of `total` bytes (64 KiB chunks of 'x'), then its last chunk.
std::function<std::string_view()> chunked(std::size_t total) {
    auto piece = std::make_shared<std::string>("10000\r\n" + std::string(65536, 'x') + "\r\n");
    auto left = std::make_shared<std::size_t>(total);
    auto done = std::make_shared<bool>(false);
    return [=]() -> std::string_view {
        if (*left >= 65536) {
            *left -= 65536;
            return *piece;
        }
        if (*done) return {};
        *done = true;
        return "0\r\n\r\n";
    };
}

// `bytes` of a fixed body, in 64 KiB pieces.
std::function<std::string_view()> pieces(std::shared_ptr<const std::string> body) {
    auto at = std::make_shared<std::size_t>(0);
    return [=]() -> std::string_view {
        const std::size_t n = std::min<std::size_t>(65536, body->size() - *at);
        std::string_view s(body->data() + *at, n);
        *at += n;
        return s;
    };
}

// A carnet-server process with one organisation, a coordinator and an ambassador.
struct Process {
    TempDir dir;
    ServerProcess server{CARNET_SERVER_BIN, dir.path() / "data"};

    explicit Process(const std::vector<std::string>& options = {}) {
        REQUIRE(server.admin("org add alec"));
        REQUIRE(server.admin("user add coco --role coordinator --org alec --password-stdin", kPass));
        REQUIRE(server.admin("user add awa --role ambassador --org alec --password-stdin", kPass));
        REQUIRE(server.start(options));
    }

    [[nodiscard]] httplib::Client client() const {
        httplib::Client c("127.0.0.1", server.port());
        c.set_default_headers({{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)}});
        c.set_connection_timeout(5, 0);
        c.set_read_timeout(10, 0);
        return c;
    }

    std::string login(const std::string& user) const {
        auto r = client().Post("/api/v1/login", json{{"user", user}, {"password", kPass}}.dump(), "application/json");
        REQUIRE(r);
        REQUIRE(r->status == 200);
        return json::parse(r->body).at("token").get<std::string>();
    }

    [[nodiscard]] std::size_t peakMiB() const { return procStatusMiB(server.pid(), "VmHWM"); }
};

std::string deepJson(int depth) {
    return R"({"id":"deep","version":"1","x":)" + std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']') + "}";
}

} // namespace

TEST_CASE("JSON nested 100,000 deep gets a 4xx JSON error on every route, the server keeps serving",
          "[server][limits]") {
    ServerFixture f;
    const std::string coco = f.login("coco");
    const std::string deep = deepJson(100000);
    auto post = [&](const std::string& path, const std::string& token) {
        auto c = f.client();
        return ServerFixture::reply(c.Post(
            path.c_str(), token.empty() ? httplib::Headers{} : ServerFixture::auth(token), deep, "application/json"));
    };
    // The console's form check: the loader refuses the nesting with its JSON path.
    auto form = post("/api/v1/forms?dry_run=1", coco);
    CHECK(form.status == 422);
    REQUIRE(form.body.is_object());
    CHECK(form.body.at("error") == "invalid_form");
    CHECK(form.body.at("problems").at(0).at("pointer").get<std::string>().rfind("/x/0/0/0/", 0) == 0);
    CHECK(form.body.at("message").get<std::string>().find("nested deeper than 128 levels") != std::string::npos);
    CHECK(post("/api/v1/forms", coco).status == 422);
    // Every JSON body goes through the same reader and its 64 levels (30,000 deep: under the
    // 64 KiB limit of the login and user routes).
    const std::string deepSmall = deepJson(30000);
    auto postSmall = [&](const std::string& path, const std::string& token) {
        auto c = f.client();
        return ServerFixture::reply(c.Post(path.c_str(),
                                           token.empty() ? httplib::Headers{} : ServerFixture::auth(token), deepSmall,
                                           "application/json"));
    };
    for (const char* path : {"/api/v1/users", "/api/v1/devices", "/api/v1/logout", "/api/v1/sync/push",
                             "/api/v1/conflicts/r1/resolve", "/api/v1/walklists/w1/assign"}) {
        INFO(path);
        auto r = postSmall(path, coco);
        CHECK(r.status == 400);
        REQUIRE(r.body.is_object());
        CHECK(r.body.at("error") == "bad_json");
        CHECK(r.body.at("message").get<std::string>().find("deeper than 64 levels at /x/0/0") != std::string::npos);
    }
    auto login = postSmall("/api/v1/login", "");
    CHECK(login.status == 400);
    CHECK(login.body.at("error") == "bad_json");
    // A JSON body over its route's limit is refused from its size.
    auto big = f.post("/api/v1/users", json{{"name", std::string(70000, 'n')}}, coco);
    CHECK(big.status == 413);
    CHECK(big.body.at("error") == "payload_too_large");
    CHECK(f.get("/api/v1/forms", coco).status == 200);
}

namespace {

// Forms with groups nested `depth` deep around one question.
std::string nestedGroups(int depth) {
    std::string open, close;
    for (int i = 0; i < depth; ++i) {
        open += R"({"type":"group","name":"g)" + std::to_string(i) + R"(","children":[)";
        close += "]}";
    }
    return R"({"id":"deep","version":"1","title":"Deep","default_language":"fr","languages":["fr"],)"
           R"("pages":[{"type":"page","name":"p","label":"P","children":[)" +
           open + R"({"type":"text","name":"q","label":"Q"})" + close + "]}]}";
}

// An .xlsx whose survey opens `depth` groups inside one another.
std::string nestedGroupsXlsx(int depth) {
    test::Rows survey{{"type", "name", "label"}};
    for (int i = 0; i < depth; ++i)
        survey.push_back({"begin group", "g" + std::to_string(i), "G"});
    survey.push_back({"text", "q", "Q"});
    for (int i = 0; i < depth; ++i)
        survey.push_back({"end group"});
    return test::xlsx(survey, {}, {{"form_id", "version"}, {"deep", "1"}});
}

} // namespace

// Finding 1, its second half: groups nested 20,000 deep crashed the form reader (readItem). Through the
// console's form routes, as JSON and as an XLSForm: a 422 naming the place, and the server keeps serving.
TEST_CASE("forms with groups nested too deep get a 422 naming the place, as JSON and as XLSForm",
          "[server][limits][forms]") {
    ServerFixture f;
    const std::string coco = f.login("coco");
    auto upload = [&](const std::string& path, const std::string& body, const std::string& type) {
        auto c = f.client();
        return ServerFixture::reply(c.Post(path.c_str(), ServerFixture::auth(coco), body, type.c_str()));
    };
    const std::string jsonType = "application/json";
    for (const char* path : {"/api/v1/forms?dry_run=1", "/api/v1/forms"}) {
        INFO(path);
        // 20,000 groups: refused from the JSON depth (128) before the form is read.
        auto deep = upload(path, nestedGroups(20000), jsonType);
        CHECK(deep.status == 422);
        REQUIRE(deep.body.is_object());
        CHECK(deep.body.at("error") == "invalid_form");
        CHECK(deep.body.at("problems")
                  .at(0)
                  .at("pointer")
                  .get<std::string>()
                  .rfind("/pages/0/children/0/children/0/", 0) == 0);
        // 33 groups: within the JSON depth, refused by the form reader's own limit (32).
        auto nested = upload(path, nestedGroups(33), jsonType);
        CHECK(nested.status == 422);
        REQUIRE(nested.body.is_object());
        CHECK(nested.body.dump().find("nested deeper than 32") != std::string::npos);
    }
    CHECK(upload("/api/v1/forms?dry_run=1", nestedGroups(32), jsonType).status == 200);
    // The same through the XLSForm import, which builds the form document in memory.
    const std::string xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    auto xlsx = upload("/api/v1/forms?dry_run=1", nestedGroupsXlsx(20000), xlsxType);
    std::printf("limits: XLSForm with 20,000 nested groups: HTTP %d %s\n", xlsx.status,
                xlsx.body.is_object() ? xlsx.body.value("message", std::string()).substr(0, 200).c_str() : "");
    CHECK(xlsx.status == 422);
    REQUIRE(xlsx.body.is_object());
    CHECK(xlsx.body.contains("error"));
    CHECK(upload("/api/v1/forms?dry_run=1", nestedGroupsXlsx(33), xlsxType).status == 422);
    CHECK(f.get("/api/v1/forms", coco).status == 200);
}

TEST_CASE("no body is read before authentication, and body limits hold for Content-Length, chunked and gzip",
          "[server][limits][memory]") {
    Process p;
    const std::string coco = p.login("coco");
    const std::size_t before = p.peakMiB();
    const auto wait = std::chrono::seconds(30);
    const std::string jsonType = "Content-Type: application/json\r\n";

    // 1 MB of gzip inflating to 1 GiB, with no token, then with a coordinator's (over the route's limit).
    auto bomb = std::make_shared<const std::string>(gzipBomb(1024 * kMiB));
    CHECK(bomb->size() < 2 * kMiB);
    const std::string gz =
        jsonType + "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(bomb->size()) + "\r\n";
    std::size_t sent = 0;
    auto a = Raw(p.server.port()).exchange(head("POST", "/api/v1/users", "", gz), pieces(bomb), wait, &sent);
    CHECK(statusOf(a) == 401);
    CHECK(bodyOf(a).at("error") == "unauthorized");
    a = Raw(p.server.port()).exchange(head("POST", "/api/v1/users", coco, gz), pieces(bomb), wait);
    CHECK(statusOf(a) == 413);
    a = Raw(p.server.port()).exchange(head("POST", "/api/v1/forms", coco, gz), pieces(bomb), wait);
    CHECK(statusOf(a) == 413);
    CHECK(bodyOf(a).at("error") == "payload_too_large");

    // 200 MiB chunked, with no token and with one.
    const std::string te = jsonType + "Transfer-Encoding: chunked\r\n";
    for (const char* path : {"/api/v1/users", "/api/v1/forms", "/api/v1/sync/push"}) {
        INFO(path);
        a = Raw(p.server.port()).exchange(head("POST", path, "", te), chunked(200 * kMiB), wait, &sent);
        CHECK(statusOf(a) == 401);
        CHECK(sent < 16 * kMiB); // refused from the headers: the body was not read
        a = Raw(p.server.port()).exchange(head("POST", path, coco, te), chunked(200 * kMiB), wait, &sent);
        CHECK(statusOf(a) == 413);
        CHECK(sent < 32 * kMiB);
    }
    // A body on a route that takes none, and on no route at all.
    a = Raw(p.server.port()).exchange(head("GET", "/api/v1/forms", coco, te), chunked(200 * kMiB), wait, &sent);
    CHECK(statusOf(a) == 400);
    CHECK(bodyOf(a).at("error") == "unexpected_body");
    CHECK(bodyOf(a).at("localized") == "Cette requête ne prend pas de corps.");
    a = Raw(p.server.port()).exchange(head("POST", "/nowhere", "", te), chunked(200 * kMiB), wait, &sent);
    CHECK(statusOf(a) == 404);
    CHECK(sent < 16 * kMiB);

    // A 60 MiB attachment chunk with no token: refused before its body.
    const std::string sha(64, 'a');
    const std::string put =
        "Content-Type: application/octet-stream\r\nContent-Length: " + std::to_string(60 * kMiB) + "\r\n";
    auto sixty = std::make_shared<const std::string>(60 * kMiB, 'x');
    a = Raw(p.server.port())
            .exchange(head("PUT", "/api/v1/attachments/" + sha + "?offset=0", "", put), pieces(sixty), wait, &sent);
    CHECK(statusOf(a) == 401);
    CHECK(sent < 16 * kMiB);

    const std::size_t after = p.peakMiB();
    std::printf("limits: carnet-server peak RSS %zu MiB before the bombs, %zu MiB after (bound %zu MiB)\n", before,
                after, kMaxRssMiB);
    CHECK(after < kMaxRssMiB);
    // Still serving.
    auto forms = p.client().Get("/api/v1/forms", ServerFixture::auth(coco));
    REQUIRE(forms);
    CHECK(forms->status == 200);
}

namespace {

// The first bytes a TLS client sends (its ClientHello), made by OpenSSL in memory.
std::string clientHello() {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    REQUIRE(ctx != nullptr);
    SSL* ssl = SSL_new(ctx);
    REQUIRE(ssl != nullptr);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out); // the SSL owns both now
    SSL_set_connect_state(ssl);
    CHECK(SSL_do_handshake(ssl) == -1); // waits for the server's answer
    char* data = nullptr;
    const long n = BIO_ctrl(out, BIO_CTRL_INFO, 0, &data);
    REQUIRE(n > 0);
    std::string hello(data, static_cast<std::size_t>(n));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return hello;
}

// A self-signed certificate for 127.0.0.1 in `dir` (server.pem, server.key).
std::vector<std::string> tlsOptions(const std::filesystem::path& dir) {
    const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                            "-subj '/CN=127.0.0.1' -keyout '" +
                            (dir / "server.key").string() + "' -out '" + (dir / "server.pem").string() +
                            "' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return {"--tls-cert", (dir / "server.pem").string(), "--tls-key", (dir / "server.key").string()};
}

// 200 connections from 127.0.0.2 send the start of a request (over TLS: of the handshake) a byte a
// second; a normal request from 127.0.0.1 must still be answered at once.
void slowConnections(bool tls) {
    TempDir certs;
    std::vector<std::string> options{"--header-timeout-ms", "1000", "--max-connections-per-address", "8"};
    if (tls)
        for (auto& o : tlsOptions(certs.path()))
            options.push_back(o);
    Process p(options);
    auto client = [&] {
        httplib::Client c(p.server.url());
        c.enable_server_certificate_verification(false); // self-signed: the transport is what is tested
        c.set_default_headers({{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)}});
        c.set_connection_timeout(5, 0);
        c.set_read_timeout(10, 0);
        return c;
    };
    auto login = client().Post("/api/v1/login", json{{"user", "coco"}, {"password", kPass}}.dump(), "application/json");
    REQUIRE(login);
    REQUIRE(login->status == 200);
    const std::string coco = json::parse(login->body).at("token").get<std::string>();
    std::vector<std::unique_ptr<Raw>> slow;
    for (int i = 0; i < 200; ++i)
        slow.push_back(std::make_unique<Raw>(p.server.port(), "127.0.0.2"));
    std::atomic<bool> stop{false};
    std::thread dripper([&, line = tls ? clientHello() : std::string("GET /api/v1/forms HTTP/1.1\r\n")] {
        for (std::size_t k = 0; k < line.size() && !stop; ++k) {
            for (auto& c : slow)
                if (::send(c->fd(), &line[k], 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) continue; // closed: fine
            for (int t = 0; t < 10 && !stop; ++t)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // A normal request from another address is served at once (it would otherwise queue behind them).
    int served = 0;
    for (int i = 0; i < 7; ++i) {
        auto c = client();
        c.set_read_timeout(2, 0);
        auto forms = c.Get("/api/v1/forms", ServerFixture::auth(coco));
        if (forms && forms->status == 200) ++served;
    }
    CHECK(served == 7);
    // The address's connections past 8 were refused at once; the others are closed by the header
    // timeout (1 s), well before their request line (or handshake) is complete.
    std::size_t closed = 0;
    for (auto& s : slow)
        if (s->closedWithin(std::chrono::milliseconds(10))) ++closed;
    CHECK(closed >= 190);
    for (auto& s : slow)
        CHECK(s->closedWithin(std::chrono::milliseconds(2500)));
    stop = true;
    dripper.join();
    const std::size_t peak = p.peakMiB();
    std::printf("limits: %s: %d of 7 requests served during 200 slow connections; carnet-server peak RSS %zu MiB "
                "(bound %zu MiB)\n",
                tls ? "https" : "http", served, peak, kMaxRssMiB);
    CHECK(peak < kMaxRssMiB);
    auto again = client().Get("/api/v1/forms", ServerFixture::auth(coco));
    REQUIRE(again);
    CHECK(again->status == 200);
}

} // namespace

TEST_CASE("slow connections from one address do not starve the workers", "[server][limits][slow]") {
    slowConnections(false);
}

TEST_CASE("slow TLS handshakes from one address do not starve the workers of an https server",
          "[server][limits][slow][tls]") {
    slowConnections(true);
}

// OpenSSL keeps errors in a queue per thread, and a worker serves many connections: a handshake that
// failed (plain HTTP sent to the https port, as scanners do) must not make the next one on that worker
// fail too.
TEST_CASE("an https server keeps serving after failed handshakes", "[server][limits][tls]") {
    TempDir certs;
    Process p(tlsOptions(certs.path()));
    for (int i = 0; i < 100; ++i) {
        const std::string answer =
            Raw(p.server.port()).exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n", {}, std::chrono::seconds(5));
        CHECK(statusOf(answer) == 0); // not HTTP: the handshake failed and the connection was closed
    }
    int served = 0;
    for (int i = 0; i < 40; ++i) {
        httplib::Client c(p.server.url());
        c.enable_server_certificate_verification(false); // self-signed: the transport is what is tested
        c.set_connection_timeout(5, 0);
        c.set_read_timeout(5, 0);
        auto r = c.Get("/api/v1/forms", {{std::string(sync::kProtocolHeader), std::to_string(sync::kProtocolVersion)}});
        if (r && r->status == 401) ++served; // no token: refused, but over a working TLS connection
    }
    std::printf("limits: https after 100 failed handshakes: %d of 40 requests answered\n", served);
    CHECK(served == 40);
}

TEST_CASE("a connection over the per-address bound gets a 429 with Retry-After and its text",
          "[server][limits][slow]") {
    Process p({"--max-connections-per-address", "1", "--header-timeout-ms", "5000"});
    // Three connections from 127.0.0.2, all held open, their headers never ending: whichever a worker
    // takes first holds the address's only slot (workers may take them in any order), and the other two
    // are refused at once.
    std::vector<std::unique_ptr<Raw>> conns;
    for (int i = 0; i < 3; ++i) {
        conns.push_back(std::make_unique<Raw>(p.server.port(), "127.0.0.2"));
        REQUIRE(conns.back()->send("GET /api/v1/forms HTTP/1.1\r\n"));
    }
    std::vector<std::string> refused;
    for (auto& c : conns) {
        std::string answer = c->exchange("", {}, std::chrono::seconds(2));
        if (statusOf(answer) == 429) refused.push_back(std::move(answer));
    }
    REQUIRE(refused.size() == 2);
    for (const auto& r : refused) {
        CHECK(r.find("Retry-After: 1\r\n") != std::string::npos);
        CHECK(bodyOf(r).at("error") == "too_many_connections");
        CHECK(bodyOf(r).at("localized").get<std::string>().rfind("Trop de connexions", 0) == 0);
    }
    // Another address is served meanwhile.
    auto forms = p.client().Get("/api/v1/forms", ServerFixture::auth(p.login("coco")));
    REQUIRE(forms);
    CHECK(forms->status == 200);
}

TEST_CASE("password hashing is bounded: excess logins wait their turn or get 503 with Retry-After",
          "[server][limits][hashing]") {
    const std::string login = json{{"user", "awa"}, {"password", kPass}}.dump();
    const std::string request =
        head("POST", "/api/v1/login", "",
             "Content-Type: application/json\r\nContent-Length: " + std::to_string(login.size()) + "\r\n") +
        login;
    // Six logins sent at once: one hash at a time and nobody may wait, so some are refused.
    auto sendAll = [&](const Process& p) {
        std::vector<std::unique_ptr<Raw>> conns;
        for (int i = 0; i < 6; ++i)
            conns.push_back(std::make_unique<Raw>(p.server.port()));
        for (auto& c : conns)
            REQUIRE(c->send(request));
        std::vector<std::string> answers;
        for (auto& c : conns)
            answers.push_back(c->exchange("", {}, std::chrono::seconds(30)));
        return answers;
    };
    {
        Process p({"--password-hashes", "1", "--password-hash-queue", "0"});
        int ok = 0, busy = 0;
        for (const auto& a : sendAll(p)) {
            INFO(a);
            const int status = statusOf(a);
            CHECK((status == 200 || status == 503));
            if (status == 200) ++ok;
            if (status == 503) {
                ++busy;
                CHECK(a.find("Retry-After: 1\r\n") != std::string::npos);
                CHECK(bodyOf(a).at("error") == "busy");
            }
        }
        CHECK(ok >= 1);
        CHECK(busy >= 1);
        std::printf("limits: 6 logins at once, 1 hash at a time, no queue: %d ok, %d busy; peak RSS %zu MiB\n", ok,
                    busy, p.peakMiB());
    }
    {
        // Waiting as long as it takes (six argon2id hashes one after the other on a loaded machine).
        Process p({"--password-hashes", "1", "--password-hash-queue", "8", "--password-hash-wait-ms", "120000"});
        for (const auto& a : sendAll(p))
            CHECK(statusOf(a) == 200);
        std::printf("limits: 6 logins at once, 1 hash at a time, queued: peak RSS %zu MiB\n", p.peakMiB());
    }
}

TEST_CASE("invalid UTF-8 in a walk-list name or a CSV cell gets a 4xx JSON error", "[server][limits][utf8]") {
    ServerFixture f;
    const std::string coco = f.login("coco");
    const std::string header = "commune;rue;numero;logement\n";
    auto import = [&](const std::string& query, const std::string& csv) {
        auto c = f.client();
        return ServerFixture::reply(
            c.Post(("/api/v1/walklists/import" + query).c_str(), ServerFixture::auth(coco), csv, "text/csv"));
    };
    auto name = import("?name=Rue%FF%FEdu%20port", header + "Lyon;rue Neuve;1;A\n");
    CHECK(name.status == 422);
    REQUIRE(name.body.is_object());
    CHECK(name.body.at("error") == "invalid_csv");
    CHECK(name.body.at("errors").at(0).at("message") == "the list name is not UTF-8 text");
    auto cell = import("?name=ok", header + "Lyon;rue Neuve;1;A\nLy\xff\xfeon;rue Neuve;2;B\n");
    CHECK(cell.status == 422);
    REQUIRE(cell.body.is_object());
    CHECK(cell.body.at("errors").at(0).at("line") == 3);
    CHECK(cell.body.at("errors").at(0).at("message") == "the file is not UTF-8 text (save it as UTF-8)");
    // Overlong forms and surrogates are not UTF-8 either.
    CHECK(import("?name=ok", header + "Lyon;rue \xc0\xaf;1;A\n").status == 422);
    CHECK(import("?name=ok", header + "Lyon;rue \xed\xa0\x80;1;A\n").status == 422);
    // A valid file with accents still imports.
    CHECK(import("?name=ok", header + "Lyon;rue de l’Église;1;A\n").status == 200);
}
