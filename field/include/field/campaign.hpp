#pragma once
// A campaign's settings: impact coefficients, call-queue rules, advice-desk targets. Loaded from a
// campaign JSON file (assets/campaign/demo.json); defaults are the figures of the MOBILIZE and Tims
// programmes (docs/field-model.md).

#include "core/i18n.hpp"
#include "core/result.hpp"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace carnet::field {

/// Coefficients turning solo-car km avoided into fuel, money and emissions.
struct ImpactCoefficients {
    double fuelLitresPerKm = 0.065;        ///< 6.5 L / 100 km
    double fuelPriceEurPerLitre = 1.14888; ///< €/L
    double communityEurPerKm = 0.0222;     ///< € saved by the community per km avoided
    double co2KgPerKm = 288.0 / 2262.0;    ///< MOBILIZE: 288 kg per 2,262 km
    double coGPerKm = 5075.0 / 2262.0;     ///< CO: 5,075 g per 2,262 km
    double hcGPerKm = 938.0 / 2262.0;      ///< HC: 938 g per 2,262 km
    double noxGPerKm = 851.0 / 2262.0;     ///< NOx: 851 g per 2,262 km
    double pmGPerKm = 60.0 / 2262.0;       ///< PM: 60 g per 2,262 km
    double kmPerCarTrip = 9.0;             ///< average length of one solo-car trip
    double weeksPerYear = 47.0;            ///< usual weeks in a year (holidays excluded)
};

/// Advice-desk session kinds (advice_desk_session `type_seance` values).
inline constexpr std::string_view kSessionPhysical = "permanence_physique";
inline constexpr std::string_view kSessionPhone = "permanence_telephonique";
inline constexpr std::string_view kSessionWorkshop = "atelier_thematique";
inline constexpr std::string_view kSessionAwareness = "sensibilisation_pro";

/// Session counts (or targets) per kind.
struct SessionCounts {
    int physical = 0, phone = 0, workshop = 0, awareness = 0;
    /// {"physical": n, "phone": n, "workshop": n, "awareness": n}
    [[nodiscard]] nlohmann::json toJson() const;
    friend bool operator==(const SessionCounts&, const SessionCounts&) = default;
};

/// Everything a coordinator sets per campaign.
struct Campaign {
    std::string id = "demo";
    std::string name;
    std::string funder;     ///< funder of the door-to-door and call activity ("" = none)
    std::string funderName; ///< how people call that funder (the console's funder view), "" = the code
    ImpactCoefficients impact;
    int retryDays = 2;                             ///< no answer: call again this many days later
    int maxAttempts = 5;                           ///< no answer this many times in a row: the task is exhausted
    std::string phoneAmbassador;                   ///< user name new call tasks are assigned to ("" = unassigned)
    std::string consentWordingVersion = "2026-09"; ///< version of the consent wording in use
    SessionCounts targets{129, 162, 66, 92};       ///< advice-desk targets (Tims, to 2026-09-30)

    /// The campaign as JSON (the file format).
    [[nodiscard]] nlohmann::json toJson() const;
};

/// Parses a campaign document; errors name `source` and the JSON path ("demo.json: /impact/co2_kg_per_km:
/// expected a positive number"). Missing properties keep their defaults; unknown ones are errors.
Result<Campaign> parseCampaign(const nlohmann::json& doc, std::string_view source, Lang lang = Lang::Fr);
/// Reads and parses a campaign file (syntax errors as FILE:LINE:COL).
Result<Campaign> loadCampaign(const std::filesystem::path& file, Lang lang = Lang::Fr);

} // namespace carnet::field
