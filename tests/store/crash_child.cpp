// The process the crash test kills: saves answers in a loop and acknowledges each one on stdout
// only after the store returned, i.e. after the commit is durable.
#include "store/store.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    if (argc != 4) return 2;
    carnet::store::StoreOptions options;
    if (const char* pin = std::getenv("CARNET_CRASH_PIN")) options.pin = pin; // the store is encrypted
    auto store = carnet::store::Store::open(argv[1], options);
    if (!store.ok()) {
        std::fprintf(stderr, "%s\n", store.error().message.c_str());
        return 1;
    }
    const std::string id = argv[2];
    long long n = std::stoll(argv[3]);
    while (true) {
        ++n;
        const bool text = n % 3 == 0;
        auto r = text ? store->setAnswer(id, "t", "v" + std::to_string(n)) : store->setAnswer(id, "n", n);
        if (!r.ok()) {
            std::fprintf(stderr, "%s\n", r.error().message.c_str());
            return 1;
        }
        std::printf("saved %s %lld\n", text ? "t" : "n", n);
        std::fflush(stdout);
    }
}
