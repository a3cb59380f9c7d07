// Operator: one ONNX node's behaviour, split into three moments.
//
//   create  (registry.h) reads and validates the node's attributes and input count; a failure
//           here makes the node "unsupported" and is what inspect_model reports.
//   plan    checks input types and shapes for the concrete input shape, fixes every parameter the
//           kernel needs and reports each output's type and shape.
//   run     hands tensors to a kernel. No validation happens here: plan already did it.
//
// Kernels (kernels/) only compute; operators own all the ONNX semantics.
#pragma once

#include <span>
#include <vector>

#include "core/result.h"
#include "engine/tensor.h"

namespace sightline::engine {

// What planning knows about one input of a node.
struct PlanInput {
  bool present = false;  // false for an omitted optional input ("" in the node)
  DataType type = DataType::kUndefined;
  Shape shape;
  const Tensor* constant = nullptr;  // the value, when it is known before running
};

struct ValueType {
  DataType type = DataType::kUndefined;
  Shape shape;
};

class Operator {
 public:
  virtual ~Operator() = default;

  // `outputs` arrives sized to the node's output count.
  virtual Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) = 0;

  // Absent optional inputs are null. Outputs arrive allocated with the planned type and shape.
  virtual Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) = 0;
};

}  // namespace sightline::engine
