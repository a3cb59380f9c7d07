// Fuzz check for ONNX files: the reader and operator table (inspect_model), the graph builder and
// planner (load_engine), and, for models small enough, two runs of the planned program.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "fuzz/checks/check_support.h"

namespace sightline::fuzz {
namespace onnx_check {

// Models with inputs above this many values, or planned at load with an arena above this many
// bytes, are not run: a run's cost grows with them (a 228-byte model can resize its way to a
// 1 GiB output, the planner's cap), and the point is to reach the kernels' bounds checks, not to
// spend seconds per input. The caps themselves are tested in tests/engine.
constexpr int64_t kMaxRunElements = 4096;
constexpr int64_t kMaxRunArenaBytes = int64_t{64} << 20;

// The declared input shape with dynamic dimensions set to 2; empty when it cannot be run cheaply.
inline std::vector<int64_t> runnable_shape(const std::vector<int64_t>& declared) {
  std::vector<int64_t> shape;
  int64_t count = 1;
  for (int64_t extent : declared) {
    const int64_t used = extent < 0 ? 2 : extent;
    if (used > kMaxRunElements || (used > 0 && count > kMaxRunElements / used)) return {};
    count *= used;
    shape.push_back(used);
  }
  return count <= kMaxRunElements ? shape : std::vector<int64_t>{};
}

inline std::string check_output(const Result<FloatTensor>& output) {
  if (!output.ok()) return check_error_message("run", output.message(), "fuzz.onnx");
  int64_t count = 1;
  for (int64_t extent : output->shape) {
    if (extent < 0) return "run returned a negative dimension";
    count *= extent;
  }
  if (static_cast<size_t>(count) != output->data.size()) {
    return "run returned " + std::to_string(output->data.size()) + " values for shape " +
           shape_to_string(output->shape);
  }
  return "";
}

}  // namespace onnx_check

inline std::string check_onnx(std::span<const uint8_t> bytes) {
  constexpr std::string_view kSource = "fuzz.onnx";

  const Result<engine::ModelSummary> summary = engine::inspect_model(bytes, kSource);
  if (!summary.ok()) {
    if (std::string problem = check_error_message("inspect_model", summary.message(), kSource);
        !problem.empty())
      return problem;
  } else {
    for (const engine::UnsupportedNode& node : summary->unsupported) {
      if (node.reason.empty())
        return "inspect_model listed unsupported node '" + node.node_name + "' without a reason";
    }
  }

  Result<std::unique_ptr<engine::Engine>> engine = engine::load_engine(bytes, kSource);
  if (!engine.ok()) return check_error_message("load_engine", engine.message(), kSource);
  if (!summary.ok())
    return "load_engine accepted a model inspect_model refused: " + summary.message();
  if (!summary->unsupported.empty()) return "load_engine accepted a model with unsupported nodes";
  if (engine.value()->inputs().size() != 1)
    return "load_engine accepted a model without exactly one fed input";

  const std::vector<int64_t> shape = onnx_check::runnable_shape(engine.value()->inputs()[0].shape);
  if (shape.empty() || engine.value()->arena_bytes() > onnx_check::kMaxRunArenaBytes) return "";
  FloatTensor input;
  input.shape = shape;
  input.data.resize(static_cast<size_t>(input.element_count()));
  for (size_t i = 0; i < input.data.size(); ++i)
    input.data[i] = static_cast<float>(i % 7) * 0.25f - 0.5f;

  // The same input twice must give the same bits: a second run reuses the plan and its buffers.
  const Result<FloatTensor> first = engine.value()->run(input);
  if (std::string problem = onnx_check::check_output(first); !problem.empty() || !first.ok())
    return problem;
  const Result<FloatTensor> second = engine.value()->run(input);
  if (std::string problem = onnx_check::check_output(second); !problem.empty()) return problem;
  if (!second.ok()) return "a second run failed where the first succeeded: " + second.message();
  if (first->shape != second->shape ||
      (!first->data.empty() && std::memcmp(first->data.data(), second->data.data(),
                                           first->data.size() * sizeof(float)) != 0))
    return "two runs on the same input gave different outputs";
  return "";
}

}  // namespace sightline::fuzz
