// Vectorised exp, sigmoid and SiLU over the four-float layer, and activation over a span.
//
// exp(x): x is clamped to [-87.3, 88.3] (so 2^n stays a normal float), split as n * ln2 + r with
// n = round(x / ln2) and |r| <= ln2 / 2 (ln2 in two parts so n * ln2 is exact), and e^r is a
// degree-5 polynomial fitted (iteratively reweighted least squares, near minimax) for relative
// error on that interval: 7.5e-8 in exact arithmetic, 2.1e-7 evaluated in float.
// Measured against double precision (tests/engine/fast_elementwise_test.cpp): exp within 1e-6
// relative on [-87, 88]; sigmoid and SiLU within 1e-6 relative wherever the result is above
// 1e-30 in magnitude, and within 1e-30 absolute below (inputs under -87 saturate near zero).
#pragma once

#include <algorithm>
#include <cstdint>

#include "engine/kernels/fast/kernel_context.h"
#include "engine/simd/avx2_kernels.h"

namespace sightline::engine::kernels::fast {

// exp_approx over kCount vectors at once, one step for all of them before the next, so their
// dependency chains interleave in the instruction stream: an out-of-order core overlaps chains
// that arrive whole only partly (SiLU on two vectors at once is 13% faster per element in
// WebAssembly here). Each vector gets exactly the operations of a single one. Always inlined: a
// call would pass the vectors through memory (g++ declined to inline it in the GEMM epilogue).
template <class V, int kCount>
[[gnu::always_inline]] inline void exp_approx_n(typename V::T* x) {
  using T = typename V::T;
  // Adding and subtracting 1.5 * 2^23 rounds to the nearest whole number (|x / ln2| < 2^22).
  const T rounding = V::broadcast(12582912.0f);
  T shifted[kCount];
  T r[kCount];
  T p[kCount];
  for (int i = 0; i < kCount; ++i) {
    x[i] = V::min(V::max(x[i], V::broadcast(-87.3f)), V::broadcast(88.3f));
    shifted[i] = V::add(V::mul(x[i], V::broadcast(1.44269504f)), rounding);
  }
  for (int i = 0; i < kCount; ++i) {
    const T n = V::sub(shifted[i], rounding);
    r[i] = V::sub(x[i], V::mul(n, V::broadcast(0.693145751953125f)));
    r[i] = V::sub(r[i], V::mul(n, V::broadcast(1.428606765330187e-06f)));
    p[i] =
        V::mul_add(V::broadcast(0.008297638036310673f), r[i], V::broadcast(0.04191536456346512f));
  }
  for (int i = 0; i < kCount; ++i) {
    p[i] = V::mul_add(p[i], r[i], V::broadcast(0.16667574644088745f));
  }
  for (int i = 0; i < kCount; ++i) {
    p[i] = V::mul_add(p[i], r[i], V::broadcast(0.49998894333839417f));
  }
  for (int i = 0; i < kCount; ++i) {
    p[i] = V::mul_add(p[i], r[i], V::broadcast(0.9999997019767761f));
  }
  for (int i = 0; i < kCount; ++i) {
    p[i] = V::mul_add(p[i], r[i], V::broadcast(1.0000001192092896f));
    x[i] = V::mul(p[i], V::exp2_from_shifted(shifted[i]));
  }
}

template <class V>
typename V::T exp_approx(typename V::T x) {
  exp_approx_n<V, 1>(&x);
  return x;
}

// x[i] = activation(x[i]) for kCount vectors, interleaved like exp_approx_n. Sigmoid is
// 1 / (1 + e^-x); SiLU is x / (1 + e^-x): one division, no extra multiply.
template <class V, int kCount>
[[gnu::always_inline]] inline void activate_n(Activation activation, typename V::T* x) {
  using T = typename V::T;
  if (activation == Activation::kNone) {
    return;
  }
  T e[kCount];
  for (int i = 0; i < kCount; ++i) {
    e[i] = V::sub(V::zero(), x[i]);
  }
  exp_approx_n<V, kCount>(e);
  const T one = V::broadcast(1.0f);
  for (int i = 0; i < kCount; ++i) {
    x[i] = V::div(activation == Activation::kSilu ? x[i] : one, V::add(one, e[i]));
  }
}

template <class V>
typename V::T activate(Activation activation, typename V::T x) {
  activate_n<V, 1>(activation, &x);
  return x;
}

// values[i] = activation(values[i] + bias) for i < count. With count >= 4 the last four are
// computed first from the original values and stored last, overlapping the main loop's final
// vector with bit-identical results; shorter arrays go through the same code on a padded copy.
template <class V>
void bias_activation_inplace(float* values, int64_t count, float bias, Activation activation) {
  using T = typename V::T;
  if (activation == Activation::kNone && bias == 0.0f) {
    return;
  }
  const T bias_vector = V::broadcast(bias);
  if (count < 4) {
    float padded[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    std::copy(values, values + count, padded);
    V::store(padded, activate<V>(activation, V::add(V::load(padded), bias_vector)));
    std::copy(padded, padded + count, values);
    return;
  }
  const T last = activate<V>(activation, V::add(V::load(values + count - 4), bias_vector));
  // Four vectors at a time: an activation is one long dependency chain, and four of them
  // interleaved keep the core busy where one leaves it waiting.
  constexpr int kInterleaved = 4;
  int64_t i = 0;
  for (; i + 4 * kInterleaved <= count; i += 4 * kInterleaved) {
    T x[kInterleaved];
    for (int j = 0; j < kInterleaved; ++j) {
      x[j] = V::add(V::load(values + i + 4 * j), bias_vector);
    }
    activate_n<V, kInterleaved>(activation, x);
    for (int j = 0; j < kInterleaved; ++j) {
      V::store(values + i + 4 * j, x[j]);
    }
  }
  for (; i + 4 <= count; i += 4) {
    V::store(values + i, activate<V>(activation, V::add(V::load(values + i), bias_vector)));
  }
  V::store(values + count - 4, last);
}

// bias_activation_inplace with the backend `V` stands for, or the 8-wide AVX2 version when `isa`
// is kAvx2Fma or kAvx512.

template <class V>
void bias_activation(simd::Isa isa, float* values, int64_t count, float bias,
                     Activation activation) {
#if SIGHTLINE_HAVE_AVX2
  if (simd::uses_avx2(isa)) {
    if (activation != Activation::kNone || bias != 0.0f) {
      simd::bias_activation_avx2(values, count, bias, activation);
    }
    return;
  }
#endif
  bias_activation_inplace<V>(values, count, bias, activation);
}

}  // namespace sightline::engine::kernels::fast
