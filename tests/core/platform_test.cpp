#include "core/db.hpp"
#include "core/platform.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

using namespace carnet;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("platform: a durable write replaces the file whole and leaves no temporary beside it", "[platform]") {
    test::TempDir dir;
    const fs::path f = dir.path() / "a.bin";
    REQUIRE(platform::writeFileDurably(f, "first").ok());
    REQUIRE(platform::writeFileDurably(f, std::string("second\0x", 8)).ok());
    CHECK(slurp(f) == std::string("second\0x", 8));
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path()))
        ++entries;
    CHECK(entries == 1);
}

TEST_CASE("platform: appends accumulate, and a missing folder is an error naming the file", "[platform]") {
    test::TempDir dir;
    const fs::path f = dir.path() / "log";
    REQUIRE(platform::appendFileDurably(f, "ab").ok());
    REQUIRE(platform::appendFileDurably(f, "cd").ok());
    CHECK(slurp(f) == "abcd");
    auto bad = platform::writeFileDurably(dir.path() / "missing" / "x", "y");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::Io);
    CHECK(bad.error().message.find("missing") != std::string::npos);
    CHECK(platform::syncDirectory(dir.path()).ok());
    CHECK_FALSE(platform::syncDirectory(dir.path() / "missing").ok());
}

TEST_CASE("platform: a writable folder is created, a file in its place is refused", "[platform]") {
    test::TempDir dir;
    CHECK(platform::ensureWritableDirectory(dir.path() / "a" / "b").ok());
    CHECK(fs::is_directory(dir.path() / "a" / "b"));
    REQUIRE(platform::writeFileDurably(dir.path() / "file", "x").ok());
    CHECK_FALSE(platform::ensureWritableDirectory(dir.path() / "file").ok());
}

TEST_CASE("platform: paths inside the data folder are stored relative, with forward slashes", "[platform]") {
    const fs::path data = fs::path("/data/user/0/org.carnet/files");
    CHECK(platform::storedPath(data, data / "attachments" / "abc") == "attachments/abc");
    CHECK(platform::storedPath(data / "", data / "attachments" / "abc") == "attachments/abc");
    CHECK(platform::storedPath(data, "/elsewhere/x") == "/elsewhere/x");
    CHECK(platform::storedPath(data, data / ".." / "files2" / "x") == "/data/user/0/org.carnet/files2/x");
    // The container moved (an Android restore, an iOS update): the stored path follows the data folder.
    const fs::path moved = fs::path("/data/user/10/org.carnet/files");
    CHECK(platform::resolveStoredPath(moved, "attachments/abc") == moved / "attachments" / "abc");
    CHECK(platform::resolveStoredPath(moved, "/elsewhere/x") == fs::path("/elsewhere/x"));
}

TEST_CASE("platform: SQLite puts its temporary files in the folder the app chose", "[platform]") {
    test::TempDir dir;
    const fs::path tmp = platform::tempDirectory(dir.path());
    CHECK(tmp == dir.path() / "tmp");
    REQUIRE(platform::useSqliteTempDirectory(tmp).ok());
    CHECK(fs::is_directory(tmp));
    auto db = Db::open(dir.path() / "t.db");
    REQUIRE(db.ok());
    auto st = db->prepare("PRAGMA temp_store_directory");
    REQUIRE(st.ok());
    auto row = st->step();
    REQUIRE(row.ok());
    REQUIRE(*row);
    CHECK(fs::path(st->text(0)) == fs::absolute(tmp));
    st->reset();
    REQUIRE(db->exec("CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(100000))").ok());
    CHECK(db->exec("VACUUM").ok());
    // Leave SQLite's default for the other tests of this process.
    REQUIRE(platform::useSqliteTempDirectory(fs::temp_directory_path()).ok());
}

TEST_CASE("platform: a file written chunk by chunk is whole or absent, never partial", "[platform]") {
    test::TempDir dir;
    const fs::path f = dir.path() / "clip.mp4";
    const std::vector<std::string> chunks = {"abc", std::string(100'000, 'x'), "fin"};
    std::size_t k = 0;
    REQUIRE(platform::writeFileDurably(f, [&]() -> Result<std::string_view> {
                return k < chunks.size() ? std::string_view(chunks[k++]) : std::string_view();
            }).ok());
    CHECK(slurp(f) == chunks[0] + chunks[1] + chunks[2]);
    // The source failing half way (a card pulled out): an error, and no file left.
    const fs::path g = dir.path() / "cut.mp4";
    int calls = 0;
    auto cut = platform::writeFileDurably(g, [&]() -> Result<std::string_view> {
        if (++calls == 3) return makeError(ErrorCode::Io, "card removed");
        return std::string_view("chunk");
    });
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.error().message == "card removed");
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path()))
        ++entries;
    CHECK(entries == 1); // clip.mp4 only: no temporary left
}

TEST_CASE("platform: a folder's files are listed with size and date, without folders or hidden files", "[platform]") {
    test::TempDir dir;
    std::ofstream(dir.path() / "a.mp4", std::ios::binary) << "12345";
    std::ofstream(dir.path() / ".hidden.mp4") << "x";
    fs::create_directories(dir.path() / "sub.mp4");
    const auto stamp = fs::file_time_type::clock::now() - std::chrono::hours(48);
    fs::last_write_time(dir.path() / "a.mp4", stamp);
    auto listed = platform::listFiles(dir.path());
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 1);
    CHECK(listed->front().name == "a.mp4");
    CHECK(listed->front().size == 5);
    const auto age = std::time(nullptr) - listed->front().modified;
    CHECK(age > 47 * 3600);
    CHECK(age < 49 * 3600);
    CHECK(platform::listFiles(dir.path() / "missing").error().code == ErrorCode::NotFound);
}
