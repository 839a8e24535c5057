#pragma once
// Field workflows on the server (docs/field-model.md): walk-list import and assignment (records
// written by the server, device id "server"), and the console's figures (indicators, walk-list
// progress, call statistics) computed by the field library over the records a user may see.

#include "field/calls.hpp"
#include "field/campaign.hpp"
#include "field/indicators.hpp"
#include "field/walklist.hpp"
#include "server/form_service.hpp"
#include "server/repository.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::server {

/// The device id of versions the server writes itself (imports, assignments).
constexpr std::string_view kServerDevice = "server";

/// What a walk-list import did, or why it was refused.
struct WalkListImportResult {
    std::string walkListId;
    int buildings = 0, dwellings = 0;
    std::vector<field::CsvError> errors; ///< not empty: nothing was imported
};

/// One door of a walk list as the console shows it: where it is and what happened there.
struct WalkListDoor {
    std::string dwellingId, buildingId;
    std::string number, street, postcode, commune, building, dwelling, floor; ///< as imported ("" when none)
    std::string lastOutcome; ///< stored value ("entretien", "absent", ...), "" when nobody knocked yet
    std::string lastVisitAt; ///< ISO date-time of the last outcome, "" when none
    int visits = 0;          ///< outcomes written at this door (the dwelling's `nb_passages`)
    /// {"dwelling_id","building_id","number","street","postcode","commune","building","dwelling","floor",
    /// "outcome" (null when none),"last_visit" (null when none),"visits"}
    [[nodiscard]] nlohmann::json toJson() const;
};

/// One walk list with its doors, in the import's order (buildings, then dwellings).
struct WalkListDetail {
    field::WalkListProgress progress;
    std::string territory; ///< the list's `territoire`, "" when none
    std::vector<WalkListDoor> doors;
    /// The progress's JSON with "territory" and "doors".
    [[nodiscard]] nlohmann::json toJson() const;
};

/// Walk lists, assignments and the console's figures.
class FieldService {
public:
    FieldService(Repository& repo, FormService& forms)
        : m_repo(repo)
        , m_forms(forms) {}

    /// The campaign whose coefficients and rules the figures use (default: the embedded demo campaign);
    /// set before serving (the figures read it without a lock).
    void setCampaign(field::Campaign campaign);
    /// The campaign in use.
    [[nodiscard]] const field::Campaign& campaign() const { return m_campaign; }

    /// Publishes the built-in forms (assets/forms/) that are not published yet; returns how many.
    Result<int> publishBuiltinForms();

    /// Imports a walk-list CSV into `org` as records written by the server for `author` (the
    /// coordinator's user id, 0 from the command line): all or nothing, in one transaction.
    /// Its line errors are in `lang`.
    Result<WalkListImportResult> importWalkList(std::int64_t orgId, std::int64_t author, std::string_view authorName,
                                                std::string_view csv, std::string_view name, Lang lang = Lang::En);
    /// Assigns a walk list, its buildings and dwellings to a user of the same organisation, and
    /// writes the user's name in the walk list (`ambassadeur`), all in one transaction (its members
    /// found through indexes, not by reading every record). NotFound for an unknown list or user.
    Result<void> assignWalkList(std::int64_t orgId, std::string_view walkListId, std::string_view userName);
    /// One walk list of `user`'s scope with its doors; NotFound when there is none (another
    /// organisation's, deleted, or not a walk list).
    Result<WalkListDetail> walkList(const User& user, std::string_view walkListId);
    /// Deletes a walk list of `orgId` with its buildings and dwellings (found through the
    /// walk_list_id indexes), each a new version with status "deleted" written by the server for
    /// `byName`, in one transaction, so devices drop them at their next pull. Door visits and
    /// interviews stay: they are what was collected. Returns how many records were deleted; NotFound
    /// for an unknown or already deleted list.
    Result<int> deleteWalkList(std::int64_t orgId, std::string_view walkListId, std::string_view byName);

    /// Routes call tasks to their callers inside the push that wrote them (`tx`: it sees the push's
    /// own rows and commits with it): a call_task whose `appelant` names a user of the organisation
    /// is assigned to them, with its person (and the duplicates merged into it) and their consents,
    /// so that the phone ambassador's devices receive the task, the number and the consent it relies
    /// on. Only records `pusher` may see are routed (an ambassador's own or assigned records). Reads
    /// the task's person and its links through indexes, never every record. Returns how many
    /// records were (re)assigned.
    static Result<int> routeCallTasks(WriteTx& tx, const User& pusher, const std::vector<std::string>& recordIds);

    /// Indicators over the records `user` may see.
    Result<field::Indicators> indicators(const User& user, field::GroupBy by);
    /// What each funder code of the funder view is called, in `lang`: the campaign's `funder_name`
    /// for its funder, the advice-desk form's `financeur` choice labels for the others.
    [[nodiscard]] std::map<std::string, std::string, std::less<>> funderNames(Lang lang) const;
    /// What each territory code of the territory view is called, in `lang`: the advice-desk form's
    /// `territoire` choice labels. A walk list's territory is the coordinator's own text and has none.
    [[nodiscard]] static std::map<std::string, std::string, std::less<>> territoryNames(Lang lang);
    /// Walk-list progress over the records `user` may see.
    Result<std::vector<field::WalkListProgress>> walkLists(const User& user);
    /// Call statistics per caller over the records `user` may see, on `today` (YYYY-MM-DD).
    Result<std::vector<field::CallerStats>> callers(const User& user, std::string_view today);

    /// Reads every organisation's field records and computes what a coordinator's dashboard asks
    /// first (indicators by ambassador, walk lists, calls on `today`), so that the first dashboard
    /// after a start is served from memory. `serve` runs it on a thread of its own once it listens;
    /// a request arriving meanwhile waits for its organisation, as it would have read it itself.
    /// Returns how many organisations were read; stops at the first error.
    Result<int> warm(std::string_view today);
    /// How many figures (indicators, walk-list progress, call statistics) were computed since the
    /// start, rather than served from memory.
    [[nodiscard]] std::int64_t computations() const { return m_computations.load(); }

private:
    /// The field records of one organisation as the figures read them, kept in memory and caught up
    /// with the changes after `seq` before each use, and the figures last computed from them (valid
    /// while `seq` stays). Only the field forms' records are kept (field::formid).
    struct OrgRecords {
        std::mutex mutex;
        std::int64_t seq = 0; ///< every change up to this sequence is in `views`
        std::vector<field::RecordView> views;
        struct Owner {
            std::int64_t createdBy = 0;
            std::optional<std::int64_t> assignedTo;
        };
        std::vector<Owner> owners;                                ///< parallel to `views`
        std::map<std::string, std::size_t, std::less<>> position; ///< record id -> index in `views`
        std::optional<field::RecordIndex> index;                  ///< over `views`, built on first use after a change
        std::map<std::string, field::Indicators, std::less<>> indicators;                   ///< by group and ambassador
        std::map<std::string, std::vector<field::WalkListProgress>, std::less<>> walkLists; ///< by scope
        std::map<std::string, std::vector<field::CallerStats>, std::less<>> callers;        ///< by scope, day
    };
    /// The organisation's records, caught up; `lock` holds the records' mutex on return.
    Result<OrgRecords*> records(std::int64_t orgId, std::unique_lock<std::mutex>& lock);
    /// An index of the views `scope` may see: the organisation's own (kept), or one over `copy`, filled
    /// for an ambassador, in `own`.
    static const field::RecordIndex& visibleIndex(OrgRecords& org, const Scope& scope,
                                                  std::vector<field::RecordView>& copy,
                                                  std::optional<field::RecordIndex>& own);
    Result<std::string> latestVersion(std::int64_t orgId, std::string_view formId);

    Repository& m_repo;
    FormService& m_forms;
    field::Campaign m_campaign = defaultCampaign();
    static field::Campaign defaultCampaign();
    std::atomic<std::int64_t> m_computations{0};
    std::mutex m_orgsMutex;
    std::map<std::int64_t, std::unique_ptr<OrgRecords>> m_orgs;
};

} // namespace carnet::server
