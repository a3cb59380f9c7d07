// ONNX ModelProto reader: walks the protobuf fields of ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto and ValueInfoProto, keeping what inference needs.
//
// Field numbers come from onnx.proto. Tensor data fields are first collected as byte ranges and
// decoded only once dims and data_type are known, so a tensor's element count is checked against
// its data before any buffer for it is allocated.
#include "engine/onnx/onnx_reader.h"

#include <cstring>
#include <limits>
#include <vector>

#include "engine/onnx/wire_reader.h"
#include "engine/status_macros.h"

namespace sightline::engine::onnx {
namespace {

// std::bit_cast is missing from Emscripten 3.1.6's libc++; memcpy is its portable twin.
float float_from_bits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

}  // namespace

const char* attribute_type_name(AttributeType type) {
  switch (type) {
    case AttributeType::kFloat:
      return "float";
    case AttributeType::kInt:
      return "int";
    case AttributeType::kString:
      return "string";
    case AttributeType::kTensor:
      return "tensor";
    case AttributeType::kGraph:
      return "graph";
    case AttributeType::kFloats:
      return "floats";
    case AttributeType::kInts:
      return "ints";
    case AttributeType::kStrings:
      return "strings";
    case AttributeType::kTensors:
      return "tensors";
    case AttributeType::kGraphs:
      return "graphs";
    case AttributeType::kSparseTensor:
      return "sparse tensor";
    case AttributeType::kSparseTensors:
      return "sparse tensors";
    case AttributeType::kTypeProto:
      return "type proto";
    case AttributeType::kTypeProtos:
      return "type protos";
    case AttributeType::kUndefined:
      break;
  }
  return "undefined";
}

int64_t Model::default_opset() const {
  for (const OperatorSetId& opset : opset_imports) {
    if (opset.domain.empty() || opset.domain == "ai.onnx") return opset.version;
  }
  return 0;
}

namespace {

// A repeated data field of a TensorProto, kept as bytes until dims and type are known.
struct DataSegment {
  uint32_t field = 0;
  WireType wire_type = WireType::kVarint;
  std::span<const uint8_t> bytes;
  size_t offset = 0;
};

// TensorProto field numbers.
constexpr uint32_t kTensorDims = 1;
constexpr uint32_t kTensorDataType = 2;
constexpr uint32_t kTensorSegment = 3;
constexpr uint32_t kTensorFloatData = 4;
constexpr uint32_t kTensorInt32Data = 5;
constexpr uint32_t kTensorStringData = 6;
constexpr uint32_t kTensorInt64Data = 7;
constexpr uint32_t kTensorName = 8;
constexpr uint32_t kTensorRawData = 9;
constexpr uint32_t kTensorDoubleData = 10;
constexpr uint32_t kTensorUint64Data = 11;
constexpr uint32_t kTensorDataLocation = 14;

const char* tensor_field_name(uint32_t field) {
  switch (field) {
    case kTensorFloatData:
      return "float_data";
    case kTensorInt32Data:
      return "int32_data";
    case kTensorStringData:
      return "string_data";
    case kTensorInt64Data:
      return "int64_data";
    case kTensorRawData:
      return "raw_data";
    case kTensorDoubleData:
      return "double_data";
    case kTensorUint64Data:
      return "uint64_data";
  }
  return "data";
}

// Number of complete varints in a packed run, or SIZE_MAX when the last one is cut off.
size_t count_varints(std::span<const uint8_t> bytes) {
  size_t count = 0;
  for (uint8_t byte : bytes) {
    if ((byte & 0x80) == 0) ++count;
  }
  if (!bytes.empty() && (bytes.back() & 0x80) != 0) return std::numeric_limits<size_t>::max();
  return count;
}

class Parser {
 public:
  explicit Parser(const ReaderLimits& limits) : limits_(limits) {}

  Status parse_model(WireReader& reader, Model& model);

 private:
  Status expect_wire(const WireReader& reader, const FieldTag& tag, WireType wanted,
                     std::string_view what);
  Status read_int64(WireReader& reader, const FieldTag& tag, int64_t& value, std::string_view what);
  Status read_string(WireReader& reader, const FieldTag& tag, std::string& value,
                     std::string_view what);
  Status append_int64s(WireReader& reader, const FieldTag& tag, std::vector<int64_t>& values,
                       size_t cap, std::string_view what);
  Status append_floats(WireReader& reader, const FieldTag& tag, std::vector<float>& values,
                       size_t cap, std::string_view what);

  Status parse_opset(WireReader& reader, OperatorSetId& opset);
  Status parse_graph(WireReader& reader, Graph& graph);
  Status parse_node(WireReader& reader, Node& node);
  Status parse_attribute(WireReader& reader, Attribute& attribute);
  Status parse_tensor(WireReader& reader, TensorData& tensor);
  Status decode_tensor_data(const WireReader& reader, const std::vector<DataSegment>& segments,
                            TensorData& tensor);
  Status parse_value_info(WireReader& reader, ValueInfo& info);
  Status parse_type(WireReader& reader, ValueInfo& info);
  Status parse_tensor_type(WireReader& reader, ValueInfo& info);
  Status parse_shape(WireReader& reader, ValueInfo& info);
  Status parse_dimension(WireReader& reader, ValueInfo& info);

  Error too_many(const WireReader& reader, const FieldTag& tag, std::string_view what, size_t cap) {
    return reader.error_at(tag.offset, what, "more than " + std::to_string(cap) + " entries");
  }

  const ReaderLimits& limits_;
  size_t decoded_tensor_bytes_ = 0;
};

Status Parser::expect_wire(const WireReader& reader, const FieldTag& tag, WireType wanted,
                           std::string_view what) {
  if (tag.wire_type == wanted) return Status::success();
  return reader.error_at(tag.offset, what,
                         "wire type " + std::to_string(static_cast<uint32_t>(tag.wire_type)) +
                             " where " + std::to_string(static_cast<uint32_t>(wanted)) +
                             " is expected");
}

Status Parser::read_int64(WireReader& reader, const FieldTag& tag, int64_t& value,
                          std::string_view what) {
  SL_RETURN_IF_ERROR(expect_wire(reader, tag, WireType::kVarint, what));
  uint64_t raw = 0;
  SL_RETURN_IF_ERROR(reader.read_varint(raw, what));
  value = static_cast<int64_t>(raw);
  return Status::success();
}

Status Parser::read_string(WireReader& reader, const FieldTag& tag, std::string& value,
                           std::string_view what) {
  SL_RETURN_IF_ERROR(expect_wire(reader, tag, WireType::kLengthDelimited, what));
  return reader.read_string(value, what);
}

// Repeated int64 fields arrive packed (one length-delimited run) or one varint per field.
Status Parser::append_int64s(WireReader& reader, const FieldTag& tag, std::vector<int64_t>& values,
                             size_t cap, std::string_view what) {
  if (tag.wire_type == WireType::kVarint) {
    if (values.size() >= cap) return too_many(reader, tag, what, cap);
    int64_t value = 0;
    SL_RETURN_IF_ERROR(read_int64(reader, tag, value, what));
    values.push_back(value);
    return Status::success();
  }

  SL_RETURN_IF_ERROR(expect_wire(reader, tag, WireType::kLengthDelimited, what));
  std::span<const uint8_t> packed;
  size_t packed_offset = 0;
  SL_RETURN_IF_ERROR(reader.read_bytes(packed, packed_offset, what));
  const size_t count = count_varints(packed);
  if (count == std::numeric_limits<size_t>::max()) {
    return reader.error_at(packed_offset, what, "packed varints end in the middle of a value");
  }
  if (count > cap - values.size()) return too_many(reader, tag, what, cap);

  size_t position = 0;
  while (position < packed.size()) {
    uint64_t raw = 0;
    const size_t used = decode_varint(packed.subspan(position), raw);
    if (used == 0) {
      return reader.error_at(packed_offset + position, what, "varint longer than 10 bytes");
    }
    values.push_back(static_cast<int64_t>(raw));
    position += used;
  }
  return Status::success();
}

// Repeated float fields arrive packed or one fixed32 per field.
Status Parser::append_floats(WireReader& reader, const FieldTag& tag, std::vector<float>& values,
                             size_t cap, std::string_view what) {
  if (tag.wire_type == WireType::kFixed32) {
    if (values.size() >= cap) return too_many(reader, tag, what, cap);
    uint32_t bits = 0;
    SL_RETURN_IF_ERROR(reader.read_fixed32(bits, what));
    values.push_back(float_from_bits(bits));
    return Status::success();
  }

  SL_RETURN_IF_ERROR(expect_wire(reader, tag, WireType::kLengthDelimited, what));
  std::span<const uint8_t> packed;
  size_t packed_offset = 0;
  SL_RETURN_IF_ERROR(reader.read_bytes(packed, packed_offset, what));
  if (packed.size() % 4 != 0) {
    return reader.error_at(
        packed_offset, what,
        "packed floats take " + std::to_string(packed.size()) + " bytes, not a multiple of 4");
  }
  const size_t count = packed.size() / 4;
  if (count > cap - values.size()) return too_many(reader, tag, what, cap);
  const size_t first = values.size();
  values.resize(first + count);
  // An empty packed field leaves both pointers null, which memcpy must not see (found by
  // tests/fuzz/fuzz_onnx under UBSan).
  copy_bytes(values.data() + first, packed.data(), packed.size());
  return Status::success();
}

Status Parser::parse_model(WireReader& reader, Model& model) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "ModelProto"));
    switch (tag.number) {
      case 1:
        SL_RETURN_IF_ERROR(read_int64(reader, tag, model.ir_version, "ModelProto.ir_version"));
        break;
      case 2:
        SL_RETURN_IF_ERROR(
            read_string(reader, tag, model.producer_name, "ModelProto.producer_name"));
        break;
      case 7: {
        SL_RETURN_IF_ERROR(
            expect_wire(reader, tag, WireType::kLengthDelimited, "ModelProto.graph"));
        if (model.has_graph) {
          return reader.error_at(tag.offset, "ModelProto.graph", "the model has a second graph");
        }
        WireReader nested = reader;
        SL_RETURN_IF_ERROR(reader.read_message(nested, "ModelProto.graph"));
        SL_RETURN_IF_ERROR(parse_graph(nested, model.graph));
        model.has_graph = true;
        break;
      }
      case 8: {
        SL_RETURN_IF_ERROR(
            expect_wire(reader, tag, WireType::kLengthDelimited, "ModelProto.opset_import"));
        if (model.opset_imports.size() >= limits_.max_opset_imports) {
          return too_many(reader, tag, "ModelProto.opset_import", limits_.max_opset_imports);
        }
        WireReader nested = reader;
        SL_RETURN_IF_ERROR(reader.read_message(nested, "ModelProto.opset_import"));
        SL_RETURN_IF_ERROR(parse_opset(nested, model.opset_imports.emplace_back()));
        break;
      }
      default:
        SL_RETURN_IF_ERROR(reader.skip(tag, "ModelProto"));
    }
  }
  return Status::success();
}

Status Parser::parse_opset(WireReader& reader, OperatorSetId& opset) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "OperatorSetIdProto"));
    if (tag.number == 1) {
      SL_RETURN_IF_ERROR(read_string(reader, tag, opset.domain, "OperatorSetIdProto.domain"));
    } else if (tag.number == 2) {
      SL_RETURN_IF_ERROR(read_int64(reader, tag, opset.version, "OperatorSetIdProto.version"));
    } else {
      SL_RETURN_IF_ERROR(reader.skip(tag, "OperatorSetIdProto"));
    }
  }
  return Status::success();
}

Status Parser::parse_graph(WireReader& reader, Graph& graph) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "GraphProto"));
    switch (tag.number) {
      case 1: {
        SL_RETURN_IF_ERROR(expect_wire(reader, tag, WireType::kLengthDelimited, "GraphProto.node"));
        if (graph.nodes.size() >= limits_.max_nodes) {
          return too_many(reader, tag, "GraphProto.node", limits_.max_nodes);
        }
        WireReader nested = reader;
        SL_RETURN_IF_ERROR(reader.read_message(nested, "GraphProto.node"));
        Node& node = graph.nodes.emplace_back();
        node.byte_offset = tag.offset;
        SL_RETURN_IF_ERROR(parse_node(nested, node));
        break;
      }
      case 2:
        SL_RETURN_IF_ERROR(read_string(reader, tag, graph.name, "GraphProto.name"));
        break;
      case 5: {
        SL_RETURN_IF_ERROR(
            expect_wire(reader, tag, WireType::kLengthDelimited, "GraphProto.initializer"));
        if (graph.initializers.size() >= limits_.max_initializers) {
          return too_many(reader, tag, "GraphProto.initializer", limits_.max_initializers);
        }
        WireReader nested = reader;
        SL_RETURN_IF_ERROR(reader.read_message(nested, "GraphProto.initializer"));
        TensorData& tensor = graph.initializers.emplace_back();
        tensor.byte_offset = tag.offset;
        SL_RETURN_IF_ERROR(parse_tensor(nested, tensor));
        break;
      }
      case 11:
      case 12: {
        const char* what = tag.number == 11 ? "GraphProto.input" : "GraphProto.output";
        std::vector<ValueInfo>& list = tag.number == 11 ? graph.inputs : graph.outputs;
        SL_RETURN_IF_ERROR(expect_wire(reader, tag, WireType::kLengthDelimited, what));
        if (list.size() >= limits_.max_graph_values) {
          return too_many(reader, tag, what, limits_.max_graph_values);
        }
        WireReader nested = reader;
        SL_RETURN_IF_ERROR(reader.read_message(nested, what));
        ValueInfo& info = list.emplace_back();
        info.byte_offset = tag.offset;
        SL_RETURN_IF_ERROR(parse_value_info(nested, info));
        break;
      }
      default:
        SL_RETURN_IF_ERROR(reader.skip(tag, "GraphProto"));
    }
  }
  return Status::success();
}

Status Parser::parse_node(WireReader& reader, Node& node) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "NodeProto"));
    switch (tag.number) {
      case 1:
      case 2: {
        const char* what = tag.number == 1 ? "NodeProto.input" : "NodeProto.output";
        std::vector<std::string>& list = tag.number == 1 ? node.inputs : node.outputs;
        if (list.size() >= limits_.max_node_values) {
          return too_many(reader, tag, what, limits_.max_node_values);
        }
        SL_RETURN_IF_ERROR(read_string(reader, tag, list.emplace_back(), what));
        break;
      }
      case 3:
        SL_RETURN_IF_ERROR(read_string(reader, tag, node.name, "NodeProto.name"));
        break;
      case 4:
        SL_RETURN_IF_ERROR(read_string(reader, tag, node.op_type, "NodeProto.op_type"));
        break;
      case 5: {
        SL_RETURN_IF_ERROR(
            expect_wire(reader, tag, WireType::kLengthDelimited, "NodeProto.attribute"));
        if (node.attributes.size() >= limits_.max_attributes) {
          return too_many(reader, tag, "NodeProto.attribute", limits_.max_attributes);
        }
        WireReader nested = reader;
        SL_RETURN_IF_ERROR(reader.read_message(nested, "NodeProto.attribute"));
        Attribute& attribute = node.attributes.emplace_back();
        attribute.byte_offset = tag.offset;
        SL_RETURN_IF_ERROR(parse_attribute(nested, attribute));
        break;
      }
      case 7:
        SL_RETURN_IF_ERROR(read_string(reader, tag, node.domain, "NodeProto.domain"));
        break;
      default:
        SL_RETURN_IF_ERROR(reader.skip(tag, "NodeProto"));
    }
  }
  return Status::success();
}

Status Parser::parse_attribute(WireReader& reader, Attribute& attribute) {
  // Models from before IR version 2 omit `type`; it is then taken from the value field present.
  AttributeType seen = AttributeType::kUndefined;
  int64_t declared_type = 0;
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "AttributeProto"));
    switch (tag.number) {
      case 1:
        SL_RETURN_IF_ERROR(read_string(reader, tag, attribute.name, "AttributeProto.name"));
        break;
      case 2: {
        SL_RETURN_IF_ERROR(expect_wire(reader, tag, WireType::kFixed32, "AttributeProto.f"));
        uint32_t bits = 0;
        SL_RETURN_IF_ERROR(reader.read_fixed32(bits, "AttributeProto.f"));
        attribute.f = float_from_bits(bits);
        seen = AttributeType::kFloat;
        break;
      }
      case 3:
        SL_RETURN_IF_ERROR(read_int64(reader, tag, attribute.i, "AttributeProto.i"));
        seen = AttributeType::kInt;
        break;
      case 4:
        SL_RETURN_IF_ERROR(read_string(reader, tag, attribute.s, "AttributeProto.s"));
        seen = AttributeType::kString;
        break;
      case 5: {
        SL_RETURN_IF_ERROR(
            expect_wire(reader, tag, WireType::kLengthDelimited, "AttributeProto.t"));
        if (!attribute.tensor.empty()) {
          return reader.error_at(tag.offset, "AttributeProto.t", "the attribute has two tensors");
        }
        WireReader nested = reader;
        SL_RETURN_IF_ERROR(reader.read_message(nested, "AttributeProto.t"));
        TensorData& tensor = attribute.tensor.emplace_back();
        tensor.byte_offset = tag.offset;
        SL_RETURN_IF_ERROR(parse_tensor(nested, tensor));
        seen = AttributeType::kTensor;
        break;
      }
      case 6:
        SL_RETURN_IF_ERROR(reader.skip(tag, "AttributeProto.g"));
        seen = AttributeType::kGraph;
        break;
      case 7:
        SL_RETURN_IF_ERROR(append_floats(reader, tag, attribute.floats,
                                         limits_.max_attribute_values, "AttributeProto.floats"));
        seen = AttributeType::kFloats;
        break;
      case 8:
        SL_RETURN_IF_ERROR(append_int64s(reader, tag, attribute.ints, limits_.max_attribute_values,
                                         "AttributeProto.ints"));
        seen = AttributeType::kInts;
        break;
      case 9:
      case 10:
      case 11:
        // strings, tensors and graphs lists: no supported operator takes them.
        SL_RETURN_IF_ERROR(reader.skip(tag, "AttributeProto"));
        seen = static_cast<AttributeType>(tag.number - 1);
        break;
      case 20:
        SL_RETURN_IF_ERROR(read_int64(reader, tag, declared_type, "AttributeProto.type"));
        break;
      default:
        SL_RETURN_IF_ERROR(reader.skip(tag, "AttributeProto"));
    }
  }

  if (declared_type < 0 || declared_type > static_cast<int64_t>(AttributeType::kTypeProtos)) {
    return reader.error_at(
        attribute.byte_offset, "AttributeProto.type",
        "attribute '" + attribute.name + "' has unknown type " + std::to_string(declared_type));
  }
  attribute.type = declared_type != 0 ? static_cast<AttributeType>(declared_type) : seen;
  return Status::success();
}

Status Parser::parse_tensor(WireReader& reader, TensorData& tensor) {
  std::vector<DataSegment> segments;
  int64_t data_location = 0;
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "TensorProto"));
    switch (tag.number) {
      case kTensorDims:
        SL_RETURN_IF_ERROR(
            append_int64s(reader, tag, tensor.dims, limits_.max_rank, "TensorProto.dims"));
        break;
      case kTensorDataType:
        SL_RETURN_IF_ERROR(read_int64(reader, tag, tensor.onnx_data_type, "TensorProto.data_type"));
        break;
      case kTensorSegment:
        return reader.error_at(tag.offset, "TensorProto.segment",
                               "segmented tensors are not supported");
      case kTensorName:
        SL_RETURN_IF_ERROR(read_string(reader, tag, tensor.name, "TensorProto.name"));
        break;
      case kTensorDataLocation:
        SL_RETURN_IF_ERROR(read_int64(reader, tag, data_location, "TensorProto.data_location"));
        break;
      case kTensorFloatData:
      case kTensorInt32Data:
      case kTensorStringData:
      case kTensorInt64Data:
      case kTensorRawData:
      case kTensorDoubleData:
      case kTensorUint64Data: {
        // Every segment consumes at least one byte of the file, so their number is bounded.
        DataSegment& segment = segments.emplace_back();
        segment.field = tag.number;
        segment.wire_type = tag.wire_type;
        SL_RETURN_IF_ERROR(
            reader.read_raw_value(tag, segment.bytes, segment.offset, "TensorProto.data"));
        break;
      }
      default:
        SL_RETURN_IF_ERROR(reader.skip(tag, "TensorProto"));
    }
  }

  if (data_location != 0) {
    return reader.error_at(
        tensor.byte_offset, "TensorProto.data_location",
        "tensor '" + tensor.name + "' keeps its data in an external file, which is not supported");
  }
  return decode_tensor_data(reader, segments, tensor);
}

Status Parser::decode_tensor_data(const WireReader& reader,
                                  const std::vector<DataSegment>& segments, TensorData& tensor) {
  auto fail = [&](size_t offset, const std::string& problem) {
    return reader.error_at(offset, "TensorProto", "tensor '" + tensor.name + "': " + problem);
  };

  Result<int64_t> count_or = checked_element_count(tensor.dims);
  if (!count_or.ok()) return fail(tensor.byte_offset, count_or.message());
  const int64_t count = count_or.value();

  const std::optional<DataType> type = data_type_from_onnx(tensor.onnx_data_type);
  // Other element types stay undecoded: inspection still works, loading reports the tensor.
  if (!type) return Status::success();

  const uint32_t typed_field = *type == DataType::kFloat32 ? kTensorFloatData
                               : *type == DataType::kInt64 ? kTensorInt64Data
                                                           : kTensorInt32Data;
  const DataSegment* raw = nullptr;
  size_t typed_count = 0;
  for (const DataSegment& segment : segments) {
    if (segment.field == kTensorRawData) {
      if (raw != nullptr) return fail(segment.offset, "raw_data appears twice");
      if (segment.wire_type != WireType::kLengthDelimited) {
        return fail(segment.offset, "raw_data is not length-delimited");
      }
      raw = &segment;
    } else if (segment.field != typed_field) {
      return fail(segment.offset, std::string(data_type_name(*type)) + " tensor carries " +
                                      tensor_field_name(segment.field));
    } else if (typed_field == kTensorFloatData) {
      if (segment.bytes.size() % 4 != 0) {
        return fail(segment.offset, "float_data is not a whole number of floats");
      }
      typed_count += segment.bytes.size() / 4;
    } else {
      const size_t varints = count_varints(segment.bytes);
      if (varints == std::numeric_limits<size_t>::max()) {
        return fail(segment.offset, "packed varints end in the middle of a value");
      }
      typed_count += varints;
    }
  }
  if (raw != nullptr && typed_count > 0) {
    return fail(raw->offset, std::string("both raw_data and ") + tensor_field_name(typed_field) +
                                 " are present");
  }

  const size_t element_size = data_type_size(*type);
  const size_t byte_count = static_cast<size_t>(count) * element_size;
  const size_t have = raw != nullptr ? raw->bytes.size() / element_size : typed_count;
  if ((raw != nullptr && raw->bytes.size() != byte_count) ||
      (raw == nullptr && have != static_cast<size_t>(count))) {
    const std::string field = raw != nullptr ? "raw_data" : tensor_field_name(typed_field);
    const std::string held = raw != nullptr ? std::to_string(raw->bytes.size()) + " bytes"
                                            : std::to_string(typed_count) + " values";
    return fail(raw != nullptr ? raw->offset : tensor.byte_offset,
                field + " holds " + held + " but dims " + shape_string(tensor.dims) + " of " +
                    data_type_name(*type) + " need " + std::to_string(count) + " values");
  }
  if (byte_count > limits_.max_tensor_bytes - decoded_tensor_bytes_) {
    return fail(tensor.byte_offset, "tensors of the model exceed " +
                                        std::to_string(limits_.max_tensor_bytes) + " bytes");
  }
  decoded_tensor_bytes_ += byte_count;

  tensor.value.reset(*type, tensor.dims);
  if (raw != nullptr) {
    if (byte_count > 0) std::memcpy(tensor.value.bytes.data(), raw->bytes.data(), byte_count);
    return Status::success();
  }

  size_t written = 0;
  for (const DataSegment& segment : segments) {
    if (typed_field == kTensorFloatData) {
      // An empty packed segment has a null pointer, which memcpy must not see.
      copy_bytes(tensor.value.bytes.data() + written * 4, segment.bytes.data(),
                 segment.bytes.size());
      written += segment.bytes.size() / 4;
      continue;
    }
    size_t position = 0;
    while (position < segment.bytes.size()) {
      uint64_t raw_value = 0;
      const size_t used = decode_varint(segment.bytes.subspan(position), raw_value);
      if (used == 0) return fail(segment.offset + position, "varint longer than 10 bytes");
      const int64_t value = static_cast<int64_t>(raw_value);
      switch (*type) {
        case DataType::kInt64:
          tensor.value.data<int64_t>()[written] = value;
          break;
        case DataType::kInt32:
          tensor.value.data<int32_t>()[written] = static_cast<int32_t>(value);
          break;
        case DataType::kUint8:
          if (value < 0 || value > 255) {
            return fail(segment.offset + position,
                        "uint8 value " + std::to_string(value) + " is outside [0, 255]");
          }
          tensor.value.data<uint8_t>()[written] = static_cast<uint8_t>(value);
          break;
        case DataType::kInt8: {
          // int32_data carries int8 values sign-extended.
          const int64_t narrowed = static_cast<int32_t>(value);
          if (narrowed < -128 || narrowed > 127) {
            return fail(segment.offset + position,
                        "int8 value " + std::to_string(narrowed) + " is outside [-128, 127]");
          }
          tensor.value.data<int8_t>()[written] = static_cast<int8_t>(narrowed);
          break;
        }
        default:
          break;
      }
      ++written;
      position += used;
    }
  }
  return Status::success();
}

Status Parser::parse_value_info(WireReader& reader, ValueInfo& info) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "ValueInfoProto"));
    if (tag.number == 1) {
      SL_RETURN_IF_ERROR(read_string(reader, tag, info.name, "ValueInfoProto.name"));
    } else if (tag.number == 2) {
      SL_RETURN_IF_ERROR(
          expect_wire(reader, tag, WireType::kLengthDelimited, "ValueInfoProto.type"));
      WireReader nested = reader;
      SL_RETURN_IF_ERROR(reader.read_message(nested, "ValueInfoProto.type"));
      SL_RETURN_IF_ERROR(parse_type(nested, info));
    } else {
      SL_RETURN_IF_ERROR(reader.skip(tag, "ValueInfoProto"));
    }
  }
  return Status::success();
}

Status Parser::parse_type(WireReader& reader, ValueInfo& info) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "TypeProto"));
    // Only tensor_type (1) matters; sequences, maps and optionals leave elem_type at 0.
    if (tag.number == 1) {
      SL_RETURN_IF_ERROR(
          expect_wire(reader, tag, WireType::kLengthDelimited, "TypeProto.tensor_type"));
      WireReader nested = reader;
      SL_RETURN_IF_ERROR(reader.read_message(nested, "TypeProto.tensor_type"));
      SL_RETURN_IF_ERROR(parse_tensor_type(nested, info));
    } else {
      SL_RETURN_IF_ERROR(reader.skip(tag, "TypeProto"));
    }
  }
  return Status::success();
}

Status Parser::parse_tensor_type(WireReader& reader, ValueInfo& info) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "TypeProto.Tensor"));
    if (tag.number == 1) {
      SL_RETURN_IF_ERROR(
          read_int64(reader, tag, info.onnx_elem_type, "TypeProto.Tensor.elem_type"));
    } else if (tag.number == 2) {
      SL_RETURN_IF_ERROR(
          expect_wire(reader, tag, WireType::kLengthDelimited, "TypeProto.Tensor.shape"));
      WireReader nested = reader;
      SL_RETURN_IF_ERROR(reader.read_message(nested, "TypeProto.Tensor.shape"));
      info.has_shape = true;
      info.dims.clear();
      info.dim_params.clear();
      SL_RETURN_IF_ERROR(parse_shape(nested, info));
    } else {
      SL_RETURN_IF_ERROR(reader.skip(tag, "TypeProto.Tensor"));
    }
  }
  return Status::success();
}

Status Parser::parse_shape(WireReader& reader, ValueInfo& info) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "TensorShapeProto"));
    if (tag.number == 1) {
      SL_RETURN_IF_ERROR(
          expect_wire(reader, tag, WireType::kLengthDelimited, "TensorShapeProto.dim"));
      if (info.dims.size() >= limits_.max_rank) {
        return too_many(reader, tag, "TensorShapeProto.dim", limits_.max_rank);
      }
      WireReader nested = reader;
      SL_RETURN_IF_ERROR(reader.read_message(nested, "TensorShapeProto.dim"));
      info.dims.push_back(-1);
      info.dim_params.emplace_back();
      SL_RETURN_IF_ERROR(parse_dimension(nested, info));
    } else {
      SL_RETURN_IF_ERROR(reader.skip(tag, "TensorShapeProto"));
    }
  }
  return Status::success();
}

Status Parser::parse_dimension(WireReader& reader, ValueInfo& info) {
  while (!reader.at_end()) {
    FieldTag tag;
    SL_RETURN_IF_ERROR(reader.read_tag(tag, "TensorShapeProto.Dimension"));
    if (tag.number == 1) {
      int64_t value = 0;
      SL_RETURN_IF_ERROR(read_int64(reader, tag, value, "TensorShapeProto.Dimension.dim_value"));
      if (value < 0) {
        return reader.error_at(
            tag.offset, "TensorShapeProto.Dimension.dim_value",
            "dimension " + std::to_string(value) + " of '" + info.name + "' is negative");
      }
      info.dims.back() = value;
    } else if (tag.number == 2) {
      SL_RETURN_IF_ERROR(
          read_string(reader, tag, info.dim_params.back(), "TensorShapeProto.Dimension.dim_param"));
    } else {
      SL_RETURN_IF_ERROR(reader.skip(tag, "TensorShapeProto.Dimension"));
    }
  }
  return Status::success();
}

}  // namespace

Result<Model> read_model(std::span<const uint8_t> bytes, const std::string& source,
                         const ReaderLimits& limits) {
  if (bytes.empty()) {
    return make_error(source + ": the file is empty (0 bytes), not an ONNX model");
  }
  if (bytes.size() > limits.max_file_bytes) {
    return make_error(source + ": " + std::to_string(bytes.size()) +
                      " bytes exceeds the model size limit of " +
                      std::to_string(limits.max_file_bytes) + " bytes");
  }

  Model model;
  WireReader reader(bytes, 0, source);
  Parser parser(limits);
  SL_RETURN_IF_ERROR(parser.parse_model(reader, model));
  if (!model.has_graph) {
    return make_error(source + ": ModelProto has no graph (field 7); not an ONNX model");
  }
  return model;
}

}  // namespace sightline::engine::onnx
