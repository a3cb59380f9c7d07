// libFuzzer target: Pascal VOC annotation XML (and an optional classes.txt) through load_dataset.
// What must hold for every input is in checks/dataset_checks.h.
#include "fuzz/checks/dataset_checks.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::fuzz::run_check(sightline::fuzz::check_voc_xml, data, size);
}
