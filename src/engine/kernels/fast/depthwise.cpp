// Depthwise 3x3: vector code over four output columns where all nine taps are inside the row,
// the same arithmetic one column at a time near the left and right edges. Rows above or below
// the input read a row of zeros.
#include "engine/kernels/fast/depthwise.h"

#include <algorithm>
#include <vector>

#include "engine/kernels/fast/vector_math.h"
#include "engine/simd/dispatch.h"

namespace sightline::engine::kernels::fast {
namespace {

const float* zero_row(int64_t width) {
  thread_local std::vector<float> zeros;
  if (static_cast<int64_t>(zeros.size()) < width) {
    zeros.assign(static_cast<size_t>(width), 0.0f);
  }
  return zeros.data();
}

// One output element; rows[ky] is the input row for tap row ky (a zero row outside the input).
float depthwise_pixel(const float* const rows[3], const float* w, int64_t ix0, int64_t width,
                      float bias) {
  float sum = bias;
  for (int ky = 0; ky < 3; ++ky) {
    for (int kx = 0; kx < 3; ++kx) {
      const int64_t ix = ix0 + kx;
      if (ix >= 0 && ix < width) {
        sum += w[ky * 3 + kx] * rows[ky][ix];
      }
    }
  }
  return sum;
}

template <class V, int kStride>
void depthwise_plane(simd::Isa isa, const ConvShape& s, const float* plane, const float* w,
                     float bias, Activation activation, float* out_plane) {
  using T = typename V::T;
  const int64_t width = s.in_width;
  const float* zeros = zero_row(width);
  T weight[9];
  for (int i = 0; i < 9; ++i) {
    weight[i] = V::broadcast(w[i]);
  }
  const T bias_vector = V::broadcast(bias);

  // Vector columns: a vector of outputs starting at ox loads input columns
  // ox * stride - pad_left + [0, load_span), which must all lie inside the row.
  const int64_t first_vector = (s.pad_left + kStride - 1) / kStride;
  const int64_t load_span = kStride == 1 ? 6 : 10;
  const int64_t last_start_numerator = width - load_span + s.pad_left;
  const int64_t last_vector_start = last_start_numerator >= 0 ? last_start_numerator / kStride : -1;

  for (int64_t oy = 0; oy < s.out_height; ++oy) {
    const float* rows[3];
    for (int ky = 0; ky < 3; ++ky) {
      const int64_t iy = oy * kStride - s.pad_top + ky;
      rows[ky] = iy >= 0 && iy < s.in_height ? plane + iy * width : zeros;
    }
    float* out_row = out_plane + oy * s.out_width;

    int64_t ox = 0;
    const auto scalar_until = [&](int64_t end) {
      for (; ox < end; ++ox) {
        out_row[ox] = depthwise_pixel(rows, w, ox * kStride - s.pad_left, width, bias);
      }
    };
    scalar_until(std::min(first_vector, s.out_width));

    for (; ox <= last_vector_start && ox + 4 <= s.out_width; ox += 4) {
      T sum = bias_vector;
      for (int ky = 0; ky < 3; ++ky) {
        const float* source = rows[ky] + ox * kStride - s.pad_left;
        if constexpr (kStride == 1) {
          sum = V::mul_add(weight[ky * 3 + 0], V::load(source), sum);
          sum = V::mul_add(weight[ky * 3 + 1], V::load(source + 1), sum);
          sum = V::mul_add(weight[ky * 3 + 2], V::load(source + 2), sum);
        } else {
          const T low = V::load(source);
          const T high = V::load(source + 4);
          const T shifted_low = V::load(source + 2);
          const T shifted_high = V::load(source + 6);
          sum = V::mul_add(weight[ky * 3 + 0], V::even_lanes(low, high), sum);
          sum = V::mul_add(weight[ky * 3 + 1], V::odd_lanes(low, high), sum);
          sum = V::mul_add(weight[ky * 3 + 2], V::even_lanes(shifted_low, shifted_high), sum);
        }
      }
      V::store(out_row + ox, sum);
    }
    scalar_until(s.out_width);

    if (activation != Activation::kNone) {
      bias_activation<V>(isa, out_row, s.out_width, 0.0f, activation);
    }
  }
}

}  // namespace

bool depthwise3x3_supported(const ConvShape& s) {
  return s.groups == s.in_channels && s.out_channels == s.in_channels && s.kernel_height == 3 &&
         s.kernel_width == 3 && s.stride_height == s.stride_width &&
         (s.stride_height == 1 || s.stride_height == 2) && s.dilation_height == 1 &&
         s.dilation_width == 1 && s.pad_top >= 0 && s.pad_top <= 2 && s.pad_left >= 0 &&
         s.pad_left <= 2;
}

void depthwise_conv3x3_f32(const KernelContext& context, const ConvShape& s, const float* input,
                           const float* weights, const float* bias, Activation activation,
                           float* output) {
  const int64_t planes = s.batch * s.in_channels;
  const int64_t in_plane = s.in_height * s.in_width;
  const int64_t out_plane = s.out_height * s.out_width;
  simd::with_vec4(context.isa, [&]<class V>() {
    parallel_for(context, planes, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t channel = p % s.in_channels;
        const float* w = weights + channel * 9;
        const float b = bias != nullptr ? bias[channel] : 0.0f;
        if (s.stride_height == 1) {
          depthwise_plane<V, 1>(context.isa, s, input + p * in_plane, w, b, activation,
                                output + p * out_plane);
        } else {
          depthwise_plane<V, 2>(context.isa, s, input + p * in_plane, w, b, activation,
                                output + p * out_plane);
        }
      }
    });
  });
}

}  // namespace sightline::engine::kernels::fast
