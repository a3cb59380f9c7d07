// AVX2 + FMA kernels (x86 only, called only when isa_available(Isa::kAvx2Fma)): the GEMM
// micro-kernel and the 8-wide bias + activation used by the GEMM epilogue and the elementwise
// kernels.
#pragma once

#include <cstdint>

#include "engine/simd/activation.h"

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__) && \
    (defined(__GNUC__) || defined(__clang__))
#define SIGHTLINE_HAVE_AVX2 1
#else
#define SIGHTLINE_HAVE_AVX2 0
#endif

namespace sightline::engine::simd {

constexpr int kAvx2GemmRows = 6;
constexpr int kAvx2GemmColumns = 16;
// Output columns of one tile of direct_conv3x3_rows_avx2.
constexpr int kAvx2DirectConvColumns = 24;

#if SIGHTLINE_HAVE_AVX2
// C[6, 16] (+)= A[6, depth] * B[depth, 16] with
//   a: packed panel [depth, 6]   b: [depth, 16], rows b_row_stride apart   c: row stride ldc.
// With `accumulate` false, C is overwritten. The epilogue applies to the sum before storing.
void gemm_microkernel_avx2_6x16(int64_t depth, const float* a, const float* b, int64_t b_row_stride,
                                float* c, int64_t ldc, bool accumulate,
                                const TileEpilogue& epilogue);

// The same product for the first `rows` (1 to 6) rows of a 6-row A panel: C[rows, 16] is all it
// reads and writes.
using Avx2MicroKernel = void (*)(int64_t depth, const float* a, const float* b,
                                 int64_t b_row_stride, float* c, int64_t ldc, bool accumulate,
                                 const TileEpilogue& epilogue);
Avx2MicroKernel gemm_microkernel_avx2_rows(int rows);

// values[i] = activation(values[i] + bias), the algorithm of kernels/fast/vector_math.h on eight
// lanes with fused multiply-adds and a refined reciprocal estimate instead of a division.
void bias_activation_avx2(float* values, int64_t count, float bias, Activation activation);

// Rows [row_begin, row_end) of one 4-channel block of the direct 3x3 convolution
// (kernels/fast/direct_conv.h): bordered input [channels, height, width], packed weights
// [channels, 3, 3, 4], bias [4]; output planes `out_plane` floats apart, `valid_channels` of 4
// stored.
void direct_conv3x3_rows_avx2(int64_t channels, const float* bordered, int64_t height,
                              int64_t width, const float* weights, const float* bias,
                              Activation activation, int64_t row_begin, int64_t row_end,
                              int64_t out_width, int64_t out_plane, int valid_channels,
                              float* block_output);

// One plane of the depthwise 3x3 convolution (kernels/fast/depthwise.h) from its zero-bordered
// copy `padded` (rows padded_width apart; output (oy, ox) reads padded[oy * stride + ky,
// ox * stride + kx], and stays inside for every column of whole vectors of eight outputs, the
// last vector placed to end at out_width): output [out_height, out_width] =
// activation(bias + 3x3 weights * taps).
void depthwise3x3_plane_avx2(const float* padded, int64_t padded_width, int stride,
                             int64_t out_height, int64_t out_width, const float* weights,
                             float bias, Activation activation, float* output);
#endif

}  // namespace sightline::engine::simd
