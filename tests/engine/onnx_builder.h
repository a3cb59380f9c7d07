// A tiny protobuf writer for building ONNX models inside tests, so each operator and each reader
// error can be exercised with a model written for it. Header-only: the test build compiles only
// *_test.cpp files. Field numbers follow onnx.proto.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/tensor.h"
#include "engine/engine.h"

namespace sightline::testing {

using engine::load_model;

class ProtoWriter {
 public:
  static void put_varint(std::vector<uint8_t>& out, uint64_t value) {
    while (value >= 0x80) {
      out.push_back(static_cast<uint8_t>(value | 0x80));
      value >>= 7;
    }
    out.push_back(static_cast<uint8_t>(value));
  }

  ProtoWriter& tag(uint32_t field, uint32_t wire_type) {
    put_varint(bytes_, (uint64_t{field} << 3) | wire_type);
    return *this;
  }
  ProtoWriter& varint(uint32_t field, uint64_t value) {
    tag(field, 0);
    put_varint(bytes_, value);
    return *this;
  }
  ProtoWriter& fixed32(uint32_t field, uint32_t bits) {
    tag(field, 5);
    for (int i = 0; i < 4; ++i)
      bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    return *this;
  }
  ProtoWriter& fixed64(uint32_t field, uint64_t bits) {
    tag(field, 1);
    for (int i = 0; i < 8; ++i)
      bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    return *this;
  }
  ProtoWriter& bytes(uint32_t field, const void* data, size_t size) {
    tag(field, 2);
    put_varint(bytes_, size);
    const uint8_t* begin = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), begin, begin + size);
    return *this;
  }
  ProtoWriter& string(uint32_t field, std::string_view text) {
    return bytes(field, text.data(), text.size());
  }
  ProtoWriter& message(uint32_t field, const ProtoWriter& nested) {
    return bytes(field, nested.data().data(), nested.data().size());
  }
  ProtoWriter& packed_varints(uint32_t field, const std::vector<int64_t>& values) {
    std::vector<uint8_t> packed;
    for (int64_t value : values)
      put_varint(packed, static_cast<uint64_t>(value));
    return bytes(field, packed.data(), packed.size());
  }
  ProtoWriter& packed_floats(uint32_t field, const std::vector<float>& values) {
    return bytes(field, values.data(), values.size() * sizeof(float));
  }
  ProtoWriter& append_raw(const std::vector<uint8_t>& raw) {
    bytes_.insert(bytes_.end(), raw.begin(), raw.end());
    return *this;
  }

  const std::vector<uint8_t>& data() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// ONNX TensorProto.DataType numbers used by the tests.
enum OnnxType : int32_t {
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kInt32 = 6,
  kInt64 = 7,
  kFloat16 = 10
};

struct TestTensor {
  std::string name;
  int32_t data_type = kFloat;
  std::vector<int64_t> dims;
  std::vector<uint8_t> raw;  // little-endian elements
};

template <class T>
TestTensor make_tensor(std::string name, int32_t data_type, std::vector<int64_t> dims,
                       const std::vector<T>& values) {
  TestTensor tensor{std::move(name), data_type, std::move(dims), {}};
  tensor.raw.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(tensor.raw.data(), values.data(), tensor.raw.size());
  return tensor;
}
inline TestTensor float_tensor(std::string name, std::vector<int64_t> dims,
                               const std::vector<float>& values) {
  return make_tensor(std::move(name), kFloat, std::move(dims), values);
}
inline TestTensor int64_tensor(std::string name, std::vector<int64_t> dims,
                               const std::vector<int64_t>& values) {
  return make_tensor(std::move(name), kInt64, std::move(dims), values);
}

inline ProtoWriter tensor_proto(const TestTensor& tensor) {
  ProtoWriter proto;
  for (int64_t dim : tensor.dims)
    proto.varint(1, static_cast<uint64_t>(dim));
  proto.varint(2, static_cast<uint64_t>(tensor.data_type));
  proto.string(8, tensor.name);
  proto.bytes(9, tensor.raw.data(), tensor.raw.size());
  return proto;
}

class NodeSpec {
 public:
  NodeSpec(std::string op_type, std::vector<std::string> inputs, std::vector<std::string> outputs,
           std::string name)
      : op_type_(std::move(op_type)),
        name_(std::move(name)),
        inputs_(std::move(inputs)),
        outputs_(std::move(outputs)) {}

  NodeSpec& attr(const std::string& name, int64_t value) {
    ProtoWriter attribute;
    attribute.string(1, name).varint(3, static_cast<uint64_t>(value)).varint(20, 2);
    attributes_.push_back(attribute);
    return *this;
  }
  NodeSpec& attr(const std::string& name, int value) { return attr(name, int64_t{value}); }
  NodeSpec& attr(const std::string& name, float value) {
    uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    ProtoWriter attribute;
    attribute.string(1, name).fixed32(2, bits).varint(20, 1);
    attributes_.push_back(attribute);
    return *this;
  }
  NodeSpec& attr(const std::string& name, const char* value) {
    ProtoWriter attribute;
    attribute.string(1, name).string(4, value).varint(20, 3);
    attributes_.push_back(attribute);
    return *this;
  }
  NodeSpec& attr(const std::string& name, const std::vector<int64_t>& values) {
    ProtoWriter attribute;
    attribute.string(1, name).packed_varints(8, values).varint(20, 7);
    attributes_.push_back(attribute);
    return *this;
  }
  NodeSpec& domain(std::string value) {
    domain_ = std::move(value);
    return *this;
  }

  ProtoWriter proto() const {
    ProtoWriter node;
    for (const std::string& input : inputs_)
      node.string(1, input);
    for (const std::string& output : outputs_)
      node.string(2, output);
    if (!name_.empty()) node.string(3, name_);
    node.string(4, op_type_);
    for (const ProtoWriter& attribute : attributes_)
      node.message(5, attribute);
    if (!domain_.empty()) node.string(7, domain_);
    return node;
  }

 private:
  std::string op_type_;
  std::string name_;
  std::string domain_;
  std::vector<std::string> inputs_;
  std::vector<std::string> outputs_;
  std::vector<ProtoWriter> attributes_;
};

// Builds a ModelProto. Dimensions below 0 become symbolic (dim_param "d<i>").
class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 13) : opset_(opset) {}

  ModelBuilder& input(const std::string& name, const std::vector<int64_t>& dims,
                      int32_t type = kFloat) {
    inputs_.push_back(value_info(name, dims, type, true));
    return *this;
  }
  ModelBuilder& output(const std::string& name, const std::vector<int64_t>& dims = {},
                       int32_t type = kFloat) {
    outputs_.push_back(value_info(name, dims, type, !dims.empty()));
    return *this;
  }
  ModelBuilder& initializer(const TestTensor& tensor) {
    initializers_.push_back(tensor_proto(tensor));
    return *this;
  }
  ModelBuilder& initializer_proto(const ProtoWriter& tensor) {
    initializers_.push_back(tensor);
    return *this;
  }
  NodeSpec& node(std::string op_type, std::vector<std::string> inputs,
                 std::vector<std::string> outputs, std::string name = "") {
    nodes_.emplace_back(std::move(op_type), std::move(inputs), std::move(outputs), std::move(name));
    return nodes_.back();
  }

  ProtoWriter graph_proto() const {
    ProtoWriter graph;
    for (const NodeSpec& node : nodes_)
      graph.message(1, node.proto());
    graph.string(2, "test_graph");
    for (const ProtoWriter& tensor : initializers_)
      graph.message(5, tensor);
    for (const ProtoWriter& info : inputs_)
      graph.message(11, info);
    for (const ProtoWriter& info : outputs_)
      graph.message(12, info);
    return graph;
  }

  std::vector<uint8_t> build() const {
    ProtoWriter model;
    model.varint(1, 8).string(2, "sightline-tests");
    ProtoWriter opset;
    opset.string(1, "").varint(2, static_cast<uint64_t>(opset_));
    model.message(8, opset);
    model.message(7, graph_proto());
    return model.data();
  }

 private:
  static ProtoWriter value_info(const std::string& name, const std::vector<int64_t>& dims,
                                int32_t type, bool with_shape) {
    ProtoWriter shape;
    for (size_t i = 0; i < dims.size(); ++i) {
      ProtoWriter dim;
      if (dims[i] >= 0) {
        dim.varint(1, static_cast<uint64_t>(dims[i]));
      } else {
        dim.string(2, "d" + std::to_string(i));
      }
      shape.message(1, dim);
    }
    ProtoWriter tensor_type;
    tensor_type.varint(1, static_cast<uint64_t>(type));
    if (with_shape) tensor_type.message(2, shape);
    ProtoWriter type_proto;
    type_proto.message(1, tensor_type);
    ProtoWriter info;
    info.string(1, name).message(2, type_proto);
    return info;
  }

  int64_t opset_;
  std::vector<ProtoWriter> inputs_;
  std::vector<ProtoWriter> outputs_;
  std::vector<ProtoWriter> initializers_;
  std::deque<NodeSpec> nodes_;  // a deque keeps references from node() valid
};

inline FloatTensor make_input(std::vector<int64_t> shape, std::vector<float> data) {
  FloatTensor tensor;
  tensor.shape = std::move(shape);
  tensor.data = std::move(data);
  return tensor;
}

// Loads `model` and runs it once on `input`.
inline Result<FloatTensor> run_model(const std::vector<uint8_t>& model, const FloatTensor& input) {
  Result<std::unique_ptr<InferenceBackend>> backend = engine::load_model(model, "test.onnx");
  if (!backend.ok()) return backend.error();
  return backend.value()->run(input);
}

}  // namespace sightline::testing
