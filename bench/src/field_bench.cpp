// bench/store (field part): a 20,000-record device store of the built-in field forms (people with
// their consent and call task, buildings with their dwellings), then finalizing door interviews with
// field::device::finalizeRecord: the person, consents, door visit and follow-up call task in one unit
// of work; then merging pairs of the people created (field::device::mergePeople) and erasing the kept
// ones (erasePerson). `--encrypted`: the same with a PIN (personal values sealed, docs/security.md).
#include "core/ids.hpp"
#include "field/device.hpp"
#include "store/store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

using namespace carnet;
using namespace carnet::field;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kPeople = 4000;    // x3: the person, their phone consent, their call task
constexpr int kBuildings = 1000; // x8: the building and 7 dwellings
constexpr int kFinalizes = 50;
constexpr const char* kPin = "bench-pin-2026";

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[i];
}

int fail(const Error& e) {
    std::fprintf(stderr, "%s\n", e.message.c_str());
    return 1;
}

json interview(const std::string& dwelling, int i) {
    return {{"dwelling_id", dwelling},
            {"code_ambassadeur", "AMB-007"},
            {"commune", "aix_en_provence"},
            {"quartier", "aix_jas_de_bouffan"},
            {"adresse", std::to_string(i) + " rue A"},
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

int main(int argc, char** argv) {
    bool encrypted = false;
    fs::path dir = fs::temp_directory_path() / "carnet-bench-field";
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--encrypted")
            encrypted = true;
        else
            dir = fs::path(argv[i]) / "carnet-bench-field"; // only this subfolder is ever deleted
    }
    fs::remove_all(dir);
    auto options = [&](Durability d) {
        store::StoreOptions o{d, "fr", 0};
        if (encrypted) o.pin = kPin;
        return o;
    };
    std::vector<std::string> dwellings;
    {
        // Populate quickly (synchronous=NORMAL, one transaction); the measurements reopen with FULL.
        auto s = store::Store::open(dir, options(Durability::Normal));
        if (!s.ok()) return fail(s.error());
        if (auto r = device::installBuiltinForms(*s); !r.ok()) return fail(r.error());
        auto tx = s->transaction();
        if (!tx.begun().ok()) return fail(tx.begun().error());
        for (int i = 0; i < kPeople; ++i) {
            auto p = device::addPerson(
                *s, {{"prenom", "Prénom " + std::to_string(i)}, {"nom", "Nom"}, {"telephone", "0465710100"}}, "awa");
            if (!p.ok()) return fail(p.error());
            const auto consent = makeConsent(*p, kPurposePhone, true, "v1", "2026-11-01T10:00", "awa", "");
            if (auto c = s->importAnswers(formid::kConsent, consent.answers, "awa"); !c.ok()) return fail(c.error());
            const json task = {{fields::kPersonId, *p},
                               {fields::kCallForm, formid::kPhoneFollowup},
                               {fields::kDueDate, "2026-12-10"},
                               {fields::kCallStatus, callStatusValue(CallStatus::Open)},
                               {fields::kAttemptCount, 0}};
            if (auto t = s->importAnswers(formid::kCallTask, task, "awa"); !t.ok()) return fail(t.error());
        }
        for (int i = 0; i < kBuildings; ++i) {
            auto b = s->importAnswers(formid::kBuilding, {{"rue", "rue A"}, {"numero", std::to_string(i)}}, "awa");
            if (!b.ok()) return fail(b.error());
            for (int d = 0; d < 7; ++d) {
                auto id =
                    s->importAnswers(formid::kDwelling, {{"building_id", *b}, {"logement", std::to_string(d)}}, "awa");
                if (!id.ok()) return fail(id.error());
                dwellings.push_back(*id);
            }
        }
        if (auto c = tx.commit(); !c.ok()) return fail(c.error());
    }
    auto s = store::Store::open(dir, options(Durability::Full));
    if (!s.ok()) return fail(s.error());
    auto all = s->list();
    if (!all.ok()) return fail(all.error());
    const std::size_t records = all->size();

    // Drafts to finalize, written before the clock runs (what the ambassador typed at the door).
    std::vector<std::string> drafts;
    for (int i = 0; i < kFinalizes + 5; ++i) {
        auto id = s->importAnswers(formid::kDoorToDoor,
                                   interview(dwellings[static_cast<std::size_t>(i) * 97 % dwellings.size()], i), "awa");
        if (!id.ok()) return fail(id.error());
        drafts.push_back(*id);
    }
    std::vector<double> times;
    std::vector<std::string> people; // the persons the interviews created
    std::int64_t read = 0;
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        const std::int64_t before = s->recordsRead();
        const auto t0 = Clock::now();
        auto fx = device::finalizeRecord(*s, drafts[i], Campaign{}, "2026-11-26T10:00", "awa");
        const double t = ms(Clock::now() - t0);
        if (!fx.ok()) return fail(fx.error());
        if (!fx->issues.empty() || fx->callTaskId.empty() || fx->doorVisitId.empty()) {
            std::fprintf(stderr, "finalize: %s\n",
                         fx->issues.empty() ? "no call task or door visit" : fx->issues.front().message.c_str());
            return 1;
        }
        people.push_back(fx->personId);
        if (i < 5) continue; // the first ones warm the page cache
        times.push_back(t);
        read = s->recordsRead() - before;
    }
    // Merging duplicates: each even person keeps the next one (its consents, call task, interview
    // relinked or followed through fusionne_dans); then erasing the kept people, duplicates included.
    std::vector<double> merges, erasures;
    for (std::size_t i = 0; i + 1 < people.size(); i += 2) {
        const auto t0 = Clock::now();
        auto m = device::mergePeople(*s, people[i], people[i + 1]);
        merges.push_back(ms(Clock::now() - t0));
        if (!m.ok()) return fail(m.error());
    }
    for (std::size_t i = 0; i + 1 < people.size(); i += 2) {
        const auto t0 = Clock::now();
        auto e = device::erasePerson(*s, people[i]);
        erasures.push_back(ms(Clock::now() - t0));
        if (!e.ok()) return fail(e.error());
        if (e->erased.empty()) {
            std::fprintf(stderr, "erase: nothing erased for %s\n", people[i].c_str());
            return 1;
        }
    }
    std::printf("field_store_encrypted %d\n", encrypted ? 1 : 0);
    std::printf("field_records %zu records\n", records);
    std::printf("field_finalize_ms %.3f ms\n", percentile(times, 0.5));
    std::printf("field_finalize_p99_ms %.3f ms\n", percentile(times, 0.99));
    std::printf("field_finalize_records_read %lld records\n", static_cast<long long>(read));
    std::printf("field_merge_ms %.3f ms\n", percentile(merges, 0.5));
    std::printf("field_erase_ms %.3f ms\n", percentile(erasures, 0.5));
    fs::remove_all(dir);
    return 0;
}
