// Connects a parsed graph: gives every named value an id, checks that each node input has
// exactly one producer (a graph input, an initializer or a node output), and orders the nodes so
// every node comes after the producers of its inputs.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "engine/onnx/model.h"

namespace sightline::engine {

inline constexpr int kNoValue = -1;

struct GraphIndex {
  std::vector<std::string> value_names;
  std::unordered_map<std::string, int> value_ids;
  // Per value: the initializer that defines it, or -1.
  std::vector<int> initializer_of;
  // Per node, in file order: value ids of its inputs and outputs; kNoValue for "" (omitted).
  std::vector<std::vector<int>> node_inputs;
  std::vector<std::vector<int>> node_outputs;
  // Node indices in an order where producers come before consumers.
  std::vector<size_t> order;
  // Graph inputs that are not initializers: the values a caller feeds.
  std::vector<int> fed_inputs;
  std::vector<size_t> fed_input_infos;  // index into Graph::inputs, parallel to fed_inputs
  std::vector<int> outputs;
};

// "name" or, for a node without one, "#index"; used in every message about a node.
std::string node_label(const onnx::Node& node, size_t index);

Result<GraphIndex> index_graph(const onnx::Graph& graph, const std::string& source);

}  // namespace sightline::engine
