// Scalar elementwise kernels: sigmoid, broadcasting binary arithmetic and type casts.
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "engine/kernels/reference/rank_counters.h"
#include "engine/kernels/reference/reference_kernels.h"

namespace sightline::engine::kernels {
namespace {

struct Add {
  float operator()(float a, float b) const { return a + b; }
};
struct Sub {
  float operator()(float a, float b) const { return a - b; }
};
struct Mul {
  float operator()(float a, float b) const { return a * b; }
};
struct Div {
  float operator()(float a, float b) const { return a / b; }
};

// One run along the innermost axis. The common stride patterns get their own loops so the
// compiler can vectorise them.
template <class Op>
void inner_run(Op op, const float* a, int64_t a_stride, const float* b, int64_t b_stride,
               float* out, int64_t count) {
  if (a_stride == 1 && b_stride == 1) {
    for (int64_t i = 0; i < count; ++i)
      out[i] = op(a[i], b[i]);
  } else if (a_stride == 1 && b_stride == 0) {
    const float scalar = b[0];
    for (int64_t i = 0; i < count; ++i)
      out[i] = op(a[i], scalar);
  } else if (a_stride == 0 && b_stride == 1) {
    const float scalar = a[0];
    for (int64_t i = 0; i < count; ++i)
      out[i] = op(scalar, b[i]);
  } else {
    for (int64_t i = 0; i < count; ++i)
      out[i] = op(a[i * a_stride], b[i * b_stride]);
  }
}

template <class Op>
void broadcast(Op op, const BroadcastShape& s, const float* a, const float* b, float* out) {
  const size_t rank = s.extents.size();
  if (rank == 0) {
    out[0] = op(a[0], b[0]);
    return;
  }
  const int64_t inner = s.extents[rank - 1];
  int64_t outer = 1;
  for (size_t axis = 0; axis + 1 < rank; ++axis)
    outer *= s.extents[axis];

  // Odometer over the outer axes, tracking each input's offset.
  RankCounters index(rank, 0);
  int64_t a_offset = 0;
  int64_t b_offset = 0;
  for (int64_t run = 0; run < outer; ++run) {
    inner_run(op, a + a_offset, s.a_strides[rank - 1], b + b_offset, s.b_strides[rank - 1],
              out + run * inner, inner);
    for (size_t axis = rank - 1; axis-- > 0;) {
      a_offset += s.a_strides[axis];
      b_offset += s.b_strides[axis];
      if (++index[axis] < s.extents[axis]) break;
      a_offset -= s.a_strides[axis] * s.extents[axis];
      b_offset -= s.b_strides[axis] * s.extents[axis];
      index[axis] = 0;
    }
  }
}

template <class To>
To float_to_integer(float value) {
  if (std::isnan(value)) return 0;
  // Compared in double, where every bound of these integer types is exact or rounds upward.
  const double wide = value;
  if (wide <= static_cast<double>(std::numeric_limits<To>::lowest())) {
    return std::numeric_limits<To>::lowest();
  }
  if (wide >= static_cast<double>(std::numeric_limits<To>::max())) {
    return std::numeric_limits<To>::max();
  }
  return static_cast<To>(wide);
}

template <class From, class To>
void convert(const From* input, To* output, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    if constexpr (std::is_same_v<From, float> && !std::is_same_v<To, float>) {
      output[i] = float_to_integer<To>(input[i]);
    } else {
      output[i] = static_cast<To>(input[i]);
    }
  }
}

template <class From>
void convert_to(const From* input, DataType to, void* output, int64_t count) {
  switch (to) {
    case DataType::kFloat32:
      return convert(input, static_cast<float*>(output), count);
    case DataType::kUint8:
      return convert(input, static_cast<uint8_t*>(output), count);
    case DataType::kInt8:
      return convert(input, static_cast<int8_t*>(output), count);
    case DataType::kInt32:
      return convert(input, static_cast<int32_t*>(output), count);
    case DataType::kInt64:
      return convert(input, static_cast<int64_t*>(output), count);
    case DataType::kUndefined:
      return;
  }
}

}  // namespace

void sigmoid_f32_reference(const float* input, float* output, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    output[i] = 1.0f / (1.0f + std::exp(-input[i]));
}

void binary_f32_reference(BinaryOp op, const BroadcastShape& shape, const float* a, const float* b,
                          float* output) {
  switch (op) {
    case BinaryOp::kAdd:
      return broadcast(Add{}, shape, a, b, output);
    case BinaryOp::kSub:
      return broadcast(Sub{}, shape, a, b, output);
    case BinaryOp::kMul:
      return broadcast(Mul{}, shape, a, b, output);
    case BinaryOp::kDiv:
      return broadcast(Div{}, shape, a, b, output);
  }
}

void cast_reference(DataType from, const void* input, DataType to, void* output, int64_t count) {
  switch (from) {
    case DataType::kFloat32:
      return convert_to(static_cast<const float*>(input), to, output, count);
    case DataType::kUint8:
      return convert_to(static_cast<const uint8_t*>(input), to, output, count);
    case DataType::kInt8:
      return convert_to(static_cast<const int8_t*>(input), to, output, count);
    case DataType::kInt32:
      return convert_to(static_cast<const int32_t*>(input), to, output, count);
    case DataType::kInt64:
      return convert_to(static_cast<const int64_t*>(input), to, output, count);
    case DataType::kUndefined:
      return;
  }
}

}  // namespace sightline::engine::kernels
