#include "pg.hpp"

#include <cstdlib>
#include <libpq-fe.h>

namespace carnet::server::pg {

namespace {

// A failed statement as an Error: the SQLSTATE class says whether retrying can help (serialisation
// failures and deadlocks are another writer's fault; a lost connection may come back).
Error errorOf(const PGresult* r, PGconn* c, std::string_view sql) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = state ? state : "";
    std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    message = "postgresql: " + message + " (" + std::string(sql.substr(0, 80)) + ")";
    if (code == "23505") return makeError(ErrorCode::Conflict, message);
    if (code == "40001" || code == "40P01" || code == "55P03" || code == "57014")
        return makeError(ErrorCode::Busy, message, true);
    if (code == "53100") return makeError(ErrorCode::NoSpace, message);
    if (code.rfind("53", 0) == 0 || code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0 || code.empty())
        return makeError(ErrorCode::Io, message, true);
    if (code.rfind("22", 0) == 0) return makeError(ErrorCode::Invalid, message);
    return makeError(ErrorCode::Io, message);
}

} // namespace

void Rows::Free::operator()(pg_result* r) const {
    PQclear(r);
}

Rows::Rows(pg_result* r)
    : m_r(r, Free{}) {}

int Rows::size() const {
    return m_r ? PQntuples(m_r.get()) : 0;
}

bool Rows::isNull(int row, int col) const {
    return PQgetisnull(m_r.get(), row, col) != 0;
}

std::string Rows::text(int row, int col) const {
    const char* v = PQgetvalue(m_r.get(), row, col);
    return std::string(v, static_cast<std::size_t>(PQgetlength(m_r.get(), row, col)));
}

std::int64_t Rows::integer(int row, int col) const {
    if (isNull(row, col)) return 0;
    return std::strtoll(PQgetvalue(m_r.get(), row, col), nullptr, 10);
}

std::int64_t Rows::affected() const {
    if (!m_r) return 0;
    const char* n = PQcmdTuples(m_r.get());
    return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

void Conn::Close::operator()(pg_conn* c) const {
    PQfinish(c);
}

Result<Conn> Conn::connect(const std::string& url) {
    Conn conn;
    conn.m_c.reset(PQconnectdb(url.c_str()));
    if (!conn.m_c) return makeError(ErrorCode::Io, "postgresql: out of memory connecting", true);
    if (PQstatus(conn.m_c.get()) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn.m_c.get());
        while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
            message.pop_back();
        return makeError(ErrorCode::Io, "postgresql: cannot connect: " + message, true);
    }
    // Notices (e.g. "relation already exists, skipping") are not errors: keep them off stderr.
    PQsetNoticeProcessor(
        conn.m_c.get(), [](void*, const char*) {}, nullptr);
    return conn;
}

bool Conn::healthy() const {
    return m_c && PQstatus(m_c.get()) == CONNECTION_OK && PQtransactionStatus(m_c.get()) == PQTRANS_IDLE;
}

Result<Rows> Conn::execList(std::string_view sql, const std::vector<Param>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params)
        values.push_back(p.value() ? p.value()->c_str() : nullptr);
    const std::string text(sql);
    PGresult* r = PQexecParams(m_c.get(), text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        Error e = errorOf(r, m_c.get(), sql);
        PQclear(r);
        return e;
    }
    return Rows(r);
}

Result<Rows> Conn::exec(std::string_view sql, std::initializer_list<Param> params) {
    return execList(sql, std::vector<Param>(params));
}

Result<void> Conn::run(std::string_view sql, std::initializer_list<Param> params) {
    auto r = exec(sql, params);
    if (!r.ok()) return r.error();
    return {};
}

Result<void> Conn::script(std::string_view sql) {
    const std::string text(sql);
    PGresult* r = PQexec(m_c.get(), text.c_str());
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        Error e = errorOf(r, m_c.get(), sql);
        PQclear(r);
        return e;
    }
    PQclear(r);
    return {};
}

Result<std::int64_t> Conn::copyIn(std::string_view copySql, const std::function<Result<bool>(std::string&)>& next) {
    const std::string text(copySql);
    PGresult* start = PQexec(m_c.get(), text.c_str());
    if (!start || PQresultStatus(start) != PGRES_COPY_IN) {
        Error e = errorOf(start, m_c.get(), copySql);
        PQclear(start);
        return e;
    }
    PQclear(start);
    // From here the connection is in COPY IN state: every way out ends the COPY and reads its results,
    // so that the connection is usable again.
    auto abort = [&](Error e) -> Error {
        if (PQputCopyEnd(m_c.get(), "aborted by the client") == 1)
            while (PGresult* r = PQgetResult(m_c.get())) // the server's answer is the abort itself
                PQclear(r);
        return e;
    };
    std::string chunk;
    for (;;) {
        chunk.clear();
        auto more = next(chunk);
        if (!more.ok()) return abort(more.error());
        if (!chunk.empty() && PQputCopyData(m_c.get(), chunk.data(), static_cast<int>(chunk.size())) != 1)
            return abort(makeError(ErrorCode::Io, "postgresql: COPY: " + std::string(PQerrorMessage(m_c.get())), true));
        if (!*more) break;
    }
    if (PQputCopyEnd(m_c.get(), nullptr) != 1)
        return makeError(ErrorCode::Io, "postgresql: COPY: " + std::string(PQerrorMessage(m_c.get())), true);
    Result<std::int64_t> out = std::int64_t{0};
    while (PGresult* r = PQgetResult(m_c.get())) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            const char* n = PQcmdTuples(r);
            if (out.ok()) out = std::int64_t{n && *n ? std::strtoll(n, nullptr, 10) : 0};
        } else if (out.ok()) {
            out = errorOf(r, m_c.get(), copySql);
        }
        PQclear(r);
    }
    return out;
}

} // namespace carnet::server::pg
