#include "core/log.h"

#include <cstdio>
#include <mutex>
#include <utility>

namespace sightline {
namespace {

std::mutex& sink_mutex() {
  static std::mutex mutex;
  return mutex;
}

LogSink& current_sink() {
  static LogSink sink;
  return sink;
}

LogLevel& minimum_level() {
  static LogLevel level = LogLevel::kInfo;
  return level;
}

void write_to_stderr(LogLevel level, std::string_view origin, std::string_view text) {
  std::fprintf(stderr, "[%s] %.*s: %.*s\n", log_level_name(level), static_cast<int>(origin.size()),
               origin.data(), static_cast<int>(text.size()), text.data());
}

}  // namespace

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

void set_log_sink(LogSink sink) {
  std::lock_guard lock(sink_mutex());
  current_sink() = std::move(sink);
}

void set_log_level(LogLevel minimum) {
  std::lock_guard lock(sink_mutex());
  minimum_level() = minimum;
}

LogLevel log_level() {
  std::lock_guard lock(sink_mutex());
  return minimum_level();
}

void log_message(LogLevel level, std::string_view origin, std::string_view text) {
  std::lock_guard lock(sink_mutex());
  if (level < minimum_level()) return;
  if (current_sink()) {
    current_sink()(level, origin, text);
  } else {
    write_to_stderr(level, origin, text);
  }
}

}  // namespace sightline
