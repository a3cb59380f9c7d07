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

template <class V>
typename V::T exp_approx(typename V::T x) {
  using T = typename V::T;
  x = V::min(V::max(x, V::broadcast(-87.3f)), V::broadcast(88.3f));

  // Adding and subtracting 1.5 * 2^23 rounds to the nearest whole number (|x / ln2| < 2^22).
  const T rounding = V::broadcast(12582912.0f);
  const T shifted = V::add(V::mul(x, V::broadcast(1.44269504f)), rounding);
  const T n = V::sub(shifted, rounding);
  T r = V::sub(x, V::mul(n, V::broadcast(0.693145751953125f)));
  r = V::sub(r, V::mul(n, V::broadcast(1.428606765330187e-06f)));

  T p = V::broadcast(0.008297638036310673f);
  p = V::mul_add(p, r, V::broadcast(0.04191536456346512f));
  p = V::mul_add(p, r, V::broadcast(0.16667574644088745f));
  p = V::mul_add(p, r, V::broadcast(0.49998894333839417f));
  p = V::mul_add(p, r, V::broadcast(0.9999997019767761f));
  p = V::mul_add(p, r, V::broadcast(1.0000001192092896f));
  return V::mul(p, V::exp2_from_shifted(shifted));
}

template <class V>
typename V::T sigmoid_approx(typename V::T x) {
  const typename V::T one = V::broadcast(1.0f);
  return V::div(one, V::add(one, exp_approx<V>(V::sub(V::zero(), x))));
}

// x * sigmoid(x) as x / (1 + e^-x): one division, no extra multiply.
template <class V>
typename V::T silu_approx(typename V::T x) {
  return V::div(x, V::add(V::broadcast(1.0f), exp_approx<V>(V::sub(V::zero(), x))));
}

template <class V>
typename V::T activate(Activation activation, typename V::T x) {
  switch (activation) {
    case Activation::kSigmoid:
      return sigmoid_approx<V>(x);
    case Activation::kSilu:
      return silu_approx<V>(x);
    case Activation::kNone:
      break;
  }
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
  for (int64_t i = 0; i + 4 <= count; i += 4) {
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
