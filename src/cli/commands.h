// The `sightline` subcommands. Each takes the words after its name and returns the process exit
// code: 0 success, 1 a failure while working (bad image, bad model), 2 a usage error.
#pragma once

#include <string>
#include <vector>

namespace sightline::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int run_detect(const std::vector<std::string>& words);
int run_info(const std::vector<std::string>& words);
int run_validate(const std::vector<std::string>& words);
int run_eval(const std::vector<std::string>& words);
int run_runs(const std::vector<std::string>& words);
int run_bench(const std::vector<std::string>& words);
int run_monitor(const std::vector<std::string>& words);
int run_compare(const std::vector<std::string>& words);

// Prints "sightline: <message>" to stderr and returns the code, for one-line error exits.
int fail(int exit_code, const std::string& message);

}  // namespace sightline::cli
