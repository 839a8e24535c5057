// Every repository write method from 8 threads at once, with pushes through the real server at the
// same time: each write queues on the repository's write mutex, so none fails busy and no push gets a 503.
#include "core/ids.hpp"
#include "server/attachments.hpp"
#include "server/crypto.hpp"
#include "server/sqlite_repository.hpp"
#include "server_fixture.hpp"
#include "temp_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

using namespace carnet;
using namespace carnet::test;

TEST_CASE("8 threads on every repository write method at once: no busy, no 503", "[server][concurrency]") {
    ServerFixture f;
    auto& repo = f.services->repository();
    auto awa = repo.findUser("awa");
    REQUIRE(awa.ok());
    REQUIRE(awa->has_value());
    const std::int64_t orgId = (*awa)->orgId;
    constexpr int kThreads = 8, kRounds = 12;
    std::vector<std::string> tokens;
    for (int t = 0; t < kThreads; ++t)
        tokens.push_back(f.loginWithDevice("awa", "tablet-" + std::to_string(t)));

    std::mutex mutex;
    std::vector<std::string> failures;
    auto check = [&](const std::string& what, const Result<void>& r) {
        if (r.ok()) return;
        std::lock_guard lock(mutex);
        failures.push_back(what + ": " + r.error().message + (r.error().code == ErrorCode::Busy ? " (busy)" : ""));
    };
    auto checkAny = [&](const std::string& what, const auto& r) {
        check(what, r.ok() ? Result<void>{} : Result<void>(r.error()));
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const std::string tag = std::to_string(t);
            const std::string device = "tablet-" + tag;
            for (int i = 0; i < kRounds; ++i) {
                const std::string n = tag + "-" + std::to_string(i);
                const std::string record = newUuid();
                auto pushed = f.push(tokens[static_cast<std::size_t>(t)], device,
                                     json::array({ServerFixture::create(i + 1, record, {{"code_ambassadeur", "A"}})}));
                if (pushed.status != 200) {
                    std::lock_guard lock(mutex);
                    failures.push_back("push " + n + ": HTTP " + std::to_string(pushed.status) + " " + pushed.raw);
                }
                checkAny("addOrg " + n, repo.addOrg("org-" + n));
                server::User u;
                u.name = "user-" + n;
                u.orgId = orgId;
                u.passwordHash = "x";
                auto uid = repo.addUser(u);
                checkAny("addUser " + n, uid);
                const std::int64_t userId = uid.ok() ? *uid : (*awa)->id;
                check("addToken " + n, repo.addToken("hash-" + n, userId));
                // A token's last use is written when it is older than touchBefore: always, here.
                checkAny("useToken " + n,
                         repo.useToken("hash-" + n, server::TokenWindow{"", "", "9999", "2026-12-06T00:00:00Z"}));
                check("revokeToken " + n, repo.revokeToken("hash-" + n));
                checkAny("registerDevice " + n, repo.registerDevice("device-" + n, userId, "tablet"));
                check("insertForm " + n, repo.insertForm(server::FormRow{"form-" + n, "1", "h", "{}", orgId}));
                if (pushed.status == 200) check("assignRecord " + n, repo.assignRecord(record, userId));
                server::DeviceReport report;
                report.pending = i;
                check("noteDeviceReport " + n, repo.noteDeviceReport(device, report));
            }
        });
    }
    for (auto& th : threads)
        th.join();
    std::string all;
    for (const auto& e : failures)
        all += e + "\n";
    INFO(all);
    CHECK(failures.empty());
    CHECK(f.scalar("SELECT count(*) FROM tokens WHERE token_hash LIKE 'hash-%' AND revoked_at IS NOT NULL") ==
          kThreads * kRounds);
    CHECK(f.scalar("SELECT count(*) FROM records") == kThreads * kRounds);
}

// SQLite's busy handler gives up after busy_timeout (5 s): a write that waits for the SQLite lock
// there, instead of on the repository's write mutex, fails busy behind a long write transaction (a
// big push, an erasure's VACUUM). One write transaction holds the lock for 6 s; every other write
// method starts meanwhile and must wait its turn, then succeed.
TEST_CASE("every repository write waits its turn behind a long write transaction, never busy",
          "[server][concurrency]") {
    ServerFixture f;
    auto& repo = f.services->repository();
    auto awa = repo.findUser("awa");
    REQUIRE(awa.ok());
    REQUIRE(awa->has_value());
    const std::int64_t orgId = (*awa)->orgId, awaId = (*awa)->id;
    const std::string token = f.loginWithDevice("awa", "tablet-long");
    const std::string record = newUuid();
    REQUIRE(f.push(token, "tablet-long", json::array({ServerFixture::create(1, record, {{"code_ambassadeur", "A"}})}))
                .status == 200);
    REQUIRE(repo.addToken("hash-long", awaId).ok());

    std::atomic<bool> inside{false};
    std::thread holder([&] {
        auto r = repo.write([&](server::WriteTx&) -> Result<void> {
            inside = true;
            std::this_thread::sleep_for(std::chrono::seconds(6)); // past the 5 s busy_timeout
            return {};
        });
        CHECK(r.ok());
    });
    while (!inside)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));

    std::mutex mutex;
    std::vector<std::string> failures;
    auto run = [&](std::string what, auto fn) {
        return std::thread([&, what = std::move(what), fn] {
            const auto r = fn();
            if (r.ok()) return;
            std::lock_guard lock(mutex);
            failures.push_back(what + ": " + r.error().message + (r.error().code == ErrorCode::Busy ? " (busy)" : ""));
        });
    };
    auto ok = [](const auto& r) { return r.ok() ? Result<void>{} : Result<void>(r.error()); };
    server::User u;
    u.name = "late-user";
    u.orgId = orgId;
    u.passwordHash = "x";
    server::DeviceReport report;
    report.pending = 3;
    std::vector<std::thread> threads;
    threads.push_back(run("addOrg", [&] { return ok(repo.addOrg("late-org")); }));
    threads.push_back(run("addUser", [&] { return ok(repo.addUser(u)); }));
    threads.push_back(run("addToken", [&] { return repo.addToken("hash-late", awaId); }));
    threads.push_back(run("useToken", [&] {
        return ok(repo.useToken("hash-long", server::TokenWindow{"", "", "9999", "2026-12-06T00:00:00Z"}));
    }));
    threads.push_back(run("revokeToken", [&] { return repo.revokeToken("hash-long"); }));
    threads.push_back(run("registerDevice", [&] { return ok(repo.registerDevice("late-device", awaId, "tablet")); }));
    threads.push_back(run("insertForm", [&] {
        return repo.insertForm(server::FormRow{"late", "1", "h", "{}", orgId});
    }));
    threads.push_back(run("assignRecord", [&] { return repo.assignRecord(record, awaId); }));
    threads.push_back(run("noteDeviceReport", [&] { return repo.noteDeviceReport("tablet-long", report); }));
    threads.push_back(run("purgeFreedData", [&] { return repo.purgeFreedData(); }));
    for (auto& t : threads)
        t.join();
    holder.join();
    std::string all;
    for (const auto& e : failures)
        all += e + "\n";
    INFO(all);
    CHECK(failures.empty());
    CHECK(f.scalar("SELECT count(*) FROM orgs WHERE name = 'late-org'") == 1);
    CHECK(f.scalar("SELECT pending FROM devices WHERE device_id = 'tablet-long'") == 3);
}

TEST_CASE("writes queued behind a commit share the next one (group commit), each kept or rolled back alone",
          "[server][concurrency][group]") {
    test::TempDir dir;
    auto opened = server::SqliteRepository::open(dir.path() / "server.db");
    REQUIRE(opened.ok());
    server::SqliteRepository& repo = **opened;
    auto batch = [](server::WriteTx& tx, int seq) {
        return tx.storeResults("group-device", seq, seq, "[{\"seq\":" + std::to_string(seq) + "}]");
    };

    // The first write holds its group open until 15 more writes wait in the queue behind it.
    std::promise<void> go;
    std::shared_future<void> released = go.get_future().share();
    std::atomic<bool> inside{false};
    std::thread first([&] {
        auto r = repo.write([&](server::WriteTx& tx) -> Result<void> {
            inside = true;
            released.wait();
            return batch(tx, 1);
        });
        CHECK(r.ok());
    });
    while (!inside)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    constexpr int kQueued = 15, kFailing = 7;
    std::vector<Result<void>> results(kQueued + 2, Result<void>{});
    std::vector<std::thread> writers;
    for (int seq = 2; seq < 2 + kQueued; ++seq)
        writers.emplace_back([&, seq] {
            results[static_cast<std::size_t>(seq)] = repo.write([&](server::WriteTx& tx) -> Result<void> {
                if (auto r = batch(tx, seq); !r.ok()) return r;
                // This one writes, then fails: its own write must be undone, and only its own.
                if (seq == kFailing) return makeError(ErrorCode::Invalid, "refused after writing");
                return {};
            });
        });
    while (repo.writeStats().waiting < kQueued)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    go.set_value();
    first.join();
    for (auto& w : writers)
        w.join();

    const auto stats = repo.writeStats();
    CHECK(stats.writes == 1 + kQueued);
    CHECK(stats.commits == 2); // the first write alone, then the 15 queued behind it together
    CHECK(stats.waiting == 0);
    for (int seq = 2; seq < 2 + kQueued; ++seq) {
        INFO(seq);
        CHECK(results[static_cast<std::size_t>(seq)].ok() == (seq != kFailing));
    }
    // What is on disk, read through a new write: every batch but the failing one's.
    std::map<std::int64_t, json> stored;
    REQUIRE(repo.write([&](server::WriteTx& tx) -> Result<void> {
                    auto r = tx.storedResults("group-device", 1, 100);
                    if (!r.ok()) return r.error();
                    stored = *r;
                    return {};
                })
                .ok());
    CHECK(stored.size() == kQueued); // 1 + 15 - 1
    CHECK(stored.count(kFailing) == 0);
    CHECK(stored.count(1) == 1);
    CHECK(stored.count(2 + kQueued - 1) == 1);
}

// Two server processes on one data folder (behind a load balancer) may each receive a chunk of the
// same file from two devices at once. The test plays the other process: it holds the organisation
// folder's lock, as a process appending does, while this one is asked for the same offset. The
// append must wait, then find the other process's chunk and ask for a resume; before the folder lock
// it checked the offset and wrote at once, and the chunk went in twice.
TEST_CASE("an attachment chunk waits while another process appends to that organisation's folder",
          "[server][concurrency][attachments]") {
    TempDir dir;
    server::AttachmentStore store(dir.path());
    REQUIRE(store.init().ok());
    std::string content;
    for (int i = 0; content.size() < 8192; ++i)
        content += "chunk line " + std::to_string(i) + "\n";
    content.resize(8192);
    const std::string sha = server::sha256Hex(content);
    const std::string_view first = std::string_view(content).substr(0, 4096);
    const std::string_view second = std::string_view(content).substr(4096);
    server::UploadState after;
    auto started = store.append(1, sha, 0, first, std::uint64_t{content.size()}, after);
    REQUIRE(started.ok());
    REQUIRE(*started == server::AppendOutcome::Appended);

    const auto folder = dir.path() / "1";
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    auto pending = std::async(std::launch::async, [&] {
        server::UploadState mine;
        return store.append(1, sha, 4096, second, std::uint64_t{content.size()}, mine);
    });
    // Still waiting while the other process holds the lock (it would wait for ever: no flake when it
    // passes; before the lock it was done within a millisecond).
    CHECK(pending.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    {
        std::ofstream part(folder / "partial" / (sha + ".part"), std::ios::binary | std::ios::app);
        part.write(second.data(), static_cast<std::streamsize>(second.size()));
    }
    ::close(fd); // the other process is done
    auto outcome = pending.get();
    REQUIRE(outcome.ok());
    CHECK(*outcome == server::AppendOutcome::OffsetMismatch); // resume from 8192: nothing written twice
    std::ifstream in(folder / "partial" / (sha + ".part"), std::ios::binary);
    const std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(stored == content);
}
