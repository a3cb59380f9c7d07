// Known answers for the drift statistics: KS statistic and p-value against a brute-force ECDF
// gap, an independently summed Kolmogorov series and an exact permutation enumeration;
// chi-square p-values against closed forms; chi-square and PSI against hand computation; photo
// permutation p-values against that exact enumeration and against copies of each photo's
// detection.
#include "monitor/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace sightline::monitor {
namespace {

// sup |F_a - F_b| by evaluating both ECDFs at every observed value.
double brute_force_ks(const std::vector<double>& a, const std::vector<double>& b) {
  double largest = 0;
  for (const std::vector<double>* sample : {&a, &b}) {
    for (double t : *sample) {
      double fa = 0;
      double fb = 0;
      for (double x : a)
        fa += x <= t ? 1 : 0;
      for (double x : b)
        fb += x <= t ? 1 : 0;
      largest = std::max(largest, std::fabs(fa / a.size() - fb / b.size()));
    }
  }
  return largest;
}

// Q_KS by the alternating series alone, in long double with many terms.
double series_survival(double lambda) {
  long double sum = 0;
  for (int j = 1; j <= 2000; ++j) {
    const long double term = std::exp(-2.0L * j * j * lambda * lambda);
    sum += (j % 2 == 1) ? term : -term;
  }
  return static_cast<double>(2 * sum);
}

// Q_KS by the theta-function form alone: 1 - sqrt(2 pi)/lambda sum exp(-(2j-1)^2 pi^2/(8 l^2)).
double theta_survival(double lambda) {
  const long double pi = std::numbers::pi_v<long double>;
  long double sum = 0;
  for (int j = 1; j <= 2000; ++j) {
    const long double k = 2.0L * j - 1.0L;
    sum += std::exp(-k * k * pi * pi / (8.0L * lambda * lambda));
  }
  return static_cast<double>(1 - std::sqrt(2 * pi) / lambda * sum);
}

const std::vector<double> kSampleA = {1.2, 3.4, 0.5, 2.2, 5.1, 0.9, 4.4, 2.9};
const std::vector<double> kSampleB = {6.0, 3.9, 7.2, 5.5, 4.8, 8.1, 6.6};

TEST(KolmogorovSmirnov, StatisticOfSmallSamplesIsLargestEcdfGap) {
  // By hand: at 3.4 the first sample's ECDF is 6/8 and the second's is 0.
  const KsResult result = ks_two_sample(kSampleA, kSampleB);
  EXPECT_DOUBLE_EQ(result.statistic, 0.75);
  EXPECT_DOUBLE_EQ(result.statistic, brute_force_ks(kSampleA, kSampleB));
}

TEST(KolmogorovSmirnov, PValueIsKolmogorovSurvivalWithStephensCorrection) {
  const KsResult result = ks_two_sample(kSampleA, kSampleB);
  const double effective = std::sqrt(8.0 * 7.0 / 15.0);
  const double lambda = (effective + 0.12 + 0.11 / effective) * 0.75;
  EXPECT_NEAR(lambda, 1.581835, 1e-6);
  EXPECT_NEAR(result.p_value, series_survival(lambda), 1e-9);
  EXPECT_NEAR(result.p_value, 0.0134166, 1e-6);
}

TEST(KolmogorovSmirnov, AsymptoticPValueIsCloseToExactPermutationPValue) {
  // Every split of the 15 pooled values into groups of 8 and 7: the exact permutation p-value
  // is the share of splits whose D is at least the observed 0.75 (84 of 6435).
  std::vector<double> pooled = kSampleA;
  pooled.insert(pooled.end(), kSampleB.begin(), kSampleB.end());
  int at_least = 0;
  int splits = 0;
  for (unsigned mask = 0; mask < (1u << 15); ++mask) {
    if (__builtin_popcount(mask) != 8) continue;
    std::vector<double> a;
    std::vector<double> b;
    for (int i = 0; i < 15; ++i)
      ((mask >> i) & 1u ? a : b).push_back(pooled[i]);
    ++splits;
    at_least += brute_force_ks(a, b) >= 0.75 - 1e-12 ? 1 : 0;
  }
  EXPECT_EQ(splits, 6435);
  EXPECT_EQ(at_least, 84);
  const double exact = static_cast<double>(at_least) / splits;
  EXPECT_NEAR(ks_two_sample(kSampleA, kSampleB).p_value, exact, 0.001);
}

// kSampleA then kSampleB, each value `copies` times, every copy from the same photo.
PhotoGroupedValues grouped_samples(int copies) {
  PhotoGroupedValues sample;
  int photo = 0;
  for (const std::vector<double>* side : {&kSampleA, &kSampleB}) {
    for (double value : *side) {
      for (int c = 0; c < copies; ++c) {
        sample.values.push_back(value);
        sample.photo.push_back(photo);
      }
      ++photo;
    }
  }
  return sample;
}

TEST(PhotoPermutation, OneDetectionPerPhotoApproachesTheExactPermutationPValue) {
  const double observed = ks_two_sample(kSampleA, kSampleB).statistic;
  const double p = ks_photo_permutation_p(grouped_samples(1), 8, 7, observed, 9999, 5u);
  // 84 / 6435 exactly (above); 9999 random splits have a standard error of about 0.0011.
  EXPECT_NEAR(p, 84.0 / 6435.0, 0.004);
  EXPECT_GE(p, 1.0 / 10000.0);
}

TEST(PhotoPermutation, CopiesOfEachPhotosDetectionLeaveThePValueAlone) {
  const double observed = ks_two_sample(kSampleA, kSampleB).statistic;
  const double single = ks_photo_permutation_p(grouped_samples(1), 8, 7, observed, 999, 9u);
  const double tripled = ks_photo_permutation_p(grouped_samples(3), 8, 7, observed, 999, 9u);
  EXPECT_EQ(single, tripled);

  // Pooled as independent samples, the copies look three times as convincing.
  std::vector<double> a;
  std::vector<double> b;
  for (int c = 0; c < 3; ++c) {
    a.insert(a.end(), kSampleA.begin(), kSampleA.end());
    b.insert(b.end(), kSampleB.begin(), kSampleB.end());
  }
  EXPECT_LT(ks_two_sample(a, b).p_value, single / 10);
}

TEST(PhotoPermutation, CategoryCopiesLeaveChiSquareAndPsiPValuesAlone) {
  // Six baseline photos of category 0 or 1, six window photos mostly of category 2.
  const std::vector<int> photo_category = {0, 1, 0, 1, 0, 1, 2, 2, 2, 1, 2, 2};
  auto sample_of = [&](int copies) {
    PhotoGroupedCategories sample;
    sample.categories = 3;
    for (int photo = 0; photo < 12; ++photo) {
      for (int c = 0; c < copies; ++c) {
        sample.category.push_back(photo_category[photo]);
        sample.photo.push_back(photo);
      }
    }
    return sample;
  };
  const std::vector<int64_t> baseline = {3, 3, 0};
  const std::vector<int64_t> window = {0, 1, 5};
  const double chi = chi_square_homogeneity(baseline, window).statistic;
  const double psi = population_stability_index(baseline, window);
  const CategoryPermutationP single =
      category_photo_permutation_p(sample_of(1), 6, 6, chi, psi, 999, 4u);
  // Chi-square of counts scales with the copies; PSI of proportions does not.
  const CategoryPermutationP tripled =
      category_photo_permutation_p(sample_of(3), 6, 6, 3 * chi, psi, 999, 4u);
  EXPECT_NEAR(single.chi_square, tripled.chi_square, 1e-12);
  EXPECT_NEAR(single.psi, tripled.psi, 1e-12);
  EXPECT_LT(single.chi_square, 0.05);
  EXPECT_GT(single.chi_square, 1.0 / 1000);
}

TEST(PhotoPermutation, BoundedDrawStaysInRangeAndCoversIt) {
  std::mt19937 generator(11u);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint32_t draw = bounded_draw(generator, 7);
    ASSERT_LT(draw, 7u);
    ++seen[draw];
  }
  for (int count : seen) {
    EXPECT_GT(count, 850);
    EXPECT_LT(count, 1150);
  }
  EXPECT_EQ(bounded_draw(generator, 1), 0u);
}

TEST(PhotoPermutation, SplitsKeepTheBaselineSize) {
  PhotoSplitter splitter(5, 9, 1u);
  for (int i = 0; i < 50; ++i) {
    const std::vector<uint8_t>& in_baseline = splitter.next();
    ASSERT_EQ(in_baseline.size(), 14u);
    int baseline = 0;
    for (uint8_t flag : in_baseline)
      baseline += flag;
    EXPECT_EQ(baseline, 5);
  }
}

TEST(KolmogorovSmirnov, TiesAcrossSamplesAreStepsNotGaps) {
  // ECDFs: at 1 they are 2/3 and 1/3, at 2 both reach 1.
  const KsResult result = ks_two_sample({1, 1, 2}, {1, 2, 2});
  EXPECT_NEAR(result.statistic, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(result.statistic, brute_force_ks({1, 1, 2}, {1, 2, 2}), 1e-12);
}

TEST(KolmogorovSmirnov, IdenticalSamplesGiveZeroAndPOne) {
  const KsResult result = ks_two_sample({3, 1, 2, 5}, {5, 2, 3, 1});
  EXPECT_EQ(result.statistic, 0.0);
  EXPECT_EQ(result.p_value, 1.0);
}

TEST(KolmogorovSmirnov, EmptySampleGivesNoEvidence) {
  const KsResult result = ks_two_sample({}, {1, 2});
  EXPECT_EQ(result.statistic, 0.0);
  EXPECT_EQ(result.p_value, 1.0);
}

TEST(KolmogorovSmirnov, SurvivalAgreesWithBothIndependentFormsOnEitherSideOfTheSwitch) {
  for (double lambda : {0.3, 0.6, 0.9, 1.1, 1.17, 1.19, 1.3, 1.8, 2.5}) {
    EXPECT_NEAR(kolmogorov_survival(lambda), series_survival(lambda), 1e-9) << lambda;
    EXPECT_NEAR(kolmogorov_survival(lambda), theta_survival(lambda), 1e-9) << lambda;
  }
  EXPECT_EQ(kolmogorov_survival(0), 1.0);
  EXPECT_EQ(kolmogorov_survival(-1), 1.0);
}

TEST(ChiSquare, SurvivalMatchesClosedFormsForOneTwoAndFourDegrees) {
  for (double x : {0.01, 0.5, 1.0, 2.0, 3.84, 7.5, 20.0, 60.0}) {
    EXPECT_NEAR(chi_square_survival(x, 1), std::erfc(std::sqrt(x / 2)), 1e-12) << x;
    EXPECT_NEAR(chi_square_survival(x, 2), std::exp(-x / 2), 1e-12) << x;
    EXPECT_NEAR(chi_square_survival(x, 4), std::exp(-x / 2) * (1 + x / 2), 1e-12) << x;
  }
  EXPECT_NEAR(chi_square_survival(3.841459, 1), 0.05, 1e-6);
}

TEST(ChiSquare, HomogeneityOfThreeCategoriesByHand) {
  // Both totals 100, columns 80/60/60, so 40/30/30 expected per side:
  // 2 * 10^2 / 40 + 0 + 2 * 10^2 / 30 = 11.6667 with 2 degrees, p = exp(-11.6667 / 2).
  const ChiSquareResult result = chi_square_homogeneity({50, 30, 20}, {30, 30, 40});
  EXPECT_NEAR(result.statistic, 35.0 / 3.0, 1e-12);
  EXPECT_EQ(result.degrees, 2);
  EXPECT_NEAR(result.p_value, 0.0029282997, 1e-9);
}

TEST(ChiSquare, CategoriesEmptyOnBothSidesAreLeftOut) {
  const ChiSquareResult with_empty = chi_square_homogeneity({30, 0, 10}, {10, 0, 30});
  EXPECT_EQ(with_empty.degrees, 1);
  EXPECT_NEAR(with_empty.statistic, 20.0, 1e-12);
  EXPECT_NEAR(with_empty.p_value, std::erfc(std::sqrt(10.0)), 1e-15);
}

TEST(ChiSquare, OneSideWithoutCountsGivesNoTest) {
  const ChiSquareResult result = chi_square_homogeneity({0, 0}, {3, 4});
  EXPECT_EQ(result.degrees, 0);
  EXPECT_EQ(result.p_value, 1.0);
}

TEST(PopulationStabilityIndex, TwoBinsByHand) {
  // (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5)
  EXPECT_NEAR(population_stability_index({50, 50}, {25, 75}),
              0.25 * std::log(2.0) + 0.25 * std::log(1.5), 1e-12);
  EXPECT_EQ(population_stability_index({10, 20}, {20, 40}), 0.0);
}

TEST(PopulationStabilityIndex, EmptyCategoryUsesTheProportionFloor) {
  // (0.5 - 1) ln(0.5 / 1) + (0.5 - 1e-4) ln(0.5 / 1e-4)
  EXPECT_NEAR(population_stability_index({100, 0}, {50, 50}), 4.6043184667, 1e-9);
}

TEST(PairedHistogram, SharesSumToOneAndUpperEdgeFallsInLastBin) {
  const Histogram histogram = paired_histogram({0, 1, 2, 3}, {3, 3, 4}, 4);
  EXPECT_EQ(histogram.lower, 0);
  EXPECT_EQ(histogram.upper, 4);
  EXPECT_EQ(histogram.baseline, (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
  EXPECT_NEAR(histogram.window[3], 1.0, 1e-12);
}

TEST(PairedHistogram, ConstantValuesLandInFirstBin) {
  const Histogram histogram = paired_histogram({5, 5}, {5}, 3);
  EXPECT_EQ(histogram.baseline, (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(histogram.window, (std::vector<double>{1, 0, 0}));
}

TEST(Summaries, MedianOfEvenAndOddCounts) {
  EXPECT_EQ(median_of({3, 1, 2}), 2);
  EXPECT_EQ(median_of({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median_of({}), 0);
  EXPECT_EQ(mean_of({1, 2, 6}), 3);
}

}  // namespace
}  // namespace sightline::monitor
