// Kill -9 at every commit point of finalizing a door interview: after a restart and a retry the device
// holds exactly one person, one consent set, one door visit and one call task (issue 18).
#include "field/device.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

using namespace carnet;
using namespace carnet::field;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Records per form (not deleted).
json countByForm(store::Store& store) {
    json out = json::object();
    auto records = store.list();
    REQUIRE(records.ok());
    for (const auto& r : *records)
        out[r.formId] = out.value(r.formId, 0) + 1;
    return out;
}

// Runs the child; returns its wait status.
int runChild(const fs::path& dir, const std::string& id, int killAt, const char* phase) {
    const std::string n = std::to_string(killAt);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::execl(CARNET_FINALIZE_CRASH_CHILD, CARNET_FINALIZE_CRASH_CHILD, dir.c_str(), id.c_str(), n.c_str(), phase,
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

void copyDir(const fs::path& from, const fs::path& to) {
    fs::remove_all(to);
    fs::copy(from, to, fs::copy_options::recursive);
}

} // namespace

TEST_CASE("field.finalize: kill -9 at every commit point, then a retry, leaves one person, consent set, visit and "
          "call task") {
    test::TempDir dir;
    const fs::path base = dir.path() / "base";
    std::string interview;
    {
        auto s = store::Store::open(base);
        REQUIRE(s.ok());
        REQUIRE(device::installBuiltinForms(*s).ok());
        auto imp = device::importWalkList(*s, "commune;rue;numero;logement\nAix;rue A;4;1A\n", "Lot A", "awa");
        REQUIRE(imp.ok());
        REQUIRE(imp->dwellings.size() == 1);
        auto id = device::startInterview(*s, imp->dwellings[0].id, "awa");
        REQUIRE(id.ok());
        interview = *id;
        const std::vector<std::pair<std::string, json>> answers = {{"code_ambassadeur", "AMB-007"},
                                                                   {"commune", "aix_en_provence"},
                                                                   {"quartier", "aix_jas_de_bouffan"},
                                                                   {"heure_passage", "2026-11-26T10:00"},
                                                                   {"issue_visite", "entretien"},
                                                                   {"nb_personnes", 1},
                                                                   {"membres[1]/prenom", "Karim"},
                                                                   {"membres[1]/tranche_age", "30_44"},
                                                                   {"voiture", "non"},
                                                                   {"eco_geste", "velo"},
                                                                   {"trajets_vises", json::array({"travail"})},
                                                                   {"distance_travail_km", 8},
                                                                   {"accord_suivi", "oui"},
                                                                   {"telephone", "0465710005"},
                                                                   {"accord_appels", true},
                                                                   {"consentement_reponses", true}};
        for (const auto& [path, value] : answers) {
            INFO(path);
            REQUIRE(s->setAnswer(interview, path, value).ok());
        }
    }
    // What finalizing without a crash creates.
    json expected;
    {
        copyDir(base, dir.path() / "clean");
        auto s = store::Store::open(dir.path() / "clean");
        REQUIRE(s.ok());
        auto fx = device::finalizeRecord(*s, interview, Campaign{}, "2026-11-26T10:00", "awa");
        REQUIRE(fx.ok());
        REQUIRE(fx->issues.empty());
        expected = countByForm(*s);
    }
    REQUIRE(expected.value(std::string(formid::kPerson), 0) == 1);
    REQUIRE(expected.value(std::string(formid::kConsent), 0) >= 1);
    REQUIRE(expected.value(std::string(formid::kDoorVisit), 0) == 1);
    REQUIRE(expected.value(std::string(formid::kCallTask), 0) == 1);

    int kills = 0;
    for (const char* phase : {"before", "after"}) {
        for (int k = 1; k <= 50; ++k) {
            INFO("killed " << phase << " commit " << k);
            const fs::path work = dir.path() / "work";
            copyDir(base, work);
            const int status = runChild(work, interview, k, phase);
            if (WIFEXITED(status)) {
                REQUIRE(WEXITSTATUS(status) == 0); // fewer than k commits: every point was tried
                break;
            }
            REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
            ++kills;
            auto s = store::Store::open(work);
            REQUIRE(s.ok());
            REQUIRE(*s->integrityOk());
            auto fx = device::finalizeRecord(*s, interview, Campaign{}, "2026-11-26T10:00", "awa"); // the retry
            REQUIRE(fx.ok());
            REQUIRE(fx->issues.empty());
            auto rec = s->get(interview);
            REQUIRE(rec.ok());
            CHECK(rec->status == store::Status::Finalized);
            const auto counts = countByForm(*s);
            CHECK(counts.dump() == expected.dump());
            // The interview names the one person there is.
            auto people = s->list();
            REQUIRE(people.ok());
            for (const auto& r : *people)
                if (r.formId == formid::kPerson) CHECK(rec->answers.value("person_id", "") == r.id);
        }
    }
    CHECK(kills >= 2); // at least the commit itself, before and after
}
