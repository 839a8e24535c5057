#include "server/services.hpp"

#include "server/crypto.hpp"
#include "server/postgres_repository.hpp"
#include "server/sqlite_repository.hpp"

#include <system_error>

namespace carnet::server {

Services::Services(std::unique_ptr<Repository> repo, const std::filesystem::path& dataDir)
    : m_dataDir(dataDir)
    , m_repo(std::move(repo))
    , m_auth(*m_repo)
    , m_formMedia(dataDir / "form-media")
    , m_forms(*m_repo, &m_formMedia)
    , m_sync(*m_repo)
    , m_attachments(dataDir / "attachments")
    , m_field(*m_repo, m_forms) {}

Result<std::unique_ptr<Services>> Services::open(const std::filesystem::path& dataDir, std::string_view db) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    std::error_code ec;
    std::filesystem::create_directories(dataDir, ec);
    if (ec) return makeError(ErrorCode::Io, dataDir.string() + ": cannot create: " + ec.message());
    std::unique_ptr<Repository> repo;
    if (db.empty()) {
        auto sqlite = SqliteRepository::open(dataDir / "server.db");
        if (!sqlite.ok()) return sqlite.error();
        repo = std::move(*sqlite);
    } else if (isPostgresUrl(db)) {
        auto postgres = PostgresRepository::open(std::string(db));
        if (!postgres.ok()) return postgres.error();
        repo = std::move(*postgres);
    } else {
        return makeError(ErrorCode::Invalid, "--db: '" + std::string(db).substr(0, 64) +
                                                 "' is not a PostgreSQL URI (postgresql://...); without --db the "
                                                 "server uses SQLite in the data folder");
    }
    std::unique_ptr<Services> s(new Services(std::move(repo), dataDir));
    Repository& storage = *s->m_repo;
    if (auto r = s->m_attachments.init([&storage](std::string_view sha) { return storage.orgsReferencing(sha); });
        !r.ok())
        return r.error();
    if (auto r = s->m_formMedia.init(); !r.ok()) return r.error();
    return s;
}

} // namespace carnet::server
