#include "server/form_service.hpp"

#include "forms/loader.hpp"
#include "forms/media.hpp"
#include "server/crypto.hpp"

namespace carnet::server {

namespace {

std::string problemsText(const forms::LoadResult& loaded) {
    std::string msg;
    for (const auto& p : loaded.problems) {
        if (!msg.empty()) msg += '\n';
        msg += p.format("", Lang::En);
    }
    return msg;
}

} // namespace

Result<std::optional<std::filesystem::path>> FormService::mediaFile(std::int64_t orgId, std::string_view sha256) {
    if (!m_media) return std::optional<std::filesystem::path>();
    auto own = m_media->completeFile(orgId, sha256);
    if (!own.ok() || *own || orgId == kSharedForms) return own;
    return m_media->completeFile(kSharedForms, sha256);
}

Result<Published> FormService::publish(std::string_view jsonText, std::int64_t orgId,
                                       const forms::MediaContents& files) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    forms::LoadResult loaded = forms::loadForm(jsonText);
    if (!loaded.ok()) return makeError(ErrorCode::Invalid, problemsText(loaded));
    const std::vector<std::string>& declared = loaded.form->media;
    for (const auto& [name, bytes] : files)
        if (std::find(declared.begin(), declared.end(), name) == declared.end())
            return makeError(ErrorCode::Invalid, "file '" + name + "' is not one of the form's media files");
    if (!declared.empty()) {
        if (!m_media) return makeError(ErrorCode::Invalid, "this server keeps no form media");
        bool manifest = true;
        for (const auto& m : loaded.form->mediaFiles)
            if (m.sha256.empty()) manifest = false;
        if (!manifest) { // a form JSON with its files: the manifest is made here
            auto text = forms::bundleForm(jsonText, files, Lang::En);
            if (!text.ok()) return makeError(ErrorCode::Invalid, text.error().message);
            loaded = forms::loadForm(*text);
            if (!loaded.ok()) return makeError(ErrorCode::Invalid, problemsText(loaded));
        }
        // Each file given must be the one the manifest lists; one left out must be stored already.
        for (const auto& m : loaded.form->mediaFiles) {
            auto it = files.find(m.file);
            if (it != files.end()) {
                const std::string sha = forms::mediaSha256(it->second);
                if (sha != m.sha256 || static_cast<std::int64_t>(it->second.size()) != m.size)
                    return makeError(ErrorCode::Invalid,
                                     tr("bundle.media_mismatch", Lang::En, {m.file, m.sha256, sha}));
                continue;
            }
            auto stored = mediaFile(orgId, m.sha256);
            if (!stored.ok()) return stored.error();
            if (!*stored) return makeError(ErrorCode::Invalid, tr("bundle.media_missing", Lang::En, {m.file}));
        }
        // The CSV files must read as the selects and pulldata() read them.
        if (auto attached = forms::attachMedia(*loaded.form, files, Lang::En); !attached.ok())
            return makeError(ErrorCode::Invalid, attached.error().message);
    }
    const forms::Form& form = *loaded.form;
    FormRow row{form.id, form.version, sha256Hex(form.canonicalJson), form.canonicalJson, orgId};
    Published out{sync::FormRef{row.formId, row.version, row.hash}, false};
    // What the owner sees under this id and version: its own, or a shared one.
    auto existing = m_repo.findForm(orgId, row.formId, row.version);
    if (!existing.ok()) return existing.error();
    if (*existing) {
        if ((*existing)->hash != row.hash)
            return makeError(ErrorCode::Conflict, "form " + row.formId + " version " + row.version +
                                                      " is already published with other content; publish it under "
                                                      "a new version");
        out.alreadyPublished = true;
        return out;
    }
    // The media first: a form row never names a file that is not stored.
    for (const auto& m : form.mediaFiles) {
        auto it = files.find(m.file);
        if (it == files.end()) continue;
        auto before = m_media->state(orgId, m.sha256);
        if (!before.ok()) return before.error();
        if (before->complete) continue;
        UploadState after;
        auto stored = m_media->append(orgId, m.sha256, 0, it->second, it->second.size(), after);
        if (!stored.ok()) return stored.error();
        if (*stored != AppendOutcome::Appended || !after.complete)
            return makeError(ErrorCode::Busy, "media file " + m.file + " is being stored by another request; try again",
                             true);
        ++out.mediaStored;
    }
    if (auto r = m_repo.insertForm(row); !r.ok()) return r.error();
    return out;
}

Result<std::string> FormService::document(std::int64_t orgId, std::string_view formId, std::string_view version) {
    auto f = m_repo.findForm(orgId, formId, version);
    if (!f.ok()) return f.error();
    if (!*f)
        return makeError(ErrorCode::NotFound, "no form " + std::string(formId) + " version " + std::string(version));
    return (*f)->body;
}

} // namespace carnet::server
