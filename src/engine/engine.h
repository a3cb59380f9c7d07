// Public face of Sightline's own inference engine.
//
// The engine reads an ONNX model straight from its protobuf bytes, checks that it supports every
// node, plans the execution and runs it on the CPU. Everything else in the project sees it only
// through these functions and the InferenceBackend interface.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend.h"
#include "core/result.h"

namespace sightline::engine {

struct EngineOptions {
  // Threads for the big operators, counting the calling thread; 1 runs everything on the
  // calling thread. The pool is created once when the model is loaded. The scalar reference
  // kernels always run on the calling thread.
  int threads = 1;
  // Forces the plain scalar reference kernels (no fusion), for debugging and as the oracle in
  // tests of the fast ones. The environment variable SIGHTLINE_FORCE_SCALAR=1 does the same.
  bool force_scalar = false;
};

struct OperatorUse {
  std::string op_type;
  int count = 0;
  bool supported = false;
};

struct UnsupportedNode {
  std::string node_name;
  std::string op_type;
  // Why the engine refuses it: an unknown operator, or the attribute/value it does not handle.
  std::string reason;
};

struct ModelSummary {
  int64_t ir_version = 0;
  int64_t opset = 0;
  std::string producer;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  std::vector<OperatorUse> operators;  // sorted by descending count, then name
  std::vector<UnsupportedNode> unsupported;
  int64_t parameter_count = 0;
};

// One step executed at run time, for profilers and diagnostics.
struct PlannedNode {
  std::string name;  // may be empty: ONNX node names are optional
  // The node's operator; "Conv+SiLU" or "Conv+Sigmoid" when activation nodes were fused in.
  std::string op_type;
  std::string kernel;  // e.g. "gemm 1x1 avx2+fma", "depthwise 3x3", "reference"
  int64_t flops = 0;   // floating-point operations per run; a multiply-add counts 2
};

// Mean wall time per run of one step, over the runs since profiling was switched on.
struct NodeProfile {
  PlannedNode node;
  double milliseconds = 0.0;
};

struct OpTypeProfile {
  std::string op_type;
  int steps = 0;
  double milliseconds = 0.0;
  int64_t flops = 0;
};

struct EngineProfile {
  int runs = 0;                         // runs averaged
  std::vector<NodeProfile> nodes;       // in execution order
  std::vector<OpTypeProfile> op_types;  // by descending time
  double total_milliseconds = 0.0;      // sum over the steps (excludes the input/output copies)
  int64_t total_flops = 0;
};

// The engine's backend, with introspection beyond InferenceBackend.
//
// Input shapes: a model whose input has only static dimensions is planned by load_engine. One
// with dynamic dimensions (or no declared shape) is planned by the first run() and planned again
// whenever run() sees a different shape; static dimensions must always match.
class Engine : public InferenceBackend {
 public:
  // The nodes one run() executes, in order; empty until the engine is planned. Nodes whose
  // inputs are all constants are evaluated once while planning and are not listed.
  virtual std::vector<PlannedNode> execution_order() const = 0;
  // How many nodes were evaluated at planning time because their inputs were constants.
  virtual size_t folded_node_count() const = 0;

  // "avx2+fma, 2 threads", "wasm-simd128, 1 thread" or "scalar reference, 1 thread".
  virtual std::string kernel_description() const = 0;

  // Per-step timing. Switching it on clears earlier figures; it adds two clock reads per step.
  virtual void set_profiling(bool enabled) = 0;
  // Figures of the runs since profiling was switched on (empty when there were none).
  virtual EngineProfile profile() const = 0;

  // The planned arena holding every intermediate value, and how many times its memory was
  // allocated (once per plan that needs more than the previous one; runs never allocate it).
  virtual int64_t arena_bytes() const = 0;
  virtual int arena_allocations() const = 0;
};

// Operator types the engine implements, sorted by name.
std::vector<std::string> supported_operator_types();

// Parses the model and reports what it contains and what the engine could run, without
// building an execution plan. Fails only when the bytes are not a readable ONNX model.
Result<ModelSummary> inspect_model(std::span<const uint8_t> onnx_bytes,
                                   std::string_view source_name);

// Parses, validates and plans the model. A model with any unsupported node is refused with one
// message that lists every such node with its name and operator.
Result<std::unique_ptr<InferenceBackend>> load_model(std::span<const uint8_t> onnx_bytes,
                                                     std::string_view source_name,
                                                     const EngineOptions& options = {});

// load_model with the engine's own interface.
Result<std::unique_ptr<Engine>> load_engine(std::span<const uint8_t> onnx_bytes,
                                            std::string_view source_name,
                                            const EngineOptions& options = {});

}  // namespace sightline::engine
