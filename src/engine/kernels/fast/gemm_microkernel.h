// The GEMM micro-kernel written once over the four-float layer: an R x 8 block of C in 2 * R
// vector accumulators. Internal to the fast kernels.
#pragma once

#include <cstdint>

#include "engine/simd/activation.h"

namespace sightline::engine::kernels::fast {

// C[R, 8] (+)= A[R, depth] * B[depth, 8], plus the epilogue's bias, with
//   a: packed panel [depth, kPanelRows] (rows past R unread)   b: [depth, 8], rows b_row_stride
//   apart   c: row stride ldc.
// The epilogue's activation is not applied here: gemm_column_range (gemm_driver.h) runs it over
// whole finished rows of C for the four-float backends, which is faster than in the tile.
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

  for (int r = 0; r < R; ++r) {
    if (epilogue.bias != nullptr) {
      const T bias = V::broadcast(epilogue.bias[r]);
      left[r] = V::add(left[r], bias);
      right[r] = V::add(right[r], bias);
    }
    V::store(c + r * ldc, left[r]);
    V::store(c + r * ldc + 4, right[r]);
  }
}

}  // namespace sightline::engine::kernels::fast
