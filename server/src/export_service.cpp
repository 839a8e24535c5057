#include "server/export_service.hpp"

#include "core/ids.hpp"
#include "forms/loader.hpp"

#include <zip.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <sstream>

namespace carnet::server {

using nlohmann::json;

namespace {

// One cell: numbers are written as numbers in XLSX.
struct Cell {
    std::string text;
    bool number = false;
    bool plain = false; // written by us from numbers (a point): never taken for a formula
};
using Row = std::vector<Cell>;

// The columns of one table: the main table (repeat empty) or one top-level repeat. Columns are
// item names: each record's cells are read with the version of the form it was written with.
struct Table {
    std::string name;               // file name (the main table's is also its sheet's)
    std::string repeat;             // the repeat's name, empty for the main table
    std::string sheet;              // a repeat's sheet: its name, with its version when only older ones have it
    std::vector<std::string> items; // item names, one column each
    std::vector<std::string> header;
};

constexpr std::array<std::string_view, 7> kMainMeta{"record_id",  "form_version", "status",    "author",
                                                    "created_by", "version",      "updated_at"};

bool exported(forms::ItemType t) {
    return forms::isAnswerable(t) || t == forms::ItemType::Calculate || t == forms::ItemType::Repeat;
}

std::string choiceLabel(const forms::Form& form, const forms::Item& item, const std::string& code,
                        std::string_view lang) {
    if (item.choiceList < 0 || static_cast<std::size_t>(item.choiceList) >= form.choiceLists.size()) return code;
    const auto& list = form.choiceLists[static_cast<std::size_t>(item.choiceList)];
    const int at = list.find(code);
    if (at < 0) return code;
    return list.choices[static_cast<std::size_t>(at)].label.get(lang, form.defaultLanguage);
}

Cell cellOf(const forms::Form& form, const forms::Item& item, const json& v, const ExportOptions& o) {
    if (v.is_null()) return {};
    if (item.type == forms::ItemType::Repeat) return {std::to_string(v.is_array() ? v.size() : 0), true};
    if (v.is_number()) return {v.dump(), true};
    if (v.is_boolean()) return {v.get<bool>() ? "1" : "0", true};
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        if (o.labels && item.type == forms::ItemType::SelectOne) return {choiceLabel(form, item, s, o.lang)};
        return {s};
    }
    if (v.is_array() && item.type == forms::ItemType::SelectMultiple) {
        std::string out;
        for (const auto& c : v) {
            if (!c.is_string()) continue;
            if (!out.empty()) out += o.labels ? " ; " : " ";
            out += o.labels ? choiceLabel(form, item, c.get<std::string>(), o.lang) : c.get<std::string>();
        }
        return {out};
    }
    if (v.is_object() && item.type == forms::ItemType::Geopoint && v.contains("lat") && v.contains("lon"))
        return {v["lat"].dump() + " " + v["lon"].dump(), false, true};
    return {v.dump(-1, ' ', false, json::error_handler_t::replace)};
}

// Reads the records of one form page by page.
class Pager {
public:
    Pager(Repository& repo, RecordQuery query)
        : m_repo(repo)
        , m_query(std::move(query)) {}
    // The next page; empty once everything was read.
    Result<std::vector<RecordListRow>> next() {
        if (m_done) return std::vector<RecordListRow>{};
        bool more = false;
        auto page = m_repo.listRecords(m_query, more);
        if (!page.ok()) return page.error();
        if (!page->empty()) m_query.cursor = page->back().record.changeSeq;
        m_done = !more;
        return page;
    }

private:
    Repository& m_repo;
    RecordQuery m_query;
    bool m_done = false;
};

// What every format shares: the form's versions, its tables, the pages of records.
struct Source {
    std::shared_ptr<const forms::Form> form; // the latest version the reader's organisation sees
    std::map<std::string, std::shared_ptr<const forms::Form>, std::less<>> versions;
    std::vector<Table> tables; // [0] is the main table
    ExportOptions options;

    // The version a record was written with (the latest when that version is not visible).
    const forms::Form& formOf(const RecordState& r) const {
        auto it = versions.find(r.formVersion);
        return it == versions.end() ? *form : *it->second;
    }
    static const forms::Item* itemOf(const forms::Form& f, const std::string& name) {
        auto it = f.byName.find(name);
        return it == f.byName.end() ? nullptr : &f.items[static_cast<std::size_t>(it->second)];
    }

    Row mainRow(const RecordListRow& row) const {
        const auto& r = row.record;
        const forms::Form& f = formOf(r);
        Row out{{r.recordId},   {r.formVersion},     {r.status},
                {r.author},     {row.createdByName}, {std::to_string(r.version), true},
                {row.updatedAt}};
        for (const auto& name : tables[0].items) {
            const forms::Item* item = itemOf(f, name);
            auto it = r.answers.find(name);
            out.push_back(!item || it == r.answers.end() ? Cell{} : cellOf(f, *item, *it, options));
        }
        return out;
    }

    // The rows of one repeat table for a record: one per instance.
    std::vector<Row> repeatRows(const Table& t, const RecordListRow& row) const {
        std::vector<Row> out;
        const forms::Form& f = formOf(row.record);
        auto it = row.record.answers.find(t.repeat);
        if (it == row.record.answers.end() || !it->is_array()) return out;
        for (std::size_t n = 0; n < it->size(); ++n) {
            const json& inst = (*it)[n];
            Row r{{row.record.recordId}, {std::to_string(n + 1), true}};
            for (const auto& name : t.items) {
                const forms::Item* item = itemOf(f, name);
                const json* v = inst.is_object() && inst.contains(name) ? &inst[name] : nullptr;
                r.push_back(item && v ? cellOf(f, *item, *v, options) : Cell{});
            }
            out.push_back(std::move(r));
        }
        return out;
    }
};

// Adds the exported items of `slots` to `t` (by name, each once). A question the newest version no
// longer has (renamed or removed) keeps its column, named with the version it comes from
// ("adresse@2026.11.2"), so that nobody reads it as a question of the current form.
void addColumns(Table& t, const forms::Form& form, const std::vector<int>& slots, bool newest) {
    for (int i : slots) {
        const auto& item = form.items[static_cast<std::size_t>(i)];
        if (!exported(item.type) || std::find(t.items.begin(), t.items.end(), item.name) != t.items.end()) continue;
        t.items.push_back(item.name);
        std::string header = item.type == forms::ItemType::Repeat ? item.name + "_count" : item.name;
        t.header.push_back(newest ? header : header + "@" + form.version);
    }
}

// The columns are those of every version of the form the reader's organisation sees: the latest
// version's first, then what only older versions had. A version another organisation published is
// never seen, so it cannot change this export (docs/security.md).
Result<Source> loadSource(Repository& repo, const Scope& scope, std::string_view formId, const ExportOptions& options) {
    auto rows = repo.listFormRows(scope.orgId);
    if (!rows.ok()) return rows.error();
    std::vector<std::shared_ptr<const forms::Form>> newestFirst;
    Source s{{}, {}, {}, options};
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
    Table mainTable{std::string(formId), {}, {}, {}, {}};
    for (auto m : kMainMeta)
        mainTable.header.emplace_back(m);
    for (const auto& form : newestFirst)
        addColumns(mainTable, *form, form->rootSlots, form == s.form);
    s.tables.push_back(std::move(mainTable));
    for (const auto& name : s.tables[0].items) {
        Table t{std::string(formId) + "-" + name, name, name, {}, {"record_id", "instance"}};
        const forms::Form* newest = nullptr; // the newest version with this repeat names its table and columns
        for (const auto& form : newestFirst) {
            const forms::Item* item = Source::itemOf(*form, name);
            if (!item || item->type != forms::ItemType::Repeat) continue;
            if (!newest) {
                newest = form.get();
                // A repeat only older versions have is named with its version, like its count column
                // ("membres@2026.11.2"), so that nobody reads it as a repeat of the current form.
                if (form != s.form) {
                    t.sheet = name + "@" + form->version;
                    t.name = std::string(formId) + "-" + t.sheet;
                }
            }
            auto slots = form->repeatSlots.find(item->index);
            if (slots != form->repeatSlots.end()) addColumns(t, *form, slots->second, form.get() == newest);
        }
        if (newest) s.tables.push_back(std::move(t));
    }
    return s;
}

std::string csvLine(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        out += csvField(fields[i]);
    }
    out += "\r\n";
    return out;
}

std::string csvLine(const Row& row) {
    std::string out;
    for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) out += ',';
        // Numbers stay numbers (a negative one starts with '-'); text is never read as a formula.
        out += csvField(row[i].number || row[i].plain ? row[i].text : csvSafeText(row[i].text));
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
                const Row cells = m_src.mainRow(row);
                for (std::size_t c = kMainMeta.size(); c < cells.size(); ++c)
                    if (!cells[c].text.empty()) props[m_src.tables[0].header[c]] = cells[c].text;
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

// A file built in a temporary folder, streamed in pieces, removed when the export ends.
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
            // Control characters other than tab and line breaks are not allowed in XML 1.0.
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
            if (row[c].number)
                m_out << "<c r=\"" << ref << "\"><v>" << xmlEscape(row[c].text) << "</v></c>";
            else
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
    // libzip copies nothing for a buffer source: the caller keeps `text` alive until zip_close.
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

Result<std::unique_ptr<Export>> buildArchive(Source src, Pager pager, bool xlsx, const std::filesystem::path& dir) {
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
    texts.reserve(4);
    if (xlsx) {
        std::string types =
            R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
            "\n"
            R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
            R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
            R"(<Default Extension="xml" ContentType="application/xml"/>)"
            R"(<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>)";
        std::string sheets, rels;
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
        const std::array<const char*, 4> names{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                               "xl/_rels/workbook.xml.rels"};
        for (std::size_t i = 0; i < names.size(); ++i)
            if (auto r = addBuffer(z, names[i], texts[i]); !r.ok()) return fail(r.error());
        for (std::size_t i = 0; i < files.size(); ++i)
            if (auto r = addFile(z, "xl/worksheets/sheet" + std::to_string(i + 1) + ".xml", files[i]->path()); !r.ok())
                return fail(r.error());
    } else {
        for (std::size_t i = 0; i < files.size(); ++i)
            if (auto r = addFile(z, src.tables[i].name + ".csv", files[i]->path()); !r.ok()) return fail(r.error());
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
                                            const std::filesystem::path& tempDir) {
    auto src = loadSource(repo, scope, formId, options);
    if (!src.ok()) return src.error();
    Pager pager(repo, queryFor(scope, formId, options));
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
        return buildArchive(std::move(*src), std::move(pager), format == ExportFormat::Xlsx, tempDir);
    }
    return makeError(ErrorCode::Invalid, "unknown export format");
}

} // namespace carnet::server
