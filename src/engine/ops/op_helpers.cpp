// Axis, constant-input, stride and broadcasting helpers for operators.
#include "engine/ops/op_helpers.h"

#include <algorithm>

namespace sightline::engine {

Result<int64_t> normalize_axis(int64_t axis, size_t rank, const char* what) {
  const int64_t signed_rank = static_cast<int64_t>(rank);
  if (axis < -signed_rank || axis >= signed_rank) {
    return make_error(std::string(what) + " " + std::to_string(axis) + " is outside [" +
                      std::to_string(-signed_rank) + ", " + std::to_string(signed_rank) +
                      ") for a rank-" + std::to_string(rank) + " tensor");
  }
  return axis < 0 ? axis + signed_rank : axis;
}

Result<std::vector<int64_t>> constant_int64_values(const PlanInput& input, const char* what) {
  if (input.constant == nullptr) {
    return make_error(std::string(what) +
                      " must be a constant (an initializer or computed from initializers); "
                      "values computed at run time are not supported");
  }
  const Tensor& tensor = *input.constant;
  const int64_t count = tensor.element_count();
  std::vector<int64_t> values(static_cast<size_t>(count));
  if (tensor.type == DataType::kInt64) {
    std::copy(tensor.data<int64_t>(), tensor.data<int64_t>() + count, values.begin());
  } else if (tensor.type == DataType::kInt32) {
    std::copy(tensor.data<int32_t>(), tensor.data<int32_t>() + count, values.begin());
  } else {
    return make_error(std::string(what) + " has type " + data_type_name(tensor.type) +
                      ", expected int64 or int32");
  }
  return values;
}

Result<std::vector<float>> constant_float_values(const PlanInput& input, const char* what) {
  if (input.constant == nullptr) {
    return make_error(std::string(what) +
                      " must be a constant; values computed at run time are "
                      "not supported");
  }
  const Tensor& tensor = *input.constant;
  if (tensor.type != DataType::kFloat32) {
    return make_error(std::string(what) + " has type " + data_type_name(tensor.type) +
                      ", expected float32");
  }
  return std::vector<float>(tensor.data<float>(), tensor.data<float>() + tensor.element_count());
}

Status require_type(const PlanInput& input, DataType type, const char* what) {
  if (input.type == type) return Status::success();
  return make_error(std::string(what) + " has type " + data_type_name(input.type) + ", expected " +
                    data_type_name(type));
}

Result<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape output(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Aligned from the right, missing leading axes count as 1.
    const int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      return make_error("shapes " + shape_string(a) + " and " + shape_string(b) +
                        " cannot be broadcast (axis " + std::to_string(i) + ": " +
                        std::to_string(da) + " vs " + std::to_string(db) + ")");
    }
    output[i] = da == 1 ? db : da;
  }
  return output;
}

kernels::BroadcastShape make_broadcast(const Shape& a, const Shape& b, const Shape& output) {
  const size_t rank = output.size();
  const std::vector<int64_t> a_dense = dense_strides(a);
  const std::vector<int64_t> b_dense = dense_strides(b);

  kernels::BroadcastShape view;
  for (size_t i = 0; i < rank; ++i) {
    if (output[i] == 1) continue;
    const size_t a_axis = i + a.size() - rank;
    const size_t b_axis = i + b.size() - rank;
    const int64_t a_stride = (i + a.size() >= rank && a[a_axis] != 1) ? a_dense[a_axis] : 0;
    const int64_t b_stride = (i + b.size() >= rank && b[b_axis] != 1) ? b_dense[b_axis] : 0;

    // Merge into the previous axis when both inputs continue contiguously across the boundary.
    if (!view.extents.empty() && view.a_strides.back() == a_stride * output[i] &&
        view.b_strides.back() == b_stride * output[i]) {
      view.extents.back() *= output[i];
      view.a_strides.back() = a_stride;
      view.b_strides.back() = b_stride;
      continue;
    }
    view.extents.push_back(output[i]);
    view.a_strides.push_back(a_stride);
    view.b_strides.push_back(b_stride);
  }
  if (view.extents.empty()) {
    view.extents.push_back(1);
    view.a_strides.push_back(0);
    view.b_strides.push_back(0);
  }
  return view;
}

std::vector<int64_t> dense_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t axis = shape.size(); axis-- > 1;)
    strides[axis - 1] = strides[axis] * shape[axis];
  return strides;
}

int64_t product(const Shape& shape, size_t begin, size_t end) {
  int64_t result = 1;
  for (size_t axis = begin; axis < end; ++axis)
    result *= shape[axis];
  return result;
}

}  // namespace sightline::engine
