// Scalar convolution: im2col on a band of output rows, then a plain matrix product.
//
// For each group and each band of output rows, the input patches are laid out as a matrix
//   columns [in_channels/groups * kernel_height * kernel_width, band_pixels]
// (row (c, ky, kx) holds, for every output pixel of the band, the input value under that kernel
// tap, 0 in the padding), and the output band is
//   output[m, p] = bias[m] + sum_k weights[m, k] * columns[k, p].
// The innermost loop runs over contiguous output pixels so the compiler can vectorise it, and a
// band is sized to stay in cache. A 1x1, stride-1, unpadded convolution reads the input directly.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "engine/kernels/reference/reference_kernels.h"

namespace sightline::engine::kernels {
namespace {

// Output pixels per band: enough for long inner loops, small enough for the columns to stay in
// the L2 cache.
constexpr int64_t kBandPixels = 256;

bool reads_input_directly(const ConvShape& s) {
  return s.kernel_height == 1 && s.kernel_width == 1 && s.stride_height == 1 &&
         s.stride_width == 1 && s.pad_top == 0 && s.pad_left == 0 && s.out_height == s.in_height &&
         s.out_width == s.in_width;
}

// Fills columns [group_channels * kh * kw, band_pixels] for output rows [row_begin, row_end).
// `input` points at the group's first channel; `convert` maps an input element to the
// accumulator type (subtracting a zero point for integer convolution).
template <class In, class Acc, class Convert>
void fill_columns(const ConvShape& s, const In* input, int64_t group_channels, int64_t row_begin,
                  int64_t row_end, Convert convert, Acc* columns) {
  const int64_t band_pixels = (row_end - row_begin) * s.out_width;
  Acc* row = columns;
  for (int64_t c = 0; c < group_channels; ++c) {
    const In* plane = input + c * s.in_height * s.in_width;
    for (int64_t ky = 0; ky < s.kernel_height; ++ky) {
      for (int64_t kx = 0; kx < s.kernel_width; ++kx) {
        Acc* out = row;
        for (int64_t oy = row_begin; oy < row_end; ++oy) {
          const int64_t iy = oy * s.stride_height - s.pad_top + ky * s.dilation_height;
          if (iy < 0 || iy >= s.in_height) {
            std::fill(out, out + s.out_width, Acc{0});
            out += s.out_width;
            continue;
          }
          const In* line = plane + iy * s.in_width;
          for (int64_t ox = 0; ox < s.out_width; ++ox) {
            const int64_t ix = ox * s.stride_width - s.pad_left + kx * s.dilation_width;
            out[ox] = (ix >= 0 && ix < s.in_width) ? convert(line[ix]) : Acc{0};
          }
          out += s.out_width;
        }
        row += band_pixels;
      }
    }
  }
}

// output[m, p] = bias[m] + sum_k weights[m, k] * columns[k, p] for p in [0, pixels).
// `columns` rows are `column_stride` apart; `output` rows are `output_stride` apart.
template <class T>
void multiply_band(const T* weights, int64_t rows, int64_t depth, const T* columns,
                   int64_t column_stride, int64_t pixels, const T* bias, T* output,
                   int64_t output_stride, T* accumulator) {
  for (int64_t m = 0; m < rows; ++m) {
    const T start = bias != nullptr ? bias[m] : T{0};
    std::fill(accumulator, accumulator + pixels, start);
    const T* weight_row = weights + m * depth;
    for (int64_t k = 0; k < depth; ++k) {
      const T weight = weight_row[k];
      const T* column = columns + k * column_stride;
      for (int64_t p = 0; p < pixels; ++p)
        accumulator[p] += weight * column[p];
    }
    std::memcpy(output + m * output_stride, accumulator, sizeof(T) * pixels);
  }
}

template <class In, class Acc, class Convert>
void convolve(const ConvShape& s, const In* input, const Acc* weights, const Acc* bias, Acc* output,
              std::vector<Acc>& scratch, Convert convert) {
  const int64_t group_in = s.in_channels / s.groups;
  const int64_t group_out = s.out_channels / s.groups;
  const int64_t depth = group_in * s.kernel_height * s.kernel_width;
  const int64_t in_plane = s.in_height * s.in_width;
  const int64_t out_plane = s.out_height * s.out_width;
  constexpr bool kSameType = std::is_same_v<In, Acc>;
  const bool direct = kSameType && reads_input_directly(s);
  const int64_t band_rows = std::max<int64_t>(1, kBandPixels / std::max<int64_t>(1, s.out_width));
  const int64_t max_band_pixels = band_rows * s.out_width;

  // scratch = [accumulator: max_band_pixels][columns: depth * max_band_pixels]
  const size_t needed = static_cast<size_t>(max_band_pixels * (direct ? 1 : depth + 1));
  if (scratch.size() < needed) scratch.resize(needed);
  Acc* accumulator = scratch.data();
  Acc* columns = scratch.data() + max_band_pixels;

  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t g = 0; g < s.groups; ++g) {
      const In* group_input = input + (n * s.in_channels + g * group_in) * in_plane;
      const Acc* group_weights = weights + g * group_out * depth;
      const Acc* group_bias = bias != nullptr ? bias + g * group_out : nullptr;
      Acc* group_output = output + (n * s.out_channels + g * group_out) * out_plane;

      for (int64_t row_begin = 0; row_begin < s.out_height; row_begin += band_rows) {
        const int64_t row_end = std::min(s.out_height, row_begin + band_rows);
        const int64_t pixels = (row_end - row_begin) * s.out_width;
        const int64_t first_pixel = row_begin * s.out_width;
        if constexpr (kSameType) {
          if (direct) {
            // A 1x1 unit-stride convolution: the input planes are the columns matrix.
            multiply_band(group_weights, group_out, depth, group_input + first_pixel, in_plane,
                          pixels, group_bias, group_output + first_pixel, out_plane, accumulator);
            continue;
          }
        }
        {
          fill_columns(s, group_input, group_in, row_begin, row_end, convert, columns);
          multiply_band(group_weights, group_out, depth, columns, pixels, pixels, group_bias,
                        group_output + first_pixel, out_plane, accumulator);
        }
      }
    }
  }
}

}  // namespace

void conv2d_f32_reference(const ConvShape& shape, const float* input, const float* weights,
                          const float* bias, float* output, std::vector<float>& scratch) {
  convolve(shape, input, weights, bias, output, scratch, [](float value) { return value; });
}

void conv2d_u8_reference(const ConvShape& shape, const uint8_t* input, int32_t input_zero_point,
                         const int32_t* weights, int32_t* output, std::vector<int32_t>& scratch) {
  convolve(shape, input, weights, static_cast<const int32_t*>(nullptr), output, scratch,
           [input_zero_point](uint8_t value) { return int32_t{value} - input_zero_point; });
}

void conv2d_s8_reference(const ConvShape& shape, const int8_t* input, int32_t input_zero_point,
                         const int32_t* weights, int32_t* output, std::vector<int32_t>& scratch) {
  convolve(shape, input, weights, static_cast<const int32_t*>(nullptr), output, scratch,
           [input_zero_point](int8_t value) { return int32_t{value} - input_zero_point; });
}

}  // namespace sightline::engine::kernels
