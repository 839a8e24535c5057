#include "forms/loader.hpp"

#include "core/json_text.hpp"
#include "core/strings.hpp"
#include "forms/media.hpp"
#include "forms/session.hpp"
#include "odk_functions.hpp"

#include <algorithm>
#include <queue>
#include <set>

namespace carnet::forms {

using nlohmann::json;

std::string Problem::message(Lang lang) const {
    std::vector<std::string> all = args;
    if (key == "load.expr" && all.size() >= 4) {
        // args: column, inner key, inner arg, inner arg2
        const std::string inner = tr(all[1], lang, {all[2], all[3]});
        return tr(key, lang, {all[0], inner});
    }
    switch (all.size()) {
    case 0:
        return tr(key, lang);
    case 1:
        return tr(key, lang, {all[0]});
    case 2:
        return tr(key, lang, {all[0], all[1]});
    default:
        return tr(key, lang, {all[0], all[1], all[2]});
    }
}

std::string Problem::format(std::string_view file, Lang lang) const {
    std::string out(file);
    if (line > 0) return out + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message(lang);
    return out + ": " + (pointer.empty() ? std::string("/") : pointer) + ": " + message(lang);
}

namespace {

bool validName(std::string_view s) {
    if (s.empty()) return false;
    const char c0 = s[0];
    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    return true;
}

const std::set<std::string, std::less<>> kCommonQuestionKeys{"type",
                                                             "name",
                                                             "label",
                                                             "hint",
                                                             "relevant",
                                                             "required",
                                                             "required_message",
                                                             "constraint",
                                                             "constraint_message",
                                                             "calculation",
                                                             "default",
                                                             "read_only",
                                                             "appearance",
                                                             "personal",
                                                             "media"};

class Loader {
public:
    LoadResult run(const json& doc) {
        if (!doc.is_object()) {
            problem("", "load.expect_object");
            return finish();
        }
        readHeader(doc);
        if (doc.contains("choice_lists")) readChoiceLists(doc["choice_lists"], "/choice_lists");
        if (!doc.contains("pages")) {
            problem("", "load.missing", {"pages"});
        } else if (!doc["pages"].is_array()) {
            problem("/pages", "load.expect_array");
        } else if (doc["pages"].empty()) {
            problem("/pages", "load.empty_pages");
        } else {
            const json& pages = doc["pages"];
            for (std::size_t i = 0; i < pages.size(); ++i) {
                const std::string ptr = "/pages/" + std::to_string(i);
                const int idx = readItem(pages[i], ptr, -1, -1, true);
                if (idx >= 0) m_form.pages.push_back(idx);
            }
        }
        // Later checks run even when earlier ones failed, so one run reports every problem it can.
        bindReferences();
        checkSpacedValues();
        checkDefaults();
        buildScopes();
        buildGraph();
        m_form.canonicalJson = doc.dump();
        return finish();
    }

    void problem(std::string pointer, std::string key, std::vector<std::string> args = {}) {
        Problem p;
        p.pointer = std::move(pointer);
        p.key = std::move(key);
        p.args = std::move(args);
        m_problems.push_back(std::move(p));
    }

    /// The problems found so far, without running the checks (a document refused as a whole).
    LoadResult fail() { return finish(); }

private:
    LoadResult finish() {
        LoadResult r;
        r.problems = std::move(m_problems);
        // Created non-const: attachMedia() fills the copy it loads before anyone else sees it.
        if (r.problems.empty()) r.form = std::make_shared<Form>(std::move(m_form));
        return r;
    }

    void checkKeys(const json& obj, const std::string& ptr, const std::set<std::string, std::less<>>& allowed,
                   std::initializer_list<std::string_view> extra = {}) {
        for (const auto& [k, v] : obj.items()) {
            if (allowed.count(k)) continue;
            if (std::find(extra.begin(), extra.end(), k) != extra.end()) continue;
            problem(ptr + "/" + jsonPointerToken(k), "load.unknown_property", {k});
        }
    }

    bool readString(const json& obj, std::string_view key, const std::string& ptr, std::string& out, bool required) {
        auto it = obj.find(key);
        if (it == obj.end()) {
            if (required) problem(ptr, "load.missing", {std::string(key)});
            return false;
        }
        if (!it->is_string()) {
            problem(ptr + "/" + std::string(key), "load.expect_string");
            return false;
        }
        out = it->get<std::string>();
        return true;
    }

    void readHeader(const json& doc) {
        checkKeys(doc, "",
                  {"$schema", "id", "version", "title", "default_language", "languages", "settings", "choice_lists",
                   "pages", "followup", "media"});
        if (readString(doc, "id", "", m_form.id, true) && !validName(m_form.id))
            problem("/id", "load.bad_name", {m_form.id});
        if (readString(doc, "version", "", m_form.version, true) && m_form.version.empty())
            problem("/version", "load.expect_string");
        if (auto it = doc.find("languages"); it != doc.end()) {
            if (!it->is_array() || it->empty()) {
                problem("/languages", "load.expect_array");
            } else {
                for (std::size_t i = 0; i < it->size(); ++i) {
                    if (!(*it)[i].is_string())
                        problem("/languages/" + std::to_string(i), "load.expect_string");
                    else
                        m_form.languages.push_back((*it)[i].get<std::string>());
                }
            }
        }
        if (!doc.contains("languages")) problem("", "load.missing", {"languages"});
        if (!readString(doc, "default_language", "", m_form.defaultLanguage, true))
            m_form.defaultLanguage = m_form.languages.empty() ? "fr" : m_form.languages.front();
        if (m_form.languages.empty()) m_form.languages.push_back(m_form.defaultLanguage);
        if (std::find(m_form.languages.begin(), m_form.languages.end(), m_form.defaultLanguage) ==
            m_form.languages.end())
            problem("/default_language", "load.unknown_language", {m_form.defaultLanguage});
        if (!doc.contains("title"))
            problem("", "load.missing", {"title"});
        else
            m_form.title = readText(doc["title"], "/title");
        if (auto it = doc.find("settings"); it != doc.end()) {
            if (!it->is_object())
                problem("/settings", "load.expect_object");
            else
                m_form.settings = *it;
        }
        if (auto it = doc.find("followup"); it != doc.end()) readFollowup(*it);
        if (auto it = doc.find("media"); it != doc.end()) readMedia(*it);
    }

    // "media": ["communities.csv", {"file": "logo.png", "sha256": ..., "size": ...}, ...]: the files the
    // form reads or shows, plain file names, each once; a bundled form lists each with its sha256 and size.
    void readMedia(const json& j) {
        if (!j.is_array()) {
            problem("/media", "load.expect_array");
            return;
        }
        if (j.size() > kMaxMediaFiles) {
            problem("/media", "load.too_many_media", {std::to_string(kMaxMediaFiles)});
            return;
        }
        for (std::size_t i = 0; i < j.size(); ++i) {
            const std::string p = "/media/" + std::to_string(i);
            MediaFile entry;
            if (j[i].is_object()) {
                checkKeys(j[i], p, {"file", "type", "sha256", "size"});
                if (!readString(j[i], "file", p, entry.file, true)) continue;
                std::string type;
                if (readString(j[i], "type", p, type, false) && type != mediaType(entry.file))
                    problem(p + "/type", "load.bad_media_type", {type, entry.file, mediaType(entry.file)});
                const bool hasSha = readString(j[i], "sha256", p, entry.sha256, false);
                if (hasSha && !isSha256Hex(entry.sha256)) problem(p + "/sha256", "load.bad_sha256", {entry.sha256});
                if (auto it = j[i].find("size"); it != j[i].end()) {
                    if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
                        problem(p + "/size", "load.bad_media_size");
                    else
                        entry.size = it->get<std::int64_t>();
                }
                if (hasSha != (entry.size >= 0)) problem(p, "load.media_sha_and_size");
            } else if (j[i].is_string()) {
                entry.file = j[i].get<std::string>();
            } else {
                problem(p, "load.expect_string");
                continue;
            }
            entry.type = mediaType(entry.file);
            const std::string& file = entry.file;
            if (!validMediaName(file))
                problem(p, "load.bad_media", {file});
            else if (std::find(m_form.media.begin(), m_form.media.end(), file) != m_form.media.end())
                problem(p, "load.duplicate_media", {file});
            else {
                m_form.media.push_back(file);
                m_form.mediaFiles.push_back(std::move(entry));
            }
        }
    }

    // True when `file` ("fruits.csv", or "fruits" as pulldata() names it) is a declared media file.
    bool declaredMedia(const std::string& file) const {
        for (const auto& m : m_form.media)
            if (m == file || m == file + ".csv") return true;
        return false;
    }

    // "media": {"image": "logo.png", "audio": {"fr": "q1_fr.mp3", "en": "q1_en.mp3"}} on a question or a
    // choice: an image and an audio prompt shown with its label, each a file of the form's `media` of
    // that kind, per language like a text.
    void readLabelMedia(const json& obj, const std::string& ptr, LabelMedia& out) {
        auto it = obj.find("media");
        if (it == obj.end()) return;
        const std::string p = ptr + "/media";
        if (!it->is_object()) {
            problem(p, "load.expect_object");
            return;
        }
        checkKeys(*it, p, {"image", "audio"});
        for (const char* kind : {"image", "audio"}) {
            auto k = it->find(kind);
            if (k == it->end()) continue;
            const std::string kp = p + "/" + kind;
            LocalText t = readText(*k, kp);
            for (const auto& [lang, file] : t.byLang) {
                const std::string fp = lang.empty() ? kp : kp + "/" + jsonPointerToken(lang);
                if (std::find(m_form.media.begin(), m_form.media.end(), file) == m_form.media.end())
                    problem(fp, "load.undeclared_label_media", {file});
                else if (mediaType(file) != kind)
                    problem(fp, "load.label_media_type", {file, kind});
            }
            (std::string_view(kind) == "image" ? out.image : out.audio) = std::move(t);
        }
    }

    // "followup": {"form": NAME, "after_days": 0..3650}
    void readFollowup(const json& j) {
        if (!j.is_object()) {
            problem("/followup", "load.expect_object");
            return;
        }
        checkKeys(j, "/followup", {"form", "after_days"});
        Followup f;
        if (readString(j, "form", "/followup", f.form, true) && !validName(f.form))
            problem("/followup/form", "load.bad_name", {f.form});
        if (auto it = j.find("after_days"); it == j.end()) {
            problem("/followup", "load.missing", {"after_days"});
        } else if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 3650) {
            problem("/followup/after_days", "load.followup_days");
        } else {
            f.afterDays = it->get<int>();
        }
        m_form.followup = std::move(f);
    }

    LocalText readText(const json& j, const std::string& ptr) {
        LocalText t;
        if (j.is_string()) {
            t.byLang[""] = j.get<std::string>();
        } else if (j.is_object()) {
            for (const auto& [lang, v] : j.items()) {
                const std::string p = ptr + "/" + jsonPointerToken(lang);
                if (std::find(m_form.languages.begin(), m_form.languages.end(), lang) == m_form.languages.end())
                    problem(p, "load.unknown_language", {lang});
                else if (!v.is_string())
                    problem(p, "load.expect_string");
                else
                    t.byLang[lang] = v.get<std::string>();
            }
            if (!j.contains(m_form.defaultLanguage))
                problem(ptr, "load.missing_default_language", {m_form.defaultLanguage});
        } else {
            problem(ptr, "load.expect_text");
        }
        return t;
    }

    void readOptText(const json& obj, std::string_view key, const std::string& ptr, LocalText& out) {
        if (auto it = obj.find(key); it != obj.end()) out = readText(*it, ptr + "/" + std::string(key));
    }

    std::optional<Expression> readExpr(const json& j, const std::string& ptr, bool choiceColumns = false) {
        if (!j.is_string()) {
            problem(ptr, "load.expect_string");
            return std::nullopt;
        }
        ExprError err;
        ParseOptions opts;
        opts.allowChoiceColumns = choiceColumns;
        auto e = parseExpression(j.get<std::string>(), opts, err);
        if (!e) {
            problem(ptr, "load.expr", {std::to_string(err.column), err.key, err.arg, err.arg2});
            return std::nullopt;
        }
        return e;
    }

    using ExprMember = std::optional<Expression> Item::*;

    // Expressions are bound after all names are known; remember where each one lives (by index: the
    // items vector grows while the document is read).
    void storeExpr(int index, ExprMember member, std::optional<Expression> e, const std::string& ptr) {
        if (!e) return;
        m_form.items[static_cast<std::size_t>(index)].*member = std::move(e);
        m_exprs.push_back(PendingExpr{index, member, ptr});
    }

    void readExprOrBool(const json& obj, std::string_view key, const std::string& ptr, int index, ExprMember member,
                        bool Item::*always) {
        auto it = obj.find(key);
        if (it == obj.end()) return;
        const std::string p = ptr + "/" + std::string(key);
        Item& item = m_form.items[static_cast<std::size_t>(index)];
        if (it->is_boolean()) {
            item.*always = it->get<bool>();
        } else if (it->is_string()) {
            const std::string s = it->get<std::string>();
            if (s == "true()" || s == "yes" || s == "true") {
                item.*always = true; // XLSForm spellings of "always"
            } else if (s == "false()" || s == "no" || s == "false" || s.empty()) {
                item.*always = false;
            } else {
                storeExpr(index, member, readExpr(*it, p), p);
            }
        } else {
            problem(p, "load.expect_expr");
        }
    }

    void readOptExpr(const json& obj, std::string_view key, const std::string& ptr, int index, ExprMember member,
                     bool choiceColumns = false) {
        auto it = obj.find(key);
        if (it == obj.end()) return;
        const std::string p = ptr + "/" + std::string(key);
        storeExpr(index, member, readExpr(*it, p, choiceColumns), p);
    }

    bool readChoices(const json& arr, const std::string& ptr, ChoiceList& list) {
        std::vector<std::pair<std::string, std::string>> spaced;
        const bool ok = readChoiceArray(arr, ptr, list, spaced);
        if (!spaced.empty()) m_spacedValues[static_cast<int>(m_form.choiceLists.size())] = std::move(spaced);
        return ok;
    }

    // `spaced`: the pointers and values of the choices holding a space.
    bool readChoiceArray(const json& arr, const std::string& ptr, ChoiceList& list,
                         std::vector<std::pair<std::string, std::string>>& spaced) {
        if (!arr.is_array()) {
            problem(ptr, "load.expect_array");
            return false;
        }
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string p = ptr + "/" + std::to_string(i);
            const json& c = arr[i];
            if (!c.is_object()) {
                problem(p, "load.expect_object");
                continue;
            }
            Choice choice;
            auto v = c.find("value");
            if (v == c.end()) {
                problem(p, "load.missing", {"value"});
                continue;
            }
            if (v->is_string())
                choice.value = v->get<std::string>();
            else if (v->is_number_integer())
                choice.value = std::to_string(v->get<long long>());
            else {
                problem(p + "/value", "load.expect_string");
                continue;
            }
            // XLSForm: a select_one value may hold spaces (pyxform accepts "cattle grid"); a select_multiple
            // answer is its values separated by spaces, so its list may not (checked in checkSpacedValues).
            if (choice.value.empty() || choice.value.front() == ' ' || choice.value.back() == ' ' ||
                choice.value.find_first_of("\t\n\r") != std::string::npos)
                problem(p + "/value", "load.bad_name", {choice.value});
            else if (choice.value.find(' ') != std::string::npos)
                spaced.emplace_back(p + "/value", choice.value);
            // XLSForm's allow_choice_duplicates: the same value twice, told apart by choice_filter columns.
            const auto dup = m_form.settings.find("allow_choice_duplicates");
            const bool duplicatesAllowed = dup != m_form.settings.end() && *dup == true;
            if (list.find(choice.value) >= 0 && !duplicatesAllowed)
                problem(p + "/value", "load.duplicate_choice", {choice.value});
            if (!c.contains("label"))
                problem(p, "load.missing", {"label"});
            else
                choice.label = readText(c["label"], p + "/label");
            readLabelMedia(c, p, choice.media);
            for (const auto& [k, val] : c.items()) {
                if (k == "value" || k == "label" || k == "media") continue;
                if (val.is_string())
                    choice.columns[k] = val.get<std::string>();
                else if (val.is_number())
                    choice.columns[k] = val.dump();
                else
                    problem(p + "/" + jsonPointerToken(k), "load.expect_string");
            }
            list.choices.push_back(std::move(choice));
        }
        return true;
    }

    void readChoiceLists(const json& lists, const std::string& ptr) {
        if (!lists.is_object()) {
            problem(ptr, "load.expect_object");
            return;
        }
        for (const auto& [name, arr] : lists.items()) {
            const std::string p = ptr + "/" + jsonPointerToken(name);
            if (!validName(name)) problem(p, "load.bad_name", {name});
            ChoiceList list;
            list.name = name;
            if (readChoices(arr, p, list)) {
                m_listByName[name] = static_cast<int>(m_form.choiceLists.size());
                m_form.choiceLists.push_back(std::move(list));
            }
        }
    }

    int readItem(const json& j, const std::string& ptr, int parent, int repeat, bool topLevel, int nesting = 0) {
        if (!j.is_object()) {
            problem(ptr, "load.expect_object");
            return -1;
        }
        std::string typeText;
        if (!readString(j, "type", ptr, typeText, true)) return -1;
        const auto type = parseTypeName(typeText);
        if (!type) {
            problem(ptr + "/type", "load.unknown_type", {typeText});
            return -1;
        }
        if (topLevel && *type != ItemType::Page) {
            problem(ptr + "/type", "load.top_not_page");
            return -1;
        }
        if (!topLevel && *type == ItemType::Page) {
            problem(ptr + "/type", "load.page_nested");
            return -1;
        }
        // `nesting`: the groups and repeats around this item.
        if (isContainer(*type) && *type != ItemType::Page && nesting >= kMaxItemNesting) {
            problem(ptr, "load.too_nested", {std::to_string(kMaxItemNesting)});
            return -1;
        }
        Item item;
        item.type = *type;
        item.pointer = ptr;
        item.parent = parent;
        item.repeat = repeat;
        item.index = static_cast<int>(m_form.items.size());
        if (repeat >= 0) {
            item.repeatPath = m_form.items[static_cast<std::size_t>(repeat)].repeatPath;
            item.repeatPath.push_back(repeat);
        }
        item.depth = static_cast<int>(item.repeatPath.size());
        if (readString(j, "name", ptr, item.name, true)) {
            if (!validName(item.name)) {
                problem(ptr + "/name", "load.bad_name", {item.name});
            } else if (auto it = m_namePointer.find(item.name); it != m_namePointer.end()) {
                problem(ptr + "/name", "load.duplicate_name", {item.name, it->second});
            } else {
                m_namePointer[item.name] = ptr;
                m_form.byName[item.name] = item.index;
            }
        }
        const int index = item.index;
        m_form.items.push_back(std::move(item));
        // Items are addressed by index from here on: the vector may grow while children are read.
        auto self = [&]() -> Item& { return m_form.items[static_cast<std::size_t>(index)]; };

        const bool container = isContainer(*type);
        if (container) {
            if (*type == ItemType::Page)
                checkKeys(j, ptr, {"type", "name", "label", "hint", "relevant", "children"});
            else if (*type == ItemType::Group)
                checkKeys(j, ptr, {"type", "name", "label", "hint", "relevant", "appearance", "children"});
            else
                checkKeys(j, ptr,
                          {"type", "name", "label", "hint", "relevant", "appearance", "children", "min_count",
                           "max_count", "repeat_count"});
            if (*type != ItemType::Group && !j.contains("label")) problem(ptr, "load.missing", {"label"});
        } else {
            std::initializer_list<std::string_view> extra;
            static const std::initializer_list<std::string_view> kText{"regex"};
            static const std::initializer_list<std::string_view> kSelect{"choices",       "choice_list", "choice_file",
                                                                         "choice_filter", "randomize",   "seed"};
            static const std::initializer_list<std::string_view> kRange{"start", "end", "step"};
            if (*type == ItemType::Text) extra = kText;
            if (*type == ItemType::SelectOne || *type == ItemType::SelectMultiple) extra = kSelect;
            if (*type == ItemType::Range) extra = kRange;
            checkKeys(j, ptr, kCommonQuestionKeys, extra);
            if (*type != ItemType::Calculate && !j.contains("label")) problem(ptr, "load.missing", {"label"});
        }
        readOptText(j, "label", ptr, self().label);
        readOptText(j, "hint", ptr, self().hint);
        if (!container) readLabelMedia(j, ptr, self().media);
        readOptExpr(j, "relevant", ptr, index, &Item::relevant);
        if (auto it = j.find("appearance"); it != j.end()) {
            if (it->is_string())
                self().appearance = it->get<std::string>();
            else
                problem(ptr + "/appearance", "load.expect_string");
        }

        if (container) {
            if (*type == ItemType::Repeat) readRepeat(j, ptr, index);
            auto ch = j.find("children");
            if (ch == j.end()) {
                problem(ptr, "load.missing", {"children"});
            } else if (!ch->is_array()) {
                problem(ptr + "/children", "load.expect_array");
            } else {
                const int childRepeat = *type == ItemType::Repeat ? index : repeat;
                for (std::size_t i = 0; i < ch->size(); ++i) {
                    const int c = readItem((*ch)[i], ptr + "/children/" + std::to_string(i), index, childRepeat, false,
                                           *type == ItemType::Page ? nesting : nesting + 1);
                    if (c >= 0) self().children.push_back(c);
                }
            }
            return index;
        }

        readOptText(j, "required_message", ptr, self().requiredMessage);
        readOptText(j, "constraint_message", ptr, self().constraintMessage);
        readExprOrBool(j, "required", ptr, index, &Item::required, &Item::requiredAlways);
        readExprOrBool(j, "read_only", ptr, index, &Item::readOnly, &Item::readOnlyAlways);
        if (auto it = j.find("personal"); it != j.end()) {
            if (it->is_boolean())
                self().personal = it->get<bool>();
            else
                problem(ptr + "/personal", "load.expect_bool");
        }
        readOptExpr(j, "constraint", ptr, index, &Item::constraint);
        readOptExpr(j, "calculation", ptr, index, &Item::calculation);
        if (*type == ItemType::Calculate && !j.contains("calculation")) problem(ptr, "load.value_needs_calculation");
        if (auto it = j.find("default"); it != j.end()) {
            self().defaultValue = *it;
            m_defaults.push_back(index);
        }
        if (*type == ItemType::Text && j.contains("regex")) {
            std::string pattern;
            if (readString(j, "regex", ptr, pattern, false)) {
                if (pattern.size() > kMaxRegexPattern) {
                    problem(ptr + "/regex", "load.regex_too_long", {std::to_string(kMaxRegexPattern)});
                } else {
                    std::string error;
                    self().patternRegex = Regex::compile(pattern, error);
                    if (self().patternRegex)
                        self().pattern = pattern;
                    else
                        problem(ptr + "/regex", "load.bad_regex", {error});
                }
            }
        }
        if (*type == ItemType::SelectOne || *type == ItemType::SelectMultiple) readSelect(j, ptr, index);
        if (*type == ItemType::Range) readRange(j, ptr, self());
        return index;
    }

    void readRepeat(const json& j, const std::string& ptr, int index) {
        Item& item = m_form.items[static_cast<std::size_t>(index)];
        auto readCount = [&](std::string_view key, int& out) {
            auto it = j.find(key);
            if (it == j.end()) return;
            if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 100000)
                problem(ptr + "/" + std::string(key), "load.expect_number");
            else
                out = static_cast<int>(it->get<long long>());
        };
        readCount("min_count", item.minCount);
        readCount("max_count", item.maxCount);
        if (item.maxCount >= 0 && item.maxCount < item.minCount) problem(ptr + "/max_count", "load.repeat_counts");
        readOptExpr(j, "repeat_count", ptr, index, &Item::repeatCount);
    }

    void readSelect(const json& j, const std::string& ptr, int index) {
        Item& item = m_form.items[static_cast<std::size_t>(index)];
        const bool inlineChoices = j.contains("choices");
        const bool named = j.contains("choice_list");
        const bool file = j.contains("choice_file");
        if (int(inlineChoices) + int(named) + int(file) > 1) {
            problem(ptr, "load.choices_both");
        } else if (!inlineChoices && !named && !file) {
            problem(ptr, "load.choices_missing");
        } else if (file) {
            readChoiceFile(j["choice_file"], ptr + "/choice_file", index);
        } else if (inlineChoices) {
            ChoiceList list;
            list.name = item.name;
            if (readChoices(j["choices"], ptr + "/choices", list)) {
                item.choiceList = static_cast<int>(m_form.choiceLists.size());
                m_form.choiceLists.push_back(std::move(list));
            }
        } else {
            std::string name;
            if (readString(j, "choice_list", ptr, name, true)) {
                auto it = m_listByName.find(name);
                if (it == m_listByName.end())
                    problem(ptr + "/choice_list", "load.unknown_choice_list", {name});
                else
                    item.choiceList = it->second;
            }
        }
        readOptExpr(j, "choice_filter", ptr, index, &Item::choiceFilter, true);
        if (auto it = j.find("randomize"); it != j.end()) {
            if (it->is_boolean())
                m_form.items[static_cast<std::size_t>(index)].randomizeChoices = it->get<bool>();
            else
                problem(ptr + "/randomize", "load.expect_bool");
        }
        readOptExpr(j, "seed", ptr, index, &Item::choiceSeed);
    }

    // "choice_file": {"file": "communities.csv", "value": "name", "label": "label"}: the choices are the
    // rows of a declared media file (attachMedia fills the list; until then it is empty).
    void readChoiceFile(const json& j, const std::string& ptr, int index) {
        if (!j.is_object()) {
            problem(ptr, "load.expect_object");
            return;
        }
        checkKeys(j, ptr, {"file", "value", "label"});
        std::string file, value = "name", label = "label";
        if (!readString(j, "file", ptr, file, true)) return;
        if (!declaredMedia(file) || file.size() < 5 || file.compare(file.size() - 4, 4, ".csv") != 0)
            problem(ptr + "/file", "load.undeclared_media", {file});
        if (readString(j, "value", ptr, value, false) && value.empty()) problem(ptr + "/value", "load.expect_string");
        if (readString(j, "label", ptr, label, false) && label.empty()) problem(ptr + "/label", "load.expect_string");
        Item& item = m_form.items[static_cast<std::size_t>(index)];
        item.choiceFile = file;
        item.choiceFileValue = value;
        item.choiceFileLabel = label;
        ChoiceList list;
        list.name = item.name;
        item.choiceList = static_cast<int>(m_form.choiceLists.size());
        m_form.choiceLists.push_back(std::move(list));
    }

    void readRange(const json& j, const std::string& ptr, Item& item) {
        auto num = [&](std::string_view key, double& out) {
            auto it = j.find(key);
            if (it == j.end()) return;
            if (!it->is_number())
                problem(ptr + "/" + std::string(key), "load.expect_number");
            else
                out = it->get<double>();
        };
        num("start", item.rangeStart);
        num("end", item.rangeEnd);
        num("step", item.rangeStep);
        if (!(item.rangeEnd > item.rangeStart) || !(item.rangeStep > 0)) problem(ptr, "load.range_bounds");
    }

    void bindReferences() {
        for (auto& pending : m_exprs) {
            Item& owner = m_form.items[static_cast<std::size_t>(pending.item)];
            Expression& e = *(owner.*pending.member);
            // position(..) needs a repeat around the expression's item (a repeat's own relevant and
            // repeat_count are evaluated outside its instances: depth counts the repeats strictly around).
            bool positionOutside = false;
            // position() and last() in an instance() predicate are the item's: they need no repeat.
            std::set<const Expr*> inPredicate;
            forEachNode(*e.root, [&](Expr& node) {
                if (node.kind == Expr::Kind::Call && node.func == Func::Instance)
                    for (auto& pred : node.args)
                        forEachNode(*pred, [&](Expr& inner) { inPredicate.insert(&inner); });
            });
            forEachNode(*e.root, [&](Expr& node) {
                if (node.kind == Expr::Kind::Call && (node.func == Func::Position || node.func == Func::Last) &&
                    owner.depth == 0 && !inPredicate.count(&node))
                    positionOutside = true;
                // instance('id') reads a choice list of `choice_lists` or a declared CSV media file.
                if (node.kind == Expr::Kind::Call && node.func == Func::Instance) {
                    if (auto it = m_listByName.find(node.name); it != m_listByName.end())
                        node.target = it->second;
                    else if (declaredMedia(node.name + ".csv") ||
                             (node.name.size() > 4 && node.name.compare(node.name.size() - 4, 4, ".csv") == 0 &&
                              declaredMedia(node.name)))
                        node.target = -1;
                    else
                        problem(pending.pointer, "load.unknown_instance", {node.name});
                }
                if (node.kind == Expr::Kind::Ref) {
                    auto it = m_form.byName.find(node.name);
                    if (it == m_form.byName.end())
                        problem(pending.pointer, "load.unknown_ref", {node.name});
                    else
                        node.target = it->second;
                }
                // pulldata('fruits', ...) reads a declared media file, named by a literal.
                if (node.kind == Expr::Kind::Call && node.func == Func::Pulldata && !node.args.empty()) {
                    const Expr& fileArg = *node.args[0];
                    const std::string file =
                        fileArg.kind == Expr::Kind::Literal ? fileArg.literal.toString() : std::string();
                    if (fileArg.kind != Expr::Kind::Literal || !declaredMedia(file))
                        problem(pending.pointer, "load.undeclared_media", {file});
                }
                if (node.kind == Expr::Kind::Call && node.func == Func::Regex && node.args.size() == 2 &&
                    node.args[1]->kind == Expr::Kind::Literal) {
                    const std::string pattern = node.args[1]->literal.toString();
                    if (pattern.size() > kMaxRegexPattern) {
                        problem(pending.pointer, "load.regex_too_long", {std::to_string(kMaxRegexPattern)});
                    } else {
                        std::string error;
                        node.regex = Regex::compile(pattern, error);
                        if (!node.regex) problem(pending.pointer, "load.bad_regex", {error});
                    }
                }
            });
            if (positionOutside) problem(pending.pointer, "load.not_in_repeat");
            checkOdkCalls(*e.root, pending.pointer);
            if (pending.member == &Item::choiceFilter)
                markAbsentChoiceColumns(owner, *e.root);
            else
                markInstanceColumns(*e.root);
        }
        for (auto& item : m_form.items) {
            // ${name} interpolated in labels and hints must exist.
            for (const auto* texts : {&item.label, &item.hint})
                for (const auto& [lang, text] : texts->byLang) {
                    std::size_t pos = 0;
                    while ((pos = text.find("${", pos)) != std::string::npos) {
                        const auto close = text.find('}', pos);
                        if (close == std::string::npos) break;
                        const std::string name = text.substr(pos + 2, close - pos - 2);
                        auto it = m_form.byName.find(name);
                        if (it == m_form.byName.end())
                            problem(item.pointer + (texts == &item.label ? "/label" : "/hint"), "load.unknown_ref",
                                    {name});
                        else if (std::find(item.labelRefs.begin(), item.labelRefs.end(), it->second) ==
                                 item.labelRefs.end())
                            item.labelRefs.push_back(it->second);
                        pos = close + 1;
                    }
                }
        }
    }

    // In ODK a choice_filter's bare name is a child of the choice's item: a name that no choice of the
    // list has as a column is an empty node-set, which equals nothing (`pastel=yes`, where 'yes' was
    // meant as text, keeps no choice in ODK Collect). Such a name becomes that empty node-set here, so
    // the filter keeps what ODK keeps. Media-file lists get their columns later and are left alone.
    void markAbsentChoiceColumns(const Item& owner, Expr& root) {
        if (owner.choiceList < 0 || !owner.choiceFile.empty()) return markInstanceColumns(root);
        markAbsentColumns(m_form.choiceLists[static_cast<std::size_t>(owner.choiceList)], root);
    }
    // The same for the bare names of a predicate of instance('list')/root/item[...], which are the
    // children of that list's items (a media file's columns are only known once it is attached).
    void markInstanceColumns(Expr& node) {
        if (node.kind == Expr::Kind::Call && node.func == Func::Instance && node.target >= 0) {
            for (auto& pred : node.args)
                markAbsentColumns(m_form.choiceLists[static_cast<std::size_t>(node.target)], *pred);
            return;
        }
        for (auto& a : node.args)
            markInstanceColumns(*a);
    }
    // Bare names of `node` (not inside a nested instance() path, whose names are its own items') that no
    // choice of `list` has become the empty node-set.
    void markAbsentColumns(const ChoiceList& list, Expr& node) {
        if (node.kind == Expr::Kind::Call && node.func == Func::Instance) {
            markInstanceColumns(node);
            return;
        }
        for (auto& a : node.args)
            markAbsentColumns(list, *a);
        if (node.kind != Expr::Kind::ChoiceColumn || node.name == "name" || node.name == "value" ||
            node.name == "label")
            return;
        const bool present = std::any_of(list.choices.begin(), list.choices.end(),
                                         [&](const Choice& c) { return c.columns.count(node.name) > 0; });
        if (present) return;
        node.kind = Expr::Kind::Literal;
        node.literal = Value::list({});
    }

    // The ODK functions whose arguments name questions or a closed set, checked once their references
    // are bound: jr:choice-name's select, indexed-repeat's repeats, digest's algorithm and encoding.
    void checkOdkCalls(Expr& root, const std::string& pointer) {
        forEachNode(root, [&](Expr& node) {
            if (node.kind != Expr::Kind::Call) return;
            if (node.func == Func::ChoiceName) {
                // pyxform writes '${q}'; an XForm path '/data/group/q' names q too.
                std::string name(trim(node.args[1]->literal.toString()));
                if (name.size() > 3 && name.compare(0, 2, "${") == 0 && name.back() == '}')
                    name = std::string(trim(std::string_view(name).substr(2, name.size() - 3)));
                if (const auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
                auto it = m_form.byName.find(name);
                const Item* select =
                    it == m_form.byName.end() ? nullptr : &m_form.items[static_cast<std::size_t>(it->second)];
                if (!select || (select->type != ItemType::SelectOne && select->type != ItemType::SelectMultiple))
                    problem(pointer, "load.choice_name_not_select", {node.args[1]->literal.toString()});
                else
                    node.target = select->index;
            }
            if (node.func == Func::IndexedRepeat && node.args[0]->target >= 0) {
                const Item& field = m_form.items[static_cast<std::size_t>(node.args[0]->target)];
                for (std::size_t k = 1; k < node.args.size(); k += 2) {
                    const int r = node.args[k]->target;
                    if (r < 0) continue; // unknown name: already reported
                    if (std::find(field.repeatPath.begin(), field.repeatPath.end(), r) == field.repeatPath.end())
                        problem(pointer, "load.indexed_repeat_not_around", {node.args[k]->name, field.name});
                }
            }
            if (node.func == Func::Digest) {
                if (node.args[1]->kind == Expr::Kind::Literal && !odk::knownDigest(node.args[1]->literal.toString()))
                    problem(pointer, "load.bad_digest", {node.args[1]->literal.toString()});
                if (node.args.size() == 3 && node.args[2]->kind == Expr::Kind::Literal &&
                    !odk::knownDigestEncoding(node.args[2]->literal.toString()))
                    problem(pointer, "load.bad_digest", {node.args[2]->literal.toString()});
            }
        });
    }

    // A value with a space cannot be told apart in a select_multiple answer ("a b" is a and b): refused
    // there, as pyxform refuses it ("Choice names with spaces cannot be added to select multiples").
    void checkSpacedValues() {
        std::set<int> reported;
        for (const auto& item : m_form.items) {
            if (item.type != ItemType::SelectMultiple || item.choiceList < 0) continue;
            auto it = m_spacedValues.find(item.choiceList);
            if (it == m_spacedValues.end() || !reported.insert(item.choiceList).second) continue;
            for (const auto& [pointer, value] : it->second)
                problem(pointer, "load.space_in_multiple", {value, item.name});
        }
    }

    void checkDefaults() {
        for (int idx : m_defaults) {
            Item& item = m_form.items[static_cast<std::size_t>(idx)];
            const bool select = item.type == ItemType::SelectOne || item.type == ItemType::SelectMultiple;
            if (select && item.choiceList < 0) continue; // already reported
            if (!item.choiceFile.empty()) continue;      // its choices come with the media file
            auto r = normalizeAnswer(m_form, item, item.defaultValue, Lang::En);
            if (!r.ok())
                problem(item.pointer + "/default", "load.bad_default", {r.error().message});
            else
                item.defaultValue = *r;
        }
    }

    void buildScopes() {
        std::map<int, int> slotCount;
        for (auto& item : m_form.items) {
            item.slot = slotCount[item.repeat]++;
            if (item.repeat < 0)
                m_form.rootSlots.push_back(item.index);
            else
                m_form.repeatSlots[item.repeat].push_back(item.index);
            if (item.type == ItemType::Repeat) {
                auto& list = m_form.repeatChildren[item.repeat];
                item.childScope = static_cast<int>(list.size());
                list.push_back(item.index);
            }
        }
        // Descendants, walking parents upwards (items are in document order, children after parents).
        for (auto& item : m_form.items)
            for (int p = item.parent; p >= 0; p = m_form.items[static_cast<std::size_t>(p)].parent)
                m_form.items[static_cast<std::size_t>(p)].descendants.push_back(item.index);
    }

    static void collectRefs(const std::optional<Expression>& e, std::vector<int>& out) {
        if (!e) return;
        forEachNode(static_cast<const Expr&>(*e->root), [&](const Expr& node) {
            if (node.kind == Expr::Kind::Ref && node.target >= 0) out.push_back(node.target);
        });
    }

    void buildGraph() {
        const std::size_t n = m_form.items.size();
        std::vector<std::vector<int>> valueIn(n); // inputs that change values or relevance
        std::vector<std::set<int>> deps(n);
        for (const auto& item : m_form.items) {
            std::vector<int> value, flag;
            collectRefs(item.relevant, value);
            collectRefs(item.calculation, value);
            collectRefs(item.repeatCount, value);
            if (item.parent >= 0) value.push_back(item.parent);
            collectRefs(item.required, flag);
            collectRefs(item.constraint, flag);
            collectRefs(item.readOnly, flag);
            collectRefs(item.choiceFilter, flag);
            std::sort(value.begin(), value.end());
            value.erase(std::unique(value.begin(), value.end()), value.end());
            valueIn[static_cast<std::size_t>(item.index)] = value;
            for (int t : value)
                deps[static_cast<std::size_t>(t)].insert(item.index);
            for (int t : flag)
                deps[static_cast<std::size_t>(t)].insert(item.index);
        }
        // Kahn's algorithm over value edges, lowest document index first so ranks are stable.
        std::vector<int> indegree(n, 0);
        std::vector<std::vector<int>> valueOut(n);
        for (std::size_t i = 0; i < n; ++i)
            for (int t : valueIn[i]) {
                ++indegree[i];
                valueOut[static_cast<std::size_t>(t)].push_back(static_cast<int>(i));
            }
        std::priority_queue<int, std::vector<int>, std::greater<>> ready;
        for (std::size_t i = 0; i < n; ++i)
            if (indegree[i] == 0) ready.push(static_cast<int>(i));
        int rank = 0;
        std::vector<bool> done(n, false);
        while (!ready.empty()) {
            const int i = ready.top();
            ready.pop();
            done[static_cast<std::size_t>(i)] = true;
            m_form.items[static_cast<std::size_t>(i)].rank = rank++;
            for (int o : valueOut[static_cast<std::size_t>(i)])
                if (--indegree[static_cast<std::size_t>(o)] == 0) ready.push(o);
        }
        if (static_cast<std::size_t>(rank) != n) {
            reportCycle(valueIn, done);
            return;
        }
        for (std::size_t i = 0; i < n; ++i)
            m_form.items[i].dependents.assign(deps[i].begin(), deps[i].end());
    }

    void reportCycle(const std::vector<std::vector<int>>& valueIn, const std::vector<bool>& done) {
        int start = -1;
        for (std::size_t i = 0; i < done.size(); ++i)
            if (!done[i]) {
                start = static_cast<int>(i);
                break;
            }
        // Walk backwards through unfinished inputs until a node repeats: that loop is a cycle.
        std::vector<int> path;
        std::map<int, std::size_t> seen;
        int cur = start;
        while (!seen.count(cur)) {
            seen[cur] = path.size();
            path.push_back(cur);
            int nextNode = -1;
            for (int in : valueIn[static_cast<std::size_t>(cur)])
                if (!done[static_cast<std::size_t>(in)]) {
                    nextNode = in;
                    break;
                }
            cur = nextNode;
        }
        std::vector<int> cycle(path.begin() + static_cast<std::ptrdiff_t>(seen[cur]), path.end());
        std::reverse(cycle.begin(), cycle.end()); // inputs first: a -> b means b uses a
        std::string text;
        for (int c : cycle)
            text += m_form.items[static_cast<std::size_t>(c)].name + " -> ";
        text += m_form.items[static_cast<std::size_t>(cycle.front())].name;
        const Item& first = m_form.items[static_cast<std::size_t>(cycle.front())];
        problem(first.pointer, "load.cycle", {text});
    }

    struct PendingExpr {
        int item;
        ExprMember member;
        std::string pointer;
    };

    Form m_form;
    std::vector<Problem> m_problems;
    std::map<std::string, std::string> m_namePointer;
    std::map<std::string, int> m_listByName;
    std::vector<PendingExpr> m_exprs;
    std::vector<int> m_defaults;
    /// Choice list index -> its values holding a space (pointer, value): refused for select_multiple.
    std::map<int, std::vector<std::pair<std::string, std::string>>> m_spacedValues;
};

} // namespace

LoadResult loadFormJson(const json& doc) {
    // Checked before any recursive walk (reading items, dump): a document built elsewhere is held to
    // the same depth as text.
    if (jsonDeeperThan(doc, kMaxFormJsonDepth)) {
        Loader loader;
        loader.problem("", "load.too_deep", {std::to_string(kMaxFormJsonDepth)});
        return loader.fail();
    }
    Loader loader;
    return loader.run(doc);
}

LoadResult loadForm(std::string_view jsonText) {
    json doc;
    JsonSyntaxError err;
    if (!parseJsonText(jsonText, doc, err, JsonLimits{kMaxFormBytes, kMaxFormJsonDepth})) {
        LoadResult r;
        Problem p;
        switch (err.problem) {
        case JsonProblem::TooDeep:
            p.pointer = err.pointer;
            p.key = "load.too_deep";
            p.args = {std::to_string(kMaxFormJsonDepth)};
            break;
        case JsonProblem::TooLarge:
            p.line = 1;
            p.column = 1;
            p.key = "load.too_large";
            p.args = {std::to_string(kMaxFormBytes >> 20)};
            break;
        case JsonProblem::Syntax:
            p.line = err.line;
            p.column = err.column;
            p.key = "load.json_syntax";
            p.args = {err.message};
            break;
        }
        r.problems.push_back(std::move(p));
        return r;
    }
    return loadFormJson(doc);
}

LoadResult loadFormFile(const std::filesystem::path& path) {
    auto text = readTextFile(path);
    if (!text.ok()) {
        LoadResult r;
        Problem p;
        p.key = "load.json_syntax";
        p.args = {text.error().message};
        p.line = 1;
        p.column = 1;
        r.problems.push_back(std::move(p));
        return r;
    }
    return loadForm(*text);
}

} // namespace carnet::forms
