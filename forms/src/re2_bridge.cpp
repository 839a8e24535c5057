#include "re2_bridge.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>

namespace carnet::forms::re2bridge {

struct Compiled {
    Compiled(re2::StringPiece pattern, const RE2::Options& options)
        : re(pattern, options) {}
    RE2 re;
};

Compiled* compile(const char* pattern, std::size_t size, char* error, std::size_t errorSize) {
    RE2::Options options; // UTF-8 in and out; errors are returned, not logged
    options.set_log_errors(false);
    auto* c = new Compiled(re2::StringPiece(pattern, size), options);
    if (c->re.ok()) return c;
    if (errorSize > 0) {
        const std::string& message = c->re.error();
        const std::size_t n = std::min(message.size(), errorSize - 1);
        std::memcpy(error, message.data(), n);
        error[n] = '\0';
    }
    delete c;
    return nullptr;
}

bool fullMatch(const Compiled* re, const char* text, std::size_t size) {
    return RE2::FullMatch(re2::StringPiece(text, size), re->re);
}

bool partialMatch(const Compiled* re, const char* text, std::size_t size) {
    return RE2::PartialMatch(re2::StringPiece(text, size), re->re);
}

void destroy(Compiled* re) {
    delete re;
}

} // namespace carnet::forms::re2bridge
