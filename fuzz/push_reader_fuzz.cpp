// libFuzzer target: a push request body as a device (or anything on the network) might send it. The
// canonical reader (readCanonicalPush) must read exactly what the full parse reads, or decline; a
// value it calls canonical must dump back to its own bytes.
#include "fuzz_expect.hpp"
#include "sync/canonical_json.hpp"
#include "sync/protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace carnet::sync;
using nlohmann::json;

using carnet::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const std::size_t n = canonicalValue(text); n > 0) {
        const json parsed = json::parse(text.substr(0, n), nullptr, false);
        expect(!parsed.is_discarded() && parsed.dump() == text.substr(0, n));
    }
    auto fast = readCanonicalPush(text);
    if (!fast) return 0;
    // What the server's full reading (sync::pushRequestFromJson) makes of the same bytes.
    json body = json::parse(text, nullptr, false);
    expect(!body.is_discarded() && body.is_object());
    PushBodyError error;
    auto full = pushRequestFromJson(std::move(body), error);
    expect(full.has_value() && full->deviceId == fast->deviceId && full->pending == fast->pending);
    expect(full->mutations.size() == fast->mutations.size());
    for (std::size_t i = 0; i < fast->mutations.size(); ++i)
        expect(toJson(full->mutations[i]) == toJson(fast->mutations[i]));
    return 0;
}
