#pragma once
// People: creation from a door interview, consent, duplicates and their merge, erasure.

#include "core/i18n.hpp"
#include "field/campaign.hpp"
#include "field/model.hpp"
#include "field/walklist.hpp"
#include "forms/form.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carnet::field {

/// The personal fields of a loaded form: its questions marked `"personal": true`; one inside a
/// repeat R is named "R[].F" (field F in every instance of R).
[[nodiscard]] std::vector<std::string> personalFields(const forms::Form& form);
/// The personal fields of a built-in form, from its `"personal": true` flags (assets/forms/). A form
/// without flags falls back to the documented list: person prenom, nom, telephone; door_to_door
/// membres[].prenom, telephone, courriel, position, observations; phone_followup numero_compose,
/// verbatim, commentaire; trip_survey temoignage.
[[nodiscard]] std::vector<std::string> personalFields(std::string_view formId);

/// A person's name folded for comparison: lower case, accents removed, spaces and hyphens collapsed.
[[nodiscard]] std::string foldName(std::string_view first, std::string_view last);

/// `personId` and every person merged into it (following fusionne_dans back), so that records
/// linked to a merged duplicate count for the kept person.
[[nodiscard]] std::vector<std::string> personAliases(const RecordIndex& records, std::string_view personId);

/// The latest consent record (by recueilli_le) of `personId` for `purpose`, or nullptr.
[[nodiscard]] const RecordView* latestConsent(const RecordIndex& records, std::string_view personId,
                                              std::string_view purpose);

/// Answers of a consent record.
[[nodiscard]] NewRecord makeConsent(std::string_view personId, std::string_view purpose, bool granted,
                                    std::string_view wordingVersion, std::string_view at, std::string_view by,
                                    std::string id);

/// What a finalized door interview creates: the person met (first member's first name, phone,
/// car, eco-gesture, dwelling) and the two consents given on the consent page.
struct InterviewPeople {
    NewRecord person;
    std::vector<NewRecord> consents;
};
/// For a door_to_door record (draft about to be finalized, or finalized) with outcome "entretien"
/// and no person_id yet; nullopt otherwise. `newId` makes the ids.
[[nodiscard]] std::optional<InterviewPeople> planPersonFromInterview(const RecordView& interview,
                                                                     const Campaign& campaign, std::string_view at,
                                                                     std::string_view by,
                                                                     const std::function<std::string()>& newId);

/// A candidate duplicate: two live person records.
struct DuplicatePair {
    std::string keepId, otherId; ///< keep = the older record (by createdAt, then id)
    std::string reason;          ///< "phone" (same E.164 number) or "name_dwelling" (same folded name, same dwelling)
    /// {"keep","other","reason"}
    [[nodiscard]] nlohmann::json toJson() const;
};
/// Every pair of live (not erased, not merged) people that look like the same person, each pair once.
[[nodiscard]] std::vector<DuplicatePair> findDuplicates(const RecordIndex& records);

/// The writes merging `loserId` into `keepId`.
struct MergePlan {
    nlohmann::json keepChanges;  ///< fields the kept person lacked, taken from the loser
    nlohmann::json loserChanges; ///< fusionne_dans = keepId, personal fields cleared
    std::vector<std::pair<std::string, nlohmann::json>> relinks; ///< record id → {"person_id": keepId}
};
/// Plans the merge; Invalid when either is not a live person or they are the same.
Result<MergePlan> planMerge(const RecordIndex& records, std::string_view keepId, std::string_view loserId,
                            Lang lang = Lang::Fr);

/// What erasing a person covers.
struct ErasurePlan {
    /// record id → personal fields to erase (the person's own, and those of every record linked to
    /// them: interviews, trip surveys, scripts, consents, call tasks).
    std::vector<std::pair<std::string, std::vector<std::string>>> erase;
    /// record id → other changes: the person marked efface = "oui", ne_pas_contacter = "oui";
    /// their open call tasks cancelled.
    std::vector<std::pair<std::string, nlohmann::json>> updates;
};
/// Plans the erasure of `personId`; NotFound when it is not a person. Anonymous answers (trip
/// counts, outcomes) stay, so interviews and before/after pairs remain countable.
Result<ErasurePlan> planErasure(const RecordIndex& records, std::string_view personId, Lang lang = Lang::Fr);

} // namespace carnet::field
