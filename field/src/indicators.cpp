#include "field/indicators.hpp"

#include "field/calls.hpp"

#include <map>

namespace carnet::field {

using nlohmann::json;

std::string_view groupByName(GroupBy by) {
    switch (by) {
    case GroupBy::Ambassador:
        return "ambassador";
    case GroupBy::Territory:
        return "territory";
    case GroupBy::Organisation:
        return "organisation";
    case GroupBy::Funder:
        return "funder";
    case GroupBy::Week:
        return "week";
    }
    return "ambassador";
}

std::optional<GroupBy> parseGroupBy(std::string_view name) {
    for (auto by : {GroupBy::Ambassador, GroupBy::Territory, GroupBy::Organisation, GroupBy::Funder, GroupBy::Week})
        if (groupByName(by) == name) return by;
    return std::nullopt;
}

json IndicatorValues::toJson() const {
    return {{"interviews", interviews},
            {"volunteers", volunteers},
            {"consents", consents},
            {"calls", calls},
            {"calls_answered", callsAnswered},
            {"pickup_rate", pickupRate},
            {"pairs", pairs},
            {"km_avoided", kmAvoided},
            {"co2_kg", co2Kg},
            {"sessions", sessions.toJson()}};
}

json Indicators::toJson() const {
    json groupsJson = json::array();
    for (const auto& g : groups) {
        json j = {{"key", g.key}};
        j.update(g.values.toJson());
        groupsJson.push_back(std::move(j));
    }
    return {
        {"by", groupByName(by)}, {"groups", groupsJson}, {"totals", totals.toJson()}, {"targets", targets.toJson()}};
}

namespace {

// A text answer read in place ("" when absent or not a string): the figures read a few answers of
// every record, and copying each showed in the profile at 100,000 records.
std::string_view textOf(const RecordView& r, std::string_view field) {
    const auto it = r.answers.find(field);
    if (it == r.answers.end() || !it->is_string()) return {};
    return it->get_ref<const std::string&>();
}

// Where a fact belongs, along every axis.
struct Facet {
    std::string ambassador, territory, organisation, funder, date;
};

class Grouper {
public:
    Grouper(const RecordIndex& records, const Campaign& campaign, GroupBy by, std::string_view only)
        : m_records(records)
        , m_campaign(campaign)
        , m_by(by)
        , m_only(only) {}

    // False for a fact of another ambassador when the figures are one ambassador's own.
    [[nodiscard]] bool counts(const Facet& f) const { return m_only.empty() || f.ambassador == m_only; }

    // The territory of a person or dwelling record id (dwelling → building → territoire).
    [[nodiscard]] std::string territoryOfDwelling(std::string_view dwellingId) const {
        const RecordView* d = m_records.find(dwellingId);
        if (d == nullptr) return {};
        const RecordView* b = m_records.find(textOf(*d, fields::kBuildingId));
        return b == nullptr ? std::string() : std::string(textOf(*b, fields::kTerritory));
    }
    [[nodiscard]] std::string territoryOfPerson(std::string_view personId) const {
        const RecordView* p = m_records.find(personId);
        return p == nullptr ? std::string() : territoryOfDwelling(textOf(*p, fields::kDwellingId));
    }

    IndicatorValues& at(const Facet& f) {
        std::string key;
        switch (m_by) {
        case GroupBy::Ambassador:
            key = f.ambassador;
            break;
        case GroupBy::Territory:
            key = f.territory;
            break;
        case GroupBy::Organisation:
            key = f.organisation;
            break;
        case GroupBy::Funder:
            key = f.funder.empty() ? m_campaign.funder : f.funder;
            break;
        case GroupBy::Week:
            key = isoWeek(f.date);
            break;
        }
        return m_groups[key];
    }

    std::map<std::string, IndicatorValues>& groups() { return m_groups; }

private:
    const RecordIndex& m_records;
    const Campaign& m_campaign;
    GroupBy m_by;
    std::string_view m_only;
    std::map<std::string, IndicatorValues> m_groups;
};

void finish(IndicatorValues& v) {
    v.pickupRate = v.calls > 0 ? static_cast<double>(v.callsAnswered) / v.calls : 0.0;
}

} // namespace

Indicators computeIndicators(const RecordIndex& records, const Campaign& campaign, GroupBy by,
                             std::string_view onlyAmbassador) {
    Grouper g(records, campaign, by, onlyAmbassador);
    Indicators out;
    out.by = by;
    out.targets = campaign.targets;
    auto& t = out.totals;

    for (const RecordView& r : records.all()) {
        if (r.formId == formid::kDoorToDoor && r.status == "finalized" && textOf(r, "issue_visite") == "entretien") {
            std::string territory = g.territoryOfDwelling(textOf(r, fields::kDwellingId));
            if (territory.empty()) territory = textOf(r, "commune");
            const Facet f{r.author, territory, r.org, campaign.funder, activityDate(r)};
            if (!g.counts(f)) continue;
            auto& v = g.at(f);
            const bool volunteer = textOf(r, "accord_suivi") == "oui";
            ++v.interviews;
            ++t.interviews;
            if (volunteer) {
                ++v.volunteers;
                ++t.volunteers;
            }
        } else if (r.formId == formid::kConsent && textOf(r, fields::kPurpose) == kPurposePhone &&
                   textOf(r, fields::kGranted) == "oui") {
            std::string who = r.text(fields::kCollectedBy);
            if (who.empty()) who = r.author;
            const Facet f{who, g.territoryOfPerson(textOf(r, fields::kPersonId)), r.org, campaign.funder,
                          activityDate(r)};
            if (!g.counts(f)) continue;
            auto& v = g.at(f);
            ++v.consents;
            ++t.consents;
        } else if (r.formId == formid::kCallTask) {
            auto attempts = r.answers.find(fields::kAttempts);
            if (attempts == r.answers.end() || !attempts->is_array()) continue;
            const std::string territory = g.territoryOfPerson(textOf(r, fields::kPersonId));
            for (const auto& a : *attempts) {
                std::string who = a.value(std::string(fields::kAttemptCaller), "");
                if (who.empty()) who = r.text(fields::kCaller);
                const Facet f{who, territory, r.org, campaign.funder,
                              datePart(a.value(std::string(fields::kAttemptAt), ""))};
                if (!g.counts(f)) continue;
                auto& v = g.at(f);
                const bool answered =
                    a.value(std::string(fields::kAttemptOutcome), "") == callOutcomeValue(CallOutcome::Answered);
                ++v.calls;
                ++t.calls;
                if (answered) {
                    ++v.callsAnswered;
                    ++t.callsAnswered;
                }
            }
        } else if (r.formId == formid::kAdviceDesk && r.status == "finalized") {
            const std::string kind = r.text("type_seance");
            const Facet f{r.author, r.text("territoire"), r.org, r.text("financeur"), activityDate(r)};
            if (!g.counts(f)) continue;
            auto& v = g.at(f);
            auto bump = [&](int SessionCounts::*slot) {
                ++(v.sessions.*slot);
                ++(t.sessions.*slot);
            };
            if (kind == kSessionPhysical) bump(&SessionCounts::physical);
            if (kind == kSessionPhone) bump(&SessionCounts::phone);
            if (kind == kSessionWorkshop) bump(&SessionCounts::workshop);
            if (kind == kSessionAwareness) bump(&SessionCounts::awareness);
        }
    }
    for (const auto& pair : matchBeforeAfter(records, campaign)) {
        const RecordView* after = records.find(pair.afterId);
        const Facet f{after->author, g.territoryOfPerson(pair.personId), after->org, campaign.funder,
                      activityDate(*after)};
        if (!g.counts(f)) continue;
        auto& v = g.at(f);
        ++v.pairs;
        v.kmAvoided += pair.kmAvoided;
        v.co2Kg += pair.impact.co2Kg;
        ++t.pairs;
        t.kmAvoided += pair.kmAvoided;
        t.co2Kg += pair.impact.co2Kg;
    }
    for (auto& [key, v] : g.groups()) {
        finish(v);
        out.groups.push_back({key, v});
    }
    finish(t);
    return out;
}

} // namespace carnet::field
