// Fast float32 2-D convolution as a packed GEMM, with the bias and activation fused.
//
// Layouts (row-major, float32):
//   input   [batch, in_channels, in_height, in_width]
//   weights [out_channels, in_channels / groups, kernel_height, kernel_width]
//   output  [batch, out_channels, out_height, out_width]
// For each batch item and group, output[m, p] = act(bias[m] + sum_k weights[m, k] * patch[k, p])
// with k = (channel, ky, kx) and p = (oy, ox): a GEMM with M = out channels per group,
// K = in channels per group * kh * kw, N = out_height * out_width. The weights are packed at load
// time. Patches are gathered straight into the packed B panels (im2col fused into packing,
// no im2col buffer); a 1x1, stride-1, unpadded convolution packs rows of the input plane, which
// already is B[in_channels, height * width].
#pragma once

#include <vector>

#include "engine/kernels/fast/gemm.h"
#include "engine/kernels/fast/kernel_context.h"
#include "engine/kernels/kernel_params.h"

namespace sightline::engine::kernels::fast {

struct PackedConv {
  ConvShape shape;
  Activation activation = Activation::kNone;
  // One packed [out_channels / groups, in_channels / groups * kh * kw] matrix per group.
  std::vector<PackedMatrix> group_weights;
  // [out_channels], or empty for no bias.
  std::vector<float> bias;
};

// The caller has validated `shape` (positive sizes, channels divisible by groups, output size
// consistent with the padding). `bias` may be null.
PackedConv pack_conv2d(simd::Isa isa, const ConvShape& shape, const float* weights,
                       const float* bias, Activation activation);

// True for the 1x1, stride-1, unpadded convolutions that skip patch gathering.
bool conv_reads_input_directly(const ConvShape& shape);

void conv2d_f32(const KernelContext& context, const PackedConv& conv, const float* input,
                float* output);

}  // namespace sightline::engine::kernels::fast
