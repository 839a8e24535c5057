#include "field_cli.hpp"

#include "core/ids.hpp"
#include "core/json_text.hpp"
#include "field/builtin.hpp"
#include "field/device.hpp"

#include <iostream>
#include <map>

namespace carnet::device_cli {

using nlohmann::json;
namespace fd = field::device;

namespace {

int fail(const Error& e) {
    std::cerr << e.message << '\n';
    return 1;
}

// Positional arguments and --flag VALUE pairs.
struct Args {
    std::vector<std::string> pos;
    std::map<std::string, std::string, std::less<>> flags;
    bool bad = false;
    [[nodiscard]] std::string flag(std::string_view name, std::string fallback = {}) const {
        auto it = flags.find(name);
        return it == flags.end() ? fallback : it->second;
    }
};

Args splitArgs(const std::vector<std::string>& a) {
    Args out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].rfind("--", 0) == 0) {
            if (i + 1 >= a.size()) {
                out.bad = true;
                break;
            }
            out.flags[a[i].substr(2)] = a[i + 1];
            ++i;
        } else {
            out.pos.push_back(a[i]);
        }
    }
    return out;
}

Result<field::Campaign> campaignOf(const Args& a, Lang lang) {
    if (auto file = a.flag("campaign"); !file.empty()) return field::loadCampaign(file, lang);
    json doc = json::parse(field::demoCampaignText());
    return field::parseCampaign(doc, "assets/campaign/demo.json", lang);
}

void printLines(const std::vector<json>& lines) {
    for (const auto& j : lines)
        std::cout << j.dump() << '\n';
}

json entryJson(const std::string& id, const std::vector<std::string>& fields) {
    return {{"record_id", id}, {"fields", fields}};
}

} // namespace

std::optional<int> runFieldCommand(store::Store& st, const std::vector<std::string>& raw, const std::string& author,
                                   Lang lang) {
    if (raw.empty()) return std::nullopt;
    static const std::vector<std::string> kCommands = {"demo-seed", "field",  "walklist", "door",    "building-absent",
                                                       "interview", "person", "people",   "consent", "duplicates",
                                                       "merge",     "calls",  "call",     "impact",  "indicators"};
    if (std::find(kCommands.begin(), kCommands.end(), raw[0]) == kCommands.end()) return std::nullopt;
    const Args a = splitArgs(raw);
    if (a.bad) return 2;
    const auto& p = a.pos;
    const std::string cmd = p[0];
    const std::string sub = p.size() > 1 ? p[1] : "";
    const std::string at = a.flag("at", nowIsoUtc());
    const std::string today = a.flag("today", field::datePart(at));
    const std::string user = a.flag("user", author);
    auto campaign = campaignOf(a, lang);
    if (!campaign) return fail(campaign.error());

    if (cmd == "demo-seed" && p.size() == 1) {
        fd::DemoOptions opt;
        if (!user.empty()) opt.user = user;
        opt.today = a.flag("today", "");
        auto r = fd::seedDemo(st, *campaign, opt);
        if (!r) return fail(r.error());
        std::cout << json{{"walk_lists", r->walkLists}, {"buildings", r->buildings},   {"dwellings", r->dwellings},
                          {"visits", r->visits},        {"interviews", r->interviews}, {"people", r->people},
                          {"call_tasks", r->callTasks}, {"calls", r->calls},           {"surveys", r->surveys},
                          {"sessions", r->sessions}}
                         .dump()
                  << '\n';
        return 0;
    }
    if (cmd == "field" && sub == "install-forms" && p.size() == 2) {
        auto r = fd::installBuiltinForms(st);
        if (!r) return fail(r.error());
        std::cout << json{{"installed", *r}}.dump() << '\n';
        return 0;
    }
    if (cmd == "field" && sub == "finalize" && p.size() == 3) {
        auto r = fd::finalizeRecord(st, p[2], *campaign, at, user);
        if (!r) return fail(r.error());
        if (!r->issues.empty()) {
            std::cerr << tr("device.finalize_missing", lang, {p[2], std::to_string(r->issues.size())}) << '\n';
            for (const auto& issue : r->issues)
                std::cerr << tr("store.field_error", lang, {p[2], issue.path, issue.message}) << '\n';
            return 1;
        }
        std::cout << json{{"record_id", p[2]},
                          {"person_id", r->personId},
                          {"consent_ids", r->consentIds},
                          {"door_visit_id", r->doorVisitId},
                          {"call_task_id", r->callTaskId}}
                         .dump()
                  << '\n';
        return 0;
    }
    auto views = fd::loadViews(st);
    if (!views) return fail(views.error());
    const field::RecordIndex index(*views);

    if (cmd == "walklist" && sub == "import" && p.size() == 3) {
        auto text = readTextFile(p[2]);
        if (!text) return fail(text.error());
        auto r = fd::importWalkList(st, *text, a.flag("name"), user, lang);
        if (!r) {
            std::cerr << p[2] << ": " << r.error().message << '\n';
            return 1;
        }
        std::cout << json{{"walklist_id", r->walkList.id},
                          {"buildings", r->buildings.size()},
                          {"dwellings", r->dwellings.size()}}
                         .dump()
                  << '\n';
        return 0;
    }
    if (cmd == "walklist" && sub == "list" && p.size() == 2) {
        std::vector<json> out;
        for (const auto& w : field::walkListProgress(index))
            out.push_back(w.toJson());
        printLines(out);
        return 0;
    }
    if (cmd == "walklist" && sub == "buildings" && p.size() == 3) {
        std::vector<const field::RecordView*> buildings =
            index.linked(field::formid::kBuilding, field::fields::kWalkListId, p[2]);
        std::stable_sort(buildings.begin(), buildings.end(), [](auto* x, auto* y) {
            return x->number(field::fields::kOrder) < y->number(field::fields::kOrder);
        });
        std::vector<json> out;
        for (const auto* b : buildings) {
            json j = b->answers;
            j["id"] = b->id;
            j["dwellings"] = index.linked(field::formid::kDwelling, field::fields::kBuildingId, b->id).size();
            j["remaining"] = field::remainingDwellings(index, b->id).size();
            out.push_back(std::move(j));
        }
        printLines(out);
        return 0;
    }
    if (cmd == "walklist" && sub == "doors" && p.size() == 3) {
        std::vector<const field::RecordView*> doors =
            index.linked(field::formid::kDwelling, field::fields::kBuildingId, p[2]);
        std::stable_sort(doors.begin(), doors.end(), [](auto* x, auto* y) {
            return x->number(field::fields::kOrder) < y->number(field::fields::kOrder);
        });
        std::vector<json> out;
        for (const auto* d : doors) {
            json j = d->answers;
            j["id"] = d->id;
            out.push_back(std::move(j));
        }
        printLines(out);
        return 0;
    }
    if (cmd == "door" && p.size() == 3) {
        auto outcome = field::parseOutcome(p[2]);
        if (!outcome) return 2;
        auto r = fd::recordDoorOutcome(st, p[1], *outcome, at, user);
        if (!r) return fail(r.error());
        std::cout << *r << '\n';
        return 0;
    }
    if (cmd == "building-absent" && p.size() == 2) {
        auto r = fd::markBuildingAbsent(st, p[1], at, user);
        if (!r) return fail(r.error());
        std::cout << json{{"door_visits", *r}}.dump() << '\n';
        return 0;
    }
    if (cmd == "interview" && sub == "start" && p.size() == 3) {
        auto r = fd::startInterview(st, p[2], user);
        if (!r) return fail(r.error());
        std::cout << *r << '\n';
        return 0;
    }
    if (cmd == "people" && p.size() == 1) {
        std::vector<json> out;
        for (const auto* person : index.ofForm(field::formid::kPerson)) {
            json j = person->answers;
            j["id"] = person->id;
            j["may_call"] = field::mayCall(index, person->id);
            out.push_back(std::move(j));
        }
        printLines(out);
        return 0;
    }
    if (cmd == "person" && sub == "add" && p.size() == 3) {
        json answers = json::parse(p[2], nullptr, false);
        if (answers.is_discarded() || !answers.is_object()) return 2;
        auto r = fd::addPerson(st, answers, user);
        if (!r) return fail(r.error());
        std::cout << *r << '\n';
        return 0;
    }
    if (cmd == "person" && sub == "do-not-contact" && p.size() == 3) {
        if (auto r = fd::setDoNotContact(st, p[2]); !r) return fail(r.error());
        std::cout << tr("device.saved", lang) << '\n';
        return 0;
    }
    if (cmd == "person" && sub == "erase" && p.size() == 3) {
        auto r = fd::erasePerson(st, p[2], lang);
        if (!r) return fail(r.error());
        json erased = json::array();
        for (const auto& [id, f] : r->erased)
            erased.push_back(entryJson(id, f));
        std::cout << json{{"erased", erased}}.dump() << '\n';
        return 0;
    }
    if (cmd == "consent" && p.size() == 4 && (p[3] == "oui" || p[3] == "non")) {
        if (p[2] != field::kPurposePhone && p[2] != field::kPurposeAnswers) return 2;
        auto r = fd::recordConsent(st, p[1], p[2], p[3] == "oui", *campaign, at, user);
        if (!r) return fail(r.error());
        std::cout << *r << '\n';
        return 0;
    }
    if (cmd == "duplicates" && p.size() == 1) {
        std::vector<json> out;
        for (const auto& d : field::findDuplicates(index))
            out.push_back(d.toJson());
        printLines(out);
        return 0;
    }
    if (cmd == "merge" && p.size() == 3) {
        auto r = fd::mergePeople(st, p[1], p[2], lang);
        if (!r) return fail(r.error());
        std::cout << json{{"kept", p[1]}, {"merged", p[2]}, {"relinked", r->relinks.size()}}.dump() << '\n';
        return 0;
    }
    if (cmd == "calls" && sub == "queue" && p.size() == 2) {
        std::vector<json> out;
        for (const auto& e : field::callQueue(index, a.flag("caller"), today))
            out.push_back(e.toJson());
        printLines(out);
        return 0;
    }
    if (cmd == "calls" && sub == "stats" && p.size() == 2) {
        std::vector<json> out;
        for (const auto& s : field::callerStats(index, today))
            out.push_back(s.toJson());
        printLines(out);
        return 0;
    }
    if (cmd == "call" && p.size() == 3) {
        auto outcome = field::parseCallOutcome(p[2]);
        if (!outcome) return 2;
        field::CallAttempt attempt{*outcome, at, user, a.flag("callback")};
        auto r = fd::recordCall(st, p[1], attempt, *campaign, lang);
        if (!r) return fail(r.error());
        std::cout << json{{"status", field::callStatusValue(r->status)}, {"script_id", r->scriptId}}.dump() << '\n';
        return 0;
    }
    if (cmd == "impact" && p.size() == 2) {
        if (p[1] == "pairs") {
            std::vector<json> out;
            for (const auto& pair : field::matchBeforeAfter(index, *campaign)) {
                json j = pair.impact.toJson();
                j["person_id"] = pair.personId;
                j["before_id"] = pair.beforeId;
                j["after_id"] = pair.afterId;
                out.push_back(std::move(j));
            }
            printLines(out);
            return 0;
        }
        std::size_t used = 0;
        double km = 0;
        try {
            km = std::stod(p[1], &used);
        } catch (const std::exception&) {
            return 2;
        }
        if (used != p[1].size()) return 2;
        std::cout << field::impactOfKm(km, campaign->impact).toJson().dump() << '\n';
        return 0;
    }
    if (cmd == "indicators" && p.size() == 1) {
        auto by = field::parseGroupBy(a.flag("by", "ambassador"));
        if (!by) return 2;
        std::cout << field::computeIndicators(index, *campaign, *by).toJson().dump() << '\n';
        return 0;
    }
    return 2;
}

} // namespace carnet::device_cli
