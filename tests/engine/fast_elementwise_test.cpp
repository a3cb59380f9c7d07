// Vectorised exp, sigmoid and SiLU against double precision within the tolerance stated in
// vector_math.h; add, multiply and 2x upsampling exactly; odd lengths, aliasing, 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/fast/elementwise.h"
#include "engine/kernels/fast/vector_math.h"
#include "engine/parallel/thread_pool.h"
#include "engine/simd/vec4.h"
#include "fast_kernel_test_support.h"

namespace sightline::engine::kernels::fast {
namespace {

using testing::random_values;

// Relative error bound of sigmoid and SiLU where |result| > 1e-30 (absolute 1e-30 below).
constexpr double kActivationTolerance = 1e-6;

// Evenly spaced points covering [low, high], plus the exact ends.
std::vector<float> sweep(float low, float high, int count) {
  std::vector<float> values;
  for (int i = 0; i < count; ++i) {
    values.push_back(low + (high - low) * static_cast<float>(i) / static_cast<float>(count - 1));
  }
  return values;
}

template <class V>
double worst_exp_relative_error(const std::vector<float>& inputs) {
  double worst = 0.0;
  for (size_t i = 0; i + 4 <= inputs.size(); i += 4) {
    float result[4];
    V::store(result, exp_approx<V>(V::load(inputs.data() + i)));
    for (int lane = 0; lane < 4; ++lane) {
      const double expected = std::exp(static_cast<double>(inputs[i + lane]));
      worst = std::max(worst, std::abs(result[lane] - expected) / expected);
    }
  }
  return worst;
}

TEST(FastElementwise, ExpIsWithinOneMillionthRelative) {
  const std::vector<float> inputs = sweep(-87.0f, 88.0f, 400004);
  EXPECT_LT(worst_exp_relative_error<simd::Vec4Scalar>(inputs), 1e-6);
  EXPECT_LT(worst_exp_relative_error<simd::Vec4Native>(inputs), 1e-6);
}

void expect_activation_accurate(Activation activation, const std::vector<float>& inputs) {
  for (simd::Isa isa : testing::isas_to_test()) {
    std::vector<float> output(inputs.size());
    activation_f32(KernelContext{nullptr, isa}, activation, inputs.data(), output.data(),
                   static_cast<int64_t>(inputs.size()));
    int failures = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const double expected = testing::reference_activation(activation, inputs[i]);
      const double error = std::abs(output[i] - expected);
      const bool ok = std::abs(expected) > 1e-30
                          ? error <= kActivationTolerance * std::abs(expected)
                          : error <= 1e-30;
      if (!ok && ++failures <= 5) {
        ADD_FAILURE() << simd::isa_name(isa) << ": f(" << inputs[i] << ") = " << output[i]
                      << ", expected " << expected;
      }
    }
    EXPECT_EQ(failures, 0);
  }
}

TEST(FastElementwise, SigmoidAndSiluAreAccurateOverTheWholeRange) {
  std::vector<float> inputs = sweep(-120.0f, 120.0f, 240001);
  inputs.push_back(0.0f);
  inputs.push_back(-0.0f);
  inputs.push_back(1e-20f);
  expect_activation_accurate(Activation::kSigmoid, inputs);
  expect_activation_accurate(Activation::kSilu, inputs);
}

TEST(FastElementwise, OddLengthsInPlaceAndThreaded) {
  for (int64_t count : {1, 3, 7, 17, 16385, 40003}) {
    const std::vector<float> input = random_values(static_cast<size_t>(count), 51, -10.0f, 10.0f);
    for (simd::Isa isa : testing::isas_to_test()) {
      std::vector<float> separate(input.size());
      silu_f32(KernelContext{nullptr, isa}, input.data(), separate.data(), count);

      std::vector<float> in_place = input;
      parallel::ThreadPool two_threads(2);
      silu_f32(KernelContext{&two_threads, isa}, in_place.data(), in_place.data(), count);
      EXPECT_EQ(separate, in_place) << simd::isa_name(isa) << " count " << count;

      std::vector<float> sigmoid(input.size());
      sigmoid_f32(KernelContext{&two_threads, isa}, input.data(), sigmoid.data(), count);
      for (int64_t i = 0; i < count; ++i) {
        EXPECT_NEAR(sigmoid[i], 1.0 / (1.0 + std::exp(-double(input[i]))), 1e-6);
      }
    }
  }
}

TEST(FastElementwise, AddAndMultiplyAreExact) {
  for (int64_t count : {1, 3, 7, 17, 23 * 25 * 27}) {
    const std::vector<float> a = random_values(static_cast<size_t>(count), 52);
    const std::vector<float> b = random_values(static_cast<size_t>(count), 53);
    for (simd::Isa isa : testing::isas_to_test()) {
      parallel::ThreadPool two_threads(2);
      for (parallel::ThreadPool* pool :
           {static_cast<parallel::ThreadPool*>(nullptr), &two_threads}) {
        std::vector<float> sum(a.size());
        std::vector<float> product(a.size());
        add_f32(KernelContext{pool, isa}, a.data(), b.data(), sum.data(), count);
        mul_f32(KernelContext{pool, isa}, a.data(), b.data(), product.data(), count);
        for (int64_t i = 0; i < count; ++i) {
          ASSERT_EQ(sum[i], a[i] + b[i]) << simd::isa_name(isa) << " at " << i;
          ASSERT_EQ(product[i], a[i] * b[i]) << simd::isa_name(isa) << " at " << i;
        }
      }
    }
  }
}

TEST(FastElementwise, UpsampleRepeatsEachPixelTwoByTwo) {
  for (int64_t width : {1, 3, 4, 7, 13, 17}) {
    const int64_t planes = 3;
    const int64_t height = 5;
    const std::vector<float> input =
        random_values(static_cast<size_t>(planes * height * width), 54);
    for (simd::Isa isa : testing::isas_to_test()) {
      parallel::ThreadPool two_threads(2);
      std::vector<float> output(static_cast<size_t>(planes * height * width * 4), -1.0f);
      upsample_nearest2x_f32(KernelContext{&two_threads, isa}, input.data(), planes, height, width,
                             output.data());
      for (int64_t p = 0; p < planes; ++p) {
        for (int64_t y = 0; y < 2 * height; ++y) {
          for (int64_t x = 0; x < 2 * width; ++x) {
            ASSERT_EQ(output[(p * 2 * height + y) * 2 * width + x],
                      input[(p * height + y / 2) * width + x / 2])
                << simd::isa_name(isa) << " width " << width;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace sightline::engine::kernels::fast
