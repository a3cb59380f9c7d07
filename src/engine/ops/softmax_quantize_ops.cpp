// Softmax (float32) and DynamicQuantizeLinear (float32 -> uint8 with scale and zero point).
#include "engine/kernels/reference/reference_kernels.h"
#include "engine/ops/attributes.h"
#include "engine/ops/op_helpers.h"
#include "engine/ops/registry.h"
#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

// Opset 13 normalises along one axis; earlier opsets flatten the input to 2-D at `axis` and
// normalise each row. Both become the kernel's [outer, axis, inner] view.
class SoftmaxOperator final : public Operator {
 public:
  SoftmaxOperator(int64_t axis, bool single_axis) : axis_(axis), single_axis_(single_axis) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    SL_RETURN_IF_ERROR(require_type(inputs[0], DataType::kFloat32, "input"));
    const Shape& shape = inputs[0].shape;
    if (shape.empty()) return make_error("input is a scalar; softmax needs at least one axis");
    SL_ASSIGN_OR_RETURN(const int64_t axis, normalize_axis(axis_, shape.size(), "axis"));
    const size_t a = static_cast<size_t>(axis);
    outer_ = product(shape, 0, a);
    if (single_axis_) {
      length_ = shape[a];
      inner_ = product(shape, a + 1, shape.size());
    } else {
      length_ = product(shape, a, shape.size());
      inner_ = 1;
    }
    outputs[0] = {DataType::kFloat32, shape};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    kernels::softmax_f32_reference(inputs[0]->data<float>(), outputs[0]->data<float>(), outer_,
                                   length_, inner_);
    return Status::success();
  }

 private:
  int64_t axis_;
  bool single_axis_;
  int64_t outer_ = 0;
  int64_t length_ = 0;
  int64_t inner_ = 0;
};

class DynamicQuantizeLinearOperator final : public Operator {
 public:
  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    SL_RETURN_IF_ERROR(require_type(inputs[0], DataType::kFloat32, "input x"));
    outputs[0] = {DataType::kUint8, inputs[0].shape};
    outputs[1] = {DataType::kFloat32, {}};
    outputs[2] = {DataType::kUint8, {}};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    kernels::dynamic_quantize_linear_reference(
        inputs[0]->data<float>(), inputs[0]->element_count(), outputs[0]->data<uint8_t>(),
        outputs[1]->data<float>(), outputs[2]->data<uint8_t>());
    return Status::success();
  }
};

}  // namespace

Result<std::unique_ptr<Operator>> create_softmax(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 1, 1));
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  const Attributes attributes(node);
  SL_RETURN_IF_ERROR(attributes.allow_only({"axis"}));
  const bool single_axis = opset >= 13;
  SL_ASSIGN_OR_RETURN(const int64_t axis, attributes.get_int("axis", single_axis ? -1 : 1));
  return std::unique_ptr<Operator>(new SoftmaxOperator(axis, single_axis));
}

Result<std::unique_ptr<Operator>> create_dynamic_quantize_linear(const onnx::Node& node,
                                                                 int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 1, 1));
  SL_RETURN_IF_ERROR(check_output_count(node, 3, 3));
  SL_RETURN_IF_ERROR(Attributes(node).allow_only({}));
  return std::unique_ptr<Operator>(new DynamicQuantizeLinearOperator());
}

}  // namespace sightline::engine
