// libFuzzer target: a push request body as a device (or anything on the network) might send it. The
// canonical reader (readCanonicalPush) must read exactly what the full parse reads, or decline; a
// value it calls canonical must dump back to its own bytes.
#include "sync/canonical_json.hpp"
#include "sync/protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace carnet::sync;
using nlohmann::json;

namespace {

// A property the harness checks; a violation is a crash the fuzzer reports.
void expect(bool condition) {
    if (!condition) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const std::size_t n = canonicalValue(text); n > 0) {
        const json parsed = json::parse(text.substr(0, n), nullptr, false);
        expect(!parsed.is_discarded() && parsed.dump() == text.substr(0, n));
    }
    auto fast = readCanonicalPush(text);
    if (!fast) return 0;
    // What the server's full reading (server/src/routes.cpp) makes of the same bytes.
    json body = json::parse(text, nullptr, false);
    expect(!body.is_discarded() && body.is_object());
    auto device = body.find("device_id");
    auto mutations = body.find("mutations");
    expect(device != body.end() && device->is_string() && *device == fast->deviceId);
    expect(mutations != body.end() && mutations->is_array() && mutations->size() == fast->mutations.size());
    expect(mutations->size() <= kMaxPushBatch);
    for (std::size_t i = 0; i < fast->mutations.size(); ++i) {
        auto full = mutationFromJson((*mutations)[i]);
        expect(full.ok());
        expect(toJson(*full) == toJson(fast->mutations[i]));
    }
    std::optional<std::int64_t> pending;
    if (auto p = body.find("pending"); p != body.end() && p->is_number_integer() && p->get<std::int64_t>() >= 0)
        pending = p->get<std::int64_t>();
    expect(pending == fast->pending);
    return 0;
}
