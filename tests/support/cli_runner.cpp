#include "support/cli_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace sightline::testing {

CliRun run_cli(const std::string& arguments) {
  static std::atomic<int> counter{0};
  const std::string err_path =
      (std::filesystem::temp_directory_path() /
       ("sightline-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".err"))
          .string();
  const std::string command =
      quoted(SIGHTLINE_CLI_PATH) + " " + arguments + " 2>" + quoted(err_path);

  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t count;
  while ((count = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    run.out.append(buffer.data(), count);
  }
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

  std::ifstream err(err_path);
  run.err.assign(std::istreambuf_iterator<char>(err), {});
  std::filesystem::remove(err_path);
  return run;
}

std::string quoted(const std::string& path) {
  return "'" + path + "'";
}

}  // namespace sightline::testing
