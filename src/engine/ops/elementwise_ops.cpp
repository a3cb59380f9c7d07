// Add, Sub, Mul, Div (float32, numpy broadcasting), Sigmoid and Cast. With fast kernels, Add and
// Mul of equal shapes and Sigmoid take the vector kernels; the rest stays on the reference ones.
#include "engine/kernels/fast/elementwise.h"
#include "engine/kernels/reference/reference_kernels.h"
#include "engine/ops/attributes.h"
#include "engine/ops/op_helpers.h"
#include "engine/ops/registry.h"
#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

class BinaryOperator final : public Operator {
 public:
  explicit BinaryOperator(kernels::BinaryOp op) : op_(op) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    SL_RETURN_IF_ERROR(require_type(inputs[0], DataType::kFloat32, "input A"));
    SL_RETURN_IF_ERROR(require_type(inputs[1], DataType::kFloat32, "input B"));
    SL_ASSIGN_OR_RETURN(Shape output, broadcast_shapes(inputs[0].shape, inputs[1].shape));
    broadcast_ = make_broadcast(inputs[0].shape, inputs[1].shape, output);
    count_ = product(output, 0, output.size());
    empty_ = count_ == 0;
    vector_ = fast() && (op_ == kernels::BinaryOp::kAdd || op_ == kernels::BinaryOp::kMul) &&
              inputs[0].shape == output && inputs[1].shape == output;
    outputs[0] = {DataType::kFloat32, std::move(output)};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    if (empty_) return Status::success();
    if (vector_) {
      const float* a = inputs[0]->data<float>();
      const float* b = inputs[1]->data<float>();
      float* y = outputs[0]->data<float>();
      if (op_ == kernels::BinaryOp::kAdd) {
        kernels::fast::add_f32(kernel_context(), a, b, y, count_);
      } else {
        kernels::fast::mul_f32(kernel_context(), a, b, y, count_);
      }
      return Status::success();
    }
    kernels::binary_f32_reference(op_, broadcast_, inputs[0]->data<float>(),
                                  inputs[1]->data<float>(), outputs[0]->data<float>());
    return Status::success();
  }

  int64_t flops() const override { return count_; }
  std::string kernel_name() const override { return vector_ ? "vector" : "reference"; }

 private:
  kernels::BinaryOp op_;
  kernels::BroadcastShape broadcast_;
  int64_t count_ = 0;
  bool empty_ = false;
  bool vector_ = false;
};

class SigmoidOperator final : public Operator {
 public:
  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    SL_RETURN_IF_ERROR(require_type(inputs[0], DataType::kFloat32, "input X"));
    outputs[0] = {DataType::kFloat32, inputs[0].shape};
    count_ = product(inputs[0].shape, 0, inputs[0].shape.size());
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    if (fast()) {
      kernels::fast::sigmoid_f32(kernel_context(), inputs[0]->data<float>(),
                                 outputs[0]->data<float>(), count_);
    } else {
      kernels::sigmoid_f32_reference(inputs[0]->data<float>(), outputs[0]->data<float>(), count_);
    }
    return Status::success();
  }

  int64_t flops() const override { return count_; }
  std::string kernel_name() const override { return fast() ? "vector" : "reference"; }

 private:
  int64_t count_ = 0;
};

class CastOperator final : public Operator {
 public:
  explicit CastOperator(DataType to) : to_(to) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    outputs[0] = {to_, inputs[0].shape};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    kernels::cast_reference(inputs[0]->type, inputs[0]->raw(), to_, outputs[0]->raw(),
                            inputs[0]->element_count());
    return Status::success();
  }

 private:
  DataType to_;
};

}  // namespace

Result<std::unique_ptr<Operator>> create_binary(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 2, 2));
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  if (opset < 7) {
    return make_error("opset " + std::to_string(opset) +
                      " broadcast attributes are not supported (opset 7 or later)");
  }
  SL_RETURN_IF_ERROR(Attributes(node).allow_only({}));
  kernels::BinaryOp op = kernels::BinaryOp::kAdd;
  if (node.op_type == "Sub") op = kernels::BinaryOp::kSub;
  if (node.op_type == "Mul") op = kernels::BinaryOp::kMul;
  if (node.op_type == "Div") op = kernels::BinaryOp::kDiv;
  return std::unique_ptr<Operator>(new BinaryOperator(op));
}

Result<std::unique_ptr<Operator>> create_sigmoid(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 1, 1));
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  SL_RETURN_IF_ERROR(Attributes(node).allow_only({}));
  return std::unique_ptr<Operator>(new SigmoidOperator());
}

Result<std::unique_ptr<Operator>> create_cast(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 1, 1));
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  const Attributes attributes(node);
  // `saturate` only concerns float8 targets, which are refused below anyway.
  SL_RETURN_IF_ERROR(attributes.allow_only({"to", "saturate"}));
  if (!attributes.has("to")) return make_error("attribute 'to' is missing");
  SL_ASSIGN_OR_RETURN(const int64_t to, attributes.get_int("to", 0));
  const std::optional<DataType> type = data_type_from_onnx(to);
  if (!type) {
    return make_error(std::string("cast to ") + onnx_data_type_name(to) + " (type " +
                      std::to_string(to) + ") is not supported");
  }
  return std::unique_ptr<Operator>(new CastOperator(*type));
}

}  // namespace sightline::engine
