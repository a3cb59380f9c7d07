// Depthwise 3x3: each plane is copied once into a zero-bordered scratch plane, then every output
// row is computed four columns at a time (8 with AVX2, 16 with AVX-512: simd/avx2_depthwise.cpp,
// simd/avx512_depthwise.cpp) with the same vector code, edges included, the bias added in
// registers. The AVX kernels apply the activation in registers too; the four-float path applies
// it to each finished row.
#include "engine/kernels/fast/depthwise.h"

#include <algorithm>
#include <vector>

#include "engine/kernels/fast/vector_math.h"
#include "engine/simd/avx512_kernels.h"
#include "engine/simd/dispatch.h"

namespace sightline::engine::kernels::fast {
namespace {

// Grows to the largest plane this thread has padded.
thread_local std::vector<float> padded_plane;

float* padded_plane_scratch(int64_t floats) {
  if (static_cast<int64_t>(padded_plane.size()) < floats) {
    padded_plane.resize(static_cast<size_t>(floats));
  }
  return padded_plane.data();
}

// The input plane surrounded by zeros, so every output column takes the same vector path:
//   padded [padded_height, padded_width], padded[pad_top + y, pad_left + x] = plane[y, x].
// Output (oy, ox), tap (ky, kx) reads padded[oy * stride + ky, ox * stride + kx].
struct PaddedPlane {
  int64_t height;
  int64_t width;
};

PaddedPlane padded_size(const ConvShape& s, int64_t stride) {
  // Whole vectors of up to sixteen outputs (four, eight with AVX2, sixteen with AVX-512): the
  // last vector of a row starts at the last multiple of its lane count and reads padded columns
  // up to its start * stride + 33 (AVX-512 stride 2 loads two 16-float pairs), so the width
  // covers the outputs rounded up to sixteen, times the stride, plus the taps.
  const int64_t vector_columns = (s.out_width + 15) / 16 * 16;
  const int64_t width = std::max(s.pad_left + s.in_width, vector_columns * stride + 10);
  const int64_t height = std::max(s.pad_top + s.in_height, (s.out_height - 1) * stride + 3);
  return {height, width};
}

void pad_plane(const ConvShape& s, const float* plane, PaddedPlane size, float* padded) {
  std::fill(padded, padded + s.pad_top * size.width, 0.0f);
  for (int64_t y = 0; y < s.in_height; ++y) {
    float* row = padded + (s.pad_top + y) * size.width;
    std::fill(row, row + s.pad_left, 0.0f);
    std::copy(plane + y * s.in_width, plane + (y + 1) * s.in_width, row + s.pad_left);
    std::fill(row + s.pad_left + s.in_width, row + size.width, 0.0f);
  }
  std::fill(padded + (s.pad_top + s.in_height) * size.width, padded + size.height * size.width,
            0.0f);
}

template <class V, int kStride>
void depthwise_plane(simd::Isa isa, const ConvShape& s, const float* plane, const float* w,
                     float bias, Activation activation, float* out_plane) {
  using T = typename V::T;
  const PaddedPlane size = padded_size(s, kStride);
  float* padded = padded_plane_scratch(size.height * size.width);
  pad_plane(s, plane, size, padded);
#if SIGHTLINE_HAVE_AVX2
  if (isa == simd::Isa::kAvx512) {
    simd::depthwise3x3_plane_avx512(padded, size.width, kStride, s.out_height, s.out_width, w, bias,
                                    activation, out_plane);
    return;
  }
  if (simd::uses_avx2(isa)) {
    simd::depthwise3x3_plane_avx2(padded, size.width, kStride, s.out_height, s.out_width, w, bias,
                                  activation, out_plane);
    return;
  }
#else
  (void)isa;
#endif

  T weight[9];
  for (int i = 0; i < 9; ++i) {
    weight[i] = V::broadcast(w[i]);
  }
  const T bias_vector = V::broadcast(bias);

  for (int64_t oy = 0; oy < s.out_height; ++oy) {
    const float* rows[3] = {padded + (oy * kStride) * size.width,
                            padded + (oy * kStride + 1) * size.width,
                            padded + (oy * kStride + 2) * size.width};
    float* out_row = out_plane + oy * s.out_width;

    for (int64_t ox = 0; ox < s.out_width; ox += 4) {
      // One partial sum per kernel row keeps the dependency chains three steps long.
      T row_sum[3];
      for (int ky = 0; ky < 3; ++ky) {
        const float* source = rows[ky] + ox * kStride;
        if constexpr (kStride == 1) {
          T sum = V::mul(weight[ky * 3 + 0], V::load(source));
          sum = V::mul_add(weight[ky * 3 + 1], V::load(source + 1), sum);
          row_sum[ky] = V::mul_add(weight[ky * 3 + 2], V::load(source + 2), sum);
        } else {
          // Columns 2j, 2j + 1 and 2j + 2 of the 10 floats from `source`, for j = 0..3.
          const T low = V::load(source);
          const T high = V::load(source + 4);
          const T shifted_low = V::load(source + 2);
          const T shifted_high = V::load(source + 6);
          T sum = V::mul(weight[ky * 3 + 0], V::even_lanes(low, high));
          sum = V::mul_add(weight[ky * 3 + 1], V::odd_lanes(low, high), sum);
          row_sum[ky] =
              V::mul_add(weight[ky * 3 + 2], V::even_lanes(shifted_low, shifted_high), sum);
        }
      }
      const T sum = V::add(V::add(row_sum[0], row_sum[1]), V::add(row_sum[2], bias_vector));
      if (ox + 4 <= s.out_width) {
        V::store(out_row + ox, sum);
      } else {
        float last[4];
        V::store(last, sum);
        std::copy(last, last + (s.out_width - ox), out_row + ox);
      }
    }
    // The activation runs over the finished row, still in L1: there it interleaves four
    // vectors' chains, while inside the loop above it left the nine weights and its own
    // constants more than the sixteen registers (V8 reloaded them from the stack every step).
    bias_activation_inplace<V>(out_row, s.out_width, 0.0f, activation);
  }
}

}  // namespace

void release_depthwise_scratch() {
  std::vector<float>().swap(padded_plane);
}

void reserve_depthwise_scratch(const ConvShape& shape) {
  const PaddedPlane size = padded_size(shape, shape.stride_height);
  padded_plane_scratch(size.height * size.width);
}

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
