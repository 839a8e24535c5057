// Kill -9 a process that is saving answers, hundreds of times: the store must stay intact and keep
// every answer that was acknowledged.
#include "fixtures.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <poll.h>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace carnet;
using namespace carnet::store;
using nlohmann::json;

namespace {

struct Child {
    pid_t pid = -1;
    int out = -1;
};

Child spawn(const std::string& dataDir, const std::string& id, long long start) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const std::string startText = std::to_string(start);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execl(CARNET_CRASH_CHILD, CARNET_CRASH_CHILD, dataDir.c_str(), id.c_str(), startText.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    return Child{pid, fds[0]};
}

// Reads acknowledged lines until `wanted` of them arrived or `deadline` passed.
void readAcks(int fd, int wanted, std::chrono::steady_clock::time_point deadline, std::string& buffer, int& lines) {
    while (lines < wanted && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5) <= 0) continue;
        char chunk[4096];
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return;
        buffer.append(chunk, static_cast<std::size_t>(n));
        lines = 0;
        for (char c : buffer)
            lines += c == '\n' ? 1 : 0;
    }
}

} // namespace

TEST_CASE("SIGKILL while saving never loses an acknowledged answer", "[store][crash][slow]") {
    const char* seedEnv = std::getenv("CARNET_CRASH_SEED");
    const unsigned baseSeed = seedEnv ? static_cast<unsigned>(std::stoul(seedEnv)) : std::random_device{}();
    const int kills = 200;
    std::cout << "crash test: base seed " << baseSeed << " (CARNET_CRASH_SEED=" << baseSeed << " to replay), " << kills
              << " kills" << std::endl;

    test::TempDir dir;
    std::string id;
    // Encryption on, as on a tablet: the text answer is personal, so every save seals it.
    StoreOptions options;
    options.pin = "crash-test-pin";
    options.kdf = KdfLimits::fastest();
    REQUIRE(::setenv("CARNET_CRASH_PIN", options.pin->c_str(), 1) == 0);
    {
        auto s = Store::open(dir.path(), options);
        REQUIRE(s.ok());
        REQUIRE(s->installForm(test::counterForm()).ok());
        id = *s->createRecord("counter", "crash");
    }
    long long lastAckN = 0, lastAckT = 0, counter = 0;
    int totalAcks = 0;
    for (int k = 0; k < kills; ++k) {
        const unsigned seed = baseSeed + static_cast<unsigned>(k);
        INFO("kill " << k << " seed " << seed);
        std::mt19937 rng(seed);
        const int wanted = std::uniform_int_distribution<int>(0, 12)(rng);
        const int extraMicros = std::uniform_int_distribution<int>(0, 4000)(rng);

        Child c = spawn(dir.path().string(), id, counter);
        std::string buffer;
        int lines = 0;
        readAcks(c.out, wanted, std::chrono::steady_clock::now() + std::chrono::seconds(5), buffer, lines);
        std::this_thread::sleep_for(std::chrono::microseconds(extraMicros));
        ::kill(c.pid, SIGKILL);
        int status = 0;
        ::waitpid(c.pid, &status, 0);
        // Lines written before the kill are still in the pipe.
        readAcks(c.out, 1 << 30, std::chrono::steady_clock::now() + std::chrono::milliseconds(50), buffer, lines);
        ::close(c.out);
        REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));

        std::istringstream in(buffer);
        std::string word, field;
        long long value = 0;
        while (in >> word >> field >> value) {
            if (word != "saved") continue;
            ++totalAcks;
            (field == "n" ? lastAckN : lastAckT) = value;
            counter = std::max(counter, value);
        }

        auto s = Store::open(dir.path(), options);
        REQUIRE(s.ok());
        REQUIRE(s->encrypted());
        REQUIRE(*s->integrityOk());
        auto rec = s->get(id);
        REQUIRE(rec.ok());
        const json& a = rec->answers;
        // The newest value on disk is the last acknowledged one, or the one written just before the kill.
        if (lastAckN > 0) {
            REQUIRE(a.contains("n"));
            CHECK(a["n"].get<long long>() >= lastAckN);
            counter = std::max(counter, a["n"].get<long long>());
        }
        if (lastAckT > 0) {
            REQUIRE(a.contains("t"));
            CHECK(std::stoll(a["t"].get<std::string>().substr(1)) >= lastAckT);
            counter = std::max(counter, std::stoll(a["t"].get<std::string>().substr(1)));
        }
        // The outbox replays to exactly the record.
        json replayed = json::object();
        const auto outbox = s->outbox();
        REQUIRE(outbox.ok());
        for (const auto& e : *outbox) {
            REQUIRE(e.recordId == id);
            for (const auto& [f, v] : e.changes["fields"].items())
                replayed[f] = v;
        }
        REQUIRE(replayed == a);
    }
    std::cout << "crash test: " << totalAcks << " acknowledged saves over " << kills << " kills, none lost"
              << std::endl;
    CHECK(totalAcks > kills); // the kills did land in the middle of saving
}
