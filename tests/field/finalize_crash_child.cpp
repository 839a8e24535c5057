// The process the finalize crash test kills: finalizes one door interview (field::device::finalizeRecord)
// and kills itself with SIGKILL at commit number N of the store, just before or just after it.
// Exits 0 when the workflow made fewer than N commits.
#include "field/device.hpp"

#include <csignal>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
    if (argc != 5) return 2;
    const long long killAt = std::stoll(argv[3]);
    const bool afterCommit = std::string(argv[4]) == "after";
    auto store = carnet::store::Store::open(argv[1]);
    if (!store.ok()) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        return 1;
    }
    store->onCommit([&](std::int64_t commit, bool committed) {
        if (commit == killAt && committed == afterCommit) std::raise(SIGKILL);
    });
    auto fx =
        carnet::field::device::finalizeRecord(*store, argv[2], carnet::field::Campaign{}, "2026-11-26T10:00", "awa");
    if (!fx.ok() || !fx->issues.empty()) {
        std::fprintf(stderr, "%s\n", fx.ok() ? fx->issues.front().message.c_str() : fx.error().message.c_str());
        return 1;
    }
    return 0;
}
