// The guard every function JS calls runs under (the web page's exported functions, through
// guard_entry, and its frame loop, through guard_call; see web_platform.h). Under WASM a C++
// exception that reaches JS ends the page (Emscripten aborts the runtime), so guard_entry catches
// everything: std::bad_alloc, which operator new throws when malloc finds no room below the
// WebAssembly memory's maximum (malloc returns null there instead of aborting:
// -sABORTING_MALLOC=0), and any other exception. The failure becomes a message that names what was
// being done; it goes to the reporter (the app's error banner and log) and back to the caller,
// which passes it on to JS.
//
// Header-only and free of the app, so tests/platform/web/boundary_guard_test.cpp checks it
// natively and under Node, where it really runs the WebAssembly memory out.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#endif

namespace sightline::platform {

using BoundaryReporter = void (*)(const std::string& message);

inline BoundaryReporter& boundary_reporter() {
  static BoundaryReporter reporter = nullptr;
  return reporter;
}

// Where failures are reported (the web main sets the app's report_error).
inline void set_boundary_reporter(BoundaryReporter reporter) {
  boundary_reporter() = reporter;
}

// The message of the last failure, for calls that answer JSON (they answer null on failure).
inline std::string& last_boundary_failure() {
  static std::string text;
  return text;
}

// " holds 1976 MiB of at most 2048 MiB" under WASM; natively the size is not known.
inline std::string describe_memory() {
#ifdef __EMSCRIPTEN__
  return "the WebAssembly memory holds " + std::to_string(emscripten_get_heap_size() >> 20) +
         " MiB of at most " + std::to_string(emscripten_get_heap_max() >> 20) + " MiB";
#else
  return "the process could not get more memory";
#endif
}

// Builds the message ("detect dog.jpg: out of memory: ..."), reports it unless it repeats the
// last failure (the frame loop meets a lasting failure every frame), and returns it, valid until
// the next failure. Never throws: when even the message cannot be built, a fixed text is
// returned.
inline const char* report_boundary_failure(std::string_view action, const std::exception* error,
                                           bool out_of_memory) noexcept {
  try {
    std::string message(action);
    if (out_of_memory) {
      message += ": out of memory: " + describe_memory() + "; the step was not done";
    } else {
      message += std::string(": failed: ") + (error ? error->what() : "unknown exception");
    }
    const bool repeated = message == last_boundary_failure();
    last_boundary_failure() = std::move(message);
    if (!repeated && boundary_reporter()) boundary_reporter()(last_boundary_failure());
    return last_boundary_failure().c_str();
  } catch (...) {
    return out_of_memory ? "out of memory (the WebAssembly memory is full)"
                         : "failed, and the message could not be built";
  }
}

using BoundaryActivity = void (*)();

inline BoundaryActivity& boundary_activity() {
  static BoundaryActivity activity = nullptr;
  return activity;
}

// Called at the start of every guard_entry (the web main wakes its frame loop: a call from JS
// may change what the window shows).
inline void set_boundary_activity(BoundaryActivity activity) {
  boundary_activity() = activity;
}

// Runs body(); returns null when it finished, else the reported message (see above). Does not
// count as activity: for the frame loop itself.
template <typename Body>
const char* guard_call(std::string_view action, Body&& body) noexcept {
  try {
    body();
    return nullptr;
  } catch (const std::bad_alloc& error) {
    return report_boundary_failure(action, &error, true);
  } catch (const std::exception& error) {
    return report_boundary_failure(action, &error, false);
  } catch (...) {
    return report_boundary_failure(action, nullptr, false);
  }
}

// guard_call for a function JS calls: reports the call as activity first.
template <typename Body>
const char* guard_entry(std::string_view action, Body&& body) noexcept {
  if (boundary_activity()) boundary_activity()();
  return guard_call(action, std::forward<Body>(body));
}

}  // namespace sightline::platform
