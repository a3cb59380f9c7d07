// AVX-512 tile loop of the direct 3x3 convolution (kernels/fast/direct_conv.cpp): 4 output
// channels x up to 64 columns (four zmm vectors) in 16 accumulators, one broadcast weight per
// four multiply-adds. A row is covered by whole 64-column tiles and one narrower tile of 1 to 4
// vectors, whose last vector stores only the columns inside the row (a masked store), so no
// column is computed twice. Compiled for AVX-512 through a function target attribute; only
// called after isa_available(Isa::kAvx512).
#include "engine/simd/avx512_kernels.h"

#if SIGHTLINE_HAVE_AVX2

#include <immintrin.h>

#include "engine/simd/avx512_math.h"

namespace sightline::engine::simd {
namespace {

constexpr int kChannels = 4;
constexpr int kLanes = 16;

// Tile of kVectors * 16 columns at (row, column) of the bordered input [channels, height, width];
// weights [channels, 3, 3, 4]; out: `valid` rows `out_stride` apart, `columns` of them stored.
template <int kVectors>
__attribute__((target("avx512f,avx2,fma"))) void tile(
    int64_t channels, const float* bordered, int64_t height, int64_t width, const float* weights,
    const float* bias, Activation activation, int64_t row, int64_t column, float* out,
    int64_t out_stride, int valid, int64_t columns) {
  __m512 acc[kChannels][kVectors];
  for (int j = 0; j < kChannels; ++j) {
    for (int v = 0; v < kVectors; ++v) {
      acc[j][v] = _mm512_set1_ps(bias[j]);
    }
  }
  const int64_t plane = height * width;
  for (int64_t c = 0; c < channels; ++c) {
    const float* origin = bordered + c * plane + row * width + column;
    for (int ky = 0; ky < 3; ++ky) {
      for (int kx = 0; kx < 3; ++kx) {
        const float* source = origin + ky * width + kx;
        __m512 input[kVectors];
        for (int v = 0; v < kVectors; ++v) {
          input[v] = _mm512_loadu_ps(source + v * kLanes);
        }
        for (int j = 0; j < kChannels; ++j) {
          const __m512 w = _mm512_set1_ps(weights[j]);
          for (int v = 0; v < kVectors; ++v) {
            acc[j][v] = _mm512_fmadd_ps(w, input[v], acc[j][v]);
          }
        }
        weights += kChannels;
      }
    }
  }

  // Columns of the last vector inside the row: all 16 unless the tile ends the row.
  const int64_t last_columns = columns - (kVectors - 1) * kLanes;
  const __mmask16 last_mask =
      last_columns >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << last_columns) - 1);
  for (int j = 0; j < valid; ++j) {
    float* out_row = out + j * out_stride;
    for (int v = 0; v + 1 < kVectors; ++v) {
      _mm512_storeu_ps(out_row + v * kLanes, avx512::activate_avx512(acc[j][v], activation));
    }
    _mm512_mask_storeu_ps(out_row + (kVectors - 1) * kLanes, last_mask,
                          avx512::activate_avx512(acc[j][kVectors - 1], activation));
  }
}

}  // namespace

__attribute__((target("avx512f,avx2,fma"))) void direct_conv3x3_rows_avx512(
    int64_t channels, const float* bordered, int64_t height, int64_t width, const float* weights,
    const float* bias, Activation activation, int64_t row_begin, int64_t row_end, int64_t out_width,
    int64_t out_plane, int valid_channels, float* block_output) {
  constexpr int64_t kWideTile = 4 * kLanes;
  for (int64_t row = row_begin; row < row_end; ++row) {
    float* row_out = block_output + row * out_width;
    int64_t column = 0;
    for (; column + kWideTile <= out_width; column += kWideTile) {
      tile<4>(channels, bordered, height, width, weights, bias, activation, row, column,
              row_out + column, out_plane, valid_channels, kWideTile);
    }
    const int64_t rest = out_width - column;
    const int vectors = static_cast<int>((rest + kLanes - 1) / kLanes);
    float* out = row_out + column;
    switch (vectors) {
      case 1:
        tile<1>(channels, bordered, height, width, weights, bias, activation, row, column, out,
                out_plane, valid_channels, rest);
        break;
      case 2:
        tile<2>(channels, bordered, height, width, weights, bias, activation, row, column, out,
                out_plane, valid_channels, rest);
        break;
      case 3:
        tile<3>(channels, bordered, height, width, weights, bias, activation, row, column, out,
                out_plane, valid_channels, rest);
        break;
      case 4:
        tile<4>(channels, bordered, height, width, weights, bias, activation, row, column, out,
                out_plane, valid_channels, rest);
        break;
      default:
        break;
    }
  }
}

}  // namespace sightline::engine::simd

#endif
