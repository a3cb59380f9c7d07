// Run-time choice of the instruction set: environment switch and x86 CPU feature detection.
#include "engine/simd/isa.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "engine/simd/vec4.h"

namespace sightline::engine::simd {
namespace {

bool cpu_has_avx2_fma() {
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__) && \
    (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_has_avx512() {
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__) && \
    (defined(__GNUC__) || defined(__clang__))
  // The compiler's CPU check also asks the operating system whether it saves the 512-bit state.
  __builtin_cpu_init();
  return cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kVec4:
      return Vec4Native::kName;
    case Isa::kAvx2Fma:
      return "avx2+fma";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

bool parse_isa(std::string_view name, Isa& isa) {
  for (Isa candidate : {Isa::kScalar, Isa::kVec4, Isa::kAvx2Fma, Isa::kAvx512}) {
    if (name == isa_name(candidate)) {
      isa = candidate;
      return true;
    }
  }
  return false;
}

bool scalar_forced_by_environment() {
  static const bool forced = [] {
    const char* value = std::getenv("SIGHTLINE_FORCE_SCALAR");
    return value != nullptr && value[0] != '\0' && std::strcmp(value, "0") != 0;
  }();
  return forced;
}

bool isa_available(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
    case Isa::kVec4:
      return true;
    case Isa::kAvx2Fma: {
      static const bool available = cpu_has_avx2_fma();
      return available;
    }
    case Isa::kAvx512: {
      static const bool available = cpu_has_avx512();
      return available;
    }
  }
  return false;
}

Isa best_isa() {
  if (isa_available(Isa::kAvx512)) {
    return Isa::kAvx512;
  }
  return isa_available(Isa::kAvx2Fma) ? Isa::kAvx2Fma : Isa::kVec4;
}

Isa select_isa(bool force_scalar) {
  if (force_scalar || scalar_forced_by_environment()) {
    return Isa::kScalar;
  }
  return best_isa();
}

double measured_clock_ghz() {
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__) && (defined(__GNUC__) || defined(__clang__))
  constexpr int64_t kIterations = 1 << 20;
  constexpr int kAddsPerIteration = 8;
  double best = 0.0;
  for (int trial = 0; trial < 15; ++trial) {
    uint64_t value = 0;
    int64_t left = kIterations;
    const uint64_t one = 1;
    const auto start = std::chrono::steady_clock::now();
    // Register operands: Intel's Golden Cove cores fold chains of immediate additions at
    // register renaming (the chain then runs several times faster than the clock).
    asm volatile(
        "1:\n\t"
        "add %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\t"
        "add %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\t"
        "dec %1\n\tjnz 1b"
        : "+r"(value), "+r"(left)
        : "r"(one)
        : "cc");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, kIterations * kAddsPerIteration / seconds / 1e9);
  }
  return best;
#else
  return 0.0;
#endif
}

}  // namespace sightline::engine::simd
