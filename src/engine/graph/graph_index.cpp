// Value ids, producer checks and a stable topological order (Kahn's algorithm).
#include "engine/graph/graph_index.h"

#include <deque>

namespace sightline::engine {
namespace {

// Largest number of nodes named in a cycle message; the count of the rest is given instead.
constexpr size_t kMaxNamedCycleNodes = 8;

}  // namespace

std::string node_label(const onnx::Node& node, size_t index) {
  return node.name.empty() ? "#" + std::to_string(index) : node.name;
}

Result<GraphIndex> index_graph(const onnx::Graph& graph, const std::string& source) {
  GraphIndex index;
  // Per value: how it is produced, for duplicate and dangling checks.
  std::vector<std::string> producer_of;
  std::vector<int> producing_node;

  auto add_value = [&](const std::string& name, const std::string& producer,
                       int node) -> Result<int> {
    auto [it, inserted] = index.value_ids.emplace(name, static_cast<int>(index.value_names.size()));
    if (!inserted) {
      return make_error(source + ": value '" + name + "' is produced twice (by " +
                        producer_of[it->second] + " and by " + producer + ")");
    }
    index.value_names.push_back(name);
    index.initializer_of.push_back(-1);
    producer_of.push_back(producer);
    producing_node.push_back(node);
    return it->second;
  };

  for (size_t i = 0; i < graph.initializers.size(); ++i) {
    const onnx::TensorData& tensor = graph.initializers[i];
    Result<int> id = add_value(tensor.name, "initializer '" + tensor.name + "'", -1);
    if (!id.ok()) return id.error();
    index.initializer_of[id.value()] = static_cast<int>(i);
  }
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const std::string& name = graph.inputs[i].name;
    // Before IR version 4 initializers are also listed as inputs; they stay constants.
    auto existing = index.value_ids.find(name);
    if (existing != index.value_ids.end() && index.initializer_of[existing->second] >= 0) continue;
    Result<int> id = add_value(name, "graph input '" + name + "'", -1);
    if (!id.ok()) return id.error();
    index.fed_inputs.push_back(id.value());
    index.fed_input_infos.push_back(i);
  }

  const size_t node_count = graph.nodes.size();
  index.node_outputs.resize(node_count);
  for (size_t n = 0; n < node_count; ++n) {
    const onnx::Node& node = graph.nodes[n];
    for (const std::string& output : node.outputs) {
      if (output.empty()) {
        index.node_outputs[n].push_back(kNoValue);
        continue;
      }
      const std::string producer = "node '" + node_label(node, n) + "' (" + node.op_type + ")";
      Result<int> id = add_value(output, producer, static_cast<int>(n));
      if (!id.ok()) return id.error();
      index.node_outputs[n].push_back(id.value());
    }
  }

  // Edges from producing nodes to consumers; in_degree counts unfinished producers per node.
  index.node_inputs.resize(node_count);
  std::vector<std::vector<size_t>> consumers(node_count);
  std::vector<size_t> in_degree(node_count, 0);
  for (size_t n = 0; n < node_count; ++n) {
    const onnx::Node& node = graph.nodes[n];
    for (const std::string& input : node.inputs) {
      if (input.empty()) {
        index.node_inputs[n].push_back(kNoValue);
        continue;
      }
      auto it = index.value_ids.find(input);
      if (it == index.value_ids.end()) {
        return make_error(source + ": node '" + node_label(node, n) + "' (" + node.op_type +
                          ") reads '" + input +
                          "', which no node, graph input or initializer produces");
      }
      index.node_inputs[n].push_back(it->second);
      const int producer = producing_node[it->second];
      if (producer >= 0) {
        consumers[producer].push_back(n);
        ++in_degree[n];
      }
    }
  }

  std::deque<size_t> ready;
  for (size_t n = 0; n < node_count; ++n) {
    if (in_degree[n] == 0) ready.push_back(n);
  }
  while (!ready.empty()) {
    const size_t n = ready.front();
    ready.pop_front();
    index.order.push_back(n);
    for (size_t consumer : consumers[n]) {
      if (--in_degree[consumer] == 0) ready.push_back(consumer);
    }
  }
  if (index.order.size() != node_count) {
    std::string names;
    size_t named = 0;
    size_t stuck = 0;
    for (size_t n = 0; n < node_count; ++n) {
      if (in_degree[n] == 0) continue;
      ++stuck;
      if (named == kMaxNamedCycleNodes) continue;
      if (named > 0) names += ", ";
      names += node_label(graph.nodes[n], n) + " (" + graph.nodes[n].op_type + ")";
      ++named;
    }
    if (stuck > named) names += " and " + std::to_string(stuck - named) + " more";
    return make_error(source + ": the graph has a cycle; nodes on it or fed by it: " + names);
  }

  for (const onnx::ValueInfo& output : graph.outputs) {
    auto it = index.value_ids.find(output.name);
    if (it == index.value_ids.end()) {
      return make_error(source + ": graph output '" + output.name +
                        "' is not produced by any node");
    }
    index.outputs.push_back(it->second);
  }
  if (index.outputs.empty()) return make_error(source + ": the graph declares no outputs");
  return index;
}

}  // namespace sightline::engine
