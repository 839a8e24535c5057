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
    /// Validates (forms::loadForm) and publishes a form document; the same id and version with other
    /// content is a Conflict, the same content again is harmless.
    Result<Published> publish(std::string_view jsonText);
    /// Every published version, oldest first.
    Result<std::vector<sync::FormRef>> list() { return m_repo.listForms(); }
    /// A form document; NotFound when not published.
    Result<std::string> document(std::string_view formId, std::string_view version);

private:
    Repository& m_repo;
};

} // namespace carnet::server
