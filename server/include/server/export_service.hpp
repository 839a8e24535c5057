#pragma once
// Exports of one form's records, produced piece by piece so that a large export streams: the
// repository is read one page at a time and nothing holds every record in memory. CSV and GeoJSON
// are produced as text pieces; the zip (main CSV plus one CSV per repeat) and XLSX are written to a
// temporary file first (libzip needs a seekable archive), then streamed from it.

#include "server/repository.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace carnet::server {

/// The export file formats.
enum class ExportFormat {
    Csv,     ///< the main table only (a repeat appears as its instance count)
    Zip,     ///< the main CSV plus one CSV per top-level repeat, keyed by record id and instance index, and media/
    Xlsx,    ///< one sheet for the main table, one per top-level repeat
    GeoJson, ///< a FeatureCollection: one point per record and geopoint field, [lon, lat]
};
/// Parses "csv", "zip", "xlsx", "geojson".
[[nodiscard]] std::optional<ExportFormat> parseExportFormat(std::string_view extension);
/// The Content-Type of a format.
[[nodiscard]] std::string_view exportContentType(ExportFormat format);

/// Options of one export (docs/console.md, "Exports").
struct ExportOptions {
    bool labels = false;        ///< choice labels instead of codes
    bool headerLabels = false;  ///< columns named by the questions' labels (in `lang`) instead of their names
    bool splitGeopoint = false; ///< a geopoint as four number columns: latitude, longitude, altitude, accuracy
    bool splitMultiple = false; ///< a select_multiple also as one 0/1 column per choice of its list
    bool media = true;          ///< ZIP: the photos, signatures and recordings its records name, under media/
    std::string lang = "fr";    ///< language of labels (the form's default when it lacks it)
    std::size_t pageSize = 500;
    // Which records (docs/console.md, "Exports"): "" = any.
    std::string status = "finalized"; ///< drafts are left out unless asked for ("" = every status)
    std::string fromDate, toDate;     ///< "YYYY-MM-DD", compared with the interview's day (interview_at)
    std::string author;               ///< the creating user's name or the record's author field
    std::string formVersion;          ///< only records written with this version of the form
    /// Only records of this territory, attributed as the dashboard's figures by territory are: the
    /// record's own `territoire` answer, else the `territoire` of the building it is linked to (through
    /// `building_id`, `dwelling_id` or `person_id`), else its `commune` answer.
    std::string territory;
};

/// One export in progress; call next() until it returns false.
class Export {
public:
    virtual ~Export() = default;
    /// Appends the next piece of the file to `out`; false once the file is complete.
    virtual Result<bool> next(std::string& out) = 0;
};

class AttachmentStore;

/// Starts an export of the records of `formId` visible to `scope`, with the columns of every version
/// of the form the scope's organisation sees (the latest one's first), each record read with its own
/// version. NotFound when the form is not published for it; Invalid for GeoJSON of a
/// form without a geopoint question. Zip and XLSX are built in `tempDir` before this returns; a zip
/// takes the attachments its records name from `attachments` (none when null).
Result<std::unique_ptr<Export>> startExport(Repository& repo, const Scope& scope, std::string_view formId,
                                            ExportFormat format, const ExportOptions& options,
                                            const std::filesystem::path& tempDir,
                                            AttachmentStore* attachments = nullptr);

/// Text for a CSV cell that a spreadsheet never runs as a formula: text starting with = + - @, a tab
/// or a carriage return gets a leading apostrophe (OWASP "CSV injection").
[[nodiscard]] std::string csvSafeText(std::string_view text);

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
[[nodiscard]] std::string csvField(std::string_view text);

} // namespace carnet::server
