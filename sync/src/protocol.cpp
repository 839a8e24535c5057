#include "sync/protocol.hpp"

#include "sync/canonical_json.hpp"

#include <algorithm>
#include <utility>

namespace carnet::sync {

using nlohmann::json;

namespace {

Error bad(std::string_view what) {
    return makeError(ErrorCode::Invalid, "protocol: " + std::string(what));
}

bool getString(const json& j, const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
}

bool getInt(const json& j, const char* key, std::int64_t& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return false;
    out = it->get<std::int64_t>();
    return true;
}

} // namespace

bool editedAtFits(std::string_view s) {
    return s.size() <= kMaxEditedAt && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || c == '-' || c == ':' || c == 'T' || c == 'Z' || c == '.' || c == '+';
           });
}

bool rejectionMayPass(std::string_view code) {
    return code != reject::kOtherOrganisation && code != reject::kFormMismatch && code != reject::kBaseAhead &&
           code != reject::kBadMutation;
}

std::string_view statusName(MutationStatus s) {
    switch (s) {
    case MutationStatus::Applied:
        return "applied";
    case MutationStatus::Merged:
        return "merged";
    case MutationStatus::Conflict:
        return "conflict";
    case MutationStatus::Rejected:
        return "rejected";
    case MutationStatus::Discarded:
        return "discarded";
    }
    return "rejected";
}

std::optional<MutationStatus> parseMutationStatus(std::string_view s) {
    for (auto st : {MutationStatus::Applied, MutationStatus::Merged, MutationStatus::Conflict, MutationStatus::Rejected,
                    MutationStatus::Discarded})
        if (statusName(st) == s) return st;
    return std::nullopt;
}

json toJson(const Mutation& m) {
    json changes = m.changes;
    if (!m.fieldsText.empty()) changes["fields"] = fieldsOf(m);
    json j{{"seq", m.seq},
           {"record_id", m.recordId},
           {"base_version", m.baseVersion},
           {"op", m.op},
           {"changes", std::move(changes)}};
    if (!m.editedAt.empty()) j["edited_at"] = m.editedAt;
    return j;
}

json fieldsOf(const Mutation& m) {
    if (!m.fieldsText.empty()) return json::parse(m.fieldsText); // checked canonical when it was read
    auto f = m.changes.find("fields");
    return f != m.changes.end() && f->is_object() ? *f : json::object();
}

std::optional<PushRequest> pushRequestFromJson(json&& body, PushBodyError& error) {
    auto refuse = [&](int status, const char* code, std::string message) {
        error = PushBodyError{status, code, std::move(message)};
        return std::nullopt;
    };
    auto device = body.find("device_id");
    auto list = body.find("mutations");
    if (device == body.end() || !device->is_string() || list == body.end() || !list->is_array())
        return refuse(400, "missing_field", "push needs 'device_id' and a 'mutations' array");
    if (list->size() > kMaxPushBatch)
        return refuse(413, "batch_too_large", "at most " + std::to_string(kMaxPushBatch) + " mutations per push");
    PushRequest out;
    out.deviceId = device->get<std::string>();
    out.mutations.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto m = mutationFromJson(std::move((*list)[i])); // the changes move, not copied
        if (!m.ok()) return refuse(400, "bad_mutation", "mutations[" + std::to_string(i) + "]: " + m.error().message);
        out.mutations.push_back(std::move(*m));
    }
    if (auto p = body.find("pending"); p != body.end() && p->is_number_integer() && p->get<std::int64_t>() >= 0)
        out.pending = p->get<std::int64_t>();
    return out;
}

std::string pushBody(std::string_view deviceId, const std::vector<PushEntryText>& entries) {
    std::size_t size = 64 + deviceId.size();
    for (const auto& e : entries)
        size += e.changesText.size() + e.recordId.size() + e.op.size() + e.editedAt.size() + 112;
    std::string out;
    out.reserve(size);
    out += "{\"device_id\":";
    appendJsonString(out, deviceId);
    out += ",\"mutations\":[";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (i > 0) out += ',';
        out += "{\"seq\":";
        out += std::to_string(e.seq);
        out += ",\"record_id\":";
        appendJsonString(out, e.recordId);
        out += ",\"base_version\":";
        out += std::to_string(e.baseVersion);
        out += ",\"op\":";
        appendJsonString(out, e.op);
        out += ",\"changes\":";
        out += e.changesText.empty() ? std::string_view("{}") : e.changesText;
        if (!e.editedAt.empty()) {
            out += ",\"edited_at\":";
            appendJsonString(out, e.editedAt);
        }
        out += '}';
    }
    out += "]}";
    return out;
}

namespace {

// readCanonicalPush's reader: keys in any order, each known key once, every value canonical.
class PushReader {
public:
    explicit PushReader(std::string_view body)
        : m_t(body) {}

    std::optional<PushRequest> read() {
        PushRequest out;
        bool haveDevice = false, haveMutations = false, havePending = false;
        const bool whole = members([&](const std::string& key) {
            if (key == "device_id") {
                if (std::exchange(haveDevice, true)) return false;
                return string(out.deviceId);
            }
            if (key == "mutations") {
                if (std::exchange(haveMutations, true)) return false;
                return mutations(out.mutations);
            }
            if (key == "pending") { // a count the route takes when it is a non-negative integer
                if (std::exchange(havePending, true)) return false;
                json v;
                if (!value(&v)) return false;
                if (v.is_number_integer() && v.get<std::int64_t>() >= 0) out.pending = v.get<std::int64_t>();
                return true;
            }
            return value(nullptr); // other keys are ignored, as by a full parse
        });
        if (!whole || m_pos != m_t.size() || !haveDevice || !haveMutations) return std::nullopt;
        return out;
    }

private:
    // An object's members: `member` reads the value of each key; false stops.
    template <typename F> bool members(F&& member) {
        if (!take('{')) return false;
        if (take('}')) return true;
        std::string key;
        do {
            if (!string(key) || !take(':') || !member(key)) return false;
        } while (take(','));
        return take('}');
    }

    bool mutations(std::vector<Mutation>& out) {
        if (!take('[')) return false;
        if (take(']')) return true;
        do {
            if (out.size() == kMaxPushBatch) return false; // the full parse answers that one
            Mutation m;
            if (!mutation(m)) return false;
            out.push_back(std::move(m));
        } while (take(','));
        return take(']');
    }

    // The checks of mutationFromJson; anything it would refuse is not read here.
    bool mutation(Mutation& m) {
        bool haveSeq = false, haveRecord = false, haveBase = false, haveOp = false, haveChanges = false,
             haveEdited = false;
        const bool whole = members([&](const std::string& key) {
            if (key == "seq") return !std::exchange(haveSeq, true) && count(m.seq) && m.seq > 0;
            if (key == "record_id") return !std::exchange(haveRecord, true) && string(m.recordId);
            if (key == "base_version") return !std::exchange(haveBase, true) && count(m.baseVersion);
            if (key == "op") return !std::exchange(haveOp, true) && string(m.op);
            if (key == "changes") return !std::exchange(haveChanges, true) && changes(m);
            if (key == "edited_at")
                return !std::exchange(haveEdited, true) && string(m.editedAt) && editedAtFits(m.editedAt);
            return value(nullptr);
        });
        if (!whole || !haveSeq || !haveRecord || !haveBase || !haveOp || !haveChanges || m.recordId.empty())
            return false;
        // An erase's fields are checked one by one (all null): left to the full parse.
        return m.op == "create" || m.op == "set" || m.op == "finalize" || m.op == "migrate" || m.op == "delete";
    }

    bool changes(Mutation& m) {
        m.changes = json::object();
        bool haveFields = false;
        return members([&](const std::string& key) {
            if (m.changes.contains(key)) return false;
            if (key == "fields") {
                if (std::exchange(haveFields, true) || m_pos >= m_t.size() || m_t[m_pos] != '{') return false;
                bool plain = false;
                const std::size_t n = canonicalAnswers(m_t.substr(m_pos), plain);
                if (n == 0) return false;
                if (plain)
                    m.fieldsText.assign(m_t.substr(m_pos, n));
                else // a null (a removed answer) or an empty name: merged field by field
                    m.changes["fields"] = json::parse(m_t.substr(m_pos, n));
                m_pos += n;
                return true;
            }
            json& v = m.changes[key];
            if (m_pos < m_t.size() && m_t[m_pos] == '"') { // form_id, form_version, kind, author, status
                std::string text;
                if (!string(text)) return false;
                v = std::move(text);
                return true;
            }
            return value(&v);
        });
    }

    // A canonical value; parsed into `out` unless null.
    bool value(json* out) {
        const std::size_t n = canonicalValue(m_t.substr(m_pos));
        if (n == 0) return false;
        if (out) *out = json::parse(m_t.substr(m_pos, n));
        m_pos += n;
        return true;
    }

    bool string(std::string& out) {
        const std::size_t n = canonicalString(m_t.substr(m_pos), out);
        m_pos += n;
        return n > 0;
    }

    bool count(std::int64_t& out) {
        const std::size_t n = canonicalCount(m_t.substr(m_pos), out);
        m_pos += n;
        return n > 0;
    }

    bool take(char c) {
        if (m_pos >= m_t.size() || m_t[m_pos] != c) return false;
        ++m_pos;
        return true;
    }

    std::string_view m_t;
    std::size_t m_pos = 0;
};

} // namespace

std::optional<PushRequest> readCanonicalPush(std::string_view body) {
    return PushReader(body).read();
}

Result<Mutation> mutationFromJson(const json& j) {
    return mutationFromJson(json(j));
}

Result<Mutation> mutationFromJson(json&& j) {
    if (!j.is_object()) return bad("mutation must be an object");
    Mutation m;
    if (!getInt(j, "seq", m.seq) || m.seq <= 0) return bad("mutation needs a positive integer 'seq'");
    if (!getString(j, "record_id", m.recordId) || m.recordId.empty()) return bad("mutation needs 'record_id'");
    if (!getInt(j, "base_version", m.baseVersion) || m.baseVersion < 0)
        return bad("mutation needs a non-negative 'base_version'");
    if (!getString(j, "op", m.op)) return bad("mutation needs 'op'");
    if (auto e = j.find("edited_at"); e != j.end()) {
        if (!e->is_string() || !editedAtFits(e->get_ref<const std::string&>()))
            return bad("'edited_at' must be a time stamp (text of at most " + std::to_string(kMaxEditedAt) +
                       " characters)");
        m.editedAt = e->get<std::string>();
    }
    if (m.op != "create" && m.op != "set" && m.op != "finalize" && m.op != "migrate" && m.op != "delete" &&
        m.op != "erase")
        return bad("unknown op '" + m.op + "'");
    auto c = j.find("changes");
    if (c == j.end() || !c->is_object()) return bad("mutation needs a 'changes' object");
    auto f = c->find("fields");
    if (f != c->end() && !f->is_object()) return bad("'changes.fields' must be an object");
    if (m.op == "erase") {
        if (f == c->end() || f->empty()) return bad("erase needs 'changes.fields' naming the fields to erase");
        for (const auto& [name, value] : f->items())
            if (!value.is_null()) return bad("erase: 'changes.fields." + name + "' must be null");
    }
    m.changes = std::move(*c);
    return m;
}

json toJson(const MutationResult& r) {
    json j{{"seq", r.seq}, {"status", statusName(r.status)}, {"version", r.version}};
    if (!r.fields.empty()) j[r.status == MutationStatus::Conflict ? "conflicts" : "merged"] = r.fields;
    if (!r.reason.empty()) j["reason"] = r.reason;
    if (!r.code.empty()) j["code"] = r.code;
    return j;
}

Result<MutationResult> mutationResultFromJson(const json& j) {
    if (!j.is_object()) return bad("result must be an object");
    MutationResult r;
    std::string status;
    if (!getInt(j, "seq", r.seq) || !getString(j, "status", status)) return bad("result needs 'seq' and 'status'");
    auto st = parseMutationStatus(status);
    if (!st) return bad("unknown status '" + status + "'");
    r.status = *st;
    (void)getInt(j, "version", r.version);
    (void)getString(j, "reason", r.reason);
    (void)getString(j, "code", r.code);
    for (const char* key : {"merged", "conflicts"}) {
        auto it = j.find(key);
        if (it != j.end() && it->is_array())
            for (const auto& f : *it)
                if (f.is_string()) r.fields.push_back(f.get<std::string>());
    }
    return r;
}

json toJson(const RemoteRecord& r) {
    json j{{"record_id", r.recordId},       {"version", r.version},     {"kind", r.kind},     {"form_id", r.formId},
           {"form_version", r.formVersion}, {"status", r.status},       {"author", r.author}, {"org", r.org},
           {"answers", r.answers},          {"conflicts", r.conflicts}, {"erased", r.erased}};
    if (r.conflictValues.is_object() && !r.conflictValues.empty()) j["conflict_values"] = r.conflictValues;
    return j;
}

namespace {} // namespace

// Plain printable ASCII is copied, anything else goes through the library (escapes, UTF-8).
void appendJsonString(std::string& out, std::string_view s) {
    const bool plain =
        std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
    if (!plain) {
        out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
        return;
    }
    out += '"';
    out += s;
    out += '"';
}

void appendJsonStrings(std::string& out, const std::vector<std::string>& list) {
    out += '[';
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i > 0) out += ',';
        appendJsonString(out, list[i]);
    }
    out += ']';
}

void appendJson(std::string& out, const MutationResult& r) {
    // Keys in the order dump() writes them (sorted).
    out += '{';
    if (!r.code.empty()) {
        out += "\"code\":";
        appendJsonString(out, r.code);
        out += ',';
    }
    if (!r.fields.empty()) {
        out += r.status == MutationStatus::Conflict ? "\"conflicts\":" : "\"merged\":";
        appendJsonStrings(out, r.fields);
        out += ',';
    }
    if (!r.reason.empty()) {
        out += "\"reason\":";
        appendJsonString(out, r.reason);
        out += ',';
    }
    out += "\"seq\":";
    out += std::to_string(r.seq);
    out += ",\"status\":\"";
    out += statusName(r.status);
    out += "\",\"version\":";
    out += std::to_string(r.version);
    out += '}';
}

void appendJson(std::string& out, const RemoteRecord& r, std::string_view answersJson) {
    // Keys in the order dump() writes them (sorted).
    out += "{\"answers\":";
    out += answersJson;
    out += ",\"author\":";
    appendJsonString(out, r.author);
    if (r.conflictValues.is_object() && !r.conflictValues.empty()) {
        out += ",\"conflict_values\":"; // sorts before "conflicts"
        out += r.conflictValues.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    out += ",\"conflicts\":";
    appendJsonStrings(out, r.conflicts);
    out += ",\"erased\":";
    appendJsonStrings(out, r.erased);
    out += ",\"form_id\":";
    appendJsonString(out, r.formId);
    out += ",\"form_version\":";
    appendJsonString(out, r.formVersion);
    out += ",\"kind\":";
    appendJsonString(out, r.kind);
    out += ",\"org\":";
    appendJsonString(out, r.org);
    out += ",\"record_id\":";
    appendJsonString(out, r.recordId);
    out += ",\"status\":";
    appendJsonString(out, r.status);
    out += ",\"version\":";
    out += std::to_string(r.version);
    out += '}';
}

Result<RemoteRecord> remoteRecordFromJson(const json& j) {
    if (!j.is_object()) return bad("change must be an object");
    RemoteRecord r;
    if (!getString(j, "record_id", r.recordId) || !getInt(j, "version", r.version))
        return bad("change needs 'record_id' and 'version'");
    (void)getString(j, "kind", r.kind);
    (void)getString(j, "form_id", r.formId);
    (void)getString(j, "form_version", r.formVersion);
    (void)getString(j, "status", r.status);
    (void)getString(j, "author", r.author);
    (void)getString(j, "org", r.org);
    auto a = j.find("answers");
    if (a == j.end() || !a->is_object()) return bad("change needs an 'answers' object");
    r.answers = *a;
    auto c = j.find("conflicts");
    if (c != j.end() && c->is_array())
        for (const auto& f : *c)
            if (f.is_string()) r.conflicts.push_back(f.get<std::string>());
    auto cv = j.find("conflict_values");
    if (cv != j.end() && cv->is_object())
        for (const auto& [field, values] : cv->items())
            if (values.is_array()) r.conflictValues[field] = values;
    auto e = j.find("erased");
    if (e != j.end() && e->is_array())
        for (const auto& f : *e)
            if (f.is_string()) r.erased.push_back(f.get<std::string>());
    return r;
}

json toJson(const FormRef& f) {
    return json{{"form_id", f.formId}, {"version", f.version}, {"hash", f.hash}};
}

Result<FormRef> formRefFromJson(const json& j) {
    FormRef f;
    if (!j.is_object() || !getString(j, "form_id", f.formId) || !getString(j, "version", f.version))
        return bad("form reference needs 'form_id' and 'version'");
    (void)getString(j, "hash", f.hash);
    return f;
}

std::optional<std::string> attachmentHash(const json& value) {
    if (!value.is_string()) return std::nullopt;
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() < 64 || (s.size() > 64 && s[64] != '.')) return std::nullopt;
    for (std::size_t i = 0; i < 64; ++i)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return std::nullopt;
    return s.substr(0, 64);
}

bool mayNameAttachment(std::string_view text) {
    constexpr std::size_t kRun = 64;
    auto hex = [&](std::size_t i) {
        const char c = text[i];
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    };
    // `end` is where a run would have to end at the earliest; a byte that is not hex there rules out
    // every run that covers it, so the next candidate is a whole run further on.
    std::size_t end = kRun - 1;
    while (end < text.size()) {
        if (!hex(end)) {
            end += kRun;
            continue;
        }
        std::size_t start = end; // the run of hex ending at `end`, looking back at most kRun bytes
        while (start > 0 && end - start + 1 < kRun && hex(start - 1))
            --start;
        if (end - start + 1 == kRun) return true;
        end = start + kRun - 1; // text[start - 1] is not hex: a run starts at `start` or later
    }
    return false;
}

json errorBody(std::string_view code, std::string_view message) {
    return json{{"error", code}, {"message", message}};
}

} // namespace carnet::sync
