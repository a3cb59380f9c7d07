// Scalar data movement: strided copies (Slice, Transpose), Concat, Split and nearest resize.
#include <cstring>
#include <vector>

#include "engine/kernels/reference/rank_counters.h"
#include "engine/kernels/reference/reference_kernels.h"

namespace sightline::engine::kernels {
namespace {

template <class T>
void copy_run(const uint8_t* input, int64_t stride, int64_t count, uint8_t* output) {
  const T* in = reinterpret_cast<const T*>(input);
  T* out = reinterpret_cast<T*>(output);
  for (int64_t i = 0; i < count; ++i)
    out[i] = in[i * stride];
}

void copy_strided_run(const uint8_t* input, int64_t stride, int64_t count, size_t element_size,
                      uint8_t* output) {
  if (stride == 1) {
    copy_bytes(output, input, static_cast<size_t>(count) * element_size);
    return;
  }
  switch (element_size) {
    case 1:
      return copy_run<uint8_t>(input, stride, count, output);
    case 4:
      return copy_run<uint32_t>(input, stride, count, output);
    case 8:
      return copy_run<uint64_t>(input, stride, count, output);
    default:
      for (int64_t i = 0; i < count; ++i) {
        std::memcpy(output + i * element_size, input + i * stride * element_size, element_size);
      }
  }
}

}  // namespace

void strided_copy_reference(const StridedCopy& copy, size_t element_size, const uint8_t* input,
                            uint8_t* output) {
  const size_t rank = copy.extents.size();
  const uint8_t* base = input + copy.input_offset * static_cast<int64_t>(element_size);
  if (rank == 0) {
    std::memcpy(output, base, element_size);
    return;
  }
  const int64_t inner = copy.extents[rank - 1];
  const int64_t inner_stride = copy.input_strides[rank - 1];
  int64_t outer = 1;
  for (size_t axis = 0; axis + 1 < rank; ++axis)
    outer *= copy.extents[axis];
  if (inner == 0 || outer == 0) return;

  // Odometer over the outer axes, tracking the input offset in elements.
  RankCounters index(rank, 0);
  int64_t offset = 0;
  for (int64_t run = 0; run < outer; ++run) {
    copy_strided_run(base + offset * static_cast<int64_t>(element_size), inner_stride, inner,
                     element_size, output + run * inner * static_cast<int64_t>(element_size));
    for (size_t axis = rank - 1; axis-- > 0;) {
      offset += copy.input_strides[axis];
      if (++index[axis] < copy.extents[axis]) break;
      offset -= copy.input_strides[axis] * copy.extents[axis];
      index[axis] = 0;
    }
  }
}

void concat_reference(std::span<const uint8_t* const> inputs, std::span<const int64_t> block_bytes,
                      int64_t outer, uint8_t* output) {
  for (int64_t row = 0; row < outer; ++row) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const size_t size = static_cast<size_t>(block_bytes[i]);
      copy_bytes(output, inputs[i] + row * block_bytes[i], size);
      output += size;
    }
  }
}

void split_reference(const uint8_t* input, int64_t outer, std::span<const int64_t> block_bytes,
                     std::span<uint8_t* const> outputs) {
  for (int64_t row = 0; row < outer; ++row) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const size_t size = static_cast<size_t>(block_bytes[i]);
      copy_bytes(outputs[i] + row * block_bytes[i], input, size);
      input += size;
    }
  }
}

// Layouts: input and output dense row-major in input_shape / output_shape.
void resize_nearest_f32_reference(const NearestResize& resize, const float* input, float* output) {
  const size_t rank = resize.output_shape.size();
  if (rank == 0) {
    output[0] = input[0];
    return;
  }
  RankCounters input_strides(rank, 1);
  for (size_t axis = rank - 1; axis-- > 0;) {
    input_strides[axis] = input_strides[axis + 1] * resize.input_shape[axis + 1];
  }
  const int64_t inner = resize.output_shape[rank - 1];
  const std::vector<int64_t>& inner_source = resize.source_index[rank - 1];
  int64_t outer = 1;
  for (size_t axis = 0; axis + 1 < rank; ++axis)
    outer *= resize.output_shape[axis];

  RankCounters index(rank, 0);
  for (int64_t run = 0; run < outer; ++run) {
    int64_t offset = 0;
    for (size_t axis = 0; axis + 1 < rank; ++axis) {
      offset += resize.source_index[axis][index[axis]] * input_strides[axis];
    }
    const float* line = input + offset;
    float* out = output + run * inner;
    for (int64_t x = 0; x < inner; ++x)
      out[x] = line[inner_source[x]];

    for (size_t axis = rank - 1; axis-- > 0;) {
      if (++index[axis] < resize.output_shape[axis]) break;
      index[axis] = 0;
    }
  }
}

}  // namespace sightline::engine::kernels
