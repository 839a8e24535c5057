#include "xlsform/xlsx.hpp"

#include <pugixml.hpp>
#include <zip.h>

#include <algorithm>
#include <memory>

namespace carnet::xlsform {

namespace {

constexpr int kMaxColumn = 16384; // XFD, the last column Excel allows
constexpr int kMaxRow = 1048576;

bool equalsNoCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

// Element names without their namespace prefix: some writers spell <x:row>, most <row>.
std::string_view localName(const pugi::xml_node& node) {
    std::string_view name = node.name();
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element && localName(c) == name) return c;
    return {};
}

// Attribute by local name ("r:id" and "id" differ only by prefix; callers name the one they mean).
std::string_view attr(const pugi::xml_node& node, std::string_view name) {
    for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute())
        if (std::string_view(a.name()) == name) return a.value();
    return {};
}

std::string_view attrLocal(const pugi::xml_node& node, std::string_view name) {
    for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
        std::string_view n = a.name();
        const auto colon = n.find(':');
        if (colon != std::string_view::npos && n.substr(colon + 1) == name && n.substr(0, colon) != "xmlns")
            return a.value();
    }
    return {};
}

// The text of a <t>, or of all the <t> of the runs (<r>) of a rich text; phonetic runs (<rPh>) are
// reading aids for Japanese, not part of the text.
std::string richText(const pugi::xml_node& node) {
    std::string out;
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        if (localName(c) == "t") {
            out += c.text().get();
        } else if (localName(c) == "r") {
            if (auto t = child(c, "t")) out += t.text().get();
        }
    }
    return out;
}

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};

class Archive {
public:
    bool open(std::string_view bytes, XlsxError& error) {
        zip_error_t ze;
        zip_error_init(&ze);
        zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
        if (!src) {
            error = {"xlsform.not_zip", {zip_error_strerror(&ze)}};
            zip_error_fini(&ze);
            return false;
        }
        zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &ze);
        if (!z) {
            error = {"xlsform.not_zip", {zip_error_strerror(&ze)}};
            zip_source_free(src);
            zip_error_fini(&ze);
            return false;
        }
        zip_error_fini(&ze);
        m_zip.reset(z);
        return true;
    }

    bool has(const std::string& name) const { return zip_name_locate(m_zip.get(), name.c_str(), 0) >= 0; }

    // Reads a part in full; false with `error` set when it is missing, too large or corrupt.
    bool read(const std::string& name, std::string& out, XlsxError& error) const {
        const zip_int64_t index = zip_name_locate(m_zip.get(), name.c_str(), 0);
        if (index < 0) {
            error = {"xlsform.missing_part", {name}};
            return false;
        }
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(m_zip.get(), static_cast<zip_uint64_t>(index), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
            error = {"xlsform.bad_part", {name, zip_strerror(m_zip.get())}};
            return false;
        }
        if (st.size > kMaxPartBytes) {
            error = {"xlsform.part_too_large", {name, std::to_string(kMaxPartBytes)}};
            return false;
        }
        zip_file_t* f = zip_fopen_index(m_zip.get(), static_cast<zip_uint64_t>(index), 0);
        if (!f) {
            error = {"xlsform.bad_part", {name, zip_strerror(m_zip.get())}};
            return false;
        }
        out.assign(static_cast<std::size_t>(st.size), '\0');
        std::size_t got = 0;
        bool ok = true;
        while (got < out.size()) {
            const zip_int64_t n = zip_fread(f, out.data() + got, out.size() - got);
            if (n < 0) {
                error = {"xlsform.bad_part", {name, zip_file_strerror(f)}};
                ok = false;
                break;
            }
            if (n == 0) break;
            got += static_cast<std::size_t>(n);
        }
        zip_fclose(f);
        if (ok && got != out.size()) {
            error = {"xlsform.bad_part", {name, "truncated"}};
            ok = false;
        }
        return ok;
    }

private:
    std::unique_ptr<zip_t, ZipCloser> m_zip;
};

bool parseXml(const std::string& name, const std::string& text, pugi::xml_document& doc, XlsxError& error) {
    const pugi::xml_parse_result r = doc.load_buffer(text.data(), text.size(), pugi::parse_default);
    if (!r) {
        error = {"xlsform.bad_xml", {name, std::string(r.description()) + " @" + std::to_string(r.offset)}};
        return false;
    }
    return true;
}

// "worksheets/sheet1.xml" relative to xl/, or "/xl/worksheets/sheet1.xml" absolute; "../" resolved.
std::string resolveTarget(std::string_view target) {
    std::string path;
    if (!target.empty() && target[0] == '/') {
        path = std::string(target.substr(1));
    } else {
        path = "xl/" + std::string(target);
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto slash = std::min(path.find('/', start), path.size());
        const std::string part = path.substr(start, slash - start);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        start = slash + 1;
    }
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : "/") + p;
    return out;
}

bool readSheet(const Archive& zip, const std::string& part, const std::vector<std::string>& shared, Sheet& sheet,
               XlsxError& error) {
    std::string text;
    if (!zip.read(part, text, error)) return false;
    pugi::xml_document doc;
    if (!parseXml(part, text, doc, error)) return false;
    const pugi::xml_node data = child(child(doc, "worksheet"), "sheetData");
    int rowNumber = 0;
    for (pugi::xml_node row = data.first_child(); row; row = row.next_sibling()) {
        if (row.type() != pugi::node_element || localName(row) != "row") continue;
        // "r" is optional: without it a row follows the previous one.
        if (const std::string_view r = attr(row, "r"); !r.empty()) {
            int n = 0;
            for (char c : r) {
                if (c < '0' || c > '9' || n > kMaxRow) {
                    n = -1;
                    break;
                }
                n = n * 10 + (c - '0');
            }
            if (n < 1 || n > kMaxRow) {
                error = {"xlsform.bad_cell_ref", {part, std::string(r)}};
                return false;
            }
            rowNumber = n;
        } else {
            ++rowNumber;
        }
        if (rowNumber > kMaxRow) {
            error = {"xlsform.bad_cell_ref", {part, std::to_string(rowNumber)}};
            return false;
        }
        int columnNumber = 0;
        for (pugi::xml_node c = row.first_child(); c; c = c.next_sibling()) {
            if (c.type() != pugi::node_element || localName(c) != "c") continue;
            if (const std::string_view r = attr(c, "r"); !r.empty()) {
                const auto ref = parseCellRef(r);
                if (!ref || ref->row != rowNumber) {
                    error = {"xlsform.bad_cell_ref", {part, std::string(r)}};
                    return false;
                }
                columnNumber = ref->column;
            } else {
                ++columnNumber;
            }
            if (columnNumber > kMaxColumn) {
                error = {"xlsform.bad_cell_ref", {part, columnLetters(columnNumber) + std::to_string(rowNumber)}};
                return false;
            }
            const std::string_view type = attr(c, "t");
            std::string value;
            if (type == "inlineStr") {
                value = richText(child(c, "is"));
            } else {
                const std::string v = child(c, "v").text().get();
                if (type == "s" && v.empty()) {
                    // a styled empty cell
                } else if (type == "s") {
                    std::size_t index = 0;
                    bool ok = !v.empty() && v.size() < 10;
                    for (char ch : v) {
                        if (ch < '0' || ch > '9')
                            ok = false;
                        else
                            index = index * 10 + static_cast<std::size_t>(ch - '0');
                    }
                    if (!ok || index >= shared.size()) {
                        error = {"xlsform.bad_shared_string",
                                 {part, columnLetters(columnNumber) + std::to_string(rowNumber), v}};
                        return false;
                    }
                    value = shared[index];
                } else if (type == "b") {
                    value = v == "1" ? "TRUE" : v == "0" ? "FALSE" : v;
                } else {
                    // n (number), str (formula result), e (error such as #N/A), d (ISO date): as written.
                    value = v;
                }
            }
            if (!value.empty()) sheet.rows[rowNumber][columnNumber] = std::move(value);
        }
    }
    return true;
}

} // namespace

std::optional<CellRef> parseCellRef(std::string_view ref) {
    std::size_t i = 0;
    long column = 0;
    while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') {
        column = column * 26 + (ref[i] - 'A' + 1);
        if (column > kMaxColumn) return std::nullopt;
        ++i;
    }
    if (i == 0 || i == ref.size() || i > 3) return std::nullopt;
    long row = 0;
    for (; i < ref.size(); ++i) {
        if (ref[i] < '0' || ref[i] > '9') return std::nullopt;
        row = row * 10 + (ref[i] - '0');
        if (row > kMaxRow) return std::nullopt;
    }
    if (row < 1) return std::nullopt;
    return CellRef{static_cast<int>(column), static_cast<int>(row)};
}

std::string columnLetters(int column) {
    std::string out;
    while (column > 0) {
        const int rem = (column - 1) % 26;
        out.insert(out.begin(), static_cast<char>('A' + rem));
        column = (column - 1) / 26;
    }
    return out;
}

const std::string& Sheet::cell(int row, int column) const {
    static const std::string kEmpty;
    const auto r = rows.find(row);
    if (r == rows.end()) return kEmpty;
    const auto c = r->second.find(column);
    return c == r->second.end() ? kEmpty : c->second;
}

const Sheet* Workbook::find(std::string_view name) const {
    for (const auto& s : sheets)
        if (equalsNoCase(s.name, name)) return &s;
    return nullptr;
}

bool readWorkbook(std::string_view bytes, Workbook& out, XlsxError& error) {
    out = {};
    Archive zip;
    if (!zip.open(bytes, error)) return false;

    std::string text;
    pugi::xml_document workbook, rels;
    if (!zip.read("xl/workbook.xml", text, error) || !parseXml("xl/workbook.xml", text, workbook, error)) return false;
    if (!zip.read("xl/_rels/workbook.xml.rels", text, error) ||
        !parseXml("xl/_rels/workbook.xml.rels", text, rels, error))
        return false;

    std::map<std::string, std::string, std::less<>> targets; // relationship id -> part
    for (pugi::xml_node r = child(rels, "Relationships").first_child(); r; r = r.next_sibling())
        if (r.type() == pugi::node_element && localName(r) == "Relationship")
            targets[std::string(attr(r, "Id"))] = resolveTarget(attr(r, "Target"));

    std::vector<std::string> shared;
    if (zip.has("xl/sharedStrings.xml")) {
        pugi::xml_document sst;
        if (!zip.read("xl/sharedStrings.xml", text, error) || !parseXml("xl/sharedStrings.xml", text, sst, error))
            return false;
        for (pugi::xml_node si = child(sst, "sst").first_child(); si; si = si.next_sibling())
            if (si.type() == pugi::node_element && localName(si) == "si") shared.push_back(richText(si));
    }

    for (pugi::xml_node s = child(child(workbook, "workbook"), "sheets").first_child(); s; s = s.next_sibling()) {
        if (s.type() != pugi::node_element || localName(s) != "sheet") continue;
        Sheet sheet;
        sheet.name = attr(s, "name");
        const std::string_view rid = attrLocal(s, "id");
        const auto target = targets.find(rid);
        if (target == targets.end()) {
            error = {"xlsform.missing_part", {"xl/_rels/workbook.xml.rels#" + std::string(rid)}};
            return false;
        }
        if (!readSheet(zip, target->second, shared, sheet, error)) return false;
        out.sheets.push_back(std::move(sheet));
    }
    return true;
}

} // namespace carnet::xlsform
