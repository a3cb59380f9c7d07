// Every parser of outside data that is fuzzed, by name. The name is the fuzz target's name
// without "fuzz_" and the folder of its seeds (corpus/<name>/) and kept crashes
// (regressions/<name>/); tests/regression/fuzz_regression_test.cpp runs every such file through
// the same check in the normal test suite.
#pragma once

#include <vector>

#include "fuzz/checks/baseline_check.h"
#include "fuzz/checks/coco_results_check.h"
#include "fuzz/checks/dataset_checks.h"
#include "fuzz/checks/image_check.h"
#include "fuzz/checks/ledger_check.h"
#include "fuzz/checks/model_card_check.h"
#include "fuzz/checks/onnx_check.h"

namespace sightline::fuzz {

struct EntryPoint {
  const char* name;
  Check check;
};

inline const std::vector<EntryPoint>& entry_points() {
  static const std::vector<EntryPoint> points = {
      {"image", check_image},           {"onnx", check_onnx},
      {"model_card", check_model_card}, {"yolo_labels", check_yolo_labels},
      {"coco_json", check_coco_json},   {"voc_xml", check_voc_xml},
      {"ledger", check_ledger},         {"coco_results", check_coco_results},
      {"baseline", check_baseline},
  };
  return points;
}

}  // namespace sightline::fuzz
