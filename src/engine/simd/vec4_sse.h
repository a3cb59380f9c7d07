// SSE2 backend of the four-float vector layer (every x86-64 CPU has SSE2).
#pragma once

#include <emmintrin.h>

namespace sightline::engine::simd {

struct Vec4Sse {
  using T = __m128;
  static constexpr const char* kName = "sse2";

  static T load(const float* source) { return _mm_loadu_ps(source); }
  static void store(float* destination, T v) { _mm_storeu_ps(destination, v); }
  static T broadcast(float value) { return _mm_set1_ps(value); }
  static T zero() { return _mm_setzero_ps(); }

  static T add(T a, T b) { return _mm_add_ps(a, b); }
  static T sub(T a, T b) { return _mm_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm_mul_ps(a, b); }
  static T div(T a, T b) { return _mm_div_ps(a, b); }
  static T mul_add(T a, T b, T c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
  static T max(T a, T b) { return _mm_max_ps(a, b); }
  static T min(T a, T b) { return _mm_min_ps(a, b); }

  static T exp2_from_shifted(T shifted) {
    const __m128i exponent = _mm_slli_epi32(_mm_castps_si128(shifted), 23);
    return _mm_castsi128_ps(_mm_add_epi32(exponent, _mm_set1_epi32(127 << 23)));
  }

  static T even_lanes(T a, T b) { return _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)); }
  static T odd_lanes(T a, T b) { return _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)); }
  static T interleave_low(T a, T b) { return _mm_unpacklo_ps(a, b); }
  static T interleave_high(T a, T b) { return _mm_unpackhi_ps(a, b); }
};

}  // namespace sightline::engine::simd
