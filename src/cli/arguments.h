// Command-line parsing for `sightline`: flags with values (`--conf 0.3` or `--conf=0.3`),
// switches (`--json`) and positional arguments, with errors that name the flag and the value.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace sightline::cli {

struct ArgumentSpec {
  std::set<std::string> value_flags;   // e.g. "--conf"
  std::set<std::string> switch_flags;  // e.g. "--json"
};

struct Arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> switches;

  bool has(const std::string& flag) const { return values.count(flag) || switches.count(flag); }

  Result<float> number(const std::string& flag, float fallback) const;
  Result<int> integer(const std::string& flag, int fallback, int minimum, int maximum) const;
  std::string text(const std::string& flag, const std::string& fallback) const;
};

Result<Arguments> parse_arguments(const std::vector<std::string>& words, const ArgumentSpec& spec);

}  // namespace sightline::cli
