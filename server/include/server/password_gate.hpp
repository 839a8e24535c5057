#pragma once
// A bound on concurrent password hashing: each argon2id hash or check takes 64 MiB and tens of
// milliseconds of a core, so unbounded concurrent logins are a way to exhaust the server's memory.

#include "core/result.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace carnet::server {

/// How many password hashes may run at once, and how many more may wait for one.
struct HashLimits {
    std::size_t concurrent = 2;             ///< at most this many hashes at once (2 x 64 MiB)
    std::size_t queued = 32;                ///< requests waiting for a turn; beyond that they are refused at once
    std::chrono::milliseconds wait{10'000}; ///< longest wait for a turn
};

/// Admits password hashing work within HashLimits.
class PasswordGate {
public:
    /// A turn to hash; given back when it goes out of scope.
    class Turn {
    public:
        explicit Turn(PasswordGate* gate)
            : m_gate(gate) {}
        Turn(Turn&& o) noexcept
            : m_gate(o.m_gate) {
            o.m_gate = nullptr;
        }
        Turn(const Turn&) = delete;
        Turn& operator=(const Turn&) = delete;
        Turn& operator=(Turn&&) = delete;
        ~Turn();

    private:
        PasswordGate* m_gate;
    };

    explicit PasswordGate(HashLimits limits = {})
        : m_limits(limits) {}

    /// Changes the limits (before the server starts).
    void setLimits(HashLimits limits);
    /// Waits for a turn; a retryable Busy error when too many wait already or none came in time.
    [[nodiscard]] Result<Turn> enter();

private:
    std::mutex m_mutex;
    std::condition_variable m_freed;
    HashLimits m_limits;
    std::size_t m_running = 0, m_waiting = 0;
};

} // namespace carnet::server
