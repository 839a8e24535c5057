#include "server/account_routes.hpp"

#include "http_util.hpp"
#include "request_body.hpp"

#include <httplib.h>

#include <algorithm>

namespace carnet::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxBodyBytes = 4u << 10; // a role, a name or two passwords
constexpr std::size_t kMaxDeviceName = 100;

using http::sendError;
using http::sendJson;

std::string stringOf(const json& body, const char* key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool hasControl(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

class AccountRoutes : public std::enable_shared_from_this<AccountRoutes> {
public:
    AccountRoutes(Services& s, std::function<void(std::string_view)> log)
        : m_s(s)
        , m_log(std::move(log)) {}

    void mount(httplib::Server& http);

private:
    using Handler = std::function<void(const Request&, Response&, const User&, const json&)>;

    // An authenticated POST with a small JSON object body (an empty body is an empty object); with
    // `manage`, coordinators and admins only.
    httplib::Server::HandlerWithContentReader post(bool manage, Handler h) {
        return [self = shared_from_this(), manage, h = std::move(h)](const Request& req, Response& res,
                                                                     const httplib::ContentReader& reader) {
            auto user = http::authenticate(self->m_s, req, res, self->m_log);
            if (!user) return;
            if (manage && user->role == Role::Ambassador)
                return sendError(res, 403, "forbidden", "only coordinators and admins may use " + req.path);
            json body;
            if (!http::readJsonObject(req, res, reader, kMaxBodyBytes, body)) return;
            h(req, res, *user, body);
        };
    }

    void failure(const Request& req, Response& res, const Error& e) const { http::sendFailure(req, res, e, m_log); }

    // The account `name` of the actor's organisation that the actor may manage; otherwise answers
    // (404 for another organisation's or an unknown name, alike; 403 for an admin when the actor is a
    // coordinator; 400 for the actor's own account) and returns nullopt.
    std::optional<User> target(const Request& req, Response& res, const User& actor, const std::string& name) const {
        auto u = m_s.repository().findUser(name);
        if (!u.ok()) {
            failure(req, res, u.error());
            return std::nullopt;
        }
        if (!*u || (*u)->orgId != actor.orgId) {
            http::sendErrorIn(req, res, 404, "not_found", "server.account.no_user", {name});
            return std::nullopt;
        }
        if ((*u)->id == actor.id) {
            http::sendErrorIn(req, res, 400, "invalid_request", "server.account.own");
            return std::nullopt;
        }
        if ((*u)->role == Role::Admin && actor.role != Role::Admin) {
            http::sendErrorIn(req, res, 403, "forbidden", "server.account.admin_change");
            return std::nullopt;
        }
        return **u;
    }

    // The device `id` of the actor's organisation, or answers 404 and returns nullopt.
    std::optional<DeviceRow> device(const Request& req, Response& res, const User& actor, const std::string& id) const {
        auto d = m_s.repository().findDevice(id);
        if (!d.ok()) {
            failure(req, res, d.error());
            return std::nullopt;
        }
        if (!*d || (*d)->orgId != actor.orgId) {
            http::sendErrorIn(req, res, 404, "not_found", "server.account.no_device", {id});
            return std::nullopt;
        }
        return **d;
    }

    void userAction(const Request& req, Response& res, const User& actor, const json& body);
    void deviceAction(const Request& req, Response& res, const User& actor, const json& body);
    void changePassword(const Request& req, Response& res, const User& user, const json& body);

    Services& m_s;
    std::function<void(std::string_view)> m_log;
};

void AccountRoutes::userAction(const Request& req, Response& res, const User& actor, const json& body) {
    const std::string name = req.matches[1];
    const std::string action = req.matches[2];
    auto u = target(req, res, actor, name);
    if (!u) return;
    json out{{"name", u->name}};
    if (action == "role") {
        auto role = parseRole(stringOf(body, "role"));
        if (!role) return http::sendErrorIn(req, res, 400, "missing_field", "server.account.role");
        if (*role == Role::Admin && actor.role != Role::Admin)
            return http::sendErrorIn(req, res, 403, "forbidden", "server.account.admin_make");
        UserChange change;
        change.role = *role;
        if (auto r = m_s.repository().updateUser(u->id, change); !r.ok()) return failure(req, res, r.error());
        out["role"] = roleName(*role);
    } else if (action == "password-reset") {
        auto temporary = m_s.auth().resetPassword(*u);
        if (!temporary.ok()) return failure(req, res, temporary.error());
        // Shown once to the coordinator; only its hash is kept.
        out["temporary_password"] = *temporary;
        out["must_change_password"] = true;
    } else {
        const bool disable = action == "deactivate";
        UserChange change;
        change.disabled = disable;
        change.revokeTokens = disable; // their tokens stop working at once; reactivated, they log in again
        if (auto r = m_s.repository().updateUser(u->id, change); !r.ok()) return failure(req, res, r.error());
        out["disabled"] = disable;
    }
    sendJson(res, 200, out);
}

void AccountRoutes::deviceAction(const Request& req, Response& res, const User& actor, const json& body) {
    const std::string id = req.matches[1];
    const std::string action = req.matches[2];
    auto d = device(req, res, actor, id);
    if (!d) return;
    DeviceChange change;
    if (action == "name") {
        const std::string name = stringOf(body, "name");
        if (name.empty() || name.size() > kMaxDeviceName || hasControl(name))
            return http::sendErrorIn(req, res, 400, "missing_field", "server.account.device_name");
        change.name = name;
    } else {
        change.revoke = true;
    }
    if (auto r = m_s.repository().updateDevice(id, change); !r.ok()) return failure(req, res, r.error());
    auto after = m_s.repository().findDevice(id);
    if (!after.ok()) return failure(req, res, after.error());
    const DeviceRow& now = after->value_or(*d);
    sendJson(res, 200,
             json{{"device_id", id},
                  {"name", now.name},
                  {"revoked_at", now.revokedAt.empty() ? json(nullptr) : json(now.revokedAt)}});
}

void AccountRoutes::changePassword(const Request& req, Response& res, const User& user, const json& body) {
    const std::string current = stringOf(body, "current"), next = stringOf(body, "new");
    if (current.empty() || next.empty())
        return http::sendErrorIn(req, res, 400, "missing_field", "server.password.needs_both");
    // Said in the user's language: a wrong current password, the same one, the policy.
    auto r = m_s.auth().changePassword(user, current, next, http::requestLang(req));
    if (!r.ok()) return http::sendFailureIn(req, res, r.error(), m_log);
    sendJson(res, 200, json{{"name", user.name}, {"must_change_password", false}});
}

void AccountRoutes::mount(httplib::Server& http) {
    auto self = shared_from_this();
    http.Get("/api/v1/me", [self](const Request& req, Response& res) {
        auto u = http::authenticate(self->m_s, req, res, self->m_log);
        if (!u) return;
        sendJson(res, 200,
                 json{{"name", u->name},
                      {"role", roleName(u->role)},
                      {"org", u->orgName},
                      {"must_change_password", u->mustChangePassword}});
    });
    http.Post("/api/v1/password", post(false, [self](const Request& req, Response& res, const User& u, const json& b) {
                  self->changePassword(req, res, u, b);
              }));
    http.Post(R"(/api/v1/users/([^/]+)/(role|password-reset|deactivate|reactivate))",
              post(true, [self](const Request& req, Response& res, const User& u, const json& b) {
                  self->userAction(req, res, u, b);
              }));
    http.Post(R"(/api/v1/devices/([^/]+)/(name|revoke))",
              post(true, [self](const Request& req, Response& res, const User& u, const json& b) {
                  self->deviceAction(req, res, u, b);
              }));
}

} // namespace

void mountAccountRoutes(httplib::Server& http, Services& services, std::function<void(std::string_view)> log) {
    auto routes = std::make_shared<AccountRoutes>(services, std::move(log));
    routes->mount(http);
}

} // namespace carnet::server
