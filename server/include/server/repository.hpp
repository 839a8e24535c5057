#pragma once
// Storage behind an interface: SQLite now (SqliteRepository), PostgreSQL next. No SQL outside the
// implementations; services hold the rules (merge, visibility, roles).

#include "core/result.hpp"
#include "server/model.hpp"
#include "sync/protocol.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::server {

/// Everything one write transaction may do; all of it commits together or not at all.
class WriteTx {
public:
    virtual ~WriteTx() = default;
    /// The stored results of the device's mutations `fromSeq`..`toSeq` already applied, by seq.
    virtual Result<std::map<std::int64_t, nlohmann::json>> storedResults(std::string_view deviceId,
                                                                         std::int64_t fromSeq, std::int64_t toSeq) = 0;
    /// Records that the device's mutations in `resultsJson` (a JSON array of results, seqs increasing
    /// from `firstSeq` to `lastSeq`, none stored before) were applied with those results.
    virtual Result<void> storeResults(std::string_view deviceId, std::int64_t firstSeq, std::int64_t lastSeq,
                                      std::string_view resultsJson) = 0;
    /// A record with its field metadata and open conflicts, or nullopt.
    virtual Result<std::optional<RecordState>> loadRecord(std::string_view recordId) = 0;
    /// A record's answers as they were at `version` (kept history or the current one); nullopt when
    /// that version is not kept (never written, or 0).
    virtual Result<std::optional<nlohmann::json>> answersAt(std::string_view recordId, std::int64_t version) = 0;
    /// Whether (form id, version) is published for the organisation (its own or shared).
    virtual Result<bool> formExists(std::int64_t orgId, std::string_view formId, std::string_view version) = 0;
    /// Writes `state` as its version `state.version` (kept in history with `state.answers`; the
    /// version's own `answers` is not read), the metadata of the `changed` fields, and assigns the
    /// next server change sequence. The version it supersedes moves into the kept history.
    virtual Result<void> saveVersion(const RecordState& state, const VersionRow& version) = 0;
    /// Adds values to the open conflict on (record, field), opening one if needed.
    virtual Result<void> addConflict(std::string_view recordId, std::string_view field,
                                     const std::vector<ConflictValue>& values) = 0;
    /// Closes the open conflicts on these fields, resolved by `version`.
    virtual Result<void> closeConflicts(std::string_view recordId, const std::vector<std::string>& fields,
                                        std::int64_t version) = 0;
    /// Personal-data erasure: removes `fields` from every kept version of the record and from its
    /// conflict values (closing those conflicts at `version`), blanks the comments of the record's
    /// reviews (which may name the person; state, reviewer and time stay), stores `erased` as the
    /// record's erased list, and makes sure the old bytes are not left in freed pages.
    virtual Result<void> scrubFields(std::string_view recordId, const std::vector<std::string>& fields,
                                     const std::vector<std::string>& erased, std::int64_t version) = 0;

    // What the push does besides its mutations (call-task routing, the device report) reads and
    // writes here too, so that it sees the push's own rows and commits with them or not at all.

    /// A record (with open conflicts, without field metadata), or nullopt.
    virtual Result<std::optional<RecordState>> findRecord(std::string_view recordId) = 0;
    /// A user (with the organisation's name) by name, or nullopt.
    virtual Result<std::optional<User>> findUser(std::string_view name) = 0;
    /// The organisation's records of `formId` whose top-level answer `field` is the text `value`
    /// (without field metadata or conflicts). Indexed for the links the field workflows follow
    /// (consents by `person_id`, people by `fusionne_dans`, buildings and dwellings by
    /// `walk_list_id`); `formId` and `field` are plain names ([A-Za-z0-9_]).
    virtual Result<std::vector<RecordState>> linked(std::int64_t orgId, std::string_view formId, std::string_view field,
                                                    std::string_view value) = 0;
    /// Assigns a record to a user (a new change, so the assignee's next pull brings it); NotFound
    /// when there is no such record.
    virtual Result<void> assignRecord(std::string_view recordId, std::int64_t userId) = 0;
    /// Stores what a device reported and when (a device that is not registered is ignored).
    virtual Result<void> noteDeviceReport(std::string_view deviceId, const DeviceReport& report) = 0;
};

/// One page of changes for a pull.
struct ChangePage {
    std::vector<RecordState> records; ///< ordered by change sequence, no field metadata
    bool more = false;
    /// Without `more`: every change up to this sequence was looked at (a cursor may move there even
    /// when the last ones were left out).
    std::int64_t seenTo = 0;
};

/// The server's storage.
class Repository {
public:
    virtual ~Repository() = default;

    /// Creates an organisation; Conflict when the name exists.
    virtual Result<std::int64_t> addOrg(std::string_view name) = 0;
    /// An organisation by name, or nullopt.
    virtual Result<std::optional<Org>> findOrg(std::string_view name) = 0;
    /// Every organisation, by id.
    virtual Result<std::vector<Org>> listOrgs() = 0;
    /// Creates a user; Conflict when the name exists (names are unique on the server).
    virtual Result<std::int64_t> addUser(const User& user) = 0;
    /// A user (with the organisation's name) by name, or nullopt.
    virtual Result<std::optional<User>> findUser(std::string_view name) = 0;

    /// Stores a token by its hash for a user.
    virtual Result<void> addToken(std::string_view tokenHash, std::int64_t userId) = 0;
    /// The user of a live token: not revoked, created at or after `window.createdFrom` and last used
    /// at or after `window.usedFrom` (ISO 8601 UTC). A token last used before `window.touchBefore`
    /// is marked used at `window.now` (the idle clock restarts; at most one write per interval).
    virtual Result<std::optional<User>> useToken(std::string_view tokenHash, const TokenWindow& window) = 0;
    /// Revokes a token; revoking twice or an unknown token is harmless.
    virtual Result<void> revokeToken(std::string_view tokenHash) = 0;

    /// Registers a device for a user unless already registered; returns the owner's user id.
    virtual Result<std::int64_t> registerDevice(std::string_view deviceId, std::int64_t userId,
                                                std::string_view name) = 0;
    /// The user a device is registered to, or nullopt.
    virtual Result<std::optional<std::int64_t>> deviceOwner(std::string_view deviceId) = 0;

    /// Inserts a form version (or a draft: FormRow::draftDevices) for `form.orgId`; Conflict when that
    /// owner has (id, version) already.
    virtual Result<void> insertForm(const FormRow& form) = 0;
    /// A form version the organisation sees (its own, else shared), or nullopt. With kSharedForms:
    /// the shared version only.
    virtual Result<std::optional<FormRow>> findForm(std::int64_t orgId, std::string_view formId,
                                                    std::string_view version) = 0;
    /// Every published version the organisation sees (its own and the shared ones), oldest first, and
    /// the drafts that name `deviceId` ("" = none: published versions only).
    virtual Result<std::vector<sync::FormRef>> listForms(std::int64_t orgId, std::string_view deviceId) = 0;
    /// Sets the devices of the organisation's own draft (formId, version), or publishes it with
    /// nullopt (its publication time becomes now). NotFound when the organisation has no such draft.
    virtual Result<void> setFormDraft(std::int64_t orgId, std::string_view formId, std::string_view version,
                                      const std::optional<std::vector<std::string>>& devices) = 0;
    /// Deletes the organisation's own draft (formId, version) unless a record was written with it:
    /// NotFound when there is no such draft, Conflict when records use it.
    virtual Result<void> deleteFormDraft(std::int64_t orgId, std::string_view formId, std::string_view version) = 0;

    /// Runs `body` in one write transaction, committed when it returns ok.
    virtual Result<void> write(const std::function<Result<void>(WriteTx&)>& body) = 0;

    /// Records visible in `scope` changed after `afterSeq`, at most `limit`. With `answersAsText`, each
    /// record's answers stay the stored JSON text (`answersText`; `answers` left empty). Records whose
    /// current version device `skipEchoOf` already holds (VersionRow::echoDevice) are left out.
    virtual Result<ChangePage> changes(const Scope& scope, std::int64_t afterSeq, std::size_t limit, bool answersAsText,
                                       std::string_view skipEchoOf) = 0;
    /// A record (with open conflicts, without field metadata).
    virtual Result<std::optional<RecordState>> findRecord(std::string_view recordId) = 0;
    /// Every version of a record, oldest first.
    virtual Result<std::vector<VersionRow>> history(std::string_view recordId) = 0;
    /// Open conflicts on the organisation's records.
    virtual Result<std::vector<ConflictRow>> openConflicts(std::int64_t orgId) = 0;
    /// Makes erased data unrecoverable from the storage's files (for SQLite: checkpoints and truncates
    /// the write-ahead log, which still holds earlier page images). Best effort; called after an erasure.
    virtual Result<void> purgeFreedData() { return {}; }
    /// Whether the storage answers: one read of the schema on a pooled connection (GET /healthz).
    virtual Result<void> ping() = 0;
    /// Write transactions (write()) of this process waiting for their turn or running (GET /metrics).
    [[nodiscard]] std::int64_t writeQueueDepth() const { return m_writeQueue.load(std::memory_order_relaxed); }
    /// Assigns a record to a user (a new change, so the assignee's next pull brings it): one write
    /// transaction doing WriteTx::assignRecord.
    virtual Result<void> assignRecord(std::string_view recordId, std::int64_t userId) = 0;

    /// One page of records matching `query` (ordered by change sequence), `more` when another follows.
    virtual Result<std::vector<RecordListRow>> listRecords(const RecordQuery& query, bool& more) = 0;
    /// How many records match `query`'s filters (its order, cursor, offset and limit aside).
    virtual Result<std::int64_t> countRecords(const RecordQuery& query) = 0;
    /// The organisation's users, by name.
    virtual Result<std::vector<User>> listUsers(std::int64_t orgId) = 0;
    /// Changes an account in one transaction (role, password, deactivation, and revoking every token of
    /// the user); NotFound when there is no such user.
    virtual Result<void> updateUser(std::int64_t userId, const UserChange& change) = 0;
    /// A registered device with its owner's organisation, or nullopt.
    virtual Result<std::optional<DeviceRow>> findDevice(std::string_view deviceId) = 0;
    /// Renames or revokes a device; NotFound when there is no such device.
    virtual Result<void> updateDevice(std::string_view deviceId, const DeviceChange& change) = 0;
    /// The organisation's devices, by owner then id.
    virtual Result<std::vector<DeviceRow>> listDevices(std::int64_t orgId) = 0;
    /// Stores what a device reported and when (a device that is not registered is ignored): one write
    /// transaction doing WriteTx::noteDeviceReport (a pull's report; a push's is in the push's).
    virtual Result<void> noteDeviceReport(std::string_view deviceId, const DeviceReport& report) = 0;
    /// The organisations whose records' current answers hold `text` (an attachment's hash).
    virtual Result<std::vector<std::int64_t>> orgsReferencing(std::string_view text) = 0;
    /// Every version the organisation sees with its publication time, oldest first.
    virtual Result<std::vector<FormListRow>> listFormRows(std::int64_t orgId) = 0;

    /// Adds a review of a record after its earlier ones, stamped now; returns it with its time.
    /// NotFound when there is no such record.
    virtual Result<ReviewRow> addReview(const ReviewRow& review) = 0;
    /// A record's reviews, oldest first.
    virtual Result<std::vector<ReviewRow>> reviews(std::string_view recordId) = 0;
    /// The latest review of each of these records that has one, by record id.
    virtual Result<std::map<std::string, ReviewRow>> latestReviews(const std::vector<std::string>& recordIds) = 0;

protected:
    /// Counts a write() in writeQueueDepth() for as long as it lives (from before it waits for its turn).
    class WriteInFlight {
    public:
        explicit WriteInFlight(Repository& repo)
            : m_depth(repo.m_writeQueue) {
            m_depth.fetch_add(1, std::memory_order_relaxed);
        }
        ~WriteInFlight() { m_depth.fetch_sub(1, std::memory_order_relaxed); }
        WriteInFlight(const WriteInFlight&) = delete;
        WriteInFlight& operator=(const WriteInFlight&) = delete;

    private:
        std::atomic<std::int64_t>& m_depth;
    };

private:
    std::atomic<std::int64_t> m_writeQueue{0};
};

} // namespace carnet::server
