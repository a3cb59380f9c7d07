// NEON backend of the four-float vector layer, for AArch64 (32-bit ARM lacks the vector divide
// and the de-interleaving used here, and gets the scalar backend).
#pragma once

#include <arm_neon.h>

namespace sightline::engine::simd {

struct Vec4Neon {
  using T = float32x4_t;
  static constexpr const char* kName = "neon";

  static T load(const float* source) { return vld1q_f32(source); }
  static void store(float* destination, T v) { vst1q_f32(destination, v); }
  static T broadcast(float value) { return vdupq_n_f32(value); }
  static T zero() { return vdupq_n_f32(0.0f); }

  static T add(T a, T b) { return vaddq_f32(a, b); }
  static T sub(T a, T b) { return vsubq_f32(a, b); }
  static T mul(T a, T b) { return vmulq_f32(a, b); }
  static T div(T a, T b) { return vdivq_f32(a, b); }
  static T mul_add(T a, T b, T c) { return vfmaq_f32(c, a, b); }
  static T max(T a, T b) { return vmaxq_f32(a, b); }
  static T min(T a, T b) { return vminq_f32(a, b); }

  static T exp2_from_shifted(T shifted) {
    const int32x4_t exponent = vshlq_n_s32(vreinterpretq_s32_f32(shifted), 23);
    return vreinterpretq_f32_s32(vaddq_s32(exponent, vdupq_n_s32(127 << 23)));
  }

  static T even_lanes(T a, T b) { return vuzp1q_f32(a, b); }
  static T odd_lanes(T a, T b) { return vuzp2q_f32(a, b); }
  static T interleave_low(T a, T b) { return vzip1q_f32(a, b); }
  static T interleave_high(T a, T b) { return vzip2q_f32(a, b); }
};

}  // namespace sightline::engine::simd
