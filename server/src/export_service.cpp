#include "server/export_service.hpp"

#include "export_values.hpp"

#include "core/i18n.hpp"
#include "core/ids.hpp"
#include "forms/loader.hpp"
#include "server/attachments.hpp"
#include "sync/protocol.hpp"

#include <zip.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace carnet::server {

using nlohmann::json;

namespace {

using exports::Cell;
using exports::CellKind;
using exports::cellOf;
using exports::Column;
using exports::excelSerial;
using exports::Part;
using exports::partOf;
using exports::Row;
using exports::typedOf;

// The columns of one table: the main table (repeat empty) or one top-level
// repeat. Columns are read by item name: each record's cells are read with the
// version of the form it was written with.
struct Table {
    std::string name;                     // file name (the main table's is also its sheet's)
    std::string repeat;                   // the repeat's name, empty for the main table
    std::string sheet;                    // a repeat's sheet: its name, with its version when only
                                          // older ones have it
    std::vector<std::string> items;       // item names, each once
    std::vector<std::string> itemHeaders; // each item's name in headers (code or
                                          // label, with its version)
    std::vector<Column> columns;          // one or more per item
    std::vector<std::string> header;      // the meta columns', then one per column
};

constexpr std::array<std::string_view, 7> kMainMeta{"record_id",  "form_version", "status",    "author",
                                                    "created_by", "version",      "updated_at"};
constexpr std::array<std::string_view, 2> kRepeatMeta{"record_id", "instance"};

Lang langOf(const ExportOptions& o) {
    return parseLang(o.lang).value_or(Lang::Fr);
}

// A meta column's header: its code, or its label in the export's language.
std::string metaHeader(std::string_view code, const ExportOptions& o) {
    if (!o.headerLabels) return std::string(code);
    return tr("server.export." + std::string(code), langOf(o));
}

bool isAttachment(forms::ItemType t) {
    return t == forms::ItemType::Photo || t == forms::ItemType::Signature || t == forms::ItemType::Audio ||
           t == forms::ItemType::Video;
}

bool exported(forms::ItemType t) {
    return forms::isAnswerable(t) || t == forms::ItemType::Calculate || t == forms::ItemType::Repeat;
}

// Whether a record is kept (a filter the repository's query cannot express).
using Keep = std::function<Result<bool>(const RecordState&)>;

// Reads the records of one form page by page.
class Pager {
public:
    Pager(Repository& repo, RecordQuery query, Keep keep = {})
        : m_repo(repo)
        , m_query(std::move(query))
        , m_keep(std::move(keep)) {}
    // The next page; empty once everything was read (a page the filter empties is
    // skipped).
    Result<std::vector<RecordListRow>> next() {
        while (!m_done) {
            bool more = false;
            auto page = m_repo.listRecords(m_query, more);
            if (!page.ok()) return page.error();
            if (!page->empty()) m_query.cursor = page->back().record.changeSeq;
            m_done = !more;
            if (!m_keep) return page;
            std::vector<RecordListRow> kept;
            for (auto& row : *page) {
                auto keep = m_keep(row.record);
                if (!keep.ok()) return keep.error();
                if (*keep) kept.push_back(std::move(row));
            }
            if (!kept.empty()) return kept;
        }
        return std::vector<RecordListRow>{};
    }

private:
    Repository& m_repo;
    RecordQuery m_query;
    Keep m_keep;
    bool m_done = false;
};

// The territory of records, as the dashboard attributes them
// (field/src/indicators.cpp): a record's own `territoire`, else that of the
// record it links to (building_id, dwelling_id, person_id: a person's
// dwelling's building), else its `commune`. Linked records are read once each,
// and only within the reader's organisation.
class Territories {
public:
    Territories(Repository& repo, std::int64_t orgId)
        : m_repo(repo)
        , m_orgId(orgId) {}

    Result<std::string> of(const RecordState& r) {
        auto linked = ownOrLinked(r.answers, 0);
        if (!linked.ok() || !linked->empty()) return linked;
        return text(r.answers, "commune");
    }

private:
    static std::string text(const json& answers, const char* name) {
        auto it = answers.find(name);
        return it != answers.end() && it->is_string() ? it->get<std::string>() : std::string();
    }
    Result<std::string> ownOrLinked(const json& answers, int depth) {
        if (auto own = text(answers, "territoire"); !own.empty()) return own;
        if (depth >= 3) return std::string();
        for (const char* link : {"building_id", "dwelling_id", "person_id"}) {
            const std::string id = text(answers, link);
            if (id.empty() || id.size() > 200) continue;
            auto t = ofRecord(id, depth + 1);
            if (!t.ok() || !t->empty()) return t;
        }
        return std::string();
    }
    Result<std::string> ofRecord(const std::string& id, int depth) {
        if (auto it = m_known.find(id); it != m_known.end()) return it->second;
        auto found = m_repo.findRecord(id);
        if (!found.ok()) return found.error();
        std::string t;
        if (*found && (*found)->orgId == m_orgId) {
            auto linked = ownOrLinked((*found)->answers, depth);
            if (!linked.ok()) return linked.error();
            t = std::move(*linked);
        }
        m_known.emplace(id, t);
        return t;
    }

    Repository& m_repo;
    std::int64_t m_orgId;
    std::map<std::string, std::string, std::less<>> m_known; // record id -> its territory
};

// What every format shares: the form's versions, its tables, the pages of
// records.
struct Source {
    std::shared_ptr<const forms::Form> form; // the latest version the reader's organisation sees
    std::map<std::string, std::shared_ptr<const forms::Form>, std::less<>> versions;
    std::vector<Table> tables; // [0] is the main table
    ExportOptions options;
    std::int64_t orgId = 0; // the reader's organisation (its attachments)

    // The version a record was written with (the latest when that version is not
    // visible).
    const forms::Form& formOf(const RecordState& r) const {
        auto it = versions.find(r.formVersion);
        return it == versions.end() ? *form : *it->second;
    }
    static const forms::Item* itemOf(const forms::Form& f, const std::string& name) {
        auto it = f.byName.find(name);
        return it == f.byName.end() ? nullptr : &f.items[static_cast<std::size_t>(it->second)];
    }

    // The cell of column `c` of table `t` for an answer (null when absent), read
    // with version `f`.
    Cell columnCell(const forms::Form& f, const Table& t, const Column& c, const json* v) const {
        const forms::Item* item = itemOf(f, t.items[c.item]);
        if (!item || !v) return {};
        return c.part == Part::Whole ? cellOf(f, *item, *v, options) : partOf(*v, c);
    }

    Row mainRow(const RecordListRow& row) const {
        const auto& r = row.record;
        const forms::Form& f = formOf(r);
        Row out{{r.recordId},
                {r.formVersion},
                {r.status},
                {r.author},
                {row.createdByName},
                {std::to_string(r.version), CellKind::Number},
                {row.updatedAt, CellKind::DateTime}};
        const Table& t = tables[0];
        for (const auto& c : t.columns) {
            auto it = r.answers.find(t.items[c.item]);
            out.push_back(columnCell(f, t, c, it == r.answers.end() ? nullptr : &*it));
        }
        return out;
    }

    // The record's top-level answers as typed GeoJSON properties, named as the
    // columns' items are.
    void addProperties(const RecordState& r, json& props) const {
        const forms::Form& f = formOf(r);
        const Table& t = tables[0];
        for (std::size_t i = 0; i < t.items.size(); ++i) {
            const forms::Item* item = itemOf(f, t.items[i]);
            auto it = r.answers.find(t.items[i]);
            if (!item || it == r.answers.end() || it->is_null()) continue;
            props[t.itemHeaders[i]] = typedOf(f, *item, *it, options);
        }
    }

    // The attachments the record's answers name (its questions and its repeats'
    // rows), as archive file name ("media/<sha256>.jpg") -> sha256.
    void collectMedia(const RecordState& r, std::map<std::string, std::string>& out) const {
        const forms::Form& f = formOf(r);
        auto add = [&](const std::string& name, const json& v) {
            const forms::Item* item = itemOf(f, name);
            if (!item || !isAttachment(item->type)) return;
            auto sha = sync::attachmentHash(v);
            if (!sha) return;
            // The extension the device gave ("<sha256>.jpg"), when it is a plain one:
            // never a path.
            const std::string ext = v.get<std::string>().substr(64);
            const bool plain = ext.size() >= 2 && ext.size() <= 11 &&
                               std::all_of(ext.begin() + 1, ext.end(),
                                           [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
            out.emplace("media/" + *sha + (plain ? ext : std::string()), *sha);
        };
        for (const auto& name : tables[0].items)
            if (auto it = r.answers.find(name); it != r.answers.end()) add(name, *it);
        for (std::size_t t = 1; t < tables.size(); ++t) {
            auto it = r.answers.find(tables[t].repeat);
            if (it == r.answers.end() || !it->is_array()) continue;
            for (const auto& inst : *it) {
                if (!inst.is_object()) continue;
                for (const auto& name : tables[t].items)
                    if (auto v = inst.find(name); v != inst.end()) add(name, *v);
            }
        }
    }

    // The rows of one repeat table for a record: one per instance.
    std::vector<Row> repeatRows(const Table& t, const RecordListRow& row) const {
        std::vector<Row> out;
        const forms::Form& f = formOf(row.record);
        auto it = row.record.answers.find(t.repeat);
        if (it == row.record.answers.end() || !it->is_array()) return out;
        for (std::size_t n = 0; n < it->size(); ++n) {
            const json& inst = (*it)[n];
            Row r{{row.record.recordId}, {std::to_string(n + 1), CellKind::Number}};
            for (const auto& c : t.columns) {
                const std::string& name = t.items[c.item];
                const json* v = inst.is_object() && inst.contains(name) ? &inst[name] : nullptr;
                r.push_back(columnCell(f, t, c, v));
            }
            out.push_back(std::move(r));
        }
        return out;
    }
};

// A label as a column name: its interpolated parts ("n° ${rang_membre}") are
// answers, not the question's, so they read "…".
std::string headerLabel(std::string label) {
    for (auto at = label.find("${"); at != std::string::npos; at = label.find("${", at)) {
        const auto end = label.find('}', at);
        if (end == std::string::npos) break;
        label.replace(at, end - at + 1, "…");
    }
    return label;
}

// Adds the exported items of `slots` to `t` (by name, each once). A question
// the newest version no longer has (renamed or removed) keeps its column, named
// with the version it comes from
// ("adresse@2026.11.2"), so that nobody reads it as a question of the current
// form. Columns are named by the question's name or by its label
// (docs/console.md, "Exports"); a split geopoint or select_multiple adds its
// parts' names to it.
void addColumns(Table& t, const forms::Form& form, const std::vector<int>& slots, bool newest, const ExportOptions& o) {
    const Lang lang = langOf(o);
    const std::string version = newest ? std::string() : "@" + form.version;
    for (int i : slots) {
        const auto& item = form.items[static_cast<std::size_t>(i)];
        if (!exported(item.type) || std::find(t.items.begin(), t.items.end(), item.name) != t.items.end()) continue;
        const std::size_t at = t.items.size();
        t.items.push_back(item.name);
        std::string base = item.name;
        if (o.headerLabels) {
            const std::string& label = item.label.get(o.lang, form.defaultLanguage);
            if (!label.empty()) base = headerLabel(label);
        }
        auto add = [&](Part part, std::string choice, const std::string& header) {
            t.columns.push_back({at, part, std::move(choice)});
            t.header.push_back(header + version);
        };
        if (item.type == forms::ItemType::Repeat) {
            const std::string header =
                o.headerLabels ? base + " (" + tr("server.export.count", lang) + ")" : item.name + "_count";
            t.itemHeaders.push_back(header + version);
            add(Part::Whole, {}, header);
            continue;
        }
        t.itemHeaders.push_back(base + version);
        if (o.splitGeopoint && item.type == forms::ItemType::Geopoint) {
            constexpr std::array<std::pair<Part, std::string_view>, 4> kParts{{{Part::Latitude, "latitude"},
                                                                               {Part::Longitude, "longitude"},
                                                                               {Part::Altitude, "altitude"},
                                                                               {Part::Accuracy, "accuracy"}}};
            for (const auto& [part, code] : kParts)
                add(part, {},
                    o.headerLabels ? base + " – " + tr("server.export." + std::string(code), lang)
                                   : item.name + "_" + std::string(code));
            continue;
        }
        add(Part::Whole, {}, base);
        if (o.splitMultiple && item.type == forms::ItemType::SelectMultiple && item.choiceList >= 0 &&
            static_cast<std::size_t>(item.choiceList) < form.choiceLists.size())
            for (const auto& c : form.choiceLists[static_cast<std::size_t>(item.choiceList)].choices)
                add(Part::Choice, c.value,
                    o.headerLabels ? base + " : " + headerLabel(c.label.get(o.lang, form.defaultLanguage))
                                   : item.name + "/" + c.value);
    }
}

// The columns are those of every version of the form the reader's organisation
// sees: the latest version's first, then what only older versions had. A
// version another organisation published is never seen, so it cannot change
// this export (docs/security.md).
Result<Source> loadSource(Repository& repo, const Scope& scope, std::string_view formId, const ExportOptions& options) {
    auto rows = repo.listFormRows(scope.orgId);
    if (!rows.ok()) return rows.error();
    std::vector<std::shared_ptr<const forms::Form>> newestFirst;
    Source s{{}, {}, {}, options, scope.orgId};
    for (auto f = rows->rbegin(); f != rows->rend(); ++f) {
        if (f->formId != formId) continue;
        auto stored = repo.findForm(scope.orgId, f->formId, f->version);
        if (!stored.ok()) return stored.error();
        if (!*stored) continue;
        auto loaded = forms::loadForm((*stored)->body);
        if (!loaded.ok())
            return makeError(ErrorCode::Internal, "form " + f->formId + " " + f->version + " no longer loads");
        s.versions.emplace(f->version, loaded.form);
        newestFirst.push_back(loaded.form);
    }
    if (newestFirst.empty())
        return makeError(ErrorCode::NotFound, "no form '" + std::string(formId) + "' is published");
    s.form = newestFirst.front();
    Table mainTable{std::string(formId), {}, {}, {}, {}, {}, {}};
    for (auto m : kMainMeta)
        mainTable.header.push_back(metaHeader(m, options));
    for (const auto& form : newestFirst)
        addColumns(mainTable, *form, form->rootSlots, form == s.form, options);
    s.tables.push_back(std::move(mainTable));
    for (const auto& name : s.tables[0].items) {
        Table t{std::string(formId) + "-" + name, name, name, {}, {}, {}, {}};
        for (auto m : kRepeatMeta)
            t.header.push_back(metaHeader(m, options));
        const forms::Form* newest = nullptr; // the newest version with this repeat
                                             // names its table and columns
        for (const auto& form : newestFirst) {
            const forms::Item* item = Source::itemOf(*form, name);
            if (!item || item->type != forms::ItemType::Repeat) continue;
            if (!newest) {
                newest = form.get();
                // A repeat only older versions have is named with its version, like its
                // count column
                // ("membres@2026.11.2"), so that nobody reads it as a repeat of the
                // current form.
                if (form != s.form) {
                    t.sheet = name + "@" + form->version;
                    t.name = std::string(formId) + "-" + t.sheet;
                }
            }
            auto slots = form->repeatSlots.find(item->index);
            if (slots != form->repeatSlots.end()) addColumns(t, *form, slots->second, form.get() == newest, options);
        }
        if (newest) s.tables.push_back(std::move(t));
    }
    return s;
}

std::string csvLine(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        out += csvField(csvSafeText(fields[i])); // a header may be a question's label, typed by anyone
    }
    out += "\r\n";
    return out;
}

std::string csvLine(const Row& row) {
    std::string out;
    for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) out += ',';
        // Numbers stay numbers (a negative one starts with '-'); text is never read
        // as a formula.
        const bool numbers = row[i].kind == CellKind::Number || row[i].kind == CellKind::Plain;
        out += csvField(numbers ? row[i].text : csvSafeText(row[i].text));
    }
    out += "\r\n";
    return out;
}

RecordQuery queryFor(const Scope& scope, std::string_view formId, const ExportOptions& o) {
    RecordQuery q;
    q.scope = scope;
    q.formId = std::string(formId);
    q.limit = o.pageSize;
    q.withConflicts = false;
    q.status = o.status;
    q.fromDate = o.fromDate;
    q.toDate = o.toDate;
    q.onInterviewDate = true;
    q.author = o.author;
    q.formVersion = o.formVersion;
    return q;
}

// The main CSV, one page of records per piece.
class CsvExport final : public Export {
public:
    CsvExport(Source source, Pager pager)
        : m_src(std::move(source))
        , m_pager(std::move(pager)) {}
    Result<bool> next(std::string& out) override {
        if (!m_headerDone) {
            out += "\xEF\xBB\xBF"; // a BOM, so that spreadsheets read UTF-8
            out += csvLine(m_src.tables[0].header);
            m_headerDone = true;
            return true;
        }
        auto page = m_pager.next();
        if (!page.ok()) return page.error();
        if (page->empty()) return false;
        for (const auto& r : *page)
            out += csvLine(m_src.mainRow(r));
        return true;
    }

private:
    Source m_src;
    Pager m_pager;
    bool m_headerDone = false;
};

// lat/lon of a geopoint answer ("lat lon [alt [acc]]" or an object).
bool latLon(const json& v, double& lat, double& lon) {
    try {
        if (v.is_object() && v.contains("lat") && v.contains("lon") && v["lat"].is_number() && v["lon"].is_number()) {
            lat = v["lat"].get<double>();
            lon = v["lon"].get<double>();
            return true;
        }
        if (v.is_string()) {
            std::istringstream in(v.get<std::string>());
            if (in >> lat >> lon) return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
        }
    } catch (const std::exception&) {
    }
    return false;
}

class GeoJsonExport final : public Export {
public:
    GeoJsonExport(Source source, Pager pager, std::vector<std::string> points)
        : m_src(std::move(source))
        , m_pager(std::move(pager))
        , m_points(std::move(points)) {}
    Result<bool> next(std::string& out) override {
        if (m_finished) return false;
        if (!m_started) {
            out += R"({"type":"FeatureCollection","features":[)";
            m_started = true;
            return true;
        }
        auto page = m_pager.next();
        if (!page.ok()) return page.error();
        if (page->empty()) {
            out += "]}\n";
            m_finished = true;
            return true;
        }
        for (const auto& row : *page) {
            const auto& r = row.record;
            for (const auto& point : m_points) {
                auto it = r.answers.find(point);
                double lat = 0, lon = 0;
                if (it == r.answers.end() || !latLon(*it, lat, lon)) continue;
                json props{{"record_id", r.recordId},    {"field", point},     {"form_version", r.formVersion},
                           {"status", r.status},         {"author", r.author}, {"version", r.version},
                           {"updated_at", row.updatedAt}};
                m_src.addProperties(r, props);
                json f{{"type", "Feature"},
                       {"geometry", {{"type", "Point"}, {"coordinates", {lon, lat}}}},
                       {"properties", props}};
                if (m_any) out += ',';
                out += f.dump(-1, ' ', false, json::error_handler_t::replace);
                m_any = true;
            }
        }
        return true;
    }

private:
    Source m_src;
    Pager m_pager;
    std::vector<std::string> m_points;
    bool m_started = false, m_finished = false, m_any = false;
};

// A file built in a temporary folder, streamed in pieces, removed when the
// export ends.
class FileExport final : public Export {
public:
    explicit FileExport(std::filesystem::path file)
        : m_file(std::move(file))
        , m_in(m_file, std::ios::binary) {}
    ~FileExport() override {
        m_in.close();
        std::error_code ec;
        std::filesystem::remove(m_file, ec);
    }
    FileExport(const FileExport&) = delete;
    FileExport& operator=(const FileExport&) = delete;
    Result<bool> next(std::string& out) override {
        if (!m_in) return false;
        char buf[64 * 1024];
        m_in.read(buf, sizeof buf);
        const auto n = m_in.gcount();
        if (n <= 0) return false;
        out.append(buf, static_cast<std::size_t>(n));
        return true;
    }

private:
    std::filesystem::path m_file;
    std::ifstream m_in;
};

std::string xmlEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            // Control characters other than tab and line breaks are not allowed in
            // XML 1.0.
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
            out += c;
        }
    }
    return out;
}

std::string columnName(std::size_t index) {
    std::string out;
    ++index;
    while (index > 0) {
        const std::size_t rem = (index - 1) % 26;
        out.insert(out.begin(), static_cast<char>('A' + rem));
        index = (index - 1) / 26;
    }
    return out;
}

// The cell formats of the workbook's styles part (xl/styles.xml), by index: 0
// general, then dates, date-times and times in ISO order, which every
// spreadsheet reads and sorts alike.
constexpr int kDateStyle = 1, kDateTimeStyle = 2, kTimeStyle = 3;
constexpr std::string_view kStyles =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    "\n"
    R"(<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
    R"(<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>)"
    R"(<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="166" formatCode="hh:mm:ss"/></numFmts>)"
    R"(<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>)"
    R"(<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>)"
    R"(<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>)"
    R"(<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>)"
    R"(<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>)"
    R"(<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>)"
    R"(<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>)"
    R"(<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>)"
    R"(</styleSheet>)";

// Writes one table (CSV or worksheet XML) to a file as rows arrive.
class TableFile {
public:
    TableFile(std::filesystem::path path, bool xlsx)
        : m_path(std::move(path))
        , m_out(m_path, std::ios::binary)
        , m_xlsx(xlsx) {
        if (m_xlsx)
            m_out << R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                     "\n"
                     R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
        else
            m_out << "\xEF\xBB\xBF";
    }
    void header(const std::vector<std::string>& names) {
        Row r;
        for (const auto& n : names)
            r.push_back({n});
        add(r);
    }
    void add(const Row& row) {
        if (!m_xlsx) {
            m_out << csvLine(row);
            return;
        }
        ++m_rows;
        m_out << "<row r=\"" << m_rows << "\">";
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (row[c].text.empty()) continue;
            const std::string ref = columnName(c) + std::to_string(m_rows);
            if (row[c].kind == CellKind::Number) {
                m_out << "<c r=\"" << ref << "\"><v>" << xmlEscape(row[c].text) << "</v></c>";
            } else if (auto serial = excelSerial(row[c])) {
                const int style = row[c].kind == CellKind::Date       ? kDateStyle
                                  : row[c].kind == CellKind::DateTime ? kDateTimeStyle
                                                                      : kTimeStyle;
                m_out << "<c r=\"" << ref << "\" s=\"" << style << "\"><v>" << json(*serial).dump() << "</v></c>";
            } else
                m_out << "<c r=\"" << ref << "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                      << xmlEscape(row[c].text) << "</t></is></c>";
        }
        m_out << "</row>";
    }
    Result<void> close() {
        if (m_xlsx) m_out << "</sheetData></worksheet>";
        m_out.close();
        if (!m_out) return makeError(ErrorCode::Io, m_path.string() + ": cannot write the export");
        return {};
    }
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
    std::ofstream m_out;
    bool m_xlsx;
    std::size_t m_rows = 0;
};

// Removes temporary files on every way out.
struct TempFiles {
    std::vector<std::filesystem::path> paths;
    ~TempFiles() {
        std::error_code ec;
        for (const auto& p : paths)
            std::filesystem::remove(p, ec);
    }
};

Result<void> addBuffer(zip_t* z, const std::string& name, const std::string& text) {
    // libzip copies nothing for a buffer source: the caller keeps `text` alive
    // until zip_close.
    zip_source_t* src = zip_source_buffer(z, text.data(), text.size(), 0);
    if (!src || zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
        if (src) zip_source_free(src);
        return makeError(ErrorCode::Io, "cannot add " + name + " to the archive: " + zip_strerror(z));
    }
    return {};
}

Result<void> addFile(zip_t* z, const std::string& name, const std::filesystem::path& file) {
    zip_source_t* src = zip_source_file(z, file.c_str(), 0, -1);
    if (!src || zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
        if (src) zip_source_free(src);
        return makeError(ErrorCode::Io, "cannot add " + name + " to the archive: " + zip_strerror(z));
    }
    return {};
}

std::string sheetName(std::string name) {
    // Sheet names: at most 31 characters, none of []:*?/\ .
    for (char& c : name)
        if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = '_';
    if (name.size() > 31) name.resize(31);
    return name;
}

// Adds an attachment's file. Photos, recordings and videos are compressed
// already: stored as they are, which spares the server's CPU and costs no
// space.
Result<void> addMedia(zip_t* z, const std::string& name, const std::filesystem::path& file) {
    zip_source_t* src = zip_source_file(z, file.c_str(), 0, -1);
    const zip_int64_t at = src ? zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) : -1;
    if (at < 0) {
        if (src) zip_source_free(src);
        return makeError(ErrorCode::Io, "cannot add " + name + " to the archive: " + zip_strerror(z));
    }
    const auto dot = name.rfind('.');
    std::string ext = dot == std::string::npos ? std::string() : name.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const std::set<std::string, std::less<>> kPacked{"jpg", "jpeg", "png", "gif",  "webp", "mp4",  "webm",
                                                            "3gp", "mov",  "mkv", "ogg",  "oga",  "opus", "m4a",
                                                            "mp3", "aac",  "amr", "heic", "heif"};
    if (kPacked.count(ext) != 0 && zip_set_file_compression(z, static_cast<zip_uint64_t>(at), ZIP_CM_STORE, 0) != 0)
        return makeError(ErrorCode::Io, "cannot store " + name + " in the archive: " + zip_strerror(z));
    return {};
}

Result<std::unique_ptr<Export>> buildArchive(Source src, Pager pager, bool xlsx, const std::filesystem::path& dir,
                                             AttachmentStore* attachments) {
    // The attachments the exported records name (a zip's media/ folder): archive
    // name -> sha256.
    std::map<std::string, std::string> media;
    const bool withMedia = !xlsx && src.options.media && attachments != nullptr;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return makeError(ErrorCode::Io, dir.string() + ": cannot create: " + ec.message());
    const std::string stem = "carnet-export-" + newUuid();
    TempFiles temps;
    std::vector<std::unique_ptr<TableFile>> files;
    for (std::size_t i = 0; i < src.tables.size(); ++i) {
        auto path = dir / (stem + "-" + std::to_string(i) + (xlsx ? ".xml" : ".csv"));
        temps.paths.push_back(path);
        files.push_back(std::make_unique<TableFile>(path, xlsx));
        files.back()->header(src.tables[i].header);
    }
    while (true) {
        auto page = pager.next();
        if (!page.ok()) return page.error();
        if (page->empty()) break;
        for (const auto& r : *page) {
            files[0]->add(src.mainRow(r));
            if (withMedia) src.collectMedia(r.record, media);
            for (std::size_t t = 1; t < src.tables.size(); ++t)
                for (const auto& row : src.repeatRows(src.tables[t], r))
                    files[t]->add(row);
        }
    }
    for (auto& f : files)
        if (auto r = f->close(); !r.ok()) return r.error();

    const auto archive = dir / (stem + (xlsx ? ".xlsx" : ".zip"));
    int err = 0;
    zip_t* z = zip_open(archive.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z) return makeError(ErrorCode::Io, archive.string() + ": cannot create the archive");
    auto fail = [&](const Error& e) -> Result<std::unique_ptr<Export>> {
        zip_discard(z);
        return e;
    };
    // Buffers handed to libzip must live until zip_close.
    std::vector<std::string> texts;
    texts.reserve(5);
    if (xlsx) {
        std::string types =
            R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
            "\n"
            R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
            R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
            R"(<Default Extension="xml" ContentType="application/xml"/>)"
            R"(<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>)"
            R"(<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>)";
        // The date formats (xl/styles.xml) are the workbook's styles part, beside
        // its sheets.
        std::string sheets,
            rels =
                R"(<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>)";
        for (std::size_t i = 0; i < src.tables.size(); ++i) {
            const std::string n = std::to_string(i + 1);
            types +=
                R"(<Override PartName="/xl/worksheets/sheet)" + n +
                R"(.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>)";
            sheets += "<sheet name=\"" + xmlEscape(sheetName(i == 0 ? src.tables[i].name : src.tables[i].sheet)) +
                      "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
            rels +=
                R"(<Relationship Id="rId)" + n +
                R"(" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet)" +
                n + R"(.xml"/>)";
        }
        types += "</Types>";
        texts.push_back(std::move(types));
        texts.push_back(
            R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
            "\n"
            R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
            R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>)"
            R"(</Relationships>)");
        texts.push_back(R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                        "\n"
                        R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
                        R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>)" +
                        sheets + "</sheets></workbook>");
        texts.push_back(R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
                        "\n"
                        R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)" +
                        rels + "</Relationships>");
        texts.emplace_back(kStyles);
        const std::array<const char*, 5> names{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                               "xl/_rels/workbook.xml.rels", "xl/styles.xml"};
        for (std::size_t i = 0; i < names.size(); ++i)
            if (auto r = addBuffer(z, names[i], texts[i]); !r.ok()) return fail(r.error());
        for (std::size_t i = 0; i < files.size(); ++i)
            if (auto r = addFile(z, "xl/worksheets/sheet" + std::to_string(i + 1) + ".xml", files[i]->path()); !r.ok())
                return fail(r.error());
    } else {
        for (std::size_t i = 0; i < files.size(); ++i)
            if (auto r = addFile(z, src.tables[i].name + ".csv", files[i]->path()); !r.ok()) return fail(r.error());
        // A file the server has not received (yet) is left out; its name stays in
        // its cell.
        for (const auto& [name, sha] : media) {
            auto file = attachments->completeFile(src.orgId, sha);
            if (!file.ok()) return fail(file.error());
            if (!*file) continue;
            if (auto r = addMedia(z, name, **file); !r.ok()) return fail(r.error());
        }
    }
    if (zip_close(z) != 0) {
        const std::string why = zip_strerror(z);
        zip_discard(z);
        std::filesystem::remove(archive, ec);
        return makeError(ErrorCode::Io, archive.string() + ": cannot write the archive: " + why);
    }
    return std::unique_ptr<Export>(std::make_unique<FileExport>(archive));
}

} // namespace

std::optional<ExportFormat> parseExportFormat(std::string_view ext) {
    if (ext == "csv") return ExportFormat::Csv;
    if (ext == "zip") return ExportFormat::Zip;
    if (ext == "xlsx") return ExportFormat::Xlsx;
    if (ext == "geojson") return ExportFormat::GeoJson;
    return std::nullopt;
}

std::string_view exportContentType(ExportFormat format) {
    switch (format) {
    case ExportFormat::Csv:
        return "text/csv; charset=utf-8";
    case ExportFormat::Zip:
        return "application/zip";
    case ExportFormat::Xlsx:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case ExportFormat::GeoJson:
        return "application/geo+json";
    }
    return "application/octet-stream";
}

std::string csvSafeText(std::string_view text) {
    if (text.empty() || std::string_view("=+-@\t\r").find(text.front()) == std::string_view::npos)
        return std::string(text);
    return "'" + std::string(text);
}

std::string csvField(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

Result<std::unique_ptr<Export>> startExport(Repository& repo, const Scope& scope, std::string_view formId,
                                            ExportFormat format, const ExportOptions& options,
                                            const std::filesystem::path& tempDir, AttachmentStore* attachments) {
    auto src = loadSource(repo, scope, formId, options);
    if (!src.ok()) return src.error();
    Keep keep;
    if (!options.territory.empty()) {
        auto territories = std::make_shared<Territories>(repo, scope.orgId);
        keep = [territories, wanted = options.territory](const RecordState& r) -> Result<bool> {
            auto t = territories->of(r);
            if (!t.ok()) return t.error();
            return *t == wanted;
        };
    }
    Pager pager(repo, queryFor(scope, formId, options), std::move(keep));
    switch (format) {
    case ExportFormat::Csv:
        return std::unique_ptr<Export>(std::make_unique<CsvExport>(std::move(*src), std::move(pager)));
    case ExportFormat::GeoJson: {
        std::vector<std::string> points;
        for (int i : src->form->rootSlots)
            if (src->form->items[static_cast<std::size_t>(i)].type == forms::ItemType::Geopoint)
                points.push_back(src->form->items[static_cast<std::size_t>(i)].name);
        if (points.empty())
            return makeError(ErrorCode::Invalid,
                             "form " + std::string(formId) + " has no geopoint question at its top level to map");
        return std::unique_ptr<Export>(
            std::make_unique<GeoJsonExport>(std::move(*src), std::move(pager), std::move(points)));
    }
    case ExportFormat::Zip:
    case ExportFormat::Xlsx:
        return buildArchive(std::move(*src), std::move(pager), format == ExportFormat::Xlsx, tempDir, attachments);
    }
    return makeError(ErrorCode::Invalid, "unknown export format");
}

} // namespace carnet::server
