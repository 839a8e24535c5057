#include "sync/client.hpp"

#include "core/ids.hpp"
#include "core/json_text.hpp"

#include <algorithm>
#include <set>
#include <thread>

namespace carnet::sync {

using nlohmann::json;

json SyncReport::toJson() const {
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
                {"round_trips", roundTrips},
                {"offline", offline},
                {"bytes_sent", bytesSent},
                {"bytes_received", bytesReceived},
                {"errors", errors}};
}

namespace {

struct Call {
    Transport& transport;
    const SyncOptions& options;
    SyncReport& report;

    struct Answer {
        int status = 0;
        json body;
    };

    // Sends with retries for transient failures (no network, 5xx, 429); other errors come back at once.
    Result<json> send(const std::string& method, const std::string& path, const json& body = nullptr) {
        auto a = exchange(HttpRequest{method, path, body.is_null() ? std::string() : body.dump()});
        if (!a.ok()) return a.error();
        if (a->status >= 400) {
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
            auto proto = r->headers.find("carnet-protocol");
            if (proto == r->headers.end() || proto->second != std::to_string(kProtocolVersion))
                return makeError(ErrorCode::Invalid,
                                 "server speaks protocol " +
                                     (proto == r->headers.end() ? std::string("?") : proto->second) + ", this device " +
                                     std::to_string(kProtocolVersion) + ": update Carnet");
            json j = json::parse(r->body, nullptr, false);
            if (r->status >= 500 || r->status == 429) {
                last = makeError(ErrorCode::Busy, path + ": server error " + std::to_string(r->status), true);
                continue;
            }
            return Answer{static_cast<int>(r->status), std::move(j)};
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
    auto data = readTextFile(a.path);
    if (!data.ok()) return data.error();
    const std::uint64_t size = data->size();
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
        HttpRequest req{"PUT", base + "?offset=" + std::to_string(offset) + "&total=" + std::to_string(size),
                        data->substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(n))};
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
    for (const auto& e : batch)
        if (e.changes.is_object() && e.changes.contains("fields")) attachmentRefs(e.changes["fields"], refs);
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

// Installs every published version the device does not have yet.
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
        auto r = store.installForm(def->dump());
        if (!r.ok()) {
            fail(call.report, r.error());
            return false;
        }
        if (!r->alreadyInstalled) ++call.report.formsInstalled;
        installed->push_back(r->form);
    }
    return true;
}

// What the device says about itself on each pull (docs/sync-protocol.md, "Device report"): its outbox
// size and the drafts that stayed on an older form version. Best effort: a store error leaves it out.
std::string deviceReportQuery(store::Store& store) {
    std::string q = "&device_id=" + store.deviceId();
    if (auto c = store.syncCounts(); c.ok())
        q += "&pending=" + std::to_string(c->pending) + "&drafts_behind=" + std::to_string(c->draftsBehind);
    return q;
}

} // namespace

Result<json> login(store::Store& store, Transport& transport, const std::string& url, const std::string& user,
                   const std::string& password) {
    SyncReport report;
    SyncOptions options;
    options.attempts = 2;
    Call call{transport, options, report};
    auto r = call.send("POST", "/api/v1/login", json{{"user", user}, {"password", password}});
    if (!r.ok()) return r.error();
    if (!r->contains("token") || !(*r)["token"].is_string())
        return makeError(ErrorCode::Invalid, "login: no token in the response");
    const std::string token = (*r)["token"].get<std::string>();
    transport.setToken(token);
    auto dev = call.send("POST", "/api/v1/devices", json{{"device_id", store.deviceId()}, {"name", "carnet"}});
    if (!dev.ok()) return dev.error();
    for (const auto& [k, v] :
         {std::pair<std::string, std::string>{"server_url", url}, {"server_user", user}, {"server_token", token}})
        if (auto s = store.setSetting(k, v); !s.ok()) return s.error();
    return *r;
}

SyncReport synchronize(store::Store& store, Transport& transport, const SyncOptions& options) {
    SyncReport report;
    const std::uint64_t sent0 = transport.bytesSent(), received0 = transport.bytesReceived();
    struct Bytes { // filled on every way out
        SyncReport& r;
        Transport& t;
        std::uint64_t s0, r0;
        ~Bytes() {
            r.bytesSent = t.bytesSent() - s0;
            r.bytesReceived = t.bytesReceived() - r0;
        }
    } bytes{report, transport, sent0, received0};
    Call call{transport, options, report};
    auto token = store.setting("server_token");
    if (token.ok() && !token->empty()) transport.setToken(*token);

    // 1. Push the outbox in bounded batches until it is empty (or only rejected entries remain).
    int total = 0;
    while (true) {
        auto batch = store.pendingOutbox(options.pushBatch);
        if (!batch.ok()) {
            fail(report, batch.error());
            return report;
        }
        if (batch->empty()) break;
        if (!uploadAttachments(store, call, *batch)) return report;
        json mutations = json::array();
        for (const auto& e : *batch)
            mutations.push_back(toJson(Mutation{e.seq, e.recordId, e.baseVersion, e.op, e.changes}));
        auto r =
            call.send("POST", "/api/v1/sync/push", json{{"device_id", store.deviceId()}, {"mutations", mutations}});
        if (!r.ok()) {
            fail(report, r.error());
            return report;
        }
        std::vector<store::PushAck> acks;
        for (const auto& jr : r->value("results", json::array())) {
            auto res = mutationResultFromJson(jr);
            if (!res.ok()) continue;
            store::PushAck a{res->seq, res->version, res->status == MutationStatus::Rejected,
                             res->status == MutationStatus::Discarded, res->reason};
            if (a.rejected) {
                ++report.rejected;
                report.errors.push_back("seq " + std::to_string(res->seq) + ": " + res->reason);
            } else if (a.discarded) {
                ++report.discarded;
            } else {
                ++report.pushed;
            }
            if (res->status == MutationStatus::Merged) ++report.merged;
            if (res->status == MutationStatus::Conflict) ++report.conflicts;
            acks.push_back(std::move(a));
        }
        if (acks.empty()) {
            fail(report, makeError(ErrorCode::Invalid, "push: the server acknowledged nothing"));
            return report;
        }
        if (auto a = store.acknowledge(acks); !a.ok()) {
            fail(report, a.error());
            return report;
        }
        total += static_cast<int>(acks.size());
        if (options.progress) options.progress("push", total, total);
    }

    // 2. Pull pages until the server has nothing more; each page and its cursor land together. Each
    // page lists the published forms, installed before the records that use them: a sync with
    // nothing to do is this one request.
    while (true) {
        auto cursor = store.syncCursor();
        if (!cursor.ok()) {
            fail(report, cursor.error());
            return report;
        }
        std::string path = "/api/v1/sync/pull?limit=" + std::to_string(options.pullLimit);
        if (!cursor->empty()) path += "&cursor=" + *cursor;
        path += deviceReportQuery(store);
        auto page = call.send("GET", path);
        if (!page.ok()) {
            fail(report, page.error());
            return report;
        }
        if (!pullForms(store, call, page->value("forms", json::array()))) return report;
        std::vector<store::PulledRecord> records;
        for (const auto& c : page->value("changes", json::array())) {
            auto rr = remoteRecordFromJson(c);
            if (!rr.ok()) {
                fail(report, rr.error());
                return report;
            }
            records.push_back(store::PulledRecord{rr->recordId, rr->kind, rr->formId, rr->formVersion, rr->status,
                                                  rr->author, rr->version, rr->answers, rr->conflicts, rr->erased});
        }
        const std::string next = page->value("cursor", *cursor);
        auto applied = store.applyPulled(records, next);
        if (!applied.ok()) {
            fail(report, applied.error());
            return report;
        }
        report.pulled += static_cast<int>(records.size());
        if (options.progress) options.progress("pull", report.pulled, report.pulled);
        if (!page->value("more", false) || records.empty()) break;
    }
    if (auto s = store.setSetting("last_sync", nowIsoUtc()); !s.ok()) fail(report, s.error());
    return report;
}

} // namespace carnet::sync
