// The demo campaign: fictitious addresses and people around Aix-en-Provence and Vitrolles, and
// advice-desk sessions in the Hérault. Deterministic: the same store content for the same `today`
// (record ids aside), generated through the same functions the app uses, so the demo exercises
// the real rules.
#include "core/ids.hpp"
#include "field/device.hpp"

#include <array>
#include <utility>

namespace carnet::field::device {

using nlohmann::json;

namespace {

using Answers = std::vector<std::pair<std::string, json>>;

Result<void> setInOrder(store::Store& store, const std::string& id, const Answers& answers) {
    for (const auto& [k, v] : answers)
        if (auto r = store.setAnswer(id, k, v); !r)
            return Error{r.error().code, "demo: " + id + ": " + k + ": " + r.error().message};
    return {};
}

Result<void> finalizeOrFail(store::Store& store, const std::string& id) {
    auto issues = store.finalize(id);
    if (!issues) return issues.error();
    if (!issues->empty())
        return Error{ErrorCode::Internal, "demo: " + id + ": " + issues->front().path + ": " + issues->front().message};
    return {};
}

std::string csvOf(std::string_view list, std::string_view territory, std::string_view commune, std::string_view cp,
                  const std::vector<std::pair<std::string, std::string>>& buildings, int floors, int doorsPerFloor) {
    std::string csv = "liste;territoire;commune;code_postal;rue;numero;batiment;logement;etage\n";
    for (const auto& [address, bat] : buildings) {
        const auto space = address.find(' ');
        for (int f = 0; f < floors; ++f)
            for (int d = 0; d < doorsPerFloor; ++d)
                csv += std::string(list) + ";" + std::string(territory) + ";" + std::string(commune) + ";" +
                       std::string(cp) + ";" + address.substr(space + 1) + ";" + address.substr(0, space) + ";" + bat +
                       ";" + std::to_string(f) + static_cast<char>('A' + d) + ";" +
                       (f == 0 ? std::string("RDC") : std::to_string(f)) + "\n";
    }
    return csv;
}

struct Resident {
    const char* first;
    const char* last;
    const char* phone; // ARCEP numbers reserved for fiction (04 65 71 xx xx)
    const char* gesture;
    bool car, followUp;
    int carTripsBefore;
};

constexpr std::array kResidents = {
    Resident{"Camille", "Roux", "04 65 71 00 01", "bus", true, true, 10},
    Resident{"Nadia", "Benali", "04 65 71 00 02", "covoiturage_travail", true, true, 12},
    Resident{"Julien", "Marchetti", "04 65 71 00 03", "velo", true, true, 8},
    Resident{"Sophie", "Garcia", "04 65 71 00 04", "parking_relais", true, true, 14},
    Resident{"Karim", "Haddad", "04 65 71 00 05", "marche", false, true, 2},
    Resident{"Élodie", "Fabre", "04 65 71 00 06", "train", true, true, 9},
    Resident{"Thomas", "Lefèvre", "04 65 71 00 07", "teletravail", true, true, 10},
    Resident{"Inès", "Moreau", "04 65 71 00 08", "bus", true, false, 6},
    Resident{"Lucas", "Bonnet", "04 65 71 00 09", "velo", true, true, 11},
    Resident{"Chloé", "Mercier", "04 65 71 00 10", "covoiturage_travail", true, true, 12},
    Resident{"Mehdi", "Chaouch", "04 65 71 00 11", "parking_relais", true, false, 7},
    Resident{"Anaïs", "Giraud", "04 65 71 00 12", "marche", false, true, 3},
};

// Door outcomes for the first 32 doors of the Jas-de-Bouffan list (E interview, A nobody home,
// R refused, P come back later, N do not contact); the 8 doors of the last building are set
// "nobody home" in one action.
constexpr std::string_view kDoors = "EARAEPAEAREAEAEN"
                                    "EARPEAEAREAAEPAE";

} // namespace

Result<DemoReport> seedDemo(store::Store& store, const Campaign& campaign, const DemoOptions& options) {
    auto existing = store.list();
    if (!existing) return existing.error();
    if (!existing->empty()) return Error{ErrorCode::Conflict, tr("field.demo.not_empty", Lang::Fr)};
    DemoReport rep;
    if (auto r = installBuiltinForms(store); !r) return r.error();
    const std::string today = options.today.empty() ? datePart(nowIsoUtc()) : options.today;
    const std::string& user = options.user;
    auto day = [&](int offset) { return addDays(today, offset).value_or(today); };

    // Two walk lists, assigned to the ambassador.
    const std::string csv1 = csvOf("Jas-de-Bouffan – lot 3", "Pays d’Aix", "Aix-en-Provence", "13090",
                                   {{"4 avenue de la Grande-Bégude", "A"},
                                    {"4 avenue de la Grande-Bégude", "B"},
                                    {"17 rue Jean-Giono", ""},
                                    {"2 place Romée-de-Villeneuve", "C"},
                                    {"9 allée des Amandiers", ""}},
                                   4, 2);
    const std::string csv2 =
        csvOf("Vitrolles – Les Pins – lot 1", "Étang de Berre", "Vitrolles", "13127",
              {{"3 rue des Pins", "1"}, {"5 rue des Pins", "2"}, {"11 avenue du Liourat", ""}}, 3, 2);
    std::vector<WalkListImport> lists;
    for (const auto* csv : {&csv1, &csv2}) {
        auto imp = importWalkList(store, *csv, "", user);
        if (!imp) return imp.error();
        if (auto r = store.setAnswer(imp->walkList.id, fields::kAmbassador, user); !r) return r.error();
        ++rep.walkLists;
        rep.buildings += static_cast<int>(imp->buildings.size());
        rep.dwellings += static_cast<int>(imp->dwellings.size());
        lists.push_back(std::move(*imp));
    }

    // The door-to-door round on the first list.
    const auto& doors = lists[0].dwellings;
    std::size_t resident = 0;
    std::vector<std::pair<std::string, std::string>> people; // (person id, interview date)
    for (std::size_t i = 0; i < kDoors.size() && i < doors.size(); ++i) {
        const std::string date = day(-20 + static_cast<int>(i / 4));
        const std::string at = date + "T" + (i % 2 ? "17:" : "10:") + std::to_string(10 + i % 40);
        const char c = kDoors[i];
        if (c != 'E') {
            const DoorOutcome o = c == 'A'   ? DoorOutcome::Absent
                                  : c == 'R' ? DoorOutcome::Refused
                                  : c == 'P' ? DoorOutcome::ComeBack
                                             : DoorOutcome::DoNotContact;
            if (auto r = recordDoorOutcome(store, doors[i].id, o, at, user); !r) return r.error();
            ++rep.visits;
            continue;
        }
        const Resident& who = kResidents[resident++ % kResidents.size()];
        auto id = startInterview(store, doors[i].id, user);
        if (!id) return id.error();
        Answers a = {{"code_ambassadeur", "AMB-007"},
                     {"commune", "aix_en_provence"},
                     {"quartier", "aix_jas_de_bouffan"},
                     {"heure_passage", at},
                     {"issue_visite", "entretien"},
                     {"nb_personnes", 2},
                     {"membres[1]/prenom", who.first},
                     {"membres[1]/tranche_age", "30_44"},
                     {"membres[1]/permis", who.car ? "oui" : "non"},
                     {"membres[2]/tranche_age", "30_44"},
                     {"voiture", who.car ? "oui" : "non"}};
        if (who.car) a.emplace_back("nb_voitures", 1);
        a.emplace_back("eco_geste", who.gesture);
        a.emplace_back("trajets_vises", json::array({"travail"}));
        a.emplace_back("distance_travail_km", 8);
        a.emplace_back("accord_suivi", who.followUp ? "oui" : "non");
        if (who.followUp) {
            a.emplace_back("telephone", who.phone);
            a.emplace_back("accord_appels", true);
        }
        a.emplace_back("consentement_reponses", true);
        if (auto r = setInOrder(store, *id, a); !r) return r.error();
        auto fx = finalizeRecord(store, *id, campaign, at, user);
        if (!fx) return fx.error();
        if (!fx->issues.empty())
            return Error{ErrorCode::Internal,
                         "demo: interview " + *id + ": " + fx->issues.front().path + ": " + fx->issues.front().message};
        ++rep.interviews;
        ++rep.visits;
        if (!fx->callTaskId.empty()) ++rep.callTasks;
        if (fx->personId.empty()) continue;
        ++rep.people;
        if (auto r = store.setAnswer(fx->personId, fields::kLastName, who.last); !r) return r.error();
        if (!who.followUp)
            if (auto r = store.setAnswer(fx->personId, fields::kPhone, who.phone); !r) return r.error();
        people.emplace_back(fx->personId, date);
        // The "before" trip survey, taken at the door.
        auto s = store.createRecord(formid::kTripSurvey, user);
        if (!s) return s.error();
        const Answers survey = {{std::string(fields::kPersonId), fx->personId},
                                {std::string(fields::kDwellingId), doors[i].id},
                                {"survey_phase", "avant"},
                                {"mode_passation", "porte_a_porte"},
                                {"date_enquete", date},
                                {"trajets_voiture_solo", who.carTripsBefore},
                                {"trajets_voiture_passager", 2},
                                {"trajets_transport_commun", 2},
                                {"trajets_velo", 0},
                                {"trajets_marche", 4},
                                {"trajets_covoiturage", 0},
                                {"distance_trajet_km", 9}};
        if (auto r = setInOrder(store, *s, survey); !r) return r.error();
        if (auto r = finalizeOrFail(store, *s); !r) return r.error();
        ++rep.surveys;
    }
    // The last building: nobody home anywhere, in one action.
    if (auto r = markBuildingAbsent(store, lists[0].buildings.back().id, day(-12) + "T18:30", user); !r)
        return r.error();
    else
        rep.visits += static_cast<int>(r->size());

    // The phone ambassador's first calls (made early, before the 6-week due date, for the demo).
    const std::string caller = campaign.phoneAmbassador.empty() ? std::string("leo") : campaign.phoneAmbassador;
    auto queue = callQueue(store, "", today);
    if (!queue) return queue.error();
    const std::array<CallOutcome, 6> outcomes = {CallOutcome::Answered, CallOutcome::NoAnswer,
                                                 CallOutcome::Answered, CallOutcome::WrongNumber,
                                                 CallOutcome::Callback, CallOutcome::NoAnswer};
    for (std::size_t i = 0; i < outcomes.size() && i < queue->size(); ++i) {
        CallAttempt attempt{outcomes[i], day(-3) + "T14:0" + std::to_string(i), caller, day(2)};
        auto r = recordCall(store, (*queue)[i].taskId, attempt, campaign);
        if (!r) return r.error();
        ++rep.calls;
    }

    // "After" surveys by phone for four people: fewer solo-car trips.
    for (std::size_t i = 0; i < people.size() && i < 4; ++i) {
        const Resident& who = kResidents[i];
        auto s = store.createRecord(formid::kTripSurvey, caller);
        if (!s) return s.error();
        const Answers survey = {{std::string(fields::kPersonId), people[i].first},
                                {"survey_phase", "apres"},
                                {"mode_passation", "telephone"},
                                {"date_enquete", day(-1)},
                                {"trajets_voiture_solo", who.carTripsBefore - 4},
                                {"trajets_voiture_passager", 2},
                                {"trajets_transport_commun", 4},
                                {"trajets_velo", 1},
                                {"trajets_marche", 5},
                                {"trajets_covoiturage", 2},
                                {"changement_ressenti", 6}};
        if (auto r = setInOrder(store, *s, survey); !r) return r.error();
        auto fx = finalizeRecord(store, *s, campaign, day(-1) + "T11:00", caller);
        if (!fx) return fx.error();
        if (!fx->issues.empty())
            return Error{ErrorCode::Internal,
                         "demo: survey " + *s + ": " + fx->issues.front().path + ": " + fx->issues.front().message};
        ++rep.surveys;
    }

    // Advice-desk sessions in the Hérault (Tims programme).
    struct Session {
        const char* kind;
        int offset, participants;
        const char* structure;
        const char* territory;
        const char* place;
    };
    constexpr std::array kSessions = {
        Session{"permanence_physique", -14, 5, "alec_montpellier", "metropole_montpellier", "pignan_mairie"},
        Session{"permanence_physique", -7, 3, "gefosat", "haut_languedoc_vignobles", "bedarieux_france_services"},
        Session{"permanence_telephonique", -6, 4, "passerelles_synergies", "coeur_herault", "lodeve_france_services"},
        Session{"permanence_telephonique", -2, 2, "alec_montpellier", "metropole_montpellier",
                "montpellier_maison_energie"},
        Session{"atelier_thematique", -9, 12, "gefosat", "haut_languedoc_vignobles", "olargues_mairie"},
    };
    for (const auto& s : kSessions) {
        auto id = store.createRecord(formid::kAdviceDesk, user);
        if (!id) return id.error();
        const Answers a = {{"type_seance", s.kind},
                           {"date_seance", day(s.offset)},
                           {"heure_debut", "09:30"},
                           {"duree_min", 120},
                           {"structure", s.structure},
                           {"territoire", s.territory},
                           {"lieu", s.place},
                           {"publics", json::array({"seniors"})},
                           {"nb_participants", s.participants},
                           {"sujets[1]/sujet", "transport_commun"},
                           {"signature_animateur", "signature-demo.png"}};
        if (auto r = setInOrder(store, *id, a); !r) return r.error();
        if (std::string_view(s.kind) == kSessionWorkshop)
            if (auto r = store.setAnswer(*id, "theme_atelier", "Se déplacer sans voiture au quotidien"); !r)
                return r.error();
        if (auto r = finalizeOrFail(store, *id); !r) return r.error();
        ++rep.sessions;
    }
    return rep;
}

} // namespace carnet::field::device
