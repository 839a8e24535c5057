#include "field/people.hpp"

#include "field/builtin.hpp"
#include "field/calls.hpp"
#include "forms/loader.hpp"

#include <algorithm>
#include <map>

namespace carnet::field {

using nlohmann::json;

std::vector<std::string> personalFields(const forms::Form& form) {
    std::vector<std::string> out;
    for (const forms::Item& item : form.items) {
        if (!item.personal) continue;
        if (item.repeat < 0) {
            out.push_back(item.name);
        } else {
            // The op erases top-level answers: a personal question inside a repeat names it "R[].F".
            const forms::Item* top = &form.items[static_cast<std::size_t>(item.repeatPath.front())];
            out.push_back(top->name + "[]." + item.name);
        }
    }
    return out;
}

std::vector<std::string> personalFields(std::string_view formId) {
    // The built-in forms' `personal` flags, read once.
    static const std::map<std::string, std::vector<std::string>, std::less<>> kFromForms = [] {
        std::map<std::string, std::vector<std::string>, std::less<>> m;
        for (const BuiltinFile& f : builtinForms()) {
            auto loaded = forms::loadForm(f.text);
            if (!loaded.ok()) continue;
            auto names = personalFields(*loaded.form);
            if (!names.empty()) m.emplace(loaded.form->id, std::move(names));
        }
        return m;
    }();
    if (auto it = kFromForms.find(formId); it != kFromForms.end()) return it->second;
    // Fallback when the built-in form carries no flag.
    if (formId == formid::kPerson) return {"prenom", "nom", "telephone"};
    if (formId == formid::kDoorToDoor)
        return {"adresse", "membres[].prenom", "telephone", "courriel", "position", "observations"};
    if (formId == formid::kPhoneFollowup) return {"numero_compose", "verbatim", "commentaire"};
    if (formId == formid::kTripSurvey) return {"temoignage"};
    return {};
}

std::string foldName(std::string_view first, std::string_view last) {
    static const std::pair<std::string_view, std::string_view> kFold[] = {
        {"à", "a"}, {"â", "a"}, {"ä", "a"}, {"á", "a"}, {"ç", "c"}, {"é", "e"},  {"è", "e"},  {"ê", "e"},
        {"ë", "e"}, {"î", "i"}, {"ï", "i"}, {"í", "i"}, {"ô", "o"}, {"ö", "o"},  {"ó", "o"},  {"ù", "u"},
        {"û", "u"}, {"ü", "u"}, {"ú", "u"}, {"ÿ", "y"}, {"ñ", "n"}, {"œ", "oe"}, {"æ", "ae"}, {"À", "a"},
        {"Â", "a"}, {"Ç", "c"}, {"É", "e"}, {"È", "e"}, {"Ê", "e"}, {"Ë", "e"},  {"Î", "i"},  {"Ï", "i"},
        {"Ô", "o"}, {"Ö", "o"}, {"Ù", "u"}, {"Û", "u"}, {"Ü", "u"}, {"Œ", "oe"}, {"Æ", "ae"}, {"’", " "}};
    const std::string in = std::string(first) + " " + std::string(last);
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        bool folded = false;
        // Every folded sequence starts with a non-ASCII byte: ASCII skips the table (record search
        // folds every answer's text).
        if (static_cast<unsigned char>(in[i]) >= 0x80)
            for (const auto& [from, to] : kFold) {
                if (in.compare(i, from.size(), from) == 0) {
                    out += to;
                    i += from.size();
                    folded = true;
                    break;
                }
            }
        if (folded) continue;
        char c = in[i++];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c == '-' || c == '\'' || c == '.' || c == '\t') c = ' ';
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::vector<std::string> personAliases(const RecordIndex& records, std::string_view personId) {
    std::vector<std::string> ids{std::string(personId)};
    for (std::size_t i = 0; i < ids.size() && ids.size() < 64; ++i)
        for (const RecordView* p : records.linked(formid::kPerson, fields::kMergedInto, ids[i]))
            if (std::find(ids.begin(), ids.end(), p->id) == ids.end()) ids.push_back(p->id);
    return ids;
}

const RecordView* latestConsent(const RecordIndex& records, std::string_view personId, std::string_view purpose) {
    const RecordView* best = nullptr;
    std::vector<const RecordView*> consents;
    for (const auto& id : personAliases(records, personId))
        for (const RecordView* c : records.linked(formid::kConsent, fields::kPersonId, id))
            consents.push_back(c);
    for (const RecordView* c : consents) {
        if (c->text(fields::kPurpose) != purpose) continue;
        if (best == nullptr || std::make_pair(c->text(fields::kCollectedAt), c->id) >
                                   std::make_pair(best->text(fields::kCollectedAt), best->id))
            best = c;
    }
    return best;
}

NewRecord makeConsent(std::string_view personId, std::string_view purpose, bool granted,
                      std::string_view wordingVersion, std::string_view at, std::string_view by, std::string id) {
    NewRecord c;
    c.id = std::move(id);
    c.formId = std::string(formid::kConsent);
    c.answers = {{fields::kPersonId, personId},
                 {fields::kPurpose, purpose},
                 {fields::kGranted, granted ? "oui" : "non"},
                 {fields::kWordingVersion, wordingVersion},
                 {fields::kCollectedAt, at},
                 {fields::kCollectedBy, by}};
    return c;
}

std::optional<InterviewPeople> planPersonFromInterview(const RecordView& interview, const Campaign& campaign,
                                                       std::string_view at, std::string_view by,
                                                       const std::function<std::string()>& newId) {
    if (interview.formId != formid::kDoorToDoor) return std::nullopt;
    if (interview.text("issue_visite") != "entretien" || !interview.text(fields::kPersonId).empty())
        return std::nullopt;
    InterviewPeople out;
    out.person.id = newId();
    out.person.formId = std::string(formid::kPerson);
    json& a = out.person.answers;
    a[fields::kSourceRecordId] = interview.id;
    a[fields::kDoNotContact] = "non";
    if (auto d = interview.text(fields::kDwellingId); !d.empty()) a[fields::kDwellingId] = d;
    if (auto it = interview.answers.find("membres"); it != interview.answers.end() && it->is_array() && !it->empty())
        if (auto p = (*it)[0].find("prenom"); p != (*it)[0].end() && p->is_string() && !p->get<std::string>().empty())
            a[fields::kFirstName] = *p;
    if (auto t = interview.text("telephone"); !t.empty()) a[fields::kPhone] = t;
    if (auto v = interview.text("voiture"); !v.empty()) a[fields::kCarOwner] = v;
    if (auto g = interview.text("eco_geste"); !g.empty()) a[fields::kEcoGesture] = g;
    auto truthy = [&](const char* f) {
        auto it = interview.answers.find(f);
        return it != interview.answers.end() && it->is_boolean() && it->get<bool>();
    };
    const bool phone = interview.text("accord_suivi") == "oui" && truthy("accord_appels");
    out.consents.push_back(
        makeConsent(out.person.id, kPurposePhone, phone, campaign.consentWordingVersion, at, by, newId()));
    out.consents.push_back(makeConsent(out.person.id, kPurposeAnswers, truthy("consentement_reponses"),
                                       campaign.consentWordingVersion, at, by, newId()));
    return out;
}

json DuplicatePair::toJson() const {
    return {{"keep", keepId}, {"other", otherId}, {"reason", reason}};
}

namespace {
bool live(const RecordView& p) {
    return p.formId == formid::kPerson && p.text(fields::kErased) != "oui" && p.text(fields::kMergedInto).empty();
}
bool olderFirst(const RecordView* a, const RecordView* b) {
    return std::tie(a->createdAt, a->id) < std::tie(b->createdAt, b->id);
}
} // namespace

std::vector<DuplicatePair> findDuplicates(const RecordIndex& records) {
    std::vector<const RecordView*> people;
    for (const RecordView* p : records.ofForm(formid::kPerson))
        if (live(*p)) people.push_back(p);
    std::sort(people.begin(), people.end(), olderFirst);
    std::vector<DuplicatePair> out;
    for (std::size_t i = 0; i < people.size(); ++i) {
        for (std::size_t j = i + 1; j < people.size(); ++j) {
            const RecordView& a = *people[i];
            const RecordView& b = *people[j];
            std::string reason;
            const std::string pa = a.text(fields::kPhone);
            if (!pa.empty() && pa == b.text(fields::kPhone)) {
                reason = "phone";
            } else {
                const std::string na = foldName(a.text(fields::kFirstName), a.text(fields::kLastName));
                const std::string da = a.text(fields::kDwellingId);
                if (!na.empty() && !da.empty() && da == b.text(fields::kDwellingId) &&
                    na == foldName(b.text(fields::kFirstName), b.text(fields::kLastName)))
                    reason = "name_dwelling";
            }
            if (!reason.empty()) out.push_back({a.id, b.id, reason});
        }
    }
    return out;
}

Result<MergePlan> planMerge(const RecordIndex& records, std::string_view keepId, std::string_view loserId, Lang lang) {
    const RecordView* keep = records.find(keepId);
    const RecordView* loser = records.find(loserId);
    if (keep == nullptr || !live(*keep)) return Error{ErrorCode::Invalid, tr("field.person.not_live", lang, {keepId})};
    if (loser == nullptr || !live(*loser))
        return Error{ErrorCode::Invalid, tr("field.person.not_live", lang, {loserId})};
    if (keepId == loserId) return Error{ErrorCode::Invalid, tr("field.person.merge_self", lang, {keepId})};
    MergePlan plan;
    plan.keepChanges = json::object();
    for (auto f : {fields::kFirstName, fields::kLastName, fields::kPhone, fields::kCarOwner, fields::kEcoGesture,
                   fields::kDwellingId}) {
        const std::string k(f);
        if (keep->text(f).empty() && !loser->text(f).empty()) plan.keepChanges[k] = loser->answers.at(k);
    }
    if (loser->text(fields::kDoNotContact) == "oui" && keep->text(fields::kDoNotContact) != "oui")
        plan.keepChanges[fields::kDoNotContact] = "oui";
    plan.loserChanges = {{fields::kMergedInto, keepId}};
    for (const auto& f : personalFields(formid::kPerson))
        if (loser->answers.contains(f)) plan.loserChanges[f] = nullptr;
    for (const RecordView& r : records.all())
        if (r.text(fields::kPersonId) == loserId) plan.relinks.emplace_back(r.id, json{{fields::kPersonId, keepId}});
    return plan;
}

Result<ErasurePlan> planErasure(const RecordIndex& records, std::string_view personId, Lang lang) {
    const RecordView* person = records.find(personId);
    if (person == nullptr || person->formId != formid::kPerson)
        return Error{ErrorCode::NotFound, tr("field.person.not_found", lang, {personId})};
    ErasurePlan plan;
    auto erase = [&](const RecordView& r) {
        std::vector<std::string> present;
        for (const auto& f : personalFields(r.formId)) {
            const auto bracket = f.find("[]");
            const std::string top = bracket == std::string::npos ? f : f.substr(0, bracket);
            if (r.answers.contains(top) && !r.answers.at(top).is_null()) present.push_back(f);
        }
        if (!present.empty()) plan.erase.emplace_back(r.id, std::move(present));
    };
    erase(*person);
    std::vector<std::string> seen{person->id};
    auto visit = [&](const RecordView& r) {
        if (std::find(seen.begin(), seen.end(), r.id) != seen.end()) return;
        seen.push_back(r.id);
        erase(r);
        if (r.formId == formid::kCallTask && r.text(fields::kCallStatus) == callStatusValue(CallStatus::Open))
            plan.updates.emplace_back(r.id, json{{fields::kCallStatus, callStatusValue(CallStatus::Cancelled)}});
    };
    for (const auto& alias : personAliases(records, personId)) {
        const RecordView* p = records.find(alias);
        if (p == nullptr) continue;
        if (alias != personId) {
            seen.push_back(alias);
            erase(*p);
        }
        for (const RecordView& r : records.all())
            if (r.text(fields::kPersonId) == alias) visit(r);
        if (const RecordView* src = records.find(p->text(fields::kSourceRecordId))) visit(*src);
    }
    plan.updates.emplace_back(person->id, json{{fields::kErased, "oui"}, {fields::kDoNotContact, "oui"}});
    return plan;
}

} // namespace carnet::field
