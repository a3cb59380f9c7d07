// Sixteen-lane exp and activation for the AVX-512 files only (they carry the target attribute,
// so this header must not be included by code built for the baseline ISA). Same algorithm and
// constants as kernels/fast/vector_math.h; the reciprocal is a 14-bit estimate refined by one
// Newton step instead of a division.
#pragma once

#include <immintrin.h>

#include "engine/simd/activation.h"

namespace sightline::engine::simd::avx512 {

__attribute__((target("avx512f,avx2,fma"))) static inline __m512 exp_avx512(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));

  // Adding and subtracting 1.5 * 2^23 rounds x / ln2 to the nearest whole number n.
  const __m512 rounding = _mm512_set1_ps(12582912.0f);
  const __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504f), rounding);
  const __m512 n = _mm512_sub_ps(shifted, rounding);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);

  __m512 p = _mm512_set1_ps(0.008297638036310673f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.04191536456346512f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.16667574644088745f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.49998894333839417f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.9999997019767761f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0000001192092896f));

  // The low mantissa bits of `shifted` hold n; moved into the exponent field they give 2^n.
  const __m512i exponent = _mm512_add_epi32(_mm512_slli_epi32(_mm512_castps_si512(shifted), 23),
                                            _mm512_set1_epi32(127 << 23));
  return _mm512_mul_ps(p, _mm512_castsi512_ps(exponent));
}

__attribute__((target("avx512f,avx2,fma"))) static inline __m512 activate_avx512(
    __m512 x, Activation activation) {
  if (activation == Activation::kNone) {
    return x;
  }
  const __m512 denominator =
      _mm512_add_ps(_mm512_set1_ps(1.0f), exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), x)));
  // 1 / d for d >= 1: the 14-bit estimate becomes about 23 bits after one Newton step.
  const __m512 estimate = _mm512_rcp14_ps(denominator);
  const __m512 sigmoid =
      _mm512_mul_ps(estimate, _mm512_fnmadd_ps(denominator, estimate, _mm512_set1_ps(2.0f)));
  return activation == Activation::kSilu ? _mm512_mul_ps(x, sigmoid) : sigmoid;
}

}  // namespace sightline::engine::simd::avx512
