// Direct 3x3 convolution: a bordered copy of the input, then per (output row, channel block)
// register tiles of 4 channels x 8 columns (24 with AVX2, up to 64 with AVX-512) accumulated
// over every input channel and tap. The last tile of a row overlaps the previous one instead of
// taking a scalar tail (AVX-512: a narrower last tile with a masked store). The AVX tiles apply
// the activation in registers; the four-float path applies it to each finished output row.
#include "engine/kernels/fast/direct_conv.h"

#include <algorithm>
#include <cstring>

#include "engine/kernels/fast/vector_math.h"
#include "engine/simd/avx2_kernels.h"
#include "engine/simd/avx512_kernels.h"
#include "engine/simd/dispatch.h"

namespace sightline::engine::kernels::fast {
namespace {

float* bordered_input_scratch(int64_t floats) {
  thread_local std::vector<float> scratch;
  if (static_cast<int64_t>(scratch.size()) < floats) {
    scratch.resize(static_cast<size_t>(floats));
  }
  return scratch.data();
}

// The bordered copy: [in_channels, height, width] with input (y, x) at (y + pad_top,
// x + pad_left), zero elsewhere. Wide and tall enough that every tile of every output row reads
// inside it.
struct Bordered {
  int64_t height;
  int64_t width;
  int64_t floats(int64_t channels) const { return channels * height * width; }
};

Bordered bordered_size(const ConvShape& s) {
  // The AVX2 tiles read 24 columns (the last one ending at out_width), the AVX-512 ones whole
  // vectors of 16: plus 2 for the kernel's width.
  constexpr int64_t kWidestTile = simd::kAvx2DirectConvColumns;
  const int64_t avx512_columns = (s.out_width + 15) / 16 * 16;
  return {s.out_height + 2, std::max(avx512_columns, kWidestTile) + 2};
}

// Writes every float of the bordered copy of channels [channel_begin, channel_end) once: rows
// above and below the input are zeroed whole, input rows get their zero margins around the
// copied values.
void copy_bordered(const ConvShape& s, const float* input, Bordered size, int64_t channel_begin,
                   int64_t channel_end, float* bordered) {
  const int64_t right_margin = size.width - s.pad_left - s.in_width;
  for (int64_t c = channel_begin; c < channel_end; ++c) {
    float* plane = bordered + c * size.height * size.width;
    std::fill(plane, plane + s.pad_top * size.width, 0.0f);
    for (int64_t y = 0; y < s.in_height; ++y) {
      float* row = plane + (y + s.pad_top) * size.width;
      std::fill(row, row + s.pad_left, 0.0f);
      std::memcpy(row + s.pad_left, input + (c * s.in_height + y) * s.in_width,
                  sizeof(float) * s.in_width);
      std::fill(row + s.pad_left + s.in_width, row + s.pad_left + s.in_width + right_margin, 0.0f);
    }
    std::fill(plane + (s.pad_top + s.in_height) * size.width, plane + size.height * size.width,
              0.0f);
  }
}

// One tile: 4 channels x 8 columns starting at `column` of output row `row`, written to `out`
// ([4][out_stride] floats apart per channel; only `channels` of them).
template <class V>
void tile_vec4(const DirectConv& conv, const float* bordered, Bordered size, const float* weights,
               const float* bias, int64_t row, int64_t column, float* out, int64_t out_stride,
               int channels) {
  using T = typename V::T;
  T acc[kDirectConvBlock][2];
  for (int j = 0; j < kDirectConvBlock; ++j) {
    acc[j][0] = V::broadcast(bias[j]);
    acc[j][1] = acc[j][0];
  }
  const int64_t plane = size.height * size.width;
  for (int64_t c = 0; c < conv.shape.in_channels; ++c) {
    const float* origin = bordered + c * plane + row * size.width + column;
    for (int ky = 0; ky < 3; ++ky) {
      for (int kx = 0; kx < 3; ++kx) {
        const float* source = origin + ky * size.width + kx;
        const T left = V::load(source);
        const T right = V::load(source + 4);
        for (int j = 0; j < kDirectConvBlock; ++j) {
          const T w = V::broadcast(weights[j]);
          acc[j][0] = V::mul_add(w, left, acc[j][0]);
          acc[j][1] = V::mul_add(w, right, acc[j][1]);
        }
        weights += kDirectConvBlock;
      }
    }
  }
  for (int j = 0; j < channels; ++j) {
    V::store(out + j * out_stride, acc[j][0]);
    V::store(out + j * out_stride + 4, acc[j][1]);
  }
}

// The activation over one finished output row of `channels` channels: applied to the row while
// it is in L1, where four vectors' chains interleave, rather than in the tile, whose eight
// accumulators leave it few registers.
template <class V>
void activate_rows(Activation activation, float* row_out, int64_t out_plane, int64_t width,
                   int channels) {
  for (int j = 0; j < channels; ++j) {
    bias_activation_inplace<V>(row_out + j * out_plane, width, 0.0f, activation);
  }
}

// Output rows [row_begin, row_end) of channel block `block` for one batch item.
template <class V>
void rows_vec4(const DirectConv& conv, const float* bordered, Bordered size, int64_t block,
               int64_t row_begin, int64_t row_end, float* output) {
  constexpr int64_t kTile = 8;
  const ConvShape& s = conv.shape;
  const int64_t out_plane = s.out_height * s.out_width;
  const float* weights = conv.packed_weights.data() + block * s.in_channels * 9 * kDirectConvBlock;
  const float* bias = conv.bias.data() + block * kDirectConvBlock;
  const int channels =
      static_cast<int>(std::min<int64_t>(kDirectConvBlock, s.out_channels - block * 4));
  float* block_out = output + block * kDirectConvBlock * out_plane;
  float narrow[kDirectConvBlock * kTile];

  for (int64_t row = row_begin; row < row_end; ++row) {
    float* row_out = block_out + row * s.out_width;
    if (s.out_width < kTile) {
      tile_vec4<V>(conv, bordered, size, weights, bias, row, 0, narrow, kTile, channels);
      for (int j = 0; j < channels; ++j) {
        std::memcpy(row_out + j * out_plane, narrow + j * kTile, sizeof(float) * s.out_width);
      }
      activate_rows<V>(conv.activation, row_out, out_plane, s.out_width, channels);
      continue;
    }
    for (int64_t column = 0; column < s.out_width; column += kTile) {
      const int64_t start = std::min(column, s.out_width - kTile);
      tile_vec4<V>(conv, bordered, size, weights, bias, row, start, row_out + start, out_plane,
                   channels);
    }
    activate_rows<V>(conv.activation, row_out, out_plane, s.out_width, channels);
  }
}

}  // namespace

bool direct_conv3x3_supported(const ConvShape& s) {
  return s.groups == 1 && s.kernel_height == 3 && s.kernel_width == 3 && s.stride_height == 1 &&
         s.stride_width == 1 && s.dilation_height == 1 && s.dilation_width == 1 && s.pad_top >= 0 &&
         s.pad_top <= 1 && s.pad_left >= 0 && s.pad_left <= 1 && s.in_channels <= 32 &&
         s.out_height + 2 >= s.in_height + s.pad_top && s.out_width + 2 >= s.in_width + s.pad_left;
}

DirectConv pack_direct_conv3x3(simd::Isa isa, const ConvShape& shape, const float* weights,
                               const float* bias, Activation activation) {
  DirectConv conv;
  conv.shape = shape;
  conv.isa = isa;
  conv.activation = activation;
  const int64_t blocks = (shape.out_channels + kDirectConvBlock - 1) / kDirectConvBlock;
  const int64_t taps = shape.in_channels * 9;
  conv.packed_weights.assign(static_cast<size_t>(blocks * taps * kDirectConvBlock), 0.0f);
  conv.bias.assign(static_cast<size_t>(blocks * kDirectConvBlock), 0.0f);
  for (int64_t m = 0; m < shape.out_channels; ++m) {
    const int64_t block = m / kDirectConvBlock;
    const int64_t lane = m % kDirectConvBlock;
    for (int64_t t = 0; t < taps; ++t) {
      conv.packed_weights[static_cast<size_t>((block * taps + t) * kDirectConvBlock + lane)] =
          weights[m * taps + t];
    }
    if (bias != nullptr) {
      conv.bias[static_cast<size_t>(m)] = bias[m];
    }
  }
  return conv;
}

void reserve_direct_conv_scratch(const DirectConv& conv) {
  bordered_input_scratch(bordered_size(conv.shape).floats(conv.shape.in_channels));
}

void direct_conv3x3_f32(const KernelContext& context, const DirectConv& conv, const float* input,
                        float* output) {
  const ConvShape& s = conv.shape;
  const Bordered size = bordered_size(s);
  float* bordered = bordered_input_scratch(size.floats(s.in_channels));
  const int64_t blocks = (s.out_channels + kDirectConvBlock - 1) / kDirectConvBlock;
  // Work units are bands of rows, a few per thread for balance. Inside a band every channel
  // block runs on one output row before the next row starts, so the three input rows of every
  // channel that the row reads are loaded once from memory and then served from the cache to all
  // the blocks.
  const int64_t bands = std::min<int64_t>(s.out_height, 8);

  for (int64_t n = 0; n < s.batch; ++n) {
    // The copy is as much memory traffic as the convolution's reads: split it too.
    const float* batch_input = input + n * s.in_channels * s.in_height * s.in_width;
    parallel_for(context, s.in_channels, [&](int64_t channel_begin, int64_t channel_end) {
      copy_bordered(s, batch_input, size, channel_begin, channel_end, bordered);
    });
    float* batch_output = output + n * s.out_channels * s.out_height * s.out_width;
    parallel_for(context, bands, [&](int64_t band_begin, int64_t band_end) {
      const int64_t row_begin = s.out_height * band_begin / bands;
      const int64_t row_end = s.out_height * band_end / bands;
      for (int64_t row = row_begin; row < row_end; ++row) {
        for (int64_t block = 0; block < blocks; ++block) {
#if SIGHTLINE_HAVE_AVX2
          if (conv.isa == simd::Isa::kAvx512) {
            simd::direct_conv3x3_rows_avx512(
                s.in_channels, bordered, size.height, size.width,
                conv.packed_weights.data() + block * s.in_channels * 9 * kDirectConvBlock,
                conv.bias.data() + block * kDirectConvBlock, conv.activation, row, row + 1,
                s.out_width, s.out_height * s.out_width,
                static_cast<int>(std::min<int64_t>(kDirectConvBlock, s.out_channels - block * 4)),
                batch_output + block * kDirectConvBlock * s.out_height * s.out_width);
            continue;
          }
          if (simd::uses_avx2(conv.isa)) {
            simd::direct_conv3x3_rows_avx2(
                s.in_channels, bordered, size.height, size.width,
                conv.packed_weights.data() + block * s.in_channels * 9 * kDirectConvBlock,
                conv.bias.data() + block * kDirectConvBlock, conv.activation, row, row + 1,
                s.out_width, s.out_height * s.out_width,
                static_cast<int>(std::min<int64_t>(kDirectConvBlock, s.out_channels - block * 4)),
                batch_output + block * kDirectConvBlock * s.out_height * s.out_width);
            continue;
          }
#endif
          simd::with_vec4(conv.isa, [&]<class V>() {
            rows_vec4<V>(conv, bordered, size, block, row, row + 1, batch_output);
          });
        }
      }
    });
  }
}

}  // namespace sightline::engine::kernels::fast
