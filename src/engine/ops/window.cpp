// Output size and padding of 2-D sliding windows, following the ONNX Conv and MaxPool rules.
#include "engine/ops/window.h"

#include <algorithm>

#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

Status check_list(const std::vector<int64_t>& values, size_t size, int64_t minimum,
                  const char* name) {
  if (values.empty()) return Status::success();
  if (values.size() != size) {
    return make_error(std::string("attribute '") + name + "' has " + std::to_string(values.size()) +
                      " values; only 2-D windows (" + std::to_string(size) +
                      " values) are supported");
  }
  for (int64_t value : values) {
    if (value < minimum || value > (int64_t{1} << 20)) {
      return make_error(std::string("attribute '") + name + "' value " + std::to_string(value) +
                        " is outside [" + std::to_string(minimum) + ", 2^20]");
    }
  }
  return Status::success();
}

}  // namespace

Result<WindowAttributes> read_window_attributes(const Attributes& attributes, bool with_ceil_mode) {
  WindowAttributes window;
  SL_ASSIGN_OR_RETURN(const std::string auto_pad, attributes.get_string("auto_pad", "NOTSET"));
  if (auto_pad == "NOTSET") {
    window.auto_pad = AutoPad::kNotSet;
  } else if (auto_pad == "VALID") {
    window.auto_pad = AutoPad::kValid;
  } else if (auto_pad == "SAME_UPPER") {
    window.auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    window.auto_pad = AutoPad::kSameLower;
  } else {
    return make_error("auto_pad '" + auto_pad +
                      "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  }

  SL_ASSIGN_OR_RETURN(window.kernel_shape, attributes.get_ints("kernel_shape"));
  SL_ASSIGN_OR_RETURN(window.strides, attributes.get_ints("strides"));
  SL_ASSIGN_OR_RETURN(window.dilations, attributes.get_ints("dilations"));
  SL_ASSIGN_OR_RETURN(window.pads, attributes.get_ints("pads"));
  SL_RETURN_IF_ERROR(check_list(window.kernel_shape, 2, 1, "kernel_shape"));
  SL_RETURN_IF_ERROR(check_list(window.strides, 2, 1, "strides"));
  SL_RETURN_IF_ERROR(check_list(window.dilations, 2, 1, "dilations"));
  SL_RETURN_IF_ERROR(check_list(window.pads, 4, 0, "pads"));
  if (window.auto_pad != AutoPad::kNotSet && !window.pads.empty()) {
    bool all_zero =
        std::all_of(window.pads.begin(), window.pads.end(), [](int64_t pad) { return pad == 0; });
    if (!all_zero) return make_error("explicit pads cannot be combined with auto_pad " + auto_pad);
  }

  if (with_ceil_mode) {
    SL_ASSIGN_OR_RETURN(const int64_t ceil_mode, attributes.get_int("ceil_mode", 0));
    if (ceil_mode != 0 && ceil_mode != 1) {
      return make_error("ceil_mode " + std::to_string(ceil_mode) + " is not 0 or 1");
    }
    window.ceil_mode = ceil_mode == 1;
  }
  return window;
}

Result<Window2d> plan_window(const WindowAttributes& attributes, std::array<int64_t, 2> input,
                             std::array<int64_t, 2> kernel) {
  Window2d window;
  window.kernel = kernel;
  for (int axis = 0; axis < 2; ++axis) {
    const char* axis_name = axis == 0 ? "height" : "width";
    window.stride[axis] = attributes.strides.empty() ? 1 : attributes.strides[axis];
    window.dilation[axis] = attributes.dilations.empty() ? 1 : attributes.dilations[axis];
    const int64_t stride = window.stride[axis];
    const int64_t extent = (kernel[axis] - 1) * window.dilation[axis] + 1;

    if (attributes.auto_pad == AutoPad::kSameUpper || attributes.auto_pad == AutoPad::kSameLower) {
      const int64_t output = (input[axis] + stride - 1) / stride;
      const int64_t total = std::max<int64_t>(0, (output - 1) * stride + extent - input[axis]);
      // SAME_UPPER puts the odd padding pixel at the end, SAME_LOWER at the beginning.
      const int64_t smaller = total / 2;
      window.pad_begin[axis] =
          attributes.auto_pad == AutoPad::kSameUpper ? smaller : total - smaller;
      window.pad_end[axis] = total - window.pad_begin[axis];
      window.output[axis] = output;
      continue;
    }

    if (attributes.auto_pad == AutoPad::kNotSet && !attributes.pads.empty()) {
      window.pad_begin[axis] = attributes.pads[axis];
      window.pad_end[axis] = attributes.pads[axis + 2];
    }
    const int64_t padded = input[axis] + window.pad_begin[axis] + window.pad_end[axis];
    if (padded < extent) {
      return make_error(std::string("window ") + axis_name + " " + std::to_string(extent) +
                        " (kernel " + std::to_string(kernel[axis]) + ", dilation " +
                        std::to_string(window.dilation[axis]) + ") exceeds the padded input " +
                        axis_name + " " + std::to_string(padded));
    }
    int64_t output = (padded - extent) / stride + 1;
    if (attributes.ceil_mode) {
      output = (padded - extent + stride - 1) / stride + 1;
      // A last window that would start in the end padding is dropped.
      if ((output - 1) * stride >= input[axis] + window.pad_begin[axis]) --output;
    }
    window.output[axis] = output;
  }
  return window;
}

}  // namespace sightline::engine
