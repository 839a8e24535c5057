#pragma once
// A form's media: the CSV files it declares in `media` (docs/form-format.md, "Media files"), read by
// select questions with `choice_file` (XLSForm's select_one_from_file and search()) and by pulldata().
// The form JSON names the files; their content is attached to a loaded form when it is there (beside
// the form file, later from sync), and a missing file is named, never replaced by a placeholder.

#include "core/i18n.hpp"
#include "core/result.hpp"
#include "forms/form.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::forms {

/// A CSV file larger than this is refused (a tablet keeps the table in memory); so is any media file
/// of a bundle.
inline constexpr std::size_t kMaxMediaBytes = 32u << 20;
/// A form declares at most this many media files.
inline constexpr std::size_t kMaxMediaFiles = 100;

/// The kind of a media file from its name: "csv", "image", "audio", "video", else "file".
[[nodiscard]] std::string mediaType(std::string_view file);
/// Whether `file` is a plain media file name: 1 to 255 bytes, no `/` or `\\`, no control character,
/// not starting with `.` (so never a path out of the form's folder).
[[nodiscard]] bool validMediaName(std::string_view file);
/// Whether `s` is 64 lowercase hexadecimal digits (a sha256 as manifests write it).
[[nodiscard]] bool isSha256Hex(std::string_view s);

/// Parses CSV text (RFC 4180: a header row, `,` separated, `"` quoted with `""` inside; CRLF or LF; a
/// UTF-8 byte order mark is skipped). Rows shorter than the header are padded with "". The error
/// message (in `lang`) names the line.
[[nodiscard]] Result<MediaTable> parseCsv(std::string_view text, Lang lang);

/// A copy of `form` with the CSV files of `files` (file name -> content) attached: the `choice_file`
/// selects get the rows of their file as choices (every column a choice column for choice_filter) and
/// pulldata() reads them. Files not given stay missing (Form::missingMedia). An unreadable file, or one
/// without the value or label column a select reads, is an error naming the file.
[[nodiscard]] Result<std::shared_ptr<const Form>>
attachMedia(const Form& form, const std::map<std::string, std::string, std::less<>>& files, Lang lang);

/// attachMedia() with the declared files found in `dir` (the directory of the form file).
[[nodiscard]] Result<std::shared_ptr<const Form>> attachMediaFromDir(const Form& form, const std::filesystem::path& dir,
                                                                     Lang lang);

} // namespace carnet::forms
