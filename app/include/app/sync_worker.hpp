#pragma once
// Sync and login run on a worker thread with their own store connection, so drawing never blocks;
// the worker reports through a mutex-guarded status and wakes the UI loop.

#include "sync/client.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace carnet::app {

/// What the worker is doing or did.
struct SyncStatus {
    bool running = false;
    bool finished = false; ///< a result is waiting to be taken
    bool wasLogin = false;
    std::string step; ///< "push", "pull"
    int done = 0;
    sync::SyncReport report;
    std::string loginError;
};

/// One background job at a time: a sync or a login.
class SyncWorker {
public:
    SyncWorker() = default;
    ~SyncWorker();
    SyncWorker(const SyncWorker&) = delete;
    SyncWorker& operator=(const SyncWorker&) = delete;

    /// Starts a sync of the store in `dataDir`; false when a job is already running.
    bool startSync(const std::filesystem::path& dataDir, std::function<void()> wake);
    /// Starts a login; false when a job is already running.
    bool startLogin(const std::filesystem::path& dataDir, std::string url, std::string user, std::string password,
                    std::function<void()> wake);
    /// A copy of the current status.
    [[nodiscard]] SyncStatus status() const;
    /// Takes the finished result (clears `finished`).
    SyncStatus take();
    /// Waits for the current job (tests, shutdown).
    void join();
    /// The unlocked data key of an encrypted store (null without encryption): the worker's own
    /// connection opens with it, no PIN kept.
    void setKey(std::shared_ptr<const store::DataKey> key) { m_key = std::move(key); }

private:
    [[nodiscard]] store::StoreOptions storeOptions() const;
    std::shared_ptr<const store::DataKey> m_key;
    bool begin(bool login);
    mutable std::mutex m_mutex;
    SyncStatus m_status;
    std::thread m_thread;
};

} // namespace carnet::app
