#pragma once
// The form catalogue: published versions are immutable, identified by (form id, version).

#include "forms/bundle.hpp"
#include "forms/loader.hpp"
#include "server/attachments.hpp"
#include "server/repository.hpp"

#include <filesystem>
#include <optional>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carnet::server {

/// What publishing did.
struct Published {
    sync::FormRef form;
    bool alreadyPublished = false; ///< the same content was already published under this version
    int mediaStored = 0;           ///< media files written to the media store (not there before)
    bool draft = false;            ///< stored as a draft: only its devices receive it (FormRow::draftDevices)
};

/// The question (or page) a JSON pointer of a form document leads into: the innermost item of
/// `pages` or `children` with a name, as {"question" or "page", name}; nullopt outside any (the
/// header, a choice list).
[[nodiscard]] std::optional<std::pair<std::string, std::string>> itemAt(const nlohmann::json& doc,
                                                                        std::string_view pointer);
/// A loader problem named by its question: "question « eco_geste » (/pages/0/children/12/choice_list) : …"
/// in `lang` (server.form.at_question, server.form.at_page); outside any item "/pointer: …", and a
/// syntax error "line:column: …". `doc` is the parsed document (null for a syntax error).
[[nodiscard]] std::string problemText(const forms::Problem& problem, const nlohmann::json& doc, Lang lang);

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
    /// With `draftDevices`, the version is stored as a draft of the organisation (never shared) that only
    /// those devices (registered in the organisation, not revoked, at least one) receive until
    /// publishDraft(); the same content sent again as a draft changes its devices, and sent without
    /// publishes it. Re-using a version number with other content is a Conflict whose message is
    /// `server.form.version_taken` in English.
    Result<Published> publish(std::string_view jsonText, std::int64_t orgId = kSharedForms,
                              const forms::MediaContents& files = {},
                              const std::optional<std::vector<std::string>>& draftDevices = std::nullopt);
    /// Publishes the organisation's draft to every device; NotFound when there is no such draft.
    Result<void> publishDraft(std::int64_t orgId, std::string_view formId, std::string_view version);
    /// Changes which devices receive the organisation's draft (checked as publish() does).
    Result<void> setDraftDevices(std::int64_t orgId, std::string_view formId, std::string_view version,
                                 const std::vector<std::string>& devices);
    /// Deletes the organisation's draft; Conflict when records were written with it (a device that
    /// installed it keeps it).
    Result<void> discardDraft(std::int64_t orgId, std::string_view formId, std::string_view version) {
        return m_repo.deleteFormDraft(orgId, formId, version);
    }
    /// The stored media file `sha256` that organisation `orgId` may read (its own or a shared form's),
    /// or nullopt.
    Result<std::optional<std::filesystem::path>> mediaFile(std::int64_t orgId, std::string_view sha256);
    /// Every published version the organisation sees, oldest first, with the drafts that name
    /// `deviceId` (a device the caller owns; "" = none).
    Result<std::vector<sync::FormRef>> list(std::int64_t orgId, std::string_view deviceId = {}) {
        return m_repo.listForms(orgId, deviceId);
    }
    /// A form document the organisation sees; NotFound otherwise.
    Result<std::string> document(std::int64_t orgId, std::string_view formId, std::string_view version);

private:
    /// Invalid unless `devices` are one or more live devices of the organisation, each named once.
    Result<void> checkDraftDevices(std::int64_t orgId, const std::vector<std::string>& devices);

    Repository& m_repo;
    AttachmentStore* m_media;
};

} // namespace carnet::server
