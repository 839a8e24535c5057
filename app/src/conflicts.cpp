#include "app/screens.hpp"

#include <algorithm>
#include <functional>

namespace carnet::app {

using nlohmann::json;

namespace {

// The view item at `path` ("adresse", "membres[2]/prenom"), searched through groups and repeat instances.
const forms::ItemView* findView(const std::vector<forms::ItemView>& items, const std::string& path) {
    for (const auto& item : items) {
        if (item.path == path) return &item;
        if (const auto* in = findView(item.children, path)) return in;
        for (const auto& instance : item.instances)
            if (const auto* in = findView(instance, path)) return in;
    }
    return nullptr;
}

// "membres[7f3a9c01b2d4]/prenom" (the server's path, instances by their _id) -> "membres[2]/prenom" (the
// session's, instances by position from 1); the path as it is when an instance is not found.
std::string sessionPath(const json& answers, const std::string& path) {
    std::string out;
    const json* scope = &answers;
    std::size_t at = 0;
    while (at < path.size()) {
        const auto open = path.find('[', at);
        if (open == std::string::npos) return out + path.substr(at);
        const auto close = path.find(']', open);
        if (close == std::string::npos) return path;
        const std::string name = path.substr(at, open - at);
        const std::string id = path.substr(open + 1, close - open - 1);
        const json* list = scope->is_object() && scope->contains(name) ? &(*scope)[name] : nullptr;
        if (!list || !list->is_array()) return path;
        std::size_t n = 0;
        for (; n < list->size(); ++n)
            if ((*list)[n].is_object() && (*list)[n].value("_id", "") == id) break;
        if (n == list->size()) return path;
        out += name + "[" + std::to_string(n + 1) + "]";
        scope = &(*list)[n];
        at = close + 1;
        if (at < path.size() && path[at] == '/') {
            out += '/';
            ++at;
        }
    }
    return out;
}

// The last name of a path: "membres[…]/prenom" -> "prenom"; "membres[…]" -> "membres".
std::string lastName(const std::string& path) {
    std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    return name.substr(0, name.find('['));
}

std::string choiceLabel(const forms::Form& form, const forms::Item& item, const std::string& code,
                        std::string_view lang) {
    if (item.choiceList < 0 || static_cast<std::size_t>(item.choiceList) >= form.choiceLists.size()) return code;
    const auto& list = form.choiceLists[static_cast<std::size_t>(item.choiceList)];
    const int at = list.find(code);
    return at < 0 ? code : list.choices[static_cast<std::size_t>(at)].label.get(lang, form.defaultLanguage);
}

// A value as a person reads it: a choice by its label, yes/no in words, nothing as "(vide)".
std::string shown(const forms::Form& form, const forms::Item* item, const json& v, Lang lang) {
    const std::string_view code = langCode(lang);
    if (v.is_null()) return tr("app.conflict.empty", lang);
    if (item && item->type == forms::ItemType::Repeat)
        return tr("app.conflict.instances", lang, {std::to_string(v.is_array() ? v.size() : 0)});
    if (v.is_object()) return tr(v.empty() ? "app.conflict.empty" : "app.conflict.instance_kept", lang);
    if (v.is_boolean()) return tr(v.get<bool>() ? "app.conflict.yes" : "app.conflict.no", lang);
    if (item && (item->type == forms::ItemType::SelectOne || item->type == forms::ItemType::SelectMultiple)) {
        std::vector<std::string> codes;
        if (v.is_array()) {
            for (const auto& c : v)
                if (c.is_string()) codes.push_back(c.get<std::string>());
        } else if (v.is_string()) {
            const std::string s = v.get<std::string>();
            for (std::size_t k = 0; k < s.size();) {
                const auto space = s.find(' ', k);
                if (space != k)
                    codes.push_back(s.substr(k, space == std::string::npos ? std::string::npos : space - k));
                if (space == std::string::npos) break;
                k = space + 1;
            }
        }
        std::string out;
        for (const auto& c : codes)
            out += (out.empty() ? "" : ", ") + choiceLabel(form, *item, c, code);
        return out.empty() ? tr("app.conflict.empty", lang) : out;
    }
    if (v.is_string()) return displayDatesIn(v.get<std::string>(), lang);
    return v.dump();
}

} // namespace

std::vector<ConflictLine> conflictLines(const forms::Form& form, const forms::FormView& view, const json& answers,
                                        const std::vector<std::string>& conflicts, const json& values,
                                        std::string_view deviceId, Lang lang) {
    std::vector<ConflictLine> out;
    for (const auto& path : conflicts) {
        ConflictLine line;
        line.path = path;
        const forms::Item* item = form.find(lastName(path));
        const std::string at = sessionPath(answers, path);
        const forms::ItemView* shownItem = nullptr;
        for (const auto& page : view.pages)
            if (!shownItem) shownItem = findView(page.items, at);
        if (shownItem && !shownItem->label.empty())
            line.label = shownItem->label;
        else if (item && !item->label.empty())
            line.label = item->label.get(langCode(lang), form.defaultLanguage);
        else
            line.label = path;
        const json* given = values.is_object() && values.contains(path) ? &values[path] : nullptr;
        if (given && given->is_array()) {
            for (const auto& g : *given) {
                if (!g.is_object()) continue;
                const std::string text = shown(form, item, g.value("value", json()), lang);
                if (g.value("device_id", "") == deviceId)
                    line.mine = text; // the last one this device wrote
                else if (std::find(line.others.begin(), line.others.end(), text) == line.others.end())
                    line.others.push_back(text);
            }
        }
        out.push_back(std::move(line));
    }
    return out;
}

} // namespace carnet::app
