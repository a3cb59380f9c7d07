// Separable stride-1 max pooling: horizontal pass, then vertical pass, vectorised along rows.
#include "engine/kernels/fast/pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "engine/simd/dispatch.h"

namespace sightline::engine::kernels::fast {
namespace {

constexpr float kLowest = std::numeric_limits<float>::lowest();

float* row_max_scratch(int64_t floats) {
  thread_local std::vector<float> scratch;
  if (static_cast<int64_t>(scratch.size()) < floats) {
    scratch.resize(static_cast<size_t>(floats));
  }
  return scratch.data();
}

// row_max [in_height, out_width]: maximum over input columns [ox - pad_left, + kernel_width).
template <class V>
void horizontal_pass(const PoolShape& s, const float* plane, float* row_max) {
  const int64_t kw = s.kernel_width;
  // Vector outputs ox .. ox + 3 read columns ox - pad_left .. ox - pad_left + kw + 2.
  const int64_t first_vector = s.pad_left;
  const int64_t last_vector_start = s.in_width - kw - 3 + s.pad_left;

  for (int64_t y = 0; y < s.in_height; ++y) {
    const float* in_row = plane + y * s.in_width;
    float* out_row = row_max + y * s.out_width;
    const auto scalar_one = [&](int64_t ox) {
      const int64_t begin = std::max<int64_t>(0, ox - s.pad_left);
      const int64_t end = std::min<int64_t>(s.in_width, ox - s.pad_left + kw);
      float best = kLowest;
      for (int64_t ix = begin; ix < end; ++ix) {
        best = std::max(best, in_row[ix]);
      }
      out_row[ox] = best;
    };

    int64_t ox = 0;
    for (; ox < std::min(first_vector, s.out_width); ++ox) {
      scalar_one(ox);
    }
    for (; ox <= last_vector_start && ox + 4 <= s.out_width; ox += 4) {
      const float* source = in_row + ox - s.pad_left;
      typename V::T best = V::load(source);
      for (int64_t t = 1; t < kw; ++t) {
        best = V::max(best, V::load(source + t));
      }
      V::store(out_row + ox, best);
    }
    for (; ox < s.out_width; ++ox) {
      scalar_one(ox);
    }
  }
}

// output row oy: elementwise maximum of row_max rows [oy - pad_top, + kernel_height) in range.
template <class V>
void vertical_pass(const PoolShape& s, const float* row_max, float* output) {
  for (int64_t oy = 0; oy < s.out_height; ++oy) {
    const int64_t begin = std::max<int64_t>(0, oy - s.pad_top);
    const int64_t end = std::min<int64_t>(s.in_height, oy - s.pad_top + s.kernel_height);
    float* out_row = output + oy * s.out_width;
    if (begin >= end) {
      std::fill(out_row, out_row + s.out_width, kLowest);
      continue;
    }
    int64_t x = 0;
    for (; x + 4 <= s.out_width; x += 4) {
      typename V::T best = V::load(row_max + begin * s.out_width + x);
      for (int64_t y = begin + 1; y < end; ++y) {
        best = V::max(best, V::load(row_max + y * s.out_width + x));
      }
      V::store(out_row + x, best);
    }
    for (; x < s.out_width; ++x) {
      float best = row_max[begin * s.out_width + x];
      for (int64_t y = begin + 1; y < end; ++y) {
        best = std::max(best, row_max[y * s.out_width + x]);
      }
      out_row[x] = best;
    }
  }
}

}  // namespace

bool maxpool_fast_supported(const PoolShape& s) {
  return s.stride_height == 1 && s.stride_width == 1 && s.dilation_height == 1 &&
         s.dilation_width == 1 && s.pad_top >= 0 && s.pad_left >= 0 && s.kernel_height >= 1 &&
         s.kernel_width >= 1;
}

void reserve_maxpool_scratch(const PoolShape& shape) {
  row_max_scratch(shape.in_height * shape.out_width);
}

void maxpool2d_f32(const KernelContext& context, const PoolShape& s, const float* input,
                   float* output) {
  const int64_t in_plane = s.in_height * s.in_width;
  const int64_t out_plane = s.out_height * s.out_width;
  simd::with_vec4(context.isa, [&]<class V>() {
    parallel_for(context, s.planes, [&](int64_t begin, int64_t end) {
      float* row_max = row_max_scratch(s.in_height * s.out_width);
      for (int64_t p = begin; p < end; ++p) {
        horizontal_pass<V>(s, input + p * in_plane, row_max);
        vertical_pass<V>(s, row_max, output + p * out_plane);
      }
    });
  });
}

}  // namespace sightline::engine::kernels::fast
