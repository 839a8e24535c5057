#pragma once
// A fresh directory under the system temp folder, removed when the test ends.

#include <filesystem>
#include <random>
#include <string>

namespace carnet::test {

class TempDir {
public:
    TempDir()
        : TempDir(std::filesystem::temp_directory_path()) {}
    /// A fresh directory under `parent` (tests that fsync a lot use a RAM disk).
    explicit TempDir(const std::filesystem::path& parent) {
        std::random_device rd;
        m_path = parent / ("carnet-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

} // namespace carnet::test
