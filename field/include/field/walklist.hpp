#pragma once
// Walk lists: the CSV import (all or nothing, errors with line numbers), door outcomes and progress.

#include "core/i18n.hpp"
#include "field/model.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::field {

/// The CSV columns, in any order (header row required, names case-insensitive):
/// liste;territoire;commune;code_postal;rue;numero;batiment;logement;etage
/// Required: commune, rue, numero, logement. `liste` (walk-list name) may be given instead of the
/// import's name; one import makes one walk list. Separator `;` or `,` (detected on the header),
/// quoted fields ("a;b", "" for a quote), UTF-8 BOM accepted, blank lines skipped.
inline constexpr std::string_view kWalkListColumns =
    "liste;territoire;commune;code_postal;rue;numero;batiment;logement;etage";

/// One problem in a CSV file.
struct CsvError {
    int line = 0; ///< 1-based line in the file
    std::string message;
};

/// A record to create: its form, a fresh id and its answers.
struct NewRecord {
    std::string id;
    std::string formId;
    nlohmann::json answers = nlohmann::json::object();
};

/// What a walk-list import creates: one walk_list, its buildings (one per distinct address and
/// building label, in file order) and dwellings.
struct WalkListImport {
    NewRecord walkList;
    std::vector<NewRecord> buildings;
    std::vector<NewRecord> dwellings;
};

/// Parses a walk-list CSV. `name` names the walk list (falls back to the `liste` column);
/// `newId` makes record ids (UUIDs in production, counters in tests). On any bad row the result is
/// only the errors, every bad line listed: nothing is half-imported.
struct WalkListParse {
    std::optional<WalkListImport> import;
    std::vector<CsvError> errors;
};
[[nodiscard]] WalkListParse parseWalkListCsv(std::string_view csv, std::string_view name,
                                             const std::function<std::string()>& newId, Lang lang = Lang::Fr);

/// What happened at a door.
enum class DoorOutcome {
    Absent,       ///< "absent": nobody home
    Refused,      ///< "refus"
    ComeBack,     ///< "repasser": come back later
    Interview,    ///< "entretien": interview done
    DoNotContact, ///< "ne_pas_contacter"
};
/// The stored value ("absent", "refus", "repasser", "entretien", "ne_pas_contacter").
[[nodiscard]] std::string_view outcomeValue(DoorOutcome outcome);
/// Parses a stored value (also accepts the English names nobody_home, refused, come_back, interview,
/// do_not_contact).
[[nodiscard]] std::optional<DoorOutcome> parseOutcome(std::string_view value);
/// Final outcomes close the door for the walk list: interview, refused, do-not-contact.
[[nodiscard]] bool isFinal(DoorOutcome outcome);

/// The door_visit record and the dwelling's new answers for one outcome at one door.
struct DoorVisitPlan {
    NewRecord visit; ///< door_visit: dwelling_id, building_id, walk_list_id, issue, visite_le, ambassadeur
    nlohmann::json dwellingChanges; ///< derniere_issue, nb_passages, derniere_visite
};
/// Plans an outcome at `dwelling` (a dwelling record) at `at` (ISO date-time) by `ambassador`.
[[nodiscard]] DoorVisitPlan planDoorVisit(const RecordView& dwelling, DoorOutcome outcome, std::string_view at,
                                          std::string_view ambassador, std::string visitId);
/// The dwellings of `buildingId` still to knock on: no outcome yet, or nobody home last time (not
/// final outcomes, not "come back later", which has its own appointment). "Nobody home for the
/// whole building" applies to these, in walk-list order.
[[nodiscard]] std::vector<const RecordView*> remainingDwellings(const RecordIndex& records,
                                                                std::string_view buildingId);

/// Progress of one walk list.
struct WalkListProgress {
    std::string walkListId, name, assignedTo;
    int buildings = 0, dwellings = 0;
    int visited = 0; ///< dwellings with at least one outcome
    int done = 0;    ///< dwellings with a final outcome
    int interviews = 0, absent = 0, refused = 0, comeBack = 0, doNotContact = 0; ///< by last outcome
    /// {"id","name","assigned_to" (null when none),"buildings","dwellings","visited","done",...}
    [[nodiscard]] nlohmann::json toJson() const;
};
/// Progress of every walk list in `records`, in name order. Assignment: the walk list's
/// `ambassadeur` field, else the record's assignedTo.
[[nodiscard]] std::vector<WalkListProgress> walkListProgress(const RecordIndex& records);

} // namespace carnet::field
