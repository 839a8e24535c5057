#include "server/password_gate.hpp"

namespace carnet::server {

PasswordGate::Turn::~Turn() {
    if (!m_gate) return;
    {
        std::lock_guard lock(m_gate->m_mutex);
        --m_gate->m_running;
    }
    m_gate->m_freed.notify_one();
}

void PasswordGate::setLimits(HashLimits limits) {
    std::lock_guard lock(m_mutex);
    m_limits = limits;
}

Result<PasswordGate::Turn> PasswordGate::enter() {
    std::unique_lock lock(m_mutex);
    if (m_running >= m_limits.concurrent) {
        if (m_waiting >= m_limits.queued) return makeError(ErrorCode::Busy, "too many password checks at once", true);
        ++m_waiting;
        const bool freed = m_freed.wait_for(lock, m_limits.wait, [this] { return m_running < m_limits.concurrent; });
        --m_waiting;
        if (!freed) return makeError(ErrorCode::Busy, "no turn for a password check in time", true);
    }
    ++m_running;
    return Turn(this);
}

} // namespace carnet::server
