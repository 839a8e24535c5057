#pragma once
// The Repository on PostgreSQL, for several stateless server processes on one database
// (docs/architecture.md, "PostgreSQL"): a pool of libpq connections, writes in READ COMMITTED
// transactions with row locks on the records they merge into, change sequences assigned at the end
// of each write transaction under the change counter's row lock (held until commit, so that sequence
// order is commit order and a pull never skips a change that commits late), exactly-once pushes
// serialised per device and backed by a unique (device, seq) index.

#include "server/repository.hpp"

#include <functional>
#include <memory>
#include <string>

namespace carnet::server {

/// Repository on a PostgreSQL database (libpq).
class PostgresRepository final : public Repository {
public:
    /// Connects to `url` (postgresql://...) and brings the schema to the newest version (schema.hpp).
    static Result<std::unique_ptr<PostgresRepository>> open(const std::string& url);
    ~PostgresRepository() override;
    PostgresRepository(const PostgresRepository&) = delete;
    PostgresRepository& operator=(const PostgresRepository&) = delete;

    /// Fault injection for tests: called in every write transaction once its change sequences are
    /// taken, just before it commits (the counter's lock is held meanwhile).
    void setBeforeCommit(std::function<void()> hook) { m_beforeCommit = std::move(hook); }

    Result<std::int64_t> addOrg(std::string_view name) override;
    Result<std::optional<Org>> findOrg(std::string_view name) override;
    Result<std::vector<Org>> listOrgs() override;
    Result<std::int64_t> addUser(const User& user) override;
    Result<std::optional<User>> findUser(std::string_view name) override;
    Result<void> addToken(std::string_view tokenHash, std::int64_t userId) override;
    Result<std::optional<User>> useToken(std::string_view tokenHash, const TokenWindow& window) override;
    Result<void> revokeToken(std::string_view tokenHash) override;
    Result<std::int64_t> registerDevice(std::string_view deviceId, std::int64_t userId, std::string_view name) override;
    Result<std::optional<std::int64_t>> deviceOwner(std::string_view deviceId) override;
    Result<void> insertForm(const FormRow& form) override;
    Result<std::optional<FormRow>> findForm(std::int64_t orgId, std::string_view formId,
                                            std::string_view version) override;
    Result<std::vector<sync::FormRef>> listForms(std::int64_t orgId, std::string_view deviceId) override;
    Result<void> setFormDraft(std::int64_t orgId, std::string_view formId, std::string_view version,
                              const std::optional<std::vector<std::string>>& devices) override;
    Result<void> deleteFormDraft(std::int64_t orgId, std::string_view formId, std::string_view version) override;
    Result<void> write(const std::function<Result<void>(WriteTx&)>& body) override;
    Result<void> purgeFreedData() override;
    Result<void> ping() override;
    Result<ChangePage> changes(const Scope& scope, std::int64_t afterSeq, std::size_t limit, bool answersAsText,
                               std::string_view skipEchoOf) override;
    Result<std::optional<RecordState>> findRecord(std::string_view recordId) override;
    Result<std::vector<VersionRow>> history(std::string_view recordId) override;
    Result<std::vector<ConflictRow>> openConflicts(std::int64_t orgId) override;
    Result<void> assignRecord(std::string_view recordId, std::int64_t userId) override;
    Result<std::vector<RecordListRow>> listRecords(const RecordQuery& query, bool& more) override;
    Result<std::int64_t> countRecords(const RecordQuery& query) override;
    Result<std::vector<User>> listUsers(std::int64_t orgId) override;
    Result<void> updateUser(std::int64_t userId, const UserChange& change) override;
    Result<std::optional<DeviceRow>> findDevice(std::string_view deviceId) override;
    Result<void> updateDevice(std::string_view deviceId, const DeviceChange& change) override;
    Result<std::vector<DeviceRow>> listDevices(std::int64_t orgId) override;
    Result<void> noteDeviceReport(std::string_view deviceId, const DeviceReport& report) override;
    Result<std::vector<FormListRow>> listFormRows(std::int64_t orgId) override;
    Result<ReviewRow> addReview(const ReviewRow& review) override;
    Result<std::vector<ReviewRow>> reviews(std::string_view recordId) override;
    Result<std::map<std::string, ReviewRow>> latestReviews(const std::vector<std::string>& recordIds) override;
    Result<std::vector<std::int64_t>> orgsReferencing(std::string_view text) override;

    struct Pool; ///< the idle connections (private to the implementation)

private:
    explicit PostgresRepository(std::unique_ptr<Pool> pool);
    std::unique_ptr<Pool> m_pool;
    std::function<void()> m_beforeCommit;
};

/// True when `db` names a PostgreSQL database (postgresql:// or postgres://).
[[nodiscard]] bool isPostgresUrl(std::string_view db);

} // namespace carnet::server
