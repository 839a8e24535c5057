// bench/sync, the Carnet half: one device pushing 10,000 interview records to a fresh carnet-server
// and a fresh device pulling them, through byte_relay (bytes and requests counted on the TCP
// connection); the raw SQLite ceiling for the same rows; 200 devices syncing at once. Writes the
// same answers as JSON lines (--export) for the PouchDB half (bench/pouch/pouch_bench.js).
// With --arrivals SECONDS it runs only the arrival load instead: N devices, each syncing its records
// once at a random moment of the window, against one or several server processes (--processes) on
// SQLite or on PostgreSQL (--db), the requests of each device alternating between the processes.
#include "child_process.hpp"
#include "core/db.hpp"
#include "core/ids.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <poll.h>
#include <random>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace carnet;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using bench::Child;

constexpr std::string_view kPassword = "mot-de-passe-banc";

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "sync_bench: %s\n", message.c_str());
    std::exit(1);
}

double seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    // nearest rank: the smallest sample with at least p of the samples at or below it
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::max<std::size_t>(rank, 1) - 1];
}

/// CPU seconds (user + system) a process used so far: /proc/PID/stat, fields 14 and 15.
double processCpuSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')'); // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i)
        if (i >= 14) ticks += std::stod(f);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// CPU seconds this process (the device side) used so far, all threads.
double selfCpuSeconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// What crossed the relay since the last take().
struct Traffic {
    std::uint64_t up = 0, down = 0, requests = 0;
};

class Relay {
public:
    Relay(const std::string& bin, int target)
        : m_child({bin, std::to_string(target)}) {
        m_port = std::stoi(m_child.line());
    }
    Traffic take() {
        m_child.write("\n");
        Traffic t;
        if (std::sscanf(m_child.line().c_str(), "%llu %llu %llu", reinterpret_cast<unsigned long long*>(&t.up),
                        reinterpret_cast<unsigned long long*>(&t.down),
                        reinterpret_cast<unsigned long long*>(&t.requests)) != 3)
            die("relay answered something else");
        return t;
    }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

private:
    Child m_child;
    int m_port = 0;
};

void admin(const std::string& server, const fs::path& data, const std::string& args, const std::string& db = {}) {
    const std::string cmd = "'" + server + "' --data '" + data.string() + "' " +
                            (db.empty() ? std::string() : "--db '" + db + "' ") + args + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) die("failed: carnet-server " + args);
}

// The bench form: 19 questions of an interview, about 500 bytes of answers JSON once filled.
json makeForm() {
    auto label = [](const std::string& fr, const std::string& en) { return json{{"fr", fr}, {"en", en}}; };
    auto choices = [](std::initializer_list<const char*> values) {
        json out = json::array();
        for (const char* v : values)
            out.push_back(json{{"value", v}, {"label", v}});
        return out;
    };
    json items = json::array();
    auto add = [&](const std::string& name, const std::string& type, json extra = json::object()) {
        json item{{"name", name}, {"type", type}, {"label", label("Question " + name, "Question " + name)}};
        item.update(extra);
        items.push_back(item);
    };
    const json communes = choices({"aix_en_provence", "venelles", "gardanne", "vitrolles", "marseille", "martigues"});
    const json modes = choices({"voiture", "bus", "train", "velo", "marche", "covoiturage", "trottinette"});
    const json issues = choices({"entretien", "absent", "refus", "rappel"});
    add("commune", "select_one", {{"choices", communes}});
    add("adresse", "text");
    add("issue_visite", "select_one", {{"choices", issues}});
    add("nb_personnes", "integer", {{"constraint", ". >= 1 and . <= 12"}});
    add("nb_voitures", "integer", {{"constraint", ". >= 0"}});
    add("nb_velos", "integer", {{"constraint", ". >= 0"}});
    add("age_repondant", "integer", {{"constraint", ". >= 16 and . <= 110"}});
    add("mode_principal", "select_one", {{"choices", modes}});
    add("modes_secondaires", "select_multiple", {{"choices", modes}});
    add("distance_travail_km", "decimal");
    add("duree_trajet_min", "integer");
    add("teletravail_jours", "integer", {{"constraint", ". >= 0 and . <= 5"}});
    add("abonnement_tc", "select_one", {{"choices", choices({"oui", "non"})}});
    add("freins", "select_multiple", {{"choices", choices({"cout", "temps", "securite", "meteo", "sante"})}});
    add("interet_velo", "select_one", {{"choices", choices({"oui", "non", "peut_etre"})}});
    add("telephone", "text");
    add("courriel", "text");
    add("remarques", "text");
    add("date_visite", "date");
    return json{
        {"id", "bench_sync"},
        {"version", "2026.11.1"},
        {"title", label("Banc de synchronisation", "Sync bench")},
        {"default_language", "fr"},
        {"languages", {"fr", "en"}},
        {"settings", {{"kind", "interview"}}},
        {"pages",
         {{{"type", "page"}, {"name", "p1"}, {"label", label("Entretien", "Interview")}, {"children", items}}}}};
}

json makeAnswers(std::mt19937& rng) {
    auto pick = [&](std::initializer_list<const char*> v) { return std::string(*(v.begin() + rng() % v.size())); };
    auto num = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const char* streets[] = {"avenue des Belges", "rue de la République", "boulevard du Roi René",
                             "chemin des Lauves", "cours Mirabeau",       "route de Berre"};
    json a = json::object();
    a["commune"] = pick({"aix_en_provence", "venelles", "gardanne", "vitrolles", "marseille", "martigues"});
    a["adresse"] = std::to_string(num(1, 240)) + " " + streets[rng() % 6];
    a["issue_visite"] = "entretien";
    a["nb_personnes"] = num(1, 6);
    a["nb_voitures"] = num(0, 3);
    a["nb_velos"] = num(0, 4);
    a["age_repondant"] = num(18, 90);
    a["mode_principal"] = pick({"voiture", "bus", "train", "velo", "marche"});
    a["modes_secondaires"] = json::array({pick({"bus", "train"}), pick({"velo", "marche", "covoiturage"})});
    a["distance_travail_km"] = num(5, 4000) / 100.0;
    a["duree_trajet_min"] = num(5, 90);
    a["teletravail_jours"] = num(0, 3);
    a["abonnement_tc"] = pick({"oui", "non"});
    a["freins"] = json::array({pick({"cout", "temps"}), pick({"securite", "meteo", "sante"})});
    a["interet_velo"] = pick({"oui", "non", "peut_etre"});
    a["telephone"] = "06 " + std::to_string(num(10, 99)) + " " + std::to_string(num(10, 99)) + " " +
                     std::to_string(num(10, 99)) + " " + std::to_string(num(10, 99));
    a["courriel"] = "habitant" + std::to_string(num(1000, 9999)) + "@exemple.fr";
    a["remarques"] =
        "Intéressé par l’essai d’un vélo électrique, rappeler après " + std::to_string(num(17, 19)) + " h.";
    a["date_visite"] = "2026-11-" + std::to_string(num(10, 28));
    return a;
}

store::Store openStore(const fs::path& dir, Durability d) {
    auto s = store::Store::open(dir, store::StoreOptions{d, "fr", 0});
    if (!s.ok()) die(s.error().message);
    return std::move(*s);
}

/// A load device's store: the form and `records` interviews by `author` (synchronous=NORMAL to fill
/// quickly), reopened with the production setting (FULL) for the sync.
store::Store fillDevice(const fs::path& dir, const std::string& formText, int records, const std::string& author,
                        std::mt19937& rng) {
    {
        auto s = openStore(dir, Durability::Normal);
        if (auto r = s.installForm(formText); !r.ok()) die(r.error().message);
        for (int i = 0; i < records; ++i)
            if (auto id = s.importAnswers("bench_sync", makeAnswers(rng), author); !id.ok()) die(id.error().message);
    }
    return openStore(dir, Durability::Full);
}

/// Times every request it carries (the load test's per-request latency).
class TimingTransport final : public sync::Transport {
public:
    TimingTransport(std::unique_ptr<sync::Transport> inner, std::vector<double>& samples, std::atomic<int>& errors)
        : m_inner(std::move(inner))
        , m_samples(samples)
        , m_errors(errors) {}
    Result<sync::HttpResponse> send(const sync::HttpRequest& request) override {
        const auto t0 = Clock::now();
        auto r = m_inner->send(request);
        m_samples.push_back(seconds(Clock::now() - t0) * 1000.0);
        if (!r.ok() || r->status >= 400) ++m_errors;
        return r;
    }
    void setToken(std::string token) override { m_inner->setToken(std::move(token)); }

private:
    std::unique_ptr<sync::Transport> m_inner;
    std::vector<double>& m_samples;
    std::atomic<int>& m_errors;
};

/// Sends each request to the next server process in turn, as a round-robin load balancer in front of
/// them would: a device's push, its retry and its pull may each land on another process.
class RoundRobinTransport final : public sync::Transport {
public:
    explicit RoundRobinTransport(const std::vector<std::string>& urls) {
        for (const auto& u : urls)
            m_inner.push_back(sync::makeCurlTransport(u));
    }
    Result<sync::HttpResponse> send(const sync::HttpRequest& request) override {
        return m_inner[m_next++ % m_inner.size()]->send(request);
    }
    void setToken(std::string token) override {
        for (auto& t : m_inner)
            t->setToken(token);
    }

private:
    std::vector<std::unique_ptr<sync::Transport>> m_inner;
    std::size_t m_next = 0;
};

struct Args {
    std::string server, relay, exportFile;
    fs::path scratch = fs::temp_directory_path() / "carnet-bench-sync";
    int records = 10000, devices = 200, perDevice = 50;
    int arrivals = 0;  ///< seconds: the arrival load alone, each device at a random moment of the window
    int processes = 1; ///< server processes for the arrival load (several need --db)
    std::string db;    ///< postgresql://… for the arrival load; empty: SQLite in the data folder
};

Args parseArgs(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--server")
            a.server = v;
        else if (k == "--relay")
            a.relay = v;
        else if (k == "--export")
            a.exportFile = v;
        else if (k == "--scratch") // the parent: only the benchmark's own subfolder is ever deleted
            a.scratch = fs::path(v) / "carnet-bench-sync";
        else if (k == "--records")
            a.records = std::stoi(v);
        else if (k == "--devices")
            a.devices = std::stoi(v);
        else if (k == "--per-device")
            a.perDevice = std::stoi(v);
        else if (k == "--arrivals")
            a.arrivals = std::stoi(v);
        else if (k == "--processes")
            a.processes = std::stoi(v);
        else if (k == "--db")
            a.db = v;
        else
            die("unknown option " + k);
    }
    if (a.server.empty() || (a.relay.empty() && a.arrivals == 0))
        die("usage: sync_bench --server BIN --relay BIN [--export FILE] [--scratch DIR] [--records N] "
            "[--devices N] [--per-device N]\n"
            "       sync_bench --server BIN --arrivals SECONDS [--devices N] [--per-device N] [--processes N] "
            "[--db postgresql://…] [--scratch DIR]");
    if (a.processes < 1 || (a.processes > 1 && a.db.empty()))
        die("--processes above 1 needs --db: SQLite is one process's database");
    return a;
}

void checkReport(const sync::SyncReport& r, const char* what) {
    if (!r.ok) die(std::string(what) + ": " + r.toJson().dump());
}

/// Server data: the form, one organisation, the bench user u0 and one user per load device (u1…uN).
/// Password hashing (argon2id) makes `user add` slow, so four run at a time.
void addAccounts(const Args& args, const fs::path& data, const fs::path& formFile) {
    admin(args.server, data, "org add bench", args.db);
    admin(args.server, data, "form publish '" + formFile.string() + "'", args.db);
    const std::string db = args.db.empty() ? std::string() : "--db '" + args.db + "' ";
    const std::string cmd = "seq 0 " + std::to_string(args.devices) + " | xargs -P 4 -I{} sh -c \"printf '%s\\n' '" +
                            std::string(kPassword) + "' | '" + args.server + "' --data '" + data.string() + "' " + db +
                            "user add u{} --role ambassador --org bench --password-stdin >/dev/null\"";
    if (std::system(cmd.c_str()) != 0) die("user add failed");
}

/// The arrival load (--arrivals): every device fills its store and logs in (untimed, four at a time),
/// then each syncs once, starting at a moment drawn uniformly over the window; the figures are each
/// request's latency, the records pushed per second of the whole run, the errors, and each device's
/// whole sync at the 99th percentile. A device counts as an error when its sync fails, pushes another
/// number of records than it holds, or pushes anything again on a second sync.
void runArrivals(const Args& args, const std::string& formText, const fs::path& data, const fs::path& formFile) {
    addAccounts(args, data, formFile);
    std::vector<std::unique_ptr<Child>> servers;
    std::vector<std::string> urls;
    for (int p = 0; p < args.processes; ++p) {
        std::vector<std::string> argv{args.server, "--data", data.string()};
        if (!args.db.empty()) argv.insert(argv.end(), {"--db", args.db});
        argv.insert(argv.end(),
                    {"serve", "--port", "0", "--bind", "127.0.0.1", "--max-connections-per-address", "100000"});
        servers.push_back(std::make_unique<Child>(argv));
        const std::string listening = servers.back()->line();
        const auto colon = listening.rfind(':');
        if (colon == std::string::npos) die("server said: " + listening);
        urls.push_back("http://127.0.0.1:" + listening.substr(colon + 1));
    }

    struct Device {
        std::optional<store::Store> store;
        std::unique_ptr<sync::Transport> transport;
        std::vector<double> latencies;
        sync::SyncReport report;
        double startAfter = 0; ///< seconds into the window
        double syncMs = 0;     ///< the whole sync, first request to last answer
    };
    std::vector<Device> devices(static_cast<std::size_t>(args.devices));
    std::atomic<int> errors{0};
    std::mt19937 when(20261207);
    std::uniform_real_distribution<double> moment(0.0, static_cast<double>(args.arrivals));
    for (auto& dev : devices)
        dev.startAfter = moment(when);
    {
        std::atomic<int> next{0};
        std::vector<std::thread> setup;
        for (int w = 0; w < 4; ++w)
            setup.emplace_back([&, w] {
                std::mt19937 rng(static_cast<unsigned>(20261126 + w));
                for (int d = next++; d < args.devices; d = next++) {
                    Device& dev = devices[static_cast<std::size_t>(d)];
                    const fs::path dir = args.scratch / ("arrival-" + std::to_string(d));
                    dev.store = fillDevice(dir, formText, args.perDevice, "u" + std::to_string(d + 1), rng);
                    dev.transport = std::make_unique<TimingTransport>(std::make_unique<RoundRobinTransport>(urls),
                                                                      dev.latencies, errors);
                    if (auto l = sync::login(*dev.store, *dev.transport, urls[0], "u" + std::to_string(d + 1),
                                             std::string(kPassword));
                        !l.ok())
                        die(l.error().message);
                    dev.latencies.clear();
                }
            });
        for (auto& t : setup)
            t.join();
    }
    errors = 0;
    std::fprintf(stderr, "# arrivals: %d devices x %d records over %d s, %d process(es) on %s, load average %s\n",
                 args.devices, args.perDevice, args.arrivals, args.processes, args.db.empty() ? "SQLite" : "PostgreSQL",
                 [] {
                     std::ifstream in("/proc/loadavg");
                     std::string a, b, c;
                     in >> a >> b >> c;
                     return a + " " + b + " " + c;
                 }()
                     .c_str());
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (auto& dev : devices)
        threads.emplace_back([&dev, t0] {
            std::this_thread::sleep_until(
                t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(dev.startAfter)));
            const auto s0 = Clock::now();
            dev.report = sync::synchronize(*dev.store, *dev.transport);
            dev.syncMs = seconds(Clock::now() - s0) * 1000.0;
        });
    for (auto& t : threads)
        t.join();
    const double took = seconds(Clock::now() - t0);
    int pushed = 0, failed = errors.load();
    std::vector<double> all, syncs;
    for (const auto& dev : devices) {
        pushed += dev.report.pushed;
        if (!dev.report.ok || dev.report.pushed != args.perDevice) {
            ++failed;
            std::fprintf(stderr, "# arrival device failed: %s\n", dev.report.toJson().dump().c_str());
        }
        all.insert(all.end(), dev.latencies.begin(), dev.latencies.end());
        syncs.push_back(dev.syncMs);
    }
    // Nothing left behind: a second sync of every device must find its outbox empty and push nothing.
    int again = 0;
    for (auto& dev : devices) {
        const auto r = sync::synchronize(*dev.store, *dev.transport);
        if (!r.ok || r.pushed != 0) ++again;
    }
    std::printf("load_devices %d devices\n", args.devices);
    std::printf("load_window_s %d s\n", args.arrivals);
    std::printf("load_processes %d processes\n", args.processes);
    std::printf("load_errors %d errors\n", failed + again);
    std::printf("load_rec_per_s %.0f rec/s\n", pushed / took);
    std::printf("load_requests %zu requests\n", all.size());
    std::printf("load_p50_ms %.1f ms\n", percentile(all, 0.5));
    std::printf("load_p99_ms %.1f ms\n", percentile(all, 0.99));
    std::printf("load_sync_p99_ms %.1f ms\n", percentile(syncs, 0.99));
}

} // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // figures show as they come, also through a pipe
    const Args args = parseArgs(argc, argv);
    fs::remove_all(args.scratch);
    fs::create_directories(args.scratch);
    const fs::path data = args.scratch / "server";
    const fs::path formFile = args.scratch / "bench_sync.json";
    const std::string formText = makeForm().dump(2);
    std::ofstream(formFile) << formText;
    if (args.arrivals > 0) {
        runArrivals(args, formText, data, formFile);
        return 0;
    }

    addAccounts(args, data, formFile);

    // 1. One device, N records filled through the store (synchronous=NORMAL to fill quickly; the
    // sync below runs on the store reopened with the production setting, FULL).
    std::mt19937 rng(20261126);
    std::fprintf(stderr, "# seed 20261126, %d records, %d load devices x %d records\n", args.records, args.devices,
                 args.perDevice);
    const fs::path devA = args.scratch / "device-a";
    std::size_t answerBytes = 0;
    {
        auto s = openStore(devA, Durability::Normal);
        if (auto r = s.installForm(formText); !r.ok()) die(r.error().message);
        std::ofstream out;
        if (!args.exportFile.empty()) out.open(args.exportFile);
        for (int i = 0; i < args.records; ++i) {
            const json answers = makeAnswers(rng);
            answerBytes += answers.dump().size();
            auto id = s.importAnswers("bench_sync", answers, "Awa");
            if (!id.ok()) die(id.error().message);
            if (out.is_open())
                out << json{{"_id", *id},
                            {"kind", "interview"},
                            {"form_id", "bench_sync"},
                            {"form_version", "2026.11.1"},
                            {"author", "Awa"},
                            {"status", "draft"},
                            {"answers", answers}}
                           .dump()
                    << '\n';
        }
    }
    std::printf("sync_records %d records\n", args.records);
    std::printf("sync_answer_bytes %.0f bytes\n", static_cast<double>(answerBytes) / args.records);

    // Every simulated device connects from 127.0.0.1: lift the per-address bound (docs/security.md).
    Child server({args.server, "--data", data.string(), "serve", "--port", "0", "--bind", "127.0.0.1",
                  "--max-connections-per-address", "100000"});
    const std::string listening = server.line();
    const auto colon = listening.rfind(':');
    if (colon == std::string::npos) die("server said: " + listening);
    const int serverPort = std::stoi(listening.substr(colon + 1));
    Relay relay(args.relay, serverPort);

    // Push: from the first request of the sync to the last acknowledged batch (the engine then pulls;
    // the server does not send a device its own records back, so that pull is one empty page).
    {
        auto s = openStore(devA, Durability::Full);
        auto t = sync::makeCurlTransport(relay.url());
        if (auto l = sync::login(s, *t, relay.url(), "u0", std::string(kPassword)); !l.ok()) die(l.error().message);
        relay.take();
        Clock::time_point pushed;
        Traffic pushTraffic;
        double serverCpu = 0, deviceCpu = 0;
        sync::SyncOptions o;
        o.progress = [&](const std::string& step, int done, int) {
            if (step == "push" && done == args.records) {
                pushed = Clock::now();
                pushTraffic = relay.take();
                serverCpu += processCpuSeconds(server.pid());
                deviceCpu += selfCpuSeconds();
            }
        };
        serverCpu -= processCpuSeconds(server.pid());
        deviceCpu -= selfCpuSeconds();
        const auto t0 = Clock::now();
        auto r = sync::synchronize(s, *t, o);
        checkReport(r, "push");
        if (r.pushed != args.records || pushTraffic.requests == 0)
            die("push: " + std::to_string(r.pushed) + " records pushed");
        if (r.pulled != 0) die("push: the device got " + std::to_string(r.pulled) + " of its own records back");
        std::printf("sync_push_rec_per_s %.0f rec/s\n", args.records / seconds(pushed - t0));
        std::printf("sync_push_bytes_per_rec %.0f bytes\n",
                    static_cast<double>(pushTraffic.up + pushTraffic.down) / args.records);
        std::printf("sync_push_requests %llu requests\n", static_cast<unsigned long long>(pushTraffic.requests));
        // Where the push's time goes (not a target): CPU of each side over the push's wall time.
        std::fprintf(stderr, "# push: wall %.2f s, server CPU %.2f s, device CPU %.2f s (all threads)\n",
                     seconds(pushed - t0), serverCpu, deviceCpu);
    }

    // Pull: a fresh device store of the same user, all records.
    {
        auto s = openStore(args.scratch / "device-b", Durability::Full);
        auto t = sync::makeCurlTransport(relay.url());
        if (auto l = sync::login(s, *t, relay.url(), "u0", std::string(kPassword)); !l.ok()) die(l.error().message);
        relay.take();
        const double serverCpu0 = processCpuSeconds(server.pid()), deviceCpu0 = selfCpuSeconds();
        const auto t0 = Clock::now();
        auto r = sync::synchronize(s, *t);
        const double took = seconds(Clock::now() - t0);
        std::fprintf(stderr, "# pull: wall %.2f s, server CPU %.2f s, device CPU %.2f s (all threads)\n", took,
                     processCpuSeconds(server.pid()) - serverCpu0, selfCpuSeconds() - deviceCpu0);
        const Traffic pull = relay.take();
        checkReport(r, "pull");
        if (r.pulled != args.records) die("pull: " + std::to_string(r.pulled) + " records pulled");
        std::printf("sync_pull_rec_per_s %.0f rec/s\n", args.records / took);
        std::printf("sync_pull_bytes_per_rec %.0f bytes\n", static_cast<double>(pull.up + pull.down) / args.records);
        std::printf("sync_pull_requests %llu requests\n", static_cast<unsigned long long>(pull.requests));

        // Nothing to do: the requests seen by the relay.
        auto e = sync::synchronize(s, *t);
        const Traffic empty = relay.take();
        checkReport(e, "empty sync");
        if (e.pulled != 0 || e.pushed != 0) die("empty sync moved records");
        std::printf("sync_empty_round_trips %llu requests\n", static_cast<unsigned long long>(empty.requests));
        std::printf("sync_empty_bytes %llu bytes\n", static_cast<unsigned long long>(empty.up + empty.down));
    }

    // 2. The SQLite ceiling: the same answers rows straight into a table with the server's settings
    // (WAL, synchronous=FULL) and its batch: one transaction per push request of kMaxPushBatch rows.
    {
        std::mt19937 crng(7);
        std::vector<std::string> rows;
        for (int i = 0; i < args.records; ++i)
            rows.push_back(makeAnswers(crng).dump());
        auto db = Db::open(args.scratch / "ceiling.db", DbOptions{false, true, Durability::Full, 5000});
        if (!db.ok() || !db->exec("CREATE TABLE records(record_id TEXT PRIMARY KEY, answers TEXT NOT NULL)").ok())
            die("ceiling database");
        auto ins = db->prepare("INSERT INTO records(record_id, answers) VALUES (?, ?)");
        if (!ins.ok()) die(ins.error().message);
        const auto t0 = Clock::now();
        for (std::size_t at = 0; at < rows.size(); at += sync::kMaxPushBatch) {
            Tx tx(*db);
            for (std::size_t i = at; i < std::min(rows.size(), at + sync::kMaxPushBatch); ++i) {
                ins->bind(1, newUuid()).bind(2, rows[i]);
                if (!ins->run().ok()) die("ceiling insert");
            }
            if (!tx.commit().ok()) die("ceiling commit");
        }
        std::printf("sqlite_ceiling_rows_per_s %.0f rows/s\n", args.records / seconds(Clock::now() - t0));
    }

    // 3. Load: every device fills its own store, logs in as its own user and registers (untimed);
    // then all sync at once, each on its own connection straight to the server.
    {
        struct Device {
            std::optional<store::Store> store;
            std::unique_ptr<sync::Transport> transport;
            std::vector<double> latencies;
            sync::SyncReport report;
        };
        std::vector<Device> devices(static_cast<std::size_t>(args.devices));
        std::atomic<int> errors{0};
        const std::string url = "http://127.0.0.1:" + std::to_string(serverPort);
        for (int d = 0; d < args.devices; ++d) {
            Device& dev = devices[static_cast<std::size_t>(d)];
            const fs::path dir = args.scratch / ("load-" + std::to_string(d));
            dev.store = fillDevice(dir, formText, args.perDevice, "u" + std::to_string(d + 1), rng);
            dev.transport = std::make_unique<TimingTransport>(sync::makeCurlTransport(url), dev.latencies, errors);
            if (auto l =
                    sync::login(*dev.store, *dev.transport, url, "u" + std::to_string(d + 1), std::string(kPassword));
                !l.ok())
                die(l.error().message);
            dev.latencies.clear();
        }
        std::barrier start(args.devices + 1);
        std::vector<std::thread> threads;
        for (auto& dev : devices)
            threads.emplace_back([&dev, &start] {
                start.arrive_and_wait();
                dev.report = sync::synchronize(*dev.store, *dev.transport);
            });
        start.arrive_and_wait();
        const auto t0 = Clock::now();
        for (auto& t : threads)
            t.join();
        const double took = seconds(Clock::now() - t0);
        int pushed = 0, failed = errors.load();
        std::vector<double> all;
        for (const auto& dev : devices) {
            pushed += dev.report.pushed;
            if (!dev.report.ok || dev.report.pushed != args.perDevice || dev.report.pulled != 0) {
                ++failed;
                std::fprintf(stderr, "# load device failed: %s\n", dev.report.toJson().dump().c_str());
            }
            all.insert(all.end(), dev.latencies.begin(), dev.latencies.end());
        }
        std::printf("load_devices %d devices\n", args.devices);
        std::printf("load_errors %d errors\n", failed);
        std::printf("load_rec_per_s %.0f rec/s\n", pushed / took);
        std::printf("load_requests %zu requests\n", all.size());
        std::printf("load_p50_ms %.1f ms\n", percentile(all, 0.5));
        std::printf("load_p99_ms %.1f ms\n", percentile(all, 0.99));
    }
    std::ifstream status("/proc/" + std::to_string(server.pid()) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) std::printf("server_peak_rss_mb %.1f MB\n", std::stod(line.substr(6)) / 1024);
    std::fflush(stdout);
    return 0;
}
