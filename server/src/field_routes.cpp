#include "server/field_routes.hpp"

#include "http_util.hpp"
#include "request_body.hpp"

#include "core/ids.hpp"
#include "field/model.hpp"
#include "sync/protocol.hpp"

#include <httplib.h>

namespace carnet::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxCsvBytes = 8u * 1024u * 1024u;

using http::sendError;
using http::sendJson;

class FieldRoutes : public std::enable_shared_from_this<FieldRoutes> {
public:
    FieldRoutes(Services& s, std::function<void(std::string_view)> log)
        : m_s(s)
        , m_log(std::move(log)) {}

    void mount(httplib::Server& http);

    // Used by the handlers, which hold the routes through shared_from_this().
    void failure(const Request& req, Response& res, const Error& e) const { http::sendFailure(req, res, e, m_log); }

    std::optional<User> user(const Request& req, Response& res) const {
        return http::authenticate(m_s, req, res, m_log);
    }

    bool manager(const User& u, Response& res, std::string_view what) const {
        if (u.role != Role::Ambassador) return true;
        sendError(res, 403, "forbidden", "only coordinators and admins " + std::string(what));
        return false;
    }

    Services& m_s;

private:
    std::function<void(std::string_view)> m_log;
};

void FieldRoutes::mount(httplib::Server& http) {
    http.Get("/api/v1/indicators", [self = shared_from_this()](const Request& req, Response& res) {
        auto u = self->user(req, res);
        if (!u) return;
        const std::string byName = req.has_param("by") ? req.get_param_value("by") : "ambassador";
        auto by = field::parseGroupBy(byName);
        if (!by)
            return sendError(res, 400, "invalid_request",
                             "'by' must be ambassador, territory, organisation, funder or week (got '" + byName + "')");
        auto ind = self->m_s.field().indicators(*u, *by);
        if (!ind.ok()) return self->failure(req, res, ind.error());
        json j = ind->toJson();
        // The funder and territory views name each group as people do (its code stays the key); a
        // territory a walk list names in its own words has no other name.
        if (*by == field::GroupBy::Funder || *by == field::GroupBy::Territory) {
            const Lang lang = http::requestLang(req);
            const auto names = *by == field::GroupBy::Funder ? self->m_s.field().funderNames(lang)
                                                             : FieldService::territoryNames(lang);
            for (auto& g : j["groups"]) {
                const auto it = names.find(g.value("key", ""));
                g["label"] = it == names.end() ? json(nullptr) : json(it->second);
            }
        }
        sendJson(res, 200, j);
    });
    http.Get("/api/v1/walklists", [self = shared_from_this()](const Request& req, Response& res) {
        auto u = self->user(req, res);
        if (!u) return;
        auto lists = self->m_s.field().walkLists(*u);
        if (!lists.ok()) return self->failure(req, res, lists.error());
        json arr = json::array();
        for (const auto& w : *lists)
            arr.push_back(w.toJson());
        sendJson(res, 200, json{{"walklists", arr}});
    });
    http.Post("/api/v1/walklists/import", [self = shared_from_this()](const Request& req, Response& res,
                                                                      const httplib::ContentReader& reader) {
        auto u = self->user(req, res);
        if (!u || !self->manager(*u, res, "import walk lists")) return;
        std::string body;
        if (!http::readBody(req, res, reader, kMaxCsvBytes, body)) return;
        const std::string name = req.get_param_value("name");
        // Each bad line is told in the client's language (the console's), in English for a client
        // that asks for none.
        const Lang lang = req.has_header("Accept-Language") ? http::requestLang(req) : Lang::En;
        auto r = self->m_s.field().importWalkList(u->orgId, u->id, u->name, body, name, lang);
        if (!r.ok()) return self->failure(req, res, r.error());
        if (!r->errors.empty()) {
            json errors = json::array();
            for (const auto& e : r->errors)
                errors.push_back(json{{"line", e.line}, {"message", e.message}});
            json j = sync::errorBody("invalid_csv", std::to_string(r->errors.size()) +
                                                        " bad line(s) in the CSV, nothing was imported");
            j["errors"] = errors;
            return sendJson(res, 422, j);
        }
        sendJson(res, 200,
                 json{{"walklist_id", r->walkListId}, {"buildings", r->buildings}, {"dwellings", r->dwellings}});
    });
    http.Post(R"(/api/v1/walklists/([^/]+)/assign)",
              [self = shared_from_this()](const Request& req, Response& res, const httplib::ContentReader& reader) {
                  auto u = self->user(req, res);
                  if (!u || !self->manager(*u, res, "assign walk lists")) return;
                  json j;
                  if (!http::readJsonObject(req, res, reader, sync::kMaxBodyBytes, j)) return;
                  if (!j.contains("user") || !j["user"].is_string())
                      return sendError(res, 400, "missing_field", "assign needs a JSON body {\"user\": NAME}");
                  const std::string id = req.matches[1];
                  const std::string who = j["user"].get<std::string>();
                  if (auto r = self->m_s.field().assignWalkList(u->orgId, id, who); !r.ok())
                      return self->failure(req, res, r.error());
                  sendJson(res, 200, json{{"walklist_id", id}, {"assigned_to", who}});
              });
    // One list with its doors, and deleting it: the console's, so coordinators' and admins' only.
    http.Get(R"(/api/v1/walklists/([^/]+))", [self = shared_from_this()](const Request& req, Response& res) {
        auto u = self->user(req, res);
        if (!u || !self->manager(*u, res, "open a walk list")) return;
        auto detail = self->m_s.field().walkList(*u, req.matches[1].str());
        if (!detail.ok()) return self->failure(req, res, detail.error());
        sendJson(res, 200, detail->toJson());
    });
    // Registered twice: a DELETE with a body (a browser's says "Content-Length: 0") goes to the
    // handlers with a content reader, where mountRoutes' catch-all would take it; one without, to
    // the plain handlers. A body, if any, is read (bounded) and ignored.
    const auto remove = [self = shared_from_this()](const Request& req, Response& res) {
        auto u = self->user(req, res);
        if (!u || !self->manager(*u, res, "delete walk lists")) return;
        const std::string id = req.matches[1];
        auto deleted = self->m_s.field().deleteWalkList(u->orgId, id, u->name);
        if (!deleted.ok()) return self->failure(req, res, deleted.error());
        sendJson(res, 200, json{{"walklist_id", id}, {"deleted", *deleted}});
    };
    http.Delete(R"(/api/v1/walklists/([^/]+))", remove);
    http.Delete(R"(/api/v1/walklists/([^/]+))",
                [remove](const Request& req, Response& res, const httplib::ContentReader& reader) {
                    std::string ignored;
                    if (!http::readBody(req, res, reader, sync::kMaxBodyBytes, ignored)) return;
                    remove(req, res);
                });
    http.Get("/api/v1/calls", [self = shared_from_this()](const Request& req, Response& res) {
        auto u = self->user(req, res);
        if (!u) return;
        const std::string today =
            req.has_param("today") ? field::datePart(req.get_param_value("today")) : field::datePart(nowIsoUtc());
        if (today.empty()) return sendError(res, 400, "invalid_request", "'today' must be a date YYYY-MM-DD");
        auto callers = self->m_s.field().callers(*u, today);
        if (!callers.ok()) return self->failure(req, res, callers.error());
        json arr = json::array();
        for (const auto& c : *callers)
            arr.push_back(c.toJson());
        sendJson(res, 200, json{{"callers", arr}});
    });
}

} // namespace

void mountFieldRoutes(httplib::Server& http, Services& services, std::function<void(std::string_view)> log) {
    auto routes = std::make_shared<FieldRoutes>(services, std::move(log));
    routes->mount(http); // each handler holds a reference: the routes live as long as the server
}

} // namespace carnet::server
