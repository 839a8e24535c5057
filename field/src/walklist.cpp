#include "field/walklist.hpp"

#include "core/strings.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace carnet::field {

using nlohmann::json;

namespace {

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// One CSV row with the line it starts on. Quoted fields may hold the separator, "" and newlines.
struct Row {
    int line = 0;
    std::vector<std::string> cells;
};

// Splits the whole text into rows; an unterminated quote is reported on the line it opened.
std::vector<Row> splitCsv(std::string_view text, char sep, std::vector<CsvError>& errors, Lang lang) {
    std::vector<Row> rows;
    Row row;
    std::string cell;
    int line = 1;
    row.line = 1;
    bool quoted = false, wasQuoted = false, any = false;
    int quoteLine = 0;
    auto endCell = [&] {
        row.cells.push_back(wasQuoted ? cell : trim(cell));
        cell.clear();
        wasQuoted = false;
    };
    auto endRow = [&] {
        endCell();
        const bool blank = std::all_of(row.cells.begin(), row.cells.end(), [](const auto& c) { return c.empty(); });
        if (!blank) rows.push_back(std::move(row));
        row = Row{};
        any = false;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    cell += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                cell += c;
            }
            continue;
        }
        if (c == '"' && trim(cell).empty()) {
            quoted = wasQuoted = true;
            quoteLine = line;
            cell.clear();
        } else if (c == sep) {
            endCell();
        } else if (c == '\n') {
            endRow();
            ++line;
            row.line = line;
        } else if (c != '\r') {
            cell += c;
            any = true;
        }
    }
    if (quoted) {
        errors.push_back({quoteLine, tr("field.csv.unclosed_quote", lang)});
        return rows;
    }
    if (any || !row.cells.empty() || !cell.empty()) endRow();
    return rows;
}

constexpr std::string_view kColumns[] = {"liste",  "territoire", "commune",  "code_postal", "rue",
                                         "numero", "batiment",   "logement", "etage"};
constexpr std::string_view kRequired[] = {"commune", "rue", "numero", "logement"};

} // namespace

WalkListParse parseWalkListCsv(std::string_view csv, std::string_view name, const std::function<std::string()>& newId,
                               Lang lang) {
    WalkListParse out;
    auto& errors = out.errors;
    if (csv.size() >= 3 && csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);
    // Records hold JSON text: bytes that are not UTF-8 are refused here, at their line, not when stored.
    if (invalidUtf8At(name) != std::string_view::npos) errors.push_back({0, tr("field.csv.bad_name", lang)});
    if (const auto at = invalidUtf8At(csv); at != std::string_view::npos)
        errors.push_back(
            {static_cast<int>(std::count(csv.begin(), csv.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1,
             tr("field.csv.bad_utf8", lang)});
    if (!errors.empty()) return out;
    // The separator is the one the header line uses.
    const std::string_view header = csv.substr(0, csv.find('\n'));
    const char sep =
        std::count(header.begin(), header.end(), ';') >= std::count(header.begin(), header.end(), ',') ? ';' : ',';
    std::vector<Row> rows = splitCsv(csv, sep, errors, lang);
    if (!errors.empty()) return out;
    if (rows.empty()) {
        errors.push_back({1, tr("field.csv.empty", lang)});
        return out;
    }
    // Header.
    std::map<std::string, std::size_t, std::less<>> col;
    for (std::size_t i = 0; i < rows[0].cells.size(); ++i) {
        const std::string h = lower(trim(rows[0].cells[i]));
        if (std::find(std::begin(kColumns), std::end(kColumns), h) == std::end(kColumns)) {
            errors.push_back({rows[0].line, tr("field.csv.unknown_column", lang, {h, std::string(kWalkListColumns)})});
        } else if (col.contains(h)) {
            errors.push_back({rows[0].line, tr("field.csv.duplicate_column", lang, {h})});
        } else {
            col[h] = i;
        }
    }
    for (auto r : kRequired)
        if (!col.contains(r)) errors.push_back({rows[0].line, tr("field.csv.missing_column", lang, {r})});
    if (!errors.empty()) return out;
    if (rows.size() == 1) {
        errors.push_back({rows[0].line, tr("field.csv.no_rows", lang)});
        return out;
    }

    std::string listName(trim(name));
    std::string territory;
    WalkListImport imp;
    imp.walkList.id = newId();
    imp.walkList.formId = std::string(formid::kWalkList);
    std::map<std::string, std::size_t> buildingByKey;           // address key -> index in imp.buildings
    std::set<std::pair<std::size_t, std::string>> dwellingKeys; // (building, logement) seen
    std::map<std::pair<std::size_t, std::string>, int> firstLine;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const Row& row = rows[r];
        auto cell = [&](std::string_view c) -> std::string {
            auto it = col.find(c);
            if (it == col.end() || it->second >= row.cells.size()) return {};
            return trim(row.cells[it->second]);
        };
        if (row.cells.size() > rows[0].cells.size()) {
            errors.push_back({row.line, tr("field.csv.too_many_cells", lang,
                                           {std::to_string(row.cells.size()), std::to_string(rows[0].cells.size())})});
            continue;
        }
        bool bad = false;
        for (auto req : kRequired) {
            if (cell(req).empty()) {
                errors.push_back({row.line, tr("field.csv.empty_cell", lang, {req})});
                bad = true;
            }
        }
        const std::string cp = cell("code_postal");
        if (!cp.empty() &&
            (cp.size() != 5 || !std::all_of(cp.begin(), cp.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
            errors.push_back({row.line, tr("field.csv.bad_postcode", lang, {cp})});
            bad = true;
        }
        const std::string rowList = cell("liste");
        if (listName.empty()) listName = rowList;
        if (territory.empty()) territory = cell("territoire");
        if (bad) continue;
        const std::string key = lower(cell("numero")) + "\x1f" + lower(cell("rue")) + "\x1f" + lower(cell("commune")) +
                                "\x1f" + lower(cell("code_postal")) + "\x1f" + lower(cell("batiment"));
        auto [it, inserted] = buildingByKey.emplace(key, imp.buildings.size());
        if (inserted) {
            NewRecord b;
            b.id = newId();
            b.formId = std::string(formid::kBuilding);
            b.answers = {{fields::kWalkListId, imp.walkList.id},
                         {fields::kNumber, cell("numero")},
                         {fields::kStreet, cell("rue")},
                         {fields::kCommune, cell("commune")},
                         {fields::kOrder, static_cast<int>(imp.buildings.size()) + 1}};
            if (!cp.empty()) b.answers[fields::kPostcode] = cp;
            if (!cell("territoire").empty()) b.answers[fields::kTerritory] = cell("territoire");
            if (!cell("batiment").empty()) b.answers[fields::kBuildingLabel] = cell("batiment");
            imp.buildings.push_back(std::move(b));
        }
        const std::string door = cell("logement");
        const auto dkey = std::make_pair(it->second, lower(door));
        if (!dwellingKeys.insert(dkey).second) {
            errors.push_back(
                {row.line, tr("field.csv.duplicate_dwelling", lang, {door, std::to_string(firstLine[dkey])})});
            continue;
        }
        firstLine[dkey] = row.line;
        NewRecord d;
        d.id = newId();
        d.formId = std::string(formid::kDwelling);
        d.answers = {{fields::kWalkListId, imp.walkList.id},
                     {fields::kBuildingId, imp.buildings[it->second].id},
                     {fields::kDwellingLabel, door},
                     {fields::kVisitCount, 0},
                     {fields::kOrder, static_cast<int>(imp.dwellings.size()) + 1}};
        if (!cell("etage").empty()) d.answers[fields::kFloor] = cell("etage");
        imp.dwellings.push_back(std::move(d));
    }
    if (listName.empty()) errors.push_back({rows[0].line, tr("field.csv.no_name", lang)});
    if (!errors.empty()) return out;
    imp.walkList.answers = {{fields::kName, listName}, {"nb_logements", static_cast<int>(imp.dwellings.size())}};
    if (!territory.empty()) imp.walkList.answers[fields::kTerritory] = territory;
    out.import = std::move(imp);
    return out;
}

std::string_view outcomeValue(DoorOutcome o) {
    switch (o) {
    case DoorOutcome::Absent:
        return "absent";
    case DoorOutcome::Refused:
        return "refus";
    case DoorOutcome::ComeBack:
        return "repasser";
    case DoorOutcome::Interview:
        return "entretien";
    case DoorOutcome::DoNotContact:
        return "ne_pas_contacter";
    }
    return "absent";
}

std::optional<DoorOutcome> parseOutcome(std::string_view v) {
    if (v == "absent" || v == "nobody_home") return DoorOutcome::Absent;
    if (v == "refus" || v == "refused") return DoorOutcome::Refused;
    if (v == "repasser" || v == "come_back") return DoorOutcome::ComeBack;
    if (v == "entretien" || v == "interview") return DoorOutcome::Interview;
    if (v == "ne_pas_contacter" || v == "do_not_contact") return DoorOutcome::DoNotContact;
    return std::nullopt;
}

bool isFinal(DoorOutcome o) {
    return o == DoorOutcome::Interview || o == DoorOutcome::Refused || o == DoorOutcome::DoNotContact;
}

DoorVisitPlan planDoorVisit(const RecordView& dwelling, DoorOutcome outcome, std::string_view at,
                            std::string_view ambassador, std::string visitId) {
    DoorVisitPlan p;
    p.visit.id = std::move(visitId);
    p.visit.formId = std::string(formid::kDoorVisit);
    p.visit.answers = {{fields::kDwellingId, dwelling.id},
                       {fields::kOutcome, outcomeValue(outcome)},
                       {fields::kVisitedAt, at},
                       {fields::kAmbassador, ambassador}};
    if (auto b = dwelling.text(fields::kBuildingId); !b.empty()) p.visit.answers[fields::kBuildingId] = b;
    if (auto w = dwelling.text(fields::kWalkListId); !w.empty()) p.visit.answers[fields::kWalkListId] = w;
    const int count = static_cast<int>(dwelling.number(fields::kVisitCount, 0)) + 1;
    p.dwellingChanges = {
        {fields::kLastOutcome, outcomeValue(outcome)}, {fields::kVisitCount, count}, {fields::kLastVisitAt, at}};
    return p;
}

namespace {
int order(const RecordView* r) {
    return static_cast<int>(r->number(fields::kOrder, 0));
}
} // namespace

std::vector<const RecordView*> remainingDwellings(const RecordIndex& records, std::string_view buildingId) {
    std::vector<const RecordView*> out;
    for (const RecordView* d : records.linked(formid::kDwelling, fields::kBuildingId, buildingId)) {
        const auto o = parseOutcome(d->text(fields::kLastOutcome));
        if (!o || *o == DoorOutcome::Absent) out.push_back(d);
    }
    std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return order(a) < order(b); });
    return out;
}

json WalkListProgress::toJson() const {
    return {{"id", walkListId},
            {"name", name},
            {"assigned_to", assignedTo.empty() ? json(nullptr) : json(assignedTo)},
            {"buildings", buildings},
            {"dwellings", dwellings},
            {"visited", visited},
            {"done", done},
            {"interviews", interviews},
            {"absent", absent},
            {"refused", refused},
            {"come_back", comeBack},
            {"do_not_contact", doNotContact}};
}

std::vector<WalkListProgress> walkListProgress(const RecordIndex& records) {
    std::vector<WalkListProgress> out;
    for (const RecordView* w : records.ofForm(formid::kWalkList)) {
        WalkListProgress p;
        p.walkListId = w->id;
        p.name = w->text(fields::kName);
        p.assignedTo = w->text(fields::kAmbassador);
        if (p.assignedTo.empty()) p.assignedTo = w->assignedTo;
        p.buildings = static_cast<int>(records.linked(formid::kBuilding, fields::kWalkListId, w->id).size());
        for (const RecordView* d : records.linked(formid::kDwelling, fields::kWalkListId, w->id)) {
            ++p.dwellings;
            auto o = parseOutcome(d->text(fields::kLastOutcome));
            if (!o) continue;
            ++p.visited;
            if (isFinal(*o)) ++p.done;
            switch (*o) {
            case DoorOutcome::Absent:
                ++p.absent;
                break;
            case DoorOutcome::Refused:
                ++p.refused;
                break;
            case DoorOutcome::ComeBack:
                ++p.comeBack;
                break;
            case DoorOutcome::Interview:
                ++p.interviews;
                break;
            case DoorOutcome::DoNotContact:
                ++p.doNotContact;
                break;
            }
        }
        out.push_back(std::move(p));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(a.name, a.walkListId) < std::tie(b.name, b.walkListId);
    });
    return out;
}

} // namespace carnet::field
