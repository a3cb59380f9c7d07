// The packed GEMM against a double-precision product, on sizes around the tile sizes, across
// block boundaries (depth and width over 256), for every instruction set and 1 or 2 threads.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/fast/gemm.h"
#include "engine/parallel/thread_pool.h"
#include "engine/simd/isa.h"
#include "fast_kernel_test_support.h"

namespace sightline::engine::kernels::fast {
namespace {

using testing::isas_to_test;
using testing::random_values;

struct GemmCase {
  int64_t rows;
  int64_t depth;
  int64_t columns;
};

// C[rows, columns] with row stride `columns + 3` (strides differ from widths on purpose).
std::vector<float> run_gemm(simd::Isa isa, parallel::ThreadPool* pool, const GemmCase& shape,
                            const std::vector<float>& a, const std::vector<float>& b,
                            const GemmEpilogue& epilogue, std::vector<float> c) {
  const PackedMatrix packed = pack_gemm_lhs(isa, a.data(), shape.rows, shape.depth, shape.depth);
  KernelContext context{pool, isa};
  gemm_f32(context, packed, b.data(), shape.columns + 1, shape.columns, c.data(), shape.columns + 3,
           epilogue);
  return c;
}

void expect_matches_reference(const GemmCase& shape, Activation activation, bool with_bias,
                              bool accumulate) {
  const std::vector<float> a = random_values(shape.rows * shape.depth, 11);
  // B row stride columns + 1.
  const std::vector<float> b = random_values(shape.depth * (shape.columns + 1), 12);
  const std::vector<float> bias = random_values(shape.rows, 13);
  const std::vector<float> initial = random_values(shape.rows * (shape.columns + 3), 14);
  GemmEpilogue epilogue;
  epilogue.bias = with_bias ? bias.data() : nullptr;
  epilogue.activation = activation;
  epilogue.accumulate = accumulate;

  for (simd::Isa isa : isas_to_test()) {
    SCOPED_TRACE(std::string("isa ") + simd::isa_name(isa) + " rows " + std::to_string(shape.rows) +
                 " depth " + std::to_string(shape.depth) + " columns " +
                 std::to_string(shape.columns));
    parallel::ThreadPool two_threads(2);
    const std::vector<float> single = run_gemm(isa, nullptr, shape, a, b, epilogue, initial);
    const std::vector<float> threaded = run_gemm(isa, &two_threads, shape, a, b, epilogue, initial);
    // Each column is computed by the same sequence of operations however the columns are split.
    EXPECT_EQ(single, threaded);

    int failures = 0;
    for (int64_t r = 0; r < shape.rows; ++r) {
      for (int64_t n = 0; n < shape.columns; ++n) {
        double sum = with_bias ? bias[r] : 0.0;
        double magnitude = std::abs(sum);
        if (accumulate) {
          sum += initial[r * (shape.columns + 3) + n];
          magnitude += std::abs(initial[r * (shape.columns + 3) + n]);
        }
        for (int64_t k = 0; k < shape.depth; ++k) {
          const double product = double(a[r * shape.depth + k]) * b[k * (shape.columns + 1) + n];
          sum += product;
          magnitude += std::abs(product);
        }
        const double expected = testing::reference_activation(activation, sum);
        const double got = single[r * (shape.columns + 3) + n];
        if (std::abs(got - expected) > testing::sum_tolerance(magnitude, expected) &&
            ++failures <= 5) {
          ADD_FAILURE() << "C[" << r << ", " << n << "] = " << got << ", expected " << expected;
        }
      }
      // Padding columns between rows of C are left untouched.
      for (int64_t n = shape.columns; n < shape.columns + 3; ++n) {
        EXPECT_EQ(single[r * (shape.columns + 3) + n], initial[r * (shape.columns + 3) + n]);
      }
    }
    EXPECT_EQ(failures, 0);
  }
}

TEST(FastGemm, MatchesReferenceOnSizesAroundTheTiles) {
  for (int64_t rows : {1, 3, 4, 6, 7, 17}) {
    for (int64_t depth : {1, 3, 7, 17}) {
      for (int64_t columns : {1, 3, 7, 8, 16, 17, 25}) {
        expect_matches_reference({rows, depth, columns}, Activation::kNone, false, false);
      }
    }
  }
}

TEST(FastGemm, MatchesReferenceAcrossDepthAndWidthBlocks) {
  expect_matches_reference({23, 300, 27}, Activation::kNone, false, false);
  expect_matches_reference({25, 27, 531}, Activation::kNone, true, false);
  expect_matches_reference({13, 513, 300}, Activation::kSilu, true, false);
}

TEST(FastGemm, FusesBiasAndActivations) {
  for (Activation activation : {Activation::kNone, Activation::kSigmoid, Activation::kSilu}) {
    expect_matches_reference({7, 17, 23}, activation, true, false);
    expect_matches_reference({16, 64, 169}, activation, true, false);
  }
}

TEST(FastGemm, AccumulatesIntoExistingOutput) {
  expect_matches_reference({7, 17, 23}, Activation::kNone, false, true);
  expect_matches_reference({9, 260, 19}, Activation::kSilu, true, true);
}

TEST(FastGemm, EmptyDepthGivesBiasThroughActivation) {
  const std::vector<float> bias = {-1.0f, 0.0f, 2.0f};
  for (simd::Isa isa : isas_to_test()) {
    const PackedMatrix packed = pack_gemm_lhs(isa, nullptr, 3, 0, 0);
    std::vector<float> c(3 * 5, 7.0f);
    GemmEpilogue epilogue;
    epilogue.bias = bias.data();
    gemm_f32(KernelContext{nullptr, isa}, packed, nullptr, 5, 5, c.data(), 5, epilogue);
    for (int r = 0; r < 3; ++r) {
      for (int n = 0; n < 5; ++n) {
        EXPECT_EQ(c[r * 5 + n], bias[r]) << simd::isa_name(isa);
      }
    }
  }
}

TEST(FastGemm, TileShapeFollowsTheInstructionSet) {
  EXPECT_EQ(gemm_tile(simd::Isa::kScalar).rows, 5);
  EXPECT_EQ(gemm_tile(simd::Isa::kScalar).columns, 8);
  const std::vector<float> a = random_values(14, 1);
  const PackedMatrix packed = pack_gemm_lhs(simd::Isa::kScalar, a.data(), 7, 2, 2);
  // Two panels of [depth 2, 5 rows]: panel 1 holds rows 5 and 6, and its three rows past the
  // seventh are zero.
  ASSERT_EQ(packed.panels.size(), 20u);
  EXPECT_EQ(packed.panels[10 + 1 * 5 + 1], a[6 * 2 + 1]);
  EXPECT_EQ(packed.panels[10 + 0 * 5 + 2], 0.0f);
  EXPECT_EQ(packed.panels[10 + 1 * 5 + 4], 0.0f);
}

}  // namespace
}  // namespace sightline::engine::kernels::fast
