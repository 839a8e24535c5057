#include "sync/protocol.hpp"

#include <algorithm>

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
    return json{{"seq", m.seq},
                {"record_id", m.recordId},
                {"base_version", m.baseVersion},
                {"op", m.op},
                {"changes", m.changes}};
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
    for (const char* key : {"merged", "conflicts"}) {
        auto it = j.find(key);
        if (it != j.end() && it->is_array())
            for (const auto& f : *it)
                if (f.is_string()) r.fields.push_back(f.get<std::string>());
    }
    return r;
}

json toJson(const RemoteRecord& r) {
    return json{
        {"record_id", r.recordId},       {"version", r.version},     {"kind", r.kind},     {"form_id", r.formId},
        {"form_version", r.formVersion}, {"status", r.status},       {"author", r.author}, {"org", r.org},
        {"answers", r.answers},          {"conflicts", r.conflicts}, {"erased", r.erased}};
}

namespace {

// A JSON string as nlohmann's dump() writes it: plain printable ASCII is copied, anything else goes
// through the library (escapes, UTF-8).
void appendString(std::string& out, std::string_view s) {
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

void appendStrings(std::string& out, const std::vector<std::string>& list) {
    out += '[';
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i > 0) out += ',';
        appendString(out, list[i]);
    }
    out += ']';
}

} // namespace

void appendJson(std::string& out, const RemoteRecord& r, std::string_view answersJson) {
    // Keys in the order dump() writes them (sorted).
    out += "{\"answers\":";
    out += answersJson;
    out += ",\"author\":";
    appendString(out, r.author);
    out += ",\"conflicts\":";
    appendStrings(out, r.conflicts);
    out += ",\"erased\":";
    appendStrings(out, r.erased);
    out += ",\"form_id\":";
    appendString(out, r.formId);
    out += ",\"form_version\":";
    appendString(out, r.formVersion);
    out += ",\"kind\":";
    appendString(out, r.kind);
    out += ",\"org\":";
    appendString(out, r.org);
    out += ",\"record_id\":";
    appendString(out, r.recordId);
    out += ",\"status\":";
    appendString(out, r.status);
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

json errorBody(std::string_view code, std::string_view message) {
    return json{{"error", code}, {"message", message}};
}

} // namespace carnet::sync
