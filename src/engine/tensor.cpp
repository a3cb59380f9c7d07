// Element types, checked shape arithmetic and buffer sizing for the engine's Tensor.
#include "engine/tensor.h"

namespace sightline::engine {

size_t data_type_size(DataType type) {
  switch (type) {
    case DataType::kFloat32:
    case DataType::kInt32:
      return 4;
    case DataType::kUint8:
    case DataType::kInt8:
      return 1;
    case DataType::kInt64:
      return 8;
    case DataType::kUndefined:
      break;
  }
  return 0;
}

const char* data_type_name(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return "float32";
    case DataType::kUint8:
      return "uint8";
    case DataType::kInt8:
      return "int8";
    case DataType::kInt32:
      return "int32";
    case DataType::kInt64:
      return "int64";
    case DataType::kUndefined:
      break;
  }
  return "undefined";
}

std::optional<DataType> data_type_from_onnx(int64_t onnx_type) {
  switch (onnx_type) {
    case 1:
      return DataType::kFloat32;
    case 2:
      return DataType::kUint8;
    case 3:
      return DataType::kInt8;
    case 6:
      return DataType::kInt32;
    case 7:
      return DataType::kInt64;
    default:
      return std::nullopt;
  }
}

const char* onnx_data_type_name(int64_t onnx_type) {
  static const char* const kNames[] = {"undefined",  "float32", "uint8",  "int8",   "uint16",
                                       "int16",      "int32",   "int64",  "string", "bool",
                                       "float16",    "double",  "uint32", "uint64", "complex64",
                                       "complex128", "bfloat16"};
  if (onnx_type >= 0 && onnx_type < static_cast<int64_t>(std::size(kNames))) {
    return kNames[onnx_type];
  }
  return "unknown";
}

Result<int64_t> checked_element_count(const Shape& shape) {
  int64_t count = 1;
  for (int64_t extent : shape) {
    if (extent < 0) {
      return make_error("dimension " + std::to_string(extent) + " in shape " + shape_string(shape) +
                        " is negative");
    }
    // Checked before multiplying so the product itself can never overflow.
    if (extent != 0 && count > kMaxTensorElements / extent) {
      return make_error("shape " + shape_string(shape) + " has more than 2^28 elements");
    }
    count *= extent;
  }
  return count;
}

std::string shape_string(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

int64_t Tensor::element_count() const {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= extent;
  return count;
}

void Tensor::reset(DataType new_type, Shape new_shape) {
  type = new_type;
  shape = std::move(new_shape);
  external = nullptr;
  bytes.resize(byte_size());
}

void Tensor::view(DataType new_type, Shape new_shape, uint8_t* memory) {
  type = new_type;
  shape = std::move(new_shape);
  external = memory;
  bytes = std::vector<uint8_t>();
}

}  // namespace sightline::engine
