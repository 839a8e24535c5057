#include "server/repeat_merge.hpp"

#include "forms/session.hpp"

#include <algorithm>
#include <optional>

namespace carnet::server {

using nlohmann::json;

namespace {

std::string keyOf(const json& instance, std::size_t index) {
    auto it = instance.find(forms::kInstanceId);
    if (it != instance.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
        return it->get<std::string>();
    return "n" + std::to_string(index + 1); // the forms engine's name for an instance without one
}

// A list's instances in order, each with its "_id" written out, so that an older copy without ids
// compares equal to the same instances with them.
std::vector<std::pair<std::string, json>> instancesOf(const json& list) {
    std::vector<std::pair<std::string, json>> out;
    if (!isInstanceList(list) || list.is_null()) return out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        json inst = list[i];
        std::string key = keyOf(inst, i);
        inst[forms::kInstanceId] = key;
        out.emplace_back(std::move(key), std::move(inst));
    }
    return out;
}

const json* find(const std::vector<std::pair<std::string, json>>& list, const std::string& key) {
    for (const auto& [k, v] : list)
        if (k == key) return &v;
    return nullptr;
}

json valueOr(const json& object, const std::string& key) {
    auto it = object.find(key);
    return it == object.end() ? json() : *it;
}

json mergeInstance(const std::string& path, const json& base, const json& theirs, const json& mine,
                   std::vector<RepeatConflict>& conflicts) {
    json out = json::object();
    std::vector<std::string> keys;
    for (const json* side : {&theirs, &mine})
        for (const auto& [k, v] : side->items())
            if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    for (const auto& k : keys) {
        const json b = valueOr(base, k), t = valueOr(theirs, k), m = valueOr(mine, k);
        json v;
        if (k == forms::kInstanceId) {
            v = t.is_null() ? m : t;
        } else if (t == m) {
            v = t;
        } else if (t == b) {
            v = m;
        } else if (m == b) {
            v = t;
        } else if (isInstanceList(t) && isInstanceList(m) && (t.is_array() || m.is_array())) {
            v = mergeRepeat(path + "/" + k, b, t, m, conflicts);
            if (v.empty()) v = nullptr;
        } else {
            v = m; // both changed it: arrival order wins, both values are kept in the conflict
            conflicts.push_back(RepeatConflict{path + "/" + k, t, m});
        }
        if (!v.is_null()) out[k] = std::move(v);
    }
    return out;
}

// "name[id]" → (name, id); "name" → (name, nullopt); nullopt when malformed.
std::optional<std::pair<std::string, std::optional<std::string>>> segment(const std::string& s) {
    const auto open = s.find('[');
    if (open == std::string::npos) {
        if (s.empty() || s.find(']') != std::string::npos) return std::nullopt;
        return std::pair<std::string, std::optional<std::string>>{s, std::nullopt};
    }
    if (open == 0 || s.back() != ']' || open + 2 > s.size() - 1) return std::nullopt;
    return std::pair<std::string, std::optional<std::string>>{s.substr(0, open),
                                                              s.substr(open + 1, s.size() - open - 2)};
}

// The index of the instance named `id` in `list`, or -1.
std::ptrdiff_t indexOf(const json& list, const std::string& id) {
    if (!list.is_array()) return -1;
    for (std::size_t i = 0; i < list.size(); ++i)
        if (list[i].is_object() && keyOf(list[i], i) == id) return static_cast<std::ptrdiff_t>(i);
    return -1;
}

} // namespace

bool isInstanceList(const json& v) {
    if (v.is_null()) return true;
    if (!v.is_array()) return false;
    for (const auto& e : v)
        if (!e.is_object()) return false;
    return true;
}

json mergeRepeat(const std::string& name, const json& base, const json& theirs, const json& mine,
                 std::vector<RepeatConflict>& conflicts) {
    const auto b = instancesOf(base), t = instancesOf(theirs), m = instancesOf(mine);
    std::vector<std::string> order;
    for (const auto* side : {&t, &m})
        for (const auto& [k, v] : *side)
            if (std::find(order.begin(), order.end(), k) == order.end()) order.push_back(k);
    json out = json::array();
    for (const auto& key : order) {
        const json *inBase = find(b, key), *inTheirs = find(t, key), *inMine = find(m, key);
        const std::string path = name + "[" + key + "]";
        if (inTheirs && inMine) {
            out.push_back(mergeInstance(path, inBase ? *inBase : json::object(), *inTheirs, *inMine, conflicts));
            continue;
        }
        const json& present = inTheirs ? *inTheirs : *inMine;
        if (!inBase) { // added on one side
            out.push_back(present);
        } else if (present != *inBase) { // removed on one side, edited on the other: kept, and reported
            out.push_back(present);
            conflicts.push_back(
                RepeatConflict{path, inTheirs ? present : json(nullptr), inMine ? present : json(nullptr)});
        } // else removed on one side, untouched on the other: gone
    }
    return out;
}

bool setAtPath(json& answers, const std::string& path, const json& value) {
    std::vector<std::string> parts;
    for (std::size_t from = 0;;) {
        const auto slash = path.find('/', from);
        parts.push_back(path.substr(from, slash == std::string::npos ? std::string::npos : slash - from));
        if (slash == std::string::npos) break;
        from = slash + 1;
    }
    json* cur = &answers;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        auto seg = segment(parts[i]);
        if (!seg || !cur->is_object()) return false;
        const bool last = i + 1 == parts.size();
        if (!seg->second) { // a plain field: only last
            if (!last) return false;
            if (value.is_null())
                cur->erase(seg->first);
            else
                (*cur)[seg->first] = value;
            return true;
        }
        json& list = (*cur)[seg->first];
        if (list.is_null()) list = json::array();
        if (!list.is_array()) return false;
        const std::ptrdiff_t at = indexOf(list, *seg->second);
        if (!last) {
            if (at < 0) return false;
            cur = &list[static_cast<std::size_t>(at)];
            continue;
        }
        if (value.is_null()) {
            if (at >= 0) list.erase(list.begin() + at);
        } else {
            if (!value.is_object()) return false;
            json inst = value;
            inst[forms::kInstanceId] = *seg->second;
            if (at >= 0)
                list[static_cast<std::size_t>(at)] = std::move(inst);
            else
                list.push_back(std::move(inst));
        }
        if (list.empty()) cur->erase(seg->first);
        return true;
    }
    return false;
}

std::string topField(const std::string& path) {
    return path.substr(0, path.find_first_of("[/"));
}

} // namespace carnet::server
