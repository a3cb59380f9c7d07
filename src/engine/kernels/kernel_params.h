// Parameter blocks that operators fill at plan time and kernels consume at run time.
//
// They hold only sizes, strides and index tables: everything ONNX-specific (attributes, auto_pad,
// coordinate modes, negative indices) is resolved by the operators before a kernel sees it, so
// reference and future SIMD kernels share these structs and can be tested against each other.
#pragma once

#include <cstdint>
#include <vector>

namespace sightline::engine::kernels {

// A 2-D convolution. Layouts (row-major):
//   input   [batch, in_channels, in_height, in_width]
//   weights [out_channels, in_channels / groups, kernel_height, kernel_width]
//   output  [batch, out_channels, out_height, out_width]
struct ConvShape {
  int64_t batch = 1;
  int64_t in_channels = 0;
  int64_t in_height = 0;
  int64_t in_width = 0;
  int64_t out_channels = 0;
  int64_t out_height = 0;
  int64_t out_width = 0;
  int64_t kernel_height = 1;
  int64_t kernel_width = 1;
  int64_t stride_height = 1;
  int64_t stride_width = 1;
  int64_t pad_top = 0;
  int64_t pad_left = 0;
  int64_t dilation_height = 1;
  int64_t dilation_width = 1;
  int64_t groups = 1;
};

// A 2-D max pool over `planes` independent [in_height, in_width] planes (batch * channels).
struct PoolShape {
  int64_t planes = 0;
  int64_t in_height = 0;
  int64_t in_width = 0;
  int64_t out_height = 0;
  int64_t out_width = 0;
  int64_t kernel_height = 1;
  int64_t kernel_width = 1;
  int64_t stride_height = 1;
  int64_t stride_width = 1;
  int64_t pad_top = 0;
  int64_t pad_left = 0;
  int64_t dilation_height = 1;
  int64_t dilation_width = 1;
};

// An elementwise binary operation after numpy broadcasting. `extents` is the output shape with
// adjacent axes merged where possible; a stride of 0 repeats that input along the axis. Strides
// are in elements; the last axis is the innermost.
struct BroadcastShape {
  std::vector<int64_t> extents;
  std::vector<int64_t> a_strides;
  std::vector<int64_t> b_strides;
};

enum class BinaryOp { kAdd, kSub, kMul, kDiv };

// Copies a strided view of the input into a dense output of shape `extents`: output element
// (i0, i1, ...) comes from input element input_offset + sum(ik * input_strides[k]). Strides may be
// negative (a Slice with negative steps) or permuted (a Transpose). All in elements.
struct StridedCopy {
  std::vector<int64_t> extents;
  std::vector<int64_t> input_strides;
  int64_t input_offset = 0;
};

// Nearest-neighbour resize: for every axis and output coordinate, the input coordinate to read.
struct NearestResize {
  std::vector<int64_t> input_shape;
  std::vector<int64_t> output_shape;
  std::vector<std::vector<int64_t>> source_index;
};

}  // namespace sightline::engine::kernels
