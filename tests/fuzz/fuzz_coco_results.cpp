// libFuzzer target: COCO results JSON through read_coco_results_json.
// What must hold for every input is in checks/coco_results_check.h.
#include "fuzz/checks/coco_results_check.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::fuzz::run_check(sightline::fuzz::check_coco_results, data, size);
}
