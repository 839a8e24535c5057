#pragma once
// The device store: one SQLite file per device holding installed forms, records, the sync outbox and
// attachments. Every answer is saved the moment it is given, in one durable transaction that also
// appends to the outbox; the store is consistent after any crash.

#include "core/clock.hpp"
#include "core/db.hpp"
#include "core/i18n.hpp"
#include "core/result.hpp"
#include "forms/loader.hpp"
#include "forms/session.hpp"
#include "store/vault.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::store {

/// Where a record stands on the device.
enum class Status { Draft, Finalized };
/// "draft" / "finalized".
[[nodiscard]] std::string_view statusName(Status s);
/// Parses "draft" / "finalized".
[[nodiscard]] std::optional<Status> parseStatus(std::string_view s);

/// One record as stored.
struct Record {
    std::string id;   ///< client-generated UUID
    std::string kind; ///< interview, contact, household, visit, task, ...
    std::string formId, formVersion;
    Status status = Status::Draft;
    nlohmann::json answers = nlohmann::json::object();
    std::string author;
    std::string createdAt, updatedAt;   ///< device clock, display only
    std::int64_t serverVersion = 0;     ///< last server version this record was based on (0 = never synced)
    std::string migrationNote;          ///< why a draft stayed on an older form version ("" when none)
    bool deleted = false;               ///< deleted here or by the server (a tombstone): hidden from list()
    std::vector<std::string> erased;    ///< fields erased for good (personal data): empty, never written again
    std::vector<std::string> conflicts; ///< fields in open conflict on the server (a coordinator resolves them)
    /// Their values as the server sent them: field -> [{"value", "device_id", "version"}...] (the writing
    /// device's id tells this device's value from the other's).
    nlohmann::json conflictValues = nlohmann::json::object();
    /// The record as JSON (what `carnet-device get` prints).
    [[nodiscard]] nlohmann::json toJson() const;
};

/// An installed form version.
struct InstalledForm {
    std::string formId, version, hash;
    std::string installedAt;
};

/// An audio answer whose recording the process did not finish (killed, crashed): what it had captured.
struct InterruptedRecording {
    std::string recordId, path; ///< the record and the audio question
    std::string pcm;            ///< s16le mono samples, as recorded up to the last chunk written
};

/// A media file an installed form version lists in its manifest that this device does not hold yet.
struct MediaNeed {
    std::string sha256;
    std::uint64_t size = 0;
    std::string file;            ///< its name in the form (for messages)
    std::string formId, version; ///< the first form version that lists it
};

/// What installing a form version did.
struct InstallReport {
    InstalledForm form;
    bool alreadyInstalled = false;
    int draftsMigrated = 0;
    int draftsKept = 0; ///< drafts left on their version, flagged with the reason
};

/// One pending mutation for the server.
struct OutboxEntry {
    std::int64_t seq = 0; ///< per-device sequence number, never reused
    std::string recordId;
    std::int64_t baseVersion = 0;
    std::string op;          ///< create, set, finalize, migrate
    nlohmann::json changes;  ///< changed top-level fields (a repeat is one field)
    std::string changesText; ///< the same as stored JSON text (pendingOutboxText only)
    /// The device's time of the last edit in it (UTC, ISO 8601): a compacted entry holds several edits.
    std::string editedAt;
    /// Its state: pending (never answered: `held` empty) or held by the server with `held` as the reason
    /// (outbox() and heldOutbox() only). Accepted entries leave the outbox.
    std::string held;
    std::string heldCode;    ///< the server's code for the reason (sync::reject)
    bool heldMayPass = true; ///< sent again on each sync (the cause can go away); false: needs someone to act
    /// "pending" or "held".
    [[nodiscard]] std::string_view state() const { return held.empty() ? "pending" : "held"; }
};

/// The server's answer for one pushed outbox entry.
struct PushAck {
    std::int64_t seq = 0;
    std::int64_t version = 0; ///< the record's server version after it
    bool rejected = false;    ///< held: kept in the outbox, shown with `reason`
    bool discarded = false;   ///< the record was deleted (or the fields erased): dropped, not an error
    std::string reason;
    std::string code;    ///< the server's code for a rejection
    bool mayPass = true; ///< a held entry that is sent again on later syncs
};

/// A record version received from the server.
struct PulledRecord {
    std::string id, kind, formId, formVersion, status, author;
    std::int64_t version = 0;
    nlohmann::json answers = nlohmann::json::object();
    std::vector<std::string> conflicts;
    std::vector<std::string> erased;                          ///< fields erased on the server: dropped here too
    nlohmann::json conflictValues = nlohmann::json::object(); ///< each open conflict's values (Record::conflictValues)
};

/// A stored attachment (photo, signature): content-addressed.
struct Attachment {
    std::string hash; ///< sha256, hex
    std::int64_t size = 0;
    std::filesystem::path path;
    std::string upload; ///< "" never tried, "started" (ask the server how far it got), "done"
};

/// Opening options.
struct StoreOptions {
    Durability durability = Durability::Full;
    std::string language = "fr";   ///< language of the engine's messages
    std::int64_t maxPageCount = 0; ///< > 0 caps the file size (tests use it to simulate a full disk)
    /// Unlocks an encrypted store; on a store without encryption, sets it up (sealing what it holds).
    std::optional<std::string> pin = std::nullopt;
    KdfLimits kdf = KdfLimits::tablet(); ///< argon2id cost when setting encryption up (kept with the key)
    /// An already unlocked key (Store::dataKey of another connection on the same file): no PIN needed.
    std::shared_ptr<const DataKey> key = nullptr;
    /// "Now" for the forms engine (today(), now(), date constraints); empty = the system clock. The app
    /// passes its own, so that a store seeded on a fixed date (--today) checks dates against that date.
    clock::Source clock = nullptr;
    /// Outbox compaction (docs/architecture.md, "Outbox"): an edit of the record whose entry is the
    /// outbox's last one, not sent yet, is merged into that entry instead of queuing one more, so one
    /// sync of one person's work is one version on the server. Off: one entry per edit (tests that
    /// count mutations).
    bool compactOutbox = true;
};

/// The device store. One per thread; not copyable.
class Store {
public:
    /// Opens or creates DIR/carnet.db (and DIR/attachments). Refuses a file that is not a Carnet store,
    /// never overwriting it.
    static Result<Store> open(const std::filesystem::path& dataDir, const StoreOptions& options = {});
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;
    ~Store();

    struct Impl;
    class Unit;

    /// A unit of work: the writes made while it is open (by any method of this store) commit together
    /// when commit() is called, and roll back when it is destroyed without. Each write method is a unit
    /// of its own; a workflow of several writes (finalizing with its person, consents, visit and call
    /// task) opens one around them. Units nest (savepoints): a refused step inside undoes only itself.
    /// The store must outlive it; one per store at a time, on the store's thread.
    class Transaction {
    public:
        Transaction(Transaction&&) noexcept;
        Transaction& operator=(Transaction&&) = delete;
        ~Transaction();
        /// Whether BEGIN succeeded (a busy or full disk is an error here).
        [[nodiscard]] const Result<void>& begun() const;
        /// Commits (for the outermost unit: durably, on disk when it returns ok).
        Result<void> commit();

    private:
        friend class Store;
        explicit Transaction(std::unique_ptr<Unit> unit);
        std::unique_ptr<Unit> m_unit;
    };
    /// Opens a unit of work (see Transaction); check begun() before writing.
    [[nodiscard]] Transaction transaction();
    /// Calls `hook` just before (`committed` false) and just after (true) each durable commit, with the
    /// number of the commit since opening (1, 2, ...). Tests use it to kill the process at every commit point.
    void onCommit(std::function<void(std::int64_t commit, bool committed)> hook);

    /// This device's identifier (created with the store).
    [[nodiscard]] const std::string& deviceId() const;
    /// The database file.
    [[nodiscard]] std::filesystem::path file() const;
    /// Changes the language of the messages ("fr", "en").
    void setLanguage(std::string_view language);
    /// The language of the messages.
    [[nodiscard]] Lang language() const;

    /// Installs a form version from its JSON text; refuses an invalid form (loader messages) and a
    /// different content under an installed id+version. Moves open drafts of older versions to it when
    /// their answers still fit, and flags the others.
    Result<InstallReport> installForm(std::string_view jsonText);
    /// All installed form versions.
    Result<std::vector<InstalledForm>> forms();
    /// A loaded form version (cached).
    Result<std::shared_ptr<const forms::Form>> form(std::string_view formId, std::string_view version);
    /// The newest installed version of a form (by installation order).
    Result<std::shared_ptr<const forms::Form>> latestForm(std::string_view formId);

    /// Form media (docs/form-format.md, "Media files"): the files the installed form versions list in
    /// their manifests live content-addressed in DIR/media/<sha256>, verified before they are renamed
    /// there; a download in progress is DIR/media/partial/<sha256>.part. A form is loaded with the
    /// media files present (its CSV choices, pulldata()), and loaded again once a missing one arrives.
    /// The manifest entries of installed forms whose file is not here yet, one per sha256.
    Result<std::vector<MediaNeed>> missingMedia();
    /// How many bytes of media file `sha256` are downloaded so far (its partial file; 0 when none).
    Result<std::uint64_t> mediaReceived(std::string_view sha256);
    /// Appends downloaded bytes at `offset` (which must be mediaReceived()) to the partial file, flushed
    /// to the disk before it returns.
    Result<void> appendMedia(std::string_view sha256, std::uint64_t offset, std::string_view data);
    /// Completes a download: the partial file must have `size` bytes hashing to `sha256`; it is then
    /// flushed, renamed to DIR/media/<sha256> and the folder flushed. A file that does not match is
    /// removed and refused (Invalid, naming `file`).
    Result<void> finishMedia(std::string_view sha256, std::uint64_t size, std::string_view file);
    /// Whether the media file `sha256` is here (complete and verified).
    [[nodiscard]] bool hasMedia(std::string_view sha256) const;
    /// The content of media file `sha256` (the image or audio prompt a screen shows); NotFound when it
    /// is not here (yet).
    Result<std::string> mediaData(std::string_view sha256) const;

    /// Creates a draft on the newest version of `formId`; returns its id.
    Result<std::string> createRecord(std::string_view formId, std::string_view author, std::string_view kind = {});
    /// Creates a record from a whole answers object (strictly validated); returns its id.
    Result<std::string> importAnswers(std::string_view formId, const nlohmann::json& answers, std::string_view author,
                                      std::string_view kind = {});
    /// Saves one answer durably (validated by the forms engine; an invalid value changes nothing).
    Result<void> setAnswer(std::string_view recordId, std::string_view path, const nlohmann::json& value);
    /// Adds a repeat instance and saves; returns its 1-based index.
    Result<int> addRepeat(std::string_view recordId, std::string_view path);
    /// Removes a repeat instance ("members[2]") and saves.
    Result<void> removeRepeat(std::string_view recordId, std::string_view path);
    /// Marks a draft finalized; when something is missing or invalid, returns the issues and changes nothing.
    Result<std::vector<forms::FieldIssue>> finalize(std::string_view recordId);
    /// Deletes a record (a tombstone that syncs; deletion wins over later edits elsewhere) and queues
    /// the deletion in the same transaction.
    Result<void> deleteRecord(std::string_view recordId);
    /// Erases fields for good (personal data): their values leave the record and every pending outbox
    /// entry, freed bytes are zeroed, and an `erase` mutation is queued in the same transaction.
    Result<void> eraseFields(std::string_view recordId, const std::vector<std::string>& fields);
    /// A record (deleted ones too: see Record::deleted).
    Result<Record> get(std::string_view recordId);
    /// Records not deleted, newest first, optionally of one status. Without `withAnswers` the answers are left
    /// empty: the records screen needs the summary only, and parsing thousands of answer sets is slow.
    Result<std::vector<Record>> list(std::optional<Status> status = std::nullopt, bool withAnswers = false);
    /// Records of `formId` (not deleted), newest first, whose top-level answer `field` is the text `value`,
    /// answers included. Indexed for the field model's links (person_id, fusionne_dans, building_id), so
    /// a workflow reads one person's records, not all of them. `field` is a plain name ([A-Za-z0-9_]).
    /// An empty `formId` means records of any form (one index lookup per installed form id).
    Result<std::vector<Record>> linked(std::string_view formId, std::string_view field, std::string_view value);
    /// How many record rows get(), list() and linked() have read since opening (tests check that a
    /// workflow reads what it needs, not every record).
    [[nodiscard]] std::int64_t recordsRead() const;
    /// A form session over a record's stored answers, owned by the caller (the app's open record, the
    /// CLI): edits still go through setAnswer & co., which write only the fields they change over what
    /// the file holds; reload the session when stamp() moves.
    Result<std::unique_ptr<forms::Session>> openSession(std::string_view recordId);
    /// The state of the file as this connection sees it: moves with every commit, by this store or by
    /// another connection on the same file (SQLite's `PRAGMA data_version`). Cheap: no row is read.
    struct Stamp {
        std::int64_t own = 0;    ///< commits by this store
        std::int64_t others = 0; ///< PRAGMA data_version
        bool operator==(const Stamp&) const = default;
    };
    /// See Stamp.
    Result<Stamp> stamp();

    /// The whole outbox, oldest first, each entry with its state (pending, or held with the reason).
    Result<std::vector<OutboxEntry>> outbox();
    /// The held entries only, oldest first, without their changes (the sync report's summary).
    Result<std::vector<OutboxEntry>> heldOutbox();
    /// The records with entries in the outbox, pending or held, sorted: what is not on the server yet as
    /// it is here (the app's home screen counts them, its record list marks them).
    Result<std::vector<std::string>> outboxRecords();

    /// An audio answer being recorded is kept on the disk as it is captured (DIR/recording.part: a line
    /// naming the record and the question, then length-prefixed chunks, each sealed when the store is
    /// encrypted and flushed to the disk before appendRecording returns), so that a process killed
    /// mid-record keeps what it had written. beginRecording starts it over (one recording at a time).
    Result<void> beginRecording(std::string_view recordId, std::string_view path);
    /// Appends captured samples as one chunk.
    Result<void> appendRecording(std::string_view pcm);
    /// The recording was saved (or abandoned): its file goes.
    Result<void> endRecording();
    /// The recording a previous process left unfinished, with every complete chunk (a chunk cut by the
    /// kill, or that does not open, ends it); none when there is none.
    Result<std::optional<InterruptedRecording>> interruptedRecording();

    /// Copies a file into the store (content-addressed, fsynced before the row is written), read and
    /// hashed kAttachmentChunk bytes at a time, so that a long video never has to fit in memory (an
    /// encrypted store seals the file whole: docs/security.md). `maxBytes` > 0 refuses a larger file
    /// (Invalid, naming it) before anything is copied.
    Result<Attachment> addAttachment(const std::filesystem::path& source, std::uint64_t maxBytes = 0);
    /// How many bytes addAttachment reads from its file at a time.
    static constexpr std::size_t kAttachmentChunk = 1u << 20;
    /// The most bytes of a file addAttachment held in memory at once since opening (tests check that
    /// a large file is copied in chunks).
    [[nodiscard]] std::uint64_t attachmentBufferPeak() const;
    /// The same for bytes made on the device (an audio recording): never written anywhere in clear
    /// when the store is encrypted.
    Result<Attachment> addAttachmentData(std::string data);
    /// A stored attachment by its sha256, or NotFound.
    Result<Attachment> attachment(std::string_view sha256);
    /// An attachment's content (opened when the store is encrypted: the file on disk is sealed).
    Result<std::string> attachmentData(std::string_view sha256);
    /// `n` bytes of an attachment's content from `offset` (fewer at its end): what one upload request
    /// sends, read from the file without the rest (a sealed file, in an encrypted store, is opened whole).
    Result<std::string> attachmentRange(std::string_view sha256, std::uint64_t offset, std::size_t n);
    /// Records how far the upload of an attachment went ("started", "done").
    Result<void> setAttachmentUpload(std::string_view sha256, std::string_view state);

    /// Outbox entries not held, oldest first, at most `limit`.
    Result<std::vector<OutboxEntry>> pendingOutbox(std::size_t limit);
    /// The same after `afterSeq`, for a push: each entry's `changesText` holds its changes as stored
    /// (JSON text, sent as it is) and `changes` stays null. `withHeld` adds the held entries that may
    /// pass (sent again on each sync). The entries read count as sent from then on: in the same write
    /// transaction, the meta row `outbox.sent_through` moves up to the last one, and compaction never
    /// merges an edit into an entry at or below it (it may be in flight; exactly-once is per device+seq).
    Result<std::vector<OutboxEntry>> pendingOutboxText(std::int64_t afterSeq, std::size_t limit, bool withHeld = false);
    /// Records the server's answers: accepted entries leave the outbox and their record takes the new
    /// server version; rejected ones stay, flagged with the reason. One transaction.
    Result<void> acknowledge(const std::vector<PushAck>& acks);
    /// Applies pulled records and stores the cursor in the same transaction (a crash never skips a
    /// page). Fields with unsent local changes keep their local value. Returns how many were applied.
    Result<int> applyPulled(const std::vector<PulledRecord>& records, std::string_view cursor);
    /// The last pull cursor ("" before the first pull).
    Result<std::string> syncCursor();
    /// What the device reports on each pull (docs/sync-protocol.md, "Device report"), counted in
    /// SQL without loading rows: the outbox size and the drafts left on an older form version.
    struct SyncCounts {
        std::int64_t pending = 0;      ///< outbox entries, rejected ones included
        std::int64_t draftsBehind = 0; ///< drafts (not deleted) with a migration note
    };
    /// Counts for the device report, cheap enough for every pull page.
    Result<SyncCounts> syncCounts();

    /// A device setting (language, user name, ...), or `fallback` when unset.
    Result<std::string> setting(std::string_view key, std::string_view fallback = {});
    /// Saves a device setting durably.
    Result<void> setSetting(std::string_view key, std::string_view value);
    /// Copies the write-ahead log into the database file and empties it: the app is going to the
    /// background, where Android and iOS may end the process without warning.
    Result<void> checkpoint();

    /// PRAGMA integrity_check == "ok".
    Result<bool> integrityOk();

    /// Whether personal values and the server token are sealed (docs/security.md).
    [[nodiscard]] bool encrypted() const;
    /// The unlocked data key (null without encryption), for another connection on the same file.
    [[nodiscard]] std::shared_ptr<const DataKey> dataKey() const;
    /// Changes the PIN: re-seals the data key only (no record is rewritten). Refuses a wrong old PIN.
    Result<void> changePin(std::string_view oldPin, std::string_view newPin);
    /// Whether the store in DIR is encrypted, i.e. needs a PIN to open (false when there is none yet).
    static Result<bool> needsPin(const std::filesystem::path& dataDir);
    /// What a reset would lose, counted without the PIN: outbox entries not yet accepted by the server.
    static Result<std::int64_t> unsyncedCount(const std::filesystem::path& dataDir);
    /// The records those outbox entries change, counted without the PIN (what the app's reset names).
    static Result<std::int64_t> unsyncedRecords(const std::filesystem::path& dataDir);
    /// The device reset for a forgotten PIN: deletes the database, its WAL and the attachments. Whatever
    /// was not synced is lost: callers say so first (unsyncedCount). No Store may be open on DIR.
    static Result<void> reset(const std::filesystem::path& dataDir);

private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// The schema migrations, oldest first (exposed for the upgrade tests).
[[nodiscard]] std::span<const Migration> storeMigrations();

} // namespace carnet::store
