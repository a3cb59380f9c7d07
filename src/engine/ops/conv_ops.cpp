// Conv (float32) and ConvInteger (uint8/int8 with zero points) for 2-D inputs.
//
// Layouts: X [N, C, H, W], W [M, C / group, kH, kW], B [M], Y [N, M, oH, oW].
#include <limits>

#include "engine/kernels/fast/conv.h"
#include "engine/kernels/fast/depthwise.h"
#include "engine/kernels/fast/direct_conv.h"
#include "engine/kernels/reference/reference_kernels.h"
#include "engine/ops/attributes.h"
#include "engine/ops/op_helpers.h"
#include "engine/ops/registry.h"
#include "engine/ops/window.h"
#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

struct ConvAttributes {
  WindowAttributes window;
  int64_t group = 1;
};

Result<ConvAttributes> read_conv_attributes(const onnx::Node& node) {
  const Attributes attributes(node);
  SL_RETURN_IF_ERROR(
      attributes.allow_only({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  ConvAttributes conv;
  SL_ASSIGN_OR_RETURN(conv.window, read_window_attributes(attributes, false));
  SL_ASSIGN_OR_RETURN(conv.group, attributes.get_int("group", 1));
  if (conv.group < 1) return make_error("group " + std::to_string(conv.group) + " is below 1");
  return conv;
}

// Checks X and W shapes against each other and the attributes; fills the kernel geometry.
Status plan_conv_shape(const ConvAttributes& conv, const Shape& x, const Shape& w,
                       kernels::ConvShape& shape, Shape& output) {
  if (x.size() != 4) {
    return make_error("input X has shape " + shape_string(x) +
                      "; only 2-D convolution (a 4-D input) is supported");
  }
  if (w.size() != 4) {
    return make_error("weights W have shape " + shape_string(w) + ", expected 4 dimensions");
  }
  if (w[0] < 1 || w[0] % conv.group != 0) {
    return make_error(std::to_string(w[0]) + " output channels are not a positive multiple of " +
                      "group " + std::to_string(conv.group));
  }
  if (w[1] * conv.group != x[1]) {
    return make_error("input has " + std::to_string(x[1]) + " channels but weights " +
                      shape_string(w) + " with group " + std::to_string(conv.group) + " expect " +
                      std::to_string(w[1] * conv.group));
  }
  const std::vector<int64_t>& declared = conv.window.kernel_shape;
  if (!declared.empty() && (declared[0] != w[2] || declared[1] != w[3])) {
    return make_error("kernel_shape [" + std::to_string(declared[0]) + ", " +
                      std::to_string(declared[1]) + "] does not match weights " + shape_string(w));
  }

  SL_ASSIGN_OR_RETURN(const Window2d window, plan_window(conv.window, {x[2], x[3]}, {w[2], w[3]}));
  shape.batch = x[0];
  shape.in_channels = x[1];
  shape.in_height = x[2];
  shape.in_width = x[3];
  shape.out_channels = w[0];
  shape.out_height = window.output[0];
  shape.out_width = window.output[1];
  shape.kernel_height = w[2];
  shape.kernel_width = w[3];
  shape.stride_height = window.stride[0];
  shape.stride_width = window.stride[1];
  shape.pad_top = window.pad_begin[0];
  shape.pad_left = window.pad_begin[1];
  shape.dilation_height = window.dilation[0];
  shape.dilation_width = window.dilation[1];
  shape.groups = conv.group;
  output = {x[0], w[0], window.output[0], window.output[1]};
  return Status::success();
}

// With fast kernels and constant weights, plan() prepares the weights once: a depthwise 3x3
// convolution keeps them as they are, any other convolution packs them for the GEMM. Weights
// computed at run time take the reference kernel.
class ConvOperator final : public Operator {
 public:
  explicit ConvOperator(ConvAttributes attributes) : attributes_(std::move(attributes)) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    SL_RETURN_IF_ERROR(require_type(inputs[0], DataType::kFloat32, "input X"));
    SL_RETURN_IF_ERROR(require_type(inputs[1], DataType::kFloat32, "weights W"));
    Shape output;
    SL_RETURN_IF_ERROR(
        plan_conv_shape(attributes_, inputs[0].shape, inputs[1].shape, shape_, output));
    has_bias_ = inputs.size() > 2 && inputs[2].present;
    if (has_bias_) {
      SL_RETURN_IF_ERROR(require_type(inputs[2], DataType::kFloat32, "bias B"));
      if (inputs[2].shape != Shape{shape_.out_channels}) {
        return make_error("bias B has shape " + shape_string(inputs[2].shape) + ", expected [" +
                          std::to_string(shape_.out_channels) + "]");
      }
    }
    outputs[0] = {DataType::kFloat32, output};

    path_ = Path::kReference;
    activation_ = kernels::fast::Activation::kNone;
    const bool bias_known = !has_bias_ || inputs[2].constant != nullptr;
    if (!fast() || inputs[1].constant == nullptr || !bias_known || product(output, 0, 4) == 0)
      return Status::success();
    const float* weights = inputs[1].constant->data<float>();
    const float* bias = has_bias_ ? inputs[2].constant->data<float>() : nullptr;
    if (kernels::fast::direct_conv3x3_supported(shape_)) {
      path_ = Path::kDirect;
      direct_ = kernels::fast::pack_direct_conv3x3(kernel_context().isa, shape_, weights, bias,
                                                   kernels::fast::Activation::kNone);
    } else if (kernels::fast::depthwise3x3_supported(shape_)) {
      path_ = Path::kDepthwise;
      depthwise_weights_.assign(weights, weights + shape_.out_channels * 9);
      depthwise_bias_.assign(bias, bias + (bias != nullptr ? shape_.out_channels : 0));
    } else {
      path_ = Path::kGemm;
      packed_ = kernels::fast::pack_conv2d(kernel_context().isa, shape_, weights, bias,
                                           kernels::fast::Activation::kNone);
    }
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    const float* x = inputs[0]->data<float>();
    float* y = outputs[0]->data<float>();
    switch (path_) {
      case Path::kGemm:
        kernels::fast::conv2d_f32(kernel_context(), packed_, x, y);
        break;
      case Path::kDirect:
        kernels::fast::direct_conv3x3_f32(kernel_context(), direct_, x, y);
        break;
      case Path::kDepthwise:
        kernels::fast::depthwise_conv3x3_f32(
            kernel_context(), shape_, x, depthwise_weights_.data(),
            depthwise_bias_.empty() ? nullptr : depthwise_bias_.data(), activation_, y);
        break;
      case Path::kReference: {
        const float* bias = has_bias_ ? inputs[2]->data<float>() : nullptr;
        kernels::conv2d_f32_reference(shape_, x, inputs[1]->data<float>(), bias, y, scratch_);
        break;
      }
    }
    return Status::success();
  }

  bool fuse_activation(kernels::fast::Activation activation) override {
    if (path_ == Path::kReference || activation_ != kernels::fast::Activation::kNone) return false;
    activation_ = activation;
    packed_.activation = activation;
    direct_.activation = activation;
    return true;
  }

  int64_t flops() const override {
    const int64_t depth =
        shape_.in_channels / shape_.groups * shape_.kernel_height * shape_.kernel_width;
    return 2 * shape_.batch * shape_.out_channels * shape_.out_height * shape_.out_width * depth;
  }

  void reserve_scratch() const override {
    if (path_ == Path::kGemm) kernels::fast::reserve_gemm_scratch();
    if (path_ == Path::kDepthwise) kernels::fast::reserve_depthwise_scratch(shape_);
    if (path_ == Path::kDirect) kernels::fast::reserve_direct_conv_scratch(direct_);
  }

  std::string kernel_name() const override {
    switch (path_) {
      case Path::kGemm:
        return std::string(kernels::fast::conv_reads_input_directly(shape_) ? "gemm 1x1 "
                                                                            : "gemm im2col ") +
               simd::isa_name(packed_.group_weights.empty() ? simd::Isa::kScalar
                                                            : packed_.group_weights[0].isa);
      case Path::kDepthwise:
        return "depthwise 3x3";
      case Path::kDirect:
        return std::string("direct 3x3 ") + simd::isa_name(direct_.isa);
      case Path::kReference:
        break;
    }
    return "reference";
  }

 private:
  enum class Path { kReference, kGemm, kDepthwise, kDirect };

  ConvAttributes attributes_;
  kernels::ConvShape shape_;
  bool has_bias_ = false;
  std::vector<float> scratch_;
  Path path_ = Path::kReference;
  kernels::fast::Activation activation_ = kernels::fast::Activation::kNone;
  kernels::fast::PackedConv packed_;
  kernels::fast::DirectConv direct_;
  std::vector<float> depthwise_weights_;
  std::vector<float> depthwise_bias_;
};

// ConvInteger: Y = conv(X - x_zero_point, W - w_zero_point) in int32. The weights minus their
// zero points are prepared once when W and w_zero_point are constants, else on every run.
class ConvIntegerOperator final : public Operator {
 public:
  explicit ConvIntegerOperator(ConvAttributes attributes) : attributes_(std::move(attributes)) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    const PlanInput& x = inputs[0];
    const PlanInput& w = inputs[1];
    if (x.type != DataType::kUint8 && x.type != DataType::kInt8) {
      return make_error(std::string("input X has type ") + data_type_name(x.type) +
                        ", expected uint8 or int8");
    }
    if (w.type != DataType::kUint8 && w.type != DataType::kInt8) {
      return make_error(std::string("weights W have type ") + data_type_name(w.type) +
                        ", expected uint8 or int8");
    }
    Shape output;
    SL_RETURN_IF_ERROR(plan_conv_shape(attributes_, x.shape, w.shape, shape_, output));

    // Each product is at most 255 * 255 in magnitude; the sum must fit in int32.
    const int64_t depth = w.shape[1] * w.shape[2] * w.shape[3];
    if (depth > std::numeric_limits<int32_t>::max() / (255 * 255)) {
      return make_error("a dot product of " + std::to_string(depth) +
                        " terms could overflow the int32 accumulator");
    }

    has_x_zero_point_ = inputs.size() > 2 && inputs[2].present;
    if (has_x_zero_point_) {
      SL_RETURN_IF_ERROR(require_type(inputs[2], x.type, "x_zero_point"));
      if (product(inputs[2].shape, 0, inputs[2].shape.size()) != 1 || inputs[2].shape.size() > 1) {
        return make_error("x_zero_point has shape " + shape_string(inputs[2].shape) +
                          "; only a per-tensor (scalar) zero point is supported");
      }
    }
    has_w_zero_point_ = inputs.size() > 3 && inputs[3].present;
    if (has_w_zero_point_) {
      SL_RETURN_IF_ERROR(require_type(inputs[3], w.type, "w_zero_point"));
      const Shape& zp = inputs[3].shape;
      const bool scalar = zp.empty() || zp == Shape{1};
      if (!scalar && zp != Shape{shape_.out_channels}) {
        return make_error("w_zero_point has shape " + shape_string(zp) +
                          ", expected a scalar or [" + std::to_string(shape_.out_channels) + "]");
      }
    }

    weights_ready_ = false;
    if (w.constant != nullptr && (!has_w_zero_point_ || inputs[3].constant != nullptr)) {
      prepare_weights(*w.constant, has_w_zero_point_ ? inputs[3].constant : nullptr);
      weights_ready_ = true;
    }
    outputs[0] = {DataType::kInt32, output};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    if (!weights_ready_) prepare_weights(*inputs[1], has_w_zero_point_ ? inputs[3] : nullptr);
    const Tensor& x = *inputs[0];
    int32_t* y = outputs[0]->data<int32_t>();
    if (x.type == DataType::kUint8) {
      const int32_t zero_point = has_x_zero_point_ ? inputs[2]->data<uint8_t>()[0] : 0;
      kernels::conv2d_u8_reference(shape_, x.data<uint8_t>(), zero_point, weights_.data(), y,
                                   scratch_);
    } else {
      const int32_t zero_point = has_x_zero_point_ ? inputs[2]->data<int8_t>()[0] : 0;
      kernels::conv2d_s8_reference(shape_, x.data<int8_t>(), zero_point, weights_.data(), y,
                                   scratch_);
    }
    return Status::success();
  }

 private:
  static int32_t element(const Tensor& tensor, int64_t index) {
    return tensor.type == DataType::kUint8 ? int32_t{tensor.data<uint8_t>()[index]}
                                           : int32_t{tensor.data<int8_t>()[index]};
  }

  int64_t flops() const override {
    const int64_t depth =
        shape_.in_channels / shape_.groups * shape_.kernel_height * shape_.kernel_width;
    return 2 * shape_.batch * shape_.out_channels * shape_.out_height * shape_.out_width * depth;
  }

  // weights_ = W - w_zero_point as int32, the zero point per output channel or shared.
  void prepare_weights(const Tensor& w, const Tensor* zero_point) {
    const int64_t per_channel = w.element_count() / shape_.out_channels;
    weights_.resize(static_cast<size_t>(w.element_count()));
    for (int64_t m = 0; m < shape_.out_channels; ++m) {
      int32_t zero = 0;
      if (zero_point != nullptr)
        zero = element(*zero_point, zero_point->element_count() == 1 ? 0 : m);
      for (int64_t k = 0; k < per_channel; ++k) {
        const int64_t index = m * per_channel + k;
        weights_[static_cast<size_t>(index)] = element(w, index) - zero;
      }
    }
  }

  ConvAttributes attributes_;
  kernels::ConvShape shape_;
  bool has_x_zero_point_ = false;
  bool has_w_zero_point_ = false;
  bool weights_ready_ = false;
  std::vector<int32_t> weights_;
  std::vector<int32_t> scratch_;
};

}  // namespace

Result<std::unique_ptr<Operator>> create_conv(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 2, 3));
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  SL_ASSIGN_OR_RETURN(ConvAttributes attributes, read_conv_attributes(node));
  return std::unique_ptr<Operator>(new ConvOperator(std::move(attributes)));
}

Result<std::unique_ptr<Operator>> create_conv_integer(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_input_count(node, 2, 4));
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  SL_ASSIGN_OR_RETURN(ConvAttributes attributes, read_conv_attributes(node));
  return std::unique_ptr<Operator>(new ConvIntegerOperator(std::move(attributes)));
}

}  // namespace sightline::engine
