// Convolution through the packed GEMM: patch gathering into B panels, group and batch loops.
#include "engine/kernels/fast/conv.h"

#include <algorithm>
#include <cstring>

#include "engine/kernels/fast/gemm_driver.h"

namespace sightline::engine::kernels::fast {
namespace {

// Where patch row k reads: the input plane of its channel and the kernel tap's offsets.
struct PatchRow {
  int64_t plane_offset;
  int64_t y_offset;
  int64_t x_offset;
};

// Writes patch rows [k0, k0 + kc) for output pixels [n0, n0 + nc) as GEMM B panels
// [panel, k, kTileColumns]. `input` points at the group's first channel [channels, H, W].
// Row k of the patch matrix is the input under kernel tap (c, ky, kx), k = (c * kh + ky) * kw + kx;
// column p = oy * out_width + ox; padding reads as 0.
template <int kTileColumns>
void pack_patches(const ConvShape& s, const float* input, int64_t k0, int64_t kc, int64_t n0,
                  int64_t nc, float* destination) {
  const int64_t taps = s.kernel_height * s.kernel_width;
  PatchRow rows[detail::kBlockDepth];
  for (int64_t k = k0; k < k0 + kc; ++k) {
    const int64_t ky = (k % taps) / s.kernel_width;
    const int64_t kx = k % s.kernel_width;
    rows[k - k0] = {k / taps * s.in_height * s.in_width, ky * s.dilation_height - s.pad_top,
                    kx * s.dilation_width - s.pad_left};
  }

  for (int64_t panel_start = 0; panel_start < nc; panel_start += kTileColumns) {
    const int64_t column0 = n0 + panel_start;
    const int64_t columns_here = std::min<int64_t>(kTileColumns, nc - panel_start);
    const int64_t oy0 = column0 / s.out_width;
    const int64_t ox0 = column0 % s.out_width;
    const bool contiguous_run =
        s.stride_width == 1 && columns_here == kTileColumns && ox0 + kTileColumns <= s.out_width;
    float* panel = destination + (panel_start / kTileColumns) * kc * kTileColumns;

    for (int64_t k = 0; k < kc; ++k) {
      const PatchRow& row = rows[k];
      const float* plane = input + row.plane_offset;
      float* out = panel + k * kTileColumns;
      const int64_t iy0 = oy0 * s.stride_height + row.y_offset;
      const int64_t ix0 = ox0 + row.x_offset;
      if (contiguous_run && iy0 >= 0 && iy0 < s.in_height && ix0 >= 0 &&
          ix0 + kTileColumns <= s.in_width) {
        // Common case: the panel is one run of an input row.
        const float* source = plane + iy0 * s.in_width + ix0;
        for (int j = 0; j < kTileColumns; ++j) {
          out[j] = source[j];
        }
        continue;
      }

      int64_t oy = oy0;
      int64_t ox = ox0;
      for (int64_t j = 0; j < columns_here; ++j) {
        const int64_t iy = oy * s.stride_height + row.y_offset;
        const int64_t ix = ox * s.stride_width + row.x_offset;
        const bool inside = iy >= 0 && iy < s.in_height && ix >= 0 && ix < s.in_width;
        out[j] = inside ? plane[iy * s.in_width + ix] : 0.0f;
        if (++ox == s.out_width) {
          ox = 0;
          ++oy;
        }
      }
      std::fill(out + columns_here, out + kTileColumns, 0.0f);
    }
  }
}

}  // namespace

bool conv_reads_input_directly(const ConvShape& s) {
  return s.kernel_height == 1 && s.kernel_width == 1 && s.stride_height == 1 &&
         s.stride_width == 1 && s.pad_top == 0 && s.pad_left == 0 && s.out_height == s.in_height &&
         s.out_width == s.in_width;
}

PackedConv pack_conv2d(simd::Isa isa, const ConvShape& shape, const float* weights,
                       const float* bias, Activation activation) {
  PackedConv conv;
  conv.shape = shape;
  conv.activation = activation;
  const int64_t group_out = shape.out_channels / shape.groups;
  const int64_t depth = shape.in_channels / shape.groups * shape.kernel_height * shape.kernel_width;
  conv.group_weights.reserve(static_cast<size_t>(shape.groups));
  for (int64_t g = 0; g < shape.groups; ++g) {
    conv.group_weights.push_back(
        pack_gemm_lhs(isa, weights + g * group_out * depth, group_out, depth, depth));
  }
  if (bias != nullptr) {
    conv.bias.assign(bias, bias + shape.out_channels);
  }
  return conv;
}

void conv2d_f32(const KernelContext& context, const PackedConv& conv, const float* input,
                float* output) {
  const ConvShape& s = conv.shape;
  const int64_t group_in = s.in_channels / s.groups;
  const int64_t group_out = s.out_channels / s.groups;
  const int64_t in_plane = s.in_height * s.in_width;
  const int64_t out_plane = s.out_height * s.out_width;
  const bool direct = conv_reads_input_directly(s);

  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t g = 0; g < s.groups; ++g) {
      const PackedMatrix& weights = conv.group_weights[static_cast<size_t>(g)];
      const float* group_input = input + (n * s.in_channels + g * group_in) * in_plane;
      float* group_output = output + (n * s.out_channels + g * group_out) * out_plane;
      GemmEpilogue epilogue;
      epilogue.bias = conv.bias.empty() ? nullptr : conv.bias.data() + g * group_out;
      epilogue.activation = conv.activation;
      const int tile_columns = gemm_tile(weights.isa).columns;

      if (direct) {
        detail::run_gemm(context, weights, out_plane, detail::DenseB{group_input, in_plane},
                         group_output, out_plane, epilogue);
      } else {
        const auto pack_b = [&](int64_t k0, int64_t kc, int64_t n0, int64_t nc, float* out) {
          if (tile_columns == 32) {
            pack_patches<32>(s, group_input, k0, kc, n0, nc, out);
          } else if (tile_columns == 16) {
            pack_patches<16>(s, group_input, k0, kc, n0, nc, out);
          } else {
            pack_patches<8>(s, group_input, k0, kc, n0, nc, out);
          }
        };
        detail::run_gemm(context, weights, out_plane, pack_b, group_output, out_plane, epilogue);
      }
    }
  }
}

}  // namespace sightline::engine::kernels::fast
