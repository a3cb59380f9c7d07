// AVX-512 rows of the depthwise 3x3 convolution (kernels/fast/depthwise.cpp): the algorithm of
// avx2_depthwise.cpp on sixteen output columns per vector; stride 2 picks the even and odd
// columns of two vectors with one two-source permute each. Compiled for AVX-512 through a
// function target attribute; only called after isa_available(Isa::kAvx512).
#include "engine/simd/avx512_kernels.h"

#if SIGHTLINE_HAVE_AVX2

#include <immintrin.h>

#include <algorithm>

#include "engine/simd/avx512_math.h"

namespace sightline::engine::simd {
namespace {

constexpr int64_t kLanes = 16;

// sum + w[0] * row[x] + w[1] * row[x + 1] + w[2] * row[x + 2] for sixteen x from `source`.
__attribute__((target("avx512f,avx2,fma"))) inline __m512 stride1_taps(const float* source,
                                                                       const __m512* w) {
  __m512 sum = _mm512_mul_ps(w[0], _mm512_loadu_ps(source));
  sum = _mm512_fmadd_ps(w[1], _mm512_loadu_ps(source + 1), sum);
  return _mm512_fmadd_ps(w[2], _mm512_loadu_ps(source + 2), sum);
}

// The same for the columns 2x, 2x + 1, 2x + 2 of sixteen x: 34 floats from `source`.
__attribute__((target("avx512f,avx2,fma"))) inline __m512 stride2_taps(const float* source,
                                                                       const __m512* w,
                                                                       __m512i even, __m512i odd) {
  const __m512 low = _mm512_loadu_ps(source);
  const __m512 high = _mm512_loadu_ps(source + kLanes);
  const __m512 shifted_low = _mm512_loadu_ps(source + 2);
  const __m512 shifted_high = _mm512_loadu_ps(source + 2 + kLanes);
  __m512 sum = _mm512_mul_ps(w[0], _mm512_permutex2var_ps(low, even, high));
  sum = _mm512_fmadd_ps(w[1], _mm512_permutex2var_ps(low, odd, high), sum);
  return _mm512_fmadd_ps(w[2], _mm512_permutex2var_ps(shifted_low, even, shifted_high), sum);
}

__attribute__((target("avx512f,avx2,fma"))) inline __m512 finish(__m512 top, __m512 middle,
                                                                 __m512 bottom, __m512 bias,
                                                                 Activation activation) {
  return avx512::activate_avx512(
      _mm512_add_ps(_mm512_add_ps(top, middle), _mm512_add_ps(bottom, bias)), activation);
}

// Stores sixteen outputs at column x of a row `width` wide; a vector that passes the row's end
// stores only the columns inside it (`tail_mask`).
__attribute__((target("avx512f,avx2,fma"))) inline void store_columns(float* row, int64_t x,
                                                                      int64_t width,
                                                                      __mmask16 tail_mask,
                                                                      __m512 value) {
  const __mmask16 mask = x + kLanes <= width ? __mmask16(0xFFFF) : tail_mask;
  _mm512_mask_storeu_ps(row + x, mask, value);
}

}  // namespace

__attribute__((target("avx512f,avx2,fma"))) void depthwise3x3_plane_avx512(
    const float* padded, int64_t padded_width, int stride, int64_t out_height, int64_t out_width,
    const float* weights, float bias, Activation activation, float* output) {
  __m512 w[9];
  for (int i = 0; i < 9; ++i) {
    w[i] = _mm512_set1_ps(weights[i]);
  }
  const __m512 bias_vector = _mm512_set1_ps(bias);
  // The last vector of a row stores only the columns inside the row.
  const int64_t tail = out_width % kLanes;
  const __mmask16 tail_mask = tail == 0 ? __mmask16(0xFFFF) : __mmask16((1u << tail) - 1);

  if (stride == 1) {
    int64_t oy = 0;
    for (; oy + 2 <= out_height; oy += 2) {
      const float* r0 = padded + oy * padded_width;
      const float* r1 = r0 + padded_width;
      const float* r2 = r1 + padded_width;
      const float* r3 = r2 + padded_width;
      float* upper = output + oy * out_width;
      float* lower = upper + out_width;
      for (int64_t x = 0; x < out_width; x += kLanes) {
        store_columns(upper, x, out_width, tail_mask,
                      finish(stride1_taps(r0 + x, w), stride1_taps(r1 + x, w + 3),
                             stride1_taps(r2 + x, w + 6), bias_vector, activation));
        store_columns(lower, x, out_width, tail_mask,
                      finish(stride1_taps(r1 + x, w), stride1_taps(r2 + x, w + 3),
                             stride1_taps(r3 + x, w + 6), bias_vector, activation));
      }
    }
    for (; oy < out_height; ++oy) {
      const float* r0 = padded + oy * padded_width;
      float* row = output + oy * out_width;
      for (int64_t x = 0; x < out_width; x += kLanes) {
        store_columns(
            row, x, out_width, tail_mask,
            finish(stride1_taps(r0 + x, w), stride1_taps(r0 + padded_width + x, w + 3),
                   stride1_taps(r0 + 2 * padded_width + x, w + 6), bias_vector, activation));
      }
    }
    return;
  }

  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  for (int64_t oy = 0; oy < out_height; ++oy) {
    const float* r0 = padded + 2 * oy * padded_width;
    float* row = output + oy * out_width;
    for (int64_t x = 0; x < out_width; x += kLanes) {
      store_columns(row, x, out_width, tail_mask,
                    finish(stride2_taps(r0 + 2 * x, w, even, odd),
                           stride2_taps(r0 + padded_width + 2 * x, w + 3, even, odd),
                           stride2_taps(r0 + 2 * padded_width + 2 * x, w + 6, even, odd),
                           bias_vector, activation));
    }
  }
}

}  // namespace sightline::engine::simd

#endif
