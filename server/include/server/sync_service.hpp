#pragma once
// Push (exactly once per device and sequence, per-field merge, conflicts kept), pull (an opaque
// cursor over the server's change sequence, filtered by role and organisation), history and
// conflict resolution. The rules live here; storage is the Repository's.

#include "core/i18n.hpp"
#include "server/repository.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::server {

/// The answer to a push.
struct PushReply {
    std::vector<sync::MutationResult> results;
    std::int64_t acked = 0; ///< the highest seq answered
    /// (record id, form id) of every record this push wrote (replays of stored results excluded).
    std::vector<std::pair<std::string, std::string>> written;
};

/// One page of a pull.
struct PullReply {
    std::string changes; ///< the changes as a JSON array (sync::appendJson), answers copied as stored
    std::size_t changeCount = 0;
    std::vector<sync::FormRef> forms;
    std::string cursor;
    bool more = false;
};

/// The new state after a resolution.
struct Resolution {
    std::int64_t version = 0;
    std::vector<std::string> conflicts; ///< fields still in conflict
};

/// The device id recorded for values written by a coordinator's resolution.
constexpr std::string_view kResolutionDevice = "resolution";
/// The device id recorded for values a coordinator edited in the console (SyncService::edit).
constexpr std::string_view kConsoleDevice = "console";
/// True for the device ids the server writes under itself (resolution, console): no device may
/// register one, or its writes would pass for the server's.
[[nodiscard]] inline bool isServerDevice(std::string_view deviceId) {
    return deviceId == kResolutionDevice || deviceId == kConsoleDevice;
}

/// Why a coordinator's edit was refused (SyncService::edit); nothing was written then.
enum class EditRefusal {
    None,        ///< saved (or it changed nothing)
    Stale,       ///< a field of the edit changed after the version it was based on
    InConflict,  ///< a field of the edit is in open conflict: resolve it first
    Erased,      ///< a field of the edit was erased for good
    Invalid,     ///< a value the record's form version refuses (type, constraint, choice, required)
    NotEditable, ///< not a question of the form, or one the console does not edit (repeat, photo, calculation)
};

/// What a coordinator's edit did.
struct RecordEdit {
    EditRefusal refusal = EditRefusal::None;
    std::int64_t version = 0;         ///< the record's version after the edit, or its current one when refused
    std::vector<std::string> changed; ///< saved: fields written (the edited ones and calculations following them)
    std::vector<std::string> fields;  ///< refused: the fields concerned
    std::string message;              ///< refused: why, naming the field, in the request's language
};

/// Records, sync and conflicts.
class SyncService {
public:
    explicit SyncService(Repository& repo)
        : m_repo(repo) {}

    /// What a push does after its mutations, in the same transaction (call-task routing, the device
    /// report): an error rolls the whole push back.
    using AlsoInPush = std::function<Result<void>(WriteTx&, const PushReply&)>;
    /// Applies a batch (at most sync::kMaxPushBatch mutations, strictly increasing seq) from a device
    /// registered to `user`, then `also`, in one transaction: all of it is applied or none. Invalid
    /// for a malformed batch.
    Result<PushReply> push(const User& user, std::string_view deviceId, const std::vector<sync::Mutation>& mutations,
                           const AlsoInPush& also = {});
    /// Changes visible to `user` after `cursor` ("" = from the start); Invalid for a bad cursor. With
    /// `deviceId` (a device of `user`), the records that device holds already at their current
    /// version (its own clean writes) are left out.
    Result<PullReply> pull(const User& user, std::string_view cursor, std::size_t limit, std::string_view deviceId);
    /// Every version of a record the user may see; NotFound otherwise.
    Result<std::vector<VersionRow>> history(const User& user, std::string_view recordId);
    /// Open conflicts in the user's organisation (coordinators and admins only: check mayManage).
    Result<std::vector<ConflictRow>> conflicts(const User& user);
    /// Writes the chosen values as a new version and closes the conflicts on those fields.
    Result<Resolution> resolve(const User& user, std::string_view recordId, const nlohmann::json& fields);
    /// A coordinator's edit of top-level answers (docs/console.md, "Editing a record"): each value is
    /// checked and normalised by the record's form version as on a device, then written as a new
    /// version through the merge devices' pushes go through (device kConsoleDevice, `user`'s name),
    /// so devices pull it and a device's later edit of the same field from an older version is a
    /// conflict. Refused (RecordEdit::refusal) when a field changed after `baseVersion`, is in
    /// conflict, erased or refused by the form. NotFound for a record `user` may not see; Conflict for
    /// a deleted record or a form version the server does not hold; Invalid for a malformed request.
    Result<RecordEdit> edit(const User& user, std::string_view recordId, std::int64_t baseVersion,
                            const nlohmann::json& fields, Lang lang);

    /// Coordinators and admins manage their organisation's conflicts.
    [[nodiscard]] static bool mayManage(const User& user) { return user.role != Role::Ambassador; }
    /// The opaque cursor for a change sequence, and back.
    [[nodiscard]] static std::string encodeCursor(std::int64_t seq);
    [[nodiscard]] static std::optional<std::int64_t> decodeCursor(std::string_view cursor);

private:
    Repository& m_repo;
};

} // namespace carnet::server
