// AVX-512 kernels (x86 only, called only when isa_available(Isa::kAvx512)): the GEMM
// micro-kernels, the direct 3x3 tile loop and the depthwise 3x3 plane of the kAvx512 instruction
// set. Its other kernels are the AVX2 + FMA ones.
#pragma once

#include <cstdint>

#include "engine/simd/activation.h"
#include "engine/simd/avx2_kernels.h"

namespace sightline::engine::simd {

constexpr int kAvx512GemmRows = 8;
constexpr int kAvx512GemmColumns = 32;

#if SIGHTLINE_HAVE_AVX2
// C[rows, 32] (+)= A[rows, depth] * B[depth, 32] for the first `rows` (1 to 8) rows of an A panel
// packed [depth, 8]; B rows are b_row_stride apart, C rows ldc apart. With `accumulate` false, C
// is overwritten. The epilogue applies to the sum before storing.
using Avx512MicroKernel = void (*)(int64_t depth, const float* a, const float* b,
                                   int64_t b_row_stride, float* c, int64_t ldc, bool accumulate,
                                   const TileEpilogue& epilogue);
Avx512MicroKernel gemm_microkernel_avx512_rows(int rows);

// direct_conv3x3_rows_avx2 (avx2_kernels.h) with 16-lane tiles up to 64 columns wide; the
// bordered rows must extend at least 2 floats past out_width rounded up to a multiple of 16.
void direct_conv3x3_rows_avx512(int64_t channels, const float* bordered, int64_t height,
                                int64_t width, const float* weights, const float* bias,
                                Activation activation, int64_t row_begin, int64_t row_end,
                                int64_t out_width, int64_t out_plane, int valid_channels,
                                float* block_output);

// depthwise3x3_plane_avx2 (avx2_kernels.h) on sixteen columns per vector: the padded rows must
// hold max(out_width rounded up to 16, 16) * stride + 2 floats.
void depthwise3x3_plane_avx512(const float* padded, int64_t padded_width, int stride,
                               int64_t out_height, int64_t out_width, const float* weights,
                               float bias, Activation activation, float* output);
#endif

}  // namespace sightline::engine::simd
