#include "core/ids.hpp"

#include "core/clock.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string_view>

namespace carnet {

std::string newUuid() {
    // The 60-bit stamp: Unix milliseconds, then the fraction of the millisecond in 1/4096ths (RFC 9562,
    // section 6.2, method 3). Kept strictly increasing across the process, so that two identifiers made
    // in the same tick, or after the clock stepped back, still sort in the order they were made.
    static std::atomic<std::uint64_t> last{0};
    const auto ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    std::uint64_t stamp = ((ns / 1'000'000) << 12) | ((ns % 1'000'000) * 4096 / 1'000'000);
    std::uint64_t previous = last.load(std::memory_order_relaxed);
    do {
        if (stamp <= previous) stamp = previous + 1;
    } while (!last.compare_exchange_weak(previous, stamp, std::memory_order_relaxed));

    thread_local std::random_device rd; // /dev/urandom on Linux
    std::array<unsigned char, 16> b{};
    const std::uint64_t ms = stamp >> 12;
    for (std::size_t k = 0; k < 6; ++k)
        b[k] = static_cast<unsigned char>(ms >> (8 * (5 - k)));
    b[6] = static_cast<unsigned char>(0x70 | ((stamp >> 8) & 0x0F));
    b[7] = static_cast<unsigned char>(stamp & 0xFF);
    for (std::size_t i = 8; i < b.size(); i += 4) {
        const unsigned v = rd();
        for (std::size_t k = 0; k < 4; ++k)
            b[i + k] = static_cast<unsigned char>(v >> (8 * k));
    }
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

bool isUuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

std::string nowIsoUtc() {
    return clock::isoUtc(clock::systemNow());
}

} // namespace carnet
