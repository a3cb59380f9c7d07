// The web page's main: one App on a GLFW canvas, a browser-driven frame loop, and the entry of
// dropped files (web/site/sightline-drop.js reads them, after sightline_web_accept_drop* below
// said their sizes are within the limits, into MEMFS and calls sightline_web_open_files).
//
// The page script (web/site/sightline-page.js) picks this build's threaded or single-thread
// variant, then writes the built-in models into /models and calls sightline_web_load_models.
// Every function JS calls runs under guard_entry, or guard_call when it changes nothing on screen
// (boundary_guard.h); failures go to the app's error banner (report_to_app). The browser calls
// the frame loop at every display refresh; it draws only after activity, while work runs, and a
// few times a second otherwise (platform/common/frame_pacer.h).
#include <emscripten.h>
#include <emscripten/html5.h>

#include <GLFW/glfw3.h>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/workbench.h"
#include "core/model_store.h"
#include "engine/simd/isa.h"
#include "eval/dataset_common.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "monitor/window.h"
#include "platform/common/frame_pacer.h"
#include "platform/common/imgui_window.h"
#include "platform/web/web_platform.h"

namespace sightline::platform {
namespace {

std::unique_ptr<app::App>& app_instance() {
  static std::unique_ptr<app::App> instance;
  return instance;
}

GLFWwindow* g_window = nullptr;

// The largest dropped file the app takes in any role, by kind; a bigger one is refused before
// the page reads it. The app still checks the exact limit of the role it gives the file.
struct DropRule {
  uint64_t max_bytes;
  const char* kind;
};

// Photos have the app's photo limit; label and class files are smaller still (64 MiB), checked
// when the app reads them.
constexpr uint64_t kMaxOtherDroppedFileBytes = sightline::app::kMaxPhotoFileBytes;
// All files of one drop are held in the page's memory while the app reads them; this is the
// WebAssembly memory's maximum (-sMAXIMUM_MEMORY=2GB).
constexpr uint64_t kMaxDropBytes = uint64_t{2} << 30;

DropRule drop_rule(std::string_view name) {
  std::string extension = std::filesystem::path(name).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".onnx") return {kMaxModelFileBytes, "model files (.onnx)"};
  if (extension == ".json") {
    const uint64_t json_limit =
        std::max<uint64_t>(eval::detail::kMaxJsonFileBytes, monitor::kMaxBaselineBytes);
    return {json_limit, "JSON files (COCO datasets, model cards, baselines)"};
  }
  return {kMaxOtherDroppedFileBytes, "photos and label files"};
}

// "2147483648 bytes (2.00 GiB)".
std::string describe_bytes(double bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0f bytes (%.2f %s)", bytes,
                bytes >= (1 << 30) ? bytes / (1 << 30) : bytes / (1 << 20),
                bytes >= (1 << 30) ? "GiB" : "MiB");
  return text;
}

// "open the dropped files a.jpg, b.onnx and 3 more", for messages.
std::string describe_drop(const std::vector<std::string>& paths) {
  constexpr size_t kNamed = 3;
  std::string text = "open the dropped files";
  for (size_t i = 0; i < std::min(paths.size(), kNamed); ++i)
    text += (i ? ", " : " ") + std::filesystem::path(paths[i]).filename().string();
  if (paths.size() > kNamed) text += " and " + std::to_string(paths.size() - kNamed) + " more";
  return text;
}

EM_JS(int, page_is_cross_origin_isolated, (), { return self.crossOriginIsolated ? 1 : 0; });

EM_JS(int, browser_hardware_concurrency, (), { return navigator.hardwareConcurrency || 1; });

#ifdef __EMSCRIPTEN_PTHREADS__
// The pthread pool's size (-sPTHREAD_POOL_SIZE in CMakeLists.txt), read from the runtime; every
// worker is idle when main() runs.
EM_JS(int, pthread_pool_workers, (),
      { return PThread.unusedWorkers.length + PThread.runningWorkers.length; });
#endif

EM_JS(int, page_width, (), { return Math.max(320, window.innerWidth | 0); });

EM_JS(int, page_height, (), { return Math.max(240, window.innerHeight | 0); });

app::PlatformInfo describe_platform() {
  app::PlatformInfo info;
  info.platform = "web";
  info.web = true;
  info.simd = sightline::engine::simd::isa_name(sightline::engine::simd::select_isa(false));
  info.cross_origin_isolated = page_is_cross_origin_isolated() != 0;
#ifdef __EMSCRIPTEN_PTHREADS__
  info.variant = "threads";
  info.threads = std::clamp(browser_hardware_concurrency(), 1, 4);
  info.pool_workers = pthread_pool_workers();
#else
  info.variant = "single-thread";
  info.threads = 1;
  info.note =
      "Single-thread build: this page is not cross-origin isolated, so threads are off "
      "(serve it with COOP/COEP headers, or allow the service worker).";
#endif
  return info;
}

void draw_frame() {
  // An exception while drawing leaves ImGui windows open; closing them lets the frame end.
  const char* draw_failed = guard_call("draw the window", [] {
    int width = 0;
    int height = 0;
    glfwGetWindowSize(g_window, &width, &height);
    if (width != page_width() || height != page_height()) {
      glfwSetWindowSize(g_window, page_width(), page_height());
    }
    glfwPollEvents();
    begin_imgui_frame();
    web_app()->draw();
  });
  if (draw_failed && ImGui::GetCurrentContext() && ImGui::GetCurrentContext()->WithinFrameScope)
    ImGui::ErrorCheckEndFrameRecover(nullptr);
  guard_call("draw the window", [] {
    if (ImGui::GetCurrentContext()->WithinFrameScope) end_imgui_frame(g_window);
  });
}

FramePacer& frame_pacer() {
  static FramePacer pacer;
  return pacer;
}

void note_activity() {
  frame_pacer().note_activity();
}

// Input on the page (mouse, wheel, keys, touch, focus, resize) wakes the frame loop. Registered
// on the window in the capture phase, so they see every event before GLFW's own listeners, and
// returning false leaves the event to them.
template <class Event>
EM_BOOL wake_on_input(int, const Event*, void*) {
  note_activity();
  return EM_FALSE;
}

void watch_input() {
  const char* window = EMSCRIPTEN_EVENT_TARGET_WINDOW;
  emscripten_set_mousedown_callback(window, nullptr, true, wake_on_input<EmscriptenMouseEvent>);
  emscripten_set_mouseup_callback(window, nullptr, true, wake_on_input<EmscriptenMouseEvent>);
  emscripten_set_mousemove_callback(window, nullptr, true, wake_on_input<EmscriptenMouseEvent>);
  emscripten_set_wheel_callback(window, nullptr, true, wake_on_input<EmscriptenWheelEvent>);
  emscripten_set_keydown_callback(window, nullptr, true, wake_on_input<EmscriptenKeyboardEvent>);
  emscripten_set_keyup_callback(window, nullptr, true, wake_on_input<EmscriptenKeyboardEvent>);
  emscripten_set_keypress_callback(window, nullptr, true, wake_on_input<EmscriptenKeyboardEvent>);
  emscripten_set_touchstart_callback(window, nullptr, true, wake_on_input<EmscriptenTouchEvent>);
  emscripten_set_touchmove_callback(window, nullptr, true, wake_on_input<EmscriptenTouchEvent>);
  emscripten_set_touchend_callback(window, nullptr, true, wake_on_input<EmscriptenTouchEvent>);
  emscripten_set_touchcancel_callback(window, nullptr, true, wake_on_input<EmscriptenTouchEvent>);
  emscripten_set_focus_callback(window, nullptr, true, wake_on_input<EmscriptenFocusEvent>);
  emscripten_set_blur_callback(window, nullptr, true, wake_on_input<EmscriptenFocusEvent>);
  emscripten_set_resize_callback(window, nullptr, true, wake_on_input<EmscriptenUiEvent>);
}

// Called at every display refresh; draws only when the pacer says so (frame_pacer.h), but runs
// the queued work every time.
void run_frame() {
  app::App* app = web_app();
  if (!app) return;
  const bool busy = app->busy_jobs() > 0 || app::workbench_busy(app->workbench());
  if (frame_pacer().should_draw(emscripten_get_now() / 1000.0, busy)) draw_frame();
  guard_call("run queued work", [app] { app->run_pending_work(); });
}

}  // namespace

app::App* web_app() {
  return app_instance().get();
}

namespace {

void report_to_app(const std::string& message) {
  note_activity();  // the error banner shows it
  if (app::App* app = web_app()) {
    app->report_error(message);
  } else {
    log_error("web", message);
  }
}

}  // namespace
}  // namespace sightline::platform

extern "C" {

// The message of the last failure caught at the JS boundary, for calls that return JSON (they
// return null when they failed).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_last_failure() {
  return sightline::platform::last_boundary_failure().c_str();
}

// A message from the page (a file the browser could not read) into the app's error banner.
EMSCRIPTEN_KEEPALIVE void sightline_web_report_error(const char* text) {
  sightline::platform::guard_entry("report an error", [&] {
    if (sightline::app::App* app = sightline::platform::web_app()) app->report_error(text);
  });
}

// 1 when a dropped file of `size` bytes may be read into the page; else the refusal (naming
// the file, its size and the limit) is in the app's error banner and this returns 0.
EMSCRIPTEN_KEEPALIVE int sightline_web_accept_dropped_file(const char* name, double size) {
  int accepted = 0;
  sightline::platform::guard_entry("check a dropped file", [&] {
    const sightline::platform::DropRule rule = sightline::platform::drop_rule(name);
    if (size <= static_cast<double>(rule.max_bytes)) {
      accepted = 1;
      return;
    }
    sightline::platform::report_to_app(
        std::string(name) + ": " + sightline::platform::describe_bytes(size) +
        " is over the limit of " +
        sightline::platform::describe_bytes(static_cast<double>(rule.max_bytes)) + " for " +
        rule.kind + "; the file was not read");
  });
  return accepted;
}

// 1 when `count` dropped files of `total` bytes together may be read into the page; else the
// refusal is in the app's error banner and this returns 0.
EMSCRIPTEN_KEEPALIVE int sightline_web_accept_drop(int count, double total) {
  int accepted = 0;
  sightline::platform::guard_entry("check dropped files", [&] {
    const double limit = static_cast<double>(sightline::platform::kMaxDropBytes);
    if (total <= limit) {
      accepted = 1;
      return;
    }
    sightline::platform::report_to_app("a drop of " + std::to_string(count) + " files holding " +
                                       sightline::platform::describe_bytes(total) +
                                       " is over the limit of " +
                                       sightline::platform::describe_bytes(limit) +
                                       " for one drop; no file was read (drop fewer at a time)");
  });
  return accepted;
}

// The files of one drop, written into MEMFS by the page, in the order they were dropped.
// Returns null, or the message of a failure (also in the app's error banner).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_open_files(const char* const* paths, int count) {
  using sightline::platform::guard_entry;
  // The outer guard covers building the list and the message that names the files.
  const char* failed = nullptr;
  const char* outer = guard_entry("open the dropped files", [&] {
    const std::vector<std::string> files(paths, paths + std::max(count, 0));
    failed = guard_entry(sightline::platform::describe_drop(files), [&] {
      sightline::app::App* app = sightline::platform::web_app();
      if (!app) throw std::runtime_error("the app did not start");
      app->open_files(files);
    });
  });
  return outer ? outer : failed;
}

}  // extern "C"

int main() {
  using namespace sightline::platform;
  set_boundary_reporter(report_to_app);
  const char* failed = guard_entry("start the app", [] {
    app_instance() =
        std::make_unique<sightline::app::App>(describe_platform(), make_web_onnxruntime_runner());
    web_app()->install_log_sink();
    install_workbench_hooks(*web_app());
    install_label_hooks(*web_app());
  });
  if (failed) return 1;

  sightline::Result<GLFWwindow*> window =
      open_imgui_window("Sightline", page_width(), page_height());
  if (!window) {
    sightline::log_error("web", window.message());
    return 1;
  }
  g_window = *window;
  set_boundary_activity(note_activity);
  watch_input();
  emscripten_set_main_loop(run_frame, 0, false);
  return 0;
}
