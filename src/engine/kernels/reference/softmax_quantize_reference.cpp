// Scalar softmax and dynamic uint8 quantisation.
#include <algorithm>
#include <cmath>

#include "engine/kernels/reference/reference_kernels.h"

namespace sightline::engine::kernels {

// Layout [outer, axis, inner]: softmax runs over `axis` for every (outer, inner) pair.
void softmax_f32_reference(const float* input, float* output, int64_t outer, int64_t axis,
                           int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    const float* in = input + o * axis * inner;
    float* out = output + o * axis * inner;
    for (int64_t i = 0; i < inner; ++i) {
      // Subtracting the maximum keeps exp() from overflowing.
      float maximum = -INFINITY;
      for (int64_t a = 0; a < axis; ++a)
        maximum = std::max(maximum, in[a * inner + i]);
      float sum = 0.0f;
      for (int64_t a = 0; a < axis; ++a) {
        const float value = std::exp(in[a * inner + i] - maximum);
        out[a * inner + i] = value;
        sum += value;
      }
      for (int64_t a = 0; a < axis; ++a)
        out[a * inner + i] /= sum;
    }
  }
}

float round_half_to_even(float value) {
  const float lower = std::floor(value);
  const float fraction = value - lower;
  if (fraction > 0.5f) return lower + 1.0f;
  if (fraction < 0.5f) return lower;
  return std::fmod(lower, 2.0f) == 0.0f ? lower : lower + 1.0f;
}

// As the ONNX specification defines it, with qmin = 0 and qmax = 255:
//   scale      = (max(x_max, 0) - min(x_min, 0)) / 255
//   zero_point = saturate(round(0 - min(x_min, 0) / scale))
//   y          = saturate(round(x / scale) + zero_point)
// NaN inputs are left out of the range. When the range is empty (all zeros) the scale is 0; the
// output is then all zero with zero point 0 instead of the NaNs the formula would give.
void dynamic_quantize_linear_reference(const float* input, int64_t count, uint8_t* output,
                                       float* scale, uint8_t* zero_point) {
  float minimum = 0.0f;
  float maximum = 0.0f;
  for (int64_t i = 0; i < count; ++i) {
    if (input[i] < minimum) minimum = input[i];
    if (input[i] > maximum) maximum = input[i];
  }

  const float step = (maximum - minimum) / 255.0f;
  *scale = step;
  if (!(step > 0.0f) || !std::isfinite(step)) {
    *zero_point = 0;
    std::fill(output, output + count, uint8_t{0});
    return;
  }

  const float initial_zero_point = std::clamp(0.0f - minimum / step, 0.0f, 255.0f);
  const float zero = round_half_to_even(initial_zero_point);
  *zero_point = static_cast<uint8_t>(zero);
  for (int64_t i = 0; i < count; ++i) {
    const float quantised = round_half_to_even(input[i] / step) + zero;
    // NaN fails both comparisons of clamp's ordering, so map it to the zero point explicitly.
    const float bounded = std::isnan(quantised) ? zero : std::clamp(quantised, 0.0f, 255.0f);
    output[i] = static_cast<uint8_t>(bounded);
  }
}

}  // namespace sightline::engine::kernels
