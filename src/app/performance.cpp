// The Performance panel's figures (see performance.h): stage-timing summaries, single-run
// profiles averaged into per-op-type and per-node rows, their sorting, the profile session and
// its JSON for the JS API.
#include "app/performance.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "nlohmann/json.hpp"

namespace sightline::app {
namespace {

using Json = nlohmann::ordered_json;

Json spread_to_json(const Spread& spread) {
  return {{"median", spread.median}, {"min", spread.min}, {"max", spread.max}};
}

double milliseconds_between(std::chrono::steady_clock::time_point start,
                            std::chrono::steady_clock::time_point end) {
  return std::chrono::duration<double, std::milli>(end - start).count();
}

// Orders by key, then by a tie-breaker, in either direction; the tie-breaker always ascends so
// equal rows keep a predictable order.
template <class Row, class Key, class Tie>
void sort_rows(std::vector<Row>& rows, Key key, Tie tie, bool ascending) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    const auto& key_a = key(a);
    const auto& key_b = key(b);
    if (key_a != key_b) return ascending ? key_a < key_b : key_b < key_a;
    return tie(a) < tie(b);
  });
}

}  // namespace

Spread spread_of(std::vector<double> samples) {
  Spread spread;
  if (samples.empty()) return spread;
  std::sort(samples.begin(), samples.end());
  const size_t middle = samples.size() / 2;
  spread.count = static_cast<int>(samples.size());
  spread.median =
      samples.size() % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2.0;
  spread.min = samples.front();
  spread.max = samples.back();
  return spread;
}

double gflops_per_second(int64_t flops, double milliseconds) {
  // flops per millisecond / 1e6 = flops per second / 1e9.
  return milliseconds > 0.0 ? static_cast<double>(flops) / (milliseconds * 1e6) : 0.0;
}

void StageHistory::add(StageSample sample) {
  samples_.push_back(std::move(sample));
  while (samples_.size() > kMaxSamples)
    samples_.pop_front();
}

StageSummary StageHistory::summary(int model_id, BackendKind backend) const {
  StageSummary summary;
  std::vector<double> decode, preprocess, inference, postprocess;
  for (const StageSample& sample : samples_) {
    if (sample.model_id != model_id || sample.backend != backend) continue;
    decode.push_back(sample.timings.decode_ms);
    preprocess.push_back(sample.timings.preprocess_ms);
    inference.push_back(sample.timings.inference_ms);
    postprocess.push_back(sample.timings.postprocess_ms);
    summary.last = sample;
  }
  summary.photos = static_cast<int>(inference.size());
  summary.decode = spread_of(std::move(decode));
  summary.preprocess = spread_of(std::move(preprocess));
  summary.inference = spread_of(std::move(inference));
  summary.postprocess = spread_of(std::move(postprocess));
  return summary;
}

Status ProfileAccumulator::add_run(const engine::EngineProfile& run, double wall_milliseconds) {
  if (run.nodes.empty()) return make_error("the engine reported no profiled steps for the run");
  if (nodes_.empty()) {
    for (const engine::NodeProfile& node : run.nodes)
      nodes_.push_back(node.node);
    node_milliseconds_.assign(nodes_.size(), 0.0);
  } else if (run.nodes.size() != nodes_.size()) {
    return make_error("the engine ran " + std::to_string(run.nodes.size()) + " steps, not the " +
                      std::to_string(nodes_.size()) + " of the first run (it planned again)");
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (run.nodes[i].node.op_type != nodes_[i].op_type ||
        run.nodes[i].node.name != nodes_[i].name) {
      return make_error("step " + std::to_string(i) + " is " + run.nodes[i].node.op_type + " \"" +
                        run.nodes[i].node.name + "\", not the first run's " + nodes_[i].op_type +
                        " \"" + nodes_[i].name + "\" (it planned again)");
    }
  }
  double step_sum = 0.0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    node_milliseconds_[i] += run.nodes[i].milliseconds;
    step_sum += run.nodes[i].milliseconds;
  }
  step_sums_.push_back(step_sum);
  wall_milliseconds_.push_back(wall_milliseconds);
  return Status::success();
}

ProfileReport ProfileAccumulator::report() const {
  ProfileReport report;
  report.runs = runs();
  if (report.runs == 0) return report;
  const double runs = report.runs;

  std::map<std::string, OpTypeRow> by_type;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    NodeRow row;
    row.index = static_cast<int>(i);
    row.name = nodes_[i].name;
    row.op_type = nodes_[i].op_type;
    row.kernel = nodes_[i].kernel;
    row.milliseconds = node_milliseconds_[i] / runs;
    row.flops = nodes_[i].flops;
    row.gflops = gflops_per_second(row.flops, row.milliseconds);
    report.total_milliseconds += row.milliseconds;
    report.total_flops += row.flops;

    OpTypeRow& type = by_type[row.op_type];
    type.op_type = row.op_type;
    ++type.steps;
    type.milliseconds += row.milliseconds;
    type.flops += row.flops;
    report.nodes.push_back(std::move(row));
  }
  for (auto& [name, type] : by_type) {
    type.gflops = gflops_per_second(type.flops, type.milliseconds);
    report.op_types.push_back(type);
  }

  const double total = report.total_milliseconds;
  for (NodeRow& row : report.nodes)
    row.share = total > 0.0 ? row.milliseconds / total : 0.0;
  for (OpTypeRow& row : report.op_types)
    row.share = total > 0.0 ? row.milliseconds / total : 0.0;
  report.gflops = gflops_per_second(report.total_flops, total);
  sort_nodes(report.nodes, NodeColumn::kMilliseconds, false);
  sort_op_types(report.op_types, OpTypeColumn::kMilliseconds, false);
  report.step_sum_milliseconds = spread_of(step_sums_);
  report.wall_milliseconds = spread_of(wall_milliseconds_);
  return report;
}

void sort_nodes(std::vector<NodeRow>& rows, NodeColumn column, bool ascending) {
  const auto order = [](const NodeRow& row) { return row.index; };
  switch (column) {
    case NodeColumn::kOrder:
      return sort_rows(rows, order, order, ascending);
    case NodeColumn::kName:
      return sort_rows(
          rows, [](const NodeRow& r) { return r.name; }, order, ascending);
    case NodeColumn::kOpType:
      return sort_rows(
          rows, [](const NodeRow& r) { return r.op_type; }, order, ascending);
    case NodeColumn::kKernel:
      return sort_rows(
          rows, [](const NodeRow& r) { return r.kernel; }, order, ascending);
    case NodeColumn::kMilliseconds:
      return sort_rows(
          rows, [](const NodeRow& r) { return r.milliseconds; }, order, ascending);
    case NodeColumn::kGflops:
      return sort_rows(
          rows, [](const NodeRow& r) { return r.gflops; }, order, ascending);
  }
}

void sort_op_types(std::vector<OpTypeRow>& rows, OpTypeColumn column, bool ascending) {
  const auto name = [](const OpTypeRow& row) { return row.op_type; };
  switch (column) {
    case OpTypeColumn::kOpType:
      return sort_rows(rows, name, name, ascending);
    case OpTypeColumn::kSteps:
      return sort_rows(
          rows, [](const OpTypeRow& r) { return r.steps; }, name, ascending);
    case OpTypeColumn::kMilliseconds:
    case OpTypeColumn::kShare:
      return sort_rows(
          rows, [](const OpTypeRow& r) { return r.milliseconds; }, name, ascending);
    case OpTypeColumn::kGflops:
      return sort_rows(
          rows, [](const OpTypeRow& r) { return r.gflops; }, name, ascending);
  }
}

namespace {

Json profile_json(const ProfileReport& report) {
  Json op_types = Json::array();
  for (const OpTypeRow& row : report.op_types) {
    op_types.push_back({{"op_type", row.op_type},
                        {"steps", row.steps},
                        {"ms", row.milliseconds},
                        {"share", row.share},
                        {"flops", row.flops},
                        {"gflops", row.gflops}});
  }
  Json nodes = Json::array();
  for (const NodeRow& row : report.nodes) {
    nodes.push_back({{"index", row.index},
                     {"name", row.name},
                     {"op_type", row.op_type},
                     {"kernel", row.kernel},
                     {"ms", row.milliseconds},
                     {"share", row.share},
                     {"flops", row.flops},
                     {"gflops", row.gflops}});
  }
  return {{"runs", report.runs},
          {"warmup_runs", report.warmup_runs},
          {"model", report.model},
          {"photo", report.photo},
          {"backend", "sightline"},
          {"kernel", report.kernel},
          {"planned_steps", report.planned_steps},
          {"folded_nodes", report.folded_nodes},
          {"total_ms", report.total_milliseconds},
          {"total_flops", report.total_flops},
          {"gflops", report.gflops},
          {"step_sum_ms", spread_to_json(report.step_sum_milliseconds)},
          {"wall_ms", spread_to_json(report.wall_milliseconds)},
          {"op_types", op_types},
          {"nodes", nodes}};
}

}  // namespace

std::string profile_to_json(const ProfileReport& report) {
  // Node and photo names come from files and may not be UTF-8.
  return profile_json(report).dump(-1, ' ', false, Json::error_handler_t::replace);
}

const char* profile_phase_name(ProfilePhase phase) {
  switch (phase) {
    case ProfilePhase::kIdle:
      return "idle";
    case ProfilePhase::kRunning:
      return "running";
    case ProfilePhase::kDone:
      return "done";
    case ProfilePhase::kFailed:
      return "failed";
    case ProfilePhase::kCancelled:
      return "cancelled";
  }
  return "idle";
}

Status ProfileSession::start(int runs, FloatTensor input, ProfileSubject subject) {
  if (runs < kMinRuns || runs > kMaxRuns) {
    return make_error("profile runs " + std::to_string(runs) + " is outside [" +
                      std::to_string(kMinRuns) + ", " + std::to_string(kMaxRuns) + "]");
  }
  ++number_;
  phase_ = ProfilePhase::kRunning;
  runs_requested_ = runs;
  warmup_done_ = 0;
  countdown_ = 1;
  input_ = std::move(input);
  subject_ = std::move(subject);
  accumulator_ = ProfileAccumulator{};
  error_.clear();
  report_.reset();
  return Status::success();
}

void ProfileSession::step(engine::Engine& engine) {
  if (phase_ != ProfilePhase::kRunning) return;
  if (countdown_ > 0) {
    --countdown_;
    return;
  }
  // The warm-up run fills caches and lets the engine plan a dynamic-shape input.
  if (warmup_done_ < kWarmupRuns) {
    Result<FloatTensor> output = engine.run(input_);
    if (!output) return fail("warm-up run: " + output.message());
    ++warmup_done_;
    // Planned now, also when the model's input shape is dynamic.
    subject_.planned_steps = static_cast<int>(engine.execution_order().size());
    subject_.folded_nodes = static_cast<int>(engine.folded_node_count());
    return;
  }

  engine.set_profiling(true);
  const auto start = std::chrono::steady_clock::now();
  Result<FloatTensor> output = engine.run(input_);
  const double wall = milliseconds_between(start, std::chrono::steady_clock::now());
  const engine::EngineProfile run = engine.profile();
  engine.set_profiling(false);
  const int number = runs_done() + 1;
  if (!output) {
    return fail("run " + std::to_string(number) + " of " + std::to_string(runs_requested_) + ": " +
                output.message());
  }
  if (Status added = accumulator_.add_run(run, wall); !added) {
    return fail("run " + std::to_string(number) + " of " + std::to_string(runs_requested_) + ": " +
                added.message());
  }
  if (runs_done() < runs_requested_) return;

  ProfileReport report = accumulator_.report();
  report.warmup_runs = warmup_done_;
  report.model = subject_.model;
  report.photo = subject_.photo;
  report.kernel = subject_.kernel;
  report.planned_steps = subject_.planned_steps;
  report.folded_nodes = subject_.folded_nodes;
  report_ = std::move(report);
  phase_ = ProfilePhase::kDone;
  input_ = FloatTensor{};
}

void ProfileSession::fail(const std::string& message) {
  if (phase_ != ProfilePhase::kRunning) return;
  phase_ = ProfilePhase::kFailed;
  error_ = message;
  input_ = FloatTensor{};
}

void ProfileSession::cancel() {
  if (phase_ != ProfilePhase::kRunning) return;
  phase_ = ProfilePhase::kCancelled;
  error_ = "cancelled after " + std::to_string(runs_done()) + " of " +
           std::to_string(runs_requested_) + " runs";
  input_ = FloatTensor{};
}

std::string ProfileSession::state_json() const {
  Json state = {{"number", number_},           {"phase", profile_phase_name(phase_)},
                {"runs", runs_requested_},     {"runs_done", runs_done()},
                {"warmup_runs", warmup_done_}, {"model", subject_.model},
                {"photo", subject_.photo},     {"error", error_},
                {"profile", nullptr}};
  if (report_) state["profile"] = profile_json(*report_);
  return state.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sightline::app
