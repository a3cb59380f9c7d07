// AVX2 + FMA bias + activation over an array (the math is in avx2_math.h).
#include "engine/simd/avx2_kernels.h"

#if SIGHTLINE_HAVE_AVX2

#include <immintrin.h>

#include "engine/simd/avx2_math.h"

namespace sightline::engine::simd {

__attribute__((target("avx2,fma"))) void bias_activation_avx2(float* values, int64_t count,
                                                              float bias, Activation activation) {
  const __m256 bias_vector = _mm256_set1_ps(bias);
  if (count < 8) {
    alignas(32) float padded[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t j = 0; j < count; ++j) {
      padded[j] = values[j];
    }
    const __m256 x = _mm256_add_ps(_mm256_load_ps(padded), bias_vector);
    _mm256_store_ps(padded, avx2::activate_avx2(x, activation));
    for (int64_t j = 0; j < count; ++j) {
      values[j] = padded[j];
    }
    return;
  }
  // The last eight are computed from the original values first and stored last, overlapping the
  // main loop's final vector with identical results (no scalar tail).
  const __m256 last = avx2::activate_avx2(
      _mm256_add_ps(_mm256_loadu_ps(values + count - 8), bias_vector), activation);
  for (int64_t i = 0; i + 8 <= count; i += 8) {
    const __m256 x = _mm256_add_ps(_mm256_loadu_ps(values + i), bias_vector);
    _mm256_storeu_ps(values + i, avx2::activate_avx2(x, activation));
  }
  _mm256_storeu_ps(values + count - 8, last);
}

}  // namespace sightline::engine::simd

#endif
