// YOLOX-Nano on COCO128 with the COCO JSON as ground truth, scored by our evaluator, against
// the figures a reference pipeline (ONNX Runtime + pycocotools) measured: AP 0.337 and
// AP50 0.515 at conf 0.001, class-aware NMS IoU 0.65, at most 100 detections per photo.
// Letterbox and resize details move these by a few thousandths, hence the 0.005 tolerance.
#include <gtest/gtest.h>

#include "core/detector.h"
#include "core/model_store.h"
#include "engine/engine.h"
#include "eval/dataset.h"
#include "eval/evaluation.h"
#include "support/paths.h"

namespace sightline::eval {
namespace {

TEST(Coco128EndToEnd, YoloxNanoMatchesReferenceApWithin0005) {
  ValidationReport validation;
  auto dataset = load_dataset(testing::data_dir() + "/coco128/instances_train2017_coco128.json", {},
                              validation);
  ASSERT_TRUE(dataset) << dataset.message();
  ASSERT_EQ(validation.error_count(), 0);

  auto card = load_card(testing::source_dir() + "/models/yolox_nano.json", testing::models_dir());
  ASSERT_TRUE(card) << card.message();
  auto bytes = load_model_file(*card, testing::models_dir());
  ASSERT_TRUE(bytes) << bytes.message();
  engine::EngineOptions options;
  options.threads = 2;
  auto backend = engine::load_model(*bytes, card->file, options);
  ASSERT_TRUE(backend) << backend.message();
  auto detector = Detector::create(*card, std::move(*backend));
  ASSERT_TRUE(detector) << detector.message();

  auto mapping = map_classes_to_categories((*detector)->card().class_names, *dataset);
  ASSERT_TRUE(mapping) << mapping.message();
  PostprocessOptions postprocess;
  postprocess.confidence = 0.001f;
  postprocess.iou = 0.65f;
  postprocess.max_detections = 100;
  const InferenceOutcome outcome =
      run_detector_on_dataset(**detector, *dataset, *mapping, postprocess, nullptr);
  ASSERT_TRUE(outcome.issues.empty()) << outcome.issues.front().rule;
  EXPECT_EQ(outcome.images_run, 128);

  const EvaluationReport report =
      evaluate_dataset(*dataset, outcome.detections, outcome.measures, EvaluationSettings{});
  RecordProperty("AP", std::to_string(report.coco.stats[0]));
  RecordProperty("AP50", std::to_string(report.coco.stats[1]));
  EXPECT_NEAR(report.coco.stats[0], 0.337, 0.005);
  EXPECT_NEAR(report.coco.stats[1], 0.515, 0.005);
}

}  // namespace
}  // namespace sightline::eval
