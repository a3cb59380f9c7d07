// The AVX2 + FMA GEMM micro-kernel (x86 only, chosen at run time when the CPU supports it).
#pragma once

#include <cstdint>

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__) && \
    (defined(__GNUC__) || defined(__clang__))
#define SIGHTLINE_HAVE_AVX2_GEMM 1
#else
#define SIGHTLINE_HAVE_AVX2_GEMM 0
#endif

namespace sightline::engine::simd {

constexpr int kAvx2GemmRows = 6;
constexpr int kAvx2GemmColumns = 16;

#if SIGHTLINE_HAVE_AVX2_GEMM
// C[6, 16] (+)= A[6, depth] * B[depth, 16] with
//   a: packed panel [depth, 6]   b: packed panel [depth, 16]   c: row-major, row stride ldc.
// With `accumulate` false, C is overwritten.
void gemm_microkernel_avx2_6x16(int64_t depth, const float* a, const float* b, float* c,
                                int64_t ldc, bool accumulate);
#endif

}  // namespace sightline::engine::simd
