#include "sync/client.hpp"

#include "core/i18n.hpp"
#include "core/ids.hpp"
#include "core/json_text.hpp"
#include "forms/loader.hpp"
#include "sync/gzip.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <thread>

namespace carnet::sync {

using nlohmann::json;

std::string OutboxSummary::reasonFor(std::string_view recordId) const {
    auto it = std::lower_bound(reasons.begin(), reasons.end(), recordId,
                               [](const auto& r, std::string_view id) { return r.first < id; });
    return it != reasons.end() && it->first == recordId ? it->second : std::string();
}

Result<OutboxSummary> outboxSummary(store::Store& store) {
    OutboxSummary out;
    auto records = store.outboxRecords();
    if (!records.ok()) return records.error();
    out.records = std::move(*records);
    auto held = store.heldOutbox();
    if (!held.ok()) return held.error();
    out.held = static_cast<int>(held->size());
    struct Group {
        std::string code, reason;
        bool mayPass = true;
        int entries = 0;
        std::set<std::string> records;
    };
    std::vector<Group> groups;
    std::map<std::string, std::string> reasons;
    for (const auto& e : *held) {
        reasons.emplace(e.recordId, e.held);
        // Entries of one record held because its create is held say nothing new: grouped with it.
        auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
            return g.reason == e.held || (e.heldCode == reject::kUnknownRecord && g.records.contains(e.recordId));
        });
        if (it == groups.end()) it = groups.insert(groups.end(), Group{e.heldCode, e.held, e.heldMayPass, 0, {}});
        ++it->entries;
        it->records.insert(e.recordId);
    }
    out.recordsHeld = static_cast<int>(reasons.size());
    for (auto& [id, reason] : reasons) {
        out.heldRecords.push_back(id);
        out.reasons.emplace_back(id, std::move(reason));
    }
    const Lang lang = store.language();
    for (const auto& g : groups) {
        const std::string key = g.code == reject::kUnknownFormVersion ? "sync.held_action.unknown_form_version"
                                : g.code == reject::kUnknownRecord    ? "sync.held_action.unknown_record"
                                : g.code == reject::kNotAssigned      ? "sync.held_action.not_assigned"
                                : g.mayPass                           ? "sync.held_action.retry"
                                                                      : "sync.held_action.coordinator";
        out.waiting.push_back(SyncReport::Waiting{g.code, g.reason, tr(key, lang), g.mayPass, g.entries,
                                                  static_cast<int>(g.records.size())});
    }
    return out;
}

json SyncReport::toJson() const {
    json waitingJson = json::array();
    for (const auto& w : waiting)
        waitingJson.push_back(json{{"code", w.code},
                                   {"reason", w.reason},
                                   {"action", w.action},
                                   {"retried", w.retried},
                                   {"entries", w.entries},
                                   {"records", w.records}});
    return json{{"ok", ok},
                {"pushed", pushed},
                {"pulled", pulled},
                {"merged", merged},
                {"conflicts", conflicts},
                {"rejected", rejected},
                {"discarded", discarded},
                {"attachments_uploaded", attachmentsUploaded},
                {"attachment_bytes", attachmentBytes},
                {"forms_installed", formsInstalled},
                {"media_downloaded", mediaDownloaded},
                {"media_bytes", mediaBytes},
                {"round_trips", roundTrips},
                {"offline", offline},
                {"login_needed", loginNeeded},
                {"bytes_sent", bytesSent},
                {"bytes_received", bytesReceived},
                {"held", held},
                {"records_waiting", recordsWaiting},
                {"waiting", waitingJson},
                {"errors", errors}};
}

namespace {

struct Call {
    Transport& transport;
    const SyncOptions& options;
    SyncReport& report;
    std::set<std::string> refusedMedia{}; ///< media files refused during this sync: not fetched twice

    struct Answer {
        int status = 0;
        json body;
    };

    // Sends with retries for transient failures (no network, 5xx, 429); other errors come back at once.
    Result<json> send(const std::string& method, const std::string& path, const json& body = nullptr) {
        return sendText(method, path, body.is_null() ? std::string() : body.dump());
    }

    // The same with a body already serialised (and compressed when `encoding` says so).
    Result<json> sendText(const std::string& method, const std::string& path, std::string body,
                          std::string encoding = {}) {
        auto a = exchange(HttpRequest{method, path, std::move(body), std::move(encoding)});
        if (!a.ok()) return a.error();
        if (a->status >= 400) {
            if (a->status == 401) report.loginNeeded = true;
            const json& j = a->body;
            const std::string message = j.is_object() && j.contains("message") && j["message"].is_string()
                                            ? j["message"].get<std::string>()
                                            : ("HTTP " + std::to_string(a->status));
            return makeError(a->status == 401 ? ErrorCode::Conflict : ErrorCode::Invalid, path + ": " + message);
        }
        if (a->body.is_discarded()) return makeError(ErrorCode::Invalid, path + ": response is not JSON");
        return std::move(a->body);
    }

    // One exchange with retries for transient failures; any other status comes back with its JSON body.
    Result<Answer> exchange(const HttpRequest& req) {
        auto r = exchangeRaw(req);
        if (!r.ok()) return r.error();
        json j = json::parse(r->body, nullptr, false);
        return Answer{r->status, std::move(j)};
    }

    // The same, with the body as it came (form media are bytes, not JSON).
    Result<HttpResponse> exchangeRaw(const HttpRequest& req) {
        const std::string& path = req.path;
        auto delay = options.backoff;
        Error last = makeError(ErrorCode::Offline, "no attempt", true);
        for (int attempt = 0; attempt < std::max(1, options.attempts); ++attempt) {
            if (attempt > 0) {
                if (options.sleep)
                    options.sleep(delay);
                else
                    std::this_thread::sleep_for(delay);
                delay *= 2;
            }
            ++report.roundTrips;
            auto r = transport.send(req);
            if (!r.ok()) {
                last = r.error();
                if (!last.transient) return last;
                continue;
            }
            if (r->status >= 500 || r->status == 429) {
                last = makeError(ErrorCode::Busy, path + ": server error " + std::to_string(r->status), true);
                continue;
            }
            // Only a complete response naming another protocol version means "update": a response
            // without the header is not from a Carnet server (a proxy's or portal's page), so it is
            // treated like a network failure.
            auto proto = r->headers.find("carnet-protocol");
            if (proto == r->headers.end()) {
                last = makeError(ErrorCode::Offline, path + ": the answer is not from a Carnet server", true);
                continue;
            }
            if (proto->second != std::to_string(kProtocolVersion))
                return makeError(ErrorCode::Invalid, "server speaks protocol " + proto->second + ", this device " +
                                                         std::to_string(kProtocolVersion) + ": update Carnet");
            return std::move(*r);
        }
        return last;
    }
};

void fail(SyncReport& report, const Error& e) {
    report.ok = false;
    if (e.code == ErrorCode::Offline) report.offline = true;
    report.errors.push_back(e.message);
}

// Collects the attachment hashes an answer value refers to (repeats hold them deeper).
void attachmentRefs(const json& value, std::set<std::string>& out) {
    if (auto h = attachmentHash(value)) {
        out.insert(*h);
    } else if (value.is_structured()) {
        for (const auto& v : value)
            attachmentRefs(v, out);
    }
}

std::uint64_t byteCount(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number_unsigned()) return 0;
    return j[key].get<std::uint64_t>();
}

// Uploads one stored attachment in bounded chunks, resuming from what the server already holds.
Result<void> uploadAttachment(store::Store& store, Call& call, const store::Attachment& a) {
    // Read a chunk at a time (a video of hundreds of MB never sits in memory); the row's size is the
    // content's, sealed or not.
    const auto size = static_cast<std::uint64_t>(a.size);
    const std::string base = "/api/v1/attachments/" + a.hash;
    std::uint64_t offset = 0;
    if (a.upload == "started") { // an earlier try was cut: ask how far it got instead of resending
        auto st = call.send("GET", base);
        if (!st.ok()) return st.error();
        offset = byteCount(*st, "received");
    } else if (auto m = store.setAttachmentUpload(a.hash, "started"); !m.ok()) {
        return m.error();
    }
    const std::size_t chunk = std::max<std::size_t>(1, call.options.chunkBytes);
    while (offset < size || size == 0) {
        const std::uint64_t n = std::min<std::uint64_t>(chunk, size - offset);
        auto piece = store.attachmentRange(a.hash, offset, static_cast<std::size_t>(n));
        if (!piece.ok()) return piece.error();
        if (piece->size() != n) return makeError(ErrorCode::Invalid, base + ": the file is shorter than its row says");
        HttpRequest req{"PUT",
                        base + "?offset=" + std::to_string(offset) + "&total=" + std::to_string(size),
                        std::move(*piece),
                        {}};
        auto r = call.exchange(req);
        if (!r.ok()) return r.error();
        call.report.attachmentBytes += n;
        const std::uint64_t received = byteCount(r->body, "received");
        const bool complete = r->body.is_object() && r->body.contains("complete") && r->body["complete"] == true;
        if (r->status == 200 || r->status == 409) { // 409: the server has a different size: resume from it
            if (r->status == 409 && received == offset) return makeError(ErrorCode::Invalid, base + ": no progress");
            offset = received;
            if (complete || size == 0) break;
            continue;
        }
        return makeError(ErrorCode::Invalid,
                         base + ": HTTP " + std::to_string(r->status) + " " +
                             (r->body.is_object() && r->body.contains("message") && r->body["message"].is_string()
                                  ? r->body["message"].get<std::string>()
                                  : std::string()));
    }
    if (auto m = store.setAttachmentUpload(a.hash, "done"); !m.ok()) return m.error();
    ++call.report.attachmentsUploaded;
    return {};
}

// Uploads what a batch refers to before the batch goes: the server never holds a record whose photo
// is missing for longer than a cut upload takes to resume.
bool uploadAttachments(store::Store& store, Call& call, const std::vector<store::OutboxEntry>& batch) {
    std::set<std::string> refs;
    for (const auto& e : batch) {
        if (!mayNameAttachment(e.changesText)) continue; // parsed only when it may name one
        const json changes = json::parse(e.changesText, nullptr, false);
        if (changes.is_object() && changes.contains("fields")) attachmentRefs(changes["fields"], refs);
    }
    for (const auto& h : refs) {
        auto a = store.attachment(h);
        if (!a.ok()) continue; // not a file of this device (or a text that looks like a hash)
        if (a->upload == "done") continue;
        if (auto r = uploadAttachment(store, call, *a); !r.ok()) {
            fail(call.report, r.error());
            return false;
        }
    }
    return true;
}

// Downloads one form media file into the store, resuming where its partial file ends, at most
// kMediaChunkBytes per request; the store keeps it only once its sha256 matches.
Result<void> downloadMedia(store::Store& store, Call& call, const store::MediaNeed& m) {
    auto got = store.mediaReceived(m.sha256);
    if (!got.ok()) return got.error();
    std::uint64_t offset = *got;
    const std::string base = "/api/v1/form-media/" + m.sha256;
    while (offset < m.size) {
        const std::uint64_t chunk = std::clamp<std::uint64_t>(call.options.mediaChunkBytes, 1, kMediaChunkBytes);
        const std::uint64_t length = std::min<std::uint64_t>(chunk, m.size - offset);
        auto r = call.exchangeRaw(HttpRequest{
            "GET", base + "?offset=" + std::to_string(offset) + "&length=" + std::to_string(length), "", ""});
        if (!r.ok()) return r.error();
        if (r->status >= 400) {
            const json j = json::parse(r->body, nullptr, false);
            const std::string message = j.is_object() && j.contains("message") && j["message"].is_string()
                                            ? j["message"].get<std::string>()
                                            : "HTTP " + std::to_string(r->status);
            return makeError(ErrorCode::Invalid, m.file + ": " + message);
        }
        if (r->body.empty() || r->body.size() > length) break; // not the file the manifest lists: refused below
        if (auto a = store.appendMedia(m.sha256, offset, r->body); !a.ok()) return a.error();
        offset += r->body.size();
        call.report.mediaBytes += r->body.size();
    }
    if (auto f = store.finishMedia(m.sha256, m.size, m.file); !f.ok()) return f.error();
    ++call.report.mediaDownloaded;
    return {};
}

// Fetches the media files in `needs` the store does not hold. A file that is refused (its bytes do not
// match the manifest) is reported and left: the form works without it, saying it is missing, and the
// next sync tries again. A network failure stops (false): the next sync resumes the partial file.
bool fetchMedia(store::Store& store, Call& call, const std::vector<store::MediaNeed>& needs) {
    for (const auto& m : needs) {
        if (store.hasMedia(m.sha256) || call.refusedMedia.count(m.sha256)) continue;
        if (auto r = downloadMedia(store, call, m); !r.ok()) {
            fail(call.report, r.error());
            if (r.error().code != ErrorCode::Invalid) return false;
            call.refusedMedia.insert(m.sha256);
        }
    }
    return true;
}

// Installs every published version the device does not have yet, each once its media files are here
// (so drafts moving to it are checked against its CSV choices).
bool pullForms(store::Store& store, Call& call, const json& refs) {
    auto installed = store.forms();
    if (!installed.ok()) {
        fail(call.report, installed.error());
        return false;
    }
    for (const auto& ref : refs) {
        auto f = formRefFromJson(ref);
        if (!f.ok()) continue;
        bool have = false;
        for (const auto& i : *installed)
            have = have || (i.formId == f->formId && i.version == f->version);
        if (have) continue;
        auto def = call.send("GET", "/api/v1/forms/" + f->formId + "/" + f->version);
        if (!def.ok()) {
            fail(call.report, def.error());
            return false;
        }
        const std::string text = def->dump();
        if (const forms::LoadResult loaded = forms::loadForm(text); loaded.ok()) {
            std::vector<store::MediaNeed> needs;
            for (const auto& m : loaded.form->mediaFiles)
                if (!m.sha256.empty())
                    needs.push_back({m.sha256, static_cast<std::uint64_t>(m.size), m.file, f->formId, f->version});
            if (!fetchMedia(store, call, needs)) return false;
        }
        auto r = store.installForm(text);
        if (!r.ok()) {
            fail(call.report, r.error());
            return false;
        }
        if (!r->alreadyInstalled) ++call.report.formsInstalled;
        installed->push_back(r->form);
    }
    return true;
}

// A push request body ready to go: built and, when large, compressed here rather than on the way
// out, so that the next batch is packed while the previous one travels.
struct PackedBody {
    std::string body;
    std::string encoding;
};

PackedBody packPush(const std::string& deviceId, const std::vector<store::OutboxEntry>& batch) {
    // Each entry's changes go as the outbox stores them: a push never parses and re-serialises its records.
    std::vector<PushEntryText> entries;
    entries.reserve(batch.size());
    for (const auto& e : batch)
        entries.push_back(PushEntryText{e.seq, e.recordId, e.baseVersion, e.op, e.changesText, e.editedAt});
    PackedBody out{pushBody(deviceId, entries), {}};
    if (out.body.size() < kGzipFromBytes) return out;
    if (auto z = gzip(out.body)) {
        out.body = std::move(*z);
        out.encoding = "gzip";
    }
    return out;
}

// The server's answers to one push, as acknowledgements for the store; counts them in the report.
// A held entry is counted once per sync however many times it went (`heldSeqs`).
std::vector<store::PushAck> readAcks(const json& reply, SyncReport& report, std::set<std::int64_t>& heldSeqs) {
    std::vector<store::PushAck> acks;
    for (const auto& jr : reply.value("results", json::array())) {
        auto res = mutationResultFromJson(jr);
        if (!res.ok()) continue;
        store::PushAck a{res->seq,
                         res->version,
                         res->status == MutationStatus::Rejected,
                         res->status == MutationStatus::Discarded,
                         res->reason,
                         res->code,
                         rejectionMayPass(res->code)};
        if (a.rejected) {
            heldSeqs.insert(res->seq);
        } else {
            heldSeqs.erase(res->seq);
            if (a.discarded)
                ++report.discarded;
            else
                ++report.pushed;
        }
        if (res->status == MutationStatus::Merged) ++report.merged;
        if (res->status == MutationStatus::Conflict) ++report.conflicts;
        acks.push_back(std::move(a));
    }
    report.rejected = static_cast<int>(heldSeqs.size());
    return acks;
}

// Pushes the outbox in bounded batches, oldest first, the held entries that may pass included. Each
// request travels on its own thread while this one stores the answers to the previous batch and reads
// the next: the device's work overlaps the server's. Entries are read after the last one sent, so no
// entry goes twice in one pass. Answers not stored yet when a sync stops are only answered again next
// time (the server keeps each device's results): never applied twice. False when the sync must stop.
bool pushOutbox(store::Store& store, Call& call, std::set<std::int64_t>& heldSeqs) {
    SyncReport& report = call.report;
    const SyncOptions& options = call.options;
    int acked = 0;
    std::vector<store::PushAck> unacked;
    auto storeAcks = [&]() -> Result<void> {
        if (unacked.empty()) return {};
        if (auto a = store.acknowledge(unacked); !a.ok()) return a.error();
        acked += static_cast<int>(unacked.size());
        unacked.clear();
        if (options.progress) options.progress("push", acked, acked);
        return {};
    };
    auto stop = [&](const Error& e) { // every way out stores what the server already answered
        fail(report, e);
        if (auto a = storeAcks(); !a.ok()) fail(report, a.error());
        return false;
    };
    auto batch = store.pendingOutboxText(0, options.pushBatch, true);
    if (!batch.ok()) return stop(batch.error());
    if (!uploadAttachments(store, call, *batch)) return false;
    PackedBody packed = packPush(store.deviceId(), *batch);
    while (!batch->empty()) {
        auto inFlight = std::async(std::launch::async, [&call, p = std::move(packed)]() mutable {
            return call.sendText("POST", "/api/v1/sync/push", std::move(p.body), std::move(p.encoding));
        });
        auto stored = storeAcks();
        auto next = store.pendingOutboxText(batch->back().seq, options.pushBatch, true);
        packed = next.ok() && !next->empty() ? packPush(store.deviceId(), *next) : PackedBody{};
        auto r = inFlight.get();
        if (!r.ok()) return stop(r.error());
        if (!stored.ok()) return stop(stored.error()); // this batch is answered again next time
        unacked = readAcks(*r, report, heldSeqs);
        if (unacked.empty()) return stop(makeError(ErrorCode::Invalid, "push: the server acknowledged nothing"));
        if (!next.ok()) return stop(next.error());
        if (!uploadAttachments(store, call, *next)) {
            if (auto a = storeAcks(); !a.ok()) fail(report, a.error());
            return false;
        }
        batch = std::move(next);
    }
    if (auto a = storeAcks(); !a.ok()) {
        fail(report, a.error());
        return false;
    }
    return true;
}

// What waits in the outbox after a sync, grouped by reason: the report says it every time, and a sync
// with anything held is never a clean success.
void reportHeld(store::Store& store, SyncReport& report) {
    auto summary = outboxSummary(store);
    if (!summary.ok()) {
        fail(report, summary.error());
        return;
    }
    report.held = summary->held;
    if (summary->held == 0) return;
    report.recordsWaiting = summary->recordsHeld;
    const Lang lang = store.language();
    for (auto& w : summary->waiting) {
        report.errors.push_back(
            tr("sync.held", lang, {std::to_string(w.entries), std::to_string(w.records), w.reason, w.action}));
        report.waiting.push_back(std::move(w));
    }
    report.ok = false;
}

// One pull page, read into the store's terms.
struct PulledPage {
    json forms;
    std::vector<store::PulledRecord> records;
    std::string cursor;
    bool more = false;
};

Result<PulledPage> fetchPage(Call& call, const std::string& path, const std::string& cursor) {
    auto page = call.send("GET", path);
    if (!page.ok()) return page.error();
    PulledPage out;
    out.forms = page->value("forms", json::array());
    for (const auto& c : page->value("changes", json::array())) {
        auto rr = remoteRecordFromJson(c);
        if (!rr.ok()) return rr.error();
        out.records.push_back(store::PulledRecord{rr->recordId, rr->kind, rr->formId, rr->formVersion, rr->status,
                                                  rr->author, rr->version, std::move(rr->answers), rr->conflicts,
                                                  rr->erased, std::move(rr->conflictValues)});
    }
    out.cursor = page->value("cursor", cursor);
    out.more = page->value("more", false) && !out.records.empty();
    return out;
}

// What the device says about itself on each pull (docs/sync-protocol.md, "Device report"): its outbox
// size and the drafts that stayed on an older form version. Best effort: a store error leaves it out.
std::string deviceReportQuery(store::Store& store) {
    std::string q = "&device_id=" + store.deviceId() + "&app_version=" CARNET_APP_VERSION;
    if (auto c = store.syncCounts(); c.ok())
        q += "&pending=" + std::to_string(c->pending) + "&drafts_behind=" + std::to_string(c->draftsBehind);
    return q;
}

} // namespace

Result<json> login(store::Store& store, Transport& transport, const std::string& url, const std::string& user,
                   const std::string& password, const SyncOptions& options) {
    SyncReport report;
    Call call{transport, options, report};
    auto r = call.send("POST", "/api/v1/login", json{{"user", user}, {"password", password}});
    if (!r.ok()) return r.error();
    if (!r->contains("token") || !(*r)["token"].is_string())
        return makeError(ErrorCode::Invalid, "login: no token in the response");
    const std::string token = (*r)["token"].get<std::string>();
    transport.setToken(token);
    std::string name = options.deviceName;
    if (name.empty()) name = store.setting("device_name").value_or("");
    if (name.empty()) name = "Carnet " + user;
    auto dev = call.send("POST", "/api/v1/devices", json{{"device_id", store.deviceId()}, {"name", name}});
    if (!dev.ok()) return dev.error();
    for (const auto& [k, v] : {std::pair<std::string, std::string>{"server_url", url},
                               {"server_user", user},
                               {"server_token", token},
                               {"server_token_renew_after", r->value("renew_after", std::string())}})
        if (auto s = store.setSetting(k, v); !s.ok()) return s.error();
    return *r;
}

namespace {

// A token past its renewal date is exchanged for a new one before the sync (docs/sync-protocol.md,
// "Tokens"): a device that syncs now and then never has to ask for the password. A renewal that
// fails leaves the old token, which the sync then uses (or reports as needing a login).
Result<void> renewToken(store::Store& store, Transport& transport, Call& call) {
    auto after = store.setting("server_token_renew_after");
    if (!after.ok()) return after.error();
    if (after->empty() || nowIsoUtc() < *after) return {};
    auto r = call.send("POST", "/api/v1/session/renew", json::object());
    if (!r.ok()) return {};
    if (!r->contains("token") || !(*r)["token"].is_string())
        return makeError(ErrorCode::Invalid, "renew: no token in the response");
    const std::string token = (*r)["token"].get<std::string>();
    for (const auto& [k, v] : {std::pair<std::string, std::string>{"server_token", token},
                               {"server_token_renew_after", r->value("renew_after", std::string())}})
        if (auto s = store.setSetting(k, v); !s.ok()) return s.error();
    transport.setToken(token);
    return {};
}

// The sync itself; synchronize() adds what every way out must report.
void run(store::Store& store, Call& call, SyncReport& report) {
    const SyncOptions& options = call.options;
    auto token = store.setting("server_token");
    if (token.ok() && !token->empty()) call.transport.setToken(*token);
    if (auto renewed = renewToken(store, call.transport, call); !renewed.ok()) {
        fail(report, renewed.error());
        return;
    }

    // 1. Push the outbox, the held entries that may pass now included (at least once per sync).
    std::set<std::int64_t> heldSeqs;
    if (!pushOutbox(store, call, heldSeqs)) return;

    // 2. Pull pages until the server has nothing more; each page and its cursor land together. Each
    //    page lists the published forms, installed before the records that use them: a sync with
    //    nothing to do is this one request. The next page is fetched while this one is stored.
    auto cursor = store.syncCursor();
    if (!cursor.ok()) {
        fail(report, cursor.error());
        return;
    }
    auto pagePath = [&](const std::string& after) {
        std::string path = "/api/v1/sync/pull?limit=" + std::to_string(options.pullLimit);
        if (!after.empty()) path += "&cursor=" + after;
        return path + deviceReportQuery(store);
    };
    auto page = fetchPage(call, pagePath(*cursor), *cursor);
    while (true) {
        if (!page.ok()) {
            fail(report, page.error());
            return;
        }
        if (!pullForms(store, call, page->forms)) return;
        std::future<Result<PulledPage>> ahead;
        if (page->more)
            ahead = std::async(std::launch::async, [&call, path = pagePath(page->cursor), after = page->cursor] {
                return fetchPage(call, path, after);
            });
        auto applied = store.applyPulled(page->records, page->cursor);
        if (!applied.ok()) {
            if (ahead.valid()) ahead.wait();
            fail(report, applied.error());
            return;
        }
        report.pulled += static_cast<int>(page->records.size());
        if (options.progress) options.progress("pull", report.pulled, report.pulled);
        if (!ahead.valid()) break;
        page = ahead.get();
    }
    // 3. Media files of installed forms still missing (a download cut by an earlier sync, a file
    //    refused then): resumed now.
    auto missing = store.missingMedia();
    if (!missing.ok()) {
        fail(report, missing.error());
        return;
    }
    if (!fetchMedia(store, call, *missing)) return;
    // 4. Forms arrived: the held entries that were waiting for one go again now.
    if (report.formsInstalled > 0) {
        auto held = store.heldOutbox();
        if (held.ok() && std::any_of(held->begin(), held->end(), [](const auto& e) { return e.heldMayPass; }) &&
            !pushOutbox(store, call, heldSeqs))
            return;
    }
    if (auto s = store.setSetting("last_sync", nowIsoUtc()); !s.ok()) fail(report, s.error());
}

} // namespace

SyncReport synchronize(store::Store& store, Transport& transport, const SyncOptions& options) {
    SyncReport report;
    const std::uint64_t sent0 = transport.bytesSent(), received0 = transport.bytesReceived();
    Call call{transport, options, report};
    run(store, call, report);
    reportHeld(store, report);
    report.bytesSent = transport.bytesSent() - sent0;
    report.bytesReceived = transport.bytesReceived() - received0;
    return report;
}

} // namespace carnet::sync
