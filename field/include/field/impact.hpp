#pragma once
// Impact calculator: change in weekly trips per mode (before/after trip surveys linked per person)
// → annual solo-car km avoided → fuel, euros (person, community), CO2, CO, HC, NOx, PM.

#include "field/campaign.hpp"
#include "field/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace carnet::field {

/// The impact of a number of solo-car km avoided per year.
struct Impact {
    double kmAvoided = 0;
    double fuelLitres = 0;
    double personEur = 0;    ///< direct saving for the person (fuel)
    double communityEur = 0; ///< saving for the community
    double co2Kg = 0;
    double coG = 0, hcG = 0, noxG = 0, pmG = 0;
    /// The figures as JSON (km_avoided, fuel_litres, person_eur, community_eur, co2_kg, co_g, hc_g, nox_g, pm_g).
    [[nodiscard]] nlohmann::json toJson() const;
    /// Adds another impact (community totals).
    Impact& operator+=(const Impact& other);
};

/// Impact of `kmAvoided` km a year with `c` (2,262 km → 169 € person, 50 € community, ≈ 288 kg CO2).
[[nodiscard]] Impact impactOfKm(double kmAvoided, const ImpactCoefficients& c);

/// Weekly trips per mode from one trip_survey record.
struct WeeklyTrips {
    double carSolo = 0;         ///< trajets_voiture_solo (car driver, alone)
    double carPassenger = 0;    ///< trajets_voiture_passager
    double publicTransport = 0; ///< trajets_transport_commun
    double bike = 0;            ///< trajets_velo
    double walk = 0;            ///< trajets_marche
    double carpool = 0;         ///< trajets_covoiturage (driver sharing the car)
    double tripKm = 0;          ///< distance_trajet_km: usual solo-car trip length (0 = not given)
};
/// Reads the six trip counts of a trip_survey record's answers (missing counts are 0).
[[nodiscard]] WeeklyTrips weeklyTrips(const nlohmann::json& tripSurveyAnswers);
/// Annual solo-car km avoided between `before` and `after` (negative when car use grew):
/// (before.carSolo − after.carSolo) × trip length × weeksPerYear, the trip length being the person's
/// own (before.tripKm, else after.tripKm) or else the campaign's kmPerCarTrip.
[[nodiscard]] double annualKmAvoided(const WeeklyTrips& before, const WeeklyTrips& after, const ImpactCoefficients& c);

/// A person's matched before/after pair of finalized trip surveys.
struct BeforeAfterPair {
    std::string personId;
    std::string beforeId, afterId; ///< trip_survey record ids
    double kmAvoided = 0;
    Impact impact;
};
/// Matches, per person (person_id, following merges), the earliest finalized "avant" survey with the
/// latest finalized "apres" survey; people with only one of them are not counted.
[[nodiscard]] std::vector<BeforeAfterPair> matchBeforeAfter(const RecordIndex& records, const Campaign& campaign);

} // namespace carnet::field
