// MaxPool for 2-D inputs. Layout: X [N, C, H, W] -> Y [N, C, oH, oW].
#include "engine/kernels/fast/pool.h"
#include "engine/kernels/reference/reference_kernels.h"
#include "engine/ops/attributes.h"
#include "engine/ops/op_helpers.h"
#include "engine/ops/registry.h"
#include "engine/ops/window.h"
#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

class MaxPoolOperator final : public Operator {
 public:
  explicit MaxPoolOperator(WindowAttributes window) : window_(std::move(window)) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    SL_RETURN_IF_ERROR(require_type(inputs[0], DataType::kFloat32, "input X"));
    const Shape& x = inputs[0].shape;
    if (x.size() != 4) {
      return make_error("input X has shape " + shape_string(x) +
                        "; only 2-D pooling (a 4-D input) is supported");
    }
    const std::vector<int64_t>& kernel = window_.kernel_shape;
    SL_ASSIGN_OR_RETURN(const Window2d window,
                        plan_window(window_, {x[2], x[3]}, {kernel[0], kernel[1]}));
    for (int axis = 0; axis < 2; ++axis) {
      // Larger pads would create windows that see only padding.
      const int64_t extent = (kernel[axis] - 1) * window.dilation[axis] + 1;
      if (window.pad_begin[axis] >= extent || window.pad_end[axis] >= extent) {
        return make_error("pads of " + std::to_string(window.pad_begin[axis]) + " and " +
                          std::to_string(window.pad_end[axis]) +
                          " are not smaller than the window extent " + std::to_string(extent));
      }
    }
    shape_ = {x[0] * x[1],
              x[2],
              x[3],
              window.output[0],
              window.output[1],
              kernel[0],
              kernel[1],
              window.stride[0],
              window.stride[1],
              window.pad_begin[0],
              window.pad_begin[1],
              window.dilation[0],
              window.dilation[1]};
    outputs[0] = {DataType::kFloat32, {x[0], x[1], window.output[0], window.output[1]}};
    vector_ = fast() && kernels::fast::maxpool_fast_supported(shape_);
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    if (vector_) {
      kernels::fast::maxpool2d_f32(kernel_context(), shape_, inputs[0]->data<float>(),
                                   outputs[0]->data<float>());
    } else {
      kernels::maxpool2d_f32_reference(shape_, inputs[0]->data<float>(), outputs[0]->data<float>());
    }
    return Status::success();
  }

  // One comparison per window element and output.
  int64_t flops() const override {
    return shape_.planes * shape_.out_height * shape_.out_width * shape_.kernel_height *
           shape_.kernel_width;
  }
  std::string kernel_name() const override { return vector_ ? "separable vector" : "reference"; }

  void reserve_scratch() const override {
    if (vector_) kernels::fast::reserve_maxpool_scratch(shape_);
  }

 private:
  WindowAttributes window_;
  kernels::PoolShape shape_;
  bool vector_ = false;
};

}  // namespace

Result<std::unique_ptr<Operator>> create_max_pool(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 1, 1));
  if (node.outputs.size() > 1 && !node.outputs[1].empty()) {
    return make_error("the Indices output is not supported");
  }
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 2));
  const Attributes attributes(node);
  SL_RETURN_IF_ERROR(attributes.allow_only(
      {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}));
  SL_ASSIGN_OR_RETURN(WindowAttributes window, read_window_attributes(attributes, true));
  if (window.kernel_shape.empty()) return make_error("attribute 'kernel_shape' is missing");
  return std::unique_ptr<Operator>(new MaxPoolOperator(std::move(window)));
}

}  // namespace sightline::engine
