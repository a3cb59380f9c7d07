// The web side of the Evaluate, Runs and Monitor panels: the hooks that keep runs and the
// monitor baseline in the browser's IndexedDB (web/site/sightline-store.js) and offer downloads,
// and the C functions behind window.sightline.evaluate / evaluation / runs / monitor, each
// under guard_entry (web_platform.h).
#include <emscripten.h>

#include <filesystem>
#include <string>
#include <vector>

#include "app/workbench.h"
#include "platform/web/web_platform.h"

namespace sightline::platform {
namespace {

// (clang-format would break the JS inside.)
// clang-format off
EM_JS(void, store_run_line, (const char* line),
      { Module.sightlineStore.putRun(UTF8ToString(line)); });

EM_JS(void, store_baseline, (const char* json),
      { Module.sightlineStore.putBaseline(UTF8ToString(json)); });

EM_JS(void, offer_file_download, (const char* file_name, const char* text),
      { Module.sightlineStore.download(UTF8ToString(file_name), UTF8ToString(text)); });
// clang-format on

std::string& answer_text() {
  static std::string text;
  return text;
}

// Null for success, else the message (valid until the next call).
const char* answer(const Status& status) {
  if (status) return nullptr;
  answer_text() = status.message();
  return answer_text().c_str();
}

}  // namespace

void install_workbench_hooks(app::App& app) {
  app::WorkbenchHooks& hooks = app.workbench().hooks;
  hooks.run_recorded = [](const std::string& line) { store_run_line(line.c_str()); };
  hooks.baseline_changed = [](const std::string& json) { store_baseline(json.c_str()); };
  hooks.offer_download = [](const std::string& file_name, const std::string& text) {
    offer_file_download(file_name.c_str(), text.c_str());
  };
}

}  // namespace sightline::platform

extern "C" {

// Evaluates the files the page wrote into `folder` (the same rule as a drop). Returns null once
// the evaluation started (follow it with sightline_web_evaluation), else the reason.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_evaluate_folder(const char* folder) {
  const char* reason = nullptr;
  const char* failed = sightline::platform::guard_entry("evaluate a dataset", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) {
      reason = sightline::platform::answer(sightline::make_error("the app did not start"));
      return;
    }
    std::vector<std::string> paths;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error))
      paths.push_back(entry.path().string());
    if (error) {
      reason = sightline::platform::answer(
          sightline::make_error(std::string(folder) + ": cannot list: " + error.message()));
      return;
    }
    if (!sightline::app::is_dataset_drop(paths)) {
      reason = sightline::platform::answer(sightline::make_error(
          "the files hold no classes.txt, *.names or COCO .json with \"annotations\", so they "
          "are not a labelled dataset"));
      return;
    }
    sightline::app::start_dataset_evaluation(*app, paths);
    // The dataset was copied into a folder of its own; the page's copy is no longer needed.
    std::filesystem::remove_all(folder, error);
  });
  return failed ? failed : reason;
}

// The Evaluate panel's session as JSON (see evaluation_state_json); valid until the next call.
// Null when it could not be built (the reason is in sightline_web_last_failure).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_evaluation() {
  const char* failed = sightline::platform::guard_entry("describe the evaluation", [] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) {
      sightline::platform::answer_text() = "{}";
      return;
    }
    sightline::app::refresh_runs(app->workbench());
    sightline::platform::answer_text() = sightline::app::evaluation_state_json(app->workbench());
  });
  return failed ? nullptr : sightline::platform::answer_text().c_str();
}

// The page replaced the in-memory ledger file with the runs from IndexedDB.
EMSCRIPTEN_KEEPALIVE void sightline_web_runs_changed() {
  sightline::platform::guard_entry("reload the runs", [] {
    if (sightline::app::App* app = sightline::platform::web_app())
      app->workbench().runs.stale = true;
  });
}

// The Monitor panel's window, baseline and drift tests as JSON; valid until the next call.
// Null when it could not be built (the reason is in sightline_web_last_failure).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_monitor() {
  const char* failed = sightline::platform::guard_entry("describe the monitor", [] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) {
      sightline::platform::answer_text() = "{}";
      return;
    }
    sightline::app::refresh_drift(app->workbench());
    sightline::platform::answer_text() = sightline::app::monitor_state_json(app->workbench());
  });
  return failed ? nullptr : sightline::platform::answer_text().c_str();
}

// Saves the monitor's window as the baseline (IndexedDB and a download). Null or the reason.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_save_baseline() {
  const char* reason = nullptr;
  const char* failed = sightline::platform::guard_entry("save the baseline", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    reason = sightline::platform::answer(
        app ? sightline::app::save_monitor_baseline(*app)
            : sightline::Status(sightline::make_error("the app did not start")));
  });
  return failed ? failed : reason;
}

// Loads a baseline's JSON text; `keep` also stores it in IndexedDB. Null or the reason.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_load_baseline(const char* json, const char* source,
                                                             int keep) {
  const char* reason = nullptr;
  const char* failed = sightline::platform::guard_entry("load a baseline", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) {
      reason = sightline::platform::answer(sightline::make_error("the app did not start"));
      return;
    }
    sightline::Status loaded = sightline::app::load_monitor_baseline(*app, json, source);
    if (loaded && keep && app->workbench().hooks.baseline_changed)
      app->workbench().hooks.baseline_changed(json);
    reason = sightline::platform::answer(loaded);
  });
  return failed ? failed : reason;
}

// Opens a false positive (missed 0) or missed object (missed 1) in the Evaluate panel's error
// viewer, as a click on its row does. Returns 0 when there is no such error (or on a failure,
// which is in the app's error banner).
EMSCRIPTEN_KEEPALIVE int sightline_web_show_evaluation_error(int missed, int index) {
  int shown = 0;
  sightline::platform::guard_entry("show an evaluation error", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    shown = app && sightline::app::show_evaluation_error(app->workbench(), missed != 0, index);
  });
  return shown;
}

// The middle of the window: 0 photos, 1 evaluate, 2 runs, 3 monitor. Returns null, or the
// message of a failure.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_set_workspace(int mode) {
  return sightline::platform::guard_entry("switch workspace", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app || mode < 0 || mode > 3) return;
    app->workbench().mode = static_cast<sightline::app::WorkspaceMode>(mode);
    if (mode == 2) app->workbench().runs.stale = true;
  });
}

}  // extern "C"
