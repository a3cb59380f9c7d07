// Eight-lane exp, reciprocal and activation for the AVX2 + FMA files only (they carry the
// target attribute, so this header must not be included by code built for the baseline ISA).
// Same algorithm and constants as kernels/fast/vector_math.h; see there for the accuracy.
#pragma once

#include <immintrin.h>

#include "engine/simd/activation.h"

namespace sightline::engine::simd::avx2 {

__attribute__((target("avx2,fma"))) static inline __m256 exp_avx2(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));

  const __m256 rounding = _mm256_set1_ps(12582912.0f);
  const __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), rounding);
  const __m256 n = _mm256_sub_ps(shifted, rounding);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187e-06f), r);

  __m256 p = _mm256_set1_ps(0.008297638036310673f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.04191536456346512f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.16667574644088745f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.49998894333839417f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.9999997019767761f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0000001192092896f));

  // The low mantissa bits of `shifted` hold n; moved into the exponent field they give 2^n.
  const __m256i exponent = _mm256_add_epi32(_mm256_slli_epi32(_mm256_castps_si256(shifted), 23),
                                            _mm256_set1_epi32(127 << 23));
  return _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
}

// 1 / d for d >= 1; the estimate's 12 bits become about 23 after one Newton step.
__attribute__((target("avx2,fma"))) static inline __m256 reciprocal_avx2(__m256 d) {
  const __m256 estimate = _mm256_rcp_ps(d);
  return _mm256_mul_ps(estimate, _mm256_fnmadd_ps(d, estimate, _mm256_set1_ps(2.0f)));
}

__attribute__((target("avx2,fma"))) static inline __m256 activate_avx2(__m256 x,
                                                                       Activation activation) {
  if (activation == Activation::kNone) {
    return x;
  }
  const __m256 denominator =
      _mm256_add_ps(_mm256_set1_ps(1.0f), exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x)));
  const __m256 sigmoid = reciprocal_avx2(denominator);
  return activation == Activation::kSilu ? _mm256_mul_ps(x, sigmoid) : sigmoid;
}

}  // namespace sightline::engine::simd::avx2
