// Fast stride-1 max pooling (YOLOX's SPP uses 5x5, 9x9 and 13x13 with "same" padding).
//
// Layouts: input [planes, in_height, in_width] -> output [planes, out_height, out_width], a plane
// being one channel of one batch item. The maximum over a kh x kw window is the maximum over
// kh rows of the maximum over kw columns, so each plane takes a horizontal pass into a scratch
// plane [in_height, out_width] and a vertical pass: kh + kw comparisons per output instead of
// kh * kw. Padding never wins; a window entirely in padding yields the lowest float.
#pragma once

#include "engine/kernels/fast/kernel_context.h"
#include "engine/kernels/kernel_params.h"

namespace sightline::engine::kernels::fast {

// Stride 1, dilation 1, non-negative padding. Other pools take the reference kernel.
bool maxpool_fast_supported(const PoolShape& shape);

// Grows the calling thread's scratch to what `shape` needs, so later calls on this thread
// allocate nothing.
void reserve_maxpool_scratch(const PoolShape& shape);

void maxpool2d_f32(const KernelContext& context, const PoolShape& shape, const float* input,
                   float* output);

}  // namespace sightline::engine::kernels::fast
