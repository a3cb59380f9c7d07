// Program: a validated graph with one operator per node, planned for a concrete input shape and
// ready to run.
//
// Planning walks the nodes in topological order, lets each operator check its inputs and report
// its outputs' types and shapes, and evaluates at once every node whose inputs are all constants
// (constant folding), so only the remaining nodes become run-time steps. A run allocates each
// value's buffer when its producer runs and frees it after its last reader.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/tensor.h"
#include "engine/graph/graph_index.h"
#include "engine/onnx/model.h"
#include "engine/ops/operator.h"

namespace sightline::engine {

struct StepInfo {
  std::string node_name;  // may be empty: ONNX node names are optional
  std::string op_type;
};

class Program {
 public:
  // Takes the model's initializers; `operators` has one entry per node, in file order.
  Program(onnx::Model model, GraphIndex index, std::vector<std::unique_ptr<Operator>> operators,
          std::string source);

  // Plans for the given shape of the fed input; errors name the node that refused it.
  Status plan(const Shape& input_shape);
  bool planned() const { return planned_; }
  const Shape& planned_shape() const { return planned_shape_; }

  // Runs the planned steps and returns the first graph output.
  Result<FloatTensor> run(const FloatTensor& input);

  std::vector<StepInfo> steps() const;
  size_t folded_node_count() const { return folded_nodes_; }

 private:
  struct Value {
    DataType type = DataType::kUndefined;
    Shape shape;
    bool constant = false;
    bool initializer = false;
    bool keep = false;  // graph outputs and constants survive until the end of a run
    int last_step = -1;
    Tensor data;
  };

  struct Step {
    size_t node = 0;
    std::vector<Tensor> unnamed_outputs;  // buffers for omitted ("") outputs
  };

  std::string node_context(size_t node) const;
  Status plan_node(size_t node, bool& folded);
  Status execute_node(size_t node, std::vector<Tensor>& unnamed_outputs);

  onnx::Model model_;
  GraphIndex index_;
  std::vector<std::unique_ptr<Operator>> operators_;
  std::string source_;
  std::vector<Value> values_;
  std::vector<Step> steps_;
  size_t folded_nodes_ = 0;
  bool planned_ = false;
  Shape planned_shape_;
};

}  // namespace sightline::engine
