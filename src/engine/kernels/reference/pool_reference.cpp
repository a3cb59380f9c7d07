// Scalar 2-D max pooling.
#include <algorithm>
#include <limits>

#include "engine/kernels/reference/reference_kernels.h"

namespace sightline::engine::kernels {

// Layout: input [planes, in_height, in_width], output [planes, out_height, out_width].
void maxpool2d_f32_reference(const PoolShape& s, const float* input, float* output) {
  for (int64_t plane = 0; plane < s.planes; ++plane) {
    const float* in = input + plane * s.in_height * s.in_width;
    float* out = output + plane * s.out_height * s.out_width;
    for (int64_t oy = 0; oy < s.out_height; ++oy) {
      for (int64_t ox = 0; ox < s.out_width; ++ox) {
        float best = std::numeric_limits<float>::lowest();
        for (int64_t ky = 0; ky < s.kernel_height; ++ky) {
          const int64_t iy = oy * s.stride_height - s.pad_top + ky * s.dilation_height;
          if (iy < 0 || iy >= s.in_height) continue;
          for (int64_t kx = 0; kx < s.kernel_width; ++kx) {
            const int64_t ix = ox * s.stride_width - s.pad_left + kx * s.dilation_width;
            if (ix < 0 || ix >= s.in_width) continue;
            best = std::max(best, in[iy * s.in_width + ix]);
          }
        }
        out[oy * s.out_width + ox] = best;
      }
    }
  }
}

}  // namespace sightline::engine::kernels
