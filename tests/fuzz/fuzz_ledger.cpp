// libFuzzer target: ledger text through parse_ledger and a write-back.
// What must hold for every input is in checks/ledger_check.h.
#include "fuzz/checks/ledger_check.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sightline::fuzz::run_check(sightline::fuzz::check_ledger, data, size);
}
