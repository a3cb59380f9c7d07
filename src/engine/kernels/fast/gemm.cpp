// Packing of A and B, micro-kernel choice, and the dense entry point of the packed GEMM.
#include "engine/kernels/fast/gemm.h"

#include <algorithm>
#include <cstring>

#include "engine/kernels/fast/gemm_driver.h"
#include "engine/simd/avx512_kernels.h"

namespace sightline::engine::kernels::fast {
namespace {

// Rows of the four-float micro-kernel's tile: 5 x 8 keeps ten accumulators, two B vectors and a
// broadcast A value in sixteen vector registers. In WebAssembly under V8 it ran at 59 GFLOP/s in
// L1 against 49 for 4 x 8; 6 x 8 spills and fell to 33.
constexpr int kVec4GemmRows = 5;

}  // namespace

namespace detail {

MicroKernel gemm_microkernel(simd::Isa isa) {
#if SIGHTLINE_HAVE_AVX2
  if (isa == simd::Isa::kAvx512) {
    return simd::gemm_microkernel_avx512_rows(simd::kAvx512GemmRows);
  }
  if (isa == simd::Isa::kAvx2Fma) {
    return simd::gemm_microkernel_avx2_6x16;
  }
#endif
  if (isa == simd::Isa::kScalar) {
    return gemm_microkernel_vec4<simd::Vec4Scalar, kVec4GemmRows>;
  }
  return gemm_microkernel_vec4<simd::Vec4Native, kVec4GemmRows>;
}

MicroKernel gemm_microkernel_rows(simd::Isa isa, int rows) {
#if SIGHTLINE_HAVE_AVX2
  if (isa == simd::Isa::kAvx512) {
    return simd::gemm_microkernel_avx512_rows(rows);
  }
  if (isa == simd::Isa::kAvx2Fma) {
    return simd::gemm_microkernel_avx2_rows(rows);
  }
#endif
  const auto pick = [rows]<class V>() -> MicroKernel {
    static_assert(kVec4GemmRows == 5, "one case per row count below the tile's");
    switch (rows) {
      case 1:
        return gemm_microkernel_vec4<V, 1, kVec4GemmRows>;
      case 2:
        return gemm_microkernel_vec4<V, 2, kVec4GemmRows>;
      case 3:
        return gemm_microkernel_vec4<V, 3, kVec4GemmRows>;
      case 4:
        return gemm_microkernel_vec4<V, 4, kVec4GemmRows>;
      default:
        return gemm_microkernel_vec4<V, kVec4GemmRows>;
    }
  };
  if (isa == simd::Isa::kScalar) {
    return pick.template operator()<simd::Vec4Scalar>();
  }
  return pick.template operator()<simd::Vec4Native>();
}

float* packed_b_scratch(int64_t floats) {
  thread_local std::vector<float> scratch;
  if (static_cast<int64_t>(scratch.size()) < floats) {
    scratch.resize(static_cast<size_t>(floats));
  }
  return scratch.data();
}

namespace {

template <int kTileColumns>
void pack_dense_b_panels(const float* b, int64_t row_stride, int64_t k0, int64_t kc, int64_t n0,
                         int64_t nc, float* destination) {
  for (int64_t panel_start = 0; panel_start < nc; panel_start += kTileColumns) {
    const int64_t columns_here = std::min<int64_t>(kTileColumns, nc - panel_start);
    const float* source = b + k0 * row_stride + n0 + panel_start;
    float* out = destination + (panel_start / kTileColumns) * kc * kTileColumns;
    if (columns_here == kTileColumns) {
      for (int64_t k = 0; k < kc; ++k) {
        std::memcpy(out + k * kTileColumns, source + k * row_stride, sizeof(float) * kTileColumns);
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        float* out_row = out + k * kTileColumns;
        std::memcpy(out_row, source + k * row_stride, sizeof(float) * columns_here);
        std::fill(out_row + columns_here, out_row + kTileColumns, 0.0f);
      }
    }
  }
}

}  // namespace

void pack_dense_b(const float* b, int64_t row_stride, int tile_columns, int64_t k0, int64_t kc,
                  int64_t n0, int64_t nc, float* destination) {
  if (tile_columns == 32) {
    pack_dense_b_panels<32>(b, row_stride, k0, kc, n0, nc, destination);
  } else if (tile_columns == 16) {
    pack_dense_b_panels<16>(b, row_stride, k0, kc, n0, nc, destination);
  } else {
    pack_dense_b_panels<8>(b, row_stride, k0, kc, n0, nc, destination);
  }
}

}  // namespace detail

GemmTile gemm_tile(simd::Isa isa) {
  if (isa == simd::Isa::kAvx512 && SIGHTLINE_HAVE_AVX2) {
    return {simd::kAvx512GemmRows, simd::kAvx512GemmColumns};
  }
  if (isa == simd::Isa::kAvx2Fma && SIGHTLINE_HAVE_AVX2) {
    return {simd::kAvx2GemmRows, simd::kAvx2GemmColumns};
  }
  return {kVec4GemmRows, 8};
}

PackedMatrix pack_gemm_lhs(simd::Isa isa, const float* a, int64_t rows, int64_t depth,
                           int64_t row_stride) {
  PackedMatrix packed;
  packed.isa = isa;
  packed.rows = rows;
  packed.depth = depth;
  packed.tile_rows = gemm_tile(isa).rows;
  const int64_t panels = (rows + packed.tile_rows - 1) / packed.tile_rows;
  packed.panels.assign(static_cast<size_t>(panels * depth * packed.tile_rows), 0.0f);

  // panels [panel, k, r] = a[panel * tile_rows + r, k]
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t panel = row / packed.tile_rows;
    const int64_t lane = row % packed.tile_rows;
    float* out = packed.panels.data() + panel * depth * packed.tile_rows + lane;
    for (int64_t k = 0; k < depth; ++k) {
      out[k * packed.tile_rows] = a[row * row_stride + k];
    }
  }
  return packed;
}

void gemm_f32(const KernelContext& context, const PackedMatrix& a, const float* b,
              int64_t b_row_stride, int64_t columns, float* c, int64_t c_row_stride,
              const GemmEpilogue& epilogue) {
  detail::run_gemm(context, a, columns, detail::DenseB{b, b_row_stride}, c, c_row_stride, epilogue);
}

void reserve_gemm_scratch() {
  detail::packed_b_scratch(detail::kBlockDepth * detail::kBlockColumns);
}

}  // namespace sightline::engine::kernels::fast
