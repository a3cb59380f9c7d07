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
#pragma once

#include <cstdint>
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
