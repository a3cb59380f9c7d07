// The Performance panel's figures without ImGui or the app: median / min / max, GFLOP/s, the
// stage-timing history per model and backend, single-run profiles averaged per node and op
// type (shares, GFLOP/s, refusal of a run from another plan), table sorting, the profile JSON,
// and the profile session on YOLOX-Nano in our engine (run counts, warm-up, runs by others in
// between not counted, cancel).
#include "app/performance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "nlohmann/json.hpp"
#include "support/paths.h"

namespace sightline::app {
namespace {

engine::PlannedNode planned(const std::string& name, const std::string& op_type, int64_t flops) {
  return engine::PlannedNode{name, op_type, "test kernel", flops};
}

// One run's profile of a three-step plan: conv_a, conv_b (Conv+SiLU), pool (MaxPool).
engine::EngineProfile three_step_run(double conv_a_ms, double conv_b_ms, double pool_ms) {
  engine::EngineProfile run;
  run.runs = 1;
  run.nodes = {{planned("conv_a", "Conv+SiLU", 2'000'000), conv_a_ms},
               {planned("conv_b", "Conv+SiLU", 6'000'000), conv_b_ms},
               {planned("pool", "MaxPool", 0), pool_ms}};
  return run;
}

TEST(Spread, MedianOfOddCountIsTheMiddleSample) {
  const Spread spread = spread_of({5.0, 1.0, 3.0});
  EXPECT_EQ(spread.count, 3);
  EXPECT_DOUBLE_EQ(spread.median, 3.0);
  EXPECT_DOUBLE_EQ(spread.min, 1.0);
  EXPECT_DOUBLE_EQ(spread.max, 5.0);
}

TEST(Spread, MedianOfEvenCountIsTheMeanOfTheMiddleTwo) {
  const Spread spread = spread_of({4.0, 1.0, 10.0, 2.0});
  EXPECT_DOUBLE_EQ(spread.median, 3.0);
  EXPECT_DOUBLE_EQ(spread.min, 1.0);
  EXPECT_DOUBLE_EQ(spread.max, 10.0);
}

TEST(Spread, NoSamplesGivesZeros) {
  const Spread spread = spread_of({});
  EXPECT_EQ(spread.count, 0);
  EXPECT_EQ(spread.median, 0.0);
  EXPECT_EQ(spread.max, 0.0);
}

TEST(GflopsPerSecond, FlopsOverMilliseconds) {
  EXPECT_DOUBLE_EQ(gflops_per_second(2'000'000'000, 100.0), 20.0);
  EXPECT_DOUBLE_EQ(gflops_per_second(1'000'000, 0.5), 2.0);
}

TEST(GflopsPerSecond, NoTimeGivesZeroNotInfinity) {
  EXPECT_EQ(gflops_per_second(1'000'000, 0.0), 0.0);
  EXPECT_EQ(gflops_per_second(1'000'000, -1.0), 0.0);
}

StageSample sample(const std::string& photo, int model_id, BackendKind backend, double inference) {
  return StageSample{photo, model_id, backend, StageTimings{1.0, 2.0, inference, 0.5}};
}

TEST(StageHistory, SummarisesOnlyTheModelAndBackendAsked) {
  StageHistory history;
  history.add(sample("a.jpg", 1, BackendKind::kSightline, 60.0));
  history.add(sample("b.jpg", 1, BackendKind::kOnnxRuntime, 900.0));
  history.add(sample("c.jpg", 2, BackendKind::kSightline, 300.0));
  history.add(sample("d.jpg", 1, BackendKind::kSightline, 40.0));
  history.add(sample("e.jpg", 1, BackendKind::kSightline, 50.0));
  history.add(sample("f.jpg", 1, BackendKind::kOnnxRuntime, 80.0));

  const StageSummary ours = history.summary(1, BackendKind::kSightline);
  EXPECT_EQ(ours.photos, 3);
  ASSERT_TRUE(ours.last.has_value());
  EXPECT_EQ(ours.last->photo, "e.jpg");
  EXPECT_DOUBLE_EQ(ours.inference.median, 50.0);
  EXPECT_DOUBLE_EQ(ours.inference.min, 40.0);
  EXPECT_DOUBLE_EQ(ours.inference.max, 60.0);
  EXPECT_DOUBLE_EQ(ours.decode.median, 1.0);
  EXPECT_DOUBLE_EQ(ours.postprocess.max, 0.5);

  const StageSummary theirs = history.summary(1, BackendKind::kOnnxRuntime);
  EXPECT_EQ(theirs.photos, 2);
  EXPECT_EQ(theirs.last->photo, "f.jpg");
  EXPECT_DOUBLE_EQ(theirs.inference.max, 900.0);
  EXPECT_DOUBLE_EQ(theirs.inference.median, 490.0);
}

TEST(StageHistory, NothingForAModelWithoutPhotos) {
  StageHistory history;
  history.add(sample("a.jpg", 1, BackendKind::kSightline, 60.0));
  const StageSummary summary = history.summary(7, BackendKind::kSightline);
  EXPECT_EQ(summary.photos, 0);
  EXPECT_FALSE(summary.last.has_value());
  EXPECT_EQ(summary.inference.count, 0);
}

TEST(StageHistory, DropsTheOldestBeyondItsCapacity) {
  StageHistory history;
  for (size_t i = 0; i < StageHistory::kMaxSamples + 5; ++i)
    history.add(sample("p.jpg", 1, BackendKind::kSightline, static_cast<double>(i)));
  EXPECT_EQ(history.size(), StageHistory::kMaxSamples);
  // Samples 0..4 are gone: the smallest left is 5.
  EXPECT_DOUBLE_EQ(history.summary(1, BackendKind::kSightline).inference.min, 5.0);
}

TEST(ProfileAccumulator, AveragesEachNodeOverTheRuns) {
  ProfileAccumulator accumulator;
  ASSERT_TRUE(accumulator.add_run(three_step_run(1.0, 5.0, 0.5), 7.0).ok());
  ASSERT_TRUE(accumulator.add_run(three_step_run(3.0, 3.0, 1.5), 9.0).ok());
  const ProfileReport report = accumulator.report();
  EXPECT_EQ(report.runs, 2);
  ASSERT_EQ(report.nodes.size(), 3u);
  // By descending mean time: conv_b 4.0, conv_a 2.0, pool 1.0.
  EXPECT_EQ(report.nodes[0].name, "conv_b");
  EXPECT_DOUBLE_EQ(report.nodes[0].milliseconds, 4.0);
  EXPECT_EQ(report.nodes[0].index, 1);
  EXPECT_EQ(report.nodes[1].name, "conv_a");
  EXPECT_DOUBLE_EQ(report.nodes[1].milliseconds, 2.0);
  EXPECT_EQ(report.nodes[2].name, "pool");
  EXPECT_DOUBLE_EQ(report.nodes[2].milliseconds, 1.0);
  EXPECT_DOUBLE_EQ(report.total_milliseconds, 7.0);
  EXPECT_EQ(report.total_flops, 8'000'000);
  // 6e6 flops in 4 ms = 1.5 GFLOP/s; 8e6 in 7 ms overall.
  EXPECT_DOUBLE_EQ(report.nodes[0].gflops, 1.5);
  EXPECT_DOUBLE_EQ(report.gflops, 8.0 / 7.0);
  EXPECT_DOUBLE_EQ(report.nodes[2].share, 1.0 / 7.0);
  EXPECT_DOUBLE_EQ(report.step_sum_milliseconds.min, 6.5);
  EXPECT_DOUBLE_EQ(report.step_sum_milliseconds.max, 7.5);
  EXPECT_DOUBLE_EQ(report.wall_milliseconds.median, 8.0);
}

TEST(ProfileAccumulator, GroupsNodesByOpTypeWithSharesSummingToOne) {
  ProfileAccumulator accumulator;
  ASSERT_TRUE(accumulator.add_run(three_step_run(1.0, 5.0, 0.5), 7.0).ok());
  ASSERT_TRUE(accumulator.add_run(three_step_run(3.0, 3.0, 1.5), 9.0).ok());
  const ProfileReport report = accumulator.report();
  ASSERT_EQ(report.op_types.size(), 2u);
  const OpTypeRow& conv = report.op_types[0];
  EXPECT_EQ(conv.op_type, "Conv+SiLU");
  EXPECT_EQ(conv.steps, 2);
  EXPECT_DOUBLE_EQ(conv.milliseconds, 6.0);
  EXPECT_EQ(conv.flops, 8'000'000);
  EXPECT_DOUBLE_EQ(conv.gflops, 8.0 / 6.0);
  const OpTypeRow& pool = report.op_types[1];
  EXPECT_EQ(pool.op_type, "MaxPool");
  EXPECT_EQ(pool.steps, 1);
  EXPECT_EQ(pool.gflops, 0.0);
  EXPECT_DOUBLE_EQ(conv.share + pool.share, 1.0);
}

TEST(ProfileAccumulator, RefusesARunFromAnotherPlanAndKeepsItsSums) {
  ProfileAccumulator accumulator;
  ASSERT_TRUE(accumulator.add_run(three_step_run(1.0, 5.0, 0.5), 7.0).ok());

  engine::EngineProfile shorter = three_step_run(1.0, 1.0, 1.0);
  shorter.nodes.pop_back();
  const Status fewer = accumulator.add_run(shorter, 3.0);
  ASSERT_FALSE(fewer.ok());
  EXPECT_NE(fewer.message().find("ran 2 steps, not the 3"), std::string::npos) << fewer.message();

  engine::EngineProfile renamed = three_step_run(1.0, 1.0, 1.0);
  renamed.nodes[2].node.op_type = "AveragePool";
  const Status other = accumulator.add_run(renamed, 3.0);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.message().find("step 2 is AveragePool"), std::string::npos) << other.message();

  EXPECT_EQ(accumulator.runs(), 1);
  EXPECT_DOUBLE_EQ(accumulator.report().total_milliseconds, 6.5);
}

TEST(ProfileAccumulator, RefusesARunWithoutSteps) {
  ProfileAccumulator accumulator;
  EXPECT_FALSE(accumulator.add_run(engine::EngineProfile{}, 1.0).ok());
  EXPECT_EQ(accumulator.runs(), 0);
  EXPECT_EQ(accumulator.report().nodes.size(), 0u);
}

std::vector<NodeRow> node_rows() {
  ProfileAccumulator accumulator;
  engine::EngineProfile run = three_step_run(2.0, 2.0, 0.5);
  run.nodes.push_back({planned("add", "Add", 0), 0.25});
  EXPECT_TRUE(accumulator.add_run(run, 5.0).ok());
  return accumulator.report().nodes;
}

std::vector<std::string> names(const std::vector<NodeRow>& rows) {
  std::vector<std::string> out;
  for (const NodeRow& row : rows)
    out.push_back(row.name);
  return out;
}

TEST(SortNodes, ByTimeKeepsExecutionOrderForTies) {
  std::vector<NodeRow> rows = node_rows();
  // conv_a and conv_b both take 2.0 ms: conv_a runs first.
  EXPECT_EQ(names(rows), (std::vector<std::string>{"conv_a", "conv_b", "pool", "add"}));
  sort_nodes(rows, NodeColumn::kMilliseconds, true);
  EXPECT_EQ(names(rows), (std::vector<std::string>{"add", "pool", "conv_a", "conv_b"}));
}

TEST(SortNodes, ByEachColumn) {
  std::vector<NodeRow> rows = node_rows();
  sort_nodes(rows, NodeColumn::kOrder, true);
  EXPECT_EQ(names(rows), (std::vector<std::string>{"conv_a", "conv_b", "pool", "add"}));
  sort_nodes(rows, NodeColumn::kOrder, false);
  EXPECT_EQ(names(rows), (std::vector<std::string>{"add", "pool", "conv_b", "conv_a"}));
  sort_nodes(rows, NodeColumn::kName, true);
  EXPECT_EQ(names(rows), (std::vector<std::string>{"add", "conv_a", "conv_b", "pool"}));
  sort_nodes(rows, NodeColumn::kOpType, false);
  EXPECT_EQ(names(rows), (std::vector<std::string>{"pool", "conv_a", "conv_b", "add"}));
  // conv_b: 6e6 flops in 2 ms = 3 GFLOP/s, conv_a 1; pool and add 0, in execution order.
  sort_nodes(rows, NodeColumn::kGflops, false);
  EXPECT_EQ(names(rows), (std::vector<std::string>{"conv_b", "conv_a", "pool", "add"}));
}

TEST(SortOpTypes, ByStepsAndByName) {
  ProfileAccumulator accumulator;
  engine::EngineProfile run = three_step_run(0.1, 0.1, 5.0);
  run.nodes.push_back({planned("add", "Add", 0), 0.25});
  ASSERT_TRUE(accumulator.add_run(run, 6.0).ok());
  std::vector<OpTypeRow> rows = accumulator.report().op_types;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].op_type, "MaxPool");  // by descending time
  sort_op_types(rows, OpTypeColumn::kSteps, false);
  EXPECT_EQ(rows[0].op_type, "Conv+SiLU");
  // Add and MaxPool both have one step: by name.
  EXPECT_EQ(rows[1].op_type, "Add");
  EXPECT_EQ(rows[2].op_type, "MaxPool");
  sort_op_types(rows, OpTypeColumn::kOpType, true);
  EXPECT_EQ(rows[0].op_type, "Add");
  EXPECT_EQ(rows[2].op_type, "MaxPool");
}

TEST(ProfileJson, CarriesTotalsAndRows) {
  ProfileAccumulator accumulator;
  ASSERT_TRUE(accumulator.add_run(three_step_run(1.0, 5.0, 0.5), 7.0).ok());
  ProfileReport report = accumulator.report();
  report.model = "tiny";
  report.photo = "dog.jpg";
  report.kernel = "scalar reference, 1 thread";
  report.planned_steps = 3;
  const auto json = nlohmann::json::parse(profile_to_json(report));
  EXPECT_EQ(json["model"], "tiny");
  EXPECT_EQ(json["backend"], "sightline");
  EXPECT_EQ(json["kernel"], "scalar reference, 1 thread");
  EXPECT_EQ(json["planned_steps"], 3);
  EXPECT_DOUBLE_EQ(json["total_ms"].get<double>(), 6.5);
  EXPECT_EQ(json["total_flops"].get<int64_t>(), 8'000'000);
  EXPECT_DOUBLE_EQ(json["gflops"].get<double>(), 8.0 / 6.5);
  ASSERT_EQ(json["nodes"].size(), 3u);
  EXPECT_EQ(json["nodes"][0]["name"], "conv_b");
  EXPECT_EQ(json["nodes"][0]["kernel"], "test kernel");
  ASSERT_EQ(json["op_types"].size(), 2u);
  EXPECT_EQ(json["op_types"][0]["op_type"], "Conv+SiLU");
  EXPECT_EQ(json["op_types"][0]["steps"], 2);
  EXPECT_DOUBLE_EQ(json["wall_ms"]["median"].get<double>(), 7.0);
}

TEST(ProfileSession, RefusesRunCountsOutsideTheRange) {
  ProfileSession session;
  for (int runs : {0, -3, ProfileSession::kMaxRuns + 1}) {
    const Status started = session.start(runs, FloatTensor{}, ProfileSubject{});
    ASSERT_FALSE(started.ok());
    EXPECT_NE(started.message().find("runs " + std::to_string(runs) + " is outside [1, 1000]"),
              std::string::npos)
        << started.message();
  }
  EXPECT_EQ(session.phase(), ProfilePhase::kIdle);
  EXPECT_EQ(session.number(), 0);
}

class ProfileSessionOnYoloxNano : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<uint8_t> bytes =
        testing::read_file_bytes(testing::models_dir() + "/yolox_nano.onnx");
    ASSERT_FALSE(bytes.empty());
    auto loaded = engine::load_engine(bytes, "yolox_nano.onnx");
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    engine_ = std::move(*loaded);
    input_.shape = {1, 3, 416, 416};
    input_.data.assign(3 * 416 * 416, 114.0f);
  }

  ProfileSubject subject() const {
    ProfileSubject subject;
    subject.model_id = 1;
    subject.model = "yolox_nano";
    subject.photo = "grey";
    subject.kernel = engine_->kernel_description();
    return subject;
  }

  std::unique_ptr<engine::Engine> engine_;
  FloatTensor input_;
};

TEST_F(ProfileSessionOnYoloxNano, WarmsUpThenProfilesEachRunOnce) {
  ProfileSession session;
  ASSERT_TRUE(session.start(2, input_, subject()).ok());
  EXPECT_TRUE(session.running());
  session.step(*engine_);  // only counts down, so the window can say "profiling" first
  EXPECT_EQ(session.warmup_done(), 0);
  session.step(*engine_);
  EXPECT_EQ(session.warmup_done(), 1);
  EXPECT_EQ(session.runs_done(), 0);
  session.step(*engine_);
  EXPECT_EQ(session.runs_done(), 1);
  // Work of others between the profiler's runs (a dropped photo, an evaluation) is not counted.
  ASSERT_TRUE(engine_->run(input_).ok());
  session.step(*engine_);
  ASSERT_EQ(session.phase(), ProfilePhase::kDone) << session.error();
  EXPECT_EQ(engine_->profile().runs, 0) << "profiling is left off";

  const ProfileReport& report = *session.report();
  EXPECT_EQ(report.runs, 2);
  EXPECT_EQ(report.warmup_runs, 1);
  EXPECT_EQ(report.planned_steps, static_cast<int>(engine_->execution_order().size()));
  EXPECT_EQ(static_cast<int>(report.nodes.size()), report.planned_steps);
  int64_t planned_flops = 0;
  for (const engine::PlannedNode& node : engine_->execution_order())
    planned_flops += node.flops;
  EXPECT_EQ(report.total_flops, planned_flops);

  double op_type_sum = 0.0;
  int op_type_steps = 0;
  std::map<std::string, const OpTypeRow*> by_type;
  for (const OpTypeRow& row : report.op_types) {
    op_type_sum += row.milliseconds;
    op_type_steps += row.steps;
    by_type[row.op_type] = &row;
  }
  EXPECT_NEAR(op_type_sum, report.total_milliseconds, 1e-9 * report.total_milliseconds);
  EXPECT_EQ(op_type_steps, report.planned_steps);
  ASSERT_TRUE(by_type.count("Conv+SiLU"));
  EXPECT_EQ(by_type["Conv+SiLU"]->steps, 104);
  EXPECT_GT(by_type["Conv+SiLU"]->flops, 0);
  EXPECT_GT(report.gflops, 0.0);
  EXPECT_TRUE(std::isfinite(report.gflops));
  // Each run's wall time holds its steps, so the medians keep that order.
  EXPECT_GE(report.wall_milliseconds.median, report.step_sum_milliseconds.median);

  const auto state = nlohmann::json::parse(session.state_json());
  EXPECT_EQ(state["phase"], "done");
  EXPECT_EQ(state["runs_done"], 2);
  EXPECT_EQ(state["profile"]["nodes"].size(), report.nodes.size());
}

TEST_F(ProfileSessionOnYoloxNano, CancelKeepsNoReportAndStopsRunning) {
  ProfileSession session;
  ASSERT_TRUE(session.start(5, input_, subject()).ok());
  session.step(*engine_);
  session.step(*engine_);
  session.step(*engine_);
  session.cancel();
  EXPECT_EQ(session.phase(), ProfilePhase::kCancelled);
  EXPECT_EQ(session.error(), "cancelled after 1 of 5 runs");
  EXPECT_FALSE(session.report().has_value());
  session.step(*engine_);
  EXPECT_EQ(session.runs_done(), 1);
  // A new start clears the old outcome and counts as another profile.
  ASSERT_TRUE(session.start(1, input_, subject()).ok());
  EXPECT_EQ(session.number(), 2);
  EXPECT_TRUE(session.error().empty());
  EXPECT_EQ(session.runs_done(), 0);
}

TEST_F(ProfileSessionOnYoloxNano, AFailedRunEndsTheProfileWithItsMessage) {
  ProfileSession session;
  FloatTensor wrong;
  wrong.shape = {1, 3, 10, 10};
  wrong.data.assign(300, 0.0f);
  ASSERT_TRUE(session.start(3, wrong, subject()).ok());
  session.step(*engine_);
  session.step(*engine_);
  ASSERT_EQ(session.phase(), ProfilePhase::kFailed);
  EXPECT_EQ(session.error().rfind("warm-up run: ", 0), 0u) << session.error();
  EXPECT_FALSE(session.report().has_value());
}

}  // namespace
}  // namespace sightline::app
