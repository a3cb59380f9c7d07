// AVX2 + FMA GEMM micro-kernels: up to 6 rows x 16 columns in 12 ymm accumulators, two B vectors
// and one broadcast A value per step (15 of the 16 ymm registers). The full 6-row kernel serves
// every whole tile; the 1- to 5-row ones serve the last row panel of a matrix whose row count is
// not a multiple of 6 (YOLOX's 16, 32, 64 and 128 channels), so no work goes into padding rows
// and the tile is stored in place. Compiled for AVX2 through a function target attribute, so the
// rest of the build keeps its baseline flags; only called after isa_available(Isa::kAvx2Fma)
// said the CPU has AVX2 and FMA.
#include "engine/simd/avx2_kernels.h"

#if SIGHTLINE_HAVE_AVX2

#include <immintrin.h>

#include "engine/simd/avx2_math.h"

namespace sightline::engine::simd {

namespace {

// One row of the tile: two accumulators updated with a broadcast A value, for rows below R only.
// Named variables rather than arrays, so the compiler keeps all accumulators in registers.
#define SIGHTLINE_AVX2_ROW_STEP(row, left, right)          \
  if constexpr ((row) < R) {                               \
    const __m256 a_value = _mm256_broadcast_ss(a + (row)); \
    left = _mm256_fmadd_ps(a_value, b_left, left);         \
    right = _mm256_fmadd_ps(a_value, b_right, right);      \
  }

// C[R, 16] (+)= A[R, depth] * B[depth, 16]; A panels keep the 6-row layout (rows past R unread).
template <int R>
__attribute__((target("avx2,fma"))) void microkernel_rows(int64_t depth, const float* a,
                                                          const float* b, int64_t b_row_stride,
                                                          float* c, int64_t ldc, bool accumulate,
                                                          const TileEpilogue& epilogue) {
  __m256 c0l = _mm256_setzero_ps(), c0r = _mm256_setzero_ps();
  __m256 c1l = _mm256_setzero_ps(), c1r = _mm256_setzero_ps();
  __m256 c2l = _mm256_setzero_ps(), c2r = _mm256_setzero_ps();
  __m256 c3l = _mm256_setzero_ps(), c3r = _mm256_setzero_ps();
  __m256 c4l = _mm256_setzero_ps(), c4r = _mm256_setzero_ps();
  __m256 c5l = _mm256_setzero_ps(), c5r = _mm256_setzero_ps();

  for (int64_t k = 0; k < depth; ++k) {
    const __m256 b_left = _mm256_loadu_ps(b);
    const __m256 b_right = _mm256_loadu_ps(b + 8);
    SIGHTLINE_AVX2_ROW_STEP(0, c0l, c0r)
    SIGHTLINE_AVX2_ROW_STEP(1, c1l, c1r)
    SIGHTLINE_AVX2_ROW_STEP(2, c2l, c2r)
    SIGHTLINE_AVX2_ROW_STEP(3, c3l, c3r)
    SIGHTLINE_AVX2_ROW_STEP(4, c4l, c4r)
    SIGHTLINE_AVX2_ROW_STEP(5, c5l, c5r)
    a += kAvx2GemmRows;
    b += b_row_stride;
  }

  const __m256 results[2 * kAvx2GemmRows] = {c0l, c0r, c1l, c1r, c2l, c2r,
                                             c3l, c3r, c4l, c4r, c5l, c5r};
  for (int r = 0; r < R; ++r) {
    float* row = c + r * ldc;
    __m256 left = results[2 * r];
    __m256 right = results[2 * r + 1];
    if (accumulate) {
      left = _mm256_add_ps(left, _mm256_loadu_ps(row));
      right = _mm256_add_ps(right, _mm256_loadu_ps(row + 8));
    }
    if (epilogue.bias != nullptr) {
      const __m256 bias = _mm256_broadcast_ss(epilogue.bias + r);
      left = _mm256_add_ps(left, bias);
      right = _mm256_add_ps(right, bias);
    }
    if (epilogue.activation != Activation::kNone) {
      left = avx2::activate_avx2(left, epilogue.activation);
      right = avx2::activate_avx2(right, epilogue.activation);
    }
    _mm256_storeu_ps(row, left);
    _mm256_storeu_ps(row + 8, right);
  }
}

#undef SIGHTLINE_AVX2_ROW_STEP

}  // namespace

__attribute__((target("avx2,fma"))) void gemm_microkernel_avx2_6x16(int64_t depth, const float* a,
                                                                    const float* b,
                                                                    int64_t b_row_stride, float* c,
                                                                    int64_t ldc, bool accumulate,
                                                                    const TileEpilogue& epilogue) {
  microkernel_rows<6>(depth, a, b, b_row_stride, c, ldc, accumulate, epilogue);
}

Avx2MicroKernel gemm_microkernel_avx2_rows(int rows) {
  switch (rows) {
    case 1:
      return microkernel_rows<1>;
    case 2:
      return microkernel_rows<2>;
    case 3:
      return microkernel_rows<3>;
    case 4:
      return microkernel_rows<4>;
    case 5:
      return microkernel_rows<5>;
    default:
      return microkernel_rows<6>;
  }
}

}  // namespace sightline::engine::simd

#endif
