// The C functions behind window.sightline.profile / performance and setWorkspace('performance')
// (web/site/sightline-performance.js): start or cancel the Performance panel's profile, and the
// panel's state as JSON. The profile itself runs in the frame loop, one engine run per frame
// (App::run_pending_work), like a click on the panel's Profile button.
//
// Every exported function runs under guard_entry (boundary_guard.h), like the app's others.
#include <emscripten.h>

#include <string>

#include "app/workbench.h"
#include "platform/web/web_platform.h"

namespace {

std::string& performance_answer() {
  static std::string text;
  return text;
}

}  // namespace

extern "C" {

// Profiles the active model in our engine on the selected photo: one warm-up run, then `runs`
// profiled runs, and shows the Performance panel. Null once started, else the reason (ONNX
// Runtime Web active, no photo, no model, runs outside [1, 1000]).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_profile_start(int runs) {
  const char* refused = nullptr;
  const char* failed = sightline::platform::guard_entry("start a profile", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) {
      refused = "the app did not start";
      return;
    }
    sightline::Status started = sightline::app::start_profile(*app, runs);
    if (!started) {
      performance_answer() = started.message();
      refused = performance_answer().c_str();
      return;
    }
    app->workbench().mode = sightline::app::WorkspaceMode::kPerformance;
  });
  return failed ? failed : refused;
}

// Stops a running profile after the run in progress; a no-op when none runs.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_profile_cancel() {
  return sightline::platform::guard_entry("cancel the profile", [] {
    if (sightline::app::App* app = sightline::platform::web_app()) {
      app->workbench().performance.profile.cancel();
    }
  });
}

// The Performance panel's state (performance_state_json); valid until the next call. Null when
// it failed (the reason is sightline_web_last_failure's).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_performance() {
  const char* failed = sightline::platform::guard_entry("describe the performance", [] {
    sightline::app::App* app = sightline::platform::web_app();
    performance_answer() = app ? sightline::app::performance_state_json(*app) : "{}";
  });
  return failed ? nullptr : performance_answer().c_str();
}

// Shows the Performance panel in the middle of the window.
EMSCRIPTEN_KEEPALIVE void sightline_web_performance_show() {
  if (sightline::app::App* app = sightline::platform::web_app()) {
    app->workbench().mode = sightline::app::WorkspaceMode::kPerformance;
  }
}

}  // extern "C"
