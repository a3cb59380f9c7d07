// libFuzzer target: photos through decode_image and read_image_size.
// What must hold for every input is in checks/image_check.h.
#include "fuzz/checks/image_check.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::fuzz::run_check(sightline::fuzz::check_image, data, size);
}
