#pragma once
// The form catalogue: published versions are immutable, identified by (form id, version).

#include "server/repository.hpp"

#include <string>
#include <string_view>

namespace carnet::server {

/// What publishing did.
struct Published {
    sync::FormRef form;
    bool alreadyPublished = false; ///< the same content was already published under this version
};

/// Publishing and serving forms.
class FormService {
public:
    explicit FormService(Repository& repo)
        : m_repo(repo) {}
    /// Validates (forms::loadForm) and publishes a form document for organisation `orgId` (or shared
    /// with every organisation: kSharedForms). The same id and version with other content where the
    /// organisation would see both is a Conflict; the same content again is harmless.
    Result<Published> publish(std::string_view jsonText, std::int64_t orgId = kSharedForms);
    /// Every version the organisation sees, oldest first.
    Result<std::vector<sync::FormRef>> list(std::int64_t orgId) { return m_repo.listForms(orgId); }
    /// A form document the organisation sees; NotFound otherwise.
    Result<std::string> document(std::int64_t orgId, std::string_view formId, std::string_view version);

private:
    Repository& m_repo;
};

} // namespace carnet::server
