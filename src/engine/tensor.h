// The engine's own tensor: a dense, row-major block of one element type.
//
// FloatTensor (core) is what the rest of the program exchanges; inside the engine the quantised
// models also need uint8, int8, int32 and int64 values, so tensors carry their element type and
// keep their elements in an untyped byte buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace sightline::engine {

// Values match ONNX TensorProto.DataType so the reader can map them directly.
enum class DataType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUint8 = 2,
  kInt8 = 3,
  kInt32 = 6,
  kInt64 = 7,
};

using Shape = std::vector<int64_t>;

// Most elements one tensor may hold: 2^28 (1 GiB of float32). Real detector tensors are far
// smaller; the bound keeps a hostile shape from asking for more memory than a browser tab has,
// and keeps every index far from int64 overflow.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 28;

size_t data_type_size(DataType type);
const char* data_type_name(DataType type);
// The engine's type for an ONNX data_type number, or nothing when the engine does not handle it.
std::optional<DataType> data_type_from_onnx(int64_t onnx_type);
const char* onnx_data_type_name(int64_t onnx_type);

// Product of the extents, or an error when an extent is negative or the product exceeds
// kMaxTensorElements.
Result<int64_t> checked_element_count(const Shape& shape);

std::string shape_string(const Shape& shape);

// memcpy that accepts the null pointers of empty buffers (memcpy itself must not see them).
inline void copy_bytes(void* destination, const void* source, size_t count) {
  if (count > 0) std::memcpy(destination, source, count);
}

struct Tensor {
  DataType type = DataType::kUndefined;
  Shape shape;
  // Owned elements in row-major order (initializers, folded constants, values outside a plan).
  // std::allocator returns memory aligned for any scalar type.
  std::vector<uint8_t> bytes;
  // When set, the elements live in memory the tensor does not own (the program's planned arena)
  // and `bytes` is empty.
  uint8_t* external = nullptr;

  // Caller guarantees the shape was validated (checked_element_count succeeded).
  int64_t element_count() const;
  size_t byte_size() const { return static_cast<size_t>(element_count()) * data_type_size(type); }

  // Sets type and shape and sizes the owned buffer to match; contents are unspecified.
  void reset(DataType new_type, Shape new_shape);
  // Sets type and shape and points at `memory`, which must hold byte_size() bytes and outlive
  // the view; the owned buffer is released.
  void view(DataType new_type, Shape new_shape, uint8_t* memory);

  uint8_t* raw() { return external != nullptr ? external : bytes.data(); }
  const uint8_t* raw() const { return external != nullptr ? external : bytes.data(); }

  template <class T>
  T* data() {
    return reinterpret_cast<T*>(raw());
  }
  template <class T>
  const T* data() const {
    return reinterpret_cast<const T*>(raw());
  }
};

}  // namespace sightline::engine
