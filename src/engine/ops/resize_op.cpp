// Resize, nearest-neighbour only; linear and cubic resize are not supported.
//
// Inputs by opset: 10 (X, scales); 11+ (X, roi, scales, sizes), where an empty `roi` or `scales`
// tensor (or an omitted input) means "not given". Scales or sizes must be constants. At plan time
// every output coordinate of every axis is mapped to its input coordinate, so the kernel is a
// pure gather.
#include <cmath>

#include "engine/kernels/fast/elementwise.h"
#include "engine/kernels/reference/reference_kernels.h"
#include "engine/ops/attributes.h"
#include "engine/ops/op_helpers.h"
#include "engine/ops/registry.h"
#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

enum class CoordinateMode {
  kHalfPixel,
  kAsymmetric,
  kAlignCorners,
  kPytorchHalfPixel,
  kTfHalfPixelForNearest
};
enum class NearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

// Input coordinate (fractional) of output coordinate `x`, per coordinate_transformation_mode.
float source_coordinate(CoordinateMode mode, float x, float scale, int64_t in_length,
                        int64_t out_length) {
  switch (mode) {
    case CoordinateMode::kHalfPixel:
      return (x + 0.5f) / scale - 0.5f;
    case CoordinateMode::kPytorchHalfPixel:
      return out_length > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case CoordinateMode::kAlignCorners:
      return out_length > 1
                 ? x * static_cast<float>(in_length - 1) / static_cast<float>(out_length - 1)
                 : 0.0f;
    case CoordinateMode::kTfHalfPixelForNearest:
      return (x + 0.5f) / scale;
    case CoordinateMode::kAsymmetric:
      break;
  }
  return x / scale;
}

float round_nearest(NearestMode mode, float value) {
  switch (mode) {
    case NearestMode::kFloor:
      return std::floor(value);
    case NearestMode::kCeil:
      return std::ceil(value);
    case NearestMode::kRoundPreferFloor:
      return value == std::floor(value) + 0.5f ? std::floor(value) : std::round(value);
    case NearestMode::kRoundPreferCeil:
      break;
  }
  return value == std::floor(value) + 0.5f ? std::ceil(value) : std::round(value);
}

class ResizeOperator final : public Operator {
 public:
  ResizeOperator(CoordinateMode coordinates, NearestMode nearest, bool scales_only)
      : coordinates_(coordinates), nearest_(nearest), scales_only_(scales_only) {}

  Status plan(std::span<const PlanInput> inputs, std::span<ValueType> outputs) override {
    SL_RETURN_IF_ERROR(require_type(inputs[0], DataType::kFloat32, "input X"));
    const Shape& input = inputs[0].shape;
    const size_t rank = input.size();

    // Opset 10 has (X, scales); later opsets (X, roi, scales, sizes).
    const PlanInput* scales_input = scales_only_ ? &inputs[1] : nullptr;
    const PlanInput* sizes_input = nullptr;
    if (!scales_only_) {
      if (inputs.size() > 2 && inputs[2].present) scales_input = &inputs[2];
      if (inputs.size() > 3 && inputs[3].present) sizes_input = &inputs[3];
    }
    std::vector<float> scales;
    if (scales_input != nullptr) {
      SL_ASSIGN_OR_RETURN(scales, constant_float_values(*scales_input, "scales"));
    }
    std::vector<int64_t> sizes;
    if (sizes_input != nullptr) {
      SL_ASSIGN_OR_RETURN(sizes, constant_int64_values(*sizes_input, "sizes"));
    }
    if (scales.empty() == sizes.empty()) {
      return make_error("exactly one of scales and sizes must be given (scales has " +
                        std::to_string(scales.size()) + " values, sizes " +
                        std::to_string(sizes.size()) + ")");
    }
    const size_t given = scales.empty() ? sizes.size() : scales.size();
    if (given != rank) {
      return make_error(std::string(scales.empty() ? "sizes" : "scales") + " has " +
                        std::to_string(given) + " values for a rank-" + std::to_string(rank) +
                        " input");
    }

    resize_.input_shape = input;
    resize_.output_shape.assign(rank, 0);
    resize_.source_index.assign(rank, {});
    for (size_t axis = 0; axis < rank; ++axis) {
      int64_t out_length = 0;
      float scale = 0.0f;
      if (!scales.empty()) {
        scale = scales[axis];
        if (!(scale > 0.0f) || !std::isfinite(scale)) {
          return make_error("scale " + std::to_string(scale) + " on axis " + std::to_string(axis) +
                            " is not a positive number");
        }
        const double length = std::floor(static_cast<double>(input[axis]) * scale);
        if (length > static_cast<double>(kMaxTensorElements)) {
          return make_error("scale " + std::to_string(scale) + " makes axis " +
                            std::to_string(axis) + " longer than 2^28");
        }
        out_length = static_cast<int64_t>(length);
      } else {
        out_length = sizes[axis];
        if (out_length < 0 || out_length > kMaxTensorElements) {
          return make_error("size " + std::to_string(out_length) + " on axis " +
                            std::to_string(axis) + " is outside [0, 2^28]");
        }
        scale = input[axis] > 0 ? static_cast<float>(out_length) / static_cast<float>(input[axis])
                                : 1.0f;
      }
      if (out_length > 0 && input[axis] == 0) {
        return make_error("axis " + std::to_string(axis) + " of the input is empty");
      }
      resize_.output_shape[axis] = out_length;

      std::vector<int64_t>& table = resize_.source_index[axis];
      table.resize(static_cast<size_t>(out_length));
      for (int64_t x = 0; x < out_length; ++x) {
        const float source = round_nearest(
            nearest_,
            source_coordinate(coordinates_, static_cast<float>(x), scale, input[axis], out_length));
        const float clamped =
            std::fmin(std::fmax(source, 0.0f), static_cast<float>(input[axis] - 1));
        table[static_cast<size_t>(x)] = static_cast<int64_t>(clamped);
      }
    }
    const Result<int64_t> count = checked_element_count(resize_.output_shape);
    if (!count.ok()) return make_error("output: " + count.message());
    empty_ = count.value() == 0;
    upsample2x_ = fast() && !empty_ && is_upsample2x();
    outputs[0] = {DataType::kFloat32, resize_.output_shape};
    return Status::success();
  }

  Status run(std::span<const Tensor* const> inputs, std::span<Tensor* const> outputs) override {
    if (empty_) return Status::success();
    if (upsample2x_) {
      const Shape& in = resize_.input_shape;
      const int64_t rank = static_cast<int64_t>(in.size());
      kernels::fast::upsample_nearest2x_f32(kernel_context(), inputs[0]->data<float>(),
                                            product(in, 0, rank - 2), in[rank - 2], in[rank - 1],
                                            outputs[0]->data<float>());
      return Status::success();
    }
    kernels::resize_nearest_f32_reference(resize_, inputs[0]->data<float>(),
                                          outputs[0]->data<float>());
    return Status::success();
  }

  std::string kernel_name() const override { return upsample2x_ ? "upsample 2x" : "reference"; }

 private:
  CoordinateMode coordinates_;
  NearestMode nearest_;
  bool scales_only_;
  // True when the planned gather is exactly "every pixel doubled" on the last two axes and the
  // identity on the others, whatever attributes produced it.
  bool is_upsample2x() const {
    const size_t rank = resize_.input_shape.size();
    if (rank < 2) return false;
    for (size_t axis = 0; axis < rank; ++axis) {
      const bool doubled = axis + 2 >= rank;
      const std::vector<int64_t>& table = resize_.source_index[axis];
      if (resize_.output_shape[axis] != resize_.input_shape[axis] * (doubled ? 2 : 1)) return false;
      for (size_t x = 0; x < table.size(); ++x) {
        if (table[x] != static_cast<int64_t>(doubled ? x / 2 : x)) return false;
      }
    }
    return true;
  }

  kernels::NearestResize resize_;
  bool empty_ = false;
  bool upsample2x_ = false;
};

}  // namespace

Result<std::unique_ptr<Operator>> create_resize(const onnx::Node& node, int64_t opset) {
  SL_RETURN_IF_ERROR(check_output_count(node, 1, 1));
  const bool scales_only = opset < 11;
  SL_RETURN_IF_ERROR(check_input_count(node, scales_only ? 2 : 1, scales_only ? 2 : 4));
  const Attributes attributes(node);
  SL_RETURN_IF_ERROR(attributes.allow_only(
      {"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside",
       "extrapolation_value", "antialias", "keep_aspect_ratio_policy"}));

  SL_ASSIGN_OR_RETURN(const std::string mode, attributes.get_string("mode", "nearest"));
  if (mode != "nearest") {
    return make_error("mode '" + mode + "' is not supported (nearest-neighbour only)");
  }

  // Opset 10 Resize has no coordinate_transformation_mode; it behaves as asymmetric.
  SL_ASSIGN_OR_RETURN(const std::string coordinates,
                      attributes.get_string("coordinate_transformation_mode",
                                            scales_only ? "asymmetric" : "half_pixel"));
  CoordinateMode coordinate_mode = CoordinateMode::kHalfPixel;
  if (coordinates == "asymmetric") {
    coordinate_mode = CoordinateMode::kAsymmetric;
  } else if (coordinates == "align_corners") {
    coordinate_mode = CoordinateMode::kAlignCorners;
  } else if (coordinates == "pytorch_half_pixel") {
    coordinate_mode = CoordinateMode::kPytorchHalfPixel;
  } else if (coordinates == "tf_half_pixel_for_nearest") {
    coordinate_mode = CoordinateMode::kTfHalfPixelForNearest;
  } else if (coordinates != "half_pixel") {
    return make_error("coordinate_transformation_mode '" + coordinates + "' is not supported");
  }

  SL_ASSIGN_OR_RETURN(const std::string nearest,
                      attributes.get_string("nearest_mode", "round_prefer_floor"));
  NearestMode nearest_mode = NearestMode::kRoundPreferFloor;
  if (nearest == "round_prefer_ceil") {
    nearest_mode = NearestMode::kRoundPreferCeil;
  } else if (nearest == "floor") {
    nearest_mode = NearestMode::kFloor;
  } else if (nearest == "ceil") {
    nearest_mode = NearestMode::kCeil;
  } else if (nearest != "round_prefer_floor") {
    return make_error("nearest_mode '" + nearest + "' is not supported");
  }

  SL_ASSIGN_OR_RETURN(const std::string policy,
                      attributes.get_string("keep_aspect_ratio_policy", "stretch"));
  if (policy != "stretch") {
    return make_error("keep_aspect_ratio_policy '" + policy + "' is not supported (stretch only)");
  }
  return std::unique_ptr<Operator>(new ResizeOperator(coordinate_mode, nearest_mode, scales_only));
}

}  // namespace sightline::engine
