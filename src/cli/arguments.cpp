#include "cli/arguments.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace sightline::cli {

Result<Arguments> parse_arguments(const std::vector<std::string>& words, const ArgumentSpec& spec) {
  Arguments arguments;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.size() < 2 || word[0] != '-' || word == "--") {
      arguments.positional.push_back(word);
      continue;
    }

    std::string flag = word;
    std::string value;
    bool inline_value = false;
    if (const size_t equals = word.find('='); equals != std::string::npos) {
      flag = word.substr(0, equals);
      value = word.substr(equals + 1);
      inline_value = true;
    }

    if (spec.switch_flags.count(flag)) {
      if (inline_value)
        return make_error("option " + flag + " takes no value (got '" + value + "')");
      arguments.switches.insert(flag);
    } else if (spec.value_flags.count(flag)) {
      if (!inline_value) {
        if (i + 1 >= words.size()) return make_error("option " + flag + " needs a value");
        value = words[++i];
      }
      arguments.values[flag] = value;
    } else {
      return make_error("unknown option '" + flag + "'");
    }
  }
  return arguments;
}

Result<float> Arguments::number(const std::string& flag, float fallback) const {
  auto it = values.find(flag);
  if (it == values.end()) return fallback;
  const char* text = it->second.c_str();
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !std::isfinite(value)) {
    return make_error("option " + flag + ": '" + it->second + "' is not a number");
  }
  return static_cast<float>(value);
}

Result<int> Arguments::integer(const std::string& flag, int fallback, int minimum,
                               int maximum) const {
  auto it = values.find(flag);
  if (it == values.end()) return fallback;
  const char* text = it->second.c_str();
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE) {
    return make_error("option " + flag + ": '" + it->second + "' is not a whole number");
  }
  if (value < minimum || value > maximum) {
    return make_error("option " + flag + ": " + it->second + " is outside [" +
                      std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
  }
  return static_cast<int>(value);
}

std::string Arguments::text(const std::string& flag, const std::string& fallback) const {
  auto it = values.find(flag);
  return it == values.end() ? fallback : it->second;
}

}  // namespace sightline::cli
