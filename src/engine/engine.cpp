// inspect_model, load_model and the Engine backend built on the ONNX reader, the operator
// registry and the Program planner.
#include "engine/engine.h"

#include <algorithm>
#include <map>

#include "core/log.h"
#include "engine/graph/graph_index.h"
#include "engine/graph/program.h"
#include "engine/onnx/onnx_reader.h"
#include "engine/ops/registry.h"
#include "engine/parallel/thread_pool.h"
#include "engine/simd/isa.h"
#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

constexpr int kMaxThreads = 256;

TensorInfo tensor_info(const onnx::ValueInfo& info) {
  return TensorInfo{info.name, info.has_shape ? info.dims : std::vector<int64_t>{}};
}

bool is_initializer(const onnx::Graph& graph, const std::string& name) {
  return std::any_of(graph.initializers.begin(), graph.initializers.end(),
                     [&](const onnx::TensorData& tensor) { return tensor.name == name; });
}

// Creates every node's operator; collects each refusal as "<node> (<op>): <reason>".
std::vector<UnsupportedNode> create_operators(const onnx::Model& model,
                                              std::vector<std::unique_ptr<Operator>>& operators) {
  std::vector<UnsupportedNode> unsupported;
  const int64_t opset = model.default_opset();
  operators.clear();
  for (size_t n = 0; n < model.graph.nodes.size(); ++n) {
    const onnx::Node& node = model.graph.nodes[n];
    Result<std::unique_ptr<Operator>> created = create_operator(node, opset);
    if (created.ok()) {
      operators.push_back(std::move(created).value());
    } else {
      operators.push_back(nullptr);
      unsupported.push_back({node_label(node, n), node.op_type, created.message()});
    }
  }
  return unsupported;
}

std::string describe_unsupported(const std::vector<UnsupportedNode>& nodes) {
  std::string text =
      std::to_string(nodes.size()) + " unsupported node" + (nodes.size() == 1 ? "" : "s") + ": ";
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) text += "; ";
    text += nodes[i].node_name + " (" + nodes[i].op_type + "): " + nodes[i].reason;
  }
  return text;
}

class SightlineEngine final : public Engine {
 public:
  SightlineEngine(std::unique_ptr<parallel::ThreadPool> pool, std::string kernels,
                  std::unique_ptr<Program> program, TensorInfo input,
                  std::vector<TensorInfo> outputs, std::string source)
      : pool_(std::move(pool)),
        kernels_(std::move(kernels)),
        program_(std::move(program)),
        outputs_(std::move(outputs)),
        source_(std::move(source)) {
    inputs_.push_back(std::move(input));
  }

  std::string name() const override { return "sightline"; }
  const std::vector<TensorInfo>& inputs() const override { return inputs_; }
  const std::vector<TensorInfo>& outputs() const override { return outputs_; }

  Result<FloatTensor> run(const FloatTensor& input) override {
    SL_RETURN_IF_ERROR(check_input(input));
    if (!program_->planned() || program_->planned_shape() != input.shape) {
      SL_RETURN_IF_ERROR(program_->plan(input.shape));
      log_info("engine", source_ + ": planned for input shape " + shape_string(input.shape));
    }
    return program_->run(input);
  }

  std::vector<PlannedNode> execution_order() const override {
    std::vector<PlannedNode> nodes;
    if (!program_->planned()) return nodes;
    for (const StepInfo& step : program_->steps())
      nodes.push_back({step.node_name, step.op_type, step.kernel, step.flops});
    return nodes;
  }

  size_t folded_node_count() const override { return program_->folded_node_count(); }

  std::string kernel_description() const override { return kernels_; }

  void set_profiling(bool enabled) override { program_->set_profiling(enabled); }

  EngineProfile profile() const override {
    EngineProfile profile;
    const int runs = program_->profiled_runs();
    if (runs == 0 || !program_->planned()) return profile;
    profile.runs = runs;
    const std::vector<PlannedNode> nodes = execution_order();
    const std::vector<double>& milliseconds = program_->step_milliseconds();
    std::map<std::string, OpTypeProfile> by_type;
    for (size_t i = 0; i < nodes.size(); ++i) {
      const double mean = milliseconds[i] / runs;
      profile.nodes.push_back({nodes[i], mean});
      profile.total_milliseconds += mean;
      profile.total_flops += nodes[i].flops;
      OpTypeProfile& type = by_type[nodes[i].op_type];
      type.op_type = nodes[i].op_type;
      ++type.steps;
      type.milliseconds += mean;
      type.flops += nodes[i].flops;
    }
    for (auto& [name, type] : by_type)
      profile.op_types.push_back(type);
    std::stable_sort(profile.op_types.begin(), profile.op_types.end(),
                     [](const OpTypeProfile& a, const OpTypeProfile& b) {
                       return a.milliseconds > b.milliseconds;
                     });
    return profile;
  }

  int64_t arena_bytes() const override { return program_->arena_bytes(); }
  int arena_allocations() const override { return program_->arena_allocations(); }

  Status plan_declared_shape() {
    const std::vector<int64_t>& shape = inputs_[0].shape;
    const bool is_static =
        std::all_of(shape.begin(), shape.end(), [](int64_t d) { return d >= 0; });
    if (shape.empty() || !is_static) {
      log_info("engine", source_ + ": input '" + inputs_[0].name +
                             "' has dynamic dimensions; planning on the first run");
      return Status::success();
    }
    return program_->plan(shape);
  }

 private:
  Status check_input(const FloatTensor& input) const {
    const TensorInfo& declared = inputs_[0];
    const Result<int64_t> count = checked_element_count(input.shape);
    if (!count.ok())
      return make_error(source_ + ": input '" + declared.name + "': " + count.message());
    if (static_cast<size_t>(count.value()) != input.data.size()) {
      return make_error(source_ + ": input '" + declared.name + "' has " +
                        std::to_string(input.data.size()) + " values but its shape " +
                        shape_string(input.shape) + " needs " + std::to_string(count.value()));
    }
    if (declared.shape.empty()) return Status::success();
    bool matches = declared.shape.size() == input.shape.size();
    for (size_t i = 0; matches && i < input.shape.size(); ++i) {
      matches = declared.shape[i] < 0 || declared.shape[i] == input.shape[i];
    }
    if (!matches) {
      return make_error(source_ + ": input '" + declared.name + "' has shape " +
                        shape_string(input.shape) + " but the model expects " +
                        shape_string(declared.shape) + " (-1: any size)");
    }
    return Status::success();
  }

  // Declared before the program so it outlives the operators that use it.
  std::unique_ptr<parallel::ThreadPool> pool_;
  std::string kernels_;
  std::unique_ptr<Program> program_;
  std::vector<TensorInfo> inputs_;
  std::vector<TensorInfo> outputs_;
  std::string source_;
};

}  // namespace

std::vector<std::string> supported_operator_types() {
  return supported_operators();
}

Result<ModelSummary> inspect_model(std::span<const uint8_t> onnx_bytes,
                                   std::string_view source_name) {
  const std::string source(source_name);
  SL_ASSIGN_OR_RETURN(onnx::Model model, onnx::read_model(onnx_bytes, source));

  ModelSummary summary;
  summary.ir_version = model.ir_version;
  summary.opset = model.default_opset();
  summary.producer = model.producer_name;
  for (const onnx::ValueInfo& input : model.graph.inputs) {
    if (!is_initializer(model.graph, input.name)) summary.inputs.push_back(tensor_info(input));
  }
  for (const onnx::ValueInfo& output : model.graph.outputs) {
    summary.outputs.push_back(tensor_info(output));
  }
  for (const onnx::TensorData& tensor : model.graph.initializers) {
    // The reader has already checked each initializer's element count against 2^28.
    int64_t count = 1;
    for (int64_t extent : tensor.dims)
      count *= extent;
    summary.parameter_count += count;
  }

  std::vector<std::unique_ptr<Operator>> operators;
  summary.unsupported = create_operators(model, operators);

  std::map<std::string, OperatorUse> uses;
  for (size_t n = 0; n < model.graph.nodes.size(); ++n) {
    OperatorUse& use = uses[model.graph.nodes[n].op_type];
    if (use.count == 0) use.supported = true;
    use.op_type = model.graph.nodes[n].op_type;
    ++use.count;
    use.supported = use.supported && operators[n] != nullptr;
  }
  for (auto& [op_type, use] : uses)
    summary.operators.push_back(use);
  std::stable_sort(summary.operators.begin(), summary.operators.end(),
                   [](const OperatorUse& a, const OperatorUse& b) { return a.count > b.count; });
  return summary;
}

Result<std::unique_ptr<Engine>> load_engine(std::span<const uint8_t> onnx_bytes,
                                            std::string_view source_name,
                                            const EngineOptions& options) {
  const std::string source(source_name);
  if (options.threads < 1 || options.threads > kMaxThreads) {
    return make_error("engine threads " + std::to_string(options.threads) + " is outside [1, " +
                      std::to_string(kMaxThreads) + "]");
  }
  SL_ASSIGN_OR_RETURN(onnx::Model model, onnx::read_model(onnx_bytes, source));

  std::vector<std::unique_ptr<Operator>> operators;
  const std::vector<UnsupportedNode> unsupported = create_operators(model, operators);
  if (!unsupported.empty()) {
    return make_error(source + ": the model has " + describe_unsupported(unsupported));
  }

  SL_ASSIGN_OR_RETURN(GraphIndex index, index_graph(model.graph, source));
  if (index.fed_inputs.size() != 1) {
    return make_error(source + ": the model has " + std::to_string(index.fed_inputs.size()) +
                      " inputs besides its initializers; the engine feeds exactly one");
  }
  const onnx::ValueInfo& input_info = model.graph.inputs[index.fed_input_infos[0]];
  if (input_info.onnx_elem_type != 1) {
    return make_error(source + ": input '" + input_info.name + "' has type " +
                      onnx_data_type_name(input_info.onnx_elem_type) +
                      "; the engine feeds float32 inputs only");
  }
  TensorInfo input = tensor_info(input_info);
  std::vector<TensorInfo> outputs;
  for (const onnx::ValueInfo& output : model.graph.outputs)
    outputs.push_back(tensor_info(output));

  const size_t node_count = model.graph.nodes.size();
  const int64_t opset = model.default_opset();

  ExecutionContext execution;
  execution.fast = !options.force_scalar && !simd::scalar_forced_by_environment();
  std::unique_ptr<parallel::ThreadPool> pool;
  std::string kernels = "scalar reference, 1 thread";
  if (execution.fast) {
    execution.kernels.isa = simd::select_isa(false);
    if (options.threads > 1) {
      pool = std::make_unique<parallel::ThreadPool>(options.threads);
      execution.kernels.pool = pool.get();
    }
    const int threads = pool != nullptr ? pool->threads() : 1;
    kernels = std::string(simd::isa_name(execution.kernels.isa)) + ", " + std::to_string(threads) +
              (threads == 1 ? " thread" : " threads");
  }
  auto program = std::make_unique<Program>(std::move(model), std::move(index), std::move(operators),
                                           source, execution);
  auto engine = std::make_unique<SightlineEngine>(std::move(pool), kernels, std::move(program),
                                                  std::move(input), std::move(outputs), source);
  SL_RETURN_IF_ERROR(engine->plan_declared_shape());
  log_info("engine",
           source + ": " + std::to_string(node_count) + " nodes, opset " + std::to_string(opset) +
               ", " + std::to_string(engine->execution_order().size()) + " run-time steps, " +
               std::to_string(engine->folded_node_count()) + " folded at load (" + kernels + ")");
  return std::unique_ptr<Engine>(std::move(engine));
}

Result<std::unique_ptr<InferenceBackend>> load_model(std::span<const uint8_t> onnx_bytes,
                                                     std::string_view source_name,
                                                     const EngineOptions& options) {
  SL_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine,
                      load_engine(onnx_bytes, source_name, options));
  return std::unique_ptr<InferenceBackend>(std::move(engine));
}

}  // namespace sightline::engine
