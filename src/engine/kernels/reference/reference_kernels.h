// Scalar reference kernels: plain loops, written for clarity and as the yardstick that faster
// kernels are tested against. Each takes a parameter block from kernel_params.h and raw buffers
// that the caller has sized correctly; none validates its input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/kernels/kernel_params.h"
#include "engine/tensor.h"

namespace sightline::engine::kernels {

// `bias` may be null. `scratch` is reused between calls to avoid reallocating the patch buffer.
void conv2d_f32_reference(const ConvShape& shape, const float* input, const float* weights,
                          const float* bias, float* output, std::vector<float>& scratch);

// Integer convolution (ConvInteger): output = sum((input - input_zero_point) * weights), where
// `weights` already has its zero points subtracted. Padding contributes zero, i.e. it reads as
// the input zero point.
void conv2d_u8_reference(const ConvShape& shape, const uint8_t* input, int32_t input_zero_point,
                         const int32_t* weights, int32_t* output, std::vector<int32_t>& scratch);
void conv2d_s8_reference(const ConvShape& shape, const int8_t* input, int32_t input_zero_point,
                         const int32_t* weights, int32_t* output, std::vector<int32_t>& scratch);

// Padding never wins the maximum; a window entirely in padding yields the lowest float.
void maxpool2d_f32_reference(const PoolShape& shape, const float* input, float* output);

void sigmoid_f32_reference(const float* input, float* output, int64_t count);

void binary_f32_reference(BinaryOp op, const BroadcastShape& shape, const float* a, const float* b,
                          float* output);

// Float to integer truncates toward zero and saturates; NaN becomes 0.
void cast_reference(DataType from, const void* input, DataType to, void* output, int64_t count);

// Layout [outer, axis, inner]; softmax along the middle axis.
void softmax_f32_reference(const float* input, float* output, int64_t outer, int64_t axis,
                           int64_t inner);

// ONNX DynamicQuantizeLinear: uint8 quantisation over the range of the data extended to include
// zero, rounding half to even and saturating.
void dynamic_quantize_linear_reference(const float* input, int64_t count, uint8_t* output,
                                       float* scale, uint8_t* zero_point);

// Rounds to the nearest integer, ties to the even one, independent of the FPU rounding mode.
float round_half_to_even(float value);

void strided_copy_reference(const StridedCopy& copy, size_t element_size, const uint8_t* input,
                            uint8_t* output);

// Concat viewed as [outer, block]: output row r is input 0's row r, then input 1's row r, ...
// `block_bytes[i]` is the size of one row of input i.
void concat_reference(std::span<const uint8_t* const> inputs, std::span<const int64_t> block_bytes,
                      int64_t outer, uint8_t* output);
// The inverse of concat_reference.
void split_reference(const uint8_t* input, int64_t outer, std::span<const int64_t> block_bytes,
                     std::span<uint8_t* const> outputs);

void resize_nearest_f32_reference(const NearestResize& resize, const float* input, float* output);

}  // namespace sightline::engine::kernels
