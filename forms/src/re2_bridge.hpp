#pragma once
// RE2 behind a boundary that passes only pointers and sizes: the forms engine built with one C++
// library (libc++: the NDK, the libcxx preset) can use an RE2 built with another (Debian's, against
// libstdc++), since no std type crosses it (docs/platforms.md).

#include <cstddef>

namespace carnet::forms::re2bridge {

struct Compiled;

/// Compiles `pattern` (UTF-8); nullptr with a message in `error` (NUL-terminated) when it is invalid.
Compiled* compile(const char* pattern, std::size_t size, char* error, std::size_t errorSize);
/// True when the pattern matches the whole text.
bool fullMatch(const Compiled* re, const char* text, std::size_t size);
/// True when the pattern matches somewhere in the text.
bool partialMatch(const Compiled* re, const char* text, std::size_t size);
/// Frees what compile returned.
void destroy(Compiled* re);

} // namespace carnet::forms::re2bridge
