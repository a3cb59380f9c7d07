// The libFuzzer side of a check: quiet logging, and a broken rule turned into a crash that
// libFuzzer saves like any other.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "core/log.h"
#include "fuzz/checks/check_support.h"

namespace sightline::fuzz {

inline int run_check(Check check, const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    set_log_level(LogLevel::kError);
    return true;
  }();
  (void)quiet;
  const std::string problem = check({data, size});
  if (!problem.empty()) {
    std::fprintf(stderr, "sightline fuzz check failed: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}

}  // namespace sightline::fuzz
