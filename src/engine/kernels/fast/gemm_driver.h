// The blocked GEMM loop shared by the dense matrix product and the convolutions. Internal.
//
// B is either read in place (DenseB: a dense matrix, or a 1x1 convolution's input plane) or
// reached through a packer, so a convolution can pack straight from its input (im2col fused
// into packing). A packer is called as pack_b(k0, kc, n0, nc, destination) and writes B[k0 : k0 +
// kc, n0 : n0 + nc] as panels [ceil(nc / tile_columns), kc, tile_columns], zero past column n0 +
// nc. It must be safe to call from several threads at once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "engine/kernels/fast/gemm.h"
#include "engine/kernels/fast/gemm_microkernel.h"
#include "engine/kernels/fast/vector_math.h"
#include "engine/simd/avx2_kernels.h"
#include "engine/simd/dispatch.h"

namespace sightline::engine::kernels::fast::detail {

// Depth and width of one packed block of B: 256 x 256 floats (256 KB) sit in the L2 cache while
// every panel of A streams over them.
constexpr int64_t kBlockDepth = 256;
constexpr int64_t kBlockColumns = 256;
constexpr int kMaxTileRows = 8;
constexpr int kMaxTileColumns = 32;

// C tile (+)= A panel * B panel, plus the epilogue; B rows are `b_row_stride` floats apart (the
// panel width when packed, the matrix row stride when read in place). The AVX kernels apply the
// epilogue's bias and activation; the four-float kernel applies only the bias, and
// gemm_column_range runs the activation over finished rows (so it passes none to that kernel).
using MicroKernel = void (*)(int64_t depth, const float* a, const float* b, int64_t b_row_stride,
                             float* c, int64_t ldc, bool accumulate,
                             const simd::TileEpilogue& epilogue);

MicroKernel gemm_microkernel(simd::Isa isa);

// The micro-kernel for the first `rows` (1 to the tile's rows) rows of a packed A panel: it
// reads and writes only C[rows, tile columns], so a matrix's last, partial row panel costs no
// padding rows and no copy.
MicroKernel gemm_microkernel_rows(simd::Isa isa, int rows);

// Per-thread scratch for packed B, grown on first use and then reused.
float* packed_b_scratch(int64_t floats);

// Packs a row-major B[depth, columns] (row stride `row_stride`) block into column panels.
void pack_dense_b(const float* b, int64_t row_stride, int tile_columns, int64_t k0, int64_t kc,
                  int64_t n0, int64_t nc, float* destination);

// A row-major B read in place by the micro-kernel: full-width panels need no packing (a 1x1
// convolution's input plane, or a dense matrix); only a narrower last panel is copied.
struct DenseB {
  const float* data = nullptr;
  int64_t row_stride = 0;
};

// C[:, column_begin : column_end) for all rows; see gemm_f32 for the layouts. `source` is a
// DenseB or a packer (see the top of this file).
template <class Source>
void gemm_column_range(const PackedMatrix& a, int64_t column_begin, int64_t column_end,
                       const Source& source, float* c, int64_t c_row_stride,
                       const GemmEpilogue& epilogue) {
  constexpr bool kDense = std::is_same_v<Source, DenseB>;
  const GemmTile tile = gemm_tile(a.isa);
  const MicroKernel kernel = gemm_microkernel(a.isa);
  const int last_panel_rows = static_cast<int>(a.rows - (a.rows - 1) / tile.rows * tile.rows);
  const MicroKernel last_panel_kernel = gemm_microkernel_rows(a.isa, last_panel_rows);
  const int64_t row_panels = (a.rows + tile.rows - 1) / tile.rows;
  const bool has_epilogue = epilogue.bias != nullptr || epilogue.activation != Activation::kNone;
  // The four-float kernels leave the activation to a pass over each finished block of C rows,
  // where four vectors' chains interleave (in the tile, beside the accumulators, they spilled:
  // YOLOX-Nano 47.1 -> 45.5 ms in WebAssembly). The AVX kernels apply it in the tile.
  const bool activation_pass = epilogue.activation != Activation::kNone && !simd::uses_avx2(a.isa);
  float* packed_b = packed_b_scratch(kBlockDepth * kBlockColumns);
  float partial[kMaxTileRows * kMaxTileColumns];

  for (int64_t n0 = column_begin; n0 < column_end; n0 += kBlockColumns) {
    const int64_t nc = std::min(kBlockColumns, column_end - n0);
    const int64_t column_panels = (nc + tile.columns - 1) / tile.columns;

    for (int64_t k0 = 0; k0 < a.depth; k0 += kBlockDepth) {
      const int64_t kc = std::min(kBlockDepth, a.depth - k0);
      const bool accumulate = k0 > 0 || epilogue.accumulate;
      const bool last_block = k0 + kc == a.depth;
      if constexpr (!kDense) {
        source(k0, kc, n0, nc, packed_b);
      }

      for (int64_t column_panel = 0; column_panel < column_panels; ++column_panel) {
        const int64_t column0 = n0 + column_panel * tile.columns;
        const int64_t columns_here = std::min<int64_t>(tile.columns, n0 + nc - column0);
        const float* b_panel = packed_b + column_panel * kc * tile.columns;
        int64_t b_row_stride = tile.columns;
        if constexpr (kDense) {
          if (columns_here == tile.columns) {
            b_panel = source.data + k0 * source.row_stride + column0;
            b_row_stride = source.row_stride;
          } else {
            pack_dense_b(source.data, source.row_stride, tile.columns, k0, kc, column0,
                         columns_here, packed_b);
            b_panel = packed_b;
          }
        }

        for (int64_t row_panel = 0; row_panel < row_panels; ++row_panel) {
          const int64_t row0 = row_panel * tile.rows;
          const int64_t rows_here = std::min<int64_t>(tile.rows, a.rows - row0);
          const float* a_panel = a.panels.data() + (row_panel * a.depth + k0) * tile.rows;
          float* c_tile = c + row0 * c_row_stride + column0;

          // The bias and activation are applied in registers by the last depth block.
          simd::TileEpilogue tile_epilogue;
          float tile_bias[kMaxTileRows] = {};
          if (last_block && has_epilogue) {
            tile_epilogue.activation = activation_pass ? Activation::kNone : epilogue.activation;
            if (epilogue.bias != nullptr) {
              std::copy(epilogue.bias + row0, epilogue.bias + row0 + rows_here, tile_bias);
              tile_epilogue.bias = tile_bias;
            }
          }

          if (columns_here == tile.columns) {
            const MicroKernel rows_kernel = rows_here == tile.rows ? kernel : last_panel_kernel;
            rows_kernel(kc, a_panel, b_panel, b_row_stride, c_tile, c_row_stride, accumulate,
                        tile_epilogue);
          } else {
            // Column edge tile: run the full-size kernel on a local tile and copy the valid part.
            for (int64_t r = 0; r < rows_here && accumulate; ++r) {
              std::memcpy(partial + r * tile.columns, c_tile + r * c_row_stride,
                          sizeof(float) * columns_here);
            }
            kernel(kc, a_panel, b_panel, b_row_stride, partial, tile.columns, accumulate,
                   tile_epilogue);
            for (int64_t r = 0; r < rows_here; ++r) {
              std::memcpy(c_tile + r * c_row_stride, partial + r * tile.columns,
                          sizeof(float) * columns_here);
            }
          }
        }
      }
      if (last_block && activation_pass) {
        simd::with_vec4(a.isa, [&]<class V>() {
          for (int64_t r = 0; r < a.rows; ++r) {
            bias_activation_inplace<V>(c + r * c_row_stride + n0, nc, 0.0f, epilogue.activation);
          }
        });
      }
    }
  }
}

// Splits the columns over the pool in whole tiles and runs gemm_column_range on each share.
template <class Source>
void run_gemm(const KernelContext& context, const PackedMatrix& a, int64_t columns,
              const Source& source, float* c, int64_t c_row_stride, const GemmEpilogue& epilogue) {
  if (a.rows == 0 || columns == 0) {
    return;
  }
  if (a.depth == 0) {
    // An empty sum: C keeps its value (accumulate) or becomes 0, then the epilogue runs.
    simd::with_vec4(a.isa, [&]<class V>() {
      for (int64_t r = 0; r < a.rows; ++r) {
        float* row = c + r * c_row_stride;
        if (!epilogue.accumulate) {
          std::fill(row, row + columns, 0.0f);
        }
        const float bias = epilogue.bias != nullptr ? epilogue.bias[r] : 0.0f;
        bias_activation<V>(a.isa, row, columns, bias, epilogue.activation);
      }
    });
    return;
  }

  const int tile_columns = gemm_tile(a.isa).columns;
  const int64_t column_tiles = (columns + tile_columns - 1) / tile_columns;
  parallel_for(context, column_tiles, [&](int64_t tile_begin, int64_t tile_end) {
    gemm_column_range(a, tile_begin * tile_columns, std::min(columns, tile_end * tile_columns),
                      source, c, c_row_stride, epilogue);
  });
}

}  // namespace sightline::engine::kernels::fast::detail
