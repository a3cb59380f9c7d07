// The desktop program: the app in a native window, with files from the command line and from
// the operating system's drag and drop.
//
//   sightline-desktop [photo or model or card ...]
// Built-in cards come from $SIGHTLINE_CARDS (default: the repository's models/), model files
// from $SIGHTLINE_MODELS (default: ../shared/models). Without a display it says so and exits 2.
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "app/app.h"
#include "app/workbench.h"
#include "core/model_store.h"
#include "engine/simd/isa.h"
#include "platform/common/imgui_window.h"

namespace {

sightline::app::App* g_app = nullptr;

void on_drop(GLFWwindow*, int count, const char** paths) {
  g_app->open_files(std::vector<std::string>(paths, paths + count));
}

void print_usage() {
  std::printf(
      "usage: sightline-desktop [photo | model.onnx | card.json ...]\n"
      "Opens the Sightline window; drop more photos or models onto it.\n"
      "Cards: $SIGHTLINE_CARDS (default %s); models: $SIGHTLINE_MODELS (default %s).\n",
      sightline::default_cards_dir().c_str(), sightline::default_models_dir().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  // Line by line, so a script watching the log sees each line when it happens.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      print_usage();
      return 0;
    }
    files.emplace_back(argv[i]);
  }

  sightline::Result<GLFWwindow*> window =
      sightline::platform::open_imgui_window("Sightline", 1280, 720);
  if (!window) {
    std::fprintf(stderr,
                 "sightline-desktop: no display to open a window on: %s\n"
                 "Run it in a desktop session, or headless under xvfb-run.\n",
                 window.message().c_str());
    return 2;
  }

  sightline::app::PlatformInfo platform;
  platform.platform = "desktop";
  platform.variant = "native";
  platform.threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 4);
  // The kernels the engine picks at run time (AVX2+FMA where the CPU has it).
  platform.simd = sightline::engine::simd::isa_name(sightline::engine::simd::select_isa(false));
  sightline::app::App app(platform, nullptr);
  g_app = &app;
  app.install_log_sink();

  sightline::Status loaded =
      app.load_builtin_models(sightline::default_cards_dir(), sightline::default_models_dir());
  if (!loaded) app.report_error(loaded.message());
  app.open_files(files);
  glfwSetDropCallback(*window, on_drop);

  while (!glfwWindowShouldClose(*window)) {
    // Wait for input when idle so the window costs no CPU; poll while work is queued.
    if (app.busy_jobs() > 0 || sightline::app::workbench_busy(app.workbench())) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(0.25);
    }
    sightline::platform::begin_imgui_frame();
    app.draw();
    sightline::platform::end_imgui_frame(*window);
    try {
      app.run_pending_work();
    } catch (const std::exception& error) {
      // A step that ran out of memory (a detection, an evaluation or profile step): the window
      // and everything loaded stay, as on the web page.
      app.report_error(std::string("run queued work: failed: ") + error.what());
    }
  }
  g_app = nullptr;
  sightline::platform::close_imgui_window(*window);
  return 0;
}
