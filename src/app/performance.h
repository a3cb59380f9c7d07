// The Performance panel's figures, without ImGui or the App, so the tests drive them directly:
//   - StageHistory: the four stage timings (decode, preprocess, inference, postprocess) of every
//     photo processed this session, summarised as median / min / max per model and backend;
//   - ProfileAccumulator: single-run engine profiles averaged into a ProfileReport (per op type
//     and per node: mean ms, share of the total, GFLOP/s), with the sorting the tables offer;
//   - ProfileSession: the panel's "Profile" action, one warm-up run then N profiled runs of our
//     engine on one prepared input, one run per step so the window keeps drawing in between.
//     performance_app.cpp steps it once per frame with the active model's engine.
//
// Why single runs: the engine averages every run since profiling was switched on, but other work
// (a photo dropped meanwhile, an evaluation) may run the same engine between two of the
// profiler's frames. Profiling is switched on for one run and off again, and the runs are
// averaged here, so only the profiler's own runs count.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "app/app.h"
#include "core/tensor.h"
#include "engine/engine.h"

namespace sightline::app {

// Median, smallest and largest of some samples; all zero when there are none.
struct Spread {
  int count = 0;
  double median = 0.0;
  double min = 0.0;
  double max = 0.0;
};

// The median of an even count is the mean of the two middle samples.
Spread spread_of(std::vector<double> samples);

// Floating-point operations per millisecond as GFLOP/s; 0 when no time was measured.
double gflops_per_second(int64_t flops, double milliseconds);

// One photo through one model and backend (StageTimings: core/detector.h).
struct StageSample {
  std::string photo;
  int model_id = 0;
  BackendKind backend = BackendKind::kSightline;
  StageTimings timings;
};

struct StageSummary {
  int photos = 0;
  std::optional<StageSample> last;  // the most recent photo
  Spread decode;
  Spread preprocess;
  Spread inference;
  Spread postprocess;
};

// Stage timings of the photos processed this session, oldest first. Each inference counts once
// (a slider move re-runs post-processing only and adds nothing). The oldest samples are dropped
// beyond kMaxSamples.
class StageHistory {
 public:
  static constexpr size_t kMaxSamples = 10000;

  void add(StageSample sample);
  // The photos of this model and backend only: other models' figures would not compare.
  StageSummary summary(int model_id, BackendKind backend) const;
  size_t size() const { return samples_.size(); }

 private:
  std::deque<StageSample> samples_;
};

struct OpTypeRow {
  std::string op_type;
  int steps = 0;
  double milliseconds = 0.0;  // mean per run, all steps of this type together
  double share = 0.0;         // of the total step time, 0..1
  int64_t flops = 0;          // per run
  double gflops = 0.0;
};

struct NodeRow {
  int index = 0;  // position in the execution order
  std::string name;
  std::string op_type;
  std::string kernel;
  double milliseconds = 0.0;  // mean per run
  double share = 0.0;         // of the total step time, 0..1
  int64_t flops = 0;          // per run
  double gflops = 0.0;
};

struct ProfileReport {
  int runs = 0;  // profiled runs averaged (warm-up runs not counted)
  int warmup_runs = 0;
  std::string model;
  std::string photo;
  std::string kernel;               // Engine::kernel_description()
  int planned_steps = 0;            // Engine::execution_order().size() after the warm-up run
  int folded_nodes = 0;             // nodes evaluated once at planning time (constant inputs)
  std::vector<OpTypeRow> op_types;  // by descending time
  std::vector<NodeRow> nodes;       // by descending time
  double total_milliseconds = 0.0;  // mean per run of the steps' sum
  int64_t total_flops = 0;          // per run
  double gflops = 0.0;              // total_flops over total_milliseconds
  Spread step_sum_milliseconds;     // the steps' sum, per run
  Spread wall_milliseconds;         // the whole Engine::run (input and output copies too)
};

// Averages single-run profiles of one execution plan.
class ProfileAccumulator {
 public:
  // Adds one run: its per-step figures count as one run whatever run.runs says (the caller
  // switches profiling on for that run only). Refused, leaving the sums as they were, when the
  // run has no steps or its steps differ from the first run's (the engine planned again).
  Status add_run(const engine::EngineProfile& run, double wall_milliseconds);
  int runs() const { return static_cast<int>(step_sums_.size()); }
  // Rows sorted by descending time; the header fields beyond runs and the totals are left for
  // the caller (model, photo, kernel, ...).
  ProfileReport report() const;

 private:
  std::vector<engine::PlannedNode> nodes_;
  std::vector<double> node_milliseconds_;  // summed over the runs
  std::vector<double> step_sums_;          // per run
  std::vector<double> wall_milliseconds_;  // per run
};

// Table columns the panel sorts by (ImGui's sort specs map onto these).
enum class NodeColumn { kOrder, kName, kOpType, kKernel, kMilliseconds, kGflops };
enum class OpTypeColumn { kOpType, kSteps, kMilliseconds, kShare, kGflops };

// Stable sorts; ties keep execution order (nodes) or name order (op types).
void sort_nodes(std::vector<NodeRow>& rows, NodeColumn column, bool ascending);
void sort_op_types(std::vector<OpTypeRow>& rows, OpTypeColumn column, bool ascending);

// {"runs", "warmup_runs", "model", "photo", "backend": "sightline", "kernel", "planned_steps",
//  "folded_nodes", "total_ms", "total_flops", "gflops", "step_sum_ms": {median, min, max},
//  "wall_ms": {...}, "op_types": [{op_type, steps, ms, share, flops, gflops}],
//  "nodes": [{index, name, op_type, kernel, ms, share, flops, gflops}]}; rows by descending ms.
std::string profile_to_json(const ProfileReport& report);

enum class ProfilePhase { kIdle, kRunning, kDone, kFailed, kCancelled };

// "idle", "running", "done", "failed", "cancelled", as in the JS API.
const char* profile_phase_name(ProfilePhase phase);

// What a profile runs: the model and photo it names, and the engine's description. The session
// fills in the plan's size after the warm-up run, when the engine is surely planned.
struct ProfileSubject {
  int model_id = -1;
  std::string model;
  std::string photo;
  std::string kernel;
  int planned_steps = 0;
  int folded_nodes = 0;
};

class ProfileSession {
 public:
  static constexpr int kMinRuns = 1;
  static constexpr int kMaxRuns = 1000;
  static constexpr int kDefaultRuns = 10;
  static constexpr int kWarmupRuns = 1;

  // Starts a new profile (a running one is replaced): `runs` in [kMinRuns, kMaxRuns], else a
  // message naming the value and the range. The input is kept for every run.
  Status start(int runs, FloatTensor input, ProfileSubject subject);
  // Runs the next run (warm-up or profiled) on the engine; finishes after the last. The first
  // call after start only counts down, so a window shows "profiling" before the first run
  // blocks the thread.
  void step(engine::Engine& engine);
  // Ends a running profile with this message (the model changed, ...).
  void fail(const std::string& message);
  void cancel();

  ProfilePhase phase() const { return phase_; }
  bool running() const { return phase_ == ProfilePhase::kRunning; }
  int number() const { return number_; }  // counts starts, so the JS API tells runs apart
  int runs_requested() const { return runs_requested_; }
  int runs_done() const { return accumulator_.runs(); }
  int warmup_done() const { return warmup_done_; }
  const ProfileSubject& subject() const { return subject_; }
  const std::string& error() const { return error_; }
  const std::optional<ProfileReport>& report() const { return report_; }

  // {"number", "phase", "runs", "runs_done", "warmup_runs", "model", "photo", "error",
  //  "profile": profile_to_json or null}.
  std::string state_json() const;

 private:
  ProfilePhase phase_ = ProfilePhase::kIdle;
  int number_ = 0;
  int runs_requested_ = 0;
  int warmup_done_ = 0;
  int countdown_ = 0;
  FloatTensor input_;
  ProfileSubject subject_;
  ProfileAccumulator accumulator_;
  std::string error_;
  std::optional<ProfileReport> report_;
};

}  // namespace sightline::app
