#include "core/ids.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

using carnet::isUuid;
using carnet::newUuid;

namespace {

// The Unix milliseconds in the first 48 bits (12 hex digits) of a version 7 UUID.
long long millisOf(const std::string& id) {
    return std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
}

long long nowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

TEST_CASE("new identifiers are version 7 UUIDs that sort in the order they were made", "[ids]") {
    const long long before = nowMillis();
    std::vector<std::string> ids;
    for (int i = 0; i < 20000; ++i)
        ids.push_back(newUuid());
    const long long after = nowMillis();
    for (std::size_t i = 0; i < ids.size(); ++i) {
        INFO(ids[i]);
        REQUIRE(isUuid(ids[i]));
        REQUIRE(ids[i][14] == '7');                                         // version
        REQUIRE(std::string("89ab").find(ids[i][19]) != std::string::npos); // RFC 9562 variant
        REQUIRE(millisOf(ids[i]) >= before);
        REQUIRE(millisOf(ids[i]) <= after);
        if (i > 0) REQUIRE(ids[i - 1] < ids[i]); // strictly: none repeats, even within one millisecond
    }
    // 62 random bits follow the stamp: two identifiers made apart differ there too.
    CHECK(ids.front().substr(19) != ids.back().substr(19));
}

TEST_CASE("identifiers made on several threads at once are all distinct and each thread's are ordered", "[ids]") {
    constexpr int kThreads = 4, kEach = 5000;
    std::vector<std::vector<std::string>> made(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&made, t] {
            for (int i = 0; i < kEach; ++i)
                made[static_cast<std::size_t>(t)].push_back(newUuid());
        });
    for (auto& th : threads)
        th.join();
    std::set<std::string> all;
    for (const auto& list : made) {
        for (std::size_t i = 1; i < list.size(); ++i)
            REQUIRE(list[i - 1] < list[i]);
        all.insert(list.begin(), list.end());
    }
    CHECK(all.size() == static_cast<std::size_t>(kThreads * kEach));
}
