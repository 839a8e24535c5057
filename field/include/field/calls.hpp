#pragma once
// The call queue: follow-ups declared by forms create call tasks; call outcomes move them on.

#include "core/result.hpp"
#include "field/campaign.hpp"
#include "field/model.hpp"
#include "field/walklist.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::field {

/// A form's top-level `"followup": {"form": "phone_followup", "after_days": 42}`.
struct FollowupSpec {
    std::string form;
    int afterDays = 0;
};
/// The follow-up a form document declares (top-level `followup`), or nullopt.
[[nodiscard]] std::optional<FollowupSpec> followupOf(const nlohmann::json& formDocument);

/// Where a call task stands (stored values in parentheses).
enum class CallStatus {
    Open,        ///< "a_faire": to call on or after the due date
    Done,        ///< "termine": answered, the script was filled
    WrongNumber, ///< "faux_numero"
    Exhausted,   ///< "epuise": no answer campaign.maxAttempts times
    Cancelled,   ///< "annule": do-not-contact, erasure or consent withdrawn
};
/// The stored value of a status.
[[nodiscard]] std::string_view callStatusValue(CallStatus status);
/// Parses a stored status value.
[[nodiscard]] std::optional<CallStatus> parseCallStatus(std::string_view value);

/// What one call attempt gave.
enum class CallOutcome {
    NoAnswer,    ///< "pas_de_reponse": retry after campaign.retryDays, up to campaign.maxAttempts
    WrongNumber, ///< "faux_numero": the task closes
    Callback,    ///< "rappeler": due again at the chosen date
    Answered,    ///< "decroche": the script form opens, linked to the person and the task
};
/// The stored value ("pas_de_reponse", "faux_numero", "rappeler", "decroche"; the phone_followup values).
[[nodiscard]] std::string_view callOutcomeValue(CallOutcome outcome);
/// Parses a stored value (also accepts no_answer, wrong_number, callback, answered).
[[nodiscard]] std::optional<CallOutcome> parseCallOutcome(std::string_view value);

/// Whether `personId` may be called: a person record that is not erased, not merged away, not
/// do-not-contact, has a phone, and whose latest phone_followup consent is granted.
[[nodiscard]] bool mayCall(const RecordIndex& records, std::string_view personId);

/// The call task a finalized record's follow-up creates, or nullopt when none is due: the record
/// must carry a `person_id` who may be called (mayCall) and have no open call task already. The due
/// date is `today` + afterDays, or, for a phone_followup script, its `date_prochain_appel` when set;
/// a script only schedules when its call was answered ("decroche"). The task is assigned to
/// campaign.phoneAmbassador.
[[nodiscard]] std::optional<NewRecord> planFollowup(const RecordView& finalized, const FollowupSpec& spec,
                                                    const RecordIndex& records, const Campaign& campaign,
                                                    std::string_view today, std::string taskId);

/// One call attempt to record.
struct CallAttempt {
    CallOutcome outcome = CallOutcome::NoAnswer;
    std::string at;           ///< ISO date-time of the call
    std::string caller;       ///< user name
    std::string callbackDate; ///< Callback only: YYYY-MM-DD, not before the call's date
};

/// The call task's new answers after an attempt.
struct CallUpdate {
    nlohmann::json changes; ///< statut, echeance, nb_tentatives, tentatives (the whole repeat), appelant
    CallStatus status = CallStatus::Open;
    bool openScript = false; ///< answered: open the task's script form linked to person and task
};
/// Plans an attempt on an open task; Invalid when the task is not open or a callback date is
/// missing or before the call. No answer counts consecutive unanswered attempts: the task is
/// exhausted at campaign.maxAttempts, otherwise due again `retryDays` after the call. Answered keeps
/// the task open with its script to fill: finalizing the script closes it (device::finalizeRecord).
Result<CallUpdate> planCallAttempt(const RecordView& task, const CallAttempt& attempt, const Campaign& campaign,
                                   Lang lang = Lang::Fr);

/// One line of the call queue.
struct CallQueueEntry {
    std::string taskId, personId;
    std::string name, phone; ///< the person's, for the caller
    std::string dueDate, caller, form;
    int attempts = 0;
    bool due = false; ///< dueDate <= today
    /// The entry as JSON (task_id, person_id, name, phone, due_date, caller, form, attempts, due).
    [[nodiscard]] nlohmann::json toJson() const;
};
/// Open tasks of callable people, sorted by due date then name; `caller` ("" = everyone's) keeps
/// the tasks assigned to that caller (and unassigned ones).
[[nodiscard]] std::vector<CallQueueEntry> callQueue(const RecordIndex& records, std::string_view caller,
                                                    std::string_view today);

/// Call figures of one caller (GET /api/v1/calls).
struct CallerStats {
    std::string user;
    int open = 0, dueToday = 0, done = 0; ///< tasks assigned to them (dueToday: open and due on or before today)
    int calls = 0, answered = 0;          ///< attempts they made
    double pickupRate = 0;                ///< answered / calls (0 when no call)
    /// {"user","open","due_today","done","calls","answered","pickup_rate"}
    [[nodiscard]] nlohmann::json toJson() const;
};
/// Per caller, in name order.
[[nodiscard]] std::vector<CallerStats> callerStats(const RecordIndex& records, std::string_view today);

} // namespace carnet::field
