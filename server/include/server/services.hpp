#pragma once
// Everything one data folder serves: the repository and the services on it.

#include "server/attachments.hpp"
#include "server/auth_service.hpp"
#include "server/field_service.hpp"
#include "server/form_service.hpp"
#include "server/repository.hpp"
#include "server/sync_service.hpp"

#include <filesystem>
#include <memory>

namespace carnet::server {

/// The services of one data folder (DIR/server.db, DIR/attachments), or of a PostgreSQL database
/// with the data folder for attachments only (shared by every process on that database).
class Services {
public:
    /// Opens (creating) the data folder; `db` empty: SQLite in DIR/server.db, else a PostgreSQL
    /// connection URI (postgresql://...), anything else is refused.
    static Result<std::unique_ptr<Services>> open(const std::filesystem::path& dataDir, std::string_view db = {});

    /// The storage (for administration commands and tests).
    Repository& repository() { return *m_repo; }
    /// Accounts, tokens, devices.
    AuthService& auth() { return m_auth; }
    /// The form catalogue.
    FormService& forms() { return m_forms; }
    /// Push, pull, history, conflicts.
    SyncService& sync() { return m_sync; }
    /// Attachment uploads.
    AttachmentStore& attachments() { return m_attachments; }
    /// Form media files (DIR/form-media/<org id>/<sha256>; shared forms' under 0).
    AttachmentStore& formMedia() { return m_formMedia; }
    /// The data folder.
    [[nodiscard]] const std::filesystem::path& dataDir() const { return m_dataDir; }
    /// Walk lists, call routing and the console's figures.
    FieldService& field() { return m_field; }

private:
    Services(std::unique_ptr<Repository> repo, const std::filesystem::path& dataDir);
    std::filesystem::path m_dataDir;
    std::unique_ptr<Repository> m_repo;
    AuthService m_auth;
    AttachmentStore m_formMedia;
    FormService m_forms;
    SyncService m_sync;
    AttachmentStore m_attachments;
    FieldService m_field;
};

} // namespace carnet::server
