// Strided float32 copy over the four-float layer, threads splitting the runs of the last axis.
#include "engine/kernels/fast/data_movement.h"

#include <cstring>

#include "engine/simd/dispatch.h"

namespace sightline::engine::kernels::fast {
namespace {

// output[0 .. count) = input[0], input[stride], ... The vector loop stops one group early so its
// loads (input[2i .. 2i + 7]) never pass the run's last element.
template <class V>
void copy_run(const float* input, int64_t stride, int64_t count, float* output) {
  if (stride == 1) {
    std::memcpy(output, input, sizeof(float) * static_cast<size_t>(count));
    return;
  }
  int64_t i = 0;
  if (stride == 2) {
    for (; i + 5 <= count; i += 4) {
      V::store(output + i, V::even_lanes(V::load(input + 2 * i), V::load(input + 2 * i + 4)));
    }
  }
  for (; i < count; ++i) {
    output[i] = input[i * stride];
  }
}

}  // namespace

void strided_copy_f32(const KernelContext& context, const StridedCopy& copy, const float* input,
                      float* output) {
  const size_t rank = copy.extents.size();
  const float* base = input + copy.input_offset;
  if (rank == 0) {
    output[0] = base[0];
    return;
  }
  const int64_t inner = copy.extents[rank - 1];
  const int64_t inner_stride = copy.input_strides[rank - 1];
  int64_t runs = 1;
  for (size_t axis = 0; axis + 1 < rank; ++axis) {
    runs *= copy.extents[axis];
  }
  if (runs == 0 || inner == 0) {
    return;
  }

  simd::with_vec4(context.isa, [&]<class V>() {
    parallel_for(context, runs, [&](int64_t begin, int64_t end) {
      for (int64_t run = begin; run < end; ++run) {
        // The run's input offset from its index, one axis at a time from the innermost outer one.
        int64_t offset = 0;
        int64_t rest = run;
        for (size_t axis = rank - 1; axis-- > 0;) {
          offset += rest % copy.extents[axis] * copy.input_strides[axis];
          rest /= copy.extents[axis];
        }
        copy_run<V>(base + offset, inner_stride, inner, output + run * inner);
      }
    });
  });
}

}  // namespace sightline::engine::kernels::fast
