// The table of supported operators.
#include "engine/ops/registry.h"

#include <algorithm>
#include <string_view>

namespace sightline::engine {
namespace {

// Operator semantics are implemented for these ai.onnx opset versions.
constexpr int64_t kMinimumOpset = 7;
constexpr int64_t kMaximumOpset = 21;

using Factory = Result<std::unique_ptr<Operator>> (*)(const onnx::Node&, int64_t);

struct Entry {
  std::string_view op_type;
  Factory factory;
};

constexpr Entry kOperators[] = {
    {"Add", create_binary},
    {"Cast", create_cast},
    {"Concat", create_concat},
    {"Conv", create_conv},
    {"ConvInteger", create_conv_integer},
    {"Div", create_binary},
    {"DynamicQuantizeLinear", create_dynamic_quantize_linear},
    {"MaxPool", create_max_pool},
    {"Mul", create_binary},
    {"Reshape", create_reshape},
    {"Resize", create_resize},
    {"Sigmoid", create_sigmoid},
    {"Slice", create_slice},
    {"Softmax", create_softmax},
    {"Split", create_split},
    {"Sub", create_binary},
    {"Transpose", create_transpose},
};

}  // namespace

Result<std::unique_ptr<Operator>> create_operator(const onnx::Node& node, int64_t opset) {
  if (!node.domain.empty() && node.domain != "ai.onnx") {
    return make_error("operator domain '" + node.domain + "' is not supported (only ai.onnx)");
  }
  if (opset < kMinimumOpset || opset > kMaximumOpset) {
    return make_error("opset " + std::to_string(opset) + " is outside the supported range " +
                      std::to_string(kMinimumOpset) + " to " + std::to_string(kMaximumOpset));
  }
  for (const Entry& entry : kOperators) {
    if (entry.op_type == node.op_type) return entry.factory(node, opset);
  }
  return make_error("operator " + node.op_type + " is not supported");
}

std::vector<std::string> supported_operators() {
  std::vector<std::string> names;
  for (const Entry& entry : kOperators)
    names.emplace_back(entry.op_type);
  return names;
}

}  // namespace sightline::engine
