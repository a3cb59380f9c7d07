// Fast float32 strided copy (Slice, Transpose): the copy of kernels/kernel_params.h StridedCopy,
// split over threads by runs along the last axis. A run with input stride 1 is one memcpy; with
// stride 2 (YOLOX's space-to-depth slices) it takes the even lanes of pairs of vector loads;
// other strides copy element by element.
#pragma once

#include "engine/kernels/fast/kernel_context.h"
#include "engine/kernels/kernel_params.h"

namespace sightline::engine::kernels::fast {

// `copy` is validated by the caller (non-empty extents, offsets inside the input).
void strided_copy_f32(const KernelContext& context, const StridedCopy& copy, const float* input,
                      float* output);

}  // namespace sightline::engine::kernels::fast
