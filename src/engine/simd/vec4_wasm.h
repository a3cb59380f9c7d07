// WebAssembly SIMD128 backend of the four-float vector layer (compiled with -msimd128).
//
// Clang 14 emits no relaxed-SIMD fused multiply-add, so mul_add is a multiply and an add.
#pragma once

#include <wasm_simd128.h>

namespace sightline::engine::simd {

struct Vec4Wasm {
  using T = v128_t;
  static constexpr const char* kName = "wasm-simd128";

  static T load(const float* source) { return wasm_v128_load(source); }
  static void store(float* destination, T v) { wasm_v128_store(destination, v); }
  static T broadcast(float value) { return wasm_f32x4_splat(value); }
  static T zero() { return wasm_f32x4_const_splat(0.0f); }

  static T add(T a, T b) { return wasm_f32x4_add(a, b); }
  static T sub(T a, T b) { return wasm_f32x4_sub(a, b); }
  static T mul(T a, T b) { return wasm_f32x4_mul(a, b); }
  static T div(T a, T b) { return wasm_f32x4_div(a, b); }
  static T mul_add(T a, T b, T c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
  // pmax/pmin lower to single instructions; with no NaNs they agree with max/min.
  static T max(T a, T b) { return wasm_f32x4_pmax(a, b); }
  static T min(T a, T b) { return wasm_f32x4_pmin(a, b); }

  // Bit operations only: V8 expands the saturating float-to-int conversion into many x86
  // instructions.
  static T exp2_from_shifted(T shifted) {
    return wasm_i32x4_add(wasm_i32x4_shl(shifted, 23), wasm_i32x4_splat(127 << 23));
  }

  static T even_lanes(T a, T b) { return wasm_i32x4_shuffle(a, b, 0, 2, 4, 6); }
  static T odd_lanes(T a, T b) { return wasm_i32x4_shuffle(a, b, 1, 3, 5, 7); }
  static T interleave_low(T a, T b) { return wasm_i32x4_shuffle(a, b, 0, 4, 1, 5); }
  static T interleave_high(T a, T b) { return wasm_i32x4_shuffle(a, b, 2, 6, 3, 7); }
};

}  // namespace sightline::engine::simd
