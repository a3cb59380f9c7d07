// Runs the `sightline` binary built beside the tests and captures what it prints.
#pragma once

#include <string>

namespace sightline::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `arguments` is appended to the command line as it is (quote paths yourself).
CliRun run_cli(const std::string& arguments);

// A path in single quotes for a shell command line.
std::string quoted(const std::string& path);

}  // namespace sightline::testing
