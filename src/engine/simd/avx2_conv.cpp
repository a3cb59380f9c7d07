// AVX2 + FMA tile loop of the direct 3x3 convolution (kernels/fast/direct_conv.cpp): 4 output
// channels x 24 columns in 12 ymm accumulators, three input vectors and one broadcast weight per
// step (12 independent sums hide the multiply-add latency that 8 left exposed). Compiled for
// AVX2 through a function target attribute; only called after isa_available(Isa::kAvx2Fma).
#include "engine/simd/avx2_kernels.h"

#if SIGHTLINE_HAVE_AVX2

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "engine/simd/avx2_math.h"

namespace sightline::engine::simd {
namespace {

constexpr int kChannels = 4;
constexpr int64_t kTile = kAvx2DirectConvColumns;

// Tile at (row, column) of the bordered input [channels, height, width]; weights
// [channels, 3, 3, 4]; out: 4 rows `out_stride` apart, `valid` of them stored.
__attribute__((target("avx2,fma"))) void tile(int64_t channels, const float* bordered,
                                              int64_t height, int64_t width, const float* weights,
                                              const float* bias, Activation activation, int64_t row,
                                              int64_t column, float* out, int64_t out_stride,
                                              int valid) {
  __m256 acc[kChannels][3];
  for (int j = 0; j < kChannels; ++j) {
    acc[j][0] = _mm256_broadcast_ss(bias + j);
    acc[j][1] = acc[j][0];
    acc[j][2] = acc[j][0];
  }
  const int64_t plane = height * width;
  for (int64_t c = 0; c < channels; ++c) {
    const float* origin = bordered + c * plane + row * width + column;
    for (int ky = 0; ky < 3; ++ky) {
      for (int kx = 0; kx < 3; ++kx) {
        const float* source = origin + ky * width + kx;
        const __m256 left = _mm256_loadu_ps(source);
        const __m256 middle = _mm256_loadu_ps(source + 8);
        const __m256 right = _mm256_loadu_ps(source + 16);
        for (int j = 0; j < kChannels; ++j) {
          const __m256 w = _mm256_broadcast_ss(weights + j);
          acc[j][0] = _mm256_fmadd_ps(w, left, acc[j][0]);
          acc[j][1] = _mm256_fmadd_ps(w, middle, acc[j][1]);
          acc[j][2] = _mm256_fmadd_ps(w, right, acc[j][2]);
        }
        weights += kChannels;
      }
    }
  }
  for (int j = 0; j < valid; ++j) {
    _mm256_storeu_ps(out + j * out_stride, avx2::activate_avx2(acc[j][0], activation));
    _mm256_storeu_ps(out + j * out_stride + 8, avx2::activate_avx2(acc[j][1], activation));
    _mm256_storeu_ps(out + j * out_stride + 16, avx2::activate_avx2(acc[j][2], activation));
  }
}

}  // namespace

__attribute__((target("avx2,fma"))) void direct_conv3x3_rows_avx2(
    int64_t channels, const float* bordered, int64_t height, int64_t width, const float* weights,
    const float* bias, Activation activation, int64_t row_begin, int64_t row_end, int64_t out_width,
    int64_t out_plane, int valid_channels, float* block_output) {
  float narrow[kChannels * kTile];
  for (int64_t row = row_begin; row < row_end; ++row) {
    float* row_out = block_output + row * out_width;
    if (out_width < kTile) {
      tile(channels, bordered, height, width, weights, bias, activation, row, 0, narrow, kTile,
           valid_channels);
      for (int j = 0; j < valid_channels; ++j) {
        std::memcpy(row_out + j * out_plane, narrow + j * kTile, sizeof(float) * out_width);
      }
      continue;
    }
    for (int64_t column = 0; column < out_width; column += kTile) {
      const int64_t start = std::min(column, out_width - kTile);
      tile(channels, bordered, height, width, weights, bias, activation, row, start,
           row_out + start, out_plane, valid_channels);
    }
  }
}

}  // namespace sightline::engine::simd

#endif
