// Elementwise kernels: one vector loop each, tails done on a padded copy through the same
// vector code.
#include "engine/kernels/fast/elementwise.h"

#include <algorithm>

#include "engine/kernels/fast/vector_math.h"
#include "engine/simd/dispatch.h"

namespace sightline::engine::kernels::fast {
namespace {

// Elements per parallel block: big enough that waking a worker pays off.
constexpr int64_t kParallelBlock = 16384;

template <class Body>
void for_each_block(const KernelContext& context, int64_t count, Body&& body) {
  const int64_t blocks = (count + kParallelBlock - 1) / kParallelBlock;
  parallel_for(context, blocks, [&](int64_t block_begin, int64_t block_end) {
    const int64_t begin = block_begin * kParallelBlock;
    body(begin, std::min(count, block_end * kParallelBlock));
  });
}

// output[i] = op(a[i], b[i]) for i in [begin, end).
template <class V, class Op>
void binary_range(const float* a, const float* b, float* output, int64_t begin, int64_t end,
                  Op op) {
  int64_t i = begin;
  for (; i + 4 <= end; i += 4) {
    V::store(output + i, op(V::load(a + i), V::load(b + i)));
  }
  if (i < end) {
    float a_tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    float b_tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    std::copy(a + i, a + end, a_tail);
    std::copy(b + i, b + end, b_tail);
    float result[4];
    V::store(result, op(V::load(a_tail), V::load(b_tail)));
    std::copy(result, result + (end - i), output + i);
  }
}

enum class Arithmetic { kAdd, kMul };

void binary_f32(const KernelContext& context, Arithmetic arithmetic, const float* a, const float* b,
                float* output, int64_t count) {
  simd::with_vec4(context.isa, [&]<class V>() {
    using T = typename V::T;
    for_each_block(context, count, [&](int64_t begin, int64_t end) {
      if (arithmetic == Arithmetic::kAdd) {
        binary_range<V>(a, b, output, begin, end, [](T x, T y) { return V::add(x, y); });
      } else {
        binary_range<V>(a, b, output, begin, end, [](T x, T y) { return V::mul(x, y); });
      }
    });
  });
}

}  // namespace

void activation_f32(const KernelContext& context, Activation activation, const float* input,
                    float* output, int64_t count) {
  simd::with_vec4(context.isa, [&]<class V>() {
    for_each_block(context, count, [&](int64_t begin, int64_t end) {
      if (output != input) {
        std::copy(input + begin, input + end, output + begin);
      }
      bias_activation<V>(context.isa, output + begin, end - begin, 0.0f, activation);
    });
  });
}

void sigmoid_f32(const KernelContext& context, const float* input, float* output, int64_t count) {
  activation_f32(context, Activation::kSigmoid, input, output, count);
}

void silu_f32(const KernelContext& context, const float* input, float* output, int64_t count) {
  activation_f32(context, Activation::kSilu, input, output, count);
}

void add_f32(const KernelContext& context, const float* a, const float* b, float* output,
             int64_t count) {
  binary_f32(context, Arithmetic::kAdd, a, b, output, count);
}

void mul_f32(const KernelContext& context, const float* a, const float* b, float* output,
             int64_t count) {
  binary_f32(context, Arithmetic::kMul, a, b, output, count);
}

void upsample_nearest2x_f32(const KernelContext& context, const float* input, int64_t planes,
                            int64_t height, int64_t width, float* output) {
  const int64_t out_width = 2 * width;
  simd::with_vec4(context.isa, [&]<class V>() {
    parallel_for(context, planes * height, [&](int64_t row_begin, int64_t row_end) {
      for (int64_t row = row_begin; row < row_end; ++row) {
        // Input row `row` of plane p (row = p * height + y) feeds output rows 2 * row and
        // 2 * row + 1, which are adjacent in [planes, 2 * height, 2 * width].
        const float* source = input + row * width;
        float* top = output + 2 * row * out_width;
        float* bottom = top + out_width;
        int64_t x = 0;
        for (; x + 4 <= width; x += 4) {
          const typename V::T v = V::load(source + x);
          const typename V::T low = V::interleave_low(v, v);
          const typename V::T high = V::interleave_high(v, v);
          V::store(top + 2 * x, low);
          V::store(top + 2 * x + 4, high);
          V::store(bottom + 2 * x, low);
          V::store(bottom + 2 * x + 4, high);
        }
        for (; x < width; ++x) {
          top[2 * x] = top[2 * x + 1] = source[x];
          bottom[2 * x] = bottom[2 * x + 1] = source[x];
        }
      }
    });
  });
}

}  // namespace sightline::engine::kernels::fast
