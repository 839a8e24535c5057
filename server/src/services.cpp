#include "server/services.hpp"

#include "server/crypto.hpp"
#include "server/sqlite_repository.hpp"

#include <system_error>

namespace carnet::server {

Services::Services(std::unique_ptr<Repository> repo, const std::filesystem::path& dataDir)
    : m_dataDir(dataDir)
    , m_repo(std::move(repo))
    , m_auth(*m_repo)
    , m_forms(*m_repo)
    , m_sync(*m_repo)
    , m_attachments(dataDir / "attachments")
    , m_field(*m_repo, m_forms) {}

Result<std::unique_ptr<Services>> Services::open(const std::filesystem::path& dataDir) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    std::error_code ec;
    std::filesystem::create_directories(dataDir, ec);
    if (ec) return makeError(ErrorCode::Io, dataDir.string() + ": cannot create: " + ec.message());
    auto repo = SqliteRepository::open(dataDir / "server.db");
    if (!repo.ok()) return repo.error();
    std::unique_ptr<Services> s(new Services(std::move(*repo), dataDir));
    Repository& storage = *s->m_repo;
    if (auto r = s->m_attachments.init([&storage](std::string_view sha) { return storage.orgsReferencing(sha); });
        !r.ok())
        return r.error();
    return s;
}

} // namespace carnet::server
