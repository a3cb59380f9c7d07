// One levelled log sink for the whole program.
//
// Natively the default sink writes to stderr; the web build replaces it with one that feeds the
// browser console and the in-app log window. Messages start with where they came from
// ("engine", "cli", ...) so a user can tell which part spoke.
#pragma once

#include <functional>
#include <string_view>

namespace sightline {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

const char* log_level_name(LogLevel level);

using LogSink = std::function<void(LogLevel level, std::string_view origin, std::string_view text)>;

// Replaces the sink; an empty function restores the stderr sink.
void set_log_sink(LogSink sink);

// Messages below this level are dropped before they reach the sink. Default: kInfo.
void set_log_level(LogLevel minimum);
LogLevel log_level();

void log_message(LogLevel level, std::string_view origin, std::string_view text);

inline void log_debug(std::string_view origin, std::string_view text) {
  log_message(LogLevel::kDebug, origin, text);
}
inline void log_info(std::string_view origin, std::string_view text) {
  log_message(LogLevel::kInfo, origin, text);
}
inline void log_warning(std::string_view origin, std::string_view text) {
  log_message(LogLevel::kWarning, origin, text);
}
inline void log_error(std::string_view origin, std::string_view text) {
  log_message(LogLevel::kError, origin, text);
}

}  // namespace sightline
