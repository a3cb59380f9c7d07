// The GEMM micro-kernel written once over the four-float layer: an R x 8 block of C in 2 * R
// vector accumulators. Internal to the fast kernels.
#pragma once

#include <cstdint>

#include "engine/kernels/fast/vector_math.h"
#include "engine/simd/activation.h"

namespace sightline::engine::kernels::fast {

// Rows [first_row, first_row + kRows) of a tile: `rows` holds each row's two vectors in turn.
// Adds the bias, applies the activation to all of them at once and stores them to `c`.
template <class V, int kRows>
[[gnu::always_inline]] inline void finish_rows(const simd::TileEpilogue& epilogue, int first_row,
                                               typename V::T* rows, float* c, int64_t ldc) {
  if (epilogue.bias != nullptr) {
    for (int i = 0; i < kRows; ++i) {
      const typename V::T bias = V::broadcast(epilogue.bias[first_row + i]);
      rows[2 * i] = V::add(rows[2 * i], bias);
      rows[2 * i + 1] = V::add(rows[2 * i + 1], bias);
    }
  }
  activate_n<V, 2 * kRows>(epilogue.activation, rows);
  for (int i = 0; i < kRows; ++i) {
    V::store(c + i * ldc, rows[2 * i]);
    V::store(c + i * ldc + 4, rows[2 * i + 1]);
  }
}

// C[R, 8] (+)= A[R, depth] * B[depth, 8], then the epilogue, with
//   a: packed panel [depth, kPanelRows] (rows past R unread)   b: [depth, 8], rows b_row_stride
//   apart   c: row stride ldc.
template <class V, int R, int kPanelRows = R>
void gemm_microkernel_vec4(int64_t depth, const float* a, const float* b, int64_t b_row_stride,
                           float* c, int64_t ldc, bool accumulate,
                           const simd::TileEpilogue& epilogue) {
  using T = typename V::T;
  T left[R];
  T right[R];
  for (int r = 0; r < R; ++r) {
    left[r] = accumulate ? V::load(c + r * ldc) : V::zero();
    right[r] = accumulate ? V::load(c + r * ldc + 4) : V::zero();
  }

  for (int64_t k = 0; k < depth; ++k) {
    const T b_left = V::load(b);
    const T b_right = V::load(b + 4);
    for (int r = 0; r < R; ++r) {
      const T a_value = V::broadcast(a[r]);
      left[r] = V::mul_add(a_value, b_left, left[r]);
      right[r] = V::mul_add(a_value, b_right, right[r]);
    }
    a += kPanelRows;
    b += b_row_stride;
  }

  // Two rows at a time (one for an odd last row): four vectors whose activations interleave.
  int r = 0;
  for (; r + 2 <= R; r += 2) {
    T rows[4] = {left[r], right[r], left[r + 1], right[r + 1]};
    finish_rows<V, 2>(epilogue, r, rows, c + r * ldc, ldc);
  }
  if (r < R) {
    T rows[2] = {left[r], right[r]};
    finish_rows<V, 1>(epilogue, r, rows, c + r * ldc, ldc);
  }
}

}  // namespace sightline::engine::kernels::fast
