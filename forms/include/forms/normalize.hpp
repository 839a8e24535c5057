#pragma once
// Normalising typed answers: phone numbers, dates, geopoints.

#include <optional>
#include <string>
#include <string_view>

namespace carnet::forms {

/// A phone number in E.164 ("+33612345678"). French national numbers (0X XX XX XX XX, overseas
/// departments included) get their country code; "00" prefixes become "+". nullopt if not a phone number.
[[nodiscard]] std::optional<std::string> normalizePhone(std::string_view input);

/// True for a plausible e-mail address (local@domain.tld, no spaces).
[[nodiscard]] bool isEmail(std::string_view input);

/// "lat lon [alt [accuracy]]" with lat in [-90, 90] and lon in [-180, 180], re-spaced; nullopt if invalid.
[[nodiscard]] std::optional<std::string> normalizeGeopoint(std::string_view input);

} // namespace carnet::forms
