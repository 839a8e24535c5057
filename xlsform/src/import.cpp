#include "xlsform/import.hpp"

#include "core/json_text.hpp"
#include "core/strings.hpp"
#include "forms/media.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace carnet::xlsform {

using ojson = nlohmann::ordered_json;

namespace {

std::string trArgs(std::string_view key, Lang lang, const std::vector<std::string>& a) {
    switch (a.size()) {
    case 0:
        return tr(key, lang);
    case 1:
        return tr(key, lang, {a[0]});
    case 2:
        return tr(key, lang, {a[0], a[1]});
    case 3:
        return tr(key, lang, {a[0], a[1], a[2]});
    default:
        return tr(key, lang, {a[0], a[1], a[2], a[3]});
    }
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool validName(std::string_view s) {
    if (s.empty()) return false;
    const char c0 = s[0];
    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}

// `s` made a name: every byte that a name cannot hold becomes '_' ("Spec test" -> "Spec_test",
// "building:material" -> "building_material"), with a '_' in front when it starts with a digit.
std::string asName(std::string s) {
    for (char& c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            c = '_';
    if (s.empty() || !validName(s)) s = "_" + s;
    return s;
}

// pyxform replaces Word's "smart" quotes by straight ones in every cell (xls2json.py, SMART_QUOTES), so
// that ${a}=’x’ is an expression. Carnet does it in every cell but texts: labels, hints, messages and
// the title keep their typographic apostrophes (l’école).
std::string straightQuotes(std::string s) {
    if (s.find("\xE2\x80") == std::string::npos) return s;
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i + 2 < s.size() && s[i] == '\xE2' && s[i + 1] == '\x80') {
            const char c = s[i + 2];
            if (c == '\x98' || c == '\x99' || c == '\x9C' || c == '\x9D') { // U+2018 U+2019 U+201C U+201D
                out += (c == '\x98' || c == '\x99') ? '\'' : '"';
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

// A column header made comparable: lowercase, spaces as '_', and the aliases pyxform accepts.
std::string normaliseBase(std::string_view header) {
    std::string s = lower(trim(header));
    std::replace(s.begin(), s.end(), ' ', '_');
    static const std::map<std::string, std::string, std::less<>> kAliases{
        {"jr:constraintmsg", "constraint_message"},
        {"jr:requiredmsg", "required_message"},
        {"jr:count", "repeat_count"},
        {"readonly", "read_only"},
        {"calculate", "calculation"},
        {"value", "name"},
        {"id_string", "form_id"},
        {"title", "form_title"},
    };
    if (auto it = kAliases.find(s); it != kAliases.end()) return it->second;
    return s;
}

// "Français (fr)" -> "fr"; "English" -> "en" (a few common names); otherwise "" (unknown).
std::string languageCode(std::string_view spec) {
    const std::string_view t = trim(spec);
    const auto open = t.rfind('(');
    const auto close = t.rfind(')');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open + 1)
        return lower(trim(t.substr(open + 1, close - open - 1)));
    static const std::map<std::string, std::string, std::less<>> kNames{
        {"english", "en"},   {"french", "fr"},  {"français", "fr"},   {"francais", "fr"},  {"spanish", "es"},
        {"español", "es"},   {"espanol", "es"}, {"portuguese", "pt"}, {"português", "pt"}, {"arabic", "ar"},
        {"german", "de"},    {"deutsch", "de"}, {"italian", "it"},    {"italiano", "it"},  {"swahili", "sw"},
        {"kiswahili", "sw"}, {"wolof", "wo"},   {"fr", "fr"},         {"en", "en"},
    };
    if (auto it = kNames.find(lower(t)); it != kNames.end()) return it->second;
    return "";
}

// XLSForm's yes/no spellings for required and read_only; anything else is an expression.
std::optional<bool> parseBoolish(std::string_view s) {
    const std::string l = lower(trim(s));
    if (l == "yes" || l == "true" || l == "true()" || l == "1" || l == "oui") return true;
    if (l == "no" || l == "false" || l == "false()" || l == "0" || l == "non" || l.empty()) return false;
    return std::nullopt;
}

const std::set<std::string, std::less<>> kSurveyColumns{"type",
                                                        "name",
                                                        "label",
                                                        "hint",
                                                        "relevant",
                                                        "constraint",
                                                        "required",
                                                        "required_message",
                                                        "constraint_message",
                                                        "calculation",
                                                        "default",
                                                        "choice_filter",
                                                        "read_only",
                                                        "appearance",
                                                        "parameters",
                                                        "repeat_count"};
const std::set<std::string, std::less<>> kTextColumns{"label", "hint", "constraint_message", "required_message"};
const std::set<std::string, std::less<>> kSettingColumns{
    "form_title", "form_id", "version", "default_language", "instance_name", "allow_choice_duplicates"};
const std::set<std::string, std::less<>> kMetadataTypes{
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid", "email", "audit",
    "start-geopoint", "instanceid",
    // pyxform's older spellings
    "uri:deviceid", "uri:email", "uri:username", "uri:phonenumber", "uri:simserial", "uri:subscriberid"};
const std::set<std::string, std::less<>> kUnsupportedTypes{

    "file",

    "hidden", "xml-external", "csv-external", "rank", "background-audio", "osm", "background-geopoint"};
const std::map<std::string, std::string, std::less<>> kTypeMap{
    {"text", "text"},           {"string", "text"},         {"integer", "integer"},
    {"int", "integer"},         {"decimal", "decimal"},     {"range", "range"},
    {"date", "date"},           {"time", "time"},           {"datetime", "datetime"},
    {"geopoint", "geopoint"},   {"image", "photo"},         {"photo", "photo"},
    {"note", "note"},           {"calculate", "calculate"}, {"acknowledge", "acknowledge"},
    {"trigger", "acknowledge"}, {"geotrace", "geotrace"},   {"geoshape", "geoshape"},
    {"barcode", "barcode"},     {"audio", "audio"},         {"video", "video"},
};

constexpr std::size_t kMaxDepth = 32; ///< groups and repeats inside one another

// Cells become JSON strings, which must be UTF-8.
bool validUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned min = 0;
        unsigned cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, cp = c & 0x07u;
        } else {
            return false;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size()) return false;
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

struct Column {
    int index = 0;
    std::string letter, header, base;
    std::string lang; ///< language code for "label::Français (fr)" columns
    bool hasLang = false;
    bool known = false;
};

// One sheet with its header row read.
struct Table {
    const Sheet* sheet = nullptr;
    int headerRow = 0;
    std::vector<Column> columns;

    [[nodiscard]] const Column* plain(std::string_view base) const {
        for (const auto& c : columns)
            if (c.base == base && !c.hasLang) return &c;
        return nullptr;
    }
    [[nodiscard]] std::string value(int row, const Column* c) const {
        if (!c) return "";
        std::string v(trim(sheet->cell(row, c->index)));
        if (kTextColumns.count(c->base) || c->base == "form_title") return v;
        return straightQuotes(std::move(v));
    }
};

// A survey item being built: its JSON and where its properties come from.
struct Node {
    int row = 0;
    std::string kind;    ///< "group", "repeat", or "" for a question
    std::string rawType; ///< the type cell as written ("begin_group", "begin group")
    ojson obj = ojson::object();
    std::vector<Node> children;
    std::map<std::string, Location> props; ///< "constraint", "label/fr", ... -> cell
};

// The cell a loader problem points into: the item's row plus the column of the property.
struct RowRef {
    Location row;
    std::map<std::string, Location> props;
};

class Importer {
public:
    ImportResult run(const Workbook& wb, std::string_view fallbackId) {
        const Sheet* survey = wb.find("survey");
        if (!survey) {
            error({}, "xlsform.no_survey", {});
            return finish();
        }
        for (const auto& s : wb.sheets) {
            const std::string l = lower(s.name);
            if (l != "survey" && l != "choices" && l != "settings" && l != "external_choices" && !s.rows.empty())
                warn({s.name, 0, "", ""}, "xlsform.sheet_ignored", {s.name});
        }
        // Text that is not UTF-8 cannot go into JSON: refuse it where it is.
        for (const auto& sh : wb.sheets) {
            const std::string l = lower(sh.name);
            if (l != "survey" && l != "choices" && l != "settings" && l != "external_choices") continue;
            for (const auto& [row, cells] : sh.rows)
                for (const auto& [col, text] : cells)
                    if (!validUtf8(text)) error({sh.name, row, columnLetters(col), ""}, "xlsform.bad_utf8", {});
        }
        if (count(Severity::Error) > 0) return finish();
        m_survey = readHeader(*survey);
        const Sheet* choices = wb.find("choices");
        if (choices) m_choices = readHeader(*choices);
        const Sheet* settings = wb.find("settings");
        if (settings) m_settings = readHeader(*settings);

        markKnown(m_survey, kSurveyColumns, true);
        readSettings(fallbackId);
        resolveLanguages();
        if (m_choices.sheet) readChoices(m_choices, false);
        if (const Sheet* ext = wb.find("external_choices")) {
            m_external = readHeader(*ext);
            readChoices(m_external, true);
        }
        Node root;
        readSurvey(root);
        checkAmbiguousRefs(root);
        if (count(Severity::Error) > 0) return finish();

        ojson form = ojson::object();
        form["id"] = m_id;
        form["version"] = m_version;
        form["title"] = m_title;
        form["default_language"] = m_defaultLang;
        form["languages"] = m_languages;
        if (!m_formSettings.empty()) form["settings"] = m_formSettings;
        scanPulldata();
        scanMediaColumns();
        dropSearchPlaceholders(root);
        if (!m_lists.empty()) form["choice_lists"] = m_lists;
        if (!m_media.empty()) form["media"] = m_media;
        form["pages"] = layoutPages(root);
        m_json = form;
        return finish();
    }

private:
    // ------------------------------------------------------------------ messages

    void report(Severity s, Location where, std::string key, std::vector<std::string> args) {
        Message m;
        m.severity = s;
        m.where = std::move(where);
        m.key = std::move(key);
        m.args = std::move(args);
        m_messages.push_back(std::move(m));
    }
    void error(Location where, std::string key, std::vector<std::string> args) {
        report(Severity::Error, std::move(where), std::move(key), std::move(args));
    }
    void warn(Location where, std::string key, std::vector<std::string> args) {
        report(Severity::Warning, std::move(where), std::move(key), std::move(args));
    }
    int count(Severity s) const {
        return static_cast<int>(
            std::count_if(m_messages.begin(), m_messages.end(), [s](const Message& m) { return m.severity == s; }));
    }

    static Location at(const Table& t, int row, const Column* c, std::string_view fallbackHeader = {}) {
        if (!c) return {t.sheet->name, row, "", std::string(fallbackHeader)};
        return {t.sheet->name, row, c->letter, c->header};
    }

    // ------------------------------------------------------------------ headers

    Table readHeader(const Sheet& sheet) {
        Table t;
        t.sheet = &sheet;
        if (sheet.rows.empty()) return t;
        t.headerRow = sheet.rows.begin()->first;
        for (const auto& [col, text] : sheet.rows.begin()->second) {
            Column c;
            c.index = col;
            c.letter = columnLetters(col);
            c.header = std::string(trim(text));
            if (c.header.empty()) continue;
            auto sep = c.header.find("::");
            std::size_t sepLen = 2;
            // pyxform's older "label:English": one colon, after a text column.
            if (sep == std::string::npos) {
                const auto colon = c.header.find(':');
                if (colon != std::string::npos && kTextColumns.count(normaliseBase(c.header.substr(0, colon)))) {
                    sep = colon;
                    sepLen = 1;
                }
            }
            const std::string mediaBase = normaliseBase(c.header.substr(0, c.header.find(':')));
            if (mediaBase == "media" || mediaBase == "image" || mediaBase == "audio" || mediaBase == "video" ||
                mediaBase == "big-image") {
                // "media::image", "media::image::English (en)", "image::English (en)", "media:audio": media
                // columns, named "media::KIND", with the language of the file they name.
                std::vector<std::string> parts;
                for (std::size_t at = 0; at <= c.header.size();) {
                    const auto colon = std::min(c.header.find(':', at), c.header.size());
                    if (colon > at) parts.push_back(c.header.substr(at, colon - at));
                    at = colon + 1;
                }
                if (!parts.empty() && normaliseBase(parts.front()) == "media") parts.erase(parts.begin());
                c.base = "media::" + (parts.empty() ? std::string("image") : normaliseBase(parts.front()));
                if (parts.size() > 1) {
                    std::string spec = parts[1];
                    for (std::size_t k = 2; k < parts.size(); ++k)
                        spec += ":" + parts[k];
                    c.hasLang = true;
                    c.lang = languageCode(spec);
                    if (c.lang.empty()) {
                        c.lang = lower(trim(spec));
                        std::replace(c.lang.begin(), c.lang.end(), ' ', '_');
                    }
                }
            } else if (sep != std::string::npos) {
                c.base = normaliseBase(c.header.substr(0, sep));
                c.hasLang = true;
                const std::string spec = c.header.substr(sep + sepLen);
                c.lang = languageCode(spec);
                if (c.lang.empty()) {
                    c.lang = lower(trim(spec));
                    std::replace(c.lang.begin(), c.lang.end(), ' ', '_');
                    warn({sheet.name, t.headerRow, c.letter, c.header}, "xlsform.language_no_code", {spec, c.lang});
                }
            } else {
                c.base = normaliseBase(c.header);
            }
            t.columns.push_back(std::move(c));
        }
        return t;
    }

    // Flags the columns this importer reads; the others are reported once, at their header, when they
    // hold any value.
    void markKnown(Table& t, const std::set<std::string, std::less<>>& known, bool textLangs) {
        if (!t.sheet) return;
        for (auto& c : t.columns) {
            c.known = c.hasLang ? (textLangs && kTextColumns.count(c.base) > 0) : known.count(c.base) > 0;
            if (isLabelMedia(c)) c.known = true; // an image or an audio prompt shown with the label
            if (c.known) continue;
            for (const auto& [row, cells] : t.sheet->rows) {
                if (row == t.headerRow) continue;
                auto it = cells.find(c.index);
                if (it != cells.end() && !trim(it->second).empty()) {
                    warn(at(t, t.headerRow, &c), "xlsform.column_ignored", {c.header});
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------ settings and languages

    void readSettings(std::string_view fallbackId) {
        std::string title, defaultLang, instanceName;
        if (m_settings.sheet && !m_settings.sheet->rows.empty()) {
            markKnown(m_settings, kSettingColumns, false);
            bool first = true;
            for (const auto& [row, cells] : m_settings.sheet->rows) {
                if (row == m_settings.headerRow) continue;
                if (!first) {
                    for (const auto& c : m_settings.columns)
                        if (!m_settings.value(row, &c).empty())
                            warn(at(m_settings, row, &c), "xlsform.setting_row_ignored", {});
                    continue;
                }
                first = false;
                m_settingsRow = row;
                for (const auto& c : m_settings.columns) {
                    const std::string v = m_settings.value(row, &c);
                    if (v.empty() || !c.known) continue;
                    if (c.base == "form_title") title = v;
                    if (c.base == "form_id") m_id = v;
                    if (c.base == "version") m_version = v;
                    if (c.base == "default_language") defaultLang = v;
                    if (c.base == "instance_name") m_formSettings["instance_name"] = v;
                    if (c.base == "allow_choice_duplicates" && parseBoolish(v).value_or(false))
                        m_formSettings["allow_choice_duplicates"] = true;
                }
            }
        }
        double serial = 0;
        if (!m_id.empty() && !validName(m_id) && parseDecimal(m_id, serial)) {
            // A form_id typed as a spreadsheet date or number ("44391.4952245146"): the file name instead.
            const Column* c = m_settings.plain("form_id");
            warn({m_settings.sheet ? m_settings.sheet->name : "settings", m_settingsRow, c ? c->letter : "", "form_id"},
                 "xlsform.bad_form_id", {m_id, std::string(fallbackId)});
            m_id.clear();
        }
        if (!m_id.empty() && !validName(m_id)) {
            // pyxform takes any id_string ("Spec test"); a Carnet id is a name.
            const Column* c = m_settings.plain("form_id");
            const std::string id = asName(m_id);
            warn({m_settings.sheet ? m_settings.sheet->name : "settings", m_settingsRow, c ? c->letter : "", "form_id"},
                 "xlsform.form_id_renamed", {m_id, id});
            m_id = id;
        }
        if (m_id.empty()) m_id = std::string(fallbackId);
        if (m_version.empty()) {
            m_version = "1";
            warn({m_settings.sheet ? m_settings.sheet->name : "settings", m_settingsRow,
                  m_settings.plain("version") ? m_settings.plain("version")->letter : "", "version"},
                 "xlsform.no_version", {});
        }
        m_title = title.empty() ? m_id : title;
        if (!defaultLang.empty()) {
            m_defaultLang = languageCode(defaultLang);
            if (m_defaultLang.empty()) {
                m_defaultLang = lower(defaultLang);
                std::replace(m_defaultLang.begin(), m_defaultLang.end(), ' ', '_');
            }
        }
    }

    void resolveLanguages() {
        std::vector<std::string> seen;
        bool plainText = false;
        for (const Table* t : {&m_survey, &m_choices})
            for (const auto& c : t->columns) {
                if (!c.known && t == &m_survey) continue;
                if (kTextColumns.count(c.base) == 0 || (t == &m_choices && c.base != "label")) continue;
                if (!c.hasLang)
                    plainText = true;
                else if (std::find(seen.begin(), seen.end(), c.lang) == seen.end())
                    seen.push_back(c.lang);
            }
        // Without default_language: a French column makes it French; a plain label column is guessed from
        // its words (Carnet needs a code where pyxform says "default"), French when nothing tells; otherwise
        // the first language column's language (a plain hint then joins it).
        if (m_defaultLang.empty()) {
            const std::string plainLang = plainText ? guessPlainLanguage() : "";
            if (std::find(seen.begin(), seen.end(), "fr") != seen.end())
                m_defaultLang = "fr";
            else if (plainLabel())
                m_defaultLang = plainLang.empty() ? "fr" : plainLang;
            else if (!seen.empty())
                m_defaultLang = seen.front();
            else
                m_defaultLang = plainLang.empty() ? "fr" : plainLang;
        }
        m_languages.push_back(m_defaultLang);
        for (const auto& l : seen)
            if (l != m_defaultLang) m_languages.push_back(l);
    }

    bool plainLabel() const {
        const Column* c = m_survey.plain("label");
        return c && c->known;
    }

    // "fr" or "en" when the words of the plain label and hint columns clearly lean one way, else "".
    std::string guessPlainLanguage() const {
        static const std::set<std::string, std::less<>> kFr{"le",   "la",     "les",  "de",   "des",  "du",
                                                            "est",  "et",     "un",   "une",  "vous", "votre",
                                                            "quel", "quelle", "pour", "avec", "dans", "au"};
        static const std::set<std::string, std::less<>> kEn{"the",   "is",   "are",   "what", "how",    "you",
                                                            "your",  "of",   "and",   "this", "does",   "do",
                                                            "which", "many", "enter", "name", "select", "please"};
        int fr = 0, en = 0;
        for (const Table* t : {&m_survey, &m_choices}) {
            if (!t->sheet) continue;
            for (const auto& c : t->columns) {
                if (c.hasLang || (c.base != "label" && c.base != "hint")) continue;
                for (const auto& [row, cells] : t->sheet->rows) {
                    if (row == t->headerRow) continue;
                    auto it = cells.find(c.index);
                    if (it == cells.end()) continue;
                    std::string word;
                    for (const char ch : it->second + " ") {
                        const auto u = static_cast<unsigned char>(ch);
                        if (std::isalpha(u) || u >= 0x80) {
                            word += static_cast<char>(std::tolower(u));
                            continue;
                        }
                        if (kFr.count(word)) ++fr;
                        if (kEn.count(word)) ++en;
                        if (word.find("\xc3") != std::string::npos) ++fr; // é è à ç ê ...: Latin-1 letters in UTF-8
                        word.clear();
                    }
                }
            }
        }
        if (fr > en) return "fr";
        if (en > fr) return "en";
        return "";
    }

    static bool isLabelMedia(const Column& c) { return c.base == "media::image" || c.base == "media::audio"; }

    // The `media` of a question or choice row: {"image": FILE or {LANG: FILE}, "audio": ...} from its
    // `media::image` and `media::audio` columns (and their language columns); records the cells. A file
    // in a language the form has no text in, or that is no plain file name, is reported and left out.
    ojson labelMedia(const Table& t, int row, std::set<int>& used, std::map<std::string, Location>* props) {
        ojson out = ojson::object();
        for (const std::string kind : {"image", "audio"}) {
            ojson byLang = ojson::object();
            for (const auto& c : t.columns) {
                if (c.base != "media::" + kind) continue;
                const std::string v(trim(t.value(row, &c)));
                if (v.empty()) continue;
                used.insert(c.index);
                const std::string lang = c.hasLang ? c.lang : m_defaultLang;
                if (!forms::validMediaName(v)) {
                    warn(at(t, row, &c), "xlsform.media_bad_name", {v});
                    continue;
                }
                if (forms::mediaType(v) != kind) { // an image in an audio column (a deployed form has one)
                    warn(at(t, row, &c), "xlsform.media_wrong_type", {v, kind});
                    continue;
                }
                if (std::find(m_languages.begin(), m_languages.end(), lang) == m_languages.end()) {
                    warn(at(t, row, &c), "xlsform.media_language_unknown", {v, lang});
                    continue;
                }
                if (props) {
                    if (!props->count("media/" + kind)) (*props)["media/" + kind] = at(t, row, &c);
                    (*props)["media/" + kind + "/" + lang] = at(t, row, &c);
                }
                if (!byLang.contains(lang)) byLang[lang] = v;
            }
            if (byLang.empty()) continue;
            // Only another language's file: shown in the default language too, as a text would be.
            if (!byLang.contains(m_defaultLang)) byLang[m_defaultLang] = byLang.begin().value();
            if (byLang.size() == 1) {
                out[kind] = byLang[m_defaultLang];
                continue;
            }
            ojson ordered = ojson::object();
            ordered[m_defaultLang] = byLang[m_defaultLang];
            for (const auto& [k, v] : byLang.items())
                if (k != m_defaultLang) ordered[k] = v;
            out[kind] = std::move(ordered);
        }
        return out;
    }

    // A TEXT from the `base` columns of a row ("label", "label::English (en)", ...); records the cells.
    std::optional<ojson> readText(const Table& t, int row, std::string_view base, std::set<int>& used,
                                  std::map<std::string, Location>* props) {
        ojson text = ojson::object();
        const Column* plainCol = nullptr;
        std::string plainValue;
        for (const auto& c : t.columns) {
            if (c.base != base || (!c.known && &t == &m_survey)) continue;
            const std::string v = t.value(row, &c);
            if (props) {
                const std::string lang = c.hasLang ? c.lang : m_defaultLang;
                if (!props->count(std::string(base))) (*props)[std::string(base)] = at(t, row, &c);
                (*props)[std::string(base) + "/" + lang] = at(t, row, &c);
            }
            if (v.empty()) continue;
            used.insert(c.index);
            if (!c.hasLang) {
                plainCol = &c;
                plainValue = v;
            } else {
                text[c.lang] = v;
            }
        }
        if (plainCol) {
            if (text.contains(m_defaultLang))
                warn(at(t, row, plainCol), "xlsform.plain_text_shadowed", {plainCol->header, m_defaultLang});
            else
                text[m_defaultLang] = plainValue;
        }
        if (text.empty()) return std::nullopt;
        if (!text.contains(m_defaultLang)) {
            // Only other languages filled ("hint::chinese" and no English hint): pyxform fills the missing
            // translations with "-"; Carnet, which needs the default language, shows the first one given.
            const std::string from = text.begin().key();
            const ojson value = text.begin().value();
            text[m_defaultLang] = value;
            Location where = props && props->count(std::string(base) + "/" + from)
                                 ? props->at(std::string(base) + "/" + from)
                                 : Location{t.sheet->name, row, "", std::string(base)};
            warn(where, "xlsform.text_no_default_language", {std::string(base), m_defaultLang, from});
        }
        // Keep the default language first, as people read it.
        ojson ordered = ojson::object();
        ordered[m_defaultLang] = text[m_defaultLang];
        if (ordered[m_defaultLang].is_null()) ordered.erase(m_defaultLang);
        for (const auto& [k, v] : text.items())
            if (k != m_defaultLang) ordered[k] = v;
        return ordered;
    }

    // ------------------------------------------------------------------ choices

    // `external`: the external_choices sheet (select_one_external), whose lists may reuse a name of choices.
    void readChoices(Table& t, bool external) {
        if (!t.sheet || t.sheet->rows.empty()) return;
        const Column* listCol = nullptr;
        const Column* nameCol = nullptr;
        for (auto& c : t.columns) {
            if (c.hasLang) {
                c.known = c.base == "label";
            } else {
                c.known = true; // every other column is a choice column, for choice_filter
                if (c.base == "list_name") listCol = &c;
                if (c.base == "name") nameCol = &c;
            }
            // Media columns have no Carnet equivalent; "$kuid"-style columns are KoboToolbox bookkeeping.
            const bool media = c.base.rfind("media::", 0) == 0 || (!c.base.empty() && c.base[0] == '$');
            if (media || (c.hasLang && !c.known)) c.known = false;
            if (isLabelMedia(c)) c.known = true; // read as the choice's `media`, not as a choice column
        }
        markKnownChoices(t);
        if (!listCol) error(at(t, t.headerRow, nullptr, "list_name"), "xlsform.missing_column", {"list_name"});
        if (!nameCol) error(at(t, t.headerRow, nullptr, "name"), "xlsform.missing_column", {"name"});
        if (!listCol || !nameCol) return;
        std::set<std::string> sheetLists; // the list names as written, which a renamed list must not take
        for (const auto& [row, cells] : t.sheet->rows)
            if (row != t.headerRow) sheetLists.insert(t.value(row, listCol));
        for (const auto& [row, cells] : t.sheet->rows) {
            if (row == t.headerRow) continue;
            const std::string sheetList = t.value(row, listCol);
            std::string list = sheetList;
            if (external && !sheetList.empty()) {
                if (!m_externalLists.count(sheetList)) {
                    const std::string name = listName(sheetList, at(t, row, listCol), sheetLists);
                    m_externalLists[sheetList] = m_lists.contains(name) ? name + "_external" : name;
                }
                list = m_externalLists[sheetList];
            } else if (!sheetList.empty()) {
                list = listName(sheetList, at(t, row, listCol), sheetLists);
            }
            const std::string name = t.value(row, nameCol);
            bool any = false;
            for (const auto& c : t.columns)
                if (!t.value(row, &c).empty()) any = true;
            if (!any) continue;
            if (list.empty()) {
                error(at(t, row, listCol), "xlsform.missing_list_name", {});
                continue;
            }
            if (name.empty()) {
                error(at(t, row, nameCol), "xlsform.missing_choice_name", {list});
                continue;
            }
            RowRef ref;
            ref.row = {t.sheet->name, row, "", ""};
            ref.props["value"] = at(t, row, nameCol);
            std::set<int> used;
            ojson choice = ojson::object();
            choice["value"] = name;
            if (auto label = readText(t, row, "label", used, &ref.props)) {
                choice["label"] = *label;
            } else {
                // pyxform accepts a choice without a label; Carnet shows its name.
                choice["label"] = ojson{{m_defaultLang, name}};
                warn(ref.props.count("label") ? ref.props.at("label") : Location{t.sheet->name, row, "", "label"},
                     "xlsform.choice_no_label", {name});
            }
            ojson media = labelMedia(t, row, used, &ref.props);
            if (!media.empty()) choice["media"] = std::move(media);
            for (const auto& c : t.columns) {
                if (!c.known || c.hasLang || &c == listCol || &c == nameCol || c.base == "label" || isLabelMedia(c))
                    continue;
                const std::string v = t.value(row, &c);
                ref.props[jsonPointerToken(c.header)] = at(t, row, &c);
                if (!v.empty()) choice[c.header] = v;
            }
            auto& arr = m_lists[list];
            if (arr.is_null()) {
                arr = ojson::array();
                m_listRows[list] = row;
            }
            // The same value twice in a list: kept, told apart by its choice_filter columns, as
            // allow_choice_duplicates says; without that setting it is reported.
            const bool duplicate =
                std::any_of(arr.begin(), arr.end(), [&](const ojson& c) { return c["value"] == name; });
            if (duplicate && !m_formSettings.contains("allow_choice_duplicates")) {
                warn(ref.props.at("value"), "xlsform.choice_duplicate", {name, sheetList});
                m_formSettings["allow_choice_duplicates"] = true;
            }
            m_choiceRefs["/choice_lists/" + jsonPointerToken(list) + "/" + std::to_string(arr.size())] = ref;
            arr.push_back(std::move(choice));
        }
    }

    // The form's name for a list of the choices sheet: itself, or made a name when pyxform takes it
    // but Carnet cannot ("building:material" -> "building_material", reported once, where it is first).
    std::string listName(const std::string& sheetList, const Location& where, const std::set<std::string>& taken) {
        if (validName(sheetList)) return sheetList;
        if (auto it = m_listNames.find(sheetList); it != m_listNames.end()) return it->second;
        const std::string base = asName(sheetList);
        std::string name = base;
        auto used = [&](const std::string& n) {
            if (taken.count(n) || m_lists.contains(n)) return true;
            return std::any_of(m_listNames.begin(), m_listNames.end(), [&](const auto& kv) { return kv.second == n; });
        };
        for (int k = 2; used(name); ++k)
            name = base + "_" + std::to_string(k);
        m_listNames[sheetList] = name;
        warn(where, "xlsform.list_renamed", {sheetList, name});
        return name;
    }

    void markKnownChoices(const Table& t) {
        for (const auto& c : t.columns) {
            if (c.known) continue;
            for (const auto& [row, cells] : t.sheet->rows) {
                if (row == t.headerRow) continue;
                auto it = cells.find(c.index);
                if (it != cells.end() && !trim(it->second).empty()) {
                    warn(at(t, t.headerRow, &c), "xlsform.column_ignored", {c.header});
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------ survey

    void readSurvey(Node& root) {
        const Column* typeCol = m_survey.plain("type");
        const Column* nameCol = m_survey.plain("name");
        if (!typeCol) error(at(m_survey, m_survey.headerRow, nullptr, "type"), "xlsform.missing_column", {"type"});
        if (!nameCol) error(at(m_survey, m_survey.headerRow, nullptr, "name"), "xlsform.missing_column", {"name"});
        if (!typeCol || !nameCol) return;

        std::vector<Node> stack; // open groups, repeats and loops
        auto current = [&]() -> Node& { return stack.empty() ? root : stack.back(); };
        auto inLoop = [&]() {
            return std::any_of(stack.begin(), stack.end(), [](const Node& n) { return n.kind == "loop"; });
        };
        for (const auto& [row, cells] : m_survey.sheet->rows) {
            if (row == m_survey.headerRow) continue;
            const std::string rawType = m_survey.value(row, typeCol);
            if (rawType.empty()) {
                bool any = false;
                for (const auto& c : m_survey.columns)
                    if (c.known && !m_survey.value(row, &c).empty()) any = true;
                if (any) warn(at(m_survey, row, typeCol), "xlsform.missing_type", {});
                continue;
            }
            std::vector<std::string> words = splitWhitespace(rawType);
            std::vector<std::string> lw;
            for (const auto& w : words)
                lw.push_back(lower(w));
            std::string keyword = lw[0];
            std::size_t next = 1;
            // "begin group", "select one", "select_one" ...: two spellings of the same type; pyxform's older
            // "select all that apply from LIST", "select one from LIST", "phone number".
            if (lw.size() >= 4 && keyword == "select" && lw[1] == "all" && lw[2] == "that" && lw[3] == "apply") {
                keyword = "select_multiple";
                next = 4;
            } else if (words.size() > 1 && (keyword == "begin" || keyword == "end" || keyword == "select")) {
                const std::string& second = lw[1];
                if (second == "group" || second == "repeat" || second == "one" || second == "multiple" ||
                    second == "loop") {
                    keyword += "_" + second;
                    next = 2;
                }
            } else if (lw.size() == 2 && keyword == "phone" && lw[1] == "number") {
                keyword = "phone_number";
                next = 2;
            }
            if (keyword == "select_one_from_file" || keyword == "select_multiple_from_file") next = words.size();
            if ((keyword == "select_one" || keyword == "select_multiple" || keyword == "begin_loop") &&
                next < lw.size() && (lw[next] == "from" || lw[next] == "over"))
                ++next;
            if ((keyword == "select_one" || keyword == "select_multiple" || keyword == "begin_loop") &&
                next < words.size())
                if (auto it = m_listNames.find(words[next]); it != m_listNames.end()) words[next] = it->second;
            // "or_other", and its older spelling "or specify other".
            bool orOther = false;
            if (keyword == "select_one" || keyword == "select_multiple") {
                if (lw.size() == next + 2 && lw[next + 1] == "or_other") orOther = true;
                if (lw.size() == next + 4 && lw[next + 1] == "or" && lw[next + 2] == "specify" &&
                    lw[next + 3] == "other")
                    orOther = true;
                if (orOther) words.resize(next + 1);
            }

            const Location typeLoc = at(m_survey, row, typeCol);
            if (keyword == "end_group" || keyword == "end_repeat" || keyword == "end_loop") {
                const std::string kind = keyword.substr(4);
                if (stack.empty()) {
                    error(typeLoc, "xlsform.unexpected_end", {rawType, "begin_" + kind});
                    continue;
                }
                if (stack.back().kind != kind) {
                    error(typeLoc, "xlsform.mismatched_end",
                          {rawType, stack.back().rawType, std::to_string(stack.back().row)});
                    continue;
                }
                Node done = std::move(stack.back());
                stack.pop_back();
                if (done.kind == "loop") done = expandLoop(std::move(done), stack);
                current().children.push_back(std::move(done));
                continue;
            }

            std::set<int> used{typeCol->index};
            Node node;
            node.row = row;
            node.rawType = rawType;
            node.props["type"] = typeLoc;
            std::string name = m_survey.value(row, nameCol);
            used.insert(nameCol->index);
            node.props["name"] = at(m_survey, row, nameCol);

            if (kMetadataTypes.count(keyword)) {
                // What the device knows (start, end, today, deviceid, username...) becomes a calculation
                // that captures it, as ODK's preloads do, so that every record and export has it. The
                // others are skipped, unless ${name} refers to them: then they are an empty value.
                if (!name.empty() && (!metadataCalculation(keyword).empty() || referenced(name))) {
                    addMetadataCalculation(current(), node, keyword, name, stack);
                    continue;
                }
                warn(typeLoc, "xlsform.metadata_skipped", {keyword});
                continue;
            }
            // select_one_from_file communes.csv: the choices are the rows of a CSV file shipped with the
            // form (its media); an XML or GeoJSON file is not read.
            std::string choiceFile;
            if (keyword == "select_one_from_file" || keyword == "select_multiple_from_file") {
                choiceFile = words.size() > 1 ? words[1] : "";
                if (words.size() != 2 || choiceFile.size() < 5 ||
                    lower(choiceFile.substr(choiceFile.size() - 4)) != ".csv") {
                    error(typeLoc, "xlsform.unsupported_file", {keyword, choiceFile});
                    continue;
                }
            }
            if (keyword == "osm") {
                error(typeLoc, "xlsform.unsupported_osm", {name});
                continue;
            }
            if (kUnsupportedTypes.count(keyword)) {
                error(typeLoc, "xlsform.unsupported_type", {keyword});
                continue;
            }

            std::string type;
            if (keyword == "begin_group" || keyword == "begin_repeat") {
                node.kind = keyword.substr(6);
                type = node.kind;
            } else if (keyword == "begin_loop") {
                if (next >= words.size()) {
                    error(typeLoc, "xlsform.missing_list", {rawType});
                    continue;
                }
                if (!m_lists.contains(words[next])) {
                    error(typeLoc, "xlsform.unknown_list", {words[next]});
                    continue;
                }
                node.kind = "loop";
                type = "group";
            } else if (keyword == "select_one_external" && next + 1 == words.size()) {
                // Choices from the external_choices sheet, filtered by their columns: offline as any list.
                type = "select_one";
                if (auto it = m_externalLists.find(words[next]); it != m_externalLists.end()) {
                    words[next] = it->second;
                } else {
                    error(typeLoc, "xlsform.unknown_list", {words[next]});
                    continue;
                }
            } else if (!choiceFile.empty()) {
                type = keyword == "select_one_from_file" ? "select_one" : "select_multiple";
                addMedia(choiceFile);
            } else if (keyword == "select_one" || keyword == "select_multiple") {
                type = keyword;
                if (next >= words.size()) {
                    error(typeLoc, "xlsform.missing_list", {rawType});
                    continue;
                }
                const std::string& list = words[next];
                if (next + 1 < words.size()) {
                    error(typeLoc, "xlsform.unknown_type", {rawType});
                    continue;
                }
                if (!m_lists.contains(list)) {
                    error(typeLoc, "xlsform.unknown_list", {list});
                    continue;
                }
            } else if (keyword == "phone_number") {
                type = "text"; // pyxform: a text of digits
            } else if (auto it = kTypeMap.find(keyword); it != kTypeMap.end() && next == words.size()) {
                type = it->second;
            } else {
                error(typeLoc, "xlsform.unknown_type", {rawType});
                continue;
            }

            // A note needs no name in a form (it stores nothing): give it one.
            if (name.empty() && type == "note") {
                for (int k = row;; ++k) {
                    name = "note_" + std::to_string(k);
                    if (!m_names.count(name)) break;
                }
                warn(at(m_survey, row, nameCol), "xlsform.note_named", {name});
            }
            // Name: present, unique across the form. The same name in another group is addressed by its
            // path ("group.name"), as in the XForm pyxform writes; inside a loop, names repeat per choice.
            if (name.empty()) {
                error(at(m_survey, row, nameCol), "xlsform.missing_name", {});
            } else if (!inLoop()) {
                name = claimName(name, row, stack, at(m_survey, row, nameCol));
            }

            // The app has no camera scanner yet: the code is typed in (the appearance is kept for later).
            if (type == "barcode") warn(typeLoc, "xlsform.barcode_typed", {name});
            if (!choiceFile.empty()) node.obj["choice_file"] = ojson{{"file", choiceFile}};
            fillItem(node, row, type, name, words, next, used);
            if (keyword == "begin_loop") node.obj["list"] = words[next];
            if (keyword == "phone_number") node.obj["regex"] = "[0-9]*";
            reportUnused(row, used, rawType);
            if (!node.kind.empty()) {
                if (stack.size() >= kMaxDepth) {
                    // Deeper nesting is no real form, and every level costs stack in the loader.
                    error(typeLoc, "xlsform.too_deep", {std::to_string(kMaxDepth)});
                    return;
                }
                stack.push_back(std::move(node));
            } else {
                const bool addOther = orOther && !name.empty();
                const std::string list = addOther ? words[next] : "";
                current().children.push_back(std::move(node));
                if (addOther) addOtherQuestion(current(), row, name, list, stack);
            }
        }
        while (!stack.empty()) {
            const Node& open = stack.back();
            error(open.props.count("type") ? open.props.at("type") : Location{m_survey.sheet->name, open.row, "", ""},
                  "xlsform.unclosed",
                  {open.rawType, (open.rawType.find('_') != std::string::npos ? "end_" : "end ") + open.kind});
            stack.pop_back();
        }
    }

    // pulldata('fruits', ...) in an expression reads fruits.csv: a media file of the form.
    // The images, audio and video files named in media columns (`media::image`, `audio`...) of the
    // survey and choices: carried with the form in its bundle (docs/xlsform.md, "Media").
    void scanMediaColumns() {
        for (const Table* t : {&m_survey, &m_choices}) {
            if (!t->sheet) continue;
            for (const auto& c : t->columns) {
                if (c.base.rfind("media::", 0) != 0) continue;
                for (const auto& [row, cells] : t->sheet->rows) {
                    if (row == t->headerRow) continue;
                    const std::string v(trim(t->value(row, &c)));
                    if (!v.empty() && forms::validMediaName(v)) addMedia(v);
                }
            }
        }
    }

    void scanPulldata() {
        static const std::set<std::string, std::less<>> kExprColumns{
            "relevant", "constraint", "calculation", "required", "read_only", "choice_filter", "repeat_count"};
        for (const auto& c : m_survey.columns) {
            if (c.hasLang || !kExprColumns.count(c.base)) continue;
            for (const auto& [row, cells] : m_survey.sheet->rows) {
                if (row == m_survey.headerRow) continue;
                const std::string v = m_survey.value(row, &c);
                for (std::size_t pos = v.find("pulldata("); pos != std::string::npos;
                     pos = v.find("pulldata(", pos + 1)) {
                    std::size_t i = pos + 9;
                    while (i < v.size() && v[i] == ' ')
                        ++i;
                    if (i >= v.size() || (v[i] != '\'' && v[i] != '"')) continue;
                    const auto close = v.find(v[i], i + 1);
                    if (close == std::string::npos || close == i + 1) continue;
                    std::string file = v.substr(i + 1, close - i - 1);
                    if (file.size() < 5 || lower(file.substr(file.size() - 4)) != ".csv") file += ".csv";
                    addMedia(file);
                }
            }
        }
    }

    // A list whose row only named the columns of a search() CSV is no list of choices: dropped when no
    // other question uses it, so its placeholder is never offered.
    void dropSearchPlaceholders(const Node& root) {
        std::set<std::string> used;
        std::function<void(const Node&)> walk = [&](const Node& n) {
            if (n.obj.contains("choice_list")) used.insert(n.obj["choice_list"].get<std::string>());
            if (n.obj.contains("list")) used.insert(n.obj["list"].get<std::string>());
            for (const auto& c : n.children)
                walk(c);
        };
        walk(root);
        for (const auto& list : m_searchLists)
            if (!used.count(list)) m_lists.erase(list);
    }

    // True when some cell of the survey sheet holds ${name}.
    bool referenced(const std::string& name) const {
        const std::string ref = "${" + name + "}";
        for (const auto& [row, cells] : m_survey.sheet->rows)
            for (const auto& [col, text] : cells)
                if (row != m_survey.headerRow && text.find(ref) != std::string::npos) return true;
        return false;
    }

    // The calculation that captures a metadata row's value on the device, from what the device knows of
    // the record (carnet:property, docs/form-format.md): start and today when it was made, deviceid,
    // username, email, phonenumber; end is the last change (now(), kept as it was at the finalize).
    // "" for the others (simserial, subscriberid, audit...).
    static std::string metadataCalculation(std::string_view keyword) {
        if (keyword.substr(0, 4) == "uri:") keyword.remove_prefix(4);
        if (keyword == "end") return "now()";
        if (keyword == "start" || keyword == "today" || keyword == "deviceid" || keyword == "username" ||
            keyword == "email" || keyword == "phonenumber")
            return "carnet:property('" + std::string(keyword) + "')";
        return std::string();
    }

    // A metadata row as a calculation (above); one Carnet has no value for, that the form refers to, is
    // an empty value and says so.
    void addMetadataCalculation(Node& parent, Node node, const std::string& keyword, const std::string& name,
                                const std::vector<Node>& stack) {
        std::string calculation = metadataCalculation(keyword);
        const Location where = node.props.at("type");
        if (calculation.empty()) {
            calculation = "''";
            warn(where, "xlsform.metadata_empty", {keyword, name});
        }
        node.obj = ojson{{"type", "calculate"},
                         {"name", claimName(name, node.row, stack, node.props.at("name"))},
                         {"calculation", calculation}};
        parent.children.push_back(std::move(node));
    }

    // Registers `name` for the item on `row` and returns the name it gets: itself, or "group.name" when
    // it is already used in another group. References to such a name are ambiguous (checked later).
    std::string claimName(const std::string& name, int row, const std::vector<Node>& stack, const Location& where) {
        const std::string scope = stack.empty() ? "" : stack.back().obj.value("name", "");
        auto seen = m_names.find(name);
        if (seen == m_names.end()) {
            m_names[name] = row;
            m_nameScopes[name] = scope;
            return name;
        }
        if (m_nameScopes[name] != scope && !scope.empty()) {
            const std::string path = scope + "." + name;
            if (!m_names.count(path)) {
                m_names[path] = row;
                m_nameScopes[path] = scope;
                m_ambiguous[name] = seen->second;
                warn(where, "xlsform.name_by_path", {name, std::to_string(seen->second), path});
                return path;
            }
        }
        error(where, "xlsform.duplicate_name", {name, std::to_string(seen->second)});
        return name;
    }

    // or_other: an "other" choice in the list and a text question shown when it is chosen, as pyxform does.
    void addOtherQuestion(Node& parent, int row, const std::string& name, const std::string& list,
                          const std::vector<Node>& stack) {
        auto& arr = m_lists[list];
        const bool hasOther = std::any_of(arr.begin(), arr.end(), [](const ojson& c) { return c["value"] == "other"; });
        if (!hasOther) {
            ojson label = ojson::object();
            for (const auto& l : m_languages)
                label[l] = tr("xlsform.other_choice", parseLang(l).value_or(Lang::En));
            arr.push_back(ojson{{"value", "other"}, {"label", label}});
        }
        Node other;
        other.row = row;
        other.rawType = "text";
        other.props["type"] = at(m_survey, row, m_survey.plain("type"));
        other.props["name"] = at(m_survey, row, m_survey.plain("name"));
        const std::string otherName = claimName(name + "_other", row, stack, other.props["name"]);
        ojson label = ojson::object();
        for (const auto& l : m_languages)
            label[l] = tr("xlsform.other_specify", parseLang(l).value_or(Lang::En));
        other.obj = ojson{{"type", "text"},
                          {"name", otherName},
                          {"label", label},
                          {"relevant", "selected(${" + name + "}, 'other')"}};
        parent.children.push_back(std::move(other));
    }

    // begin_loop over LIST: one group per choice of LIST, holding the loop's questions named by path
    // ("loop.choice.question"), with %(label)s and %(name)s replaced by the choice's label and name.
    Node expandLoop(Node loop, const std::vector<Node>& stack) {
        Node group;
        group.row = loop.row;
        group.kind = "group";
        group.rawType = loop.rawType;
        group.props = loop.props;
        group.obj = loop.obj;
        group.obj.erase("list");
        group.obj["type"] = "group";
        const std::string loopName = loop.obj.value("name", "");
        const ojson& choices = m_lists[loop.obj.value("list", "")];
        for (const auto& choice : choices) {
            const std::string value = choice.value("value", "");
            const std::string prefix = loopName + "." + value;
            std::map<std::string, std::string> renames;
            for (const auto& c : loop.children)
                collectRenames(c, prefix, renames);
            Node each;
            each.row = loop.row;
            each.kind = "group";
            each.rawType = loop.rawType;
            each.props = loop.props;
            each.obj = ojson{{"type", "group"}, {"name", prefix}};
            if (choice.contains("label")) each.obj["label"] = choice["label"];
            std::vector<Node> inner = stack;
            inner.push_back(group);
            claimName(prefix, loop.row, inner, loop.props.count("name") ? loop.props.at("name") : Location{});
            for (const auto& c : loop.children)
                each.children.push_back(substitute(c, choice, renames, inner));
            group.children.push_back(std::move(each));
        }
        return group;
    }

    static void collectRenames(const Node& n, const std::string& prefix, std::map<std::string, std::string>& out) {
        const std::string name = n.obj.value("name", "");
        if (!name.empty()) out[name] = prefix + "." + name;
        for (const auto& c : n.children)
            collectRenames(c, prefix, out);
    }

    Node substitute(const Node& n, const ojson& choice, const std::map<std::string, std::string>& renames,
                    const std::vector<Node>& stack) {
        Node out = n;
        auto fix = [&](std::string s) {
            for (const auto& [from, to] : renames)
                s = replaceAll(s, "${" + from + "}", "${" + to + "}");
            return replaceAll(s, "%(name)s", choice.value("value", ""));
        };
        for (auto& [key, v] : out.obj.items()) {
            if (key == "name" || key == "type") continue;
            if (v.is_string()) {
                v = fix(v.get<std::string>());
            } else if (v.is_object()) {
                for (auto& [lang, t] : v.items()) {
                    if (!t.is_string()) continue;
                    std::string label;
                    if (choice.contains("label") && choice["label"].contains(lang))
                        label = choice["label"][lang].get<std::string>();
                    else if (choice.contains("label") && choice["label"].contains(m_defaultLang))
                        label = choice["label"][m_defaultLang].get<std::string>();
                    else
                        label = choice.value("value", "");
                    t = replaceAll(fix(t.get<std::string>()), "%(label)s", label);
                }
            }
        }
        const std::string name = n.obj.value("name", "");
        if (auto it = renames.find(name); it != renames.end()) {
            out.obj["name"] = it->second;
            claimName(it->second, n.row, stack, n.props.count("name") ? n.props.at("name") : Location{});
        }
        out.children.clear();
        std::vector<Node> inner = stack;
        inner.push_back(out);
        for (const auto& c : n.children)
            out.children.push_back(substitute(c, choice, renames, inner));
        return out;
    }

    static std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
        if (from.empty()) return s;
        for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
            s.replace(pos, from.size(), to);
        return s;
    }

    // A ${name} used in two groups cannot be told apart in an expression: refused, as pyxform does.
    void checkAmbiguousRefs(const Node& n) {
        for (const auto& [key, v] : n.obj.items()) {
            std::vector<std::string> texts;
            if (v.is_string()) texts.push_back(v.get<std::string>());
            if (v.is_object())
                for (const auto& [lang, t] : v.items())
                    if (t.is_string()) texts.push_back(t.get<std::string>());
            for (const auto& t : texts)
                for (const auto& [name, row] : m_ambiguous)
                    if (t.find("${" + name + "}") != std::string::npos) {
                        const auto where = n.props.find(key);
                        error(where != n.props.end() ? where->second : Location{m_survey.sheet->name, n.row, "", key},
                              "xlsform.ambiguous_ref", {name, std::to_string(row)});
                    }
        }
        for (const auto& c : n.children)
            checkAmbiguousRefs(c);
    }

    std::string take(int row, std::string_view base, std::set<int>& used, Node& node) {
        const Column* c = m_survey.plain(base);
        if (!c) return "";
        node.props[std::string(base)] = at(m_survey, row, c);
        const std::string v = m_survey.value(row, c);
        if (!v.empty()) used.insert(c->index);
        return v;
    }

    void fillItem(Node& node, int row, const std::string& type, const std::string& name,
                  const std::vector<std::string>& words, std::size_t next, std::set<int>& used) {
        ojson& o = node.obj;
        o["type"] = type;
        o["name"] = name;
        const bool container = !node.kind.empty();
        if (auto t = readText(m_survey, row, "label", used, &node.props)) {
            o["label"] = *t;
        } else if (type != "group" && type != "calculate" && !name.empty()) {
            // pyxform accepts a question without a label (a hint alone, or a value set by the form):
            // Carnet shows its name.
            o["label"] = ojson{{m_defaultLang, name}};
            warn(node.props.count("label") ? node.props.at("label") : Location{m_survey.sheet->name, row, "", "label"},
                 "xlsform.no_label", {name});
        }
        if (auto t = readText(m_survey, row, "hint", used, &node.props)) o["hint"] = *t;
        if (!container) {
            ojson media = labelMedia(m_survey, row, used, &node.props);
            if (!media.empty()) o["media"] = std::move(media);
        }
        if (auto v = take(row, "relevant", used, node); !v.empty()) o["relevant"] = v;
        if ((type == "select_one" || type == "select_multiple") && !o.contains("choice_file"))
            o["choice_list"] = words[next];

        if (!container) {
            if (auto v = take(row, "required", used, node); !v.empty()) {
                const auto b = parseBoolish(v);
                if (!b)
                    o["required"] = v;
                else if (*b)
                    o["required"] = true;
            }
            if (auto t = readText(m_survey, row, "required_message", used, &node.props)) o["required_message"] = *t;
            if (auto v = take(row, "constraint", used, node); !v.empty()) o["constraint"] = v;
            if (auto t = readText(m_survey, row, "constraint_message", used, &node.props)) o["constraint_message"] = *t;
            if (auto v = take(row, "calculation", used, node); !v.empty()) o["calculation"] = v;
            if (type == "calculate" && !o.contains("calculation"))
                error(node.props.count("calculation") ? node.props.at("calculation")
                                                      : Location{m_survey.sheet->name, row, "", "calculation"},
                      "xlsform.missing_calculation", {});
            if (auto v = take(row, "default", used, node); !v.empty()) {
                // A default is a literal; ODK's dynamic defaults (today(), ${x}) have no Carnet equivalent.
                const bool dynamic = v.find("${") != std::string::npos || v.find("()") != std::string::npos;
                if (dynamic)
                    warn(node.props.at("default"), "xlsform.dynamic_default", {v});
                else if ((type == "select_one" || type == "select_multiple") && !o.contains("choice_file"))
                    selectDefault(node, words[next], v);
                else
                    o["default"] = v;
            }
            if (auto v = take(row, "read_only", used, node); !v.empty()) {
                const auto b = parseBoolish(v);
                if (!b)
                    o["read_only"] = v;
                else if (*b)
                    o["read_only"] = true;
            }
            if (type == "select_one" || type == "select_multiple")
                if (auto v = take(row, "choice_filter", used, node); !v.empty()) o["choice_filter"] = v;
            if (type == "range") readRangeParameters(node, row, used);
            if (o.contains("choice_file"))
                readFileParameters(node, row, used);
            else if (type == "select_one" || type == "select_multiple")
                readSelectParameters(node, parameterWords(node, row, used));
        }
        if (type == "repeat")
            if (auto v = take(row, "repeat_count", used, node); !v.empty()) o["repeat_count"] = v;
        if (auto v = take(row, "appearance", used, node); !v.empty()) {
            // search('file'): the choices come from file.csv beside the form, not from the choices sheet,
            // whose row is only a placeholder naming the CSV columns. Never import the placeholder alone.
            if (lower(v).find("search(") != std::string::npos) {
                v = searchAppearance(node, v);
                if (v.empty()) return;
            }
            // ODK draws a signature pad with an image question of appearance "signature".
            if (type == "photo" && lower(v) == "signature")
                o["type"] = "signature";
            else
                o["appearance"] = v;
        }
    }

    // A select's default keeps the values that are choices of its list (a select_multiple default is
    // values separated by spaces). pyxform does not check them; ODK then starts with an answer the
    // question cannot show ("Fixme: I need this list", a misspelt "firepit"): Carnet drops those, and
    // says so at the cell.
    void selectDefault(Node& node, const std::string& list, const std::string& v) {
        const ojson& choices = m_lists.contains(list) ? m_lists[list] : ojson::array();
        auto known = [&](const std::string& value) {
            return std::any_of(choices.begin(), choices.end(),
                               [&](const ojson& c) { return c.value("value", "") == value; });
        };
        std::vector<std::string> values;
        if (node.obj["type"] == "select_one")
            values.push_back(v);
        else
            values = splitWhitespace(v);
        std::string kept;
        for (const auto& value : values) {
            if (!known(value)) {
                warn(node.props.at("default"), "xlsform.default_not_choice", {value, list});
                continue;
            }
            if (!kept.empty()) kept += ' ';
            kept += value;
        }
        if (!kept.empty()) node.obj["default"] = kept;
    }

    // One word of a "parameters" cell: KEY=VALUE as written, its key lower-cased, its value (empty when
    // there is no '=').
    struct Parameter {
        std::string word, key, value;
    };

    // The "parameters" cell: words separated by spaces, commas or semicolons.
    std::vector<Parameter> parameterWords(Node& node, int row, std::set<int>& used) {
        std::string s = take(row, "parameters", used, node);
        std::replace(s.begin(), s.end(), ';', ' ');
        std::replace(s.begin(), s.end(), ',', ' ');
        std::vector<Parameter> words;
        for (const auto& word : splitWhitespace(s)) {
            const auto eq = word.find('=');
            words.push_back({word, lower(word.substr(0, eq == std::string::npos ? word.size() : eq)),
                             eq == std::string::npos ? "" : word.substr(eq + 1)});
        }
        return words;
    }

    // select_one_from_file's parameters: value=COLUMN and label=COLUMN of the CSV (default name, label).
    void readFileParameters(Node& node, int row, std::set<int>& used) {
        std::vector<Parameter> rest;
        for (const auto& p : parameterWords(node, row, used)) {
            if (p.key == "randomize" || p.key == "seed") {
                rest.push_back(p);
                continue;
            }
            if ((p.key != "value" && p.key != "label") || p.value.empty()) {
                warn(node.props.at("parameters"), "xlsform.bad_file_parameter", {p.word});
                continue;
            }
            node.obj["choice_file"][p.key] = p.value;
        }
        readSelectParameters(node, rest);
    }

    // Every select's parameters, as pyxform takes them: randomize=true shuffles the choices (ODK's
    // randomize()), seed=${q} or a number gives ODK's order for that seed; a seed needs randomize=true.
    void readSelectParameters(Node& node, const std::vector<Parameter>& params) {
        std::string seed;
        bool randomize = false;
        for (const auto& [word, key, value] : params) {
            if (key == "randomize" && (lower(value) == "true" || lower(value) == "false")) {
                randomize = lower(value) == "true";
                node.obj["randomize"] = randomize;
            } else if (key == "seed" && !value.empty()) {
                seed = value;
            } else {
                warn(node.props.at("parameters"), "xlsform.bad_select_parameter", {word});
            }
        }
        if (seed.empty()) return;
        if (!randomize)
            warn(node.props.at("parameters"), "xlsform.seed_without_randomize", {seed});
        else
            node.obj["seed"] = seed;
    }

    void addMedia(const std::string& file) {
        if (std::find(m_media.begin(), m_media.end(), file) == m_media.end()) m_media.push_back(file);
    }

    // The arguments of "search('fruits', 'matches', 'type', ${x})" in an appearance, split at the
    // commas outside quotes and parentheses; nullopt when it does not read as a call.
    static std::optional<std::vector<std::string>> searchArgs(const std::string& appearance, std::size_t& begin,
                                                              std::size_t& end) {
        begin = lower(appearance).find("search(");
        std::size_t i = begin + 7;
        std::vector<std::string> args;
        std::string cur;
        int depth = 0;
        char quote = 0;
        for (; i < appearance.size(); ++i) {
            const char c = appearance[i];
            if (quote) {
                if (c == quote) quote = 0;
                cur += c;
            } else if (c == '\'' || c == '"') {
                quote = c;
                cur += c;
            } else if (c == '(') {
                ++depth;
                cur += c;
            } else if (c == ')' && depth > 0) {
                --depth;
                cur += c;
            } else if (c == ')') {
                args.emplace_back(trim(cur));
                end = i + 1;
                return args;
            } else if (c == ',' && depth == 0) {
                args.emplace_back(trim(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
        return std::nullopt;
    }

    static std::optional<std::string> quoted(const std::string& s) {
        if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front())
            return s.substr(1, s.size() - 2);
        return std::nullopt;
    }

    // ODK's search() appearance: the choices are the rows of FILE.csv; the list's one row in choices
    // names the CSV columns holding the value (its name) and the label (its label). The optional
    // filter ('matches' | 'contains' | 'startswith' | 'endswith', column, value) becomes a choice_filter.
    // Returns the appearance left once search() is taken out ("" when nothing is left, or on error).
    std::string searchAppearance(Node& node, const std::string& appearance) {
        const Location where = node.props.at("appearance");
        ojson& o = node.obj;
        std::size_t begin = 0, end = 0;
        const auto args = searchArgs(appearance, begin, end);
        const std::string list = o.value("choice_list", "");
        const std::optional<std::string> file = args && !args->empty() ? quoted((*args)[0]) : std::nullopt;
        if (!file || file->empty() || list.empty() || !m_lists.contains(list) || m_lists[list].empty() ||
            !(args->size() == 1 || args->size() == 4 || args->size() == 6)) {
            error(where, "xlsform.search_needs_csv", {appearance});
            return "";
        }
        const ojson& placeholder = m_lists[list][0];
        ojson choiceFile = ojson::object();
        choiceFile["file"] = *file + ".csv";
        choiceFile["value"] = placeholder.value("value", "name");
        std::string label = "label";
        if (placeholder.contains("label") && placeholder["label"].is_object() && !placeholder["label"].empty())
            label = placeholder["label"].begin().value().get<std::string>();
        choiceFile["label"] = label;
        std::string filter;
        if (args->size() >= 4) {
            const auto mode = quoted((*args)[1]);
            const auto column = quoted((*args)[2]);
            static const std::map<std::string, std::string, std::less<>> kModes{
                {"matches", "="}, {"contains", "contains"}, {"startswith", "starts-with"}, {"endswith", "ends-with"}};
            auto it = mode ? kModes.find(lower(*mode)) : kModes.end();
            if (it == kModes.end() || !column || !validName(*column)) {
                error(where, "xlsform.search_needs_csv", {appearance});
                return "";
            }
            auto test = [&](const std::string& col, const std::string& value) {
                return it->second == "=" ? col + " = " + value : it->second + "(" + col + ", " + value + ")";
            };
            filter = test(*column, (*args)[3]);
            if (args->size() == 6) {
                const auto column2 = quoted((*args)[4]);
                if (!column2 || !validName(*column2)) {
                    error(where, "xlsform.search_needs_csv", {appearance});
                    return "";
                }
                filter += " and " + test(*column2, (*args)[5]);
            }
        }
        o.erase("choice_list");
        o["choice_file"] = choiceFile;
        node.props["choice_file"] = where;
        if (!filter.empty()) {
            const std::string existing = o.value("choice_filter", "");
            o["choice_filter"] = existing.empty() ? filter : "(" + existing + ") and " + filter;
            node.props["choice_filter"] = where;
        }
        addMedia(*file + ".csv");
        m_searchLists.insert(list);
        warn(where, "xlsform.search_from_csv", {*file + ".csv", std::string(choiceFile["value"]), label});
        return std::string(trim(appearance.substr(0, begin) + appearance.substr(end)));
    }

    void readRangeParameters(Node& node, int row, std::set<int>& used) {
        for (const auto& [word, key, value] : parameterWords(node, row, used)) {
            if (key != "start" && key != "end" && key != "step") {
                warn(node.props.at("parameters"), "xlsform.bad_parameter", {word});
                continue;
            }
            double d = 0;
            if (!parseDecimal(value, d)) {
                error(node.props.at("parameters"), "xlsform.bad_number", {key, value});
                continue;
            }
            if (std::isfinite(d) && d > -1e15 && d < 1e15 && d == std::floor(d))
                node.obj[key] = static_cast<long long>(d);
            else
                node.obj[key] = d;
            node.props[key] = node.props.at("parameters");
        }
    }

    // Values in known columns that this type does not use are reported, never silently dropped.
    void reportUnused(int row, const std::set<int>& used, const std::string& rawType) {
        for (const auto& c : m_survey.columns) {
            if (!c.known || used.count(c.index)) continue;
            if (m_survey.value(row, &c).empty()) continue;
            warn(at(m_survey, row, &c), "xlsform.value_ignored", {c.header, rawType});
        }
    }

    // ------------------------------------------------------------------ pages

    ojson emit(const Node& n, const std::string& pointer) {
        ojson o = n.obj;
        RowRef ref;
        ref.row = {m_survey.sheet->name, n.row, "", ""};
        ref.props = n.props;
        m_itemRefs[pointer] = ref;
        if (!n.kind.empty()) {
            ojson children = ojson::array();
            for (const auto& c : n.children)
                children.push_back(emit(c, pointer + "/children/" + std::to_string(children.size())));
            o["children"] = std::move(children);
        }
        return o;
    }

    std::string freshPageName() {
        for (int i = 1;; ++i) {
            std::string name = "page_" + std::to_string(i);
            if (!m_names.count(name)) {
                m_names[name] = 0;
                return name;
            }
        }
    }

    // Top-level groups become pages; runs of other top-level items are wrapped in a page of their own,
    // except runs of calculations only, which join a neighbouring page without `relevant` (a page's
    // relevance would otherwise apply to them).
    ojson layoutPages(const Node& root) {
        struct Page {
            const Node* group = nullptr;
            std::vector<const Node*> loose;
        };
        std::vector<Page> pages;
        for (const auto& n : root.children) {
            if (n.kind == "group") {
                pages.push_back({&n, {}});
            } else {
                if (pages.empty() || pages.back().group) pages.push_back({});
                pages.back().loose.push_back(&n);
            }
        }
        // Calculation-only runs move to an adjacent page without `relevant`.
        std::vector<std::vector<const Node*>> front(pages.size()), back(pages.size());
        std::vector<bool> drop(pages.size(), false);
        auto usable = [&](std::size_t j) {
            return j < pages.size() && !drop[j] && (!pages[j].group || !pages[j].group->obj.contains("relevant"));
        };
        for (std::size_t i = 0; i < pages.size(); ++i) {
            if (pages[i].group) continue;
            const bool onlyCalc = std::all_of(pages[i].loose.begin(), pages[i].loose.end(),
                                              [](const Node* n) { return n->obj.value("type", "") == "calculate"; });
            if (!onlyCalc) continue;
            if (i > 0 && usable(i - 1)) {
                back[i - 1].insert(back[i - 1].end(), pages[i].loose.begin(), pages[i].loose.end());
                drop[i] = true;
            } else if (usable(i + 1)) {
                front[i + 1].insert(front[i + 1].end(), pages[i].loose.begin(), pages[i].loose.end());
                drop[i] = true;
            }
        }
        ojson out = ojson::array();
        for (std::size_t i = 0; i < pages.size(); ++i) {
            if (drop[i]) continue;
            const std::string ptr = "/pages/" + std::to_string(out.size());
            ojson page = ojson::object();
            std::vector<const Node*> items;
            if (pages[i].group) {
                const Node& g = *pages[i].group;
                RowRef ref;
                ref.row = {m_survey.sheet->name, g.row, "", ""};
                ref.props = g.props;
                m_itemRefs[ptr] = ref;
                page["type"] = "page";
                page["name"] = g.obj["name"];
                if (g.obj.contains("label")) {
                    page["label"] = g.obj["label"];
                } else {
                    page["label"] = g.obj["name"];
                    warn(g.props.count("label") ? g.props.at("label") : ref.row, "xlsform.page_without_label",
                         {g.obj["name"].get<std::string>()});
                }
                for (const char* key : {"hint", "relevant"})
                    if (g.obj.contains(key)) page[key] = g.obj[key];
                if (g.obj.contains("appearance") && lower(g.obj["appearance"].get<std::string>()) != "field-list")
                    warn(g.props.at("appearance"), "xlsform.page_appearance", {g.obj["appearance"].get<std::string>()});
                for (const auto& c : g.children)
                    items.push_back(&c);
            } else {
                page["type"] = "page";
                page["name"] = freshPageName();
                page["label"] = m_title;
                items = pages[i].loose;
                m_itemRefs[ptr] = RowRef{{m_survey.sheet->name, items.front()->row, "", ""}, {}};
            }
            items.insert(items.begin(), front[i].begin(), front[i].end());
            items.insert(items.end(), back[i].begin(), back[i].end());
            ojson children = ojson::array();
            for (const Node* c : items)
                children.push_back(emit(*c, ptr + "/children/" + std::to_string(children.size())));
            page["children"] = std::move(children);
            out.push_back(std::move(page));
        }
        return out;
    }

    // ------------------------------------------------------------------ loader problems -> cells

    Location locate(const forms::Problem& p) const {
        const std::string& ptr = p.pointer;
        auto settingsCell = [&](std::string_view base) {
            const std::string sheet = m_settings.sheet ? m_settings.sheet->name : "settings";
            const Column* c = m_settings.sheet ? m_settings.plain(base) : nullptr;
            return Location{sheet, m_settingsRow, c ? c->letter : "", std::string(base)};
        };
        if (ptr == "/id") return settingsCell("form_id");
        if (ptr == "/version") return settingsCell("version");
        if (ptr.rfind("/title", 0) == 0) return settingsCell("form_title");
        if (ptr == "/default_language" || ptr.rfind("/languages", 0) == 0) return settingsCell("default_language");
        if (ptr.rfind("/settings", 0) == 0) return settingsCell("instance_name");

        const auto& refs = ptr.rfind("/choice_lists", 0) == 0 ? m_choiceRefs : m_itemRefs;
        // The longest item pointer that is a prefix of the problem's pointer.
        const RowRef* best = nullptr;
        std::size_t bestLen = 0;
        for (const auto& [itemPtr, ref] : refs) {
            if (itemPtr.size() <= bestLen || ptr.compare(0, itemPtr.size(), itemPtr) != 0) continue;
            if (ptr.size() != itemPtr.size() && ptr[itemPtr.size()] != '/') continue;
            best = &ref;
            bestLen = itemPtr.size();
        }
        if (!best) {
            if (ptr.rfind("/choice_lists/", 0) == 0) {
                const std::string list = ptr.substr(14, ptr.find('/', 14) - 14);
                if (auto it = m_listRows.find(list); it != m_listRows.end())
                    return {m_choices.sheet->name, it->second, "", ""};
            }
            return {m_survey.sheet->name, 0, "", ""};
        }
        std::string rest = ptr.substr(bestLen);
        if (!rest.empty()) rest.erase(0, 1);
        if (rest.empty() && p.key == "load.missing" && !p.args.empty()) rest = p.args[0];
        if (!rest.empty()) {
            if (auto it = best->props.find(rest); it != best->props.end()) return it->second;
            const std::string first = rest.substr(0, rest.find('/'));
            if (auto it = best->props.find(first); it != best->props.end()) return it->second;
            Location l = best->row;
            l.header = first;
            return l;
        }
        return best->row;
    }

    ImportResult finish() {
        ImportResult r;
        if (count(Severity::Error) == 0 && !m_json.is_null()) {
            const forms::LoadResult loaded = forms::loadFormJson(nlohmann::json::parse(m_json.dump()));
            for (const auto& p : loaded.problems) {
                Message m;
                m.severity = Severity::Error;
                m.where = locate(p);
                m.key = p.key;
                m.args = p.args;
                m.loaderProblem = p;
                m_messages.push_back(std::move(m));
            }
            if (loaded.ok()) {
                r.form = loaded.form;
                r.json = std::move(m_json);
            }
        }
        // Sheet order (survey, choices, settings, others), then rows; the order of discovery otherwise.
        auto rank = [](const Location& l) {
            const std::string s = lower(l.sheet);
            if (s.empty()) return 0;
            if (s == "survey") return 1;
            if (s == "choices") return 2;
            if (s == "settings") return 3;
            return 4;
        };
        std::stable_sort(m_messages.begin(), m_messages.end(), [&](const Message& a, const Message& b) {
            const int ra = rank(a.where), rb = rank(b.where);
            if (ra != rb) return ra < rb;
            return a.where.row < b.where.row;
        });
        r.messages = std::move(m_messages);
        return r;
    }

    Table m_survey, m_choices, m_settings, m_external;
    std::map<std::string, std::string> m_externalLists; ///< external_choices list -> its name in the form
    std::map<std::string, std::string> m_listNames;     ///< choices list that is no name -> its name in the form
    std::vector<std::string> m_media;    ///< CSV files the form reads (select from file, search, pulldata)
    std::set<std::string> m_searchLists; ///< lists whose only row names the columns of a search() CSV
    int m_settingsRow = 0;
    std::string m_id, m_version, m_title, m_defaultLang;
    std::vector<std::string> m_languages;
    ojson m_formSettings = ojson::object();
    ojson m_lists = ojson::object();
    std::map<std::string, int> m_listRows;
    std::map<std::string, int> m_names;              ///< survey name -> first row
    std::map<std::string, std::string> m_nameScopes; ///< survey name -> name of the enclosing group ("" at the top)
    std::map<std::string, int> m_ambiguous;          ///< names used in two groups -> first row
    std::map<std::string, RowRef> m_itemRefs, m_choiceRefs;
    ojson m_json;
    std::vector<Message> m_messages;
};

} // namespace

std::string Message::text(Lang lang) const {
    if (loaderProblem) {
        const auto& a = loaderProblem->args;
        if (loaderProblem->key == "load.expr" && a.size() >= 4)
            return tr("xlsform.expr", lang, {a[0], tr(a[1], lang, {a[2], a[3]})});
        return loaderProblem->message(lang);
    }
    return trArgs(key, lang, args);
}

std::string Message::format(std::string_view file, Lang lang) const {
    std::string loc;
    if (where.sheet.empty()) {
        loc = "";
    } else if (where.row == 0 && where.column.empty() && where.header.empty()) {
        loc = tr("xlsform.where.sheet", lang, {where.sheet});
    } else if (where.column.empty() && where.header.empty()) {
        loc = tr("xlsform.where.row", lang, {where.sheet, std::to_string(where.row)});
    } else if (where.column.empty()) {
        loc = tr(where.row ? "xlsform.where.no_column" : "xlsform.where.sheet_no_column", lang,
                 {where.sheet, std::to_string(where.row), where.header});
    } else if (where.header.empty()) {
        loc = tr("xlsform.where.cell_only", lang, {where.sheet, std::to_string(where.row), where.column});
    } else {
        loc = tr("xlsform.where.cell", lang, {where.sheet, std::to_string(where.row), where.column, where.header});
    }
    const std::string sev = tr(severity == Severity::Error ? "xlsform.error" : "xlsform.warning", lang);
    if (loc.empty()) return tr("xlsform.report_file", lang, {file, sev, text(lang)});
    return tr("xlsform.report", lang, {file, loc, sev, text(lang)});
}

int ImportResult::count(Severity severity) const {
    return static_cast<int>(std::count_if(messages.begin(), messages.end(),
                                          [severity](const Message& m) { return m.severity == severity; }));
}

ImportResult importWorkbook(const Workbook& workbook, std::string_view fallbackId) {
    return Importer().run(workbook, fallbackId);
}

ImportResult importXlsform(std::string_view bytes, std::string_view fallbackId) {
    Workbook wb;
    XlsxError err;
    if (!readWorkbook(bytes, wb, err)) {
        ImportResult r;
        Message m;
        m.key = err.key;
        m.args = err.args;
        r.messages.push_back(std::move(m));
        return r;
    }
    return importWorkbook(wb, fallbackId);
}

ImportResult importXlsformFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ImportResult r;
        Message m;
        m.key = "xlsform.unreadable";
        m.args = {path.string()};
        r.messages.push_back(std::move(m));
        return r;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    ImportResult r = importXlsform(buf.str(), asName(path.stem().string()));
    // The CSV files the form reads travel beside it: say which ones are not beside the workbook.
    if (r.ok() && r.json.contains("media"))
        for (const auto& file : r.json["media"]) {
            std::error_code ec;
            if (std::filesystem::is_regular_file(path.parent_path() / file.get<std::string>(), ec)) continue;
            Message m;
            m.severity = Severity::Warning;
            m.key = "xlsform.media_not_beside";
            m.args = {file.get<std::string>()};
            r.messages.push_back(std::move(m));
        }
    return r;
}

} // namespace carnet::xlsform
