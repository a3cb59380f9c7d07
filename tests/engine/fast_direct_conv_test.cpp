// Direct 3x3 convolution against a double-precision convolution: every instruction set, widths
// around both tile widths (8 and 16 columns), output channel counts that leave a partial block,
// padding 0 and 1, batches, fused bias and activations, 1 and 2 threads (bit-identical).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/fast/direct_conv.h"
#include "engine/parallel/thread_pool.h"
#include "fast_kernel_test_support.h"

namespace sightline::engine::kernels::fast {
namespace {

using testing::make_conv_shape;
using testing::random_values;

void expect_direct_matches_reference(ConvShape shape, bool with_bias, Activation activation) {
  ASSERT_TRUE(direct_conv3x3_supported(shape)) << testing::describe(shape);
  const std::vector<float> input = random_values(
      static_cast<size_t>(shape.batch * shape.in_channels * shape.in_height * shape.in_width), 41);
  const std::vector<float> weights =
      random_values(static_cast<size_t>(shape.out_channels * shape.in_channels * 9), 42);
  const std::vector<float> bias = random_values(static_cast<size_t>(shape.out_channels), 43);
  const float* bias_pointer = with_bias ? bias.data() : nullptr;
  const testing::ReferenceConv expected =
      testing::reference_conv2d(shape, input, weights, bias_pointer, activation);

  for (simd::Isa isa : testing::isas_to_test()) {
    SCOPED_TRACE(std::string("isa ") + simd::isa_name(isa) + ", " + testing::describe(shape));
    const DirectConv conv =
        pack_direct_conv3x3(isa, shape, weights.data(), bias_pointer, activation);
    std::vector<float> single(expected.output.size(), -99.0f);
    direct_conv3x3_f32(KernelContext{nullptr, isa}, conv, input.data(), single.data());
    parallel::ThreadPool two_threads(2);
    std::vector<float> threaded(expected.output.size(), -99.0f);
    direct_conv3x3_f32(KernelContext{&two_threads, isa}, conv, input.data(), threaded.data());
    EXPECT_EQ(single, threaded);

    int failures = 0;
    for (size_t i = 0; i < single.size(); ++i) {
      const double tolerance = testing::sum_tolerance(expected.magnitude[i], expected.output[i]);
      if (!(std::abs(single[i] - expected.output[i]) <= tolerance) && ++failures <= 5) {
        ADD_FAILURE() << "output[" << i << "] = " << single[i] << ", expected "
                      << expected.output[i];
      }
    }
    EXPECT_EQ(failures, 0);
  }
}

TEST(FastDirectConv, WidthsAroundEveryTileWidth) {
  // Four-float tiles of 8 columns, AVX2 tiles of 24, AVX-512 tiles of 16 to 64 columns.
  for (int64_t width : {1, 3, 7, 8, 9, 15, 16, 17, 23, 24, 25, 33, 47, 63, 64, 65, 81, 130}) {
    expect_direct_matches_reference(make_conv_shape(3, 5, width, 7, 3, 1, 1), true,
                                    Activation::kSilu);
  }
}

TEST(FastDirectConv, StemShapeAndPartialChannelBlocks) {
  expect_direct_matches_reference(make_conv_shape(12, 26, 26, 16, 3, 1, 1), true,
                                  Activation::kSilu);
  for (int64_t out_channels : {1, 3, 5, 17}) {
    expect_direct_matches_reference(make_conv_shape(5, 9, 19, out_channels, 3, 1, 1), false,
                                    Activation::kNone);
  }
}

TEST(FastDirectConv, NoPaddingSigmoidAndBatches) {
  expect_direct_matches_reference(make_conv_shape(4, 11, 21, 6, 3, 1, 0), true,
                                  Activation::kSigmoid);
  ConvShape batched = make_conv_shape(2, 7, 18, 5, 3, 1, 1);
  batched.batch = 3;
  expect_direct_matches_reference(batched, true, Activation::kSilu);
}

TEST(FastDirectConv, RefusesWhatItDoesNotHandle) {
  EXPECT_FALSE(direct_conv3x3_supported(make_conv_shape(12, 8, 8, 16, 3, 2, 1)));
  EXPECT_FALSE(direct_conv3x3_supported(make_conv_shape(12, 8, 8, 16, 1, 1, 0)));
  EXPECT_FALSE(direct_conv3x3_supported(make_conv_shape(64, 8, 8, 16, 3, 1, 1)));
  EXPECT_FALSE(direct_conv3x3_supported(make_conv_shape(12, 8, 8, 12, 3, 1, 1, 12)));
  EXPECT_FALSE(direct_conv3x3_supported(make_conv_shape(12, 8, 8, 16, 3, 1, 2)));
}

}  // namespace
}  // namespace sightline::engine::kernels::fast
