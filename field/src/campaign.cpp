#include "field/campaign.hpp"

#include "core/i18n.hpp"
#include "core/json_text.hpp"

#include <cmath>
#include <set>

namespace carnet::field {

using nlohmann::json;

json SessionCounts::toJson() const {
    return {{"physical", physical}, {"phone", phone}, {"workshop", workshop}, {"awareness", awareness}};
}

json Campaign::toJson() const {
    return {{"id", id},
            {"name", name},
            {"funder", funder},
            {"funder_name", funderName},
            {"phone_ambassador", phoneAmbassador},
            {"retry_days", retryDays},
            {"max_attempts", maxAttempts},
            {"consent_wording_version", consentWordingVersion},
            {"impact",
             {{"fuel_litres_per_km", impact.fuelLitresPerKm},
              {"fuel_price_eur_per_litre", impact.fuelPriceEurPerLitre},
              {"community_eur_per_km", impact.communityEurPerKm},
              {"co2_kg_per_km", impact.co2KgPerKm},
              {"co_g_per_km", impact.coGPerKm},
              {"hc_g_per_km", impact.hcGPerKm},
              {"nox_g_per_km", impact.noxGPerKm},
              {"pm_g_per_km", impact.pmGPerKm},
              {"km_per_car_trip", impact.kmPerCarTrip},
              {"weeks_per_year", impact.weeksPerYear}}},
            {"targets", targets.toJson()}};
}

namespace {

// Collects every problem of one document, each "SOURCE: /json/path: message".
class CampaignReader {
public:
    CampaignReader(std::string_view source, Lang lang)
        : m_source(source)
        , m_lang(lang) {}

    void problem(const std::string& path, std::string_view key, std::initializer_list<std::string_view> args = {}) {
        m_errors += (m_errors.empty() ? "" : "\n") + m_source + ": " + (path.empty() ? "/" : path) + ": " +
                    tr(key, m_lang, args);
    }

    void keys(const json& obj, const std::string& path, const std::set<std::string, std::less<>>& allowed) {
        for (const auto& [k, v] : obj.items())
            if (!allowed.contains(k)) problem(path + "/" + jsonPointerToken(k), "field.campaign.unknown", {k});
    }

    void text(const json& obj, const std::string& path, std::string_view key, std::string& out) {
        auto it = obj.find(key);
        if (it == obj.end()) return;
        if (!it->is_string())
            problem(path + "/" + std::string(key), "field.campaign.expect_string");
        else
            out = it->get<std::string>();
    }

    void positive(const json& obj, const std::string& path, std::string_view key, double& out) {
        auto it = obj.find(key);
        if (it == obj.end()) return;
        if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() <= 0)
            problem(path + "/" + std::string(key), "field.campaign.expect_positive");
        else
            out = it->get<double>();
    }

    void count(const json& obj, const std::string& path, std::string_view key, int& out, int min) {
        auto it = obj.find(key);
        if (it == obj.end()) return;
        if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > 100000)
            problem(path + "/" + std::string(key), "field.campaign.expect_count", {std::to_string(min)});
        else
            out = it->get<int>();
    }

    [[nodiscard]] const std::string& errors() const { return m_errors; }

private:
    std::string m_source;
    Lang m_lang;
    std::string m_errors;
};

} // namespace

Result<Campaign> parseCampaign(const json& doc, std::string_view source, Lang lang) {
    Campaign c;
    CampaignReader r(source, lang);
    if (!doc.is_object()) {
        r.problem("", "field.campaign.expect_object");
        return Error{ErrorCode::Invalid, r.errors()};
    }
    r.keys(doc, "",
           {"id", "name", "funder", "funder_name", "phone_ambassador", "retry_days", "max_attempts",
            "consent_wording_version", "impact", "targets"});
    r.text(doc, "", "id", c.id);
    r.text(doc, "", "name", c.name);
    r.text(doc, "", "funder", c.funder);
    r.text(doc, "", "funder_name", c.funderName);
    r.text(doc, "", "phone_ambassador", c.phoneAmbassador);
    r.text(doc, "", "consent_wording_version", c.consentWordingVersion);
    r.count(doc, "", "retry_days", c.retryDays, 0);
    r.count(doc, "", "max_attempts", c.maxAttempts, 1);
    if (auto it = doc.find("impact"); it != doc.end()) {
        if (!it->is_object()) {
            r.problem("/impact", "field.campaign.expect_object");
        } else {
            auto& i = c.impact;
            r.keys(*it, "/impact",
                   {"fuel_litres_per_km", "fuel_price_eur_per_litre", "community_eur_per_km", "co2_kg_per_km",
                    "co_g_per_km", "hc_g_per_km", "nox_g_per_km", "pm_g_per_km", "km_per_car_trip", "weeks_per_year"});
            r.positive(*it, "/impact", "fuel_litres_per_km", i.fuelLitresPerKm);
            r.positive(*it, "/impact", "fuel_price_eur_per_litre", i.fuelPriceEurPerLitre);
            r.positive(*it, "/impact", "community_eur_per_km", i.communityEurPerKm);
            r.positive(*it, "/impact", "co2_kg_per_km", i.co2KgPerKm);
            r.positive(*it, "/impact", "co_g_per_km", i.coGPerKm);
            r.positive(*it, "/impact", "hc_g_per_km", i.hcGPerKm);
            r.positive(*it, "/impact", "nox_g_per_km", i.noxGPerKm);
            r.positive(*it, "/impact", "pm_g_per_km", i.pmGPerKm);
            r.positive(*it, "/impact", "km_per_car_trip", i.kmPerCarTrip);
            r.positive(*it, "/impact", "weeks_per_year", i.weeksPerYear);
        }
    }
    if (auto it = doc.find("targets"); it != doc.end()) {
        if (!it->is_object()) {
            r.problem("/targets", "field.campaign.expect_object");
        } else {
            r.keys(*it, "/targets", {"physical", "phone", "workshop", "awareness"});
            r.count(*it, "/targets", "physical", c.targets.physical, 0);
            r.count(*it, "/targets", "phone", c.targets.phone, 0);
            r.count(*it, "/targets", "workshop", c.targets.workshop, 0);
            r.count(*it, "/targets", "awareness", c.targets.awareness, 0);
        }
    }
    if (!r.errors().empty()) return Error{ErrorCode::Invalid, r.errors()};
    return c;
}

Result<Campaign> loadCampaign(const std::filesystem::path& file, Lang lang) {
    auto text = readTextFile(file);
    if (!text) return text.error();
    json doc;
    JsonSyntaxError err;
    if (!parseJsonText(*text, doc, err))
        return Error{ErrorCode::Invalid, file.string() + ":" + std::to_string(err.line) + ":" +
                                             std::to_string(err.column) + ": " +
                                             tr("load.json_syntax", lang, {err.message})};
    return parseCampaign(doc, file.string(), lang);
}

} // namespace carnet::field
