#include "server/console_routes.hpp"

#include "core/strings.hpp"
#include "forms/instance_name.hpp"
#include "forms/loader.hpp"
#include "http_util.hpp"
#include "request_body.hpp"
#include "server/crypto.hpp"
#include "server/export_service.hpp"
#include "server/form_bundle.hpp"
#include "server/form_service.hpp"
#include "sync/protocol.hpp"
#include "xlsform/import.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <tuple>

namespace carnet::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

// A form alone (JSON or XLSForm) is a few MB at most; only a bundle zip (the form and its media
// files, sent as application/zip) may be as large as a bundle. The limit follows the declared type,
// so a JSON body is cut at 8 MiB whatever it holds.
constexpr std::size_t kMaxFormUpload = 8u << 20;
std::size_t formUploadLimit(const Request& req) {
    return req.get_header_value("Content-Type").rfind("application/zip", 0) == 0 ? kMaxBundleBytes : kMaxFormUpload;
}
constexpr std::size_t kMaxListLimit = 500;
constexpr std::size_t kMaxUserBytes = 64u << 10; // a name, a role, an organisation and a password
constexpr std::size_t kMaxSearchBytes = 100;     // a surname, an address, a phone number
constexpr std::size_t kMaxNameSort = 10000;      // records sorted by name in memory (names are computed)
constexpr std::int64_t kMaxOffset = 1000000;
constexpr std::size_t kMaxReviewBody = 8u << 10;        // a state and a comment
constexpr std::size_t kMaxReviewComment = 2000;         // bytes of a review's comment
constexpr std::size_t kMaxExportFilterBytes = 64;       // an export's author or form version filter
constexpr std::size_t kMaxEditBody = 256u << 10;        // a coordinator's edit: a few answers, a long text at most
constexpr std::size_t kMaxDraftBody = 64u << 10;        // a draft's devices: a few hundred ids at most
constexpr std::size_t kMaxDraftDevicesBytes = 8u << 10; // ?devices= of a draft upload

using http::sendError;
using http::sendJson;

std::string_view contentTypeOf(std::string_view path) {
    auto ends = [&](std::string_view ext) {
        return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".json")) return "application/json";
    return "application/octet-stream";
}

// An attachment's type by its first bytes: the images a browser may show, anything else a download.
std::string_view imageTypeOf(std::string_view head) {
    if (head.rfind("\x89PNG\r\n\x1a\n", 0) == 0) return "image/png";
    if (head.rfind("\xff\xd8\xff", 0) == 0) return "image/jpeg";
    if (head.rfind("GIF8", 0) == 0) return "image/gif";
    if (head.size() >= 12 && head.rfind("RIFF", 0) == 0 && head.substr(8, 4) == "WEBP") return "image/webp";
    return {};
}

std::optional<std::int64_t> positive(std::string_view s) {
    std::int64_t v = 0;
    if (s.empty() || s.size() > 18) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

bool isDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

json recordJson(const RecordListRow& row, const std::string& name) {
    const auto& r = row.record;
    return json{{"record_id", r.recordId},
                {"name", name},
                {"interview_at", row.interviewAt},
                {"form_id", r.formId},
                {"form_version", r.formVersion},
                {"kind", r.kind},
                {"status", r.status},
                {"author", r.author},
                {"created_by", row.createdByName},
                {"version", r.version},
                {"updated_at", row.updatedAt},
                {"conflicts", r.conflicts},
                {"answers", r.answers}};
}

json reviewJson(const ReviewRow& r) {
    return json{{"state", r.state}, {"comment", r.comment}, {"user", r.userName}, {"version", r.version}, {"at", r.at}};
}

// A review's comment: at most kMaxReviewComment bytes of UTF-8, line breaks and tabs allowed but no
// other control character.
bool isCommentText(std::string_view text) {
    if (text.size() > kMaxReviewComment || invalidUtf8At(text) != std::string_view::npos) return false;
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7f;
    });
}

class ConsoleRoutes : public std::enable_shared_from_this<ConsoleRoutes> {
public:
    ConsoleRoutes(Services& services, std::function<void(std::string_view)> log, MapOptions map)
        : m_s(services)
        , m_log(std::move(log))
        , m_map(std::move(map)) {}

    void mount(httplib::Server& http);

private:
    using Handler = std::function<void(const Request&, Response&, const User&)>;

    void failure(Response& res, const Request& req, const Error& e) const { http::sendFailure(req, res, e, m_log); }

    std::optional<User> authenticate(const Request& req, Response& res) const {
        return http::authenticate(m_s, req, res, m_log);
    }

    // An authenticated request; `manage`: coordinators and admins only.
    httplib::Server::Handler guarded(bool manage, Handler h) {
        // The handlers own the routes object: it lives as long as the server.
        return [self = shared_from_this(), manage, h = std::move(h)](const Request& req, Response& res) {
            auto user = self->authenticate(req, res);
            if (!user) return;
            if (manage && !SyncService::mayManage(*user))
                return sendError(res, 403, "forbidden", "only coordinators and admins may use " + req.path);
            h(req, res, *user);
        };
    }

    using BodyHandler = std::function<void(const Request&, Response&, const User&, std::string&)>;

    // An authenticated request with a body of at most `limit` bytes, read only once the user is known.
    httplib::Server::HandlerWithContentReader guardedBody(bool manage, std::size_t limit, BodyHandler h) {
        return guardedBody(
            manage, [limit](const Request&) { return limit; }, std::move(h));
    }
    // The same with a limit that depends on the request's headers (read before any body byte).
    httplib::Server::HandlerWithContentReader
    guardedBody(bool manage, std::function<std::size_t(const Request&)> limitFor, BodyHandler h) {
        return [self = shared_from_this(), manage, limitFor = std::move(limitFor),
                h = std::move(h)](const Request& req, Response& res, const httplib::ContentReader& reader) {
            auto user = self->authenticate(req, res);
            if (!user) return;
            if (manage && !SyncService::mayManage(*user))
                return sendError(res, 403, "forbidden", "only coordinators and admins may use " + req.path);
            std::string body;
            if (!http::readBody(req, res, reader, limitFor(req), body)) return;
            h(req, res, *user, body);
        };
    }

    void records(const Request& req, Response& res, const User& user);
    void record(const Request& req, Response& res, const User& user);
    void review(const Request& req, Response& res, const User& user, std::string& text);
    void editRecord(const Request& req, Response& res, const User& user, std::string& text);
    void users(const Request& req, Response& res, const User& user);
    void addUser(const Request& req, Response& res, const User& user, std::string& text);
    void devices(const Request& req, Response& res, const User& user);
    void catalogue(const Request& req, Response& res, const User& user);
    void uploadForm(const Request& req, Response& res, const User& user, std::string& body);
    void formDraft(const Request& req, Response& res, const User& user, std::string& text);
    void exportForm(const Request& req, Response& res, const User& user);
    void attachmentContent(const Request& req, Response& res, const User& user);

    void leafletFile(const Request& req, Response& res) const;
    void mapSettings(const Request& req, Response& res, const User& user);

    Services& m_s;
    std::function<void(std::string_view)> m_log;
    MapOptions m_map;
};

// Records' names by their form version's `instance_name`, each form version loaded once.
class RecordNamer {
public:
    RecordNamer(Repository& repo, std::int64_t orgId, std::string_view lang)
        : m_repo(repo)
        , m_orgId(orgId)
        , m_lang(lang) {}

    Result<std::string> name(const RecordState& r) {
        const std::string key = r.formId + '\n' + r.formVersion;
        auto it = m_forms.find(key);
        if (it == m_forms.end()) {
            auto stored = m_repo.findForm(m_orgId, r.formId, r.formVersion);
            if (!stored.ok()) return stored.error();
            std::shared_ptr<const forms::Form> form;
            if (*stored) form = forms::loadForm((*stored)->body).form; // a form that no longer loads names nothing
            it = m_forms.emplace(key, std::move(form)).first;
        }
        return it->second ? forms::instanceName(*it->second, r.answers, m_lang) : std::string();
    }

private:
    Repository& m_repo;
    std::int64_t m_orgId;
    std::string m_lang;
    std::map<std::string, std::shared_ptr<const forms::Form>> m_forms;
};

// The record list's parameters beyond the page: 400 text when one is wrong.
std::optional<std::string> readRecordFilters(const Request& req, RecordQuery& q, bool& byName) {
    q.formId = req.get_param_value("form");
    q.status = req.get_param_value("status");
    q.author = req.get_param_value("author");
    q.fromDate = req.get_param_value("from");
    q.toDate = req.get_param_value("to");
    if ((!q.fromDate.empty() && !isDate(q.fromDate)) || (!q.toDate.empty() && !isDate(q.toDate)))
        return "'from' and 'to' are dates written YYYY-MM-DD";
    const std::string dateField = req.get_param_value("date_field");
    if (dateField != "" && dateField != "interview" && dateField != "received")
        return "'date_field' is interview or received";
    q.onInterviewDate = dateField != "received";
    const std::string text = req.get_param_value("q");
    if (text.size() > kMaxSearchBytes) return "'q' is at most " + std::to_string(kMaxSearchBytes) + " bytes";
    q.terms = searchTerms(text);
    const std::string sort = req.get_param_value("sort");
    if (sort != "" && sort != "received" && sort != "interview" && sort != "name")
        return "'sort' is received, interview or name";
    q.order = sort == "interview" ? RecordOrder::Interview : RecordOrder::Change;
    byName = sort == "name";
    q.review = req.get_param_value("review");
    if (!q.review.empty() && !isReviewState(q.review)) return "'review' is received, approved, has_issues or rejected";
    return std::nullopt;
}

// Which records an export holds (docs/console.md, "Exports"): 400 text when a filter is wrong.
std::optional<std::string> readExportFilters(const Request& req, ExportOptions& o) {
    const std::string status = req.get_param_value("status");
    if (status != "" && status != "finalized" && status != "draft" && status != "all")
        return "'status' is finalized (the default), draft or all";
    o.status = status == "all" ? std::string() : status == "" ? std::string("finalized") : status;
    o.fromDate = req.get_param_value("from");
    o.toDate = req.get_param_value("to");
    if ((!o.fromDate.empty() && !isDate(o.fromDate)) || (!o.toDate.empty() && !isDate(o.toDate)))
        return "'from' and 'to' are interview days written YYYY-MM-DD";
    if (!o.fromDate.empty() && !o.toDate.empty() && o.fromDate > o.toDate) return "'from' is after 'to'";
    o.author = req.get_param_value("author");
    if (o.author.size() > kMaxExportFilterBytes ||
        std::any_of(o.author.begin(), o.author.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        return "'author' is at most " + std::to_string(kMaxExportFilterBytes) + " bytes without control characters";
    o.territory = req.get_param_value("territory");
    if (o.territory.size() > kMaxExportFilterBytes || invalidUtf8At(o.territory) != std::string_view::npos ||
        std::any_of(o.territory.begin(), o.territory.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        return "'territory' is at most " + std::to_string(kMaxExportFilterBytes) +
               " bytes of text without control characters";
    o.formVersion = req.get_param_value("version");
    if (o.formVersion.size() > kMaxExportFilterBytes ||
        !std::all_of(o.formVersion.begin(), o.formVersion.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        }))
        return "'version' is a form version: at most " + std::to_string(kMaxExportFilterBytes) +
               " letters, digits, '.', '-' or '_'";
    return std::nullopt;
}

void ConsoleRoutes::records(const Request& req, Response& res, const User& user) {
    RecordQuery q;
    q.scope = scopeOf(user);
    q.newestFirst = true;
    bool byName = false;
    if (auto bad = readRecordFilters(req, q, byName)) return sendError(res, 400, "invalid_request", *bad);
    std::size_t limit = q.limit;
    if (req.has_param("limit")) {
        auto l = positive(req.get_param_value("limit"));
        if (!l || *l > static_cast<std::int64_t>(kMaxListLimit))
            return sendError(res, 400, "invalid_request",
                             "'limit' must be a number from 1 to " + std::to_string(kMaxListLimit));
        limit = static_cast<std::size_t>(*l);
    }
    // The cursor: a change sequence for sort=received, the next row's position for the other orders.
    std::int64_t cursor = 0;
    if (req.has_param("cursor")) {
        auto c = positive(req.get_param_value("cursor"));
        const bool position = q.order != RecordOrder::Change || byName;
        if (!c || (position && *c > kMaxOffset))
            return sendError(res, 400, "invalid_request", "'cursor' must be the cursor of a previous page");
        cursor = *c;
    }
    auto total = m_s.repository().countRecords(q);
    if (!total.ok()) return failure(res, req, total.error());
    RecordNamer namer(m_s.repository(), user.orgId, langCode(http::requestLang(req)));
    std::vector<std::pair<RecordListRow, std::string>> page;
    bool more = false;
    if (byName) {
        // Names are computed from the answers, so the matching records are named, then sorted here.
        if (*total > static_cast<std::int64_t>(kMaxNameSort))
            return sendError(res, 400, "too_many_to_sort",
                             std::to_string(*total) + " records match: sorting by name takes at most " +
                                 std::to_string(kMaxNameSort) + "; narrow the filters");
        q.limit = kMaxNameSort;
        q.withConflicts = false;
        bool ignored = false;
        auto rows = m_s.repository().listRecords(q, ignored);
        if (!rows.ok()) return failure(res, req, rows.error());
        std::vector<std::pair<RecordListRow, std::string>> named;
        named.reserve(rows->size());
        for (auto& r : *rows) {
            auto n = namer.name(r.record);
            if (!n.ok()) return failure(res, req, n.error());
            named.emplace_back(std::move(r), std::move(*n));
        }
        std::vector<std::pair<std::string, std::size_t>> keys; // folded name (unnamed last), position
        keys.reserve(named.size());
        for (std::size_t i = 0; i < named.size(); ++i)
            keys.emplace_back(named[i].second.empty() ? std::string("\xff") : foldText(named[i].second), i);
        std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        const auto from = static_cast<std::size_t>(cursor);
        for (std::size_t k = from; k < keys.size() && page.size() < limit; ++k)
            page.push_back(std::move(named[keys[k].second]));
        more = from + page.size() < keys.size();
        for (auto& [row, name] : page) {
            auto found = m_s.repository().findRecord(row.record.recordId);
            if (!found.ok()) return failure(res, req, found.error());
            if (*found) row.record.conflicts = (*found)->conflicts;
        }
    } else {
        q.limit = limit;
        if (q.order == RecordOrder::Change)
            q.cursor = cursor;
        else
            q.offset = static_cast<std::size_t>(cursor);
        auto rows = m_s.repository().listRecords(q, more);
        if (!rows.ok()) return failure(res, req, rows.error());
        for (auto& r : *rows) {
            auto n = namer.name(r.record);
            if (!n.ok()) return failure(res, req, n.error());
            page.emplace_back(std::move(r), std::move(*n));
        }
    }
    std::vector<std::string> ids;
    ids.reserve(page.size());
    for (const auto& entry : page)
        ids.push_back(entry.first.record.recordId);
    auto reviews = m_s.repository().latestReviews(ids);
    if (!reviews.ok()) return failure(res, req, reviews.error());
    json arr = json::array();
    for (const auto& [row, name] : page) {
        json j = recordJson(row, name);
        auto it = reviews->find(row.record.recordId);
        j["review"] = it == reviews->end() ? json(nullptr) : reviewJson(it->second);
        arr.push_back(std::move(j));
    }
    json body{{"records", arr}, {"more", more}, {"total", *total}};
    std::string next;
    if (more && !page.empty())
        next = q.order == RecordOrder::Change && !byName
                   ? std::to_string(page.back().first.record.changeSeq)
                   : std::to_string(cursor + static_cast<std::int64_t>(page.size()));
    body["cursor"] = next;
    sendJson(res, 200, body);
}

// One record as the list shows it (its name, when its interview took place), for the record page and
// the conflict cards; the same visibility as its history.
void ConsoleRoutes::record(const Request& req, Response& res, const User& user) {
    const std::string id = req.matches[1];
    auto found = m_s.repository().findRecord(id);
    if (!found.ok()) return failure(res, req, found.error());
    if (!*found || !visible(scopeOf(user), **found)) return sendError(res, 404, "not_found", "no record " + id);
    const RecordState& r = **found;
    auto versions = m_s.repository().history(id);
    if (!versions.ok()) return failure(res, req, versions.error());
    RecordNamer namer(m_s.repository(), user.orgId, langCode(http::requestLang(req)));
    auto name = namer.name(r);
    if (!name.ok()) return failure(res, req, name.error());
    RecordListRow row{r, versions->empty() ? std::string() : versions->back().receivedAt,
                      versions->empty() ? std::string() : versions->front().userName, std::string()};
    // As the list computes it: the answer `end`, else `start`, else the first receipt.
    for (const char* stamp : {"end", "start"}) {
        auto it = r.answers.find(stamp);
        if (it != r.answers.end() && it->is_string()) {
            row.interviewAt = it->get<std::string>();
            break;
        }
    }
    if (row.interviewAt.empty() && !versions->empty()) row.interviewAt = versions->front().receivedAt;
    auto reviews = m_s.repository().reviews(id);
    if (!reviews.ok()) return failure(res, req, reviews.error());
    json j = recordJson(row, *name);
    json log = json::array();
    for (const auto& rv : *reviews)
        log.push_back(reviewJson(rv));
    j["review"] = reviews->empty() ? json(nullptr) : reviewJson(reviews->back());
    j["reviews"] = std::move(log);
    sendJson(res, 200, j);
}

// A coordinator's review of a record of their organisation: a state and a comment, kept after the
// earlier ones. Not a version of the record: devices never receive it.
void ConsoleRoutes::review(const Request& req, Response& res, const User& user, std::string& text) {
    const std::string id = req.matches[1];
    json body;
    if (!http::parseJsonObject(res, text, kMaxReviewBody, body)) return;
    const auto state = body.find("state");
    const auto comment = body.find("comment");
    if (state == body.end() || !state->is_string() || !isReviewState(state->get<std::string>()))
        return sendError(res, 400, "invalid_review", "'state' is received, approved, has_issues or rejected");
    if (comment != body.end() && !comment->is_null() &&
        (!comment->is_string() || !isCommentText(comment->get<std::string>())))
        return http::sendErrorIn(req, res, 400, "invalid_review", "server.review.comment",
                                 {std::to_string(kMaxReviewComment)});
    auto found = m_s.repository().findRecord(id);
    if (!found.ok()) return failure(res, req, found.error());
    if (!*found || !visible(scopeOf(user), **found)) return sendError(res, 404, "not_found", "no record " + id);
    ReviewRow row{id,
                  state->get<std::string>(),
                  comment != body.end() && comment->is_string() ? comment->get<std::string>() : std::string(),
                  user.name,
                  (*found)->version,
                  std::string()};
    auto saved = m_s.repository().addReview(row);
    if (!saved.ok()) return failure(res, req, saved.error());
    sendJson(res, 200, json{{"record_id", id}, {"review", reviewJson(*saved)}});
}

// A coordinator's edit of a record's answers, made as a new version through the merge devices'
// pushes go through (SyncService::edit, docs/console.md "Editing a record"). The body says which
// version the coordinator read: what changed since is refused with 409, never overwritten.
void ConsoleRoutes::editRecord(const Request& req, Response& res, const User& user, std::string& text) {
    const std::string id = req.matches[1];
    json body;
    if (!http::parseJsonObject(res, text, kMaxEditBody, body)) return;
    const auto base = body.find("base_version");
    if (base == body.end() || !base->is_number_integer() || base->get<std::int64_t>() < 1)
        return sendError(res, 400, "invalid_edit", "'base_version' is the version of the record the edit was made on");
    const auto fields = body.find("fields");
    if (fields == body.end() || !fields->is_object() || fields->empty())
        return sendError(res, 400, "invalid_edit", "'fields' is an object of question name -> new value");
    auto edited = m_s.sync().edit(user, id, base->get<std::int64_t>(), *fields, http::requestLang(req));
    if (!edited.ok()) return failure(res, req, edited.error());
    const RecordEdit& e = *edited;
    // `inLanguage`: the message is already in the reader's language, and the console shows it whole.
    auto refuse = [&](int status, std::string_view code, bool inLanguage = false) {
        json j = sync::errorBody(code, e.message);
        j["version"] = e.version;
        j["fields"] = e.fields;
        if (inLanguage) {
            j["localized"] = e.message;
            j["lang"] = std::string(langCode(http::requestLang(req)));
            j["localized_detail"] = true;
        }
        sendJson(res, status, j);
    };
    switch (e.refusal) {
    case EditRefusal::None:
        return sendJson(res, 200, json{{"record_id", id}, {"version", e.version}, {"changed", e.changed}});
    case EditRefusal::Stale:
        return refuse(409, "stale_version");
    case EditRefusal::InConflict:
        return refuse(409, "field_in_conflict");
    case EditRefusal::Erased:
        return refuse(409, "field_erased");
    case EditRefusal::Invalid: // the form's words on the question, by its label
        return refuse(422, "invalid_answer", true);
    case EditRefusal::NotEditable:
        return refuse(400, "not_editable");
    }
}

void ConsoleRoutes::users(const Request& req, Response& res, const User& user) {
    auto rows = m_s.repository().listUsers(user.orgId);
    if (!rows.ok()) return failure(res, req, rows.error());
    json arr = json::array();
    for (const auto& u : *rows)
        arr.push_back(json{{"name", u.name},
                           {"role", roleName(u.role)},
                           {"org", u.orgName},
                           {"disabled", u.disabled},
                           {"must_change_password", u.mustChangePassword},
                           {"last_active", u.lastActive.empty() ? json(nullptr) : json(u.lastActive)}});
    sendJson(res, 200, json{{"users", arr}});
}

void ConsoleRoutes::addUser(const Request& req, Response& res, const User& user, std::string& text) {
    json body;
    if (!http::parseJsonObject(res, text, kMaxUserBytes, body)) return;
    auto str = [&](const char* k) -> std::string {
        auto it = body.find(k);
        return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string name = str("name"), password = str("password"), roleText = str("role");
    std::string org = str("org");
    if (name.empty() || name.size() > 64 || name.find_first_of(" \t\r\n/") != std::string::npos)
        return http::sendErrorIn(req, res, 400, "missing_field", "server.account.user_name");
    auto role = parseRole(roleText);
    if (!role) return http::sendErrorIn(req, res, 400, "missing_field", "server.account.role");
    if (org.empty()) org = user.orgName;
    if (org != user.orgName)
        return http::sendErrorIn(req, res, 403, "forbidden", "server.account.other_org", {user.orgName});
    if (*role == Role::Admin && user.role != Role::Admin)
        return http::sendErrorIn(req, res, 403, "forbidden", "server.account.admin_create");
    // The password policy and the name rules answer in the coordinator's language.
    auto id = m_s.auth().addUser(name, *role, org, password, http::requestLang(req));
    // Names are unique on the whole server: the answer never says where a name is taken.
    if (!id.ok() && id.error().code == ErrorCode::Conflict)
        return sendError(res, 409, "name_unavailable", "this user name cannot be used; choose another");
    if (!id.ok()) return http::sendFailureIn(req, res, id.error(), m_log);
    sendJson(res, 201, json{{"name", name}, {"role", roleName(*role)}, {"org", org}});
}

void ConsoleRoutes::devices(const Request& req, Response& res, const User& user) {
    auto rows = m_s.repository().listDevices(user.orgId);
    if (!rows.ok()) return failure(res, req, rows.error());
    json arr = json::array();
    for (const auto& d : *rows) {
        json j{
            {"device_id", d.deviceId}, {"name", d.name},       {"user", d.userName}, {"registered_at", d.registeredAt},
            {"last_seen", nullptr},    {"last_sync", nullptr}, {"pending", nullptr}, {"drafts_behind", nullptr}};
        if (!d.lastSeen.empty()) j["last_seen"] = d.lastSeen;
        if (!d.lastSync.empty()) j["last_sync"] = d.lastSync;
        if (d.pending) j["pending"] = *d.pending;
        if (d.draftsBehind) j["drafts_behind"] = *d.draftsBehind;
        j["app_version"] = d.appVersion.empty() ? json(nullptr) : json(d.appVersion);
        j["revoked_at"] = d.revokedAt.empty() ? json(nullptr) : json(d.revokedAt);
        arr.push_back(std::move(j));
    }
    sendJson(res, 200, json{{"devices", arr}});
}

void ConsoleRoutes::catalogue(const Request& req, Response& res, const User& user) {
    auto forms = m_s.repository().listFormRows(user.orgId);
    if (!forms.ok()) return failure(res, req, forms.error());
    auto devs = m_s.repository().listDevices(user.orgId);
    if (!devs.ok()) return failure(res, req, devs.error());
    json arr = json::array();
    for (const auto& f : *forms) {
        // A device that finished a sync after publication holds the version (pull installs every form
        // it is given: every published one, and a draft on the devices it names).
        json have = json::array(), missing = json::array();
        std::int64_t behind = 0, total = 0;
        for (const auto& d : *devs) {
            if (f.draftDevices && !draftNames(*f.draftDevices, d.deviceId)) continue;
            ++total;
            if (!d.lastSync.empty() && d.lastSync >= f.publishedAt) {
                have.push_back(d.deviceId);
                behind += d.draftsBehind.value_or(0);
            } else {
                missing.push_back(json{{"device_id", d.deviceId},
                                       {"name", d.name},
                                       {"user", d.userName},
                                       {"last_sync", d.lastSync.empty() ? json(nullptr) : json(d.lastSync)},
                                       {"revoked", !d.revokedAt.empty()}});
            }
        }
        arr.push_back(json{{"form_id", f.formId},
                           {"version", f.version},
                           {"hash", f.hash},
                           {"published_at", f.publishedAt},
                           {"draft", f.draftDevices.has_value()},
                           {"draft_devices", f.draftDevices ? json(*f.draftDevices) : json::array()},
                           {"devices", have},
                           {"missing", missing},
                           {"devices_total", total},
                           {"drafts_behind", behind}});
    }
    sendJson(res, 200, json{{"forms", arr}});
}

void ConsoleRoutes::uploadForm(const Request& req, Response& res, const User& user, std::string& body) {
    const std::string contentType = req.get_header_value("Content-Type");
    const Lang lang = http::requestLang(req);
    // A draft (docs/console.md, "Draft versions"): ?draft=1&devices=id,id — only those devices receive it.
    std::optional<std::vector<std::string>> draftDevices;
    if (req.get_param_value("draft") == "1") {
        const std::string list = req.get_param_value("devices");
        if (list.size() > kMaxDraftDevicesBytes) return sendError(res, 400, "invalid_request", "'devices' is too long");
        draftDevices.emplace();
        for (std::size_t from = 0; from <= list.size();) {
            const auto comma = std::min(list.find(',', from), list.size());
            if (comma > from) draftDevices->push_back(list.substr(from, comma - from));
            from = comma + 1;
        }
    } else if (req.has_param("draft") && req.get_param_value("draft") != "0") {
        return sendError(res, 400, "invalid_request", "'draft' is 1 (a draft for 'devices') or 0");
    }
    std::string text = std::move(body);
    forms::MediaContents mediaFiles;
    json warnings = json::array();
    if (contentType.rfind("application/zip", 0) == 0 || isBundleZip(text)) {
        // A bundle: the form (JSON or XLSForm) and its media files (docs/form-format.md, "Media files").
        auto bundle = readBundleZip(text);
        if (!bundle.ok()) return sendError(res, 422, "invalid_bundle", bundle.error().message);
        text = std::move(bundle->formJson);
        mediaFiles = std::move(bundle->files);
    } else if (isSpreadsheetUpload(contentType, text)) {
        XlsformUpload converted = xlsformToJson(text);
        if (!converted.problems.empty() && converted.json.empty()) {
            json j = sync::errorBody("invalid_xlsform", converted.problems.front()["message"].get<std::string>());
            j["problems"] = converted.problems;
            return sendJson(res, 422, j);
        }
        text = std::move(converted.json);
        warnings = std::move(converted.warnings);
    } else if (contentType.rfind("application/json", 0) != 0 && !contentType.empty()) {
        return sendError(res, 415, "unsupported_media_type",
                         "upload a form as application/json or an XLSForm (.xlsx), not " + contentType);
    }
    const forms::LoadResult loaded = forms::loadForm(text);
    if (!loaded.ok()) {
        // Each problem named by its question (the document's item at the pointer) in the reader's language.
        const json doc = json::parse(text, nullptr, false);
        json problems = json::array();
        std::string first;
        for (const auto& p : loaded.problems) {
            json pj{{"message", p.message(Lang::En)},
                    {"message_fr", p.message(Lang::Fr)},
                    {"text", problemText(p, doc, lang)}};
            if (p.line > 0) {
                pj["line"] = p.line;
                pj["column"] = p.column;
            } else {
                pj["pointer"] = p.pointer;
                if (auto item = itemAt(doc, p.pointer)) pj[item->first] = item->second;
            }
            if (first.empty()) first = problemText(p, doc, Lang::En);
            problems.push_back(std::move(pj));
        }
        json j = sync::errorBody("invalid_form", first);
        j["problems"] = problems;
        j["warnings"] = warnings;
        return sendJson(res, 422, j);
    }
    if (req.get_param_value("dry_run") == "1")
        return sendJson(res, 200,
                        json{{"form_id", loaded.form->id},
                             {"version", loaded.form->version},
                             {"valid", true},
                             {"published", false},
                             {"warnings", warnings}});
    // A coordinator publishes for their own organisation; shared forms are the operator's
    // (`carnet-server form publish` without --org).
    auto pub = m_s.forms().publish(text, user.orgId, mediaFiles, draftDevices);
    if (!pub.ok() && pub.error().code == ErrorCode::Conflict) {
        // The version number is taken by other content: said in the reader's language, with what to do.
        json j = sync::errorBody("version_taken", pub.error().message);
        j["localized"] = tr("server.form.version_taken", lang, {loaded.form->id, loaded.form->version});
        j["lang"] = std::string(langCode(lang));
        j["localized_detail"] = true;
        j["form_id"] = loaded.form->id;
        j["version"] = loaded.form->version;
        return sendJson(res, 409, j);
    }
    if (!pub.ok()) return failure(res, req, pub.error());
    sendJson(res, pub->alreadyPublished ? 200 : 201,
             json{{"form_id", pub->form.formId},
                  {"version", pub->form.version},
                  {"hash", pub->form.hash},
                  {"valid", true},
                  {"published", !pub->draft},
                  {"draft", pub->draft},
                  {"already_published", pub->alreadyPublished},
                  {"media_stored", pub->mediaStored},
                  {"warnings", warnings}});
}

// A draft version: published to every device, discarded, or given other devices to test it on.
void ConsoleRoutes::formDraft(const Request& req, Response& res, const User& user, std::string& text) {
    const std::string formId = req.matches[1], version = req.matches[2], action = req.matches[3];
    Result<void> done;
    if (action == "publish") {
        done = m_s.forms().publishDraft(user.orgId, formId, version);
    } else if (action == "discard") {
        done = m_s.forms().discardDraft(user.orgId, formId, version);
    } else {
        const json body = json::parse(text, nullptr, false);
        if (!body.is_object() || !body.contains("devices") || !body["devices"].is_array())
            return sendError(res, 400, "invalid_request", "send {\"devices\": [device id, ...]}");
        std::vector<std::string> devices;
        for (const auto& d : body["devices"]) {
            if (!d.is_string()) return sendError(res, 400, "invalid_request", "'devices' holds device ids (strings)");
            devices.push_back(d.get<std::string>());
        }
        done = m_s.forms().setDraftDevices(user.orgId, formId, version, devices);
    }
    if (!done.ok() && done.error().code == ErrorCode::Conflict) {
        const Lang lang = http::requestLang(req);
        json j = sync::errorBody("draft_in_use", done.error().message);
        j["localized"] = tr("server.form.draft_in_use", lang, {formId, version});
        j["lang"] = std::string(langCode(lang));
        j["localized_detail"] = true;
        return sendJson(res, 409, j);
    }
    if (!done.ok()) return failure(res, req, done.error());
    sendJson(res, 200, json{{"form_id", formId}, {"version", version}, {"done", action}});
}

void ConsoleRoutes::exportForm(const Request& req, Response& res, const User& user) {
    const std::string formId = req.matches[1];
    auto format = parseExportFormat(req.matches[2].str());
    if (!format) return sendError(res, 404, "not_found", "exports are .csv, .zip, .xlsx or .geojson");
    ExportOptions o;
    // The export's shape (docs/console.md, "Exports"): each a 0|1 flag, a bad value is a 400.
    for (auto [name, flag, what] : {std::tuple<const char*, bool*, const char*>{"labels", &o.labels, "choice labels"},
                                    {"split_geopoint", &o.splitGeopoint, "a geopoint in four columns"},
                                    {"split_multiple", &o.splitMultiple, "one 0/1 column per choice"},
                                    {"media", &o.media, "the attachments in the zip"}}) {
        const std::string value = req.get_param_value(name);
        if (!value.empty() && value != "0" && value != "1")
            return sendError(res, 400, "invalid_request",
                             "'" + std::string(name) + "' is 1 (" + what + ") or 0 (without)");
        if (!value.empty()) *flag = value == "1";
    }
    const std::string headers = req.get_param_value("headers");
    if (headers != "" && headers != "codes" && headers != "labels")
        return sendError(res, 400, "invalid_request", "'headers' is codes (question names) or labels");
    o.headerLabels = headers == "labels";
    if (req.has_param("lang")) o.lang = req.get_param_value("lang") == "en" ? "en" : "fr";
    if (auto bad = readExportFilters(req, o)) return sendError(res, 400, "invalid_request", *bad);
    auto started =
        startExport(m_s.repository(), scopeOf(user), formId, *format, o, m_s.dataDir() / "exports", &m_s.attachments());
    if (!started.ok()) return failure(res, req, started.error());
    std::shared_ptr<Export> exp = std::move(*started);
    const std::string ext = req.matches[2];
    res.set_header("Content-Disposition", "attachment; filename=\"" + formId + "." + ext + "\"");
    auto log = m_log;
    const std::string what = req.path;
    res.set_chunked_content_provider(std::string(exportContentType(*format)),
                                     [exp, log, what](std::size_t, httplib::DataSink& sink) {
                                         std::string piece;
                                         auto more = exp->next(piece);
                                         if (!more.ok()) {
                                             // Headers are gone: cut the stream so the client sees a failure.
                                             if (log) log("export " + what + ": " + more.error().message);
                                             return false;
                                         }
                                         if (!piece.empty() && !sink.write(piece.data(), piece.size())) return false;
                                         if (!*more) sink.done();
                                         return true;
                                     });
}

// A photo or signature of the reader's organisation, streamed from its file. Another organisation's
// attachment, or one not completely uploaded, is 404: the answer never says whether it exists.
void ConsoleRoutes::attachmentContent(const Request& req, Response& res, const User& user) {
    const std::string sha = req.matches[1];
    if (!isSha256Hex(sha))
        return sendError(res, 400, "invalid_request", "attachments are named by their sha256 (64 lowercase hex)");
    auto file = m_s.attachments().completeFile(user.orgId, sha);
    if (!file.ok()) return failure(res, req, file.error());
    if (!*file) return sendError(res, 404, "not_found", "no attachment " + sha);
    auto in = std::make_shared<std::ifstream>(**file, std::ios::binary);
    std::error_code ec;
    const auto size = std::filesystem::file_size(**file, ec);
    if (!*in || ec) return sendError(res, 404, "not_found", "no attachment " + sha);
    std::string head(12, '\0');
    in->read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in->gcount()));
    in->clear();
    in->seekg(0);
    std::string type(imageTypeOf(head));
    if (type.empty()) {
        type = "application/octet-stream";
        res.set_header("Content-Disposition", "attachment; filename=\"" + sha + "\"");
    }
    // Content-addressed: the bytes behind a name never change.
    res.set_header("Cache-Control", "private, max-age=86400, immutable");
    res.set_content_provider(static_cast<std::size_t>(size), type,
                             [in](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                 char buf[64 * 1024];
                                 in->seekg(static_cast<std::streamoff>(offset));
                                 const auto n = std::min(length, sizeof buf);
                                 in->read(buf, static_cast<std::streamsize>(n));
                                 const auto got = in->gcount();
                                 if (got <= 0) return false;
                                 return sink.write(buf, static_cast<std::size_t>(got));
                             });
}

// One of Leaflet's files, read from the folder libjs-leaflet installs at each request: the package's
// upgrades apply at once, and nothing of it is copied into Carnet. Absent, a clean 404: the record page
// then lists its points without a map.
void ConsoleRoutes::leafletFile(const Request& req, Response& res) const {
    constexpr std::uintmax_t kMaxLeafletFile = 4u << 20; // leaflet.js is about 150 KB
    const std::string name = req.matches[1];
    const std::filesystem::path file = m_map.leafletDir / name;
    std::error_code ec;
    const auto size = std::filesystem::is_regular_file(file, ec) ? std::filesystem::file_size(file, ec) : 0;
    if (ec || size == 0 || size > kMaxLeafletFile)
        return sendError(res, 404, "not_found", "no map file " + name + " (Debian's libjs-leaflet is not installed)");
    std::ifstream in(file, std::ios::binary);
    std::string data(static_cast<std::size_t>(size), '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    if (!in) return sendError(res, 404, "not_found", "no map file " + name + " (unreadable)");
    res.set_header("Cache-Control", "public, max-age=3600");
    res.set_content(std::move(data), std::string(contentTypeOf(name)));
}

// What the record page's map is made of: the tiles (none when empty) and whether Leaflet is there,
// so that the page asks for no file the server does not have.
void ConsoleRoutes::mapSettings(const Request&, Response& res, const User&) {
    std::error_code ec;
    const bool leaflet = std::filesystem::is_regular_file(m_map.leafletDir / "leaflet.js", ec) &&
                         std::filesystem::is_regular_file(m_map.leafletDir / "leaflet.css", ec);
    const bool tiles = !tileOrigin(m_map.tiles).empty();
    sendJson(res, 200,
             json{{"leaflet", leaflet},
                  {"tiles", tiles ? m_map.tiles : std::string()},
                  {"attribution", tiles && isMapAttribution(m_map.attribution) ? m_map.attribution : std::string()}});
}

void ConsoleRoutes::mount(httplib::Server& http) {
    http.Get("/", [](const Request&, Response& res) {
        for (const auto& f : consoleFiles())
            if (f.path == "index.html") {
                res.set_content(std::string(f.data), std::string(contentTypeOf(f.path)));
                return;
            }
        sendError(res, 404, "not_found", "the console is not built in");
    });
    http.Get(R"(/console/([A-Za-z0-9_.-]+))", [](const Request& req, Response& res) {
        const std::string path = req.matches[1];
        for (const auto& f : consoleFiles())
            if (f.path == path) {
                res.set_header("Cache-Control", "no-cache");
                res.set_content(std::string(f.data), std::string(contentTypeOf(f.path)));
                return;
            }
        sendError(res, 404, "not_found", "no console file " + path);
    });
    http.Get(R"(/console/vendor/leaflet/((?:images/)?[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(?:js|css|png|svg)))",
             [self = shared_from_this()](const Request& req, Response& res) { self->leafletFile(req, res); });
    auto method = [this](void (ConsoleRoutes::*m)(const Request&, Response&, const User&)) {
        ConsoleRoutes* self = this; // kept alive by the handler returned by guarded()
        return [self, m](const Request& req, Response& res, const User& u) { (self->*m)(req, res, u); };
    };
    http.Get("/api/v1/records", guarded(false, method(&ConsoleRoutes::records)));
    http.Get(R"(/api/v1/records/([^/]+))", guarded(false, method(&ConsoleRoutes::record)));
    http.Get("/api/v1/users", guarded(true, method(&ConsoleRoutes::users)));
    http.Get("/api/v1/map", guarded(false, method(&ConsoleRoutes::mapSettings)));
    auto withBody = [this](void (ConsoleRoutes::*m)(const Request&, Response&, const User&, std::string&)) {
        ConsoleRoutes* self = this; // kept alive by the handler returned by guardedBody()
        return [self, m](const Request& req, Response& res, const User& u, std::string& body) {
            (self->*m)(req, res, u, body);
        };
    };
    http.Post("/api/v1/users", guardedBody(true, kMaxUserBytes, withBody(&ConsoleRoutes::addUser)));
    http.Post(R"(/api/v1/records/([^/]+)/review)", guardedBody(true, kMaxReviewBody, withBody(&ConsoleRoutes::review)));
    http.Post(R"(/api/v1/records/([^/]+)/edit)", guardedBody(true, kMaxEditBody, withBody(&ConsoleRoutes::editRecord)));
    http.Get("/api/v1/devices", guarded(true, method(&ConsoleRoutes::devices)));
    http.Get("/api/v1/catalogue", guarded(true, method(&ConsoleRoutes::catalogue)));
    http.Post("/api/v1/forms", guardedBody(true, &formUploadLimit, withBody(&ConsoleRoutes::uploadForm)));
    http.Post(R"(/api/v1/forms/([A-Za-z0-9_.-]+)/([^/]+)/(publish|discard|devices))",
              guardedBody(true, kMaxDraftBody, withBody(&ConsoleRoutes::formDraft)));
    http.Get(R"(/api/v1/exports/([A-Za-z0-9_.-]+)\.(csv|zip|xlsx|geojson))",
             guarded(true, method(&ConsoleRoutes::exportForm)));
    http.Get(R"(/api/v1/attachments/([^/]+)/content)", guarded(true, method(&ConsoleRoutes::attachmentContent)));
}

} // namespace

bool isSpreadsheetUpload(std::string_view contentType, std::string_view body) {
    return contentType.find("spreadsheetml") != std::string_view::npos ||
           contentType.find("ms-excel") != std::string_view::npos || body.rfind("PK\x03\x04", 0) == 0;
}

XlsformUpload xlsformToJson(std::string_view bytes) {
    const xlsform::ImportResult imported = xlsform::importXlsform(bytes, "formulaire");
    XlsformUpload out;
    out.problems = json::array();
    out.warnings = json::array();
    for (const auto& m : imported.messages) {
        (m.severity == xlsform::Severity::Error ? out.problems : out.warnings)
            .push_back(json{{"message", m.format("xlsx", Lang::En)},
                            {"message_fr", m.format("xlsx", Lang::Fr)},
                            {"sheet", m.where.sheet},
                            {"row", m.where.row},
                            {"column", m.where.column}});
    }
    if (imported.ok())
        out.json = imported.json.dump(2);
    else if (out.problems.empty())
        out.problems.push_back(json{{"message", "the spreadsheet is not a valid XLSForm"},
                                    {"message_fr", "le classeur n’est pas un XLSForm valide"}});
    return out;
}

void mountConsoleRoutes(httplib::Server& http, Services& services, std::function<void(std::string_view)> log,
                        MapOptions map) {
    auto routes = std::make_shared<ConsoleRoutes>(services, std::move(log), std::move(map));
    routes->mount(http);
}

} // namespace carnet::server
