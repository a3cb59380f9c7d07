// AVX2 + FMA rows of the depthwise 3x3 convolution (kernels/fast/depthwise.cpp): eight output
// columns per vector, the three kernel rows summed in separate accumulators (short dependency
// chains), bias and activation applied in registers before the only store. Stride 1 computes
// two output rows per pass, which share two of their four input rows. Compiled for AVX2 through
// a function target attribute; only called after isa_available(Isa::kAvx2Fma).
#include "engine/simd/avx2_kernels.h"

#if SIGHTLINE_HAVE_AVX2

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "engine/simd/avx2_math.h"

namespace sightline::engine::simd {
namespace {

// Columns 0, 2, .., 14 / 1, 3, .., 15 of the 16 floats in (low, high).
__attribute__((target("avx2,fma"))) inline __m256 even_columns(__m256 low, __m256 high) {
  const __m256 paired = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(paired), _MM_SHUFFLE(3, 1, 2, 0)));
}

__attribute__((target("avx2,fma"))) inline __m256 odd_columns(__m256 low, __m256 high) {
  const __m256 paired = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(3, 1, 3, 1));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(paired), _MM_SHUFFLE(3, 1, 2, 0)));
}

// sum + w[0] * row[x] + w[1] * row[x + 1] + w[2] * row[x + 2] for eight x from `source`.
__attribute__((target("avx2,fma"))) inline __m256 stride1_taps(const float* source, const __m256* w,
                                                               __m256 sum) {
  sum = _mm256_fmadd_ps(w[0], _mm256_loadu_ps(source), sum);
  sum = _mm256_fmadd_ps(w[1], _mm256_loadu_ps(source + 1), sum);
  return _mm256_fmadd_ps(w[2], _mm256_loadu_ps(source + 2), sum);
}

// The same for the columns 2x, 2x + 1, 2x + 2 of eight x: 18 floats from `source`.
__attribute__((target("avx2,fma"))) inline __m256 stride2_taps(const float* source, const __m256* w,
                                                               __m256 sum) {
  const __m256 low = _mm256_loadu_ps(source);
  const __m256 high = _mm256_loadu_ps(source + 8);
  const __m256 shifted_low = _mm256_loadu_ps(source + 2);
  const __m256 shifted_high = _mm256_loadu_ps(source + 10);
  sum = _mm256_fmadd_ps(w[0], even_columns(low, high), sum);
  sum = _mm256_fmadd_ps(w[1], odd_columns(low, high), sum);
  return _mm256_fmadd_ps(w[2], even_columns(shifted_low, shifted_high), sum);
}

__attribute__((target("avx2,fma"))) inline __m256 finish(__m256 top, __m256 middle, __m256 bottom,
                                                         __m256 bias, Activation activation) {
  return avx2::activate_avx2(_mm256_add_ps(_mm256_add_ps(top, middle), _mm256_add_ps(bottom, bias)),
                             activation);
}

// Stores eight outputs at column `x` of a row `width` wide: in place when they fit, else (a
// row narrower than eight) the first `width`.
__attribute__((target("avx2,fma"))) inline void store_columns(float* row, int64_t x, int64_t width,
                                                              __m256 value) {
  if (width >= 8) {
    _mm256_storeu_ps(row + x, value);
    return;
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, value);
  std::memcpy(row, lanes, sizeof(float) * static_cast<size_t>(width));
}

}  // namespace

__attribute__((target("avx2,fma"))) void depthwise3x3_plane_avx2(
    const float* padded, int64_t padded_width, int stride, int64_t out_height, int64_t out_width,
    const float* weights, float bias, Activation activation, float* output) {
  __m256 w[9];
  for (int i = 0; i < 9; ++i) {
    w[i] = _mm256_broadcast_ss(weights + i);
  }
  const __m256 bias_vector = _mm256_set1_ps(bias);
  // The last vector of a row overlaps the one before instead of taking a scalar tail.
  const int64_t last_x = std::max<int64_t>(0, out_width - 8);
  const __m256 zero = _mm256_setzero_ps();

  if (stride == 1) {
    int64_t oy = 0;
    for (; oy + 2 <= out_height; oy += 2) {
      const float* r0 = padded + oy * padded_width;
      const float* r1 = r0 + padded_width;
      const float* r2 = r1 + padded_width;
      const float* r3 = r2 + padded_width;
      float* upper = output + oy * out_width;
      float* lower = upper + out_width;
      for (int64_t column = 0; column < out_width; column += 8) {
        const int64_t x = std::min(column, last_x);
        const __m256 upper_sum =
            finish(stride1_taps(r0 + x, w, zero), stride1_taps(r1 + x, w + 3, zero),
                   stride1_taps(r2 + x, w + 6, zero), bias_vector, activation);
        const __m256 lower_sum =
            finish(stride1_taps(r1 + x, w, zero), stride1_taps(r2 + x, w + 3, zero),
                   stride1_taps(r3 + x, w + 6, zero), bias_vector, activation);
        store_columns(upper, x, out_width, upper_sum);
        store_columns(lower, x, out_width, lower_sum);
      }
    }
    for (; oy < out_height; ++oy) {
      const float* r0 = padded + oy * padded_width;
      float* row = output + oy * out_width;
      for (int64_t column = 0; column < out_width; column += 8) {
        const int64_t x = std::min(column, last_x);
        store_columns(
            row, x, out_width,
            finish(stride1_taps(r0 + x, w, zero), stride1_taps(r0 + padded_width + x, w + 3, zero),
                   stride1_taps(r0 + 2 * padded_width + x, w + 6, zero), bias_vector, activation));
      }
    }
    return;
  }

  for (int64_t oy = 0; oy < out_height; ++oy) {
    const float* r0 = padded + 2 * oy * padded_width;
    float* row = output + oy * out_width;
    for (int64_t column = 0; column < out_width; column += 8) {
      const int64_t x = std::min(column, last_x);
      store_columns(row, x, out_width,
                    finish(stride2_taps(r0 + 2 * x, w, zero),
                           stride2_taps(r0 + padded_width + 2 * x, w + 3, zero),
                           stride2_taps(r0 + 2 * padded_width + 2 * x, w + 6, zero), bias_vector,
                           activation));
    }
  }
}

}  // namespace sightline::engine::simd

#endif
