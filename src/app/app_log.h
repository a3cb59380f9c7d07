// LogBuffer: the lines shown in the app's log window, filled by the core's log sink.
//
// Engine worker threads may log, so the buffer is locked; the window copies it each frame.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "core/log.h"

namespace sightline::app {

struct LogEntry {
  LogLevel level = LogLevel::kInfo;
  std::string origin;
  std::string text;
};

class LogBuffer {
 public:
  explicit LogBuffer(size_t capacity = 1000) : capacity_(capacity) {}

  void add(LogLevel level, std::string origin, std::string text);
  std::vector<LogEntry> snapshot() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::deque<LogEntry> entries_;
  size_t capacity_;
};

}  // namespace sightline::app
