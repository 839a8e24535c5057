#pragma once
// The embedded Repository: one SQLite file (WAL, synchronous=FULL), one connection per thread at a
// time from a small pool; SQLite serialises writers, so change sequence order is commit order. The
// WAL is checkpointed on a thread of its own, never inside the request whose commit crossed the
// threshold.

#include "core/db.hpp"
#include "server/repository.hpp"

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace carnet::server {

/// Repository on one SQLite file.
class SqliteRepository final : public Repository {
public:
    /// Opens (creating and migrating) the database file.
    static Result<std::unique_ptr<SqliteRepository>> open(const std::filesystem::path& file);
    ~SqliteRepository() override;
    SqliteRepository(const SqliteRepository&) = delete;
    SqliteRepository& operator=(const SqliteRepository&) = delete;

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

    /// Group commit (write()): the writes made, the transactions that committed them (several queued
    /// writes share one transaction and so one fsync), and the writes queued now.
    struct WriteStats {
        std::uint64_t writes = 0, commits = 0;
        std::size_t waiting = 0;
    };
    [[nodiscard]] WriteStats writeStats();

private:
    struct QueuedWrite;
    /// Runs the queued writes in one transaction, each under its own savepoint, then commits once.
    void commitGroup(const std::vector<QueuedWrite*>& group);

    /// A connection borrowed from the pool, returned when destroyed.
    class Lease {
    public:
        Lease(SqliteRepository& repo, Db db)
            : m_repo(&repo)
            , m_db(std::move(db)) {}
        ~Lease();
        Lease(Lease&& other) noexcept
            : m_repo(std::exchange(other.m_repo, nullptr))
            , m_db(std::move(other.m_db)) {}
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Db& db() { return m_db; }

    private:
        SqliteRepository* m_repo;
        Db m_db;
    };

    explicit SqliteRepository(std::filesystem::path file)
        : m_file(std::move(file)) {}
    Result<Lease> acquire();
    /// Sets up a new connection of the pool: no checkpoint of its own, its commits wake the checkpointer.
    void adopt(Db& db);
    /// Called by SQLite after each commit with the WAL's size in pages.
    static int onWalCommit(void* repo, sqlite3* db, const char* schema, int pages);
    /// The checkpointer thread: a passive checkpoint each time a commit left the WAL over the threshold.
    void checkpointLoop(Db db);

    std::filesystem::path m_file;
    std::mutex m_mutex;
    std::vector<Db> m_idle;
    std::mutex m_writeMutex; ///< one write transaction at a time in this process

    std::mutex m_groupMutex; ///< guards the write queue below
    std::condition_variable m_groupDone;
    std::vector<QueuedWrite*> m_queue; ///< writes waiting for the next group
    bool m_leading = false;            ///< a thread is committing a group
    std::uint64_t m_writes = 0, m_commits = 0;

    std::mutex m_checkpointMutex;
    std::condition_variable m_checkpointWake;
    bool m_checkpointDue = false;
    bool m_stopping = false;
    std::thread m_checkpointer; ///< last: started once everything above exists
};

} // namespace carnet::server
