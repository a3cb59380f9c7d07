// AVX2 + FMA GEMM micro-kernel: a 6x16 tile in 12 ymm accumulators, two B vectors and one
// broadcast A value per step (15 of the 16 ymm registers). Compiled for AVX2 through a function
// target attribute, so the rest of the build keeps its baseline flags; only called after
// isa_available(Isa::kAvx2Fma) said the CPU has AVX2 and FMA.
#include "engine/simd/avx2_gemm.h"

#if SIGHTLINE_HAVE_AVX2_GEMM

#include <immintrin.h>

namespace sightline::engine::simd {

__attribute__((target("avx2,fma"))) void gemm_microkernel_avx2_6x16(int64_t depth, const float* a,
                                                                    const float* b, float* c,
                                                                    int64_t ldc, bool accumulate) {
  __m256 left[kAvx2GemmRows];
  __m256 right[kAvx2GemmRows];
  if (accumulate) {
    for (int r = 0; r < kAvx2GemmRows; ++r) {
      left[r] = _mm256_loadu_ps(c + r * ldc);
      right[r] = _mm256_loadu_ps(c + r * ldc + 8);
    }
  } else {
    for (int r = 0; r < kAvx2GemmRows; ++r) {
      left[r] = _mm256_setzero_ps();
      right[r] = _mm256_setzero_ps();
    }
  }

  for (int64_t k = 0; k < depth; ++k) {
    const __m256 b_left = _mm256_loadu_ps(b);
    const __m256 b_right = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < kAvx2GemmRows; ++r) {
      const __m256 a_value = _mm256_broadcast_ss(a + r);
      left[r] = _mm256_fmadd_ps(a_value, b_left, left[r]);
      right[r] = _mm256_fmadd_ps(a_value, b_right, right[r]);
    }
    a += kAvx2GemmRows;
    b += kAvx2GemmColumns;
  }

  for (int r = 0; r < kAvx2GemmRows; ++r) {
    _mm256_storeu_ps(c + r * ldc, left[r]);
    _mm256_storeu_ps(c + r * ldc + 8, right[r]);
  }
}

}  // namespace sightline::engine::simd

#endif
