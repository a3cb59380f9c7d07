// Fast elementwise kernels on dense float32 arrays of equal size (broadcasting is resolved by
// the caller), and nearest-neighbour 2x upsampling. Threads split the elements (or planes).
// `output` may alias an input.
#pragma once

#include <cstdint>

#include "engine/kernels/fast/kernel_context.h"

namespace sightline::engine::kernels::fast {

// output = activation(input); see vector_math.h for the accuracy of sigmoid and SiLU.
void activation_f32(const KernelContext& context, Activation activation, const float* input,
                    float* output, int64_t count);

void sigmoid_f32(const KernelContext& context, const float* input, float* output, int64_t count);
void silu_f32(const KernelContext& context, const float* input, float* output, int64_t count);

void add_f32(const KernelContext& context, const float* a, const float* b, float* output,
             int64_t count);
void mul_f32(const KernelContext& context, const float* a, const float* b, float* output,
             int64_t count);

// input [planes, height, width] -> output [planes, 2 * height, 2 * width],
// output[p, y, x] = input[p, y / 2, x / 2].
void upsample_nearest2x_f32(const KernelContext& context, const float* input, int64_t planes,
                            int64_t height, int64_t width, float* output);

}  // namespace sightline::engine::kernels::fast
