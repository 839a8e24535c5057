#pragma once
// A thin RAII layer over libpq for PostgresRepository: connections, parameterised statements (text
// parameters, text results) and errors as Result values (SQLSTATE mapped to ErrorCode). Private to
// the server library.

#include "core/result.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace carnet::server::pg {

/// One statement parameter: text, or SQL NULL.
class Param {
public:
    Param(std::string_view text) // NOLINT(google-explicit-constructor)
        : m_value(std::string(text)) {}
    Param(const std::string& text) // NOLINT(google-explicit-constructor)
        : m_value(text) {}
    Param(const char* text) // NOLINT(google-explicit-constructor)
        : m_value(std::string(text)) {}
    Param(std::int64_t n) // NOLINT(google-explicit-constructor)
        : m_value(std::to_string(n)) {}
    Param(int n) // NOLINT(google-explicit-constructor)
        : m_value(std::to_string(n)) {}
    Param(bool b) // NOLINT(google-explicit-constructor)
        : m_value(std::string(b ? "true" : "false")) {}
    Param(std::nullopt_t) {}                      // NOLINT(google-explicit-constructor)
    Param(const std::optional<std::int64_t>& n) { // NOLINT(google-explicit-constructor)
        if (n) m_value = std::to_string(*n);
    }
    [[nodiscard]] const std::optional<std::string>& value() const { return m_value; }

private:
    std::optional<std::string> m_value;
};

/// The rows of one statement (text values).
class Rows {
public:
    Rows() = default;
    explicit Rows(pg_result* r);
    [[nodiscard]] int size() const;
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] bool isNull(int row, int col) const;
    [[nodiscard]] std::string text(int row, int col) const;
    [[nodiscard]] std::int64_t integer(int row, int col) const;
    /// Rows a command changed (UPDATE, DELETE, INSERT).
    [[nodiscard]] std::int64_t affected() const;

private:
    struct Free {
        void operator()(pg_result* r) const;
    };
    std::shared_ptr<pg_result> m_r;
};

/// One connection.
class Conn {
public:
    /// Connects to `url` (a libpq connection URI: postgresql://...).
    static Result<Conn> connect(const std::string& url);
    Conn() = default;
    [[nodiscard]] bool healthy() const;
    /// Runs `sql` with `$1`.. parameters; errors name `what` and carry the server's message.
    Result<Rows> exec(std::string_view sql, std::initializer_list<Param> params = {});
    /// Runs `sql` with a parameter list built at run time.
    Result<Rows> execList(std::string_view sql, const std::vector<Param>& params);
    /// Runs statements without parameters (several, separated by ';').
    Result<void> script(std::string_view sql);
    /// Runs one statement; only its success matters.
    Result<void> run(std::string_view sql, std::initializer_list<Param> params = {});
    /// Runs `copySql` (COPY ... FROM STDIN, text format) with the rows `next` appends to its buffer
    /// (cleared before each call; it returns false once it has no more): bulk loads without a
    /// statement per row. Returns the rows copied; an error from `next` aborts the COPY.
    Result<std::int64_t> copyIn(std::string_view copySql, const std::function<Result<bool>(std::string&)>& next);

private:
    struct Close {
        void operator()(pg_conn* c) const;
    };
    std::unique_ptr<pg_conn, Close> m_c;
};

} // namespace carnet::server::pg
