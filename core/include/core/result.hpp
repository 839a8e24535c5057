#pragma once
// Expected failures are values: a Result carries either a T or an Error {code, message, transient}.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace carnet {

/// What kind of failure an Error is; callers branch on this, never on message text.
enum class ErrorCode {
    Invalid,  ///< the input is wrong (bad value, bad form, bad request)
    NotFound, ///< the thing named does not exist
    Conflict, ///< the operation clashes with the current state
    Io,       ///< the file system or database failed
    NoSpace,  ///< the disk (or the database's size cap) is full
    Busy,     ///< try again later (locked database, server busy)
    Offline,  ///< no network
    Internal, ///< a bug; reported, never expected
};

/// A failure that is part of normal operation; `message` names the thing (file, field, record).
struct Error {
    ErrorCode code = ErrorCode::Invalid;
    std::string message;
    bool transient = false; ///< retrying later may succeed (offline, busy)
};

/// Either a value or an Error.
template <class T> class [[nodiscard]] Result {
public:
    Result(T value)
        : m_v(std::move(value)) {} // NOLINT(google-explicit-constructor)
    Result(Error error)
        : m_v(std::move(error)) {} // NOLINT(google-explicit-constructor)
    /// True when the result holds a value.
    [[nodiscard]] bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    /// The value; only valid when ok().
    T& value() & {
        assert(ok());
        return std::get<0>(m_v);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(m_v);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(m_v));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    /// The error; only valid when !ok().
    [[nodiscard]] const Error& error() const {
        assert(!ok());
        return std::get<1>(m_v);
    }
    /// The value, or `fallback` on error.
    [[nodiscard]] T value_or(T fallback) const& { return ok() ? std::get<0>(m_v) : std::move(fallback); }

private:
    std::variant<T, Error> m_v;
};

/// Result of an operation that returns nothing on success.
template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_failed(true) {} // NOLINT(google-explicit-constructor)
    /// True on success.
    [[nodiscard]] bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    /// The error; only valid when !ok().
    [[nodiscard]] const Error& error() const {
        assert(m_failed);
        return m_error;
    }

private:
    Error m_error;
    bool m_failed = false;
};

/// Shorthand for building an Error.
inline Error makeError(ErrorCode code, std::string message, bool transient = false) {
    return Error{code, std::move(message), transient};
}

} // namespace carnet
