// Shared pieces of the fast-kernel tests: the instruction sets to test, seeded random data, and
// plain double-precision reference implementations written independently of the kernels.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/fast/kernel_context.h"
#include "engine/kernels/kernel_params.h"
#include "engine/simd/isa.h"

namespace sightline::engine::kernels::fast::testing {

// Scalar (what the force-scalar switch selects), the four-float backend, and AVX2 + FMA and
// AVX-512 when this CPU has them.
inline std::vector<simd::Isa> isas_to_test() {
  std::vector<simd::Isa> isas = {simd::Isa::kScalar, simd::Isa::kVec4};
  if (simd::isa_available(simd::Isa::kAvx2Fma)) {
    isas.push_back(simd::Isa::kAvx2Fma);
  }
  if (simd::isa_available(simd::Isa::kAvx512)) {
    isas.push_back(simd::Isa::kAvx512);
  }
  return isas;
}

inline std::vector<float> random_values(size_t count, uint32_t seed, float low = -1.0f,
                                        float high = 1.0f) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(low, high);
  std::vector<float> values(count);
  for (float& value : values) {
    value = distribution(generator);
  }
  return values;
}

inline double reference_activation(Activation activation, double x) {
  switch (activation) {
    case Activation::kSigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case Activation::kSilu:
      return x / (1.0 + std::exp(-x));
    case Activation::kNone:
      break;
  }
  return x;
}

// A float accumulation of n products is off by at most about n * 2^-24 times the sum of the
// products' magnitudes; 1e-5 of that sum leaves room for any summation order up to n ~ 160, and
// the 2e-6 relative term covers the exp approximation inside sigmoid and SiLU.
inline double sum_tolerance(double magnitude_sum, double reference) {
  return 1e-5 * (1.0 + magnitude_sum) + 2e-6 * std::abs(reference);
}

// Direct convolution in double. Layouts as in conv.h; returns the output and, per output element,
// the sum of |weight * input| + |bias| for the tolerance.
struct ReferenceConv {
  std::vector<double> output;
  std::vector<double> magnitude;
};

inline ReferenceConv reference_conv2d(const ConvShape& s, const std::vector<float>& input,
                                      const std::vector<float>& weights, const float* bias,
                                      Activation activation) {
  const int64_t group_in = s.in_channels / s.groups;
  const int64_t group_out = s.out_channels / s.groups;
  ReferenceConv result;
  const size_t total = static_cast<size_t>(s.batch * s.out_channels * s.out_height * s.out_width);
  result.output.resize(total);
  result.magnitude.resize(total);
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t m = 0; m < s.out_channels; ++m) {
      const int64_t g = m / group_out;
      for (int64_t oy = 0; oy < s.out_height; ++oy) {
        for (int64_t ox = 0; ox < s.out_width; ++ox) {
          double sum = bias != nullptr ? bias[m] : 0.0;
          double magnitude = std::abs(sum);
          for (int64_t c = 0; c < group_in; ++c) {
            for (int64_t ky = 0; ky < s.kernel_height; ++ky) {
              for (int64_t kx = 0; kx < s.kernel_width; ++kx) {
                const int64_t iy = oy * s.stride_height - s.pad_top + ky * s.dilation_height;
                const int64_t ix = ox * s.stride_width - s.pad_left + kx * s.dilation_width;
                if (iy < 0 || iy >= s.in_height || ix < 0 || ix >= s.in_width) {
                  continue;
                }
                const double w =
                    weights[((m * group_in + c) * s.kernel_height + ky) * s.kernel_width + kx];
                const double x =
                    input[((n * s.in_channels + g * group_in + c) * s.in_height + iy) * s.in_width +
                          ix];
                sum += w * x;
                magnitude += std::abs(w * x);
              }
            }
          }
          const size_t index = static_cast<size_t>(
              ((n * s.out_channels + m) * s.out_height + oy) * s.out_width + ox);
          result.output[index] = reference_activation(activation, sum);
          result.magnitude[index] = magnitude;
        }
      }
    }
  }
  return result;
}

// Output size of a convolution or pool along one axis with symmetric padding.
inline int64_t output_extent(int64_t input, int64_t kernel, int64_t stride, int64_t pad,
                             int64_t dilation = 1) {
  return (input + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

inline ConvShape make_conv_shape(int64_t in_channels, int64_t height, int64_t width,
                                 int64_t out_channels, int64_t kernel, int64_t stride, int64_t pad,
                                 int64_t groups = 1, int64_t dilation = 1) {
  ConvShape s;
  s.in_channels = in_channels;
  s.in_height = height;
  s.in_width = width;
  s.out_channels = out_channels;
  s.kernel_height = kernel;
  s.kernel_width = kernel;
  s.stride_height = stride;
  s.stride_width = stride;
  s.pad_top = pad;
  s.pad_left = pad;
  s.dilation_height = dilation;
  s.dilation_width = dilation;
  s.groups = groups;
  s.out_height = output_extent(height, kernel, stride, pad, dilation);
  s.out_width = output_extent(width, kernel, stride, pad, dilation);
  return s;
}

inline std::string describe(const ConvShape& s) {
  return "in " + std::to_string(s.in_channels) + "x" + std::to_string(s.in_height) + "x" +
         std::to_string(s.in_width) + " out " + std::to_string(s.out_channels) + " kernel " +
         std::to_string(s.kernel_height) + "x" + std::to_string(s.kernel_width) + " stride " +
         std::to_string(s.stride_height) + " pad " + std::to_string(s.pad_top) + " groups " +
         std::to_string(s.groups) + " dilation " + std::to_string(s.dilation_height);
}

}  // namespace sightline::engine::kernels::fast::testing
