// Reads an ONNX model from its protobuf bytes without a protobuf library.
//
// Only the fields inference needs are decoded; every other field is skipped by its wire type.
// All sizes and counts read from the file are bounded before anything is allocated (see the
// limits below), so any byte string yields either a Model or an error naming the source, the
// field and the byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"
#include "engine/onnx/model.h"

namespace sightline::engine::onnx {

struct ReaderLimits {
  size_t max_file_bytes = size_t{256} << 20;
  // Decoded initializer and attribute tensors together.
  size_t max_tensor_bytes = size_t{512} << 20;
  size_t max_nodes = 100000;
  size_t max_initializers = 100000;
  size_t max_graph_values = 10000;        // graph inputs, outputs
  size_t max_node_values = 10000;         // inputs or outputs of one node
  size_t max_attributes = 1000;           // per node
  size_t max_attribute_values = 1 << 20;  // entries in one ints/floats attribute
  size_t max_rank = 16;
  size_t max_opset_imports = 1000;
};

Result<Model> read_model(std::span<const uint8_t> bytes, const std::string& source,
                         const ReaderLimits& limits = {});

}  // namespace sightline::engine::onnx
