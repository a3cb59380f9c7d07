// AVX-512 GEMM micro-kernels: up to 8 rows x 32 columns in 16 zmm accumulators, two B vectors
// and one broadcast A value per step. Eight rows divide YOLOX's channel counts (16 to 256, and
// 80), so nearly every tile is whole; the 1- to 7-row kernels serve the rest. The activation
// runs on 16 lanes with the algorithm of kernels/fast/vector_math.h (a 14-bit reciprocal
// estimate refined by one Newton step instead of the division). Compiled for AVX-512 through a
// function target attribute; only called after isa_available(Isa::kAvx512).
#include "engine/simd/avx512_kernels.h"

#if SIGHTLINE_HAVE_AVX2

#include <immintrin.h>

#include "engine/simd/avx512_math.h"

namespace sightline::engine::simd {
namespace {

// One row of the tile, for rows below R only: named variables rather than arrays, so the
// compiler keeps all sixteen accumulators in registers.
#define SIGHTLINE_AVX512_ROW_STEP(row, left, right)   \
  if constexpr ((row) < R) {                          \
    const __m512 a_value = _mm512_set1_ps(a[(row)]);  \
    left = _mm512_fmadd_ps(a_value, b_left, left);    \
    right = _mm512_fmadd_ps(a_value, b_right, right); \
  }

// C[R, 32] (+)= A[R, depth] * B[depth, 32]; A panels keep the 8-row layout (rows past R unread).
template <int R>
__attribute__((target("avx512f,avx2,fma"))) void microkernel_rows(int64_t depth, const float* a,
                                                                  const float* b,
                                                                  int64_t b_row_stride, float* c,
                                                                  int64_t ldc, bool accumulate,
                                                                  const TileEpilogue& epilogue) {
  __m512 c0l = _mm512_setzero_ps(), c0r = _mm512_setzero_ps();
  __m512 c1l = _mm512_setzero_ps(), c1r = _mm512_setzero_ps();
  __m512 c2l = _mm512_setzero_ps(), c2r = _mm512_setzero_ps();
  __m512 c3l = _mm512_setzero_ps(), c3r = _mm512_setzero_ps();
  __m512 c4l = _mm512_setzero_ps(), c4r = _mm512_setzero_ps();
  __m512 c5l = _mm512_setzero_ps(), c5r = _mm512_setzero_ps();
  __m512 c6l = _mm512_setzero_ps(), c6r = _mm512_setzero_ps();
  __m512 c7l = _mm512_setzero_ps(), c7r = _mm512_setzero_ps();

  for (int64_t k = 0; k < depth; ++k) {
    const __m512 b_left = _mm512_loadu_ps(b);
    const __m512 b_right = _mm512_loadu_ps(b + 16);
    SIGHTLINE_AVX512_ROW_STEP(0, c0l, c0r)
    SIGHTLINE_AVX512_ROW_STEP(1, c1l, c1r)
    SIGHTLINE_AVX512_ROW_STEP(2, c2l, c2r)
    SIGHTLINE_AVX512_ROW_STEP(3, c3l, c3r)
    SIGHTLINE_AVX512_ROW_STEP(4, c4l, c4r)
    SIGHTLINE_AVX512_ROW_STEP(5, c5l, c5r)
    SIGHTLINE_AVX512_ROW_STEP(6, c6l, c6r)
    SIGHTLINE_AVX512_ROW_STEP(7, c7l, c7r)
    a += kAvx512GemmRows;
    b += b_row_stride;
  }

  const __m512 results[2 * kAvx512GemmRows] = {c0l, c0r, c1l, c1r, c2l, c2r, c3l, c3r,
                                               c4l, c4r, c5l, c5r, c6l, c6r, c7l, c7r};
  for (int r = 0; r < R; ++r) {
    float* row = c + r * ldc;
    __m512 left = results[2 * r];
    __m512 right = results[2 * r + 1];
    if (accumulate) {
      left = _mm512_add_ps(left, _mm512_loadu_ps(row));
      right = _mm512_add_ps(right, _mm512_loadu_ps(row + 16));
    }
    if (epilogue.bias != nullptr) {
      const __m512 bias = _mm512_set1_ps(epilogue.bias[r]);
      left = _mm512_add_ps(left, bias);
      right = _mm512_add_ps(right, bias);
    }
    _mm512_storeu_ps(row, avx512::activate_avx512(left, epilogue.activation));
    _mm512_storeu_ps(row + 16, avx512::activate_avx512(right, epilogue.activation));
  }
}

#undef SIGHTLINE_AVX512_ROW_STEP

}  // namespace

Avx512MicroKernel gemm_microkernel_avx512_rows(int rows) {
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
    case 6:
      return microkernel_rows<6>;
    case 7:
      return microkernel_rows<7>;
    default:
      return microkernel_rows<8>;
  }
}

}  // namespace sightline::engine::simd

#endif
