// libFuzzer target: monitoring baseline JSON through parse_window and a write-back.
// What must hold for every input is in checks/baseline_check.h.
#include "fuzz/checks/baseline_check.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::fuzz::run_check(sightline::fuzz::check_baseline, data, size);
}
