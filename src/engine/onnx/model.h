// The subset of ONNX's ModelProto that inference needs, as plain structs.
//
// The reader (onnx_reader.h) fills these from the protobuf bytes; everything after it (graph
// checks, planning, operators) works on these structs only. Byte offsets are kept so later
// stages can point at the place in the file a problem came from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace sightline::engine::onnx {

// AttributeProto.AttributeType values.
enum class AttributeType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kInt = 2,
  kString = 3,
  kTensor = 4,
  kGraph = 5,
  kFloats = 6,
  kInts = 7,
  kStrings = 8,
  kTensors = 9,
  kGraphs = 10,
  kSparseTensor = 11,
  kSparseTensors = 12,
  kTypeProto = 13,
  kTypeProtos = 14,
};

const char* attribute_type_name(AttributeType type);

// A TensorProto. `value` holds the decoded elements when the data type is one the engine handles
// (value.type != kUndefined); otherwise only the declared type and dims are known.
struct TensorData {
  std::string name;
  int64_t onnx_data_type = 0;
  std::vector<int64_t> dims;
  Tensor value;
  size_t byte_offset = 0;
};

struct Attribute {
  std::string name;
  AttributeType type = AttributeType::kUndefined;
  float f = 0.0f;
  int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<TensorData> tensor;  // empty, or the one `t` value
  size_t byte_offset = 0;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;
  size_t byte_offset = 0;
};

// A graph input or output with its declared tensor type.
struct ValueInfo {
  std::string name;
  int64_t onnx_elem_type = 0;
  bool has_shape = false;
  std::vector<int64_t> dims;            // -1 for a dynamic dimension
  std::vector<std::string> dim_params;  // the symbolic name of each dynamic dimension, else ""
  size_t byte_offset = 0;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<TensorData> initializers;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
};

struct OperatorSetId {
  std::string domain;
  int64_t version = 0;
};

struct Model {
  int64_t ir_version = 0;
  std::vector<OperatorSetId> opset_imports;
  std::string producer_name;
  bool has_graph = false;
  Graph graph;

  // Version of the default ("" or "ai.onnx") operator set, 0 when the model imports none.
  int64_t default_opset() const;
};

}  // namespace sightline::engine::onnx
