// Typed, checked access to a node's attributes, for operator factories.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/onnx/model.h"

namespace sightline::engine {

class Attributes {
 public:
  explicit Attributes(const onnx::Node& node) : node_(node) {}

  // Fails naming the first attribute not in `known`: an attribute the engine does not
  // understand could change the result, so it is refused rather than ignored.
  Status allow_only(std::initializer_list<std::string_view> known) const;

  bool has(std::string_view name) const { return find(name) != nullptr; }

  Result<int64_t> get_int(std::string_view name, int64_t fallback) const;
  Result<float> get_float(std::string_view name, float fallback) const;
  Result<std::string> get_string(std::string_view name, std::string fallback) const;
  Result<std::vector<int64_t>> get_ints(std::string_view name,
                                        std::vector<int64_t> fallback = {}) const;

 private:
  const onnx::Attribute* find(std::string_view name) const;
  Error wrong_type(const onnx::Attribute& attribute, onnx::AttributeType wanted) const;

  const onnx::Node& node_;
};

// "expects 2 or 3 inputs, has 4" style check of a node's input count.
Status check_input_count(const onnx::Node& node, size_t minimum, size_t maximum);
Status check_output_count(const onnx::Node& node, size_t minimum, size_t maximum);

}  // namespace sightline::engine
