#pragma once
// Identifiers and device timestamps.

#include <string>

namespace carnet {

/// A time-ordered (RFC 9562 version 7) UUID, lowercase: 48 bits of Unix milliseconds, 12 bits of the
/// millisecond's fraction, 62 random bits from the operating system. Identifiers made by one process
/// sort as text in the order they were made, so the B-trees keyed by them (records, history) grow at
/// their right edge instead of dirtying a random page per insert (docs/architecture.md).
[[nodiscard]] std::string newUuid();
/// True for a UUID in canonical 8-4-4-4-12 lowercase hex form.
[[nodiscard]] bool isUuid(std::string_view s);
/// The device clock as ISO 8601 UTC ("2026-11-25T21:59:02Z"); for display only, never for ordering.
[[nodiscard]] std::string nowIsoUtc();

} // namespace carnet
