#pragma once
// The test PostgreSQL cluster: under ctest, the one the `pg.start` fixture started for the whole run
// (CARNET_TEST_PG_STATE, or CARNET_TEST_BACKEND=postgresql:STATE, names the file holding its socket
// directory); run directly, the test
// executable starts its own with tests/support/pg_cluster.sh and stops it when it exits. Each caller
// gets a new empty database, so tests never see each other's data.

#include <libpq-fe.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>

namespace carnet::test {

/// The running cluster's socket directory.
class PgCluster {
public:
    static PgCluster& instance() {
        static PgCluster cluster;
        return cluster;
    }
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;
    ~PgCluster() {
        if (m_ownState.empty()) return;
        const std::string cmd = script() + " stop '" + m_ownState + "'";
        if (std::system(cmd.c_str()) != 0) WARN("could not stop the test PostgreSQL cluster");
    }

    /// The URI of database `name` on the cluster.
    [[nodiscard]] std::string url(const std::string& name) const {
        return "postgresql:///" + name + "?host=" + m_socketDir + "&user=postgres";
    }

    /// A new empty database's URI.
    std::string freshDatabase() {
        static std::atomic<int> counter{0};
        const std::string name = "carnet_t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url("postgres").c_str()), &PQfinish);
        REQUIRE(PQstatus(c.get()) == CONNECTION_OK);
        std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), ("CREATE DATABASE " + name).c_str()), &PQclear);
        INFO(PQerrorMessage(c.get()));
        REQUIRE(PQresultStatus(r.get()) == PGRES_COMMAND_OK);
        return url(name);
    }

private:
    // The ctest run's cluster: CARNET_TEST_PG_STATE, or CARNET_TEST_BACKEND=postgresql:STATE (one
    // variable, as catch_discover_tests passes one ENVIRONMENT entry); "" when there is none.
    static std::string sharedState() {
        std::string state;
        if (const char* s = std::getenv("CARNET_TEST_PG_STATE"); s && *s) state = s;
        const std::string_view prefix = "postgresql:";
        if (const char* b = std::getenv("CARNET_TEST_BACKEND"); b && std::string_view(b).rfind(prefix, 0) == 0)
            state = std::string(b + prefix.size());
        return !state.empty() && std::filesystem::exists(state) ? state : std::string();
    }

    static std::string script() { return std::string(CARNET_SOURCE_DIR) + "/tests/support/pg_cluster.sh"; }

    PgCluster() {
        std::string state = sharedState();
        if (state.empty()) {
            m_ownState =
                (std::filesystem::temp_directory_path() / ("carnet-pg-state-" + std::to_string(::getpid()))).string();
            const std::string cmd = script() + " start '" + m_ownState + "'";
            REQUIRE(std::system(cmd.c_str()) == 0);
            state = m_ownState;
        }
        std::ifstream in(state);
        std::getline(in, m_socketDir);
        REQUIRE(!m_socketDir.empty());
    }

    std::string m_socketDir;
    std::string m_ownState; ///< set when this process started the cluster (and stops it)
};

/// A new empty database on the test cluster, as a postgresql:// URI.
inline std::string freshPostgresDatabase() {
    return PgCluster::instance().freshDatabase();
}

/// The database a server test runs on: SQLite in the data folder (""), or with
/// CARNET_TEST_BACKEND=postgresql (or postgresql:STATE) a new database on the test cluster (the
/// `server.pg.*` and `sync.pg.*` tests, tests/CMakeLists.txt).
inline std::string testDatabase() {
    const char* backend = std::getenv("CARNET_TEST_BACKEND");
    if (backend && std::string_view(backend).rfind("postgresql", 0) == 0) return freshPostgresDatabase();
    return {};
}

} // namespace carnet::test
