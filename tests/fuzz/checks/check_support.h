// Helpers shared by the fuzz checks. A check runs one input through a parser and returns "" when
// everything that must hold for any input held, else a sentence saying what was broken; crashes,
// sanitizer reports and leaks are caught by whoever runs the check (libFuzzer or GoogleTest).
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sightline::fuzz {

using Check = std::string (*)(std::span<const uint8_t> bytes);

inline std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Errors must say which file they are about (team rule: file, value and rule broken).
inline std::string check_error_message(std::string_view what, const std::string& message,
                                       std::string_view source) {
  if (message.empty()) return std::string(what) + " failed with an empty message";
  if (!source.empty() && message.find(source) == std::string::npos) {
    return std::string(what) + " failed with a message that does not name '" + std::string(source) +
           "': " + message.substr(0, 300);
  }
  return "";
}

inline bool all_finite(std::initializer_list<double> values) {
  for (double value : values) {
    if (!std::isfinite(value)) return false;
  }
  return true;
}

}  // namespace sightline::fuzz
