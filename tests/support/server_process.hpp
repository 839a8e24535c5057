#pragma once
// A real carnet-server process on 127.0.0.1 (port chosen by the system), with its own data folder.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace carnet::test {

class ServerProcess {
public:
    ServerProcess(std::string binary, std::filesystem::path dataDir)
        : m_bin(std::move(binary))
        , m_data(std::move(dataDir)) {}
    ~ServerProcess() { (void)stop(); }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    /// Keeps the data in PostgreSQL (`--db URL`, for admin commands and serve); "" for SQLite.
    void setDatabase(std::string url) { m_db = std::move(url); }
    /// Sends the server's standard error (its request log) to `file` instead of the test's.
    void setStderr(std::filesystem::path file) { m_stderr = std::move(file); }

    /// Runs an administration command ("org add alec"); `input` goes to its standard input.
    bool admin(const std::string& args, const std::string& input = {}) const {
        const std::string cmd = (input.empty() ? std::string() : "printf '%s\\n' '" + input + "' | ") + "'" + m_bin +
                                "' --data '" + m_data.string() + "' " + (m_db.empty() ? "" : "--db '" + m_db + "' ") +
                                args + " >/dev/null";
        return std::system(cmd.c_str()) == 0;
    }

    /// Starts `serve` (with `extra` options: "--tls-cert", FILE, ...) and waits for its
    /// "listening on 127.0.0.1:PORT" line. With --tls-cert, url() is https. A restarted server has a
    /// new port (the system's choice again): false, and port() 0, when it did not come up.
    bool start(const std::vector<std::string>& extra = {}) {
        m_port = 0;
        std::vector<std::string> args{m_bin, "--data", m_data.string(), "serve", "--port", "0", "--bind", "127.0.0.1"};
        if (!m_db.empty()) args.insert(args.end(), {"--db", m_db});
        args.insert(args.end(), extra.begin(), extra.end());
        m_https = std::find(extra.begin(), extra.end(), "--tls-cert") != extra.end();
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        int fds[2];
        if (::pipe(fds) != 0) return false;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::dup2(fds[1], 1);
            if (!m_stderr.empty()) {
                const int err = ::open(m_stderr.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
                if (err >= 0) ::dup2(err, 2);
            }
            ::close(fds[0]);
            ::close(fds[1]);
            ::execv(m_bin.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        std::string out;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fds[0], POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            char buf[256];
            const ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n));
            const auto at = out.find("listening on 127.0.0.1:");
            if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
                m_port = std::atoi(out.c_str() + at + 23);
                break;
            }
        }
        ::close(fds[0]);
        return m_port > 0;
    }

    /// Asks the server to stop (SIGTERM) and waits; true when it exited with status 0.
    bool stop() {
        if (m_pid <= 0) return false;
        ::kill(m_pid, SIGTERM);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }

    /// Kills the server without warning (crash tests).
    void kill9() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
        }
    }

    [[nodiscard]] std::string url() const {
        return (m_https ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(m_port);
    }
    [[nodiscard]] int port() const { return m_port; }
    /// The server's process id (its /proc entry), or -1 when it is not running.
    [[nodiscard]] pid_t pid() const { return m_pid; }

private:
    std::string m_bin;
    std::filesystem::path m_data;
    std::string m_db;
    std::filesystem::path m_stderr;
    pid_t m_pid = -1;
    int m_port = 0;
    bool m_https = false;
};

} // namespace carnet::test
