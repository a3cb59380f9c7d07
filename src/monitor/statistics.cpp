// Kolmogorov-Smirnov, chi-square and PSI for the drift tests (formulas in statistics.h).
#include "monitor/statistics.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sightline::monitor {
namespace {

// Series P(a, x) for x < a + 1; converges quickly there.
double lower_gamma_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < 1000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Continued fraction for Q(a, x), x >= a + 1, by the modified Lentz method.
double upper_gamma_fraction(double a, double x) {
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < 1000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-16) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

std::vector<double> proportions(const std::vector<int64_t>& counts) {
  double total = 0;
  for (int64_t count : counts)
    total += static_cast<double>(count);
  std::vector<double> shares(counts.size(), 0.0);
  if (total <= 0) return shares;
  for (size_t i = 0; i < counts.size(); ++i)
    shares[i] = counts[i] / total;
  return shares;
}

// A permuted statistic equal to the observed one up to rounding (the same split summed in
// another order) must count as reaching it.
bool reaches(double statistic, double observed) {
  return statistic >= observed - 1e-12 * std::max(1.0, std::fabs(observed));
}

}  // namespace

KsResult ks_two_sample(std::vector<double> a, std::vector<double> b) {
  KsResult result;
  if (a.empty() || b.empty()) return result;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());

  // Walk both sorted samples together; a run of equal values is consumed on both sides before
  // the empirical distribution functions are compared, so ties never inflate D.
  const double n = static_cast<double>(a.size());
  const double m = static_cast<double>(b.size());
  size_t i = 0;
  size_t j = 0;
  double largest_gap = 0;
  while (i < a.size() && j < b.size()) {
    const double value = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == value)
      ++i;
    while (j < b.size() && b[j] == value)
      ++j;
    largest_gap = std::max(largest_gap, std::fabs(i / n - j / m));
  }
  result.statistic = largest_gap;

  const double effective = std::sqrt(n * m / (n + m));
  result.p_value = kolmogorov_survival((effective + 0.12 + 0.11 / effective) * largest_gap);
  return result;
}

double kolmogorov_survival(double lambda) {
  if (!(lambda > 0)) return 1.0;

  // Small lambda: the alternating series converges slowly there, so use the Jacobi-theta form
  // of the CDF, 1 - Q = sqrt(2 pi) / lambda sum_{j>=1} exp(-(2j - 1)^2 pi^2 / (8 lambda^2)).
  if (lambda < 1.18) {
    const double pi = std::numbers::pi;
    double cdf_sum = 0;
    for (int j = 1; j <= 50; ++j) {
      const double k = 2.0 * j - 1.0;
      const double term = std::exp(-k * k * pi * pi / (8.0 * lambda * lambda));
      cdf_sum += term;
      if (term < 1e-18) break;
    }
    const double cdf = std::sqrt(2.0 * pi) / lambda * cdf_sum;
    return std::clamp(1.0 - cdf, 0.0, 1.0);
  }

  double sum = 0;
  double sign = 1.0;
  for (int j = 1; j <= 100; ++j) {
    const double term = std::exp(-2.0 * j * j * lambda * lambda);
    sum += sign * term;
    if (term < 1e-18) break;
    sign = -sign;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

double regularized_gamma_q(double a, double x) {
  if (!(a > 0)) return 1.0;
  if (!(x > 0)) return 1.0;
  if (x < a + 1.0) return std::clamp(1.0 - lower_gamma_series(a, x), 0.0, 1.0);
  return std::clamp(upper_gamma_fraction(a, x), 0.0, 1.0);
}

double chi_square_survival(double statistic, double degrees) {
  if (!(degrees > 0)) return 1.0;
  return regularized_gamma_q(degrees / 2.0, statistic / 2.0);
}

ChiSquareResult chi_square_homogeneity(const std::vector<int64_t>& baseline,
                                       const std::vector<int64_t>& window) {
  ChiSquareResult result;
  const size_t categories = std::min(baseline.size(), window.size());
  double baseline_total = 0;
  double window_total = 0;
  for (size_t k = 0; k < categories; ++k) {
    baseline_total += static_cast<double>(baseline[k]);
    window_total += static_cast<double>(window[k]);
  }
  const double total = baseline_total + window_total;
  if (baseline_total <= 0 || window_total <= 0) return result;

  int used = 0;
  double statistic = 0;
  for (size_t k = 0; k < categories; ++k) {
    const double column = static_cast<double>(baseline[k] + window[k]);
    if (column <= 0) continue;
    ++used;
    const double expected_baseline = baseline_total * column / total;
    const double expected_window = window_total * column / total;
    const double gap_baseline = baseline[k] - expected_baseline;
    const double gap_window = window[k] - expected_window;
    statistic += gap_baseline * gap_baseline / expected_baseline;
    statistic += gap_window * gap_window / expected_window;
  }
  result.statistic = statistic;
  result.degrees = std::max(0, used - 1);
  result.p_value = chi_square_survival(statistic, result.degrees);
  return result;
}

double population_stability_index(const std::vector<int64_t>& baseline,
                                  const std::vector<int64_t>& window) {
  const std::vector<double> b = proportions(baseline);
  const std::vector<double> w = proportions(window);
  double index = 0;
  for (size_t k = 0; k < std::min(b.size(), w.size()); ++k) {
    if (b[k] == 0 && w[k] == 0) continue;
    const double bk = std::max(b[k], kPsiProportionFloor);
    const double wk = std::max(w[k], kPsiProportionFloor);
    index += (wk - bk) * std::log(wk / bk);
  }
  return index;
}

uint32_t bounded_draw(std::mt19937& generator, uint32_t bound) {
  if (bound <= 1) return 0;

  // 2^32 mod bound values at the bottom would make the low results likelier; skip them.
  const uint32_t skipped = static_cast<uint32_t>(-bound) % bound;
  uint32_t draw = static_cast<uint32_t>(generator());
  while (draw < skipped)
    draw = static_cast<uint32_t>(generator());
  return draw % bound;
}

PhotoSplitter::PhotoSplitter(int baseline_photos, int window_photos, uint32_t seed)
    : generator_(seed),
      baseline_photos_(std::max(baseline_photos, 0)),
      order_(static_cast<size_t>(baseline_photos_ + std::max(window_photos, 0))),
      in_baseline_(order_.size(), 0) {
  for (size_t i = 0; i < order_.size(); ++i)
    order_[i] = static_cast<int>(i);
}

const std::vector<uint8_t>& PhotoSplitter::next() {
  // A partial Fisher-Yates shuffle: the first baseline_photos places get a uniform random
  // subset, which is all a split needs.
  const uint32_t total = static_cast<uint32_t>(order_.size());
  for (uint32_t i = 0; i < static_cast<uint32_t>(baseline_photos_) && i < total; ++i)
    std::swap(order_[i], order_[i + bounded_draw(generator_, total - i)]);
  std::fill(in_baseline_.begin(), in_baseline_.end(), 0);
  for (int i = 0; i < baseline_photos_ && i < static_cast<int>(total); ++i)
    in_baseline_[order_[i]] = 1;
  return in_baseline_;
}

double permutation_p_value(int exceeding, int permutations) {
  return (1.0 + exceeding) / (1.0 + std::max(permutations, 0));
}

double ks_photo_permutation_p(const PhotoGroupedValues& sample, int baseline_photos,
                              int window_photos, double observed, int permutations, uint32_t seed) {
  const size_t n = std::min(sample.values.size(), sample.photo.size());
  const int photos = baseline_photos + window_photos;
  if (n == 0 || baseline_photos <= 0 || window_photos <= 0) return 1.0;

  // Sort once; each split then only walks the sorted detections, so a split costs O(n).
  std::vector<size_t> order(n);
  for (size_t k = 0; k < n; ++k)
    order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return sample.values[x] < sample.values[y]; });
  std::vector<int> sorted_photo(n);
  std::vector<uint8_t> ends_tie_run(n);
  std::vector<int64_t> detections_of(static_cast<size_t>(std::max(photos, 0)), 0);
  for (size_t k = 0; k < n; ++k) {
    sorted_photo[k] = std::clamp(sample.photo[order[k]], 0, std::max(photos - 1, 0));
    ends_tie_run[k] = k + 1 == n || sample.values[order[k + 1]] != sample.values[order[k]];
    ++detections_of[sorted_photo[k]];
  }

  PhotoSplitter splitter(baseline_photos, window_photos, seed);
  int exceeding = 0;
  for (int p = 0; p < permutations; ++p) {
    const std::vector<uint8_t>& in_baseline = splitter.next();
    int64_t nb = 0;
    for (int photo = 0; photo < photos; ++photo)
      nb += in_baseline[photo] ? detections_of[photo] : 0;
    const int64_t nw = static_cast<int64_t>(n) - nb;

    // |in_b / nb - in_w / nw| scaled by nb * nw stays in integers, so the walk needs no
    // division; D is the largest gap divided once.
    int64_t largest_gap = 0;
    if (nb > 0 && nw > 0) {
      int64_t in_b = 0;
      for (size_t k = 0; k < n; ++k) {
        in_b += in_baseline[sorted_photo[k]];
        if (!ends_tie_run[k]) continue;
        const int64_t in_w = static_cast<int64_t>(k + 1) - in_b;
        const int64_t gap = in_b * nw - in_w * nb;
        largest_gap = std::max(largest_gap, gap < 0 ? -gap : gap);
      }
    }
    const double d =
        nb > 0 && nw > 0 ? static_cast<double>(largest_gap) / (static_cast<double>(nb) * nw) : 0;
    exceeding += reaches(d, observed) ? 1 : 0;
  }
  return permutation_p_value(exceeding, permutations);
}

CategoryPermutationP category_photo_permutation_p(const PhotoGroupedCategories& sample,
                                                  int baseline_photos, int window_photos,
                                                  double observed_chi_square, double observed_psi,
                                                  int permutations, uint32_t seed) {
  const size_t n = std::min(sample.category.size(), sample.photo.size());
  const int photos = baseline_photos + window_photos;
  if (n == 0 || baseline_photos <= 0 || window_photos <= 0) return {};
  const size_t categories = static_cast<size_t>(std::max(sample.categories, 0));

  // Detections outside the photo or category ranges are left out of every split alike.
  std::vector<int> category;
  std::vector<int> photo_of;
  std::vector<int64_t> totals(categories, 0);
  for (size_t k = 0; k < n; ++k) {
    const int photo = sample.photo[k];
    const int c = sample.category[k];
    if (photo < 0 || photo >= photos || c < 0 || c >= sample.categories) continue;
    category.push_back(c);
    photo_of.push_back(photo);
    ++totals[c];
  }

  PhotoSplitter splitter(baseline_photos, window_photos, seed);
  std::vector<int64_t> baseline(categories);
  std::vector<int64_t> window(categories);
  int chi_exceeding = 0;
  int psi_exceeding = 0;
  for (int p = 0; p < permutations; ++p) {
    const std::vector<uint8_t>& in_baseline = splitter.next();
    std::fill(baseline.begin(), baseline.end(), 0);
    for (size_t k = 0; k < category.size(); ++k)
      baseline[category[k]] += in_baseline[photo_of[k]];
    for (size_t c = 0; c < categories; ++c)
      window[c] = totals[c] - baseline[c];
    const double chi = chi_square_homogeneity(baseline, window).statistic;
    chi_exceeding += reaches(chi, observed_chi_square) ? 1 : 0;
    const double psi = population_stability_index(baseline, window);
    psi_exceeding += reaches(psi, observed_psi) ? 1 : 0;
  }
  return {permutation_p_value(chi_exceeding, permutations),
          permutation_p_value(psi_exceeding, permutations)};
}

Histogram paired_histogram(const std::vector<double>& baseline, const std::vector<double>& window,
                           int bins) {
  Histogram histogram;
  bins = std::max(bins, 1);
  histogram.baseline.assign(bins, 0.0);
  histogram.window.assign(bins, 0.0);
  bool any = false;
  for (const std::vector<double>* sample : {&baseline, &window}) {
    for (double value : *sample) {
      if (!any) histogram.lower = histogram.upper = value;
      histogram.lower = std::min(histogram.lower, value);
      histogram.upper = std::max(histogram.upper, value);
      any = true;
    }
  }
  if (!any) return histogram;

  const double width = histogram.upper - histogram.lower;
  auto fill = [&](const std::vector<double>& sample, std::vector<double>& out) {
    if (sample.empty()) return;
    for (double value : sample) {
      int bin = width > 0 ? static_cast<int>((value - histogram.lower) / width * bins) : 0;
      out[std::clamp(bin, 0, bins - 1)] += 1.0;
    }
    for (double& share : out)
      share /= static_cast<double>(sample.size());
  };
  fill(baseline, histogram.baseline);
  fill(window, histogram.window);
  return histogram;
}

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (double value : values)
    sum += value;
  return sum / static_cast<double>(values.size());
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  if (values.size() % 2 == 1) return values[middle];
  const double upper = values[middle];
  const double lower = *std::max_element(values.begin(), values.begin() + middle);
  return (lower + upper) / 2.0;
}

}  // namespace sightline::monitor
