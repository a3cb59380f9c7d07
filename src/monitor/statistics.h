// The statistics behind the drift tests: the two-sample Kolmogorov-Smirnov test, the chi-square
// test of homogeneity, the population stability index and the histograms the app plots.
//
// KS p-value: the asymptotic Kolmogorov distribution, Q(lambda) = 2 sum_{j>=1} (-1)^(j-1)
// exp(-2 j^2 lambda^2), evaluated at lambda = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * D with the
// effective size ne = n m / (n + m). The 0.12 + 0.11 / sqrt(ne) term is Stephens' (1970)
// small-sample correction, as in Numerical Recipes' kstwo. With ties the p-value is
// conservative (too large), never too small.
// Chi-square p-value: the upper regularized incomplete gamma function Q(df / 2, x / 2), by its
// power series below a + 1 and by a continued fraction above.
//
// Photo permutation p-values, for detections, which are not independent samples (drift.h says
// why): the photos of both windows are pooled and split at random into a baseline and a window
// of the original sizes, each photo keeping all its detections; the statistic is recomputed for
// each of P splits and p = (1 + #splits whose statistic >= the observed one) / (1 + P). The
// splits come from a std::mt19937 with a fixed seed and a bounded draw written here (not
// std::uniform_int_distribution, whose output differs between standard libraries), so native
// and WASM builds draw the same splits and report the same p-values.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace sightline::monitor {

struct KsResult {
  double statistic = 0;  // D = sup |F_a(x) - F_b(x)|, 0..1
  double p_value = 1;
};

// Both samples must be non-empty; an empty one gives D = 0, p = 1.
KsResult ks_two_sample(std::vector<double> a, std::vector<double> b);

// Q_KS(lambda) = P(sqrt(n) D > lambda) in the limit; 1 for lambda <= 0.
double kolmogorov_survival(double lambda);

// The upper regularized incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a), a > 0.
double regularized_gamma_q(double a, double x);

// P(X > statistic) for X chi-square distributed with `degrees` degrees of freedom.
double chi_square_survival(double statistic, double degrees);

struct ChiSquareResult {
  double statistic = 0;
  int degrees = 0;  // categories used minus one; 0 when fewer than two categories have counts
  double p_value = 1;
};

// Homogeneity of two count vectors over the same categories (a 2 x K contingency table).
// Categories empty on both sides are left out.
ChiSquareResult chi_square_homogeneity(const std::vector<int64_t>& baseline,
                                       const std::vector<int64_t>& window);

// Proportions below this floor are raised to it before the PSI logarithm, so a category absent
// on one side adds a large but finite term.
inline constexpr double kPsiProportionFloor = 1e-4;

// Population stability index: sum over categories of (w - b) ln(w / b) of the proportions.
double population_stability_index(const std::vector<int64_t>& baseline,
                                  const std::vector<int64_t>& window);

inline constexpr int kPhotoPermutations = 999;
inline constexpr uint32_t kPermutationSeed = 20261204u;

// Uniform on [0, bound) (0 for a bound of 0 or 1): rejects the 2^32 mod bound lowest outputs,
// so the modulo has no bias, and uses only mt19937's standardised 32-bit output.
uint32_t bounded_draw(std::mt19937& generator, uint32_t bound);

// Random splits of baseline_photos + window_photos photos into a baseline of baseline_photos
// photos and a window of the rest: next() returns in_baseline[photo] (1 in the baseline).
// Negative counts are taken as 0.
class PhotoSplitter {
 public:
  PhotoSplitter(int baseline_photos, int window_photos, uint32_t seed);
  const std::vector<uint8_t>& next();

 private:
  std::mt19937 generator_;
  int baseline_photos_;
  std::vector<int> order_;
  std::vector<uint8_t> in_baseline_;
};

// (1 + exceeding) / (1 + permutations).
double permutation_p_value(int exceeding, int permutations);

// Detections with the photo each came from. Photos 0 .. baseline_photos - 1 are the baseline's,
// baseline_photos .. baseline_photos + window_photos - 1 the window's.
struct PhotoGroupedValues {
  std::vector<double> values;
  std::vector<int> photo;
};

// Permutation p of the two-sample KS D (ties treated as in ks_two_sample); `observed` is D of
// the real split. A split leaving one side without detections counts as D = 0.
double ks_photo_permutation_p(const PhotoGroupedValues& sample, int baseline_photos,
                              int window_photos, double observed, int permutations, uint32_t seed);

struct PhotoGroupedCategories {
  int categories = 0;
  std::vector<int> category;  // per detection, 0 .. categories - 1
  std::vector<int> photo;
};

struct CategoryPermutationP {
  double chi_square = 1;
  double psi = 1;
};

// Permutation p of the chi-square homogeneity statistic and of the PSI over the same splits.
CategoryPermutationP category_photo_permutation_p(const PhotoGroupedCategories& sample,
                                                  int baseline_photos, int window_photos,
                                                  double observed_chi_square, double observed_psi,
                                                  int permutations, uint32_t seed);

// Equal-width bins over [lower, upper]; each side as fractions of its own sample, for plots.
struct Histogram {
  double lower = 0;
  double upper = 0;
  std::vector<double> baseline;
  std::vector<double> window;
};

// Spans the union of both samples' ranges; values equal to the upper edge fall in the last bin.
Histogram paired_histogram(const std::vector<double>& baseline, const std::vector<double>& window,
                           int bins);

double mean_of(const std::vector<double>& values);
double median_of(std::vector<double> values);

}  // namespace sightline::monitor
