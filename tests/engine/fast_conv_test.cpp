// Convolution through the packed GEMM against a direct double-precision convolution: 1x1 direct
// path, 3x3 with padding, stride 2, dilation, grouped, odd sizes, fused bias and activation,
// every instruction set, 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/fast/conv.h"
#include "engine/parallel/thread_pool.h"
#include "fast_kernel_test_support.h"

namespace sightline::engine::kernels::fast {
namespace {

using testing::make_conv_shape;
using testing::random_values;

void expect_conv_matches_reference(const ConvShape& shape, bool with_bias, Activation activation) {
  const int64_t weight_count = shape.out_channels * (shape.in_channels / shape.groups) *
                               shape.kernel_height * shape.kernel_width;
  const std::vector<float> input = random_values(
      static_cast<size_t>(shape.batch * shape.in_channels * shape.in_height * shape.in_width), 21);
  const std::vector<float> weights = random_values(static_cast<size_t>(weight_count), 22);
  const std::vector<float> bias = random_values(static_cast<size_t>(shape.out_channels), 23);
  const float* bias_pointer = with_bias ? bias.data() : nullptr;
  const testing::ReferenceConv expected =
      testing::reference_conv2d(shape, input, weights, bias_pointer, activation);

  for (simd::Isa isa : testing::isas_to_test()) {
    SCOPED_TRACE(std::string("isa ") + simd::isa_name(isa) + ", " + testing::describe(shape));
    const PackedConv packed = pack_conv2d(isa, shape, weights.data(), bias_pointer, activation);
    std::vector<float> single(expected.output.size(), -99.0f);
    conv2d_f32(KernelContext{nullptr, isa}, packed, input.data(), single.data());

    parallel::ThreadPool two_threads(2);
    std::vector<float> threaded(expected.output.size(), -99.0f);
    conv2d_f32(KernelContext{&two_threads, isa}, packed, input.data(), threaded.data());
    EXPECT_EQ(single, threaded);

    int failures = 0;
    for (size_t i = 0; i < single.size(); ++i) {
      const double tolerance = testing::sum_tolerance(expected.magnitude[i], expected.output[i]);
      if (std::abs(single[i] - expected.output[i]) > tolerance && ++failures <= 5) {
        ADD_FAILURE() << "output[" << i << "] = " << single[i] << ", expected "
                      << expected.output[i];
      }
    }
    EXPECT_EQ(failures, 0);
  }
}

TEST(FastConv, OneByOneReadsTheInputPlaneDirectly) {
  const ConvShape shape = make_conv_shape(27, 23, 25, 17, 1, 1, 0);
  EXPECT_TRUE(conv_reads_input_directly(shape));
  expect_conv_matches_reference(shape, true, Activation::kSilu);
  for (int64_t channels : {1, 3, 7}) {
    expect_conv_matches_reference(make_conv_shape(channels, 7, 3, channels + 2, 1, 1, 0), false,
                                  Activation::kNone);
  }
}

TEST(FastConv, ThreeByThreeWithPaddingOnOddSizes) {
  for (int64_t size : {1, 3, 7, 17}) {
    expect_conv_matches_reference(make_conv_shape(3, size, size + 2, 5, 3, 1, 1), true,
                                  Activation::kNone);
  }
  expect_conv_matches_reference(make_conv_shape(12, 23, 25, 16, 3, 1, 1), true, Activation::kSilu);
}

TEST(FastConv, StrideTwoAndStridedOneByOne) {
  expect_conv_matches_reference(make_conv_shape(7, 23, 27, 9, 3, 2, 1), true, Activation::kSigmoid);
  const ConvShape strided_pointwise = make_conv_shape(5, 17, 17, 6, 1, 2, 0);
  EXPECT_FALSE(conv_reads_input_directly(strided_pointwise));
  expect_conv_matches_reference(strided_pointwise, false, Activation::kNone);
}

TEST(FastConv, GroupedAndDilated) {
  expect_conv_matches_reference(make_conv_shape(6, 17, 19, 9, 3, 1, 1, 3), true, Activation::kSilu);
  expect_conv_matches_reference(make_conv_shape(4, 17, 15, 4, 3, 2, 1, 4), true, Activation::kNone);
  expect_conv_matches_reference(make_conv_shape(3, 23, 25, 5, 3, 1, 2, 1, 2), false,
                                Activation::kNone);
}

TEST(FastConv, DeepInputCrossesDepthBlocks) {
  // depth = 40 * 3 * 3 = 360 > one 256-deep block.
  expect_conv_matches_reference(make_conv_shape(40, 9, 11, 7, 3, 1, 1), true, Activation::kSilu);
}

TEST(FastConv, AsymmetricPaddingAndBatch) {
  ConvShape shape = make_conv_shape(3, 8, 9, 4, 3, 2, 0);
  // ONNX pads [top=0, left=1, bottom=1, right=1]: the output size carries bottom/right.
  shape.pad_left = 1;
  shape.out_height = (8 + 0 + 1 - 3) / 2 + 1;
  shape.out_width = (9 + 1 + 1 - 3) / 2 + 1;
  shape.batch = 2;
  expect_conv_matches_reference(shape, true, Activation::kNone);
}

TEST(FastConv, KernelWiderThanTall) {
  ConvShape shape = make_conv_shape(5, 7, 17, 3, 1, 1, 0);
  shape.kernel_width = 5;
  shape.pad_left = 2;
  expect_conv_matches_reference(shape, true, Activation::kNone);
}

}  // namespace
}  // namespace sightline::engine::kernels::fast
