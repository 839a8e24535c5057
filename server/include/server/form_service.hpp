#pragma once
// The form catalogue: published versions are immutable, identified by (form id, version).

#include "forms/bundle.hpp"
#include "server/attachments.hpp"
#include "server/repository.hpp"

#include <filesystem>
#include <optional>

#include <string>
#include <string_view>

namespace carnet::server {

/// What publishing did.
struct Published {
    sync::FormRef form;
    bool alreadyPublished = false; ///< the same content was already published under this version
    int mediaStored = 0;           ///< media files written to the media store (not there before)
};

/// Publishing and serving forms.
class FormService {
public:
    /// `media`: where form media files are kept (none: forms with media cannot be published).
    explicit FormService(Repository& repo, AttachmentStore* media = nullptr)
        : m_repo(repo)
        , m_media(media) {}
    /// Validates (forms::loadForm) and publishes a form document for organisation `orgId` (or shared
    /// with every organisation: kSharedForms). The same id and version with other content where the
    /// organisation would see both is a Conflict; the same content again is harmless.
    /// A form with media is published as a bundle (docs/form-format.md, "Media files"): `files` holds
    /// its media files by name; the manifest is filled from them where the form has none, and each
    /// file must match it (a file already in the media store may be left out). The files are stored by
    /// sha256 before the form row is written; a missing, different, undeclared or unreadable CSV file
    /// is Invalid, naming it.
    Result<Published> publish(std::string_view jsonText, std::int64_t orgId = kSharedForms,
                              const forms::MediaContents& files = {});
    /// The stored media file `sha256` that organisation `orgId` may read (its own or a shared form's),
    /// or nullopt.
    Result<std::optional<std::filesystem::path>> mediaFile(std::int64_t orgId, std::string_view sha256);
    /// Every version the organisation sees, oldest first.
    Result<std::vector<sync::FormRef>> list(std::int64_t orgId) { return m_repo.listForms(orgId); }
    /// A form document the organisation sees; NotFound otherwise.
    Result<std::string> document(std::int64_t orgId, std::string_view formId, std::string_view version);

private:
    Repository& m_repo;
    AttachmentStore* m_media;
};

} // namespace carnet::server
