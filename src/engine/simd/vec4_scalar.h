// Scalar backend of the four-float vector layer: plain C++ on an array of four floats.
//
// It is the fallback on targets without a SIMD backend and the path that the force-scalar switch
// selects, so every fast kernel can be checked against the same algorithm without intrinsics.
#pragma once

#include <cstdint>
#include <cstring>

namespace sightline::engine::simd {

struct Vec4Scalar {
  struct T {
    float lane[4];
  };
  static constexpr const char* kName = "scalar";

  static T load(const float* source) {
    T v;
    std::memcpy(v.lane, source, sizeof(v.lane));
    return v;
  }
  static void store(float* destination, T v) { std::memcpy(destination, v.lane, sizeof(v.lane)); }
  static T broadcast(float value) { return T{{value, value, value, value}}; }
  static T zero() { return broadcast(0.0f); }

  static T add(T a, T b) {
    return map(a, b, [](float x, float y) { return x + y; });
  }
  static T sub(T a, T b) {
    return map(a, b, [](float x, float y) { return x - y; });
  }
  static T mul(T a, T b) {
    return map(a, b, [](float x, float y) { return x * y; });
  }
  static T div(T a, T b) {
    return map(a, b, [](float x, float y) { return x / y; });
  }
  // a * b + c with two roundings, as on the SIMD backends without a fused multiply-add.
  static T mul_add(T a, T b, T c) { return add(mul(a, b), c); }
  static T max(T a, T b) {
    return map(a, b, [](float x, float y) { return x > y ? x : y; });
  }
  static T min(T a, T b) {
    return map(a, b, [](float x, float y) { return x < y ? x : y; });
  }

  // 2^n from lanes holding n + 1.5 * 2^23 for whole n in [-126, 127]: the low mantissa bits
  // hold n, which shifted into the exponent field (plus the bias 127) is 2^n.
  static T exp2_from_shifted(T shifted) {
    T result;
    for (int i = 0; i < 4; ++i) {
      uint32_t bits;
      std::memcpy(&bits, &shifted.lane[i], sizeof(bits));
      bits = (bits << 23) + (127u << 23);
      std::memcpy(&result.lane[i], &bits, sizeof(bits));
    }
    return result;
  }

  // Lanes 0, 2 of a then of b / lanes 1, 3 of a then of b (de-interleaving 8 floats).
  static T even_lanes(T a, T b) { return T{{a.lane[0], a.lane[2], b.lane[0], b.lane[2]}}; }
  static T odd_lanes(T a, T b) { return T{{a.lane[1], a.lane[3], b.lane[1], b.lane[3]}}; }
  // a0 b0 a1 b1 / a2 b2 a3 b3 (interleaving two vectors).
  static T interleave_low(T a, T b) { return T{{a.lane[0], b.lane[0], a.lane[1], b.lane[1]}}; }
  static T interleave_high(T a, T b) { return T{{a.lane[2], b.lane[2], a.lane[3], b.lane[3]}}; }

 private:
  template <class Op>
  static T map(T a, T b, Op op) {
    return T{{op(a.lane[0], b.lane[0]), op(a.lane[1], b.lane[1]), op(a.lane[2], b.lane[2]),
              op(a.lane[3], b.lane[3])}};
  }
};

}  // namespace sightline::engine::simd
