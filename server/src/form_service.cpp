#include "server/form_service.hpp"

#include "forms/loader.hpp"
#include "server/crypto.hpp"

namespace carnet::server {

Result<Published> FormService::publish(std::string_view jsonText, std::int64_t orgId) {
    if (!cryptoInit()) return makeError(ErrorCode::Internal, "libsodium initialisation failed");
    const forms::LoadResult loaded = forms::loadForm(jsonText);
    if (!loaded.ok()) {
        std::string msg;
        for (const auto& p : loaded.problems) {
            if (!msg.empty()) msg += '\n';
            msg += p.format("", Lang::En);
        }
        return makeError(ErrorCode::Invalid, msg);
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
