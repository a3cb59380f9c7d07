// Planning (shape inference, constant folding, value lifetimes) and execution of a Program.
#include "engine/graph/program.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>

#include "engine/status_macros.h"

namespace sightline::engine {
namespace {

// Every block in the arena starts on a cache line, which is more than any vector load needs.
constexpr int64_t kArenaAlignment = 64;

int64_t byte_size(DataType type, const Shape& shape) {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= extent;
  return count * static_cast<int64_t>(data_type_size(type));
}

std::string mebibytes(int64_t bytes) {
  return std::to_string((bytes + (int64_t{1} << 20) - 1) >> 20) + " MiB";
}

}  // namespace

Program::Program(onnx::Model model, GraphIndex index,
                 std::vector<std::unique_ptr<Operator>> operators, std::string source,
                 const ExecutionContext& execution)
    : model_(std::move(model)),
      index_(std::move(index)),
      operators_(std::move(operators)),
      source_(std::move(source)),
      execution_(execution) {
  for (const std::unique_ptr<Operator>& op : operators_)
    op->set_execution(&execution_);
  values_.resize(index_.value_names.size());
  for (size_t id = 0; id < values_.size(); ++id) {
    const int initializer = index_.initializer_of[id];
    if (initializer < 0) continue;
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
  folded_bytes_ = 0;
  for (Value& value : values_) {
    if (value.initializer) continue;
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
    std::vector<ValueType> planned_outputs;
    SL_RETURN_IF_ERROR(plan_node(node, folded, planned_outputs));
    if (folded) {
      ++folded_nodes_;
      continue;
    }
    Step step;
    step.node = node;
    step.op_type = model_.graph.nodes[node].op_type;
    step.inputs = index_.node_inputs[node];
    step.outputs = index_.node_outputs[node];
    step.unnamed_types.resize(step.outputs.size());
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (step.outputs[i] == kNoValue) step.unnamed_types[i] = planned_outputs[i];
    }
    steps_.push_back(std::move(step));
  }

  // A value not kept is freed after the last step that reads it.
  for (size_t step = 0; step < steps_.size(); ++step) {
    for (int id : index_.node_inputs[steps_[step].node]) {
      if (id != kNoValue) values_[id].last_step = static_cast<int>(step);
    }
    for (int id : index_.node_outputs[steps_[step].node]) {
      if (id != kNoValue && values_[id].last_step < static_cast<int>(step)) {
        values_[id].last_step = static_cast<int>(step);
      }
    }
  }

  SL_RETURN_IF_ERROR(check_run_time_peak());

  for (size_t i = 0; i < index_.outputs.size(); ++i) {
    const Value& output = values_[index_.outputs[i]];
    if (output.type != DataType::kFloat32) {
      return make_error(source_ + ": graph output '" + index_.value_names[index_.outputs[i]] +
                        "' has type " + data_type_name(output.type) +
                        "; the engine returns float32 outputs only");
    }
  }

  if (execution_.fast) {
    fuse_activations();
    fuse_strided_copies();
  }
  SL_RETURN_IF_ERROR(plan_memory());
  if (execution_.fast) {
    const auto reserve = [this] {
      for (const Step& step : steps_)
        operators_[step.node]->reserve_scratch();
    };
    if (execution_.kernels.pool != nullptr) {
      execution_.kernels.pool->run_on_every_thread(reserve);
    } else {
      reserve();
    }
  }
  step_milliseconds_.assign(steps_.size(), 0.0);
  profiled_runs_ = 0;
  planned_ = true;
  planned_shape_ = input_shape;
  return Status::success();
}

Status Program::plan_node(size_t node, bool& folded, std::vector<ValueType>& planned_outputs) {
  const std::vector<int>& input_ids = index_.node_inputs[node];
  const std::vector<int>& output_ids = index_.node_outputs[node];

  std::vector<PlanInput> inputs(input_ids.size());
  bool all_constant = !input_ids.empty();
  for (size_t i = 0; i < input_ids.size(); ++i) {
    if (input_ids[i] == kNoValue) continue;
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
  if (!status.ok()) return make_error(node_context(node) + status.message());

  int64_t output_bytes = 0;
  for (size_t i = 0; i < output_ids.size(); ++i) {
    const Result<int64_t> count = checked_element_count(outputs[i].shape);
    if (!count.ok()) return make_error(node_context(node) + "output: " + count.message());
    output_bytes += count.value() * static_cast<int64_t>(data_type_size(outputs[i].type));
    if (output_ids[i] == kNoValue) continue;
    Value& value = values_[output_ids[i]];
    value.type = outputs[i].type;
    value.shape = outputs[i].shape;
  }
  planned_outputs = outputs;

  folded = all_constant;
  if (!folded) return Status::success();

  // Folded values live as long as the program, so they are counted before they are computed.
  if (folded_bytes_ + output_bytes > kMaxPlannedBytes) {
    return make_error(node_context(node) + "folding it at load needs " + mebibytes(output_bytes) +
                      " more for constants (" + mebibytes(folded_bytes_) +
                      " so far), over the limit of " + mebibytes(kMaxPlannedBytes) +
                      " for intermediate values");
  }
  folded_bytes_ += output_bytes;

  std::vector<Tensor> unnamed_outputs;
  SL_RETURN_IF_ERROR(execute_node(node, unnamed_outputs));
  for (int id : output_ids) {
    if (id == kNoValue) continue;
    values_[id].constant = true;
    values_[id].keep = true;
  }
  return Status::success();
}

// Replays run()'s allocation order: each named value is allocated when its producer runs and
// freed after its last reader unless kept; folded constants and the fed input are live
// throughout. Buffers of omitted ("") outputs are transient and not counted.
Status Program::check_run_time_peak() const {
  std::vector<bool> live(values_.size(), false);
  const int fed = index_.fed_inputs[0];
  int64_t live_bytes = folded_bytes_;
  if (!values_[fed].constant) {
    live[fed] = true;
    live_bytes += byte_size(values_[fed].type, values_[fed].shape);
  }
  int64_t peak_bytes = live_bytes;
  size_t peak_step = 0;

  for (size_t step = 0; step < steps_.size(); ++step) {
    const size_t node = steps_[step].node;
    for (int id : index_.node_outputs[node]) {
      if (id == kNoValue || live[id]) continue;
      live[id] = true;
      live_bytes += byte_size(values_[id].type, values_[id].shape);
    }
    if (live_bytes > peak_bytes) {
      peak_bytes = live_bytes;
      peak_step = step;
    }
    for (const std::vector<int>* ids : {&index_.node_inputs[node], &index_.node_outputs[node]}) {
      for (int id : *ids) {
        if (id == kNoValue || !live[id] || values_[id].keep ||
            values_[id].last_step != static_cast<int>(step))
          continue;
        live[id] = false;
        live_bytes -= byte_size(values_[id].type, values_[id].shape);
      }
    }
  }

  if (peak_bytes > kMaxPlannedBytes) {
    const std::string where =
        steps_.empty() ? source_ + ": " : node_context(steps_[peak_step].node);
    return make_error(where + "intermediate values need " + mebibytes(peak_bytes) +
                      " at this step for input shape " + shape_string(values_[fed].shape) +
                      ", over the limit of " + mebibytes(kMaxPlannedBytes));
  }
  return Status::success();
}

Status Program::execute_node(size_t node, std::vector<Tensor>& unnamed_outputs) {
  const std::vector<int>& input_ids = index_.node_inputs[node];
  const std::vector<int>& output_ids = index_.node_outputs[node];

  std::vector<const Tensor*> inputs(input_ids.size(), nullptr);
  for (size_t i = 0; i < input_ids.size(); ++i) {
    if (input_ids[i] != kNoValue) inputs[i] = &values_[input_ids[i]].data;
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
  if (!status.ok()) return make_error(node_context(node) + status.message());
  return Status::success();
}

Result<FloatTensor> Program::run(const FloatTensor& input) {
  if (!planned_) return make_error(source_ + ": the model has not been planned for an input shape");
  Value& fed = values_[index_.fed_inputs[0]];
  if (!fed.constant) copy_bytes(fed.data.raw(), input.data.data(), fed.data.byte_size());

  for (size_t index = 0; index < steps_.size(); ++index) {
    Step& step = steps_[index];
    const auto start =
        profiling_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    const Status status = operators_[step.node]->run(step.input_tensors, step.output_tensors);
    if (!status.ok()) return make_error(node_context(step.node) + status.message());
    if (profiling_) {
      const std::chrono::duration<double, std::milli> elapsed =
          std::chrono::steady_clock::now() - start;
      step_milliseconds_[index] += elapsed.count();
    }
  }
  if (profiling_) ++profiled_runs_;

  const Value& first = values_[index_.outputs[0]];
  FloatTensor result;
  result.shape = first.shape;
  result.data.resize(static_cast<size_t>(first.data.element_count()));
  copy_bytes(result.data.data(), first.data.raw(), first.data.byte_size());
  return result;
}

void Program::set_profiling(bool enabled) {
  profiling_ = enabled;
  step_milliseconds_.assign(steps_.size(), 0.0);
  profiled_runs_ = 0;
}

// Fuses Conv -> Sigmoid and Conv -> Sigmoid -> Mul(x, sigmoid(x)) when the intermediate values
// have no other reader and are not graph outputs: the convolution then writes the last node's
// output itself and the activation's steps disappear.
void Program::fuse_activations() {
  std::vector<std::vector<size_t>> readers(values_.size());
  for (size_t index = 0; index < steps_.size(); ++index) {
    for (int id : steps_[index].inputs) {
      if (id != kNoValue) readers[id].push_back(index);
    }
  }
  const auto is_step = [&](size_t index, const char* op_type, size_t input_count) {
    return steps_[index].op_type == op_type && steps_[index].inputs.size() == input_count &&
           steps_[index].outputs.size() == 1 && steps_[index].outputs[0] != kNoValue;
  };
  const auto private_value = [&](int id, size_t reader_count) {
    return !values_[id].keep && readers[id].size() == reader_count;
  };

  std::vector<bool> removed(steps_.size(), false);
  for (size_t index = 0; index < steps_.size(); ++index) {
    Step& conv = steps_[index];
    if (conv.op_type != "Conv" || conv.outputs.size() != 1 || conv.outputs[0] == kNoValue) continue;
    const int x = conv.outputs[0];
    if (private_value(x, 1) && is_step(readers[x][0], "Sigmoid", 1)) {
      const size_t sigmoid = readers[x][0];
      if (!operators_[conv.node]->fuse_activation(kernels::fast::Activation::kSigmoid)) continue;
      conv.outputs[0] = steps_[sigmoid].outputs[0];
      conv.op_type = "Conv+Sigmoid";
      removed[sigmoid] = true;
      continue;
    }
    if (!private_value(x, 2)) continue;
    size_t sigmoid = readers[x][0];
    size_t mul = readers[x][1];
    if (!is_step(sigmoid, "Sigmoid", 1)) std::swap(sigmoid, mul);
    if (!is_step(sigmoid, "Sigmoid", 1) || !is_step(mul, "Mul", 2)) continue;
    const int gate = steps_[sigmoid].outputs[0];
    const std::vector<int>& factors = steps_[mul].inputs;
    const bool silu =
        (factors[0] == x && factors[1] == gate) || (factors[0] == gate && factors[1] == x);
    const int y = steps_[mul].outputs[0];
    if (!silu || !private_value(gate, 1) || values_[y].shape != values_[x].shape) continue;
    if (!operators_[conv.node]->fuse_activation(kernels::fast::Activation::kSilu)) continue;
    conv.outputs[0] = y;
    conv.op_type = "Conv+SiLU";
    removed[sigmoid] = true;
    removed[mul] = true;
  }

  std::vector<Step> kept;
  kept.reserve(steps_.size());
  for (size_t index = 0; index < steps_.size(); ++index) {
    if (!removed[index]) kept.push_back(std::move(steps_[index]));
  }
  steps_ = std::move(kept);
}

// Removes a strided copy (Slice) whose output only other strided copies read, each of them then
// reading the first one's input through the two copies composed: YOLOX's input split
// (x[..., ::2, ::2] written as a row Slice then a column Slice) becomes one copy per part.
void Program::fuse_strided_copies() {
  std::vector<std::vector<size_t>> readers(values_.size());
  for (size_t index = 0; index < steps_.size(); ++index) {
    for (int id : steps_[index].inputs) {
      if (id != kNoValue) readers[id].push_back(index);
    }
  }

  std::vector<bool> removed(steps_.size(), false);
  for (size_t index = 0; index < steps_.size(); ++index) {
    const Step& producer = steps_[index];
    const kernels::StridedCopy* copy = operators_[producer.node]->strided_copy();
    if (copy == nullptr || producer.outputs.size() != 1 || producer.outputs[0] == kNoValue ||
        producer.inputs.empty() || producer.inputs[0] == kNoValue)
      continue;
    const int middle = producer.outputs[0];
    if (values_[middle].keep || readers[middle].empty()) continue;
    bool all_copies = true;
    for (size_t reader : readers[middle]) {
      const Step& step = steps_[reader];
      const kernels::StridedCopy* next = operators_[step.node]->strided_copy();
      const bool only_input_zero =
          std::count(step.inputs.begin(), step.inputs.end(), middle) == 1 &&
          step.inputs[0] == middle;
      all_copies = all_copies && next != nullptr && only_input_zero &&
                   next->extents.size() == copy->extents.size();
    }
    if (!all_copies) continue;

    for (size_t reader : readers[middle]) {
      operators_[steps_[reader].node]->read_through(*copy);
      steps_[reader].inputs[0] = producer.inputs[0];
      readers[producer.inputs[0]].push_back(reader);
    }
    removed[index] = true;
  }

  std::vector<Step> kept;
  kept.reserve(steps_.size());
  for (size_t index = 0; index < steps_.size(); ++index) {
    if (!removed[index]) kept.push_back(std::move(steps_[index]));
  }
  steps_ = std::move(kept);
}

// Gives every run-time value its bytes in the arena. A value may sit inside another one (a
// Reshape output in its input, a Concat input in the Concat output); the outermost value of
// such a chain owns a block that is reserved from the first step writing any member to the last
// step reading one. Blocks are placed largest first at the lowest offset that does not overlap
// a block alive at the same time.
Status Program::plan_memory() {
  const int fed = index_.fed_inputs[0];
  const int end_step = static_cast<int>(steps_.size());
  std::vector<int> first(values_.size(), std::numeric_limits<int>::max());
  std::vector<int> last(values_.size(), -1);
  std::vector<bool> buffered(values_.size(), false);
  if (!values_[fed].constant) {
    buffered[fed] = true;
    first[fed] = -1;
  }
  for (int index = 0; index < end_step; ++index) {
    for (int id : steps_[index].outputs) {
      if (id == kNoValue) continue;
      buffered[id] = true;
      first[id] = std::min(first[id], index);
      last[id] = std::max(last[id], index);
    }
    for (int id : steps_[index].inputs) {
      if (id != kNoValue) last[id] = std::max(last[id], index);
    }
  }
  for (int id : index_.outputs) {
    if (buffered[id]) last[id] = end_step;
  }

  // Containment: parent[v] holds v at byte parent_offset[v].
  std::vector<int> parent(values_.size(), kNoValue);
  std::vector<int64_t> parent_offset(values_.size(), 0);
  for (const Step& step : steps_) {
    const Operator& op = *operators_[step.node];
    const int out = step.outputs.empty() ? kNoValue : step.outputs[0];
    if (out == kNoValue || !buffered[out]) continue;
    if (op.output_is_input_view() && step.inputs[0] != kNoValue && buffered[step.inputs[0]] &&
        parent[out] == kNoValue) {
      parent[out] = step.inputs[0];
      continue;
    }
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      const int member = step.inputs[i];
      const int64_t offset = op.input_offset_in_output(i);
      const bool repeated = std::find(step.inputs.begin(), step.inputs.begin() + i, member) !=
                            step.inputs.begin() + i;
      if (offset < 0 || member == kNoValue || member == fed || member == out || repeated ||
          !buffered[member] || parent[member] != kNoValue)
        continue;
      parent[member] = out;
      parent_offset[member] = offset;
    }
  }

  // Resolves each value to its outermost container and the offset inside it. The chains are
  // acyclic: a Reshape points back to an earlier value, a Concat input forward to a later one,
  // and a Concat output is never a Reshape output.
  std::vector<int> root(values_.size(), kNoValue);
  std::vector<int64_t> root_offset(values_.size(), 0);
  struct Block {
    int root;
    int begin;
    int end;
    int64_t bytes;
    int64_t offset;
  };
  std::vector<Block> blocks;
  std::vector<int> block_of(values_.size(), -1);
  for (size_t id = 0; id < values_.size(); ++id) {
    if (!buffered[id]) continue;
    int top = static_cast<int>(id);
    int64_t offset = 0;
    while (parent[top] != kNoValue) {
      offset += parent_offset[top];
      top = parent[top];
    }
    root[id] = top;
    root_offset[id] = offset;
    if (block_of[top] < 0) {
      block_of[top] = static_cast<int>(blocks.size());
      const int64_t bytes = byte_size(values_[top].type, values_[top].shape);
      blocks.push_back({top, first[top], last[top],
                        (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment, 0});
    }
    Block& block = blocks[block_of[top]];
    block.begin = std::min(block.begin, first[id]);
    block.end = std::max(block.end, last[id]);
  }

  std::vector<size_t> order(blocks.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return blocks[a].bytes > blocks[b].bytes; });
  std::vector<size_t> placed;
  int64_t total = 0;
  for (size_t candidate : order) {
    Block& block = blocks[candidate];
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t other : placed) {
      const Block& o = blocks[other];
      if (o.begin <= block.end && block.begin <= o.end)
        busy.push_back({o.offset, o.offset + o.bytes});
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + block.bytes <= begin) break;
      offset = std::max(offset, end);
    }
    block.offset = offset;
    total = std::max(total, offset + block.bytes);
    placed.push_back(candidate);
  }

  // Greedy placement can leave gaps, so the arena may be larger than the peak that
  // check_run_time_peak() bounded; the cap is checked again before anything is allocated.
  if (folded_bytes_ + total > kMaxPlannedBytes) {
    return make_error(source_ + ": the run-time arena of " + mebibytes(total) +
                      " for input shape " + shape_string(values_[fed].shape) + " and " +
                      mebibytes(folded_bytes_) + " of folded constants exceed the limit of " +
                      mebibytes(kMaxPlannedBytes) + " for intermediate values");
  }

  if (total > arena_bytes_ || arena_ == nullptr) {
    arena_storage_ = std::vector<uint8_t>(static_cast<size_t>(total + kArenaAlignment));
    const uintptr_t address = reinterpret_cast<uintptr_t>(arena_storage_.data());
    arena_ =
        arena_storage_.data() + (kArenaAlignment - address % kArenaAlignment) % kArenaAlignment;
    arena_bytes_ = total;
    ++arena_allocations_;
  }

  for (size_t id = 0; id < values_.size(); ++id) {
    if (!buffered[id]) continue;
    const Block& block = blocks[block_of[root[id]]];
    Value& value = values_[id];
    value.data.view(value.type, value.shape, arena_ + block.offset + root_offset[id]);
  }

  for (Step& step : steps_) {
    step.input_tensors.assign(step.inputs.size(), nullptr);
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      if (step.inputs[i] != kNoValue) step.input_tensors[i] = &values_[step.inputs[i]].data;
    }
    step.unnamed_outputs.resize(step.outputs.size());
    step.output_tensors.assign(step.outputs.size(), nullptr);
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (step.outputs[i] != kNoValue) {
        step.output_tensors[i] = &values_[step.outputs[i]].data;
      } else {
        step.unnamed_outputs[i].reset(step.unnamed_types[i].type, step.unnamed_types[i].shape);
        step.output_tensors[i] = &step.unnamed_outputs[i];
      }
    }
  }
  return Status::success();
}

std::vector<StepInfo> Program::steps() const {
  std::vector<StepInfo> infos;
  infos.reserve(steps_.size());
  for (const Step& step : steps_) {
    const Operator& op = *operators_[step.node];
    infos.push_back(
        {model_.graph.nodes[step.node].name, step.op_type, op.kernel_name(), op.flops()});
  }
  return infos;
}

}  // namespace sightline::engine
