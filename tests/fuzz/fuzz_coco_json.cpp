// libFuzzer target: COCO dataset JSON through load_dataset.
// What must hold for every input is in checks/dataset_checks.h.
#include "fuzz/checks/dataset_checks.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::fuzz::run_check(sightline::fuzz::check_coco_json, data, size);
}
