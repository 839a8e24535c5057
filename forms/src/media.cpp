#include "forms/media.hpp"

#include "core/strings.hpp"
#include "forms/bundle.hpp"
#include "forms/loader.hpp"

#include <cctype>
#include <cmath>
#include <set>

namespace carnet::forms {

namespace {

bool readsChoiceColumn(const Expr& e) {
    bool found = false;
    forEachNode(e, [&](const Expr& n) {
        if (n.kind == Expr::Kind::ChoiceColumn) found = true;
    });
    return found;
}

// In a choice_filter, an equality COLUMN = EXPR (either way round) that must hold: the root, or a
// conjunct of `and`s. Sets the column and the EXPR side.
bool requiredEquality(const Expr& e, std::string& column, const Expr*& value) {
    if (e.kind == Expr::Kind::Binary && e.op == Op::And && e.args.size() == 2)
        return requiredEquality(*e.args[0], column, value) || requiredEquality(*e.args[1], column, value);
    if (e.kind != Expr::Kind::Binary || e.op != Op::Eq || e.args.size() != 2) return false;
    for (int side = 0; side < 2; ++side) {
        const Expr& col = *e.args[static_cast<std::size_t>(side)];
        const Expr& other = *e.args[static_cast<std::size_t>(1 - side)];
        if (col.kind == Expr::Kind::ChoiceColumn && !readsChoiceColumn(other)) {
            column = col.name;
            value = &other;
            return true;
        }
    }
    return false;
}

Error mediaError(std::string message) {
    return Error{ErrorCode::Invalid, std::move(message), false};
}

} // namespace

std::string mediaType(std::string_view file) {
    const auto dot = file.rfind('.');
    std::string ext = dot == std::string_view::npos ? std::string() : std::string(file.substr(dot + 1));
    for (auto& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == "csv") return "csv";
    static const std::set<std::string, std::less<>> kImage{"png", "jpg", "jpeg", "gif", "webp", "svg", "bmp"};
    static const std::set<std::string, std::less<>> kAudio{"mp3", "m4a", "ogg", "oga", "opus", "wav", "amr", "aac"};
    static const std::set<std::string, std::less<>> kVideo{"mp4", "3gp", "webm", "mov", "mkv"};
    if (kImage.count(ext)) return "image";
    if (kAudio.count(ext)) return "audio";
    if (kVideo.count(ext)) return "video";
    return "file";
}

bool validMediaName(std::string_view file) {
    if (file.empty() || file.size() > 255 || file[0] == '.') return false;
    for (const char c : file)
        if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
}

bool isSha256Hex(std::string_view s) {
    if (s.size() != 64) return false;
    for (const char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

Result<MediaTable> parseCsv(std::string_view text, Lang lang) {
    if (text.size() > kMaxMediaBytes)
        return mediaError(tr("forms.csv_too_large", lang, {std::to_string(kMaxMediaBytes >> 20)}));
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    MediaTable table;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false; // inside a quoted field
    bool fieldStarted = false;
    int line = 1, rowLine = 1;
    auto endRow = [&] {
        row.push_back(std::move(field));
        field.clear();
        fieldStarted = false;
        const bool blank = row.size() == 1 && row[0].empty();
        if (!blank) {
            if (table.header.empty()) {
                table.header = std::move(row);
            } else {
                row.resize(table.header.size());
                table.rows.push_back(std::move(row));
            }
        }
        row.clear();
        rowLine = line;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == '"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
            fieldStarted = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            ++line;
            endRow();
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted) return mediaError(tr("forms.csv_unclosed_quote", lang, {std::to_string(rowLine)}));
    if (!field.empty() || !row.empty()) endRow();
    if (table.header.empty()) return mediaError(tr("forms.csv_no_header", lang));
    for (auto& h : table.header)
        h = std::string(trim(h));
    return table;
}

Result<std::shared_ptr<const Form>>
attachMedia(const Form& form, const std::map<std::string, std::string, std::less<>>& files, Lang lang) {
    // A Form is not copyable (its expressions own their trees): load the same document again. The
    // loader creates the form non-const and this function holds the only reference to it.
    LoadResult copy = loadForm(form.canonicalJson);
    if (!copy.ok()) return mediaError(copy.problems.front().message(lang));
    auto out = std::const_pointer_cast<Form>(copy.form);
    for (const auto& file : form.media) {
        auto it = files.find(file);
        if (it == files.end()) continue;
        if (mediaType(file) != "csv") { // carried with the form (images, audio), not read by the engine
            out->mediaPresent.insert(file);
            continue;
        }
        auto table = parseCsv(it->second, lang);
        if (!table.ok()) return mediaError(file + ": " + table.error().message);
        out->mediaTables[file] = std::make_shared<const MediaTable>(std::move(*table));
    }
    for (auto& item : out->items) {
        if (item.choiceFile.empty() || item.choiceList < 0) continue;
        const MediaTable* table = out->mediaTable(item.choiceFile);
        if (!table) continue;
        const int valueCol = table->column(item.choiceFileValue);
        if (valueCol < 0)
            return mediaError(tr("forms.csv_missing_column", lang, {item.choiceFile, item.choiceFileValue, item.name}));
        const int labelCol = table->column(item.choiceFileLabel);
        // "label::English (en)" columns: the label in that language (ODK's translated CSV labels).
        std::vector<std::pair<std::string, int>> langCols;
        const std::string langPrefix = item.choiceFileLabel + "::";
        for (std::size_t c = 0; c < table->header.size(); ++c) {
            const std::string& h = table->header[c];
            if (h.rfind(langPrefix, 0) != 0) continue;
            std::string code = h.substr(langPrefix.size());
            const auto open = code.rfind('('), close = code.rfind(')');
            if (open != std::string::npos && close != std::string::npos && close > open + 1)
                code = code.substr(open + 1, close - open - 1);
            langCols.emplace_back(code, static_cast<int>(c));
        }
        if (labelCol < 0 && langCols.empty())
            return mediaError(tr("forms.csv_missing_column", lang, {item.choiceFile, item.choiceFileLabel, item.name}));
        ChoiceList& list = out->choiceLists[static_cast<std::size_t>(item.choiceList)];
        list.choices.clear();
        list.choices.reserve(table->rows.size());
        for (const auto& row : table->rows) {
            Choice choice;
            choice.value = std::string(trim(row[static_cast<std::size_t>(valueCol)]));
            if (choice.value.empty()) continue;
            if (labelCol >= 0) choice.label.byLang[form.defaultLanguage] = row[static_cast<std::size_t>(labelCol)];
            for (const auto& [code, c] : langCols)
                if (!row[static_cast<std::size_t>(c)].empty())
                    choice.label.byLang[code] = row[static_cast<std::size_t>(c)];
            if (choice.label.empty()) choice.label.byLang[form.defaultLanguage] = choice.value;
            for (std::size_t c = 0; c < table->header.size(); ++c)
                choice.columns[table->header[c]] = row[c];
            list.choices.push_back(std::move(choice));
        }
        std::string column;
        const Expr* value = nullptr;
        if (item.choiceFilter && requiredEquality(*item.choiceFilter->root, column, value)) {
            auto index = std::make_shared<ChoiceIndex>();
            index->value = value;
            for (std::size_t i = 0; i < list.choices.size(); ++i) {
                const Choice& c = list.choices[i];
                auto col = c.columns.find(column);
                const std::string text =
                    column == "name" || column == "value" ? c.value : (col == c.columns.end() ? "" : col->second);
                index->byText[text].push_back(static_cast<int>(i));
                const double d = Value::string(text).toNumber();
                if (!std::isnan(d)) index->byNumber[d].push_back(static_cast<int>(i));
            }
            item.choiceIndex = std::move(index);
        }
    }
    return std::shared_ptr<const Form>(std::move(out));
}

Result<std::shared_ptr<const Form>> attachMediaFromDir(const Form& form, const std::filesystem::path& dir, Lang lang) {
    auto files = readMediaDir(form, dir, lang);
    if (!files.ok()) return files.error();
    return attachMedia(form, *files, lang);
}

} // namespace carnet::forms
