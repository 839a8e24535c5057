#pragma once
// The field model: households (building, dwelling), people, consents, walk lists, door visits and
// call tasks are records of built-in forms (assets/forms/), linked by hidden text fields holding the
// other record's id. This header names those forms and fields, and defines RecordView, the plain
// record both the device (store::Record) and the server (RecordState) can fill. No I/O, no store.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace carnet::field {

/// Form ids (and `settings.kind`) of the built-in field forms.
namespace formid {
inline constexpr std::string_view kWalkList = "walk_list";             ///< a walk list (name, territory, ambassador)
inline constexpr std::string_view kBuilding = "building";              ///< an address in a walk list
inline constexpr std::string_view kDwelling = "dwelling";              ///< a door in a building
inline constexpr std::string_view kPerson = "person";                  ///< a contact (personal fields)
inline constexpr std::string_view kConsent = "consent";                ///< one consent per purpose
inline constexpr std::string_view kDoorVisit = "door_visit";           ///< one outcome at one door
inline constexpr std::string_view kCallTask = "call_task";             ///< a call to make, and its attempts
inline constexpr std::string_view kDoorToDoor = "door_to_door";        ///< the door interview
inline constexpr std::string_view kTripSurvey = "trip_survey";         ///< the before/after 6 questions
inline constexpr std::string_view kPhoneFollowup = "phone_followup";   ///< the call script
inline constexpr std::string_view kAdviceDesk = "advice_desk_session"; ///< advice-desk session log
} // namespace formid

/// Field names of the built-in forms (French-first names, as in the sample forms).
namespace fields {
// Links (hidden text fields holding a record id).
inline constexpr std::string_view kWalkListId = "walk_list_id";
inline constexpr std::string_view kBuildingId = "building_id";
inline constexpr std::string_view kDwellingId = "dwelling_id";
inline constexpr std::string_view kPersonId = "person_id";
inline constexpr std::string_view kCallTaskId = "call_task_id";
inline constexpr std::string_view kSourceRecordId = "source_record_id"; ///< the record that created this one
inline constexpr std::string_view kMergedInto = "fusionne_dans";        ///< person: the kept duplicate's id
// walk_list
inline constexpr std::string_view kName = "nom_liste";
inline constexpr std::string_view kAmbassador = "ambassadeur"; ///< walk_list, door_visit: user name
// building
inline constexpr std::string_view kTerritory = "territoire";
inline constexpr std::string_view kCommune = "commune_nom";
inline constexpr std::string_view kPostcode = "code_postal";
inline constexpr std::string_view kStreet = "rue";
inline constexpr std::string_view kNumber = "numero";
inline constexpr std::string_view kBuildingLabel = "batiment";
inline constexpr std::string_view kOrder = "ordre"; ///< building, dwelling: position in the CSV
// dwelling
inline constexpr std::string_view kDwellingLabel = "logement";
inline constexpr std::string_view kFloor = "etage";
inline constexpr std::string_view kLastOutcome = "derniere_issue";
inline constexpr std::string_view kVisitCount = "nb_passages";
inline constexpr std::string_view kLastVisitAt = "derniere_visite";
// door_visit
inline constexpr std::string_view kOutcome = "issue";
inline constexpr std::string_view kVisitedAt = "visite_le";
inline constexpr std::string_view kInterviewId = "entretien_id";
// person
inline constexpr std::string_view kFirstName = "prenom";
inline constexpr std::string_view kLastName = "nom";
inline constexpr std::string_view kPhone = "telephone";
inline constexpr std::string_view kCarOwner = "voiture";
inline constexpr std::string_view kEcoGesture = "eco_geste";
inline constexpr std::string_view kDoNotContact = "ne_pas_contacter"; ///< "oui" / "non"
inline constexpr std::string_view kErased = "efface";                 ///< "oui" once erased
// consent
inline constexpr std::string_view kPurpose = "finalite"; ///< phone_followup | answers_use
inline constexpr std::string_view kGranted = "accorde";  ///< "oui" / "non"
inline constexpr std::string_view kWordingVersion = "version_texte";
inline constexpr std::string_view kCollectedAt = "recueilli_le";
inline constexpr std::string_view kCollectedBy = "recueilli_par";
// call_task
inline constexpr std::string_view kCallForm = "formulaire"; ///< form the call opens (phone_followup)
inline constexpr std::string_view kDueDate = "echeance";    ///< YYYY-MM-DD
inline constexpr std::string_view kCallStatus = "statut";   ///< see CallStatus
inline constexpr std::string_view kCaller = "appelant";     ///< user name of the phone ambassador
inline constexpr std::string_view kAttemptCount = "nb_tentatives";
inline constexpr std::string_view kAttempts = "tentatives"; ///< repeat: appel_le, issue_appel, appelant
inline constexpr std::string_view kAttemptAt = "appel_le";
inline constexpr std::string_view kAttemptOutcome = "issue_appel";
inline constexpr std::string_view kAttemptCaller = "appelant_tentative";
inline constexpr std::string_view kScriptRecordId = "script_id"; ///< the script record of an answered call
} // namespace fields

/// Consent purposes.
inline constexpr std::string_view kPurposePhone = "phone_followup";
inline constexpr std::string_view kPurposeAnswers = "answers_use";

/// One record as the field rules see it, filled from a store::Record on the device or a server
/// RecordState on the server.
struct RecordView {
    std::string id;
    std::string kind;       ///< settings.kind of its form (building, dwelling, interview, ...)
    std::string formId;     ///< door_to_door, person, ...
    std::string status;     ///< "draft" / "finalized"
    std::string author;     ///< user name who created it
    std::string org;        ///< organisation name ("" on a device that does not know it)
    std::string assignedTo; ///< user name it is assigned to ("" when none)
    std::string createdAt;  ///< ISO timestamp when known (device clock), else ""
    nlohmann::json answers = nlohmann::json::object();

    /// A text answer, or "" when absent or not a string.
    [[nodiscard]] std::string text(std::string_view field) const;
    /// A number answer, or `fallback`.
    [[nodiscard]] double number(std::string_view field, double fallback = 0) const;
};

/// Indexes a set of records by id, by form and (built on first use) by link field, so that the rules
/// below read each record a few times whatever the number of records (the console's figures at
/// 100,000 records, docs/performance.md). Views are referenced, not copied.
class RecordIndex {
public:
    /// Indexes `views`; the vector must outlive the index and stay unchanged while it is used.
    explicit RecordIndex(const std::vector<RecordView>& views);
    /// The record with `id` (the first one in input order), or nullptr.
    [[nodiscard]] const RecordView* find(std::string_view id) const;
    /// Every record of `formId`, in input order.
    [[nodiscard]] std::vector<const RecordView*> ofForm(std::string_view formId) const;
    /// Records of `formId` whose `linkField` holds `id`, in input order.
    [[nodiscard]] std::vector<const RecordView*> linked(std::string_view formId, std::string_view linkField,
                                                        std::string_view id) const;
    /// All views.
    [[nodiscard]] const std::vector<RecordView>& all() const { return *m_views; }

private:
    using Members = std::unordered_map<std::string_view, std::vector<const RecordView*>>;
    const std::vector<RecordView>* m_views;
    std::unordered_map<std::string_view, const RecordView*> m_byId;
    Members m_byForm;
    // (form id + '\n' + link field) -> link value -> records, each built by the first linked() on it.
    mutable std::map<std::string, std::unordered_map<std::string, std::vector<const RecordView*>>, std::less<>> m_links;
};

/// The date part (YYYY-MM-DD) of an ISO date or date-time, or "" when it is not one.
[[nodiscard]] std::string datePart(std::string_view isoDateOrDateTime);
/// `date` (YYYY-MM-DD) plus `days` (may be negative); nullopt when `date` is not a valid date.
[[nodiscard]] std::optional<std::string> addDays(std::string_view date, int days);
/// The ISO week ("2026-W48") of a YYYY-MM-DD date, or "" when invalid.
[[nodiscard]] std::string isoWeek(std::string_view date);
/// The date an activity record counts for (interview date, visit date, call date, session date,
/// else its creation date), YYYY-MM-DD, or "".
[[nodiscard]] std::string activityDate(const RecordView& record);

} // namespace carnet::field
