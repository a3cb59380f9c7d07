// Depthwise 3x3 against a direct double-precision convolution: stride 1 and 2, padding 0-2,
// widths around the vector width, odd channel counts, fused bias and SiLU, 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/fast/depthwise.h"
#include "engine/parallel/thread_pool.h"
#include "fast_kernel_test_support.h"

namespace sightline::engine::kernels::fast {
namespace {

using testing::make_conv_shape;
using testing::random_values;

void expect_depthwise_matches_reference(const ConvShape& shape, bool with_bias,
                                        Activation activation) {
  ASSERT_TRUE(depthwise3x3_supported(shape)) << testing::describe(shape);
  const std::vector<float> input = random_values(
      static_cast<size_t>(shape.batch * shape.in_channels * shape.in_height * shape.in_width), 31);
  const std::vector<float> weights = random_values(static_cast<size_t>(shape.in_channels * 9), 32);
  const std::vector<float> bias = random_values(static_cast<size_t>(shape.in_channels), 33);
  const float* bias_pointer = with_bias ? bias.data() : nullptr;
  const testing::ReferenceConv expected =
      testing::reference_conv2d(shape, input, weights, bias_pointer, activation);

  for (simd::Isa isa : testing::isas_to_test()) {
    SCOPED_TRACE(std::string("isa ") + simd::isa_name(isa) + ", " + testing::describe(shape));
    std::vector<float> single(expected.output.size(), -99.0f);
    depthwise_conv3x3_f32(KernelContext{nullptr, isa}, shape, input.data(), weights.data(),
                          bias_pointer, activation, single.data());
    parallel::ThreadPool two_threads(2);
    std::vector<float> threaded(expected.output.size(), -99.0f);
    depthwise_conv3x3_f32(KernelContext{&two_threads, isa}, shape, input.data(), weights.data(),
                          bias_pointer, activation, threaded.data());
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

TEST(FastDepthwise, StrideOneOnWidthsAroundTheVectorWidth) {
  for (int64_t width : {1, 2, 3, 5, 6, 7, 8, 9, 17, 25, 27}) {
    expect_depthwise_matches_reference(make_conv_shape(3, 7, width, 3, 3, 1, 1, 3), true,
                                       Activation::kSilu);
  }
  expect_depthwise_matches_reference(make_conv_shape(23, 25, 27, 23, 3, 1, 1, 23), true,
                                     Activation::kSilu);
}

TEST(FastDepthwise, StrideTwoOnOddAndEvenSizes) {
  for (int64_t width : {1, 2, 3, 7, 10, 11, 17, 26, 27}) {
    expect_depthwise_matches_reference(make_conv_shape(5, 9, width, 5, 3, 2, 1, 5), true,
                                       Activation::kSilu);
  }
  expect_depthwise_matches_reference(make_conv_shape(17, 23, 25, 17, 3, 2, 1, 17), false,
                                     Activation::kNone);
}

// The padded scratch plane is per thread and grows to the largest plane seen, so a too-small
// plane hides behind an earlier bigger one. Each shape here starts from a released scratch,
// sized exactly for it, so AddressSanitizer sees any read past a row's vectors (AVX-512 stride 2
// once read 15 floats past the plane for 20 output columns). The two-thread pool of each check
// has fresh workers, whose scratch starts empty too.
TEST(FastDepthwise, ReadsStayInsideAnExactlySizedScratchPlane) {
  for (int64_t stride : {1, 2}) {
    for (int64_t out_width : {1, 15, 16, 17, 20, 31, 33, 40}) {
      const int64_t in_width = stride == 1 ? out_width : 2 * out_width;
      release_depthwise_scratch();
      expect_depthwise_matches_reference(make_conv_shape(2, 3, in_width, 2, 3, stride, 1, 2), true,
                                         Activation::kSilu);
    }
  }
}

TEST(FastDepthwise, OtherPaddingsAndActivations) {
  expect_depthwise_matches_reference(make_conv_shape(3, 17, 19, 3, 3, 1, 0, 3), true,
                                     Activation::kSigmoid);
  expect_depthwise_matches_reference(make_conv_shape(3, 17, 19, 3, 3, 2, 2, 3), true,
                                     Activation::kNone);
  ConvShape batched = make_conv_shape(7, 13, 13, 7, 3, 1, 1, 7);
  batched.batch = 2;
  expect_depthwise_matches_reference(batched, true, Activation::kSilu);
}

TEST(FastDepthwise, RefusesWhatItDoesNotHandle) {
  EXPECT_FALSE(depthwise3x3_supported(make_conv_shape(4, 9, 9, 4, 3, 3, 1, 4)));
  EXPECT_FALSE(depthwise3x3_supported(make_conv_shape(4, 9, 9, 8, 3, 1, 1, 4)));
  EXPECT_FALSE(depthwise3x3_supported(make_conv_shape(4, 9, 9, 4, 3, 1, 1, 2)));
  EXPECT_FALSE(depthwise3x3_supported(make_conv_shape(4, 9, 9, 4, 5, 1, 2, 4)));
  EXPECT_FALSE(depthwise3x3_supported(make_conv_shape(4, 9, 9, 4, 3, 1, 1, 4, 2)));
}

}  // namespace
}  // namespace sightline::engine::kernels::fast
