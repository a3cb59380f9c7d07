// Separable max pooling against a direct window maximum: YOLOX's SPP kernels (5, 9, 13 with
// "same" padding), odd sizes, kernels larger than the image, asymmetric windows, 1 and 2 threads.
// Maxima are exact, so results must be equal.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "engine/kernels/fast/pool.h"
#include "engine/parallel/thread_pool.h"
#include "fast_kernel_test_support.h"

namespace sightline::engine::kernels::fast {
namespace {

using testing::random_values;

std::vector<float> reference_maxpool(const PoolShape& s, const std::vector<float>& input) {
  std::vector<float> output(static_cast<size_t>(s.planes * s.out_height * s.out_width));
  for (int64_t p = 0; p < s.planes; ++p) {
    for (int64_t oy = 0; oy < s.out_height; ++oy) {
      for (int64_t ox = 0; ox < s.out_width; ++ox) {
        float best = std::numeric_limits<float>::lowest();
        for (int64_t ky = 0; ky < s.kernel_height; ++ky) {
          for (int64_t kx = 0; kx < s.kernel_width; ++kx) {
            const int64_t iy = oy - s.pad_top + ky;
            const int64_t ix = ox - s.pad_left + kx;
            if (iy >= 0 && iy < s.in_height && ix >= 0 && ix < s.in_width) {
              best = std::max(best, input[(p * s.in_height + iy) * s.in_width + ix]);
            }
          }
        }
        output[(p * s.out_height + oy) * s.out_width + ox] = best;
      }
    }
  }
  return output;
}

PoolShape same_pool(int64_t planes, int64_t height, int64_t width, int64_t kernel) {
  PoolShape s;
  s.planes = planes;
  s.in_height = height;
  s.in_width = width;
  s.out_height = height;
  s.out_width = width;
  s.kernel_height = kernel;
  s.kernel_width = kernel;
  s.pad_top = kernel / 2;
  s.pad_left = kernel / 2;
  return s;
}

void expect_pool_matches_reference(const PoolShape& shape) {
  ASSERT_TRUE(maxpool_fast_supported(shape));
  const std::vector<float> input = random_values(
      static_cast<size_t>(shape.planes * shape.in_height * shape.in_width), 41, -100.0f, 100.0f);
  const std::vector<float> expected = reference_maxpool(shape, input);
  for (simd::Isa isa : testing::isas_to_test()) {
    SCOPED_TRACE(std::string("isa ") + simd::isa_name(isa) + " kernel " +
                 std::to_string(shape.kernel_height) + "x" + std::to_string(shape.kernel_width) +
                 " size " + std::to_string(shape.in_height) + "x" + std::to_string(shape.in_width));
    std::vector<float> single(expected.size(), -1.0f);
    maxpool2d_f32(KernelContext{nullptr, isa}, shape, input.data(), single.data());
    EXPECT_EQ(single, expected);
    parallel::ThreadPool two_threads(2);
    std::vector<float> threaded(expected.size(), -1.0f);
    maxpool2d_f32(KernelContext{&two_threads, isa}, shape, input.data(), threaded.data());
    EXPECT_EQ(threaded, expected);
  }
}

TEST(FastMaxPool, SppKernelsWithSamePadding) {
  for (int64_t kernel : {5, 9, 13}) {
    expect_pool_matches_reference(same_pool(7, 13, 13, kernel));
    expect_pool_matches_reference(same_pool(3, 23, 25, kernel));
  }
}

TEST(FastMaxPool, TinyImagesAndKernelsLargerThanTheImage) {
  for (int64_t size : {1, 3, 7, 17}) {
    for (int64_t kernel : {1, 3, 5, 13}) {
      expect_pool_matches_reference(same_pool(2, size, size + 1, kernel));
    }
  }
}

TEST(FastMaxPool, AsymmetricWindowAndPadding) {
  PoolShape shape = same_pool(3, 17, 23, 3);
  shape.kernel_width = 6;
  shape.pad_left = 1;
  shape.pad_top = 0;
  shape.out_height = 17 - 3 + 1 + 1;
  shape.out_width = 23 + 1 + 2 - 6 + 1;
  expect_pool_matches_reference(shape);
}

TEST(FastMaxPool, WindowEntirelyInPaddingYieldsLowest) {
  PoolShape shape = same_pool(1, 2, 2, 2);
  shape.pad_top = 3;
  shape.pad_left = 0;
  shape.out_height = 2;
  shape.out_width = 1;
  expect_pool_matches_reference(shape);
}

TEST(FastMaxPool, RefusesStridedPools) {
  PoolShape shape = same_pool(1, 8, 8, 3);
  shape.stride_height = 2;
  EXPECT_FALSE(maxpool_fast_supported(shape));
}

}  // namespace
}  // namespace sightline::engine::kernels::fast
