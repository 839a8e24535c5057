#pragma once
// carnet-device's field commands: walk lists, doors, people and consent, calls, impact, indicators,
// the demo campaign (docs/field-model.md).

#include "core/i18n.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace carnet::device_cli {

/// Runs a field command; nullopt when `args` is not one (the caller prints the usage). Returns the
/// exit code: 0 done, 1 failed (message on stderr), 2 bad usage.
std::optional<int> runFieldCommand(store::Store& store, const std::vector<std::string>& args, const std::string& author,
                                   Lang lang);

} // namespace carnet::device_cli
