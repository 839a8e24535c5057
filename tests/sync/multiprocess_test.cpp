// Two carnet-server processes on one PostgreSQL behind haproxy (issue 19, docs/architecture.md,
// "PostgreSQL"): every request of the devices goes to the next process in turn, a fault proxy sits in
// front of each process, one process is killed (kill -9) while a push is in it and started again, one
// push applied by the other process loses its response, and the devices retry: nothing lost, nothing
// applied twice, every device converges, and an attachment uploaded in chunks that alternated between
// the processes is served by both. Real parts everywhere: carnet-server processes, haproxy,
// PostgreSQL, device stores, libcurl. The kills and the lost response happen at known points (the
// n-th push a proxy delivered); nothing waits for a time to pass.
#include "fault_proxy.hpp"
#include "pg_cluster.hpp"
#include "server_process.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <random>
#include <set>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace carnet;
using namespace carnet::sync;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kForm = std::string(CARNET_SOURCE_DIR) + "/tests/sync/household_visit.json";
const std::string kPassword = "multi-password";

std::string fileBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// haproxy in the foreground with a configuration the test writes, listening on a socket the test
// bound and hands over as fd 3 (`bind fd@3`): connections wait in that socket's backlog until haproxy
// takes them, so there is no port to guess and nothing to wait for. Round robin per request, no
// health checks: with one client at a time the processes strictly alternate, and a request sent to a
// dead process fails (502) instead of being moved, so the device's own retry is what is tested.
class Haproxy {
public:
    Haproxy(const fs::path& dir, const std::vector<int>& servers) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd, 128) == 0);
        socklen_t len = sizeof a;
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        m_port = ntohs(a.sin_port);
        const fs::path cfg = dir / "haproxy.cfg";
        {
            std::ofstream out(cfg);
            out << "global\n  maxconn 512\n"
                   "defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n"
                   "frontend carnet\n  bind fd@3\n  default_backend servers\n"
                   "backend servers\n  balance roundrobin\n";
            for (std::size_t i = 0; i < servers.size(); ++i)
                out << "  server s" << i << " 127.0.0.1:" << servers[i] << "\n";
        }
        const std::string log = (dir / "haproxy.log").string(), path = cfg.string();
        m_pid = ::fork();
        if (m_pid == 0) {
            if (fd != 3) ::dup2(fd, 3);
            ::fcntl(3, F_SETFD, 0);
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (out >= 0) {
                ::dup2(out, 1);
                ::dup2(out, 2);
            }
            ::execlp("haproxy", "haproxy", "-db", "-f", path.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fd);
        REQUIRE(m_pid > 0);
    }
    ~Haproxy() {
        if (m_pid <= 0) return;
        ::kill(m_pid, SIGTERM);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
    Haproxy(const Haproxy&) = delete;
    Haproxy& operator=(const Haproxy&) = delete;
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

private:
    int m_port = 0;
    pid_t m_pid = -1;
};

// Closed while the test restarts a killed process: the devices' next requests wait for it to be back
// (as a load balancer's health check would take the dead process out), so how long a restart takes
// changes nothing in the run. The requests already sent when the process died fail, as they would.
class Gate {
public:
    void close() {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    void open() {
        {
            std::lock_guard lock(m_mutex);
            m_closed = false;
        }
        m_changed.notify_all();
    }
    void pass() {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_closed; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_closed = false;
};

// The device's libcurl transport behind the gate.
class GatedTransport final : public Transport {
public:
    GatedTransport(std::unique_ptr<Transport> inner, Gate& gate)
        : m_inner(std::move(inner))
        , m_gate(gate) {}
    Result<HttpResponse> send(const HttpRequest& r) override {
        m_gate.pass();
        return m_inner->send(r);
    }
    void setToken(std::string token) override { m_inner->setToken(std::move(token)); }
    [[nodiscard]] std::uint64_t bytesSent() const override { return m_inner->bytesSent(); }
    [[nodiscard]] std::uint64_t bytesReceived() const override { return m_inner->bytesReceived(); }

private:
    std::unique_ptr<Transport> m_inner;
    Gate& m_gate;
};

// One device: its store and its libcurl transport (behind the gate).
struct Device {
    store::Store store;
    std::unique_ptr<Transport> transport;
    Device(const fs::path& dir, const std::string& user, const std::string& url, Gate& gate)
        : store(open(dir))
        , transport(std::make_unique<GatedTransport>(makeCurlTransport(url), gate)) {
        auto r = login(store, *transport, url, user, kPassword);
        INFO(user << ": " << (r.ok() ? std::string() : r.error().message));
        REQUIRE(r.ok());
    }
    // One outbox entry per edit (StoreOptions::compactOutbox off): the test counts mutations.
    static store::Store open(const fs::path& dir) {
        store::StoreOptions o{Durability::Normal, "en", 0};
        o.compactOutbox = false;
        auto s = store::Store::open(dir, o);
        REQUIRE(s.ok());
        return std::move(*s);
    }
    // Every record this device holds: id -> answers.
    std::map<std::string, json> records() {
        auto all = store.list(std::nullopt, true);
        REQUIRE(all.ok());
        std::map<std::string, json> out;
        for (const auto& r : *all)
            out[r.id] = r.answers;
        return out;
    }
};

SyncOptions fast(int attempts) {
    SyncOptions o;
    o.attempts = attempts;
    o.sleep = [](std::chrono::milliseconds) {}; // backoff is counted, not waited
    o.pushBatch = 10;
    return o;
}

// One query on the test database, its rows as text.
std::vector<std::vector<std::string>> pgRows(const std::string& url, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
    REQUIRE(PQstatus(c.get()) == CONNECTION_OK);
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
    INFO(sql << ": " << PQerrorMessage(c.get()));
    REQUIRE(PQresultStatus(r.get()) == PGRES_TUPLES_OK);
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        rows.emplace_back();
        for (int j = 0; j < PQnfields(r.get()); ++j)
            rows.back().emplace_back(PQgetvalue(r.get(), i, j));
    }
    return rows;
}

std::int64_t pgScalar(const std::string& url, const std::string& sql) {
    const auto rows = pgRows(url, sql);
    REQUIRE(rows.size() == 1);
    return std::strtoll(rows[0][0].c_str(), nullptr, 10);
}

std::ptrdiff_t count(const std::string& text, const std::string& part) {
    std::ptrdiff_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

} // namespace

TEST_CASE("two server processes on one PostgreSQL behind haproxy: kill -9 of one mid-push loses nothing, applies "
          "nothing twice, and every device converges",
          "[sync][multiprocess]") {
    std::uint64_t seed = 20261207;
    if (const char* env = std::getenv("CARNET_SYNC_SEED")) seed = std::strtoull(env, nullptr, 10);
    std::cout << "multiprocess: seed " << seed << " (set CARNET_SYNC_SEED to replay)" << std::endl;
    std::mt19937_64 rng(seed);

    test::TempDir dir;
    const std::string db = test::freshPostgresDatabase();
    // One data folder for both processes: the attachments and form media (docs/architecture.md,
    // "PostgreSQL"); everything else is in the database.
    const fs::path shared = dir.path() / "shared";
    test::ServerProcess a(CARNET_SERVER_BIN, shared), b(CARNET_SERVER_BIN, shared);
    a.setDatabase(db);
    b.setDatabase(db);
    a.setStderr(dir.path() / "a.log");
    b.setStderr(dir.path() / "b.log");
    // Three devices: amb0's phone and tablet (each sees what the other wrote), amb1's phone.
    constexpr int kDevices = 3;
    const std::vector<std::string> owners{"amb0", "amb0", "amb1"};
    REQUIRE(a.admin("org add alec"));
    for (const char* user : {"amb0", "amb1"})
        REQUIRE(a.admin(std::string("user add ") + user + " --role ambassador --org alec --password-stdin", kPassword));
    REQUIRE(b.admin("user add coord --role coordinator --org alec --password-stdin", kPassword));
    REQUIRE(b.admin("form publish " + kForm));
    // Behind a proxy every connection comes from 127.0.0.1 (docs/security.md, "Limits").
    const std::vector<std::string> serveArgs{"--max-connections-per-address", "1000"};
    REQUIRE(a.start(serveArgs));
    REQUIRE(b.start(serveArgs));
    // A pass-through fault proxy in front of each process tells which pushes reached it.
    test::FaultProxy toA(a.port(), seed), toB(b.port(), seed + 1);
    Haproxy lb(dir.path(), {toA.port(), toB.port()});

    Gate gate;
    std::vector<std::unique_ptr<Device>> devices;
    for (int i = 0; i < kDevices; ++i) {
        const auto& user = owners[static_cast<std::size_t>(i)];
        devices.push_back(std::make_unique<Device>(dir.path() / ("device" + std::to_string(i)), user, lb.url(), gate));
        REQUIRE(synchronize(devices.back()->store, *devices.back()->transport, fast(3)).ok); // the form
    }

    // A photo of 600 KiB (three 256 KiB chunks), sent by one device alone: its requests alternate
    // between the processes, so its chunks are appended by both, and the last one completes it.
    std::string photoBytes(600 * 1024, '\0');
    for (auto& c : photoBytes)
        c = static_cast<char>(rng());
    std::ofstream(dir.path() / "photo.jpg", std::ios::binary) << photoBytes;
    std::map<std::string, json> expected;                          // every record: its last answers
    std::map<std::string, std::map<std::string, json>> expectedOf; // by user: what that user may see
    auto& first = devices[0]->store;
    auto photo = first.addAttachment(dir.path() / "photo.jpg");
    REQUIRE(photo.ok());
    const std::string photoId = *first.importAnswers("household_visit", json{{"photo", photo->hash + ".jpg"}}, "a");
    expected[photoId] = expectedOf["amb0"][photoId] = json{{"photo", photo->hash + ".jpg"}};
    const SyncReport uploaded = synchronize(first, *devices[0]->transport, fast(3));
    REQUIRE(uploaded.ok);
    CHECK(uploaded.attachmentsUploaded == 1);
    const std::string logBeforeA = fileBytes(dir.path() / "a.log"), logBeforeB = fileBytes(dir.path() / "b.log");
    const std::string chunk = " PUT /api/v1/attachments/{sha256} 200 ";
    const auto chunksA = count(logBeforeA, chunk), chunksB = count(logBeforeB, chunk);
    CHECK(chunksA + chunksB == 3);
    CHECK(chunksA > 0);
    CHECK(chunksB > 0);

    // Each device: 20 records, each created then edited three times (80 outbox entries, 8 pushes).
    constexpr int kRecords = 20;
    for (int d = 0; d < kDevices; ++d) {
        auto& s = devices[static_cast<std::size_t>(d)]->store;
        for (int i = 0; i < kRecords; ++i) {
            const std::string tag = std::to_string(d) + "-" + std::to_string(i);
            auto imported = s.importAnswers("household_visit", json{{"note", "n" + tag}}, "a");
            REQUIRE(imported.ok());
            REQUIRE(s.setAnswer(*imported, "nb", i).ok());
            REQUIRE(s.setAnswer(*imported, "nom", "nom" + tag).ok());
            REQUIRE(s.setAnswer(*imported, "note", "fin" + tag).ok());
            expected[*imported] = expectedOf[owners[static_cast<std::size_t>(d)]][*imported] =
                json{{"note", "fin" + tag}, {"nb", i}, {"nom", "nom" + tag}};
        }
    }
    const std::int64_t mutations = 1 + kDevices * kRecords * 4;

    // Process a is killed right after the 2nd and the 5th push the proxy delivered to it (after a
    // seeded delay of up to 3 ms: before, during or after its commit), and started again on the same
    // database and folder; the requests in flight fail and the devices retry them, new ones wait at the
    // gate until it is back. The response to the 3rd push process b received is cut after b applied it:
    // the device sends it again, to whichever process is next.
    std::atomic<int> pushesToA{0}, pushesToB{0}, kills{0}, restartFailures{0};
    const auto jitter = std::chrono::microseconds(rng() % 3000);
    const auto isPush = [](const std::string& line) { return line.rfind("POST /api/v1/sync/push", 0) == 0; };
    toA.onDelivered([&](const std::string& line) {
        if (!isPush(line)) return;
        const int n = ++pushesToA;
        if (n != 2 && n != 5) return;
        gate.close();
        std::this_thread::sleep_for(jitter); // where in the push the kill lands, not a synchronisation
        a.kill9();
        ++kills;
        if (!a.start(serveArgs)) ++restartFailures;
        toA.setUpstreamPort(a.port());
        gate.open();
    });
    toB.onDelivered([&](const std::string& line) {
        if (isPush(line) && ++pushesToB == 3) toB.cutResponseAt(0);
    });

    // The devices sync at the same time, each until its outbox is empty.
    std::vector<int> pushed(kDevices, 0), syncs(kDevices, 0);
    std::vector<std::thread> threads;
    for (int d = 0; d < kDevices; ++d)
        threads.emplace_back([&, d] {
            const auto i = static_cast<std::size_t>(d);
            auto& dev = *devices[i];
            for (int t = 0; t < 40; ++t) {
                const SyncReport r = synchronize(dev.store, *dev.transport, fast(4));
                pushed[i] += r.pushed;
                ++syncs[i];
                if (r.ok && dev.store.outbox()->empty()) break;
            }
        });
    for (auto& t : threads)
        t.join();
    toA.onDelivered({});
    toB.onDelivered({});
    CHECK(kills == 2);
    CHECK(restartFailures == 0);
    CHECK(pushesToB >= 3);
    CHECK(toA.wastedClientBytes() > 0); // requests cut by the kills
    CHECK(toB.wastedClientBytes() > 0); // the push whose response was lost

    // Nothing lost: every outbox is empty, every mutation was acknowledged, once.
    for (int d = 0; d < kDevices; ++d) {
        const auto i = static_cast<std::size_t>(d);
        INFO("amb" << d << ": " << syncs[i] << " syncs");
        CHECK(devices[i]->store.outbox()->empty());
        CHECK(pushed[i] == kRecords * 4);
    }
    // Nothing applied twice, in the database itself: one stored result per (device, seq), one version
    // per mutation.
    CHECK(pgScalar(db, "SELECT sum(jsonb_array_length(results::jsonb)) FROM applied_batches") == mutations);
    CHECK(pgScalar(db, "SELECT count(*) FROM (SELECT DISTINCT device_id, r ->> 'seq' FROM applied_batches, "
                       "jsonb_array_elements(results::jsonb) r) x") == mutations);
    CHECK(pgScalar(db, "SELECT sum(version) FROM records") == mutations);
    CHECK(pgScalar(db, "SELECT count(*) FROM record_versions") ==
          mutations - static_cast<std::int64_t>(expected.size())); // the versions before the last
    // The server holds every record with its last answers and one version per mutation.
    std::map<std::string, json> server;
    for (const auto& row : pgRows(db, "SELECT record_id, answers, version FROM records")) {
        server[row[0]] = json::parse(row[1]);
        CHECK(row[2] == (row[0] == photoId ? "1" : "4"));
    }
    CHECK(server == expected);

    // Every device converges: a last sync has nothing to push, and every device holds the same records
    // as the server, all those its user may see (amb0's two devices each other's); the coordinator
    // (through haproxy) holds them all.
    for (auto& dev : devices) {
        const SyncReport r = synchronize(dev->store, *dev->transport, fast(3));
        CHECK(r.ok);
        CHECK(r.pushed == 0);
    }
    Device coord(dir.path() / "coord", "coord", lb.url(), gate);
    REQUIRE(synchronize(coord.store, *coord.transport, fast(3)).ok);
    CHECK(coord.records() == expected);
    for (int d = 0; d < kDevices; ++d) {
        INFO("device " << d << " of " << owners[static_cast<std::size_t>(d)]);
        CHECK(devices[static_cast<std::size_t>(d)]->records() == expectedOf[owners[static_cast<std::size_t>(d)]]);
    }

    // The photo: the same bytes from each process asked directly, the restarted one included.
    const std::string token = *coord.store.setting("server_token");
    for (const std::string& url : {a.url(), b.url()}) {
        auto t = makeCurlTransport(url);
        t->setToken(token);
        auto got = t->send(HttpRequest{"GET", "/api/v1/attachments/" + photo->hash + "/content", "", {}});
        REQUIRE(got.ok());
        INFO(url);
        CHECK(got->status == 200);
        CHECK(got->body == photoBytes);
    }

    // Both processes answered pushes.
    REQUIRE(a.stop());
    REQUIRE(b.stop());
    const std::string push = " POST /api/v1/sync/push 200 ";
    const auto pushesA = count(fileBytes(dir.path() / "a.log"), push),
               pushesB = count(fileBytes(dir.path() / "b.log"), push);
    CHECK(pushesA > 0);
    CHECK(pushesB > 0);
    std::cout << "multiprocess: " << kDevices << " devices, " << mutations << " mutations, each applied once; " << kills
              << " kill -9 of process a, 1 response cut after process b applied a push; pushes answered "
              << "by a: " << pushesA << ", by b: " << pushesB << "; photo chunks appended by a: " << chunksA
              << ", by b: " << chunksB << "; syncs per device: " << syncs[0] << ", " << syncs[1] << ", " << syncs[2]
              << std::endl;
}
