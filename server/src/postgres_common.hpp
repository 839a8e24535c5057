#pragma once
// What PostgresRepository's reads and its write transaction share: record columns, row readers, and
// the write transaction itself (postgres_write_tx.cpp).

#include "pg.hpp"
#include "server/repository.hpp"

#include <string>
#include <vector>

namespace carnet::server::pgrepo {

/// Stored JSON text parsed; a damaged row reads as null rather than throwing.
nlohmann::json parseStored(const std::string& text);
/// The strings of a JSON array (others skipped).
std::vector<std::string> stringList(const nlohmann::json& j);

/// The columns readRecord reads, FROM records r JOIN orgs o.
inline constexpr std::string_view kRecordColumns =
    "SELECT r.record_id, r.org_id, o.name, r.created_by, r.assigned_to, r.kind, r.form_id, r.form_version, "
    "r.status, r.author, r.version, r.change_seq, r.answers, r.erased, r.created_device, r.echo_device "
    "FROM records r JOIN orgs o ON o.id = r.org_id ";
inline constexpr int kRecordColumnCount = 16;

/// Row `i` of a kRecordColumns result.
RecordState readRecord(const pg::Rows& rows, int i, bool answersAsText = false);

/// The columns readUser reads, FROM users u JOIN orgs o.
inline constexpr std::string_view kUserColumns =
    "SELECT u.id, u.name, u.role, u.org_id, o.name, u.password_hash, u.disabled_at IS NOT NULL, "
    "u.must_change_password FROM users u JOIN orgs o ON o.id = u.org_id ";
/// Row `i` of a kUserColumns result.
User readUser(const pg::Rows& rows, int i);

/// A record with its open conflicts (and its field metadata with `withFields`), or nullopt; with
/// `lock`, the record is locked for this transaction first (per-field merge, docs/architecture.md).
Result<std::optional<RecordState>> loadRecord(pg::Conn& conn, std::string_view recordId, bool withFields, bool lock);

/// The write transaction: its records carry placeholder change sequences until finish() assigns the
/// real ones in the order they were written, under the change counter's row lock held until commit.
class PgWriteTx final : public WriteTx {
public:
    explicit PgWriteTx(pg::Conn& conn)
        : m_conn(conn) {}
    /// Assigns the change sequences of the records this transaction wrote; call last before commit.
    Result<void> finish();

    Result<std::map<std::int64_t, nlohmann::json>> storedResults(std::string_view deviceId, std::int64_t fromSeq,
                                                                 std::int64_t toSeq) override;
    Result<void> storeResults(std::string_view deviceId, std::int64_t firstSeq, std::int64_t lastSeq,
                              std::string_view resultsJson) override;
    Result<std::optional<RecordState>> loadRecord(std::string_view recordId) override;
    Result<std::optional<nlohmann::json>> answersAt(std::string_view recordId, std::int64_t version) override;
    Result<bool> formExists(std::int64_t orgId, std::string_view formId, std::string_view version) override;
    Result<void> saveVersion(const RecordState& state, const VersionRow& version) override;
    Result<void> addConflict(std::string_view recordId, std::string_view field,
                             const std::vector<ConflictValue>& values) override;
    Result<void> closeConflicts(std::string_view recordId, const std::vector<std::string>& fields,
                                std::int64_t version) override;
    Result<void> scrubFields(std::string_view recordId, const std::vector<std::string>& fields,
                             const std::vector<std::string>& erased, std::int64_t version) override;
    Result<std::optional<RecordState>> findRecord(std::string_view recordId) override;
    Result<std::optional<User>> findUser(std::string_view name) override;
    Result<std::vector<RecordState>> linked(std::int64_t orgId, std::string_view formId, std::string_view field,
                                            std::string_view value) override;
    Result<void> assignRecord(std::string_view recordId, std::int64_t userId) override;
    Result<void> noteDeviceReport(std::string_view deviceId, const DeviceReport& report) override;

private:
    void touched(std::string_view recordId);
    pg::Conn& m_conn;
    std::vector<std::string> m_touched; ///< records written, in the order of their last write
};

} // namespace carnet::server::pgrepo
