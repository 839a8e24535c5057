#include "field/calls.hpp"

#include "field/people.hpp"

#include <algorithm>
#include <map>

namespace carnet::field {

using nlohmann::json;

std::optional<FollowupSpec> followupOf(const json& doc) {
    auto it = doc.find("followup");
    if (it == doc.end() || !it->is_object()) return std::nullopt;
    auto f = it->find("form");
    auto d = it->find("after_days");
    if (f == it->end() || !f->is_string() || d == it->end() || !d->is_number_integer()) return std::nullopt;
    return FollowupSpec{f->get<std::string>(), d->get<int>()};
}

std::string_view callStatusValue(CallStatus s) {
    switch (s) {
    case CallStatus::Open:
        return "a_faire";
    case CallStatus::Done:
        return "termine";
    case CallStatus::WrongNumber:
        return "faux_numero";
    case CallStatus::Exhausted:
        return "epuise";
    case CallStatus::Cancelled:
        return "annule";
    }
    return "a_faire";
}

std::optional<CallStatus> parseCallStatus(std::string_view v) {
    for (auto s :
         {CallStatus::Open, CallStatus::Done, CallStatus::WrongNumber, CallStatus::Exhausted, CallStatus::Cancelled})
        if (callStatusValue(s) == v) return s;
    return std::nullopt;
}

std::string_view callOutcomeValue(CallOutcome o) {
    switch (o) {
    case CallOutcome::NoAnswer:
        return "pas_de_reponse";
    case CallOutcome::WrongNumber:
        return "faux_numero";
    case CallOutcome::Callback:
        return "rappeler";
    case CallOutcome::Answered:
        return "decroche";
    }
    return "pas_de_reponse";
}

std::optional<CallOutcome> parseCallOutcome(std::string_view v) {
    if (v == "pas_de_reponse" || v == "no_answer") return CallOutcome::NoAnswer;
    if (v == "faux_numero" || v == "wrong_number") return CallOutcome::WrongNumber;
    if (v == "rappeler" || v == "callback") return CallOutcome::Callback;
    if (v == "decroche" || v == "answered") return CallOutcome::Answered;
    return std::nullopt;
}

bool mayCall(const RecordIndex& records, std::string_view personId) {
    const RecordView* p = records.find(personId);
    if (p == nullptr || p->formId != formid::kPerson) return false;
    if (p->text(fields::kErased) == "oui" || p->text(fields::kDoNotContact) == "oui") return false;
    if (!p->text(fields::kMergedInto).empty() || p->text(fields::kPhone).empty()) return false;
    const RecordView* c = latestConsent(records, personId, kPurposePhone);
    return c != nullptr && c->text(fields::kGranted) == "oui";
}

namespace {
bool isOpen(const RecordView& task) {
    return task.text(fields::kCallStatus) == callStatusValue(CallStatus::Open);
}
} // namespace

std::optional<NewRecord> planFollowup(const RecordView& finalized, const FollowupSpec& spec, const RecordIndex& records,
                                      const Campaign& campaign, std::string_view today, std::string taskId) {
    const std::string person = finalized.text(fields::kPersonId);
    if (person.empty() || !mayCall(records, person)) return std::nullopt;
    for (const RecordView* t : records.linked(formid::kCallTask, fields::kPersonId, person))
        if (isOpen(*t)) return std::nullopt;
    std::string due;
    if (finalized.formId == formid::kPhoneFollowup) {
        if (finalized.text("issue_appel") != callOutcomeValue(CallOutcome::Answered)) return std::nullopt;
        due = datePart(finalized.text("date_prochain_appel"));
    }
    if (due.empty()) {
        auto d = addDays(today, spec.afterDays);
        if (!d) return std::nullopt;
        due = *d;
    }
    NewRecord t;
    t.id = std::move(taskId);
    t.formId = std::string(formid::kCallTask);
    t.answers = {{fields::kPersonId, person},
                 {fields::kSourceRecordId, finalized.id},
                 {fields::kCallForm, spec.form},
                 {fields::kDueDate, due},
                 {fields::kCallStatus, callStatusValue(CallStatus::Open)},
                 {fields::kAttemptCount, 0}};
    if (!campaign.phoneAmbassador.empty()) t.answers[fields::kCaller] = campaign.phoneAmbassador;
    return t;
}

Result<CallUpdate> planCallAttempt(const RecordView& task, const CallAttempt& attempt, const Campaign& campaign,
                                   Lang lang) {
    if (task.formId != formid::kCallTask) return Error{ErrorCode::Invalid, tr("field.call.not_task", lang, {task.id})};
    if (!isOpen(task))
        return Error{ErrorCode::Conflict, tr("field.call.not_open", lang, {task.id, task.text(fields::kCallStatus)})};
    const std::string callDate = datePart(attempt.at);
    if (callDate.empty()) return Error{ErrorCode::Invalid, tr("field.call.bad_time", lang, {attempt.at})};
    json attempts = task.answers.value(std::string(fields::kAttempts), json::array());
    if (!attempts.is_array()) attempts = json::array();
    json entry = {{fields::kAttemptAt, attempt.at}, {fields::kAttemptOutcome, callOutcomeValue(attempt.outcome)}};
    if (!attempt.caller.empty()) entry[fields::kAttemptCaller] = attempt.caller;
    attempts.push_back(entry);

    CallUpdate u;
    u.changes[fields::kAttempts] = attempts;
    u.changes[fields::kAttemptCount] = static_cast<int>(attempts.size());
    if (!attempt.caller.empty()) u.changes[fields::kCaller] = attempt.caller;
    switch (attempt.outcome) {
    case CallOutcome::NoAnswer: {
        // Consecutive unanswered attempts, counted back from this one.
        int streak = 0;
        for (auto it = attempts.rbegin(); it != attempts.rend(); ++it) {
            if (it->value(std::string(fields::kAttemptOutcome), "") != callOutcomeValue(CallOutcome::NoAnswer)) break;
            ++streak;
        }
        if (streak >= campaign.maxAttempts) {
            u.status = CallStatus::Exhausted;
        } else {
            u.status = CallStatus::Open;
            u.changes[fields::kDueDate] = addDays(callDate, campaign.retryDays).value_or(callDate);
        }
        break;
    }
    case CallOutcome::WrongNumber:
        u.status = CallStatus::WrongNumber;
        break;
    case CallOutcome::Callback: {
        const std::string d = datePart(attempt.callbackDate);
        if (d.empty() || attempt.callbackDate.size() != 10)
            return Error{ErrorCode::Invalid, tr("field.call.bad_callback", lang, {attempt.callbackDate})};
        if (d < callDate) return Error{ErrorCode::Invalid, tr("field.call.callback_past", lang, {d, callDate})};
        u.status = CallStatus::Open;
        u.changes[fields::kDueDate] = d;
        break;
    }
    case CallOutcome::Answered:
        // The call is done when its script is finalized (finalizeRecord), not when the phone is picked
        // up: until then it stays in the queue, its script a draft to come back to.
        u.status = CallStatus::Open;
        u.openScript = true;
        break;
    }
    u.changes[fields::kCallStatus] = callStatusValue(u.status);
    return u;
}

json CallQueueEntry::toJson() const {
    return {{"task_id", taskId}, {"person_id", personId}, {"name", name},
            {"phone", phone},    {"due_date", dueDate},   {"caller", caller},
            {"form", form},      {"attempts", attempts},  {"due", due}};
}

std::vector<CallQueueEntry> callQueue(const RecordIndex& records, std::string_view caller, std::string_view today) {
    std::vector<CallQueueEntry> out;
    for (const RecordView* t : records.ofForm(formid::kCallTask)) {
        if (!isOpen(*t)) continue;
        const std::string assigned = t->text(fields::kCaller).empty() ? t->assignedTo : t->text(fields::kCaller);
        if (!caller.empty() && !assigned.empty() && assigned != caller) continue;
        const std::string personId = t->text(fields::kPersonId);
        if (!mayCall(records, personId)) continue;
        const RecordView* p = records.find(personId);
        CallQueueEntry e;
        e.taskId = t->id;
        e.personId = personId;
        e.name = p->text(fields::kFirstName);
        if (auto last = p->text(fields::kLastName); !last.empty()) e.name += (e.name.empty() ? "" : " ") + last;
        e.phone = p->text(fields::kPhone);
        e.dueDate = t->text(fields::kDueDate);
        e.caller = assigned;
        e.form = t->text(fields::kCallForm);
        e.attempts = static_cast<int>(t->number(fields::kAttemptCount, 0));
        e.due = !e.dueDate.empty() && e.dueDate <= today;
        out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(a.dueDate, a.name, a.taskId) < std::tie(b.dueDate, b.name, b.taskId);
    });
    return out;
}

json CallerStats::toJson() const {
    return {{"user", user},   {"open", open},         {"due_today", dueToday},    {"done", done},
            {"calls", calls}, {"answered", answered}, {"pickup_rate", pickupRate}};
}

std::vector<CallerStats> callerStats(const RecordIndex& records, std::string_view today) {
    std::map<std::string, CallerStats> by;
    auto stats = [&](const std::string& user) -> CallerStats& {
        auto& s = by[user];
        s.user = user;
        return s;
    };
    for (const RecordView* t : records.ofForm(formid::kCallTask)) {
        const std::string assigned = t->text(fields::kCaller).empty() ? t->assignedTo : t->text(fields::kCaller);
        const auto status = parseCallStatus(t->text(fields::kCallStatus));
        if (!assigned.empty() && status) {
            auto& s = stats(assigned);
            if (*status == CallStatus::Open) {
                ++s.open;
                const std::string due = t->text(fields::kDueDate);
                if (!due.empty() && due <= today) ++s.dueToday;
            } else if (*status == CallStatus::Done) {
                ++s.done;
            }
        }
        auto attempts = t->answers.find(fields::kAttempts);
        if (attempts == t->answers.end() || !attempts->is_array()) continue;
        for (const auto& a : *attempts) {
            std::string who = a.value(std::string(fields::kAttemptCaller), "");
            if (who.empty()) who = assigned;
            auto& s = stats(who);
            ++s.calls;
            if (a.value(std::string(fields::kAttemptOutcome), "") == callOutcomeValue(CallOutcome::Answered))
                ++s.answered;
        }
    }
    std::vector<CallerStats> out;
    for (auto& [user, s] : by) {
        s.pickupRate = s.calls > 0 ? static_cast<double>(s.answered) / s.calls : 0.0;
        out.push_back(s);
    }
    return out;
}

} // namespace carnet::field
