#pragma once
// Device-side helpers: the field rules applied to a store::Store (target carnet::field_device; the
// server never links it). Every write goes through the Store API, so it is durable, validated by
// the forms engine and queued in the outbox like any answer; each workflow below is one
// store::Store::Transaction: all its writes commit together, or none does.

#include "core/result.hpp"
#include "field/calls.hpp"
#include "field/campaign.hpp"
#include "field/indicators.hpp"
#include "field/people.hpp"
#include "field/walklist.hpp"
#include "store/store.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace carnet::field::device {

/// A store record as a view.
[[nodiscard]] RecordView viewOf(const store::Record& record, std::string_view org = {});
/// The store's records as views (answers included). `org` fills RecordView::org.
Result<std::vector<RecordView>> loadViews(store::Store& store, std::string_view org = {});
/// Installs every built-in form not yet installed; returns how many were installed.
Result<int> installBuiltinForms(store::Store& store);

/// Imports a walk-list CSV into the store (all or nothing: the CSV is fully checked first, then every
/// record is written in one transaction). Errors list the bad lines ("line 7: ..."). Returns what was created, with the
/// store's record ids.
Result<WalkListImport> importWalkList(store::Store& store, std::string_view csv, std::string_view name,
                                      std::string_view author, Lang lang = Lang::Fr);

/// Records an outcome at a door: a finalized door_visit record and the dwelling's last outcome.
/// `at` is an ISO date-time. Returns the door_visit id.
Result<std::string> recordDoorOutcome(store::Store& store, std::string_view dwellingId, DoorOutcome outcome,
                                      std::string_view at, std::string_view user);
/// "Nobody home" for every remaining dwelling of a building (no final outcome yet). Returns the
/// door_visit ids, one per dwelling.
Result<std::vector<std::string>> markBuildingAbsent(store::Store& store, std::string_view buildingId,
                                                    std::string_view at, std::string_view user);
/// What the device knows when an interview starts at a door.
struct InterviewStart {
    std::string localTime;      ///< "YYYY-MM-DDTHH:MM", the time of the visit ("" = not set)
    std::string account;        ///< the logged-in user: the server account the device is paired with ("" = none)
    std::string ambassadorCode; ///< the code this account gave in its last interview here ("" = none)
};
/// Starts a door_to_door interview linked to a dwelling: dwelling_id set, and prefilled when they fit
/// the form: the visit's outcome (entretien: the door said so), its time, the commune and address of
/// the building, the neighbourhood whose name the walk list or its territory carries, the ambassador's
/// code: the logged-in account when the question takes it (accounts named by code), else the code
/// given in the last interview. Returns the draft's id.
Result<std::string> startInterview(store::Store& store, std::string_view dwellingId, std::string_view user,
                                   const InterviewStart& known = {});

/// What finalizing a record set off.
struct FinalizeEffects {
    std::vector<forms::FieldIssue> issues; ///< not empty: nothing was finalized (missing/invalid answers)
    std::string personId;                  ///< the person created from a door interview ("" if none)
    std::vector<std::string> consentIds;
    std::string doorVisitId; ///< interview linked to a dwelling: the "entretien" outcome recorded
    std::string callTaskId;  ///< the follow-up call created ("" if none)
};
/// Finalizes a record (Store::finalize) and applies the field rules: a door interview creates the
/// person and consents, records the door outcome, and its follow-up creates a call task; a script
/// answered schedules the next call. `today` is YYYY-MM-DD, `at` an ISO date-time.
Result<FinalizeEffects> finalizeRecord(store::Store& store, std::string_view recordId, const Campaign& campaign,
                                       std::string_view at, std::string_view user);

/// The call queue of `caller` ("" = all) on `today`.
Result<std::vector<CallQueueEntry>> callQueue(store::Store& store, std::string_view caller, std::string_view today);
/// What recording a call gave.
struct CallResult {
    CallStatus status = CallStatus::Open;
    std::string scriptId; ///< answered: the draft script record opened (person_id, call_task_id set)
};
/// Records a call attempt on a task (planCallAttempt) and, when answered, opens the script. Answered
/// again while the task's script is still a draft reopens that script (no second attempt, no second
/// script); finalizing the script closes the task (finalizeRecord).
Result<CallResult> recordCall(store::Store& store, std::string_view taskId, const CallAttempt& attempt,
                              const Campaign& campaign, Lang lang = Lang::Fr);

/// Creates a person by hand (phone normalised by the forms engine). Returns its id.
Result<std::string> addPerson(store::Store& store, const nlohmann::json& answers, std::string_view user);
/// Records a consent (or its withdrawal) for a person. Returns the consent's id.
Result<std::string> recordConsent(store::Store& store, std::string_view personId, std::string_view purpose,
                                  bool granted, const Campaign& campaign, std::string_view at, std::string_view user);
/// Marks a person do-not-contact and cancels their open call tasks; `doNotContact` false lifts the
/// mark (cancelled calls stay cancelled: a new follow-up creates the next one).
Result<void> setDoNotContact(store::Store& store, std::string_view personId, bool doNotContact = true);
/// Merges a duplicate into the kept person (planMerge). Editable records (open call tasks) are
/// re-linked; finalized ones keep their link and the rules follow the loser's `fusionne_dans`.
Result<MergePlan> mergePeople(store::Store& store, std::string_view keepId, std::string_view loserId,
                              Lang lang = Lang::Fr);
/// What an erasure did on this device.
struct ErasureReport {
    ErasurePlan plan;
    /// record id → the top-level fields erased with `Store::eraseFields` (op `erase`): gone from the
    /// device, then from the server's current state, history and conflicts and from every device.
    std::vector<std::pair<std::string, std::vector<std::string>>> erased;
};
/// Applies planErasure: the person is marked erased and do-not-contact, their open calls cancelled,
/// then the personal fields of the person and of every linked record (finalized ones included) are
/// erased for good with `Store::eraseFields`. Anonymous answers stay countable.
Result<ErasureReport> erasePerson(store::Store& store, std::string_view personId, Lang lang = Lang::Fr);

/// Indicators over the store's records.
Result<Indicators> indicators(store::Store& store, const Campaign& campaign, GroupBy by, std::string_view org = {});

/// Options of the demo campaign.
struct DemoOptions {
    std::string user = "awa";         ///< the ambassador the data belongs to
    std::string today = "2026-11-26"; ///< the "current" date the activity leads up to
};
/// What the demo seed created.
struct DemoReport {
    int walkLists = 0, buildings = 0, dwellings = 0, visits = 0, interviews = 0, people = 0, callTasks = 0, calls = 0,
        surveys = 0, sessions = 0;
};
/// Fills an empty store with the demo campaign (fictitious Aix-Marseille addresses and people,
/// deterministic): built-in forms, two walk lists, door outcomes, interviews, people and consents,
/// call tasks with attempts, before/after trip surveys and advice-desk sessions. Refuses (Conflict)
/// when the store already holds records.
Result<DemoReport> seedDemo(store::Store& store, const Campaign& campaign, const DemoOptions& options = {});

} // namespace carnet::field::device
