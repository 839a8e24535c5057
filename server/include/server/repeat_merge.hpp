#pragma once
// Three-way merge of a repeat's instances by their identity (forms::kInstanceId), for two devices
// that changed one repeat since the version one of them started from (docs/sync-protocol.md,
// "Repeats"). Pure: no storage, no clock.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace carnet::server {

/// One place inside a repeat where both sides wrote different things.
struct RepeatConflict {
    /// "membres[<id>]/prenom" for a field of an instance, "membres[<id>]" for an instance one side
    /// removed and the other edited; nested repeats nest ("a[<id>]/b[<id2>]/c").
    std::string path;
    nlohmann::json theirs; ///< what the server held (null: removed there)
    nlohmann::json mine;   ///< what the arriving write holds (null: removed by it)
};

/// True when `v` is a repeat's value: an array of objects (null and [] are empty lists).
[[nodiscard]] bool isInstanceList(const nlohmann::json& v);

/// Merges `mine` (the arriving list) into `theirs` (the server's), both changed since `base`.
/// Instances are matched by "_id" (an instance without one is named by position, "n1", "n2", ...
/// like the forms engine names older answers). For each instance: added on one side, it is kept;
/// removed on one side and unchanged on the other, it goes; removed on one side and edited on the
/// other, it is kept (the edited one) and reported. For each field of an instance on both sides:
/// the side that changed it since the base wins; both changed it to different values, `mine` wins
/// (arrival order, like top-level fields) and it is reported. Nested repeats merge the same way.
/// The result keeps the server's order, the arriving side's additions after.
[[nodiscard]] nlohmann::json mergeRepeat(const std::string& name, const nlohmann::json& base,
                                         const nlohmann::json& theirs, const nlohmann::json& mine,
                                         std::vector<RepeatConflict>& conflicts);

/// Sets the value at a conflict path ("membres[<id>]/prenom", "membres[<id>]") inside `answers`;
/// null removes the field or the instance. False when the path does not parse or names no
/// instance of a list (a null for an instance that is already gone succeeds).
[[nodiscard]] bool setAtPath(nlohmann::json& answers, const std::string& path, const nlohmann::json& value);

/// The top-level field of a path: "membres" for "membres[<id>]/prenom", the path itself otherwise.
[[nodiscard]] std::string topField(const std::string& path);

} // namespace carnet::server
