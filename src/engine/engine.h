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
  // Worker threads for the big operators; 1 runs everything on the calling thread.
  int threads = 1;
  // Forces the plain scalar reference kernels, for debugging and for tests of the fast ones.
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

// One node executed at run time, for profilers and diagnostics.
struct PlannedNode {
  std::string name;  // may be empty: ONNX node names are optional
  std::string op_type;
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
