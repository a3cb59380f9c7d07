// LogBuffer: a bounded, locked list of log lines (see app_log.h).
#include "app/app_log.h"

#include <utility>

namespace sightline::app {

void LogBuffer::add(LogLevel level, std::string origin, std::string text) {
  std::lock_guard lock(mutex_);
  entries_.push_back(LogEntry{level, std::move(origin), std::move(text)});
  while (entries_.size() > capacity_)
    entries_.pop_front();
}

std::vector<LogEntry> LogBuffer::snapshot() const {
  std::lock_guard lock(mutex_);
  return {entries_.begin(), entries_.end()};
}

void LogBuffer::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace sightline::app
