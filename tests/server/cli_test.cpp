// The carnet-server executable's subcommands, on a real data folder.
#include "core/json_text.hpp"
#include "forms/bundle.hpp"
#include "pg_cluster.hpp"
#include "server/services.hpp"
#include "server_process.hpp"
#include "shell_run.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/wait.h>

using namespace carnet;
using namespace carnet::test;

namespace {} // namespace

TEST_CASE("carnet-server answers --help with its usage, in French and in English", "[server][cli]") {
    // Issue 21: "--help" was an unknown option, and the server spoke English only.
    const std::string bin = quote(CARNET_SERVER_BIN);
    auto en = sh("CARNET_LANG=en " + bin + " --help");
    CHECK(en.code == 0);
    CHECK(en.out.rfind("Usage:", 0) == 0);
    CHECK(en.out.find("carnet-server serve --data DIR --port N") != std::string::npos);
    auto fr = sh("CARNET_LANG=fr " + bin + " --help");
    CHECK(fr.code == 0);
    CHECK(fr.out.rfind("Utilisation :", 0) == 0);
    auto flag = sh("CARNET_LANG=fr " + bin + " --lang en --help");
    CHECK(flag.out.rfind("Usage:", 0) == 0);
    TempDir dir;
    const std::string data = " --data " + quote((dir.path() / "data").string());
    auto added = sh("CARNET_LANG=fr " + bin + " org add alec" + data);
    CHECK(added.code == 0);
    CHECK(added.out.find("organisation alec ajoutée") != std::string::npos);
    // The password policy speaks the CLI's language (issue 22, finding 10).
    const std::string addAwa = " user add awa --role coordinator --org alec --password-stdin" + data;
    auto weakFr = sh("printf 'court\\n' | CARNET_LANG=fr " + bin + addAwa);
    CHECK(weakFr.code == 1);
    CHECK(weakFr.out.find("Le mot de passe doit compter au moins 12 caractères.") != std::string::npos);
    CHECK(weakFr.out.find("password") == std::string::npos);
    auto weakEn = sh("printf 'court\\n' | CARNET_LANG=fr " + bin + addAwa + " --lang en");
    CHECK(weakEn.code == 1);
    CHECK(weakEn.out.find("The password must have at least 12 characters.") != std::string::npos);
    auto unknown = sh("CARNET_LANG=fr " + bin + " frobnicate" + data);
    CHECK(unknown.code == 2);
    CHECK(unknown.out.find("commande inconnue") != std::string::npos);
}

TEST_CASE("carnet-server org, user and form subcommands", "[server][cli]") {
    // The same commands on SQLite (no --db) and on PostgreSQL (--db postgresql://...).
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
    INFO(backend);
    const std::string db = backend == "sqlite" ? std::string() : freshPostgresDatabase();
    TempDir dir;
    const std::string bin = std::string("CARNET_LANG=en ") + quote(CARNET_SERVER_BIN);
    const std::string data =
        " --data " + quote((dir.path() / "data").string()) + (db.empty() ? std::string() : " --db " + quote(db));
    const std::string forms = std::string(CARNET_SOURCE_DIR) + "/assets/forms/";

    CHECK(sh(bin + " org add alec" + data).code == 0);
    auto dup = sh(bin + " org add alec" + data);
    CHECK(dup.code == 1);
    CHECK(dup.out.find("already exists") != std::string::npos);

    auto user = sh("printf 'longer secret\\n' | " + bin +
                   " user add awa --role coordinator --org alec --password-stdin" + data);
    CHECK(user.code == 0);
    CHECK(user.out.find("awa") != std::string::npos);
    CHECK(sh("printf 'longer secret\\n' | " + bin + " user add bob --role king --org alec --password-stdin" + data)
              .code == 2);
    CHECK(sh("printf 'longer secret\\n' | " + bin + " user add bob --role admin --org nowhere --password-stdin" + data)
              .code == 1);
    CHECK(sh(bin + " user add bob --role admin --org alec" + data).code == 2);
    CHECK(sh(bin + " frobnicate" + data).code == 2);
    CHECK(sh(bin + " org add x").code == 2);

    for (const char* name : {"door_to_door", "phone_followup", "trip_survey", "advice_desk_session"}) {
        auto r = sh(bin + " form publish " + quote(forms + name + ".json") + data);
        CHECK(r.code == 0);
        CHECK(r.out.find(" published") != std::string::npos);
    }
    auto again = sh(bin + " form publish " + quote(forms + "door_to_door.json") + data);
    CHECK(again.code == 0);
    CHECK(again.out.find("already published") != std::string::npos);

    // Other content under a published version is refused.
    auto text = readTextFile(forms + "door_to_door.json");
    REQUIRE(text.ok());
    auto doc = nlohmann::json::parse(*text);
    doc["title"]["fr"] = "Autre titre";
    const auto changed = dir.path() / "changed.json";
    std::ofstream(changed) << doc.dump();
    auto refused = sh(bin + " form publish " + quote(changed.string()) + data);
    CHECK(refused.code == 1);
    CHECK(refused.out.find("other content") != std::string::npos);
    std::ofstream(dir.path() / "broken.json") << "{\"id\": ";
    CHECK(sh(bin + " form publish " + quote((dir.path() / "broken.json").string()) + data).code == 1);

    auto assign = sh(bin + " record assign 11111111-1111-4111-8111-111111111111 awa" + data);
    CHECK(assign.code == 1);
    CHECK(assign.out.find("no record") != std::string::npos);

    // What the commands wrote is what the server serves.
    auto services = server::Services::open(dir.path() / "data", db);
    REQUIRE(services.ok());
    auto session = (*services)->auth().login("awa", "longer secret");
    REQUIRE(session.ok());
    REQUIRE(session->has_value());
    CHECK((*session)->user.role == server::Role::Coordinator);
    auto list = (*services)->forms().list((*session)->user.orgId);
    REQUIRE(list.ok());
    CHECK(list->size() == 4);
    CHECK(std::filesystem::exists(dir.path() / "data" / "server.db") == db.empty());

    auto wrongDb = sh(bin + " org add x --data " + quote((dir.path() / "data").string()) + " --db mysql://h/db");
    CHECK(wrongDb.code == 1);
    CHECK(wrongDb.out.find("not a PostgreSQL URI") != std::string::npos);
}

TEST_CASE("carnet-server form publish stores the media files beside the form, on SQLite and on PostgreSQL",
          "[server][cli][media]") {
    // Issue 16: form media are files under --data DIR/form-media whichever database holds the form rows;
    // a second process on the same database and folder serves them.
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
    INFO(backend);
    const std::string db = backend == "sqlite" ? std::string() : freshPostgresDatabase();
    TempDir dir;
    const std::string bin = std::string("CARNET_LANG=en ") + quote(CARNET_SERVER_BIN);
    const std::string data =
        " --data " + quote((dir.path() / "data").string()) + (db.empty() ? std::string() : " --db " + quote(db));
    const std::string regions = "name,label\ndar,Dar es Salaam\naru,Arusha\n";
    std::ofstream(dir.path() / "plots.json") << R"J({
      "id": "plots", "version": "1", "title": "Plots", "default_language": "en", "languages": ["en"],
      "media": ["regions.csv"],
      "pages": [{"type": "page", "name": "p", "label": "Plot", "children": [
        {"type": "select_one", "name": "region", "label": "Region", "choice_file": {"file": "regions.csv"}}]}]})J";
    const std::string form = quote((dir.path() / "plots.json").string());
    auto missing = sh(bin + " form publish " + form + data);
    CHECK(missing.code == 1);
    CHECK(missing.out.find("regions.csv") != std::string::npos);
    std::ofstream(dir.path() / "regions.csv", std::ios::binary) << regions;
    auto published = sh(bin + " form publish " + form + data);
    INFO(published.out);
    REQUIRE(published.code == 0);

    auto services = server::Services::open(dir.path() / "data", db);
    REQUIRE(services.ok());
    auto doc = (*services)->forms().document(server::kSharedForms, "plots", "1");
    REQUIRE(doc.ok());
    const std::string sha = forms::mediaSha256(regions);
    CHECK(nlohmann::json::parse(*doc)["media"][0]["sha256"] == sha);
    auto file = (*services)->forms().mediaFile(server::kSharedForms, sha);
    REQUIRE(file.ok());
    REQUIRE(file->has_value());
    CHECK(**file == dir.path() / "data" / "form-media" / "0" / sha);
    auto bytes = readTextFile(**file);
    REQUIRE(bytes.ok());
    CHECK(*bytes == regions);
}

TEST_CASE("carnet-server serve prints the port it listens on and stops on SIGTERM", "[server][cli]") {
    TempDir dir;
    const std::string bin = CARNET_SERVER_BIN;
    const auto out = dir.path() / "out.txt";
    // Start, wait for the line, stop the server by its own pid, wait for it.
    auto r = sh(bin + " serve --port 0 --data " + quote((dir.path() / "data").string()) + " > " + quote(out.string()) +
                " & pid=$!; for i in $(seq 100); do grep -q listening " + quote(out.string()) +
                " && break; sleep 0.05; done; kill -TERM $pid; wait $pid; echo exit=$?");
    CHECK(r.out.find("exit=0") != std::string::npos);
    auto text = readTextFile(out);
    REQUIRE(text.ok());
    CHECK(text->rfind("listening on 127.0.0.1:", 0) == 0);
}

TEST_CASE("carnet-server reads its settings from --config FILE, the command line's options over them",
          "[server][cli][config]") {
    // Issue 19: everything on the command line can live in a config file (/etc/carnet/server.conf for
    // the packaged unit, docs/deployment.md); --config was an unknown option before.
    TempDir dir;
    const std::string bin = std::string("CARNET_LANG=fr ") + quote(CARNET_SERVER_BIN);
    const auto conf = dir.path() / "server.conf";
    const std::string token = "0123456789abcdef0123456789abcdef";
    std::ofstream(dir.path() / "metrics.token") << token << "\n";
    std::ofstream(conf) << "# Carnet server\n\n"
                        << "  data = " << (dir.path() / "from-file").string() << "\n"
                        << "lang=en\n"
                        << "metrics-token-file = " << (dir.path() / "metrics.token").string() << "\n"
                        << "token-idle-days = 7\n"
                        << "header-timeout-ms = 5000\n";
    const std::string withConf = " --config " + quote(conf.string());

    // The data folder and the language come from the file...
    auto fromFile = sh(bin + " org add alec" + withConf);
    CHECK(fromFile.code == 0);
    CHECK(fromFile.out.find("organisation alec added") != std::string::npos);
    CHECK(std::filesystem::exists(dir.path() / "from-file" / "server.db"));
    // ...and the command line's options win over the file's.
    auto fromCli =
        sh(bin + " org add gefosat --lang fr --data " + quote((dir.path() / "from-cli").string()) + withConf);
    CHECK(fromCli.code == 0);
    CHECK(fromCli.out.find("organisation gefosat ajoutée") != std::string::npos);
    CHECK(std::filesystem::exists(dir.path() / "from-cli" / "server.db"));
    auto services = server::Services::open(dir.path() / "from-file", "");
    REQUIRE(services.ok());
    auto gefosat = (*services)->repository().findOrg("gefosat");
    REQUIRE(gefosat.ok());
    CHECK_FALSE(gefosat->has_value());

    // serve takes the metrics token file from the config file: /metrics answers its holder.
    ServerProcess p(CARNET_SERVER_BIN, dir.path() / "from-file");
    REQUIRE(p.start({"--config", conf.string()}));
    httplib::Client c("127.0.0.1", p.port());
    auto health = c.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    auto metrics = c.Get("/metrics", {{"Authorization", "Bearer " + token}});
    REQUIRE(metrics);
    CHECK(metrics->status == 200);
    CHECK(p.stop());

    // Each mistake names the file and the line, with no usage text after it, and nothing runs.
    struct Bad {
        std::string text, message;
    };
    const std::vector<Bad> bad = {
        {"data = x\nprot = 8080\n", ":2: unknown key 'prot'"},
        {"# comment\nport = 99999\n", ":2: --port needs a number from 0 to 65535"},
        {"password-hashes = 0\n", ":1: --password-hashes needs a positive number"},
        {"lang = de\n", ":1: --lang needs fr or en"},
        {"role = admin\n", ":1: 'role' belongs to a command: give it on the command line"},
        {"port = 8080\nbind = 0.0.0.0\nport = 8081\n", ":3: 'port' is already set on line 1"},
        {"insecure-http = yes\n", ":1: 'insecure-http' is true or false"},
        {"data\n", ":1: expected a 'key = value' line"},
        {"tls-cert =\n", ":1: tls-cert needs a value"},
    };
    for (const auto& b : bad) {
        INFO(b.text);
        const auto file = dir.path() / "bad.conf";
        std::ofstream(file, std::ios::trunc) << b.text;
        auto r = sh("CARNET_LANG=en " + quote(CARNET_SERVER_BIN) + " org add x --data " +
                    quote((dir.path() / "bad").string()) + " --config " + quote(file.string()));
        CHECK(r.code == 2);
        CHECK(r.out.find(file.string() + b.message) != std::string::npos);
        CHECK(r.out.find("Usage:") == std::string::npos);
        CHECK_FALSE(std::filesystem::exists(dir.path() / "bad"));
    }
    auto missing = sh("CARNET_LANG=en " + quote(CARNET_SERVER_BIN) + " org add x --config " +
                      quote((dir.path() / "none.conf").string()));
    CHECK(missing.code == 2);
    CHECK(missing.out.find("none.conf: cannot read") != std::string::npos);
    std::ofstream(dir.path() / "big.conf") << std::string(70'000, '#');
    auto big = sh("CARNET_LANG=en " + quote(CARNET_SERVER_BIN) + " org add x --config " +
                  quote((dir.path() / "big.conf").string()));
    CHECK(big.code == 2);
    CHECK(big.out.find("big.conf: the config file is over 64 KiB") != std::string::npos);
}
