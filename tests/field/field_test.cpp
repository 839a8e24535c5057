// The field rules: impact figures, walk-list CSV, door outcomes, calls, people, indicators, the
// campaign file; and, through the real server and real stores, a household edited by two
// ambassadors and a coordinator.
#include "core/i18n.hpp"
#include "core/ids.hpp"
#include "field/calls.hpp"
#include "field/device.hpp"
#include "field/impact.hpp"
#include "field/indicators.hpp"
#include "field/people.hpp"
#include "field/walklist.hpp"
#include "forms/loader.hpp"
#include "server/routes.hpp"
#include "server/services.hpp"
#include "sync/client.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <cmath>
#include <fstream>
#include <thread>

using namespace carnet;
using namespace carnet::field;
using nlohmann::json;

namespace {

std::function<std::string()> counter() {
    auto n = std::make_shared<int>(0);
    return [n] { return "id" + std::to_string(++*n); };
}

RecordView view(std::string id, std::string_view formId, json answers, std::string author = "awa",
                std::string status = "draft") {
    RecordView v;
    v.id = std::move(id);
    v.formId = std::string(formId);
    v.kind = v.formId;
    v.answers = std::move(answers);
    v.author = std::move(author);
    v.status = std::move(status);
    return v;
}

} // namespace

TEST_CASE("field.impact: the MOBILIZE and 2015-16 test vectors") {
    const ImpactCoefficients c;
    const Impact a = impactOfKm(2262, c);
    CHECK(std::lround(a.personEur) == 169);
    CHECK(std::lround(a.communityEur) == 50);
    CHECK(a.co2Kg == Approx(288).margin(0.5));
    CHECK(a.coG == Approx(5075).margin(1));
    CHECK(a.hcG == Approx(938).margin(1));
    CHECK(a.noxG == Approx(851).margin(1));
    CHECK(a.pmG == Approx(60).margin(0.5));
    const Impact b = impactOfKm(941, c);
    CHECK(std::lround(b.personEur) == 70);
    CHECK(std::lround(b.communityEur) == 21);
    CHECK(impactOfKm(0, c).co2Kg == 0);
}

TEST_CASE("field.impact: before/after pairs per person use the person's trip length") {
    std::vector<RecordView> v = {
        view("p1", formid::kPerson, {{"prenom", "Awa"}}),
        view("s1", formid::kTripSurvey,
             {{"person_id", "p1"},
              {"survey_phase", "avant"},
              {"date_enquete", "2026-11-01"},
              {"trajets_voiture_solo", 10},
              {"distance_trajet_km", 12}},
             "awa", "finalized"),
        view("s2", formid::kTripSurvey,
             {{"person_id", "p1"},
              {"survey_phase", "apres"},
              {"date_enquete", "2026-11-20"},
              {"trajets_voiture_solo", 6}},
             "leo", "finalized"),
        // Only a "before" for p2: not a pair. A draft "after" does not count.
        view("s3", formid::kTripSurvey, {{"person_id", "p2"}, {"survey_phase", "avant"}, {"trajets_voiture_solo", 4}},
             "awa", "finalized"),
        view("s4", formid::kTripSurvey, {{"person_id", "p2"}, {"survey_phase", "apres"}, {"trajets_voiture_solo", 0}}),
    };
    const auto pairs = matchBeforeAfter(RecordIndex(v), Campaign{});
    REQUIRE(pairs.size() == 1);
    CHECK(pairs[0].personId == "p1");
    CHECK(pairs[0].kmAvoided == Approx(4 * 12 * 47.0));
    CHECK(pairs[0].impact.co2Kg == Approx(4 * 12 * 47.0 * 288 / 2262));
}

TEST_CASE("field.csv: separators, BOM, quotes, buildings and dwellings") {
    const std::string csv = "\xEF\xBB\xBF"
                            "Liste,territoire,commune,code_postal,rue,numero,batiment,logement,etage\n"
                            "L1,Pays d’Aix,Aix-en-Provence,13090,\"rue A, côté parc\",4,A,1A,0\n"
                            "L1,Pays d’Aix,Aix-en-Provence,13090,\"rue A, côté parc\",4,A,1B,0\r\n"
                            "\n"
                            "L1,Pays d’Aix,Aix-en-Provence,13090,\"rue \"\"B\"\"\",7,,2,1\n";
    auto r = parseWalkListCsv(csv, "", counter());
    REQUIRE(r.errors.empty());
    REQUIRE(r.import);
    CHECK(r.import->walkList.answers.at("nom_liste") == "L1");
    REQUIRE(r.import->buildings.size() == 2);
    CHECK(r.import->buildings[0].answers.at("rue") == "rue A, côté parc");
    CHECK(r.import->buildings[1].answers.at("rue") == "rue \"B\"");
    REQUIRE(r.import->dwellings.size() == 3);
    CHECK(r.import->dwellings[1].answers.at("building_id") == r.import->buildings[0].id);
    CHECK(r.import->dwellings[2].answers.at("building_id") == r.import->buildings[1].id);
    CHECK(r.import->dwellings[0].answers.at("walk_list_id") == r.import->walkList.id);
}

TEST_CASE("field.csv: every bad line is reported and nothing is imported") {
    const std::string csv = "commune;rue;numero;logement;code_postal\n"
                            "Aix;rue A;1;1;13090\n"
                            "Aix;;2;2;13090\n"
                            "Aix;rue A;1;1;13090\n"
                            "Aix;rue C;3;3;1309\n";
    auto r = parseWalkListCsv(csv, "Lot", counter(), Lang::En);
    CHECK_FALSE(r.import);
    REQUIRE(r.errors.size() == 3);
    CHECK(r.errors[0].line == 3);
    CHECK(r.errors[0].message == "column 'rue' is empty");
    CHECK(r.errors[1].line == 4);
    CHECK(r.errors[1].message.find("already on line 2") != std::string::npos);
    CHECK(r.errors[2].line == 5);
    auto h = parseWalkListCsv("commune;rue;numero;porte\nAix;r;1;2\n", "Lot", counter(), Lang::En);
    REQUIRE(h.errors.size() == 2);
    CHECK(h.errors[0].message.find("unknown column 'porte'") != std::string::npos);
    CHECK(h.errors[1].message == "required column 'logement' missing from the header");
    auto q = parseWalkListCsv("commune;rue;numero;logement\nAix;\"r;1;2\n", "Lot", counter(), Lang::En);
    REQUIRE(q.errors.size() == 1);
    CHECK(q.errors[0].line == 2);
    CHECK(parseWalkListCsv("", "Lot", counter()).errors.size() == 1);
    CHECK(parseWalkListCsv("commune;rue;numero;logement\nAix;r;1;2\n", "", counter()).errors.size() == 1); // no name
}

TEST_CASE("field.doors: outcomes, building-wide absent and progress") {
    std::vector<RecordView> v = {view("w", formid::kWalkList, {{"nom_liste", "L"}, {"ambassadeur", "awa"}})};
    v.push_back(view("b", formid::kBuilding, {{"walk_list_id", "w"}}));
    const char* outcomes[] = {"entretien", "refus", "repasser", "absent", "", "ne_pas_contacter"};
    for (int i = 0; i < 6; ++i) {
        json a = {{"walk_list_id", "w"}, {"building_id", "b"}, {"ordre", i + 1}};
        if (*outcomes[i]) a["derniere_issue"] = outcomes[i];
        v.push_back(view("d" + std::to_string(i), formid::kDwelling, a));
    }
    const RecordIndex idx(v);
    const auto remaining = remainingDwellings(idx, "b");
    REQUIRE(remaining.size() == 2); // the absent one and the untouched one
    CHECK(remaining[0]->id == "d3");
    CHECK(remaining[1]->id == "d4");
    const auto p = walkListProgress(idx);
    REQUIRE(p.size() == 1);
    CHECK(p[0].dwellings == 6);
    CHECK(p[0].visited == 5);
    CHECK(p[0].done == 3);
    CHECK(p[0].assignedTo == "awa");
    const auto plan = planDoorVisit(v[6], DoorOutcome::Absent, "2026-11-26T10:00", "awa", "visit");
    CHECK(plan.visit.answers.at("issue") == "absent");
    CHECK(plan.visit.answers.at("building_id") == "b");
    CHECK(plan.dwellingChanges.at("nb_passages") == 1);
    CHECK(parseOutcome("nobody_home") == DoorOutcome::Absent);
    CHECK_FALSE(parseOutcome("perhaps"));
}

namespace {
std::vector<RecordView> callable(const char* granted = "oui", const char* dnc = "non") {
    return {view("p", formid::kPerson, {{"prenom", "Awa"}, {"telephone", "+33465710001"}, {"ne_pas_contacter", dnc}}),
            view("c", formid::kConsent,
                 {{"person_id", "p"},
                  {"finalite", "phone_followup"},
                  {"accorde", granted},
                  {"recueilli_le", "2026-11-01T10:00"}},
                 "awa", "finalized"),
            view("i", formid::kDoorToDoor, {{"person_id", "p"}, {"issue_visite", "entretien"}}, "awa", "finalized")};
}
} // namespace

TEST_CASE("field.calls: a follow-up creates a call only for a callable person") {
    Campaign c;
    c.phoneAmbassador = "leo";
    const FollowupSpec spec{"phone_followup", 42};
    auto v = callable();
    auto t = planFollowup(v[2], spec, RecordIndex(v), c, "2026-11-26", "t");
    REQUIRE(t);
    CHECK(t->answers.at("echeance") == "2027-01-07");
    CHECK(t->answers.at("appelant") == "leo");
    CHECK(t->answers.at("statut") == "a_faire");
    auto refused = callable("non");
    CHECK_FALSE(planFollowup(refused[2], spec, RecordIndex(refused), c, "2026-11-26", "t"));
    auto dnc = callable("oui", "oui");
    CHECK_FALSE(planFollowup(dnc[2], spec, RecordIndex(dnc), c, "2026-11-26", "t"));
    // A later withdrawal wins over the first consent.
    v.push_back(view("c2", formid::kConsent,
                     {{"person_id", "p"},
                      {"finalite", "phone_followup"},
                      {"accorde", "non"},
                      {"recueilli_le", "2026-11-20T10:00"}}));
    CHECK_FALSE(mayCall(RecordIndex(v), "p"));
    // An open task already there: no second one.
    auto open = callable();
    open.push_back(view("t0", formid::kCallTask, {{"person_id", "p"}, {"statut", "a_faire"}}));
    CHECK_FALSE(planFollowup(open[2], spec, RecordIndex(open), c, "2026-11-26", "t"));
    CHECK(followupOf(json::parse(R"({"followup": {"form": "phone_followup", "after_days": 42}})"))->afterDays == 42);
}

TEST_CASE("field.calls: outcomes move the task on") {
    Campaign c;
    c.retryDays = 2;
    c.maxAttempts = 3;
    RecordView task =
        view("t", formid::kCallTask, {{"person_id", "p"}, {"statut", "a_faire"}, {"echeance", "2026-11-26"}});
    for (int k = 1; k <= 3; ++k) {
        auto u = planCallAttempt(task,
                                 {CallOutcome::NoAnswer, "2026-11-2" + std::to_string(5 + k) + "T10:00", "leo", ""}, c);
        REQUIRE(u.ok());
        for (auto& [f, val] : u->changes.items())
            task.answers[f] = val;
        if (k < 3) {
            CHECK(u->status == CallStatus::Open);
            CHECK(task.answers.at("echeance") == "2026-11-" + std::to_string(28 + k - 1));
        } else {
            CHECK(u->status == CallStatus::Exhausted);
        }
    }
    CHECK(task.answers.at("nb_tentatives") == 3);
    CHECK(planCallAttempt(task, {CallOutcome::Answered, "2026-11-30T10:00", "leo", ""}, c).error().code ==
          ErrorCode::Conflict);

    RecordView t2 = view("t2", formid::kCallTask, {{"statut", "a_faire"}});
    auto cb = planCallAttempt(t2, {CallOutcome::Callback, "2026-11-26T10:00", "leo", "2026-12-01"}, c);
    REQUIRE(cb.ok());
    CHECK(cb->changes.at("echeance") == "2026-12-01");
    CHECK_FALSE(planCallAttempt(t2, {CallOutcome::Callback, "2026-11-26T10:00", "leo", "2026-11-01"}, c).ok());
    CHECK_FALSE(planCallAttempt(t2, {CallOutcome::Callback, "2026-11-26T10:00", "leo", ""}, c).ok());
    auto wrong = planCallAttempt(t2, {CallOutcome::WrongNumber, "2026-11-26T10:00", "leo", ""}, c);
    CHECK(wrong->status == CallStatus::WrongNumber);
    auto ans = planCallAttempt(t2, {CallOutcome::Answered, "2026-11-26T10:00", "leo", ""}, c);
    CHECK(ans->status == CallStatus::Open); // done when its script is finalized
    CHECK(ans->openScript);
}

TEST_CASE("field.calls: queue order and pick-up rate per caller") {
    auto v = callable();
    v.push_back(view("p2", formid::kPerson, {{"prenom", "Zoé"}, {"telephone", "+33465710002"}}));
    v.push_back(
        view("c2", formid::kConsent, {{"person_id", "p2"}, {"finalite", "phone_followup"}, {"accorde", "oui"}}));
    v.push_back(
        view("t1", formid::kCallTask,
             {{"person_id", "p"},
              {"statut", "a_faire"},
              {"echeance", "2026-12-10"},
              {"appelant", "leo"},
              {"tentatives", json::array({{{"issue_appel", "pas_de_reponse"}, {"appel_le", "2026-11-20T10:00"}},
                                          {{"issue_appel", "decroche"}, {"appel_le", "2026-11-21T10:00"}},
                                          {{"issue_appel", "pas_de_reponse"}, {"appel_le", "2026-11-22T10:00"}},
                                          {{"issue_appel", "pas_de_reponse"}, {"appel_le", "2026-11-23T10:00"}}})}}));
    v.push_back(view("t2", formid::kCallTask,
                     {{"person_id", "p2"}, {"statut", "a_faire"}, {"echeance", "2026-11-30"}, {"appelant", "leo"}}));
    const RecordIndex idx(v);
    const auto q = callQueue(idx, "leo", "2026-12-01");
    REQUIRE(q.size() == 2);
    CHECK(q[0].taskId == "t2");
    CHECK(q[0].due);
    CHECK_FALSE(q[1].due);
    CHECK(callQueue(idx, "mia", "2026-12-01").empty());
    const auto s = callerStats(idx, "2026-12-01");
    REQUIRE(s.size() == 1);
    CHECK(s[0].calls == 4);
    CHECK(s[0].answered == 1);
    CHECK(s[0].pickupRate == Approx(0.25));
    CHECK(s[0].open == 2);
    CHECK(s[0].dueToday == 1);
}

TEST_CASE("field.people: duplicates, merge and erasure plans") {
    std::vector<RecordView> v = {
        view("a", formid::kPerson, {{"prenom", "Élodie"}, {"nom", "Fabre"}, {"dwelling_id", "d1"}}),
        view("b", formid::kPerson,
             {{"prenom", "elodie"}, {"nom", "FABRE"}, {"dwelling_id", "d1"}, {"telephone", "+33465710006"}}),
        view("c", formid::kPerson, {{"prenom", "Karim"}, {"telephone", "+33465710006"}}),
        view("e", formid::kPerson, {{"prenom", "Élodie"}, {"nom", "Fabre"}, {"dwelling_id", "d2"}}),
        view("t", formid::kCallTask, {{"person_id", "b"}, {"statut", "a_faire"}}),
        view("i", formid::kDoorToDoor,
             {{"person_id", "b"},
              {"telephone", "+33465710006"},
              {"issue_visite", "entretien"},
              {"membres", json::array({{{"prenom", "Élodie"}}})}},
             "awa", "finalized"),
    };
    v[0].createdAt = "2026-11-01T10:00:00Z";
    v[1].createdAt = "2026-11-02T10:00:00Z";
    v[2].createdAt = "2026-11-03T10:00:00Z";
    v[3].createdAt = "2026-11-04T10:00:00Z";
    const RecordIndex idx(v);
    CHECK(foldName("Élodie  ", "Le-Bœuf") == "elodie le boeuf");
    const auto d = findDuplicates(idx);
    REQUIRE(d.size() == 2);
    CHECK(d[0].toJson() == json{{"keep", "a"}, {"other", "b"}, {"reason", "name_dwelling"}});
    CHECK(d[1].toJson() == json{{"keep", "b"}, {"other", "c"}, {"reason", "phone"}});

    auto m = planMerge(idx, "a", "b");
    REQUIRE(m.ok());
    CHECK(m->keepChanges.at("telephone") == "+33465710006");
    CHECK(m->loserChanges.at("fusionne_dans") == "a");
    CHECK(m->loserChanges.at("telephone").is_null());
    CHECK(m->relinks.size() == 2);
    CHECK_FALSE(planMerge(idx, "a", "a").ok());

    auto er = planErasure(idx, "b");
    REQUIRE(er.ok());
    std::map<std::string, std::vector<std::string>> erase(er->erase.begin(), er->erase.end());
    CHECK(erase.at("b") == std::vector<std::string>{"prenom", "nom", "telephone"});
    CHECK(erase.at("i") == std::vector<std::string>{"membres[].prenom", "telephone"});
    std::map<std::string, json> updates(er->updates.begin(), er->updates.end());
    CHECK(updates.at("t").at("statut") == "annule");
    CHECK(updates.at("b").at("efface") == "oui");
    CHECK(planErasure(idx, "nobody").error().code == ErrorCode::NotFound);
}

TEST_CASE("field.indicators: grouped per ambassador, territory and week, with session kinds") {
    std::vector<RecordView> v = {
        view("bd", formid::kBuilding, {{"territoire", "Pays d’Aix"}}),
        view("dw", formid::kDwelling, {{"building_id", "bd"}}),
        view("i1", formid::kDoorToDoor,
             {{"issue_visite", "entretien"},
              {"accord_suivi", "oui"},
              {"dwelling_id", "dw"},
              {"heure_passage", "2026-11-23T10:00"}},
             "awa", "finalized"),
        view("i2", formid::kDoorToDoor,
             {{"issue_visite", "entretien"},
              {"accord_suivi", "non"},
              {"commune", "venelles"},
              {"heure_passage", "2026-11-30T10:00"}},
             "ben", "finalized"),
        view("i3", formid::kDoorToDoor, {{"issue_visite", "entretien"}}, "ben"), // a draft does not count
        view("s1", formid::kAdviceDesk,
             {{"type_seance", "atelier_thematique"},
              {"territoire", "coeur_herault"},
              {"financeur", "ademe"},
              {"date_seance", "2026-11-24"}},
             "mia", "finalized"),
    };
    const RecordIndex idx(v);
    const auto byAmb = computeIndicators(idx, Campaign{}, GroupBy::Ambassador);
    REQUIRE(byAmb.groups.size() == 3);
    CHECK(byAmb.groups[0].key == "awa");
    CHECK(byAmb.groups[0].values.volunteers == 1);
    CHECK(byAmb.groups[1].values.interviews == 1);
    CHECK(byAmb.totals.interviews == 2);
    CHECK(byAmb.totals.sessions.workshop == 1);
    CHECK(byAmb.toJson().at("targets") == json{{"physical", 129}, {"phone", 162}, {"workshop", 66}, {"awareness", 92}});
    const auto byTerr = computeIndicators(idx, Campaign{}, GroupBy::Territory);
    std::vector<std::string> keys;
    for (const auto& g : byTerr.groups)
        keys.push_back(g.key);
    CHECK(keys == std::vector<std::string>{"Pays d’Aix", "coeur_herault", "venelles"});
    const auto byWeek = computeIndicators(idx, Campaign{}, GroupBy::Week);
    REQUIRE(byWeek.groups.size() == 2);
    CHECK(byWeek.groups[0].key == "2026-W48");
    CHECK(byWeek.groups[0].values.interviews == 1);
    CHECK(byWeek.groups[0].values.sessions.workshop == 1);
    CHECK(byWeek.groups[1].key == "2026-W49");
    CHECK(computeIndicators(idx, Campaign{}, GroupBy::Funder).groups.size() == 2);
    CHECK_FALSE(parseGroupBy("planet"));
    CHECK(isoWeek("2027-01-01") == "2026-W53");
    CHECK(addDays("2026-12-31", 1) == "2027-01-01");
}

TEST_CASE("field.campaign: errors name the file and the JSON path") {
    auto ok = parseCampaign(json::parse(R"({"retry_days": 3, "impact": {"km_per_car_trip": 12}})"), "c.json");
    REQUIRE(ok.ok());
    CHECK(ok->retryDays == 3);
    CHECK(ok->impact.kmPerCarTrip == 12);
    CHECK(ok->impact.fuelLitresPerKm == 0.065);
    auto bad = parseCampaign(json::parse(R"({"impact": {"co2_kg_per_km": -1}, "colour": 1, "max_attempts": 0})"),
                             "c.json", Lang::En);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("c.json: /impact/co2_kg_per_km: must be a positive number") != std::string::npos);
    CHECK(bad.error().message.find("c.json: /colour: unknown property 'colour'") != std::string::npos);
    CHECK(bad.error().message.find("c.json: /max_attempts:") != std::string::npos);
}

TEST_CASE("field.forms: the loader reads followup and refuses a bad one") {
    auto f = forms::loadForm(R"({"id": "f", "version": "1", "title": "T", "default_language": "fr", "languages": ["fr"],
        "followup": {"form": "phone_followup", "after_days": 42},
        "pages": [{"type": "page", "name": "p", "label": "P", "children": [{"type": "text", "name": "a", "label": "A"}]}]})");
    REQUIRE(f.ok());
    REQUIRE(f.form->followup);
    CHECK(f.form->followup->afterDays == 42);
    auto bad =
        forms::loadForm(R"({"id": "f", "version": "1", "title": "T", "default_language": "fr", "languages": ["fr"],
        "followup": {"form": "phone_followup", "after_days": -1, "when": "x"},
        "pages": [{"type": "page", "name": "p", "label": "P", "children": [{"type": "text", "name": "a", "label": "A"}]}]})");
    CHECK_FALSE(bad.ok());
    CHECK(bad.problems.size() == 2);
}

// ---- Through the real server -------------------------------------------------------------------
#include "../server/server_fixture.hpp"

namespace {

struct Device {
    test::TempDir dir;
    store::Store store;
    std::unique_ptr<sync::Transport> transport;
    Device(const std::string& url, const std::string& user)
        : store(store::Store::open(dir.path()).value())
        , transport(sync::makeCurlTransport(url)) {
        REQUIRE(sync::login(store, *transport, url, user, test::kPassword).ok());
    }
    sync::SyncReport sync() {
        auto r = sync::synchronize(store, *transport);
        INFO(r.toJson().dump());
        REQUIRE(r.ok);
        return r;
    }
    json answers(const std::string& id) { return store.get(id)->answers; }
};

} // namespace

TEST_CASE("field.household: a dwelling and a person edited by two ambassadors and a coordinator merge per field") {
    test::ServerFixture f;
    auto& fs = f.services->field();
    REQUIRE(fs.publishBuiltinForms().ok());
    auto org = f.services->repository().findOrg("alec");
    auto coco = f.services->repository().findUser("coco");
    auto imp = fs.importWalkList((*org)->id, (*coco)->id, "coco",
                                 "commune;rue;numero;logement\nAix;rue A;4;1A\nAix;rue A;4;1B\n", "Lot A");
    REQUIRE(imp.ok());
    REQUIRE(imp->errors.empty());
    REQUIRE(fs.assignWalkList((*org)->id, imp->walkListId, "awa").ok());
    const std::string url = "http://127.0.0.1:" + std::to_string(f.server->port());
    Device awa(url, "awa"), binta(url, "binta"), coord(url, "coco");
    CHECK(awa.sync().pulled == 4);
    CHECK(binta.sync().pulled == 0); // not hers

    // Awa meets the household and records it; the coordinator hands the person to Binta too.
    auto views = device::loadViews(awa.store);
    const RecordIndex idx(*views);
    const auto dwellings = idx.ofForm(formid::kDwelling);
    REQUIRE(dwellings.size() == 2);
    const std::string dwelling = dwellings[0]->id;
    auto person =
        device::addPerson(awa.store, {{"prenom", "Élodie"}, {"nom", "Fabre"}, {"dwelling_id", dwelling}}, "awa");
    REQUIRE(person.ok());
    REQUIRE(device::recordDoorOutcome(awa.store, dwelling, DoorOutcome::ComeBack, "2026-11-26T10:00", "awa").ok());
    awa.sync();
    REQUIRE(f.services->repository().assignRecord(*person, (*f.services->repository().findUser("binta"))->id).ok());
    binta.sync();
    coord.sync();
    REQUIRE(binta.store.get(*person).ok());

    // Offline, each changes a different field of the same person, and both ambassadors the dwelling.
    REQUIRE(awa.store.setAnswer(*person, "telephone", "04 65 71 00 06").ok());
    REQUIRE(awa.store.setAnswer(dwelling, "etage", "2").ok());
    REQUIRE(binta.store.setAnswer(*person, "voiture", "oui").ok());
    REQUIRE(binta.store.setAnswer(*person, "eco_geste", "velo").ok());
    REQUIRE(coord.store.setAnswer(*person, "nom", "Fabre-Martin").ok());
    REQUIRE(coord.store.setAnswer(dwelling, "logement", "1A bis").ok());
    awa.sync();
    binta.sync();
    CHECK(coord.sync().conflicts == 0);
    awa.sync();
    binta.sync();
    for (Device* d : {&awa, &binta, &coord}) {
        const json p = d->answers(*person);
        CHECK(p.at("telephone") == "+33465710006");
        CHECK(p.at("voiture") == "oui");
        CHECK(p.at("eco_geste") == "velo");
        CHECK(p.at("nom") == "Fabre-Martin");
    }
    const json dw = awa.answers(dwelling);
    CHECK(dw.at("etage") == "2");
    CHECK(dw.at("logement") == "1A bis");
    CHECK(dw.at("derniere_issue") == "repasser");
    auto conflicts = f.services->repository().openConflicts((*org)->id);
    CHECK(conflicts->empty());

    // The same field changed by two of them is a conflict, kept for the coordinator.
    REQUIRE(awa.store.setAnswer(*person, "eco_geste", "bus").ok());
    REQUIRE(binta.store.setAnswer(*person, "eco_geste", "marche").ok());
    awa.sync();
    CHECK(binta.sync().conflicts == 1);
    conflicts = f.services->repository().openConflicts((*org)->id);
    REQUIRE(conflicts->size() == 1);
    CHECK(conflicts->front().field == "eco_geste");

    // Duplicates seen by the coordinator: the same phone entered twice; the merge keeps one.
    coord.sync();
    auto dup = device::addPerson(coord.store, {{"prenom", "E."}, {"telephone", "0465710006"}}, "coco");
    REQUIRE(dup.ok());
    auto cv = device::loadViews(coord.store);
    const auto pairs = findDuplicates(RecordIndex(*cv));
    REQUIRE(pairs.size() == 1);
    CHECK(pairs[0].reason == "phone");
    REQUIRE(device::mergePeople(coord.store, pairs[0].keepId, pairs[0].otherId).ok());
    coord.sync();
    cv = device::loadViews(coord.store);
    CHECK(findDuplicates(RecordIndex(*cv)).empty());
}

// The database file and its write-ahead log, as bytes on disk.
std::string dbFileBytes(const std::filesystem::path& db) {
    std::string all;
    for (const std::string& p : {db.string(), db.string() + "-wal"}) {
        std::ifstream in(p, std::ios::binary);
        all.append(std::istreambuf_iterator<char>(in), {});
    }
    return all;
}

namespace {
// A finalizable door interview of a person who accepts calls (so a follow-up call task).
json callableInterview() {
    return {{"code_ambassadeur", "AMB-007"},
            {"commune", "aix_en_provence"},
            {"quartier", "aix_jas_de_bouffan"},
            {"adresse", "4 rue A"},
            {"heure_passage", "2026-11-26T10:00"},
            {"issue_visite", "entretien"},
            {"nb_personnes", 1},
            {"membres", json::array({{{"prenom", "Karim"}, {"tranche_age", "30_44"}}})},
            {"voiture", "non"},
            {"eco_geste", "velo"},
            {"trajets_vises", json::array({"travail"})},
            {"distance_travail_km", 8},
            {"accord_suivi", "oui"},
            {"telephone", "0465710005"},
            {"accord_appels", true},
            {"consentement_reponses", true}};
}
} // namespace

TEST_CASE(
    "field.erasure: personal fields leave every device, outbox and the server's history, answers stay countable") {
    test::ServerFixture f;
    REQUIRE(f.services->field().publishBuiltinForms().ok());
    const std::string url = "http://127.0.0.1:" + std::to_string(f.server->port());
    Device awa(url, "awa"), coord(url, "coco");
    awa.sync();
    // A finalized door interview creates the person (and their follow-up call task).
    json answers = callableInterview();
    answers["observations"] = "Karim Haddad, au 3e";
    auto interview = awa.store.importAnswers(formid::kDoorToDoor, answers, "awa");
    REQUIRE(interview.ok());
    auto fx = device::finalizeRecord(awa.store, *interview, Campaign{}, "2026-11-26T10:00", "awa");
    REQUIRE(fx.ok());
    std::string issues;
    for (const auto& issue : fx->issues)
        issues += issue.path + ": " + issue.message + "\n";
    INFO(issues);
    REQUIRE(fx->issues.empty());
    REQUIRE_FALSE(fx->personId.empty());
    REQUIRE_FALSE(fx->callTaskId.empty());
    const std::string person = fx->personId;
    REQUIRE(awa.store.setAnswer(person, "nom", "Haddad").ok());
    Campaign c;
    REQUIRE(device::recordConsent(awa.store, person, kPurposePhone, true, c, "2026-11-26T10:00", "awa").ok());
    auto survey = awa.store.importAnswers(
        formid::kTripSurvey,
        {{"person_id", person}, {"survey_phase", "avant"}, {"temoignage", "Je prends la voiture tous les jours."}},
        "awa");
    REQUIRE(survey.ok());
    awa.sync();
    coord.sync();
    CHECK(coord.answers(*interview).at("telephone") == "+33465710005");
    // Awa, offline, corrects the phone while the coordinator erases the person.
    REQUIRE(awa.store.setAnswer(person, "telephone", "0465710099").ok());
    auto rep = device::erasePerson(coord.store, person);
    REQUIRE(rep.ok());
    bool interviewErased = false;
    for (const auto& [id, names] : rep->erased)
        if (id == *interview) interviewErased = std::find(names.begin(), names.end(), "telephone") != names.end();
    CHECK(interviewErased); // a finalized record: erased too
    coord.sync();
    awa.sync(); // the late phone edit is discarded by the server, then dropped here
    coord.sync();
    for (Device* d : {&awa, &coord}) {
        const json p = d->answers(person);
        CHECK_FALSE(p.contains("prenom"));
        CHECK_FALSE(p.contains("nom"));
        CHECK_FALSE(p.contains("telephone"));
        CHECK(p.at("efface") == "oui");
        CHECK(p.at("ne_pas_contacter") == "oui");
        auto rec = d->store.get(*interview);
        REQUIRE(rec.ok());
        CHECK(rec->status == store::Status::Finalized);
        CHECK_FALSE(rec->answers.contains("telephone"));
        CHECK_FALSE(rec->answers.contains("membres"));
        CHECK_FALSE(rec->answers.contains("observations"));
        CHECK(rec->answers.at("issue_visite") == "entretien");
        CHECK(rec->answers.at("accord_suivi") == "oui");
        const json s = d->answers(*survey);
        CHECK_FALSE(s.contains("temoignage"));
        CHECK(s.at("survey_phase") == "avant");
        CHECK(d->answers(fx->callTaskId).at("statut") == callStatusValue(CallStatus::Cancelled));
        auto out = d->store.outbox();
        REQUIRE(out.ok());
        for (const auto& e : *out) {
            const std::string text = e.changes.dump();
            CHECK(text.find("465710005") == std::string::npos);
            CHECK(text.find("465710099") == std::string::npos);
            CHECK(text.find("Karim") == std::string::npos);
        }
        // Anonymous answers stay countable.
        auto views = device::loadViews(d->store);
        REQUIRE(views.ok());
        const RecordIndex idx(*views);
        const auto ind = computeIndicators(idx, Campaign{}, GroupBy::Ambassador);
        CHECK(ind.totals.interviews == 1);
        CHECK(ind.totals.volunteers == 1);
        CHECK_FALSE(mayCall(idx, person));
    }
    auto server = f.services->repository().findRecord(person);
    REQUIRE(server.ok());
    CHECK_FALSE((*server)->answers.contains("telephone"));
    auto serverInterview = f.services->repository().findRecord(*interview);
    REQUIRE(serverInterview.ok());
    CHECK_FALSE((*serverInterview)->answers.contains("telephone"));
    CHECK((*serverInterview)->answers.at("issue_visite") == "entretien");
    // Nothing of the erased values is left in the server's file, history included.
    const std::string bytes = dbFileBytes(f.dir.path() / "data" / "server.db");
    CHECK(bytes.find("AMB-007") != std::string::npos); // the search can see kept answers
    CHECK(bytes.find("465710005") == std::string::npos);
    CHECK(bytes.find("465710099") == std::string::npos);
    CHECK(bytes.find("Karim") == std::string::npos);
    CHECK(bytes.find("Haddad") == std::string::npos);
}

namespace {

// The console's figures counted again from every record the coordinator reads through the records API
// (GET /api/v1/records, answers included), by the definitions of docs/field-model.md.
struct ApiCount {
    int interviews = 0, volunteers = 0, consents = 0, calls = 0, answered = 0, dwellings = 0, visited = 0;
};

ApiCount countThroughApi(const test::ServerFixture& f, const std::string& token) {
    ApiCount c;
    std::string cursor;
    for (;;) {
        const auto page =
            f.get("/api/v1/records?limit=500" + (cursor.empty() ? std::string() : "&cursor=" + cursor), token);
        REQUIRE(page.status == 200);
        for (const auto& r : page.body.at("records")) {
            const std::string form = r.at("form_id"), status = r.at("status");
            const json& a = r.at("answers");
            auto text = [&](const char* k) { return a.contains(k) && a[k].is_string() ? a[k].get<std::string>() : ""; };
            if (status == "deleted") continue;
            if (form == "door_to_door" && status == "finalized" && text("issue_visite") == "entretien") {
                ++c.interviews;
                if (text("accord_suivi") == "oui") ++c.volunteers;
            } else if (form == "consent" && text("finalite") == "phone_followup" && text("accorde") == "oui") {
                ++c.consents;
            } else if (form == "call_task" && a.contains("tentatives")) {
                for (const auto& t : a["tentatives"]) {
                    ++c.calls;
                    if (t.value("issue_appel", "") == "decroche") ++c.answered;
                }
            } else if (form == "dwelling") {
                ++c.dwellings;
                if (parseOutcome(text("derniere_issue"))) ++c.visited;
            }
        }
        if (!page.body.at("more").get<bool>()) break;
        cursor = page.body.at("cursor").get<std::string>();
    }
    return c;
}

// The dashboard's figures (indicators and walk lists, as the console's page asks them) equal the count.
void checkDashboard(const test::ServerFixture& f, const std::string& token, const ApiCount& expected) {
    const ApiCount c = countThroughApi(f, token);
    CHECK(c.interviews == expected.interviews);
    CHECK(c.volunteers == expected.volunteers);
    CHECK(c.consents == expected.consents);
    CHECK(c.calls == expected.calls);
    CHECK(c.visited == expected.visited);
    for (const char* by : {"ambassador", "territory", "week"}) {
        INFO("by " << by);
        const auto ind = f.get(std::string("/api/v1/indicators?by=") + by, token);
        REQUIRE(ind.status == 200);
        const json& t = ind.body.at("totals");
        CHECK(t.at("interviews") == c.interviews);
        CHECK(t.at("volunteers") == c.volunteers);
        CHECK(t.at("consents") == c.consents);
        CHECK(t.at("calls") == c.calls);
        CHECK(t.at("calls_answered") == c.answered);
        int groupInterviews = 0;
        for (const auto& g : ind.body.at("groups"))
            groupInterviews += g.at("interviews").get<int>();
        CHECK(groupInterviews == c.interviews);
    }
    const auto lists = f.get("/api/v1/walklists", token);
    REQUIRE(lists.status == 200);
    int dwellings = 0, visited = 0;
    for (const auto& w : lists.body.at("walklists")) {
        dwellings += w.at("dwellings").get<int>();
        visited += w.at("visited").get<int>();
    }
    CHECK(dwellings == c.dwellings);
    CHECK(visited == c.visited);
    const auto calls = f.get("/api/v1/calls", token);
    REQUIRE(calls.status == 200);
    int attempts = 0, answered = 0;
    for (const auto& caller : calls.body.at("callers")) {
        attempts += caller.at("calls").get<int>();
        answered += caller.at("answered").get<int>();
    }
    CHECK(attempts == c.calls);
    CHECK(answered == c.answered);
}

} // namespace

TEST_CASE("field.dashboard: the console's figures stay equal to a count through the API after writes, conflicts "
          "and deletions") {
    // The server keeps the figures' records in memory, caught up by change sequence (FieldService):
    // each step below is read after the dashboard was already asked, so the catch-up, not a first
    // read, has to bring it in.
    test::ServerFixture f;
    auto& fs = f.services->field();
    REQUIRE(fs.publishBuiltinForms().ok());
    auto org = f.services->repository().findOrg("alec");
    auto coco = f.services->repository().findUser("coco");
    const std::string token = f.login("coco");
    checkDashboard(f, token, {});
    auto imp =
        fs.importWalkList((*org)->id, (*coco)->id, "coco",
                          "commune;rue;numero;logement\nAix;rue A;4;1A\nAix;rue A;4;1B\nAix;rue B;7;1\n", "Lot A");
    REQUIRE(imp.ok());
    REQUIRE(fs.assignWalkList((*org)->id, imp->walkListId, "awa").ok());
    ApiCount expected;
    expected.dwellings = 3;
    checkDashboard(f, token, expected);

    // Writes: two door interviews finalized on Awa's tablet (each makes a person and a call task), a
    // consent, a door outcome, a call answered on the second attempt.
    const std::string url = "http://127.0.0.1:" + std::to_string(f.server->port());
    Device awa(url, "awa"), coord(url, "coco");
    awa.sync();
    auto views = device::loadViews(awa.store);
    REQUIRE(views.ok());
    const auto doors = RecordIndex(*views).ofForm(formid::kDwelling);
    REQUIRE(doors.size() == 3);
    const std::string door1 = doors[0]->id, door2 = doors[1]->id;
    std::vector<std::string> interviews;
    std::vector<device::FinalizeEffects> effects;
    for (const auto& door : {door1, door2}) {
        json answers = callableInterview();
        answers["dwelling_id"] = door;
        auto id = awa.store.importAnswers(formid::kDoorToDoor, answers, "awa");
        REQUIRE(id.ok());
        auto fx = device::finalizeRecord(awa.store, *id, Campaign{}, "2026-11-26T10:00", "awa");
        REQUIRE(fx.ok());
        REQUIRE(fx->issues.empty());
        interviews.push_back(*id);
        effects.push_back(*fx);
    }
    auto consent = device::recordConsent(awa.store, effects[0].personId, kPurposePhone, true, Campaign{},
                                         "2026-11-26T10:05", "awa");
    REQUIRE(consent.ok());
    REQUIRE(device::recordDoorOutcome(awa.store, door1, DoorOutcome::Interview, "2026-11-26T10:00", "awa").ok());
    for (auto outcome : {CallOutcome::NoAnswer, CallOutcome::Answered})
        REQUIRE(device::recordCall(awa.store, effects[0].callTaskId,
                                   CallAttempt{outcome, "2026-11-27T18:00", "awa", ""}, Campaign{})
                    .ok());
    awa.sync();
    const ApiCount written = countThroughApi(f, token);
    CHECK(written.interviews == 2);
    CHECK(written.volunteers == 2);
    CHECK(written.consents >= 1);
    CHECK(written.calls == 2);
    CHECK(written.visited >= 1);
    checkDashboard(f, token, written);

    // A conflict: Awa and the coordinator give the third door two outcomes offline; then the
    // coordinator's console edit of an interview (a server-made version) withdraws the volunteer.
    coord.sync();
    const std::string door3 = doors[2]->id;
    REQUIRE(device::recordDoorOutcome(awa.store, door3, DoorOutcome::Absent, "2026-11-26T11:00", "awa").ok());
    REQUIRE(device::recordDoorOutcome(coord.store, door3, DoorOutcome::Refused, "2026-11-26T11:05", "coco").ok());
    awa.sync();
    CHECK(coord.sync().conflicts >= 1);
    CHECK_FALSE(f.services->repository().openConflicts((*org)->id)->empty());
    auto rec = f.get("/api/v1/records/" + interviews[1], token);
    REQUIRE(rec.status == 200);
    auto edit = f.post("/api/v1/records/" + interviews[1] + "/edit",
                       {{"base_version", rec.body.at("version")}, {"fields", {{"accord_suivi", "non"}}}}, token);
    INFO(edit.raw);
    REQUIRE(edit.status == 200);
    ApiCount conflicted = countThroughApi(f, token);
    CHECK(conflicted.volunteers == 1);
    CHECK(conflicted.visited == written.visited + 1);
    checkDashboard(f, token, conflicted);

    // Deletions: Awa deletes the first interview and the coordinator the consent; they count no more.
    awa.sync();
    REQUIRE(awa.store.deleteRecord(interviews[0]).ok());
    awa.sync();
    coord.sync();
    REQUIRE(coord.store.deleteRecord(*consent).ok());
    coord.sync();
    const ApiCount deleted = countThroughApi(f, token);
    CHECK(deleted.interviews == 1);
    CHECK(deleted.volunteers == 0);
    CHECK(deleted.consents == written.consents - 1);
    checkDashboard(f, token, deleted);

    // A server started afresh on the same data (its first read of every record) agrees too.
    f.restart();
    checkDashboard(f, token, deleted);

    // Warmed at a start (`serve` does it once it listens): both organisations are read and what a
    // coordinator's dashboard asks first is computed, so that the dashboard's three requests compute
    // nothing more, and the figures still equal the count.
    f.restart();
    auto& warmed = f.services->field();
    const std::string today = datePart(nowIsoUtc());
    auto orgs = warmed.warm(today);
    REQUIRE(orgs.ok());
    CHECK(*orgs == 2);
    CHECK(warmed.computations() == 3 * 2);
    for (const std::string path : {"/api/v1/indicators?by=ambassador", "/api/v1/walklists", "/api/v1/calls"})
        CHECK(f.get(path, token).status == 200);
    CHECK(warmed.computations() == 3 * 2);
    checkDashboard(f, token, deleted);
}

TEST_CASE("field.vault: a door interview finalized on a tablet with a PIN leaves no name, phone or address in "
          "its files") {
    // The built-in forms say what is personal: the interview's address, the members' first names and the
    // phone number, and the person the finalization creates.
    test::TempDir dir;
    constexpr const char* kAddress = "17 impasse des Quenouilles";
    constexpr const char* kFirstName = "Zéphyrine";
    std::string interviewId;
    {
        store::StoreOptions o;
        o.pin = "482913";
        o.kdf = store::KdfLimits::fastest();
        auto s = store::Store::open(dir.path(), o);
        REQUIRE(s.ok());
        REQUIRE(device::installBuiltinForms(*s).ok());
        json answers = callableInterview();
        answers["adresse"] = kAddress;
        answers["membres"][0]["prenom"] = kFirstName;
        auto interview = s->importAnswers(formid::kDoorToDoor, answers, "awa");
        REQUIRE(interview.ok());
        interviewId = *interview;
        auto fx = device::finalizeRecord(*s, *interview, Campaign{}, "2026-11-26T10:00", "awa");
        REQUIRE(fx.ok());
        REQUIRE(fx->issues.empty());
        REQUIRE_FALSE(fx->personId.empty());
        auto person = s->get(fx->personId);
        REQUIRE(person.ok());
        CHECK(person->answers.at("telephone") == "+33465710005");
    }
    std::string bytes;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
        if (e.is_regular_file()) {
            std::ifstream in(e.path(), std::ios::binary);
            bytes.append(std::istreambuf_iterator<char>(in), {});
        }
    CHECK(bytes.find("AMB-007") != std::string::npos); // not personal: the scan sees clear answers
    CHECK(bytes.find(kAddress) == std::string::npos);
    CHECK(bytes.find(kFirstName) == std::string::npos);
    CHECK(bytes.find("465710005") == std::string::npos);
    // With the PIN, the interview reads back whole.
    store::StoreOptions o;
    o.pin = "482913";
    auto s = store::Store::open(dir.path(), o);
    REQUIRE(s.ok());
    auto rec = s->get(interviewId);
    REQUIRE(rec.ok());
    CHECK(rec->answers.at("adresse") == kAddress);
    CHECK(rec->answers.at("membres").at(0).at("prenom") == kFirstName);
}

TEST_CASE("field.device: finalizing, refusing calls and a building's absents read one person's or building's "
          "records, not every record") {
    test::TempDir dir;
    auto s = store::Store::open(dir.path(), store::StoreOptions{Durability::Normal});
    REQUIRE(s.ok());
    REQUIRE(device::installBuiltinForms(*s).ok());
    // 400 other people with a consent each, and a building with 3 dwellings: what a full load would read.
    constexpr int kOthers = 400;
    std::string building;
    {
        auto tx = s->transaction();
        REQUIRE(tx.begun().ok());
        for (int i = 0; i < kOthers; ++i) {
            auto p = device::addPerson(*s, {{"prenom", "P" + std::to_string(i)}, {"telephone", "0465710100"}}, "awa");
            REQUIRE(p.ok());
            REQUIRE(s->importAnswers(formid::kConsent,
                                     makeConsent(*p, kPurposePhone, true, "v1", "2026-11-01T10:00", "awa", "").answers,
                                     "awa")
                        .ok());
        }
        auto b = s->importAnswers(formid::kBuilding, {{"rue", "rue A"}, {"numero", "4"}}, "awa");
        REQUIRE(b.ok());
        building = *b;
        for (int i = 0; i < 3; ++i)
            REQUIRE(
                s->importAnswers(formid::kDwelling, {{"building_id", building}, {"logement", std::to_string(i)}}, "awa")
                    .ok());
        REQUIRE(tx.commit().ok());
    }
    auto interview = s->importAnswers(formid::kDoorToDoor, callableInterview(), "awa");
    REQUIRE(interview.ok());

    const std::int64_t before = s->recordsRead();
    auto fx = device::finalizeRecord(*s, *interview, Campaign{}, "2026-11-26T10:00", "awa");
    REQUIRE(fx.ok());
    REQUIRE(fx->issues.empty());
    REQUIRE_FALSE(fx->personId.empty());
    REQUIRE_FALSE(fx->callTaskId.empty()); // the rules still see the person and their consent
    const std::int64_t finalizeReads = s->recordsRead() - before;
    INFO("records read by finalizeRecord: " << finalizeReads);
    CHECK(finalizeReads < 20); // a full load reads the 800 other records

    // Refusing calls cancels the open call task, reading the person's records only.
    const std::int64_t before2 = s->recordsRead();
    REQUIRE(device::recordConsent(*s, fx->personId, kPurposePhone, false, Campaign{}, "2026-11-27T10:00", "awa").ok());
    CHECK(s->recordsRead() - before2 < 20);
    CHECK(s->get(fx->callTaskId)->answers.at("statut") == callStatusValue(CallStatus::Cancelled));

    // Nobody home in the whole building: its 3 dwellings, not every record.
    const std::int64_t before3 = s->recordsRead();
    auto visits = device::markBuildingAbsent(*s, building, "2026-11-27T11:00", "awa");
    REQUIRE(visits.ok());
    CHECK(visits->size() == 3);
    CHECK(s->recordsRead() - before3 < 20);

    // Merging a duplicate (with a consent and a trip survey of its own) and then erasing the person
    // read their records only, and plan exactly what the rules plan over every record.
    auto dup = device::addPerson(*s, {{"prenom", "Karim"}, {"telephone", "0465710005"}}, "awa");
    REQUIRE(dup.ok());
    REQUIRE(device::recordConsent(*s, *dup, kPurposeAnswers, true, Campaign{}, "2026-11-27T12:00", "awa").ok());
    REQUIRE(s->importAnswers(formid::kTripSurvey,
                             {{"person_id", *dup}, {"survey_phase", "avant"}, {"temoignage", "En voiture."}}, "awa")
                .ok());
    auto all = device::loadViews(*s);
    REQUIRE(all.ok());
    auto expectedMerge = planMerge(RecordIndex(*all), fx->personId, *dup);
    REQUIRE(expectedMerge.ok());
    const std::int64_t before4 = s->recordsRead();
    auto merged = device::mergePeople(*s, fx->personId, *dup);
    REQUIRE(merged.ok());
    CHECK(s->recordsRead() - before4 < 20);
    CHECK(merged->keepChanges == expectedMerge->keepChanges);
    CHECK(merged->loserChanges == expectedMerge->loserChanges);
    CHECK(merged->relinks == expectedMerge->relinks);
    CHECK(merged->relinks.size() == 2);

    all = device::loadViews(*s);
    REQUIRE(all.ok());
    auto expectedErasure = planErasure(RecordIndex(*all), fx->personId);
    REQUIRE(expectedErasure.ok());
    const std::int64_t before5 = s->recordsRead();
    auto erased = device::erasePerson(*s, fx->personId);
    REQUIRE(erased.ok());
    CHECK(s->recordsRead() - before5 < 30);
    CHECK(erased->plan.erase == expectedErasure->erase);
    CHECK(erased->plan.updates == expectedErasure->updates);
    // The person, the interview, the duplicate's survey: their personal fields are gone.
    CHECK(erased->erased.size() >= 3);
    CHECK_FALSE(s->get(*interview)->answers.contains("telephone"));
    CHECK(s->get(fx->callTaskId)->answers.at("statut") == callStatusValue(CallStatus::Cancelled));

    // A link field that is not a plain name is refused, not spliced into SQL.
    auto bad = s->linked(formid::kPerson, "x') OR 1=1 --", "p");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::Invalid);
}
