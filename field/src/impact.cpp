#include "field/impact.hpp"

#include <algorithm>
#include <map>

namespace carnet::field {

using nlohmann::json;

json Impact::toJson() const {
    return {{"km_avoided", kmAvoided},
            {"fuel_litres", fuelLitres},
            {"person_eur", personEur},
            {"community_eur", communityEur},
            {"co2_kg", co2Kg},
            {"co_g", coG},
            {"hc_g", hcG},
            {"nox_g", noxG},
            {"pm_g", pmG}};
}

Impact& Impact::operator+=(const Impact& o) {
    kmAvoided += o.kmAvoided;
    fuelLitres += o.fuelLitres;
    personEur += o.personEur;
    communityEur += o.communityEur;
    co2Kg += o.co2Kg;
    coG += o.coG;
    hcG += o.hcG;
    noxG += o.noxG;
    pmG += o.pmG;
    return *this;
}

Impact impactOfKm(double km, const ImpactCoefficients& c) {
    Impact i;
    i.kmAvoided = km;
    i.fuelLitres = km * c.fuelLitresPerKm;
    i.personEur = i.fuelLitres * c.fuelPriceEurPerLitre;
    i.communityEur = km * c.communityEurPerKm;
    i.co2Kg = km * c.co2KgPerKm;
    i.coG = km * c.coGPerKm;
    i.hcG = km * c.hcGPerKm;
    i.noxG = km * c.noxGPerKm;
    i.pmG = km * c.pmGPerKm;
    return i;
}

WeeklyTrips weeklyTrips(const json& a) {
    auto n = [&](const char* key) {
        auto it = a.find(key);
        return it != a.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    WeeklyTrips t;
    t.carSolo = n("trajets_voiture_solo");
    t.carPassenger = n("trajets_voiture_passager");
    t.publicTransport = n("trajets_transport_commun");
    t.bike = n("trajets_velo");
    t.walk = n("trajets_marche");
    t.carpool = n("trajets_covoiturage");
    t.tripKm = n("distance_trajet_km");
    return t;
}

double annualKmAvoided(const WeeklyTrips& before, const WeeklyTrips& after, const ImpactCoefficients& c) {
    const double km = before.tripKm > 0 ? before.tripKm : after.tripKm > 0 ? after.tripKm : c.kmPerCarTrip;
    return (before.carSolo - after.carSolo) * km * c.weeksPerYear;
}

namespace {

// Follows fusionne_dans links so that surveys of a merged duplicate count for the kept person.
std::string livePerson(const RecordIndex& records, std::string id) {
    for (int hops = 0; hops < 8 && !id.empty(); ++hops) {
        const RecordView* p = records.find(id);
        if (p == nullptr) break;
        const std::string next = p->text(fields::kMergedInto);
        if (next.empty()) break;
        id = next;
    }
    return id;
}

} // namespace

std::vector<BeforeAfterPair> matchBeforeAfter(const RecordIndex& records, const Campaign& campaign) {
    struct Pick {
        const RecordView* before = nullptr;
        const RecordView* after = nullptr;
    };
    std::map<std::string, Pick> byPerson;
    for (const RecordView* s : records.ofForm(formid::kTripSurvey)) {
        if (s->status != "finalized") continue;
        const std::string person = livePerson(records, s->text(fields::kPersonId));
        if (person.empty()) continue;
        const std::string phase = s->text("survey_phase");
        const std::string date = activityDate(*s);
        auto& pick = byPerson[person];
        auto key = [](const RecordView* r) { return std::make_pair(activityDate(*r), r->id); };
        if (phase == "avant") {
            if (pick.before == nullptr || std::make_pair(date, s->id) < key(pick.before)) pick.before = s;
        } else if (phase == "apres") {
            if (pick.after == nullptr || std::make_pair(date, s->id) > key(pick.after)) pick.after = s;
        }
    }
    std::vector<BeforeAfterPair> out;
    for (const auto& [person, pick] : byPerson) {
        if (pick.before == nullptr || pick.after == nullptr) continue;
        BeforeAfterPair p;
        p.personId = person;
        p.beforeId = pick.before->id;
        p.afterId = pick.after->id;
        p.kmAvoided =
            annualKmAvoided(weeklyTrips(pick.before->answers), weeklyTrips(pick.after->answers), campaign.impact);
        p.impact = impactOfKm(p.kmAvoided, campaign.impact);
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace carnet::field
