#pragma once
// The device side of sync: a transport (libcurl in production, fault-injecting in tests) and the
// engine that pulls forms, pushes the outbox in batches, pulls changes and applies them.

#include "core/result.hpp"
#include "store/store.hpp"
#include "sync/protocol.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace carnet::sync {

/// One HTTP exchange as the engine sees it.
struct HttpRequest {
    std::string method;          ///< GET, POST, PUT
    std::string path;            ///< "/api/v1/..." with the query string
    std::string body;            ///< JSON text ("" for GET)
    std::string contentEncoding; ///< "gzip" when `body` is compressed already ("": the transport decides)
};
struct HttpResponse {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers; ///< lower-case names
};

/// Carries requests to the server; failures to reach it are transient Errors (ErrorCode::Offline).
class Transport {
public:
    virtual ~Transport() = default;
    /// Sends one request with the protocol header (and the bearer token when set).
    virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
    /// Sets the bearer token for the next requests.
    virtual void setToken(std::string token) = 0;
    /// Bytes sent and received so far (HTTP headers and bodies as they crossed the connection).
    [[nodiscard]] virtual std::uint64_t bytesSent() const { return 0; }
    [[nodiscard]] virtual std::uint64_t bytesReceived() const { return 0; }
};

/// How the libcurl transport trusts an https server.
struct TransportOptions {
    /// PEM certificates of a private CA to trust instead of the system's (`carnet-device login --ca`);
    /// empty: the system's CA store. Certificates are always verified.
    std::string caPem;
};

/// The start of the message of a transport error caused by the server's certificate (not trusted,
/// wrong name, expired): not offline, and retrying does not help.
inline constexpr std::string_view kCertificateProblem = "the server's TLS certificate is not trusted";

/// libcurl transport: gzip both ways, timeouts, counts bytes on the wire, verifies certificates.
[[nodiscard]] std::unique_ptr<Transport> makeCurlTransport(std::string baseUrl, TransportOptions options = {});

/// What a sync did, printed by `carnet-device sync` as JSON.
struct SyncReport {
    int pushed = 0, pulled = 0, merged = 0, conflicts = 0, rejected = 0, formsInstalled = 0, roundTrips = 0;
    int discarded = 0;                 ///< mutations dropped by the server (record deleted, fields erased): not errors
    int attachmentsUploaded = 0;       ///< attachments completed on the server by this sync
    std::uint64_t attachmentBytes = 0; ///< attachment bytes sent (chunk bodies, resent ones included)
    int mediaDownloaded = 0;           ///< form media files fetched, verified and kept by this sync
    std::uint64_t mediaBytes = 0;      ///< form media bytes received (chunk bodies)
    std::uint64_t bytesSent = 0, bytesReceived = 0; ///< on the wire: headers and bodies as they crossed
    /// Outbox entries the server held after this sync (`rejected` counts those it refused during it).
    int held = 0;
    int recordsWaiting = 0; ///< records with held entries: they are not on the server yet
    /// What waits, grouped by reason, with what to do (translated).
    struct Waiting {
        std::string code, reason, action;
        bool retried = true; ///< sent again on every sync (false: someone must act first)
        int entries = 0, records = 0;
    };
    std::vector<Waiting> waiting;
    std::vector<std::string> errors;
    bool ok = true;           ///< false on any failure, and whenever something waits in the outbox
    bool offline = false;     ///< the server could not be reached: nothing was lost, try later
    bool loginNeeded = false; ///< the server no longer takes the token (expired, revoked): ask for the password
    [[nodiscard]] nlohmann::json toJson() const;
};

/// What waits in a device's outbox, read from the store alone: the same grouping as the sync report's
/// `waiting`, so the app's home screen says it after a restart, before any sync.
struct OutboxSummary {
    /// The records with entries in the outbox (pending or held), sorted: not on the server as they are here.
    std::vector<std::string> records;
    int held = 0;                             ///< held entries
    int recordsHeld = 0;                      ///< records with held entries
    std::vector<SyncReport::Waiting> waiting; ///< by reason, with what to do (in the store's language)
    std::vector<std::string> heldRecords;     ///< the ids of the records with held entries, sorted
    /// The reason a record is held ("" when it is not).
    [[nodiscard]] std::string reasonFor(std::string_view recordId) const;
    std::vector<std::pair<std::string, std::string>> reasons; ///< record id -> its first held reason, sorted by id
};
/// Reads the outbox's state: cheap (held entries are read without their changes).
Result<OutboxSummary> outboxSummary(store::Store& store);

/// Engine settings.
struct SyncOptions {
    std::size_t pushBatch = kMaxPushBatch;
    std::size_t pullLimit = 500;
    std::size_t chunkBytes = kUploadChunkBytes;     ///< attachment bytes per PUT: a slow link still makes progress
    std::size_t mediaChunkBytes = kMediaChunkBytes; ///< form media bytes asked per GET (at most kMediaChunkBytes)
    int attempts = 5;                               ///< per request, for transient failures
    std::chrono::milliseconds backoff{200};         ///< doubled after each failed attempt
    std::function<void(std::chrono::milliseconds)> sleep; ///< default: std::this_thread::sleep_for
    std::function<void(const std::string& step, int done, int total)> progress;
    /// The name login registers the device under, shown in the console ("" = the `device_name`
    /// setting, else "Carnet <user>"); the coordinator may rename it.
    std::string deviceName;
};

/// Logs in and registers this device; stores the server URL, user and token in the store's settings.
/// Network failures (an incomplete response included) are retried like a sync's requests.
Result<nlohmann::json> login(store::Store& store, Transport& transport, const std::string& url, const std::string& user,
                             const std::string& password, const SyncOptions& options = {});

/// One full sync: upload the attachments the pending mutations refer to (resuming where the server got),
/// push the outbox, then pull changes and the forms they need, with the media files (by sha256, only
/// those the device does not hold, resuming a cut download). A failure part-way keeps everything done
/// so far; the next sync resumes (acknowledged entries are gone from the outbox, the cursor moved only after applying).
SyncReport synchronize(store::Store& store, Transport& transport, const SyncOptions& options = {});

} // namespace carnet::sync
