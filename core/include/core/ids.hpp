#pragma once
// Identifiers and device timestamps.

#include <string>

namespace carnet {

/// A random (version 4) UUID, lowercase, from the operating system's random source.
[[nodiscard]] std::string newUuid();
/// True for a UUID in canonical 8-4-4-4-12 lowercase hex form.
[[nodiscard]] bool isUuid(std::string_view s);
/// The device clock as ISO 8601 UTC ("2026-11-25T21:59:02Z"); for display only, never for ordering.
[[nodiscard]] std::string nowIsoUtc();

} // namespace carnet
