// Which ONNX operators the engine implements, and how to create one for a node.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/onnx/model.h"
#include "engine/ops/operator.h"

namespace sightline::engine {

// Validates the node's domain, attributes and input/output counts for the model's opset
// version. The error message is the reason only; callers add the node name and type.
Result<std::unique_ptr<Operator>> create_operator(const onnx::Node& node, int64_t opset);

// Sorted list of supported operator types.
std::vector<std::string> supported_operators();

// Factories, one per operator family file.
Result<std::unique_ptr<Operator>> create_conv(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_conv_integer(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_max_pool(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_binary(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_sigmoid(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_cast(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_reshape(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_transpose(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_concat(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_slice(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_split(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_resize(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_softmax(const onnx::Node& node, int64_t opset);
Result<std::unique_ptr<Operator>> create_dynamic_quantize_linear(const onnx::Node& node,
                                                                 int64_t opset);

}  // namespace sightline::engine
