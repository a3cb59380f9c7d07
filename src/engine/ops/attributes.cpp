// Attribute lookup with type checks, and node arity checks.
#include "engine/ops/attributes.h"

namespace sightline::engine {

const onnx::Attribute* Attributes::find(std::string_view name) const {
  for (const onnx::Attribute& attribute : node_.attributes) {
    if (attribute.name == name) return &attribute;
  }
  return nullptr;
}

Error Attributes::wrong_type(const onnx::Attribute& attribute, onnx::AttributeType wanted) const {
  return make_error("attribute '" + attribute.name + "' has type " +
                    onnx::attribute_type_name(attribute.type) + ", expected " +
                    onnx::attribute_type_name(wanted));
}

Status Attributes::allow_only(std::initializer_list<std::string_view> known) const {
  for (const onnx::Attribute& attribute : node_.attributes) {
    bool listed = false;
    for (std::string_view name : known)
      listed = listed || attribute.name == name;
    if (!listed) return make_error("attribute '" + attribute.name + "' is not supported");
  }
  return Status::success();
}

Result<int64_t> Attributes::get_int(std::string_view name, int64_t fallback) const {
  const onnx::Attribute* attribute = find(name);
  if (attribute == nullptr) return fallback;
  if (attribute->type != onnx::AttributeType::kInt) {
    return wrong_type(*attribute, onnx::AttributeType::kInt);
  }
  return attribute->i;
}

Result<float> Attributes::get_float(std::string_view name, float fallback) const {
  const onnx::Attribute* attribute = find(name);
  if (attribute == nullptr) return fallback;
  if (attribute->type != onnx::AttributeType::kFloat) {
    return wrong_type(*attribute, onnx::AttributeType::kFloat);
  }
  return attribute->f;
}

Result<std::string> Attributes::get_string(std::string_view name, std::string fallback) const {
  const onnx::Attribute* attribute = find(name);
  if (attribute == nullptr) return fallback;
  if (attribute->type != onnx::AttributeType::kString) {
    return wrong_type(*attribute, onnx::AttributeType::kString);
  }
  return attribute->s;
}

Result<std::vector<int64_t>> Attributes::get_ints(std::string_view name,
                                                  std::vector<int64_t> fallback) const {
  const onnx::Attribute* attribute = find(name);
  if (attribute == nullptr) return fallback;
  if (attribute->type != onnx::AttributeType::kInts) {
    return wrong_type(*attribute, onnx::AttributeType::kInts);
  }
  return attribute->ints;
}

namespace {

Status check_count(size_t count, size_t minimum, size_t maximum, const char* what) {
  if (count >= minimum && count <= maximum) return Status::success();
  std::string expected = std::to_string(minimum);
  if (maximum != minimum)
    expected += maximum == SIZE_MAX ? " or more" : " to " + std::to_string(maximum);
  return make_error(std::string("expects ") + expected + " " + what + ", has " +
                    std::to_string(count));
}

}  // namespace

Status check_input_count(const onnx::Node& node, size_t minimum, size_t maximum) {
  return check_count(node.inputs.size(), minimum, maximum, "inputs");
}

Status check_output_count(const onnx::Node& node, size_t minimum, size_t maximum) {
  return check_count(node.outputs.size(), minimum, maximum, "outputs");
}

}  // namespace sightline::engine
