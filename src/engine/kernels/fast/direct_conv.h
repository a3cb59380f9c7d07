// Direct 3x3 stride-1 convolution for few input channels (YOLOX's stem: 12 -> 16 channels on a
// 208 x 208 plane), with bias and activation fused. With a shallow depth (channels x 9) the
// packed GEMM spends more time gathering patches than multiplying; here every output vector is
// accumulated straight from a zero-bordered copy of the input, four output channels at a time.
//
// Layouts (row-major, float32):
//   input   [batch, in_channels, in_height, in_width]
//   weights [out_channels, in_channels, 3, 3]
//   output  [batch, out_channels, out_height, out_width]
//   packed weights [ceil(out_channels / 4), in_channels, 3, 3, 4]: the four channels of a block
//   side by side per tap, zero past out_channels.
#pragma once

#include <vector>

#include "engine/kernels/fast/kernel_context.h"
#include "engine/kernels/kernel_params.h"

namespace sightline::engine::kernels::fast {

// Channels of one block of output channels.
constexpr int kDirectConvBlock = 4;

// groups 1, a 3x3 kernel, strides and dilations 1, top/left padding of at most 1 and
// in_channels <= 32 (deeper convolutions are faster as a GEMM).
bool direct_conv3x3_supported(const ConvShape& shape);

struct DirectConv {
  ConvShape shape;
  simd::Isa isa = simd::Isa::kScalar;
  Activation activation = Activation::kNone;
  std::vector<float> packed_weights;
  std::vector<float> bias;  // [ceil(out_channels / 4) * 4], zero where the model has none
};

DirectConv pack_direct_conv3x3(simd::Isa isa, const ConvShape& shape, const float* weights,
                               const float* bias, Activation activation);

// Grows the calling thread's scratch (the bordered input copy) to what `conv` needs.
void reserve_direct_conv_scratch(const DirectConv& conv);

void direct_conv3x3_f32(const KernelContext& context, const DirectConv& conv, const float* input,
                        float* output);

}  // namespace sightline::engine::kernels::fast
