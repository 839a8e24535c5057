#pragma once
// Runs a shell command line in a test, as an operator would type it: its exit code and everything it
// wrote (stdout and stderr together).

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace carnet::test {

struct Run {
    int code = -1;
    std::string out;
};

/// Runs `command` through /bin/sh, capturing stdout and stderr.
inline Run sh(const std::string& command) {
    Run r;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    const int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/// `s` in single quotes, for a command line (test paths hold no quote).
inline std::string quote(const std::string& s) {
    return "'" + s + "'";
}

} // namespace carnet::test
