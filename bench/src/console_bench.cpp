// bench/console: the coordinator's console pages against a real carnet-server at 10,000 and 100,000
// records (docs/performance.md, "Console at scale"). Seeds the data folder straight through the
// server's repository (walk lists, buildings, dwellings, door interviews, people, consents, call tasks
// with attempts, before/after trip surveys, as the field workflows write them), starts carnet-server
// on 127.0.0.1 and times the requests each console page makes, as the browser makes them (the
// dashboard's three at once). Prints one `name value unit` line per figure, each the median of --runs.
#include "child_process.hpp"
#include "core/ids.hpp"
#include "server/model.hpp"
#include "server/services.hpp"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <poll.h>
#include <random>
#include <sstream>
#include <string>
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

constexpr std::string_view kPassword = "mot-de-passe-banc-console";
constexpr std::string_view kOrg = "bench";
constexpr std::string_view kCoordinator = "coco";

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "console_bench: %s\n", message.c_str());
    std::exit(1);
}

double millis(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

/// Milliseconds from `started` until the server's log `file` says that its field figures are read
/// ("… 1 organisation(s) …", in either language); dies when it says they are not, or after 300 s.
double waitForWarm(const fs::path& file, Clock::time_point started) {
    const auto deadline = Clock::now() + std::chrono::seconds(300);
    while (Clock::now() < deadline) {
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);) {
            if (line.find("organisation(s)") != std::string::npos) return millis(Clock::now() - started);
            if (line.find("field figures not prepared") != std::string::npos ||
                line.find("chiffres de terrain non préparés") != std::string::npos)
                die("the server did not read its field records: " + line);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    die("the server did not read its field records in 300 s");
}

/// Resident memory of a process in MB (/proc/PID/status, VmRSS).
double rssMb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

/// CPU time a process used so far, in ms, all its threads (/proc/PID/task/*/schedstat: nanoseconds
/// on a CPU), so that a page's cost can be told from the wait for a busy machine's CPUs.
double cpuMs(pid_t pid) {
    double ns = 0;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream in(task.path() / "schedstat");
        double run = 0;
        if (in >> run) ns += run;
    }
    return ns / 1e6;
}

/// CPU time a process used so far, in ms, the threads that ended included (/proc/PID/stat utime and
/// stime, in clock ticks of 10 ms): for the warm-up, whose thread has ended when it is read.
double processCpuMs(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')'); // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; fields >> field && i <= 15; ++i) // fields 14 and 15: utime, stime
        if (i >= 14) ticks += std::stod(field);
    return ticks * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

void admin(const std::string& server, const fs::path& data, const std::string& db, const std::string& args) {
    const std::string cmd = "'" + server + "' --data '" + data.string() + "' " +
                            (db.empty() ? std::string() : "--db '" + db + "' ") + args + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) die("failed: carnet-server " + args);
}

/// Writes records as the field workflows would have, `kBatch` per transaction, until the organisation
/// holds `target` of them; deterministic (seeded by the count already written).
class Seeder {
public:
    Seeder(server::Repository& repo, std::int64_t orgId, std::int64_t authorId)
        : m_repo(repo)
        , m_orgId(orgId)
        , m_authorId(authorId) {
        auto forms = repo.listForms(orgId, {});
        if (!forms.ok()) die(forms.error().message);
        for (const auto& f : *forms) // oldest first: the last one wins
            m_versions[f.formId] = f.version;
    }

    /// Adds walk lists of 50 buildings x 4 dwellings, an interview at each door and what a yes brings,
    /// until `total` records are written (`written` counts what earlier runs wrote).
    void seedTo(std::int64_t& written, std::int64_t total) {
        std::mt19937 rng(static_cast<unsigned>(written) + 7u);
        while (written < total) {
            m_pending.clear();
            walkList(rng, static_cast<int>(written / 1000));
            const auto room = static_cast<std::size_t>(total - written);
            if (m_pending.size() > room) m_pending.resize(room);
            for (std::size_t at = 0; at < m_pending.size(); at += kBatch) {
                const std::size_t end = std::min(m_pending.size(), at + kBatch);
                auto r = m_repo.write([&](server::WriteTx& tx) -> Result<void> {
                    for (std::size_t i = at; i < end; ++i) {
                        const auto& s = m_pending[i];
                        std::vector<std::string> changed;
                        for (const auto& [k, v] : s.answers.items())
                            changed.push_back(k);
                        if (auto w = tx.saveVersion(s, server::versionRowOf(s, "bench-device", s.author, changed));
                            !w.ok())
                            return w;
                    }
                    return {};
                });
                if (!r.ok()) die("seeding: " + r.error().message);
            }
            written += static_cast<std::int64_t>(m_pending.size());
        }
    }

private:
    static constexpr std::size_t kBatch = 2000;

    std::string add(std::string_view formId, std::string status, std::string author, json answers) {
        server::RecordState s;
        s.recordId = newUuid();
        s.orgId = m_orgId;
        s.createdBy = m_authorId;
        s.kind = std::string(formId);
        s.formId = std::string(formId);
        auto v = m_versions.find(s.formId);
        if (v == m_versions.end()) die("form " + s.formId + " is not published");
        s.formVersion = v->second;
        s.status = std::move(status);
        s.author = std::move(author);
        s.version = 1;
        s.answers = std::move(answers);
        for (const auto& [k, val] : s.answers.items())
            s.fields[k] = server::FieldMeta{val, 1, "bench-device"};
        m_pending.push_back(std::move(s));
        return m_pending.back().recordId;
    }

    void walkList(std::mt19937& rng, int n) {
        static const char* kSurnames[] = {"Martin", "Bernard", "Dubois",   "Thomas", "Robert",  "Richard",  "Petit",
                                          "Durand", "Leroy",   "Moreau",   "Simon",  "Laurent", "Lefebvre", "Michel",
                                          "Garcia", "David",   "Bertrand", "Roux",   "Vincent", "Fournier"};
        static const char* kStreets[] = {"avenue des Belges", "rue de la République", "boulevard du Roi René",
                                         "chemin des Lauves", "cours Mirabeau",       "route de Berre"};
        static const char* kOutcomes[] = {"entretien", "entretien", "absent", "refus", "repasser", "entretien"};
        auto num = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        const std::string ambassador = "amb" + std::to_string(n % 20);
        const std::string territory = "territoire_" + std::to_string(n % 12);
        const std::string day = "2026-11-" + std::to_string(10 + n % 19);
        const std::string list = add("walk_list", "finalized", "coco",
                                     {{"nom_liste", "Liste " + std::to_string(n)}, {"ambassadeur", ambassador}});
        for (int b = 0; b < 50; ++b) {
            const std::string street = kStreets[rng() % 6];
            const std::string number = std::to_string(num(1, 240));
            const std::string building = add("building", "finalized", "coco",
                                             {{"walk_list_id", list},
                                              {"territoire", territory},
                                              {"commune_nom", "Aix-en-Provence"},
                                              {"code_postal", "13090"},
                                              {"rue", street},
                                              {"numero", number},
                                              {"ordre", b}});
            for (int d = 0; d < 4; ++d) {
                const std::string outcome = kOutcomes[rng() % 6];
                const std::string dwelling = add("dwelling", "finalized", "coco",
                                                 {{"walk_list_id", list},
                                                  {"building_id", building},
                                                  {"logement", std::to_string(d + 1) + "A"},
                                                  {"ordre", b * 4 + d},
                                                  {"derniere_issue", outcome == "entretien" ? "entretien" : outcome},
                                                  {"nb_passages", 1},
                                                  {"derniere_visite", day + "T10:00"}});
                const bool interview = outcome == "entretien";
                const bool volunteer = interview && rng() % 2 == 0;
                const std::string surname = kSurnames[rng() % 20];
                const std::string phone = "06 " + std::to_string(num(10, 99)) + " " + std::to_string(num(10, 99)) +
                                          " " + std::to_string(num(10, 99)) + " " + std::to_string(num(10, 99));
                json a = {{"dwelling_id", dwelling},          {"code_ambassadeur", "AMB-" + std::to_string(n % 20)},
                          {"commune", "aix_en_provence"},     {"quartier", "aix_jas_de_bouffan"},
                          {"adresse", number + " " + street}, {"heure_passage", day + "T1" + std::to_string(d) + ":00"},
                          {"issue_visite", outcome}};
                if (outcome == "repasser") a["date_repassage"] = "2026-12-0" + std::to_string(1 + d);
                if (interview) {
                    a.update({{"nb_personnes", num(1, 5)},
                              {"membres", json::array({{{"prenom", "Karim"}, {"tranche_age", "30_44"}}})},
                              {"voiture", rng() % 3 == 0 ? "non" : "oui"},
                              {"nb_voitures", 1},
                              {"eco_geste", "velo"},
                              {"trajets_vises", json::array({"travail"})},
                              {"distance_travail_km", num(2, 30)},
                              {"accord_suivi", volunteer ? "oui" : "non"},
                              {"consentement_reponses", true},
                              {"observations", "Rencontré M. ou Mme " + std::string(surname) + ", rappeler le soir."}});
                    if (volunteer) a.update({{"telephone", phone}, {"accord_appels", true}});
                }
                add("door_to_door", "finalized", ambassador, a);
                if (!volunteer) continue;
                const std::string person = add("person", "finalized", ambassador,
                                               {{"prenom", "Karim"},
                                                {"nom", surname},
                                                {"telephone", phone},
                                                {"dwelling_id", dwelling},
                                                {"voiture", "oui"},
                                                {"ne_pas_contacter", "non"}});
                add("consent", "finalized", ambassador,
                    {{"person_id", person},
                     {"finalite", "phone_followup"},
                     {"accorde", "oui"},
                     {"version_texte", "v1"},
                     {"recueilli_le", day + "T10:30"},
                     {"recueilli_par", ambassador}});
                json attempts = json::array();
                for (int k = 0, calls = num(0, 3); k < calls; ++k)
                    attempts.push_back({{"appel_le", day + "T18:0" + std::to_string(k)},
                                        {"issue_appel", k == calls - 1 ? "decroche" : "pas_de_reponse"},
                                        {"appelant_tentative", "caller" + std::to_string(n % 3)}});
                add("call_task", "finalized", ambassador,
                    {{"person_id", person},
                     {"formulaire", "phone_followup"},
                     {"echeance", day},
                     {"statut", attempts.empty() ? "a_faire" : "termine"},
                     {"appelant", "caller" + std::to_string(n % 3)},
                     {"nb_tentatives", attempts.size()},
                     {"tentatives", attempts}});
                if (rng() % 4 != 0) continue;
                for (const char* phase : {"avant", "apres"})
                    add("trip_survey", "finalized", ambassador,
                        {{"person_id", person},
                         {"survey_phase", phase},
                         {"date_enquete", day},
                         {"trajets_voiture_solo", std::string(phase) == "avant" ? num(4, 10) : num(0, 4)},
                         {"trajets_velo", num(0, 6)},
                         {"distance_trajet_km", num(3, 25)}});
            }
        }
    }

    server::Repository& m_repo;
    std::int64_t m_orgId, m_authorId;
    std::map<std::string, std::string> m_versions;
    std::vector<server::RecordState> m_pending;
};

/// A logged-in coordinator's HTTP client.
class Console {
public:
    Console(int port, const std::string& token)
        : m_port(port)
        , m_token(token) {}

    /// GETs `path`, dies unless 200; returns the body.
    std::string get(const std::string& path) const {
        httplib::Client c("127.0.0.1", m_port);
        c.set_read_timeout(600, 0);
        auto r = c.Get(path.c_str(), {{"Authorization", "Bearer " + m_token}, {"Carnet-Protocol", "1"}});
        if (!r || r->status != 200)
            die("GET " + path + ": " + (r ? std::to_string(r->status) + " " + r->body.substr(0, 300) : "no answer"));
        return r->body;
    }
    /// Milliseconds to GET every path at once (as a page's Promise.all), until the last answer.
    double page(const std::vector<std::string>& paths) const {
        const auto t0 = Clock::now();
        std::vector<std::thread> threads;
        for (const auto& p : paths)
            threads.emplace_back([this, p] { get(p); });
        for (auto& t : threads)
            t.join();
        return millis(Clock::now() - t0);
    }
    /// POSTs a JSON body, dies unless 200; returns the parsed answer.
    json post(const std::string& path, const json& body) const {
        httplib::Client c("127.0.0.1", m_port);
        auto r = c.Post(path.c_str(), {{"Authorization", "Bearer " + m_token}, {"Carnet-Protocol", "1"}}, body.dump(),
                        "application/json");
        if (!r || r->status != 200)
            die("POST " + path + ": " + (r ? std::to_string(r->status) + " " + r->body.substr(0, 300) : "no answer"));
        return json::parse(r->body);
    }

private:
    int m_port;
    std::string m_token;
};

struct Args {
    std::string server, db;
    fs::path scratch;
    std::vector<std::int64_t> steps{10000, 100000};
    int runs = 5;
};

Args parseArgs(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--server")
            a.server = v;
        else if (k == "--scratch")
            a.scratch = v;
        else if (k == "--db")
            a.db = v;
        else if (k == "--runs")
            a.runs = std::stoi(v);
        else if (k == "--steps") {
            a.steps.clear();
            std::istringstream in(v);
            for (std::int64_t n = 0; in >> n;)
                a.steps.push_back(n);
        } else
            die("unknown option " + k);
    }
    if (a.server.empty() || a.scratch.empty() || a.steps.empty() || a.runs < 1)
        die("usage: console_bench --server BIN --scratch DIR [--steps \"10000 100000\"] [--runs 5] [--db URI]");
    return a;
}

void print(const std::string& name, double value, const char* unit) {
    std::printf("%s %.1f %s\n", name.c_str(), value, unit);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    const Args args = parseArgs(argc, argv);
    const fs::path data = args.scratch / "server";
    fs::remove_all(data);
    fs::create_directories(data);
    admin(args.server, data, args.db, "org add " + std::string(kOrg));
    admin(args.server, data, args.db, "form publish-builtin");
    const std::string add = "printf '%s\\n' '" + std::string(kPassword) + "' | '" + args.server + "' --data '" +
                            data.string() + "' " + (args.db.empty() ? std::string() : "--db '" + args.db + "' ") +
                            "user add " + std::string(kCoordinator) + " --role coordinator --org " + std::string(kOrg) +
                            " --password-stdin >/dev/null";
    if (std::system(add.c_str()) != 0) die("user add failed");

    std::int64_t written = 0;
    for (const std::int64_t target : args.steps) {
        {
            auto services = server::Services::open(data, args.db);
            if (!services.ok()) die(services.error().message);
            auto& repo = (*services)->repository();
            auto org = repo.findOrg(kOrg);
            auto coco = repo.findUser(kCoordinator);
            if (!org.ok() || !*org || !coco.ok() || !*coco) die("no bench organisation or coordinator");
            const auto t0 = Clock::now();
            Seeder seeder(repo, (*org)->id, (**coco).id);
            const std::int64_t before = written;
            seeder.seedTo(written, target);
            std::fprintf(stderr, "# seeded %lld records in %.1f s (%lld in all)\n",
                         static_cast<long long>(written - before), millis(Clock::now() - t0) / 1000.0,
                         static_cast<long long>(written));
        }
        const std::string n = target % 1000 == 0 ? std::to_string(target / 1000) + "k" : std::to_string(target);
        std::vector<std::string> argvServer{args.server, "--data", data.string()};
        if (!args.db.empty()) argvServer.insert(argvServer.end(), {"--db", args.db});
        argvServer.insert(argvServer.end(), {"serve", "--port", "0", "--bind", "127.0.0.1"});
        // The server's log: a line per request, and the one saying that the field figures are read.
        const fs::path serverLog = data.parent_path() / ("server-" + n + ".log");
        const auto started = Clock::now();
        Child server(argvServer, serverLog.string());
        const std::string listening = server.line();
        const auto colon = listening.rfind(':');
        if (colon == std::string::npos) die("server said: " + listening);
        const int port = std::stoi(listening.substr(colon + 1));
        std::string token;
        {
            httplib::Client c("127.0.0.1", port);
            auto r = c.Post("/api/v1/login", {{"Carnet-Protocol", "1"}},
                            json{{"user", kCoordinator}, {"password", kPassword}}.dump(), "application/json");
            if (!r || r->status != 200) die("login failed");
            token = json::parse(r->body).at("token").get<std::string>();
        }
        const Console console(port, token);
        const std::vector<std::string> dashboard{"/api/v1/indicators?by=ambassador", "/api/v1/walklists",
                                                 "/api/v1/calls"};
        const std::vector<std::string> walkLists{"/api/v1/walklists", "/api/v1/users"};
        // Once it listens, the server reads every field record and computes the dashboard's figures
        // (FieldService::warm): the time from its start to the line saying so, and its CPU time then.
        print("warm_" + n, waitForWarm(serverLog, started), "ms");
        print("warm_cpu_" + n, processCpuMs(server.pid()), "ms");
        // The first dashboard after that.
        const double firstCpu = cpuMs(server.pid());
        print("dashboard_first_" + n, console.page(dashboard), "ms");
        print("dashboard_first_cpu_" + n, cpuMs(server.pid()) - firstCpu, "ms");
        // Records edited between pages, as the console's own edit does (a new version through the
        // merge): the next page must take that change in. An interview feeds the indicators only; a
        // dwelling the walk lists and the indicators (the territory of its interviews).
        auto pick = [&](const std::string& form) {
            const json page =
                json::parse(console.get("/api/v1/records?form=" + form + "&limit=" + std::to_string(args.runs)));
            std::vector<std::pair<std::string, std::int64_t>> out;
            for (const auto& r : page.at("records"))
                out.emplace_back(r.at("record_id").get<std::string>(), r.at("version").get<std::int64_t>());
            if (out.size() < static_cast<std::size_t>(args.runs)) die("too few " + form + " records to edit");
            return out;
        };
        auto interviews = pick("door_to_door"), doors = pick("dwelling");
        auto edit = [&](std::pair<std::string, std::int64_t>& rec, const char* field, const std::string& value) {
            const json e = console.post("/api/v1/records/" + rec.first + "/edit",
                                        {{"base_version", rec.second}, {"fields", {{field, value}}}});
            rec.second = e.value("version", rec.second + 1);
        };
        std::map<std::string, std::vector<double>> samples, cpu;
        // Wall time as the browser waits for the page, and the server's CPU time for it.
        auto timed = [&](const std::string& name, const std::vector<std::string>& paths) {
            const double cpu0 = cpuMs(server.pid());
            samples[name].push_back(console.page(paths));
            cpu[name].push_back(cpuMs(server.pid()) - cpu0);
        };
        for (int run = 0; run < args.runs; ++run) {
            const auto r = static_cast<std::size_t>(run);
            console.page(dashboard); // nothing new since: the figures as they were computed
            timed("dashboard", dashboard);
            timed("walklists", walkLists);
            for (const std::string by : {"territory", "week"})
                timed("dashboard_by_" + by, {"/api/v1/indicators?by=" + by, "/api/v1/walklists", "/api/v1/calls"});
            edit(interviews[r], "observations", "Revu au bureau, passage " + std::to_string(run));
            timed("dashboard_after_interview_edit", dashboard);
            edit(doors[r], "etage", std::to_string(run + 1));
            timed("dashboard_after_dwelling_edit", dashboard);
            edit(doors[r], "etage", std::to_string(run + 2));
            timed("walklists_after_dwelling_edit", walkLists);
            timed("records_page", {"/api/v1/records?limit=50", "/api/v1/forms"});
            timed("records_page_by_interview", {"/api/v1/records?limit=50&sort=interview", "/api/v1/forms"});
            timed("search", {"/api/v1/records?limit=50&q=dubois", "/api/v1/forms"});
            timed("export_csv", {"/api/v1/exports/door_to_door.csv"});
        }
        for (const auto& [name, v] : samples)
            print(name + "_" + n, median(v), "ms");
        for (const auto& [name, v] : cpu)
            print(name + "_cpu_" + n, median(v), "ms");
        print("server_rss_" + n, rssMb(server.pid()), "MB");
    }
    return 0;
}
