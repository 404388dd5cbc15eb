#pragma once

// Run-time CPU feature checks for the few hot loops that have an AVX2 path. Those paths are
// compiled with a target attribute and taken only when the CPU has the feature, so the binary
// still runs on any x86-64.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
/// Defined when AVX2 paths can be compiled (x86-64 with GCC or clang).
#define HERALD_X86_AVX2 1
#endif

namespace herald::protocol {

#if defined(HERALD_X86_AVX2)
/// Whether this CPU has AVX2 (asked once).
inline bool have_avx2() noexcept {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return yes;
}
#endif

} // namespace herald::protocol
