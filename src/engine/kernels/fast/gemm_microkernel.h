// The GEMM micro-kernel written once over the four-float layer: an R x 8 block of C in 2 * R
// vector accumulators. Internal to the fast kernels.
#pragma once

#include <cstdint>

#include "engine/kernels/fast/vector_math.h"
#include "engine/simd/activation.h"

namespace sightline::engine::kernels::fast {

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

  // Two rows at a time: four vectors whose activations interleave.
  int r = 0;
  for (; r + 2 <= R; r += 2) {
    T rows[4] = {left[r], right[r], left[r + 1], right[r + 1]};
    if (epilogue.bias != nullptr) {
      const T bias0 = V::broadcast(epilogue.bias[r]);
      const T bias1 = V::broadcast(epilogue.bias[r + 1]);
      rows[0] = V::add(rows[0], bias0);
      rows[1] = V::add(rows[1], bias0);
      rows[2] = V::add(rows[2], bias1);
      rows[3] = V::add(rows[3], bias1);
    }
    activate_n<V, 4>(epilogue.activation, rows);
    V::store(c + r * ldc, rows[0]);
    V::store(c + r * ldc + 4, rows[1]);
    V::store(c + (r + 1) * ldc, rows[2]);
    V::store(c + (r + 1) * ldc + 4, rows[3]);
  }
  if (r < R) {
    T row[2] = {left[r], right[r]};
    if (epilogue.bias != nullptr) {
      const T bias = V::broadcast(epilogue.bias[r]);
      row[0] = V::add(row[0], bias);
      row[1] = V::add(row[1], bias);
    }
    activate_n<V, 2>(epilogue.activation, row);
    V::store(c + r * ldc, row[0]);
    V::store(c + r * ldc + 4, row[1]);
  }
}

}  // namespace sightline::engine::kernels::fast
