// Depthwise 3x3 convolution (one filter per channel), stride 1 or 2, with bias and activation.
//
// Layouts (row-major, float32):
//   input   [batch, channels, in_height, in_width]
//   weights [channels, 1, 3, 3]
//   output  [batch, channels, out_height, out_width]
// output[c, oy, ox] = act(bias[c] + sum_{ky,kx} weights[c, ky, kx] *
//                         input[c, oy * stride - pad_top + ky, ox * stride - pad_left + kx]),
// padding reads as 0. Threads split the channels.
#pragma once

#include "engine/kernels/fast/kernel_context.h"
#include "engine/kernels/kernel_params.h"

namespace sightline::engine::kernels::fast {

// groups == in_channels == out_channels, a 3x3 kernel, equal strides of 1 or 2, dilation 1 and
// top/left padding of at most 2 (bottom/right padding is implied by the output size).
bool depthwise3x3_supported(const ConvShape& shape);

// Grows the calling thread's scratch to what `shape` needs, so later calls on this thread
// allocate nothing.
void reserve_depthwise_scratch(const ConvShape& shape);

// Frees the calling thread's scratch, so the next call sizes it exactly (tests use it to let
// AddressSanitizer see a read past the plane, which a bigger earlier plane would hide).
void release_depthwise_scratch();

// `bias` may be null.
void depthwise_conv3x3_f32(const KernelContext& context, const ConvShape& shape, const float* input,
                           const float* weights, const float* bias, Activation activation,
                           float* output);

}  // namespace sightline::engine::kernels::fast
