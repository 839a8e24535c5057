#pragma once
// A child process of a benchmark (a carnet-server, the byte-counting relay): its standard input and
// output on pipes, its output read line by line, its standard error kept, dropped or sent to a file.
// Stopped with SIGTERM and waited for when it goes out of scope. A failure ends the benchmark with
// exit code 1 and a message on standard error: a benchmark that cannot run its setup measures nothing.

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace carnet::bench {

class Child {
public:
    /// Starts `argv` (argv[0] is the binary's path). `stderrTo`: a file its standard error is appended
    /// to ("/dev/null" drops it), or empty to share the benchmark's own.
    explicit Child(const std::vector<std::string>& argv, const std::string& stderrTo = {}) {
        int in[2], out[2];
        if (::pipe(in) != 0 || ::pipe(out) != 0) fail("pipe failed");
        m_pid = ::fork();
        if (m_pid == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            if (!stderrTo.empty()) {
                if (const int err = ::open(stderrTo.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600); err >= 0)
                    ::dup2(err, 2);
            }
            ::close(in[0]);
            ::close(in[1]);
            ::close(out[0]);
            ::close(out[1]);
            std::vector<char*> args;
            for (const auto& a : argv)
                args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        if (m_pid < 0) fail("fork failed");
        ::close(in[0]);
        ::close(out[1]);
        m_in = in[1];
        m_out = out[0];
    }
    ~Child() {
        ::close(m_in);
        ::close(m_out);
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    /// The next line of its output, without the newline; fails after `timeout`.
    std::string line(std::chrono::seconds timeout = std::chrono::seconds(60)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto nl = m_buf.find('\n');
            if (nl != std::string::npos) {
                std::string l = m_buf.substr(0, nl);
                m_buf.erase(0, nl + 1);
                return l;
            }
            pollfd p{m_out, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[512];
            const ssize_t n = ::read(m_out, buf, sizeof buf);
            if (n <= 0) fail("a child process ended early");
            m_buf.append(buf, static_cast<std::size_t>(n));
        }
        fail("a child process did not answer in " + std::to_string(timeout.count()) + " s");
    }
    /// Writes `text` to its standard input.
    void write(std::string_view text) {
        if (::write(m_in, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
            fail("writing to a child process failed");
    }
    [[nodiscard]] pid_t pid() const { return m_pid; }

private:
    [[noreturn]] static void fail(const std::string& message) {
        std::fprintf(stderr, "bench: %s\n", message.c_str());
        std::exit(1);
    }

    pid_t m_pid = -1;
    int m_in = -1, m_out = -1;
    std::string m_buf;
};

} // namespace carnet::bench
