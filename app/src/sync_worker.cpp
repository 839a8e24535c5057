#include "app/sync_worker.hpp"

namespace carnet::app {

SyncWorker::~SyncWorker() {
    join();
}

void SyncWorker::join() {
    if (m_thread.joinable()) m_thread.join();
}

store::StoreOptions SyncWorker::storeOptions() const {
    store::StoreOptions o;
    o.key = m_key;
    return o;
}

bool SyncWorker::begin(bool login) {
    std::lock_guard lock(m_mutex);
    if (m_status.running) return false;
    m_status = SyncStatus{};
    m_status.running = true;
    m_status.wasLogin = login;
    return true;
}

bool SyncWorker::startSync(const std::filesystem::path& dataDir, std::function<void()> wake) {
    if (!begin(false)) return false;
    join();
    m_thread = std::thread([this, dataDir, wake = std::move(wake)] {
        sync::SyncReport report;
        auto store = store::Store::open(dataDir, storeOptions()); // this thread's own connection
        if (!store.ok()) {
            report.ok = false;
            report.errors.push_back(store.error().message);
        } else {
            const std::string url = store->setting("server_url").value_or("");
            // The private CA the device was logged in with (`carnet-device login --ca`), if any.
            auto transport =
                sync::makeCurlTransport(url, sync::TransportOptions{store->setting("server_ca_pem").value_or("")});
            sync::SyncOptions options;
            options.attempts = 3;
            options.progress = [&](const std::string& step, int done, int) {
                {
                    std::lock_guard lock(m_mutex);
                    m_status.step = step;
                    m_status.done = done;
                }
                if (wake) wake();
            };
            report = sync::synchronize(*store, *transport, options);
        }
        {
            std::lock_guard lock(m_mutex);
            m_status.running = false;
            m_status.finished = true;
            m_status.report = std::move(report);
        }
        if (wake) wake();
    });
    return true;
}

bool SyncWorker::startLogin(const std::filesystem::path& dataDir, std::string url, std::string user,
                            std::string password, std::function<void()> wake) {
    if (!begin(true)) return false;
    join();
    m_thread = std::thread([this, dataDir, url = std::move(url), user = std::move(user), password = std::move(password),
                            wake = std::move(wake)] {
        std::string error;
        auto store = store::Store::open(dataDir, storeOptions());
        if (!store.ok()) {
            error = store.error().message;
        } else {
            auto transport = sync::makeCurlTransport(url);
            auto r = sync::login(*store, *transport, url, user, password);
            if (!r.ok()) error = r.error().message;
        }
        {
            std::lock_guard lock(m_mutex);
            m_status.running = false;
            m_status.finished = true;
            m_status.loginError = error;
        }
        if (wake) wake();
    });
    return true;
}

SyncStatus SyncWorker::status() const {
    std::lock_guard lock(m_mutex);
    return m_status;
}

SyncStatus SyncWorker::take() {
    std::lock_guard lock(m_mutex);
    SyncStatus s = m_status;
    m_status.finished = false;
    return s;
}

} // namespace carnet::app
