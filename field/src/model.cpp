#include "field/model.hpp"

#include <cstdio>

namespace carnet::field {

std::string RecordView::text(std::string_view field) const {
    auto it = answers.find(field);
    if (it == answers.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

double RecordView::number(std::string_view field, double fallback) const {
    auto it = answers.find(field);
    if (it == answers.end() || !it->is_number()) return fallback;
    return it->get<double>();
}

RecordIndex::RecordIndex(const std::vector<RecordView>& views)
    : m_views(&views) {
    m_byId.reserve(views.size());
    for (const auto& v : views) {
        m_byId.emplace(v.id, &v); // the first one wins, as a scan in input order would find it
        m_byForm[v.formId].push_back(&v);
    }
}

const RecordView* RecordIndex::find(std::string_view id) const {
    const auto it = m_byId.find(id);
    return it == m_byId.end() ? nullptr : it->second;
}

std::vector<const RecordView*> RecordIndex::ofForm(std::string_view formId) const {
    const auto it = m_byForm.find(formId);
    return it == m_byForm.end() ? std::vector<const RecordView*>{} : it->second;
}

std::vector<const RecordView*> RecordIndex::linked(std::string_view formId, std::string_view linkField,
                                                   std::string_view id) const {
    if (id.empty()) return {};
    std::string key;
    key.reserve(formId.size() + linkField.size() + 1);
    key.append(formId).append(1, '\n').append(linkField);
    auto links = m_links.find(key);
    if (links == m_links.end()) {
        links = m_links.emplace(key, std::unordered_map<std::string, std::vector<const RecordView*>>{}).first;
        for (const RecordView* v : ofForm(formId)) {
            std::string value = v->text(linkField);
            if (!value.empty()) links->second[std::move(value)].push_back(v);
        }
    }
    const auto it = links->second.find(std::string(id));
    return it == links->second.end() ? std::vector<const RecordView*>{} : it->second;
}

namespace {

// Howard Hinnant's civil-date algorithms.
long long daysFromCivil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

void civilFromDays(long long z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(static_cast<long long>(yoe) + era * 400 + (m <= 2));
}

bool parseDate(std::string_view s, long long& days) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    int v[3] = {0, 0, 0};
    const std::size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
    for (int k = 0; k < 3; ++k) {
        for (std::size_t i = 0; i < lens[k]; ++i) {
            const char c = s[starts[k] + i];
            if (c < '0' || c > '9') return false;
            v[k] = v[k] * 10 + (c - '0');
        }
    }
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (v[0] < 1 || v[1] < 1 || v[1] > 12 || v[2] < 1) return false;
    const bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
    if (v[2] > ((v[1] == 2 && leap) ? 29 : kDays[v[1] - 1])) return false;
    days = daysFromCivil(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2]));
    return true;
}

std::string formatDate(long long days) {
    int y = 0;
    unsigned m = 0, d = 0;
    civilFromDays(days, y, m, d);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
}

} // namespace

std::string datePart(std::string_view iso) {
    if (iso.size() < 10) return {};
    long long days = 0;
    if (!parseDate(iso.substr(0, 10), days)) return {};
    if (iso.size() > 10 && iso[10] != 'T' && iso[10] != ' ') return {};
    return std::string(iso.substr(0, 10));
}

std::optional<std::string> addDays(std::string_view date, int days) {
    long long d = 0;
    if (!parseDate(date, d)) return std::nullopt;
    return formatDate(d + days);
}

std::string isoWeek(std::string_view date) {
    long long d = 0;
    if (!parseDate(date, d)) return {};
    // 1970-01-01 was a Thursday; ISO weekday 1 = Monday.
    const long long weekday = ((d % 7) + 7 + 3) % 7 + 1;
    const long long thursday = d + 4 - weekday; // the Thursday of this ISO week decides the year
    int y = 0;
    unsigned m = 0, day = 0;
    civilFromDays(thursday, y, m, day);
    const long long jan1 = daysFromCivil(y, 1, 1);
    const long long week = (thursday - jan1) / 7 + 1;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-W%02d", y, static_cast<int>(week));
    return buf;
}

std::string activityDate(const RecordView& r) {
    static constexpr std::string_view kDateFields[] = {"heure_passage", "visite_le",    "date_enquete",
                                                       "date_seance",   "recueilli_le", "appel_le"};
    for (auto f : kDateFields) { // read in place: the figures call this for every record
        const auto it = r.answers.find(f);
        if (it == r.answers.end() || !it->is_string()) continue;
        auto d = datePart(it->get_ref<const std::string&>());
        if (!d.empty()) return d;
    }
    return datePart(r.createdAt);
}

} // namespace carnet::field
