#pragma once
// A form bundle: the form JSON, whose `media` is the manifest (each file's name, type, sha256 and size),
// and the media files beside it (docs/form-format.md, "Media files"). The importer writes bundles, the
// server publishes them and devices fetch the files by sha256; each end checks the files against the
// manifest, and a missing or different file is an error naming it.

#include "core/i18n.hpp"
#include "core/result.hpp"
#include "forms/form.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace carnet::forms {

/// Media files by name -> content.
using MediaContents = std::map<std::string, std::string, std::less<>>;

/// The sha256 of `bytes`, 64 lowercase hex.
[[nodiscard]] std::string mediaSha256(std::string_view bytes);

/// The form document `formJson` with its manifest filled from `files`: every declared media file must be
/// in `files`, and an entry that already has a sha256 and size must match its file; either failure is an
/// error naming the file. Returns the JSON text (the document's key order kept).
[[nodiscard]] Result<std::string> bundleForm(std::string_view formJson, const MediaContents& files, Lang lang);

/// Checks `files` against the manifest of `form`: every file it lists with a sha256 must be in `files`
/// with that size and content. The error names the first file that is missing or differs.
[[nodiscard]] Result<void> verifyMedia(const Form& form, const MediaContents& files, Lang lang);

/// The declared media files of `form` found in `dir` (each at most kMaxMediaBytes); absent ones are
/// left out (attachMedia says they are missing, verifyMedia refuses them).
[[nodiscard]] Result<MediaContents> readMediaDir(const Form& form, const std::filesystem::path& dir, Lang lang);

} // namespace carnet::forms
