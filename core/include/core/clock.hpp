#pragma once
// One clock for the whole code base: UTC instants for time stamps, local dates for what the user sees.
// Time stamps are always UTC with a Z; a local date is never joined to a UTC time.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace carnet::clock {

/// A point in time (UTC, system clock).
using Instant = std::chrono::system_clock::time_point;
/// Where "now" comes from; tests fix it.
using Source = std::function<Instant()>;

/// The system clock.
[[nodiscard]] Instant systemNow();
/// A source that always answers `at` (tests).
[[nodiscard]] Source fixedAt(Instant at);
/// The instant an ISO 8601 UTC text "YYYY-MM-DDTHH:MM:SSZ" names; nullopt when it is not one.
[[nodiscard]] std::optional<Instant> parseIsoUtc(const std::string& text);

/// "2026-11-25T21:59:02Z": the instant in UTC, to the second.
[[nodiscard]] std::string isoUtc(Instant at);
/// "2026-11-25": the date at `at` in the device's time zone.
[[nodiscard]] std::string localDate(Instant at);
/// The local time at `at` formatted with strftime's `format` ("%H:%M").
[[nodiscard]] std::string localFormat(Instant at, const char* format);
/// Days since 1970-01-01 in local time, with the time of day as a fraction (the forms engine's now()).
[[nodiscard]] double localDays(Instant at);
/// The instant `at` moved by whole local days so that its local date is `date` ("YYYY-MM-DD"); the
/// time of day is kept. `at` itself when `date` does not parse.
[[nodiscard]] Instant onLocalDate(Instant at, const std::string& date);

} // namespace carnet::clock
