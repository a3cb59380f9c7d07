// Planning (shape inference, constant folding, value lifetimes) and execution of a Program.
#include "engine/graph/program.h"

#include <cstring>

#include "engine/status_macros.h"

namespace sightline::engine {

Program::Program(onnx::Model model, GraphIndex index,
                 std::vector<std::unique_ptr<Operator>> operators, std::string source)
    : model_(std::move(model)),
      index_(std::move(index)),
      operators_(std::move(operators)),
      source_(std::move(source)) {
  values_.resize(index_.value_names.size());
  for (size_t id = 0; id < values_.size(); ++id) {
    const int initializer = index_.initializer_of[id];
    if (initializer < 0)
      continue;
    Value& value = values_[id];
    value.initializer = true;
    value.constant = true;
    value.keep = true;
    value.data = std::move(model_.graph.initializers[initializer].value);
    value.type = value.data.type;
    value.shape = value.data.shape;
  }
  for (int id : index_.outputs)
    values_[id].keep = true;
}

std::string Program::node_context(size_t node) const {
  const onnx::Node& n = model_.graph.nodes[node];
  return source_ + ": node '" + node_label(n, node) + "' (" + n.op_type + "): ";
}

Status Program::plan(const Shape& input_shape) {
  planned_ = false;
  steps_.clear();
  folded_nodes_ = 0;
  for (Value& value : values_) {
    if (value.initializer)
      continue;
    value.constant = false;
    value.type = DataType::kUndefined;
    value.shape.clear();
    value.data = Tensor();
    value.last_step = -1;
    value.keep = false;
  }
  for (int id : index_.outputs)
    values_[id].keep = true;

  Value& input = values_[index_.fed_inputs[0]];
  input.type = DataType::kFloat32;
  input.shape = input_shape;

  for (size_t node : index_.order) {
    bool folded = false;
    SL_RETURN_IF_ERROR(plan_node(node, folded));
    if (folded) {
      ++folded_nodes_;
    } else {
      steps_.push_back(Step{node, {}});
    }
  }

  // A value not kept is freed after the last step that reads it.
  for (size_t step = 0; step < steps_.size(); ++step) {
    for (int id : index_.node_inputs[steps_[step].node]) {
      if (id != kNoValue)
        values_[id].last_step = static_cast<int>(step);
    }
    for (int id : index_.node_outputs[steps_[step].node]) {
      if (id != kNoValue && values_[id].last_step < static_cast<int>(step)) {
        values_[id].last_step = static_cast<int>(step);
      }
    }
  }

  for (size_t i = 0; i < index_.outputs.size(); ++i) {
    const Value& output = values_[index_.outputs[i]];
    if (output.type != DataType::kFloat32) {
      return make_error(source_ + ": graph output '" + index_.value_names[index_.outputs[i]] +
                        "' has type " + data_type_name(output.type) +
                        "; the engine returns float32 outputs only");
    }
  }
  planned_ = true;
  planned_shape_ = input_shape;
  return Status::success();
}

Status Program::plan_node(size_t node, bool& folded) {
  const std::vector<int>& input_ids = index_.node_inputs[node];
  const std::vector<int>& output_ids = index_.node_outputs[node];

  std::vector<PlanInput> inputs(input_ids.size());
  bool all_constant = !input_ids.empty();
  for (size_t i = 0; i < input_ids.size(); ++i) {
    if (input_ids[i] == kNoValue)
      continue;
    const Value& value = values_[input_ids[i]];
    if (value.type == DataType::kUndefined) {
      const int initializer = index_.initializer_of[input_ids[i]];
      const std::string detail =
          initializer >= 0
              ? std::string("has data type ") +
                    onnx_data_type_name(model_.graph.initializers[initializer].onnx_data_type) +
                    ", which the engine does not support"
              : "has no known type";
      return make_error(node_context(node) + "input '" + index_.value_names[input_ids[i]] + "' " +
                        detail);
    }
    inputs[i].present = true;
    inputs[i].type = value.type;
    inputs[i].shape = value.shape;
    inputs[i].constant = value.constant ? &value.data : nullptr;
    all_constant = all_constant && value.constant;
  }

  std::vector<ValueType> outputs(output_ids.size());
  Status status = operators_[node]->plan(inputs, outputs);
  if (!status.ok())
    return make_error(node_context(node) + status.message());

  for (size_t i = 0; i < output_ids.size(); ++i) {
    const Result<int64_t> count = checked_element_count(outputs[i].shape);
    if (!count.ok())
      return make_error(node_context(node) + "output: " + count.message());
    if (output_ids[i] == kNoValue)
      continue;
    Value& value = values_[output_ids[i]];
    value.type = outputs[i].type;
    value.shape = outputs[i].shape;
  }

  folded = all_constant;
  if (!folded)
    return Status::success();

  std::vector<Tensor> unnamed_outputs;
  SL_RETURN_IF_ERROR(execute_node(node, unnamed_outputs));
  for (int id : output_ids) {
    if (id == kNoValue)
      continue;
    values_[id].constant = true;
    values_[id].keep = true;
  }
  return Status::success();
}

Status Program::execute_node(size_t node, std::vector<Tensor>& unnamed_outputs) {
  const std::vector<int>& input_ids = index_.node_inputs[node];
  const std::vector<int>& output_ids = index_.node_outputs[node];

  std::vector<const Tensor*> inputs(input_ids.size(), nullptr);
  for (size_t i = 0; i < input_ids.size(); ++i) {
    if (input_ids[i] != kNoValue)
      inputs[i] = &values_[input_ids[i]].data;
  }
  std::vector<Tensor*> outputs(output_ids.size(), nullptr);
  unnamed_outputs.resize(output_ids.size());
  for (size_t i = 0; i < output_ids.size(); ++i) {
    Tensor* target = output_ids[i] == kNoValue ? &unnamed_outputs[i] : &values_[output_ids[i]].data;
    if (output_ids[i] != kNoValue) {
      const Value& value = values_[output_ids[i]];
      target->reset(value.type, value.shape);
    }
    outputs[i] = target;
  }
  Status status = operators_[node]->run(inputs, outputs);
  if (!status.ok())
    return make_error(node_context(node) + status.message());
  return Status::success();
}

Result<FloatTensor> Program::run(const FloatTensor& input) {
  if (!planned_)
    return make_error(source_ + ": the model has not been planned for an input shape");
  Value& fed = values_[index_.fed_inputs[0]];
  if (!fed.constant) {
    fed.data.reset(DataType::kFloat32, planned_shape_);
    copy_bytes(fed.data.bytes.data(), input.data.data(), fed.data.bytes.size());
  }

  for (size_t step = 0; step < steps_.size(); ++step) {
    const size_t node = steps_[step].node;
    SL_RETURN_IF_ERROR(execute_node(node, steps_[step].unnamed_outputs));
    for (Tensor& unnamed : steps_[step].unnamed_outputs)
      unnamed = Tensor();
    for (const std::vector<int>* ids : {&index_.node_inputs[node], &index_.node_outputs[node]}) {
      for (int id : *ids) {
        if (id == kNoValue)
          continue;
        Value& value = values_[id];
        if (!value.keep && value.last_step == static_cast<int>(step))
          value.data = Tensor();
      }
    }
  }

  const Value& first = values_[index_.outputs[0]];
  FloatTensor result;
  result.shape = first.shape;
  result.data.resize(static_cast<size_t>(first.data.element_count()));
  copy_bytes(result.data.data(), first.data.bytes.data(), first.data.bytes.size());

  // Run-time outputs are not needed after the copy; constants stay for the next run.
  for (int id : index_.outputs) {
    if (!values_[id].constant)
      values_[id].data = Tensor();
  }
  return result;
}

std::vector<StepInfo> Program::steps() const {
  std::vector<StepInfo> infos;
  infos.reserve(steps_.size());
  for (const Step& step : steps_) {
    const onnx::Node& node = model_.graph.nodes[step.node];
    infos.push_back({node.name, node.op_type});
  }
  return infos;
}

}  // namespace sightline::engine
