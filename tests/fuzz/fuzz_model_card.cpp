// libFuzzer target: model cards and class-name files.
// What must hold for every input is in checks/model_card_check.h.
#include "fuzz/checks/model_card_check.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::fuzz::run_check(sightline::fuzz::check_model_card, data, size);
}
