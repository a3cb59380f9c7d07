// libFuzzer target: ONNX files through inspect_model, load_engine and two small runs.
// What must hold for every input is in checks/onnx_check.h.
#include "fuzz/checks/onnx_check.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::fuzz::run_check(sightline::fuzz::check_onnx, data, size);
}
