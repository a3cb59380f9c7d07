// Which instruction set the fast kernels use, chosen once when a model is loaded.
//
// kScalar is the portable path (the force-scalar switch: EngineOptions::force_scalar or the
// environment variable SIGHTLINE_FORCE_SCALAR=1). kVec4 is the compile-time four-float backend
// (WASM SIMD128, SSE2 or NEON). kAvx2Fma adds 8-wide fused multiply-add GEMM micro-kernels on
// x86 CPUs that report AVX2 and FMA at run time; its other kernels are the kVec4 ones. kAvx512
// is kAvx2Fma with 16-wide GEMM micro-kernels on CPUs that also report AVX-512F (its other
// kernels are the kAvx2Fma ones): where the CPU has two 512-bit FMA units this doubles the peak.
#pragma once

#include <string_view>

namespace sightline::engine::simd {

enum class Isa { kScalar, kVec4, kAvx2Fma, kAvx512 };

// "scalar", the backend name ("sse2", "wasm-simd128", "neon"), "avx2+fma" or "avx512".
const char* isa_name(Isa isa);

// Parses the names isa_name returns; false if `name` is none of them.
bool parse_isa(std::string_view name, Isa& isa);

// True when SIGHTLINE_FORCE_SCALAR is set to a value other than "" or "0". Read once.
bool scalar_forced_by_environment();

// True for the instruction sets that run the AVX2 + FMA kernels (kAvx2Fma and kAvx512).
constexpr bool uses_avx2(Isa isa) {
  return isa == Isa::kAvx2Fma || isa == Isa::kAvx512;
}

// Whether this build and this CPU can run `isa`.
bool isa_available(Isa isa);

// The fastest available instruction set.
Isa best_isa();

// kScalar when `force_scalar` or the environment asks for it, else best_isa().
Isa select_isa(bool force_scalar);

// The core clock in GHz, measured (for benchmarks' peak figures; about 0.1 s): a chain of
// dependent integer additions retires one per cycle on x86 cores, best of several trials since
// a shared machine preempts some. 0 on other targets. A virtual machine's /proc/cpuinfo may
// report its base clock instead of the running one.
double measured_clock_ghz();

}  // namespace sightline::engine::simd
