#include "server/form_service.hpp"

#include "forms/loader.hpp"
#include "forms/media.hpp"
#include "server/crypto.hpp"

#include <algorithm>

namespace carnet::server {

namespace {

std::string problemsText(std::string_view jsonText, const forms::LoadResult& loaded) {
    const nlohmann::json doc = nlohmann::json::parse(jsonText, nullptr, false);
    std::string msg;
    for (const auto& p : loaded.problems) {
        if (!msg.empty()) msg += '\n';
        msg += problemText(p, doc, Lang::En);
    }
    return msg;
}

} // namespace

std::optional<std::pair<std::string, std::string>> itemAt(const nlohmann::json& doc, std::string_view pointer) {
    std::optional<std::pair<std::string, std::string>> found;
    const nlohmann::json* at = &doc;
    std::string parentKey;
    while (!pointer.empty() && pointer.front() == '/') {
        pointer.remove_prefix(1);
        const auto slash = pointer.find('/');
        std::string token(pointer.substr(0, slash));
        pointer = slash == std::string_view::npos ? std::string_view() : pointer.substr(slash);
        for (std::size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i) // RFC 6901 escapes
            token.replace(i, 2, i + 1 < token.size() && token[i + 1] == '1' ? "/" : "~");
        if (at->is_object()) {
            auto it = at->find(token);
            if (it == at->end()) break;
            parentKey = token;
            at = &*it;
        } else if (at->is_array()) {
            if (token.empty() || token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos) break;
            const std::size_t index = std::stoul(token);
            if (index >= at->size()) break;
            at = &(*at)[index];
            if ((parentKey == "pages" || parentKey == "children") && at->is_object()) {
                auto name = at->find("name");
                if (name != at->end() && name->is_string() && !name->get_ref<const std::string&>().empty())
                    found.emplace(parentKey == "pages" ? "page" : "question", name->get<std::string>());
            }
            parentKey.clear();
        } else {
            break;
        }
    }
    return found;
}

std::string problemText(const forms::Problem& problem, const nlohmann::json& doc, Lang lang) {
    if (problem.line > 0)
        return std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": " + problem.message(lang);
    const std::string pointer = problem.pointer.empty() ? std::string("/") : problem.pointer;
    if (auto item = itemAt(doc, problem.pointer))
        return tr("server.form.at_" + item->first, lang, {item->second, pointer, problem.message(lang)});
    return pointer + ": " + problem.message(lang);
}

Result<std::optional<std::filesystem::path>> FormService::mediaFile(std::int64_t orgId, std::string_view sha256) {
    if (!m_media) return std::optional<std::filesystem::path>();
    auto own = m_media->completeFile(orgId, sha256);
    if (!own.ok() || *own || orgId == kSharedForms) return own;
    return m_media->completeFile(kSharedForms, sha256);
}

Result<void> FormService::checkDraftDevices(std::int64_t orgId, const std::vector<std::string>& devices) {
    if (orgId == kSharedForms) return makeError(ErrorCode::Invalid, "a shared form cannot be a draft");
    if (devices.empty()) return makeError(ErrorCode::Invalid, "a draft needs at least one device to test it on");
    auto known = m_repo.listDevices(orgId);
    if (!known.ok()) return known.error();
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const std::string& id = devices[i];
        if (std::find(devices.begin(), devices.begin() + static_cast<std::ptrdiff_t>(i), id) !=
            devices.begin() + static_cast<std::ptrdiff_t>(i))
            return makeError(ErrorCode::Invalid, "device " + id + " is named twice");
        auto it = std::find_if(known->begin(), known->end(), [&id](const DeviceRow& d) { return d.deviceId == id; });
        if (it == known->end()) return makeError(ErrorCode::Invalid, "no device " + id + " in this organisation");
        if (!it->revokedAt.empty()) return makeError(ErrorCode::Invalid, "device " + id + " is revoked");
    }
    return {};
}

Result<void> FormService::publishDraft(std::int64_t orgId, std::string_view formId, std::string_view version) {
    return m_repo.setFormDraft(orgId, formId, version, std::nullopt);
}

Result<void> FormService::setDraftDevices(std::int64_t orgId, std::string_view formId, std::string_view version,
                                          const std::vector<std::string>& devices) {
    if (auto ok = checkDraftDevices(orgId, devices); !ok.ok()) return ok;
    return m_repo.setFormDraft(orgId, formId, version, devices);
}

Result<Published> FormService::publish(std::string_view jsonText, std::int64_t orgId, const forms::MediaContents& files,
                                       const std::optional<std::vector<std::string>>& draftDevices) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    if (draftDevices)
        if (auto ok = checkDraftDevices(orgId, *draftDevices); !ok.ok()) return ok.error();
    forms::LoadResult loaded = forms::loadForm(jsonText);
    if (!loaded.ok()) return makeError(ErrorCode::Invalid, problemsText(jsonText, loaded));
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
            if (!loaded.ok()) return makeError(ErrorCode::Invalid, problemsText(*text, loaded));
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
    FormRow row{form.id, form.version, sha256Hex(form.canonicalJson), form.canonicalJson, orgId, draftDevices};
    Published out{sync::FormRef{row.formId, row.version, row.hash}, false};
    out.draft = draftDevices.has_value();
    // What the owner sees under this id and version: its own, or a shared one.
    auto existing = m_repo.findForm(orgId, row.formId, row.version);
    if (!existing.ok()) return existing.error();
    if (*existing) {
        if ((*existing)->hash != row.hash)
            return makeError(ErrorCode::Conflict, tr("server.form.version_taken", Lang::En, {row.formId, row.version}));
        out.alreadyPublished = true;
        out.draft = false;
        if ((*existing)->draftDevices && (*existing)->orgId == orgId) {
            // The same content again: as a draft, for these devices; without, published.
            auto changed = m_repo.setFormDraft(orgId, row.formId, row.version, draftDevices);
            if (!changed.ok()) return changed.error();
            out.draft = draftDevices.has_value();
        }
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
