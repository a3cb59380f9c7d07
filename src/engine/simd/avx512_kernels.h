// AVX-512 kernels (x86 only, called only when isa_available(Isa::kAvx512)): the GEMM
// micro-kernels of the kAvx512 instruction set. Its other kernels are the AVX2 + FMA ones.
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
#endif

}  // namespace sightline::engine::simd
