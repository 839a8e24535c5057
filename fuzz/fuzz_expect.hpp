#pragma once
// What every fuzz target uses to state a property of the code under test.

#include <cstdlib>

namespace carnet::fuzz {

/// A property the harness checks; a violation is a crash the fuzzer reports.
inline void expect(bool condition) {
    if (!condition) std::abort();
}

} // namespace carnet::fuzz
