// Small helpers shared by operator implementations: axis normalisation, reading constant index
// tensors, broadcasting and dense strides.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/kernels/kernel_params.h"
#include "engine/ops/operator.h"
#include "engine/tensor.h"

namespace sightline::engine {

// Maps an axis in [-rank, rank) to [0, rank), or fails naming the axis and the rank.
Result<int64_t> normalize_axis(int64_t axis, size_t rank, const char* what);

// The values of an int64 or int32 input that must be known at plan time (shapes, slice bounds).
Result<std::vector<int64_t>> constant_int64_values(const PlanInput& input, const char* what);
// The values of a float32 input that must be known at plan time (resize scales).
Result<std::vector<float>> constant_float_values(const PlanInput& input, const char* what);

Status require_type(const PlanInput& input, DataType type, const char* what);

// Numpy-style broadcast of two shapes.
Result<Shape> broadcast_shapes(const Shape& a, const Shape& b);
// Kernel view of a broadcast: size-1 axes dropped, contiguous axes merged.
kernels::BroadcastShape make_broadcast(const Shape& a, const Shape& b, const Shape& output);

// Row-major strides in elements.
std::vector<int64_t> dense_strides(const Shape& shape);

int64_t product(const Shape& shape, size_t begin, size_t end);

}  // namespace sightline::engine
