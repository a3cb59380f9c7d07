// Sliding-window geometry shared by Conv, ConvInteger and MaxPool: reads auto_pad, pads, strides,
// dilations and kernel_shape, and turns them into padding and output sizes for a 2-D input.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/ops/attributes.h"

namespace sightline::engine {

enum class AutoPad { kNotSet, kValid, kSameUpper, kSameLower };

struct WindowAttributes {
  AutoPad auto_pad = AutoPad::kNotSet;
  std::vector<int64_t> kernel_shape;  // empty: taken from the weights
  std::vector<int64_t> strides;       // empty: all 1
  std::vector<int64_t> dilations;     // empty: all 1
  std::vector<int64_t> pads;          // empty: all 0; else [begin..., end...]
  bool ceil_mode = false;
};

// Reads and checks the attributes (positive strides and dilations, non-negative pads, 2-D).
Result<WindowAttributes> read_window_attributes(const Attributes& attributes, bool with_ceil_mode);

// Axis 0 is height, axis 1 is width.
struct Window2d {
  std::array<int64_t, 2> kernel{};
  std::array<int64_t, 2> stride{};
  std::array<int64_t, 2> dilation{};
  std::array<int64_t, 2> pad_begin{};
  std::array<int64_t, 2> pad_end{};
  std::array<int64_t, 2> output{};
};

Result<Window2d> plan_window(const WindowAttributes& attributes, std::array<int64_t, 2> input,
                             std::array<int64_t, 2> kernel);

}  // namespace sightline::engine
