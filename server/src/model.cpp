#include "server/model.hpp"

#include "field/people.hpp"

#include <algorithm>

namespace carnet::server {

std::string_view roleName(Role role) {
    switch (role) {
    case Role::Ambassador:
        return "ambassador";
    case Role::Coordinator:
        return "coordinator";
    case Role::Admin:
        return "admin";
    }
    return "ambassador";
}

std::optional<Role> parseRole(std::string_view name) {
    for (auto r : {Role::Ambassador, Role::Coordinator, Role::Admin})
        if (roleName(r) == name) return r;
    return std::nullopt;
}

Scope scopeOf(const User& user) {
    Scope s;
    s.orgId = user.orgId;
    if (user.role == Role::Ambassador) s.userId = user.id;
    return s;
}

VersionRow versionRowOf(const RecordState& state, std::string_view deviceId, std::string_view userName,
                        std::vector<std::string> changed) {
    VersionRow row;
    row.version = state.version;
    row.status = state.status;
    row.formVersion = state.formVersion;
    row.deviceId = std::string(deviceId);
    row.userName = std::string(userName);
    row.changed = std::move(changed);
    return row;
}

bool isReviewState(std::string_view state) {
    return state == "received" || state == "approved" || state == "has_issues" || state == "rejected";
}

bool visible(const Scope& scope, const RecordState& record) {
    if (record.orgId != scope.orgId) return false;
    if (!scope.userId) return true;
    return record.createdBy == *scope.userId || record.assignedTo == scope.userId;
}

std::string foldText(std::string_view text) {
    return field::foldName(text, {});
}

std::vector<std::string> searchTerms(std::string_view text) {
    const std::string folded = foldText(text);
    std::vector<std::string> terms;
    std::string word;
    for (std::size_t i = 0; i <= folded.size(); ++i) {
        const auto c = i < folded.size() ? static_cast<unsigned char>(folded[i]) : 0u;
        const bool inWord = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80; // folded: no A-Z
        if (inWord) {
            word += static_cast<char>(c);
            continue;
        }
        if (!word.empty() && terms.size() < kMaxSearchTerms) terms.push_back(word);
        word.clear();
    }
    return terms;
}

bool draftNames(const std::vector<std::string>& devices, std::string_view deviceId) {
    return !deviceId.empty() && std::find(devices.begin(), devices.end(), deviceId) != devices.end();
}

} // namespace carnet::server
