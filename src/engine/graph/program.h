// Program: a validated graph with one operator per node, planned for a concrete input shape and
// ready to run.
//
// Planning walks the nodes in topological order, lets each operator check its inputs and report
// its outputs' types and shapes, and evaluates at once every node whose inputs are all constants
// (constant folding), so only the remaining nodes become run-time steps. With fast kernels, an
// activation that only follows a convolution is fused into it (Conv -> Sigmoid, and
// Conv -> Sigmoid -> Mul(x, sigmoid(x)), i.e. SiLU). Then every run-time value gets a place in
// one arena by lifetime: values alive at the same time never overlap, a Reshape output is its
// input's buffer, and a Concat input is written by its producer straight into its block of the
// Concat output when that block is contiguous.
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

// Most bytes one plan may hold in intermediate values at once: the constants folded at load
// plus the run-time peak of the other values (initializers are bounded by the reader). The real
// detectors need well under 256 MiB; a WASM page has 2 GiB in all, so a hostile graph is
// refused while planning instead of failing an allocation in the middle of a run.
inline constexpr int64_t kMaxPlannedBytes = int64_t{1} << 30;

struct StepInfo {
  std::string node_name;  // may be empty: ONNX node names are optional
  // The node's operator, with "+Sigmoid" or "+SiLU" when activation nodes were fused into it.
  std::string op_type;
  std::string kernel;  // which kernel runs it ("gemm 1x1 avx2+fma", "reference", ...)
  int64_t flops = 0;   // per run; a multiply-add counts 2
};

class Program {
 public:
  // Takes the model's initializers; `operators` has one entry per node, in file order. The
  // operators run as `execution` says; the program keeps its own copy for them.
  Program(onnx::Model model, GraphIndex index, std::vector<std::unique_ptr<Operator>> operators,
          std::string source, const ExecutionContext& execution);
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // Plans for the given shape of the fed input; errors name the node that refused it. A plan
  // whose constants folded at load plus run-time peak exceed kMaxPlannedBytes is refused.
  Status plan(const Shape& input_shape);
  bool planned() const { return planned_; }
  const Shape& planned_shape() const { return planned_shape_; }

  // Runs the planned steps and returns the first graph output. Apart from that returned tensor
  // a run allocates nothing: every intermediate value lives in the arena sized by plan().
  Result<FloatTensor> run(const FloatTensor& input);

  std::vector<StepInfo> steps() const;
  size_t folded_node_count() const { return folded_nodes_; }

  // Bytes of the arena that holds every run-time value, and how many times its memory has
  // been allocated (once per plan that needs more than the last one).
  int64_t arena_bytes() const { return arena_bytes_; }
  int arena_allocations() const { return arena_allocations_; }

  // Per-step wall time: switching profiling on clears what was gathered. Milliseconds summed
  // over the profiled runs, parallel to steps().
  void set_profiling(bool enabled);
  bool profiling() const { return profiling_; }
  const std::vector<double>& step_milliseconds() const { return step_milliseconds_; }
  int profiled_runs() const { return profiled_runs_; }

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
    std::string op_type;
    std::vector<int> inputs;               // value ids, kNoValue for omitted inputs
    std::vector<int> outputs;              // value ids, kNoValue for omitted outputs
    std::vector<ValueType> unnamed_types;  // planned type and shape of omitted outputs
    std::vector<Tensor> unnamed_outputs;   // their buffers, allocated by plan()
    std::vector<const Tensor*> input_tensors;
    std::vector<Tensor*> output_tensors;
  };

  std::string node_context(size_t node) const;
  Status plan_node(size_t node, bool& folded, std::vector<ValueType>& planned_outputs);
  Status check_run_time_peak() const;
  Status execute_node(size_t node, std::vector<Tensor>& unnamed_outputs);
  void fuse_activations();
  void fuse_strided_copies();
  Status plan_memory();

  onnx::Model model_;
  GraphIndex index_;
  std::vector<std::unique_ptr<Operator>> operators_;
  std::string source_;
  ExecutionContext execution_;
  std::vector<Value> values_;
  std::vector<Step> steps_;
  size_t folded_nodes_ = 0;
  int64_t folded_bytes_ = 0;  // held by values computed at planning time
  bool planned_ = false;
  Shape planned_shape_;

  std::vector<uint8_t> arena_storage_;
  uint8_t* arena_ = nullptr;  // arena_storage_ aligned to kArenaAlignment
  int64_t arena_bytes_ = 0;
  int arena_allocations_ = 0;

  bool profiling_ = false;
  std::vector<double> step_milliseconds_;
  int profiled_runs_ = 0;
};

}  // namespace sightline::engine
