// carnet-server: the central server. `serve` answers the sync protocol; the other subcommands manage
// organisations, users and forms in the same data folder.
#include "core/i18n.hpp"
#include "core/ids.hpp"
#include "core/json_text.hpp"
#include "field/campaign.hpp"
#include "field/model.hpp"
#include "forms/loader.hpp"
#include "server/cli_options.hpp"
#include "server/folder_lock.hpp"
#include "server/form_bundle.hpp"
#include "server/limits.hpp"
#include "server/postgres_repository.hpp"
#include "server/routes.hpp"
#include "server/services.hpp"
#include "server/store_ops.hpp"

#include <httplib.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace carnet;
using namespace carnet::server;

namespace {

// The form to publish and its media: a bundle zip, or a form JSON and the media files it declares,
// read from beside it (a missing one is left to FormService::publish, which names it).
Result<BundleUpload> readFormBundle(const std::filesystem::path& file) {
    if (file.extension() == ".zip") {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec) return makeError(ErrorCode::Io, "cannot read: " + ec.message());
        if (size > kMaxBundleBytes) return makeError(ErrorCode::Invalid, "the bundle is over 64 MiB");
        std::ifstream in(file, std::ios::binary);
        std::ostringstream buf;
        buf << in.rdbuf();
        if (!in && !in.eof()) return makeError(ErrorCode::Io, "cannot read");
        return readBundleZip(buf.str());
    }
    auto text = readTextFile(file);
    if (!text.ok()) return text.error();
    BundleUpload out;
    out.formJson = std::move(*text);
    const forms::LoadResult loaded = forms::loadForm(out.formJson);
    if (!loaded.ok()) return out; // publish names the problems
    auto files = forms::readMediaDir(*loaded.form, file.parent_path(), Lang::En);
    if (!files.ok()) return files.error();
    out.files = std::move(*files);
    return out;
}

// cpp-httplib gives each connection a worker for as long as it is kept alive (8 workers and 5 s by
// default): 8 idle devices made every other one wait 5 s (bench/sync load test). More workers, and an
// idle connection is closed after 1 s; a device's sync reuses its connection well within that.
constexpr std::size_t kWorkerThreads = 64;
constexpr int kKeepAliveSeconds = 1;

// The language of the messages: --lang (or `lang =` in the --config file), else the environment
// (CARNET_LANG, LC_ALL, LC_MESSAGES, LANG), else French, like carnet-device.
Lang g_lang = Lang::Fr;

Lang envLang() {
    for (const char* var : {"CARNET_LANG", "LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* v = std::getenv(var);
        if (v && *v)
            if (auto l = parseLang(v)) return *l;
    }
    return Lang::Fr;
}

std::string t(std::string_view key, std::initializer_list<std::string_view> args = {}) {
    return tr(key, g_lang, args);
}

using Options = CliOptions;

int usage(std::string_view problem = {}) {
    if (!problem.empty()) std::cerr << "carnet-server: " << problem << '\n';
    std::cerr << t("server.usage") << '\n';
    return 2;
}

int fail(const Error& e) {
    std::cerr << "carnet-server: " << e.message << '\n';
    return 1;
}

// The token GET /metrics asks for: the file's first line, 16 to 256 characters (Prometheus'
// `authorization: credentials_file` reads the same file).
Result<std::string> readMetricsToken(const std::string& file) {
    auto text = readTextFile(file);
    if (!text.ok()) return text.error();
    std::string token = text->substr(0, text->find('\n'));
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ' || token.back() == '\t'))
        token.pop_back();
    if (token.size() < 16 || token.size() > 256 || token.find_first_of(" \t") != std::string::npos)
        return makeError(ErrorCode::Invalid, t("server.bad_metrics_token", {file}));
    return token;
}

// Addresses only this machine reaches: plain HTTP there carries nothing over a network.
bool loopback(std::string_view address) {
    return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

int serve(const Options& o, Services& services) {
    if (!o.port) return usage(t("server.serve_needs_port"));
    if (o.tlsCert.empty() != o.tlsKey.empty()) return usage(t("server.tls_pair"));
    const bool tls = !o.tlsCert.empty();
    if (!tls && !loopback(o.bind) && !o.insecureHttp) return usage(t("server.plain_http", {o.bind}));
    // Signals are taken by a thread of their own (sigwait) so that stopping is ordinary code.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    std::unique_ptr<httplib::Server> server;
    if (tls) {
        for (const auto* f : {&o.tlsCert, &o.tlsKey})
            if (auto r = readTextFile(*f); !r.ok()) return fail(r.error());
        auto ssl = std::make_unique<LimitedTlsServer>(o.tlsCert, o.tlsKey, o.limits);
        if (!ssl->is_valid())
            return fail(makeError(ErrorCode::Invalid, "cannot use the certificate " + o.tlsCert + " with the key " +
                                                          o.tlsKey + " (PEM files of one key pair)"));
        server = std::move(ssl);
    } else {
        server = std::make_unique<LimitedServer>(o.limits);
    }
    httplib::Server& http = *server;
    http.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
    http.set_keep_alive_timeout(kKeepAliveSeconds);
    // A response goes out in several writes (headers, body): without this, Nagle's algorithm holds
    // the body until the client's delayed ACK (40 ms on Linux) on every request of a kept-alive
    // connection.
    http.set_tcp_nodelay(true);
    RouteOptions routes;
    // One line per request on stderr (journald adds its own time; the line has one for plain files).
    routes.access = [](std::string_view line) { std::cerr << (std::string(line) + '\n') << std::flush; };
    if (!o.metricsTokenFile.empty()) {
        auto token = readMetricsToken(o.metricsTokenFile);
        if (!token.ok()) return fail(token.error());
        routes.metricsToken = std::move(*token);
    }
    routes.map = o.map;
    mountRoutes(http, services, std::move(routes));
    int port = *o.port;
    if (port == 0) {
        port = http.bind_to_any_port(o.bind);
        if (port < 0) return fail(makeError(ErrorCode::Io, t("server.cannot_bind", {o.bind})));
    } else if (!http.bind_to_port(o.bind, port)) {
        return fail(makeError(ErrorCode::Io, t("server.cannot_bind", {o.bind + ":" + std::to_string(port)})));
    }
    std::thread stopper([&] {
        int sig = 0;
        sigwait(&set, &sig);
        http.stop();
    });
    // Not translated: scripts and tests read the port from this line.
    std::cout << "listening on " << o.bind << ":" << port << (tls ? " (https)" : "") << std::endl;
    // The coordinators' first dashboard is served from memory: the field records are read now, while
    // requests are already answered (one waiting for its organisation waits no longer than it would
    // have read it itself).
    std::thread warmer([&services] {
        const auto start = std::chrono::steady_clock::now();
        auto n = services.field().warm(field::datePart(nowIsoUtc()));
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        if (n.ok())
            std::cerr << t("server.field_warm", {std::to_string(*n), std::to_string(ms.count())}) + "\n" << std::flush;
        else // the figures are read again at the first request that asks for them
            std::cerr << t("server.field_warm_failed", {n.error().message}) + "\n" << std::flush;
    });
    const bool ok = http.listen_after_bind();
    if (!ok || http.is_running()) {
        // listen ended without a signal: wake the stopper so it can be joined.
        pthread_kill(stopper.native_handle(), SIGTERM);
    }
    stopper.join();
    warmer.join();
    return 0;
}

// migrate-store --from sqlite:DIR --to postgresql://... [--data DIR2] (docs/architecture.md, "Backups and
// migration").
int migrateStoreCommand(const Options& o) {
    constexpr std::string_view kSqlite = "sqlite:";
    if (o.from.rfind(kSqlite, 0) != 0 || o.from.size() == kSqlite.size()) return usage(t("server.migrate_needs_from"));
    if (!isPostgresUrl(o.to)) return usage(t("server.migrate_needs_to"));
    if (!o.db.empty()) return usage(t("server.migrate_no_db"));
    const std::filesystem::path from = o.from.substr(kSqlite.size());
    // A server writing on during the copy would leave its later writes behind (the copy is one
    // snapshot): the folder's lock, which every serving process holds shared, must be free.
    std::optional<FolderLock> still;
    if (std::filesystem::is_directory(from)) { // a missing folder is migrateStore's to name
        auto lock = FolderLock::take(from, FolderLock::Mode::Exclusive, false);
        if (!lock.ok())
            return fail(lock.error().code == ErrorCode::Busy
                            ? makeError(ErrorCode::Busy, t("server.migrate_server_running", {from.string()}))
                            : lock.error());
        still.emplace(std::move(*lock));
    }
    auto r = migrateStore(from, o.to, o.data);
    if (!r.ok()) return fail(r.error());
    std::int64_t rows = 0;
    for (const auto& [table, n] : r->rows) {
        std::cout << t("server.migrated_table", {table, std::to_string(n)}) << '\n';
        rows += n;
    }
    std::cout << t("server.migrated", {std::to_string(rows), std::to_string(r->files)}) << '\n';
    if (o.data.empty()) std::cout << t("server.migrated_files_stay", {from.string()}) << '\n';
    return 0;
}

// backup --data DIR --to NEW_DIR (SQLite; PostgreSQL has pg_dump).
int backupCommand(const Options& o) {
    if (!o.db.empty()) return usage(t("server.backup_postgres"));
    if (o.to.empty()) return usage(t("server.backup_needs_to"));
    auto r = backupStore(o.data, o.to);
    if (!r.ok()) return fail(r.error());
    std::cout << t("server.backup_done", {o.to, std::to_string(r->databaseBytes), std::to_string(r->files)}) << '\n';
    return 0;
}

int run(const Options& o) {
    const auto& a = o.args;
    if (a.empty()) return usage();
    // Commands on a whole store: they open it themselves (the backup never creates or migrates it).
    if (a[0] == "migrate-store" && a.size() == 1) return migrateStoreCommand(o);
    if (a[0] == "backup" && a.size() == 1) return backupCommand(o);
    // Each serving process holds its data folder's lock shared for as long as it runs (several may
    // share one folder), so that migrate-store can tell a store still in use.
    std::optional<FolderLock> serving;
    if (a[0] == "serve") {
        auto lock = FolderLock::take(o.data, FolderLock::Mode::Shared, false);
        if (!lock.ok())
            return fail(lock.error().code == ErrorCode::Busy
                            ? makeError(ErrorCode::Busy, t("server.data_folder_migrating", {o.data}))
                            : lock.error());
        serving.emplace(std::move(*lock));
    }
    auto opened = Services::open(o.data, o.db);
    if (!opened.ok()) return fail(opened.error());
    Services& s = **opened;
    if (!o.campaign.empty()) {
        auto c = field::loadCampaign(o.campaign, Lang::En);
        if (!c.ok()) return fail(c.error());
        s.field().setCampaign(std::move(*c));
    }

    AccountLimits limits = s.auth().limits();
    constexpr std::chrono::seconds kDay{24 * 3600};
    if (o.tokenIdleDays) limits.tokenIdle = kDay * *o.tokenIdleDays;
    if (o.tokenLifetimeDays) limits.tokenLifetime = kDay * *o.tokenLifetimeDays;
    s.auth().setLimits(limits);

    s.auth().passwordGate().setLimits(o.hashes);
    if (a[0] == "serve" && a.size() == 1) return serve(o, s);

    if (a[0] == "org" && a.size() == 3 && a[1] == "add") {
        auto r = s.auth().addOrg(a[2], g_lang);
        if (!r.ok()) return fail(r.error());
        std::cout << t("server.org_added", {a[2]}) << '\n';
        return 0;
    }

    if (a[0] == "user" && a.size() == 3 && a[1] == "add") {
        auto role = parseRole(o.role);
        if (!role) return usage(t("server.bad_role"));
        if (o.org.empty()) return usage(t("server.user_needs_org"));
        if (!o.passwordStdin) return usage(t("server.user_needs_password_stdin"));
        std::string password;
        std::getline(std::cin, password);
        while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
            password.pop_back();
        auto r = s.auth().addUser(a[2], *role, o.org, password, g_lang);
        if (!r.ok()) return fail(r.error());
        std::cout << t("server.user_added", {a[2], roleName(*role), o.org}) << '\n';
        return 0;
    }

    if (a[0] == "form" && a.size() == 3 && a[1] == "publish") {
        std::int64_t owner = kSharedForms;
        if (!o.org.empty()) {
            auto org = s.repository().findOrg(o.org);
            if (!org.ok()) return fail(org.error());
            if (!*org) return fail(makeError(ErrorCode::NotFound, "no organisation '" + o.org + "'"));
            owner = (*org)->id;
        }
        // A form JSON with its media files beside it, or a bundle zip (docs/form-format.md, "Media files").
        auto bundle = readFormBundle(a[2]);
        if (!bundle.ok()) {
            std::cerr << "carnet-server: " << a[2] << ": " << bundle.error().message << '\n';
            return 1;
        }
        auto r = s.forms().publish(bundle->formJson, owner, bundle->files);
        if (!r.ok()) {
            std::cerr << "carnet-server: " << a[2] << ": " << r.error().message << '\n';
            return 1;
        }
        std::cout << t(r->alreadyPublished ? "server.form_already_published" : "server.form_published",
                       {r->form.formId, r->form.version, r->form.hash})
                  << '\n';
        return 0;
    }

    if (a[0] == "form" && a.size() == 2 && a[1] == "publish-builtin") {
        auto r = s.field().publishBuiltinForms();
        if (!r.ok()) return fail(r.error());
        std::cout << t("server.builtin_published", {std::to_string(*r)}) << '\n';
        return 0;
    }

    if (a[0] == "walklist" && a.size() == 3 && a[1] == "import") {
        if (o.org.empty()) return usage(t("server.walklist_needs_org"));
        auto org = s.repository().findOrg(o.org);
        if (!org.ok()) return fail(org.error());
        if (!*org) return fail(makeError(ErrorCode::NotFound, t("server.no_org", {o.org})));
        auto text = readTextFile(a[2]);
        if (!text.ok()) return fail(text.error());
        // Records need an author account: the organisation's "server@ORG" account (no password can
        // open it), created on first use.
        const std::string importer = "server@" + o.org;
        auto account = s.repository().findUser(importer);
        if (!account.ok()) return fail(account.error());
        std::int64_t authorId = 0;
        if (*account) {
            authorId = (*account)->id;
        } else {
            User u;
            u.name = importer;
            u.role = Role::Coordinator;
            u.orgId = (*org)->id;
            u.passwordHash = "!"; // never a valid argon2id string: login always fails
            auto added = s.repository().addUser(u);
            if (!added.ok()) return fail(added.error());
            authorId = *added;
        }
        auto r = s.field().importWalkList((*org)->id, authorId, "server", *text, o.name);
        if (!r.ok()) return fail(r.error());
        if (!r->errors.empty()) {
            for (const auto& e : r->errors)
                std::cerr << a[2] << ":" << e.line << ": " << e.message << '\n';
            std::cerr << "carnet-server: " << t("server.walklist_bad_lines", {a[2], std::to_string(r->errors.size())})
                      << '\n';
            return 1;
        }
        std::cout << nlohmann::json{{"walklist_id", r->walkListId},
                                    {"buildings", r->buildings},
                                    {"dwellings", r->dwellings}}
                         .dump()
                  << '\n';
        return 0;
    }

    if (a[0] == "walklist" && a.size() == 4 && a[1] == "assign") {
        auto list = s.repository().findRecord(a[2]);
        if (!list.ok()) return fail(list.error());
        if (!*list) return fail(makeError(ErrorCode::NotFound, t("server.no_walklist", {a[2]})));
        if (auto r = s.field().assignWalkList((*list)->orgId, a[2], a[3]); !r.ok()) return fail(r.error());
        std::cout << t("server.walklist_assigned", {a[2], a[3]}) << '\n';
        return 0;
    }

    if (a[0] == "record" && a.size() == 4 && a[1] == "assign") {
        auto user = s.repository().findUser(a[3]);
        if (!user.ok()) return fail(user.error());
        if (!*user) return fail(makeError(ErrorCode::NotFound, t("server.no_user", {a[3]})));
        auto rec = s.repository().findRecord(a[2]);
        if (!rec.ok()) return fail(rec.error());
        if (!*rec || (*rec)->orgId != (*user)->orgId)
            return fail(makeError(ErrorCode::NotFound, t("server.no_record_in_org", {a[2]})));
        if (auto r = s.repository().assignRecord(a[2], (*user)->id); !r.ok()) return fail(r.error());
        std::cout << t("server.record_assigned", {a[2], a[3]}) << '\n';
        return 0;
    }
    return usage(t("server.unknown_command"));
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parseOptions(std::vector<std::string>(argv + 1, argv + argc), envLang());
    g_lang = parsed.lang;
    if (!parsed.options) {
        if (parsed.showUsage) return usage(parsed.problem);
        std::cerr << "carnet-server: " << parsed.problem << '\n';
        return 2;
    }
    const auto& o = parsed.options;
    if (o->help) { // asked for: the usage on standard output, and success
        std::cout << t("server.usage") << '\n';
        return 0;
    }
    try {
        return run(*o);
    } catch (const std::exception& e) {
        std::cerr << "carnet-server: " << t("server.internal_error", {e.what()}) << '\n';
        return 1;
    }
}
