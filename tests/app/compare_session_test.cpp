// The Compare panel's session without ImGui or the app: a fake runner answers with hand-made
// boxes, at once (like our engine) or later (like ONNX Runtime Web). Pins the order of work,
// one run in flight, the agreement figures, restarts ignoring stale answers, Promote's swap,
// failures, photos joining later, and the input-size rule.
#include "app/compare_session.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "nlohmann/json.hpp"

namespace sightline::app {
namespace {

Detection box(int class_id, float score, float x1, float y1, float x2, float y2) {
  return Detection{class_id, score, x1, y1, x2, y2};
}

const std::vector<std::string> kNames = {"person", "dog", "car"};

CompareSide side(int model_id, const std::string& name,
                 const std::vector<std::string>& class_names = kNames) {
  CompareSide out;
  out.model_id = model_id;
  out.model_name = name;
  out.class_names = class_names;
  return out;
}

// Boxes per (model id, image id); answers at once, or keeps the callbacks when deferred.
class FakeRunner : public CompareRunner {
 public:
  std::map<std::pair<int, int>, std::vector<Detection>> boxes;
  std::map<std::pair<int, int>, std::string> failures;
  bool deferred = false;
  std::vector<std::function<void()>> waiting;
  std::vector<std::pair<CompareRole, int>> calls;  // role, image id

  void run(const CompareSide& side, CompareRole role, int image_id, Done done) override {
    calls.emplace_back(role, image_id);
    if (deferred) {
      waiting.push_back(answer_for(side.model_id, image_id, std::move(done)));
      return;
    }
    answer_for(side.model_id, image_id, std::move(done))();
  }

 private:
  std::function<void()> answer_for(int model_id, int image_id, Done done) {
    const auto key = std::make_pair(model_id, image_id);
    if (failures.count(key)) {
      const std::string message = failures[key];
      return [done, message] { done(make_error(message)); };
    }
    DetectionReport report;
    report.image = "photo " + std::to_string(image_id);
    report.width = 100;
    report.height = 100;
    report.detections = boxes[key];
    report.timings.inference_ms = model_id * 10.0;
    return [done, report] { done(report); };
  }
};

void answer_next(FakeRunner& runner) {
  ASSERT_FALSE(runner.waiting.empty());
  std::function<void()> answer = std::move(runner.waiting.front());
  runner.waiting.erase(runner.waiting.begin());
  answer();
}

void run_all(CompareSession& session, FakeRunner& runner) {
  for (int guard = 0; guard < 100 && session.step(runner); ++guard) {
  }
}

const std::vector<std::pair<int, std::string>> kTwoPhotos = {{10, "a.jpg"}, {11, "b.jpg"}};

TEST(CompareSession, ModelAgainstItselfAgreesFully) {
  FakeRunner runner;
  runner.boxes[{1, 10}] = {box(1, 0.9f, 10, 10, 50, 50), box(2, 0.6f, 60, 60, 90, 90)};
  runner.boxes[{1, 11}] = {};
  CompareSession session;
  ASSERT_TRUE(session.start(side(1, "nano"), side(1, "nano"), kTwoPhotos));
  run_all(session, runner);
  EXPECT_EQ(session.phase(), ComparePhase::kDone);
  EXPECT_EQ(session.photos_finished(), 2);
  EXPECT_DOUBLE_EQ(session.summary().agreement, 1.0);
  EXPECT_EQ(session.summary().photos_in_full_agreement, 2);
  EXPECT_EQ(session.summary().matched, 2);
  // Primary then candidate for each photo, in the order given: four runs.
  ASSERT_EQ(runner.calls.size(), 4u);
  EXPECT_EQ(runner.calls[0], std::make_pair(CompareRole::kPrimary, 10));
  EXPECT_EQ(runner.calls[1], std::make_pair(CompareRole::kCandidate, 10));
  EXPECT_EQ(runner.calls[2], std::make_pair(CompareRole::kPrimary, 11));
}

TEST(CompareSession, DisagreementsAreListedMostFirst) {
  FakeRunner runner;
  // Photo 10: identical. Photo 11: the dog matches, the car only in the primary, a person only
  // in the candidate, and a dog shifted below IoU 0.5 counts on both sides.
  runner.boxes[{1, 10}] = {box(1, 0.9f, 10, 10, 50, 50)};
  runner.boxes[{2, 10}] = {box(1, 0.8f, 10, 10, 50, 50)};
  runner.boxes[{1, 11}] = {box(1, 0.9f, 0, 0, 40, 40), box(2, 0.7f, 50, 50, 90, 90)};
  runner.boxes[{2, 11}] = {box(1, 0.5f, 0, 0, 40, 40), box(0, 0.4f, 60, 0, 99, 30)};
  CompareSession session;
  ASSERT_TRUE(session.start(side(1, "nano"), side(2, "v8"), kTwoPhotos));
  run_all(session, runner);
  const monitor::ShadowSummary& summary = session.summary();
  ASSERT_EQ(summary.photos, 2);
  EXPECT_DOUBLE_EQ(summary.agreement, 2.0 * 2 / (3 + 3));
  ASSERT_EQ(summary.most_disagreement_first.size(), 2u);
  const monitor::ShadowPhoto& worst = session.compared()[summary.most_disagreement_first[0]];
  EXPECT_EQ(worst.name, "b.jpg");
  EXPECT_DOUBLE_EQ(worst.agreement, 0.5);
  EXPECT_EQ(worst.only_primary.size(), 1u);
  EXPECT_EQ(worst.only_candidate.size(), 1u);
  EXPECT_NEAR(worst.mean_abs_score_difference, 0.4, 1e-6);
  EXPECT_NEAR(summary.candidate_latency.median.inference_ms, 20.0, 1e-9);

  const nlohmann::json state = nlohmann::json::parse(session.state_json());
  EXPECT_EQ(state["phase"], "done");
  EXPECT_EQ(state["report"]["photos"][0]["name"], "b.jpg");
  EXPECT_EQ(state["report"]["photos"][0]["image_id"], 11);
  EXPECT_EQ(state["report"]["photos"][1]["image_id"], 10);
  EXPECT_EQ(state["report"]["photos"][0]["only_primary"][0]["label"], "car");
  EXPECT_EQ(state["report"]["photos"][0]["only_candidate"][0]["label"], "person");
}

TEST(CompareSession, OneRunInFlightAtATime) {
  FakeRunner runner;
  runner.deferred = true;
  CompareSession session;
  ASSERT_TRUE(session.start(side(1, "nano"), side(1, "nano"), {{10, "a.jpg"}}));
  EXPECT_TRUE(session.step(runner));
  EXPECT_TRUE(session.in_flight());
  EXPECT_FALSE(session.step(runner));
  EXPECT_EQ(runner.calls.size(), 1u);
  answer_next(runner);
  EXPECT_TRUE(session.step(runner));
  answer_next(runner);
  EXPECT_FALSE(session.step(runner));
  EXPECT_EQ(session.phase(), ComparePhase::kDone);
  EXPECT_EQ(session.photos_finished(), 1);
}

TEST(CompareSession, RestartIgnoresAnswersOfTheEarlierSession) {
  FakeRunner runner;
  runner.deferred = true;
  runner.boxes[{1, 10}] = {box(0, 0.9f, 0, 0, 10, 10)};
  CompareSession session;
  ASSERT_TRUE(session.start(side(1, "nano"), side(1, "nano"), {{10, "a.jpg"}}));
  ASSERT_TRUE(session.step(runner));
  ASSERT_TRUE(session.start(side(1, "nano"), side(2, "v8"), {{10, "a.jpg"}}));
  answer_next(runner);  // the first session's primary answer arrives late
  EXPECT_FALSE(session.photos()[0].primary.has_value());
  EXPECT_FALSE(session.in_flight());
  EXPECT_EQ(session.number(), 2);
}

TEST(CompareSession, PromoteSwapsRolesWithoutRunningAgain) {
  FakeRunner runner;
  runner.boxes[{1, 10}] = {box(1, 0.9f, 0, 0, 40, 40), box(2, 0.7f, 50, 50, 90, 90)};
  runner.boxes[{2, 10}] = {box(1, 0.5f, 0, 0, 40, 40)};
  CompareSession session;
  ASSERT_TRUE(session.start(side(1, "nano"), side(2, "v8"), {{10, "a.jpg"}}));
  run_all(session, runner);
  const size_t runs = runner.calls.size();
  session.swap_sides();
  EXPECT_EQ(session.primary().model_name, "v8");
  EXPECT_EQ(session.candidate().model_name, "nano");
  EXPECT_FALSE(session.step(runner));
  EXPECT_EQ(runner.calls.size(), runs);
  const monitor::ShadowPhoto& photo = session.compared()[0];
  EXPECT_EQ(photo.primary.size(), 1u);
  EXPECT_EQ(photo.only_primary.size(), 0u);
  EXPECT_EQ(photo.only_candidate.size(), 1u);
  EXPECT_EQ(photo.candidate[photo.only_candidate[0]].class_id, 2);
}

TEST(CompareSession, PromoteDuringARunRedoesTheHalfRunPhoto) {
  FakeRunner runner;
  runner.deferred = true;
  CompareSession session;
  ASSERT_TRUE(session.start(side(1, "nano"), side(2, "v8"), {{10, "a.jpg"}}));
  ASSERT_TRUE(session.step(runner));
  answer_next(runner);  // primary in
  ASSERT_TRUE(session.step(runner));
  session.swap_sides();
  answer_next(runner);  // the old candidate's answer: stale now
  EXPECT_FALSE(session.photos()[0].primary.has_value());
  ASSERT_TRUE(session.step(runner));
  EXPECT_EQ(runner.calls.back(), std::make_pair(CompareRole::kPrimary, 10));
}

TEST(CompareSession, FailedPhotoIsReportedAndTheOthersCompared) {
  FakeRunner runner;
  runner.failures[{2, 10}] = "a.jpg: model failed";
  CompareSession session;
  ASSERT_TRUE(session.start(side(1, "nano"), side(2, "v8"), kTwoPhotos));
  run_all(session, runner);
  EXPECT_EQ(session.phase(), ComparePhase::kDone);
  EXPECT_EQ(session.photos_finished(), 2);
  EXPECT_EQ(session.compared().size(), 1u);
  EXPECT_EQ(session.photos()[0].error, "candidate: a.jpg: model failed");
  const nlohmann::json state = nlohmann::json::parse(session.state_json());
  ASSERT_EQ(state["errors"].size(), 1u);
  EXPECT_EQ(state["errors"][0], "a.jpg: candidate: a.jpg: model failed");
}

TEST(CompareSession, PhotoAddedLaterIsComparedToo) {
  FakeRunner runner;
  CompareSession session;
  session.add_photo(12, "ignored.jpg");  // no comparison yet: nothing to join
  ASSERT_TRUE(session.start(side(1, "nano"), side(1, "nano"), {{10, "a.jpg"}}));
  run_all(session, runner);
  ASSERT_EQ(session.phase(), ComparePhase::kDone);
  session.add_photo(11, "b.jpg");
  session.add_photo(11, "b.jpg");
  EXPECT_EQ(session.phase(), ComparePhase::kRunning);
  run_all(session, runner);
  EXPECT_EQ(session.photos_total(), 2);
  EXPECT_EQ(session.compared().size(), 2u);
  EXPECT_EQ(session.phase(), ComparePhase::kDone);
}

TEST(CompareSession, CandidateClassesAreMappedByName) {
  FakeRunner runner;
  // The candidate numbers its classes differently: its class 0 is "dog".
  runner.boxes[{1, 10}] = {box(1, 0.9f, 0, 0, 40, 40)};
  runner.boxes[{2, 10}] = {box(0, 0.8f, 0, 0, 40, 40)};
  CompareSession session;
  ASSERT_TRUE(session.start(side(1, "nano"), side(2, "other", {"dog", "person"}), {{10, "a.jpg"}}));
  run_all(session, runner);
  EXPECT_DOUBLE_EQ(session.summary().agreement, 1.0);
}

TEST(CompareSession, RefusesBadThresholdsAndAnEmptyGallery) {
  CompareSession session;
  CompareSide bad = side(2, "v8");
  bad.options.confidence = 1.5f;
  const Status refused = session.start(side(1, "nano"), bad, kTwoPhotos);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.message().find("candidate"), std::string::npos);
  EXPECT_NE(refused.message().find("1.5"), std::string::npos);
  const Status empty = session.start(side(1, "nano"), side(1, "nano"), {});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.message().find("no photos"), std::string::npos);
  EXPECT_EQ(session.phase(), ComparePhase::kIdle);
}

TEST(CompareInputSize, FixedShapeModelRunsAtItsSizeOnly) {
  const Status fixed = check_input_size({1, 3, 416, 416}, 320, 320, "yolox_nano");
  ASSERT_FALSE(fixed);
  EXPECT_NE(fixed.message().find("yolox_nano"), std::string::npos);
  EXPECT_NE(fixed.message().find("416x416"), std::string::npos);
  EXPECT_TRUE(check_input_size({1, 3, -1, -1}, 320, 256, "dynamic"));
  const Status tiny = check_input_size({1, 3, -1, -1}, 8, 320, "dynamic");
  ASSERT_FALSE(tiny);
  EXPECT_NE(tiny.message().find("8x320"), std::string::npos);
  EXPECT_FALSE(check_input_size({1, 416, 416}, 320, 320, "hwc"));
}

}  // namespace
}  // namespace sightline::app
