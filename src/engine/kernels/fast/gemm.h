// Packed single-precision matrix product with a fused epilogue:
//   C[rows, columns] (+)= A[rows, depth] * B[depth, columns], then per row r:
//   C[r, :] = activation(C[r, :] + bias[r]).
// A (convolution weights) is packed once at load time for the micro-kernel of one instruction
// set; B (activations) is packed per call, a block at a time, into per-thread scratch that grows
// once and is then reused. Threads split the columns.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/kernels/fast/kernel_context.h"
#include "engine/simd/isa.h"

namespace sightline::engine::kernels::fast {

// Register tile of the micro-kernel: `rows` x `columns` of C per call.
struct GemmTile {
  int rows = 0;
  int columns = 0;
};

// 5x8 for the four-float backends, 6x16 for AVX2 + FMA, 8x32 for AVX-512.
GemmTile gemm_tile(simd::Isa isa);

// A [rows, depth] in micro-kernel order:
//   panels [ceil(rows / tile_rows), depth, tile_rows]; rows past `rows` are zero.
struct PackedMatrix {
  simd::Isa isa = simd::Isa::kScalar;
  int64_t rows = 0;
  int64_t depth = 0;
  int tile_rows = 0;
  std::vector<float> panels;
};

// `a` is row-major with `row_stride` elements between rows.
PackedMatrix pack_gemm_lhs(simd::Isa isa, const float* a, int64_t rows, int64_t depth,
                           int64_t row_stride);

struct GemmEpilogue {
  // [rows], or null for no bias.
  const float* bias = nullptr;
  Activation activation = Activation::kNone;
  // Adds the product to C instead of overwriting it (the epilogue then applies to the sum).
  bool accumulate = false;
};

// Grows the calling thread's packed-B scratch to its final size, so later GEMMs and
// convolutions on this thread allocate nothing.
void reserve_gemm_scratch();

// B is row-major [depth, columns] with row stride `b_row_stride`; C is row-major [rows, columns]
// with row stride `c_row_stride`. The instruction set is the one `a` was packed for (context.isa
// is not consulted); context.pool splits the columns.
void gemm_f32(const KernelContext& context, const PackedMatrix& a, const float* b,
              int64_t b_row_stride, int64_t columns, float* c, int64_t c_row_stride,
              const GemmEpilogue& epilogue);

}  // namespace sightline::engine::kernels::fast
