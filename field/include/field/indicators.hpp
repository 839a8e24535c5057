#pragma once
// Activity and impact indicators, one pure function over records + campaign (tablet and server).

#include "field/campaign.hpp"
#include "field/impact.hpp"
#include "field/model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::field {

/// How indicators are grouped.
enum class GroupBy { Ambassador, Territory, Organisation, Funder, Week };
/// "ambassador", "territory", "organisation", "funder", "week".
[[nodiscard]] std::string_view groupByName(GroupBy by);
/// Parses a group name; nullopt for anything else.
[[nodiscard]] std::optional<GroupBy> parseGroupBy(std::string_view name);

/// The indicator figures of one group (or the totals). Definitions in docs/field-model.md.
struct IndicatorValues {
    int interviews = 0;     ///< finalized door_to_door with outcome "entretien"
    int volunteers = 0;     ///< of those, agreed to be followed up (accord_suivi = oui)
    int consents = 0;       ///< granted phone_followup consent records
    int calls = 0;          ///< call attempts
    int callsAnswered = 0;  ///< attempts answered ("decroche")
    double pickupRate = 0;  ///< callsAnswered / calls, 0 without calls
    int pairs = 0;          ///< matched before/after trip surveys
    double kmAvoided = 0;   ///< sum over pairs
    double co2Kg = 0;       ///< sum over pairs
    SessionCounts sessions; ///< finalized advice-desk sessions by kind
    /// The contract's JSON (interviews, volunteers, consents, calls, calls_answered, pickup_rate,
    /// pairs, km_avoided, co2_kg, sessions).
    [[nodiscard]] nlohmann::json toJson() const;
};

/// One group.
struct IndicatorGroup {
    std::string key; ///< user name, territory, organisation, funder or ISO week; "" = unknown
    IndicatorValues values;
};

/// Indicators grouped one way, with totals and the advice-desk targets.
struct Indicators {
    GroupBy by = GroupBy::Ambassador;
    std::vector<IndicatorGroup> groups; ///< sorted by key
    IndicatorValues totals;
    SessionCounts targets;
    /// {"by","groups":[{"key",...}],"totals":{...},"targets":{...}} (docs/field-model.md, contract).
    [[nodiscard]] nlohmann::json toJson() const;
};

/// Computes the indicators. What each fact counts for: interviews and volunteers → the interview's
/// author, territory (its building's, else its commune), organisation, campaign funder, week;
/// call attempts → the attempt's caller and date; consents → the collector and date; pairs → the
/// "after" survey's author and date, the person's territory; sessions → author, territoire, financeur,
/// session date. `onlyAmbassador` (not empty) keeps only the facts attributed to that user (an
/// ambassador's own figures, though they may see records others worked on).
[[nodiscard]] Indicators computeIndicators(const RecordIndex& records, const Campaign& campaign, GroupBy by,
                                           std::string_view onlyAmbassador = {});

} // namespace carnet::field
