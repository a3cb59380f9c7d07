// The web page's main: one App on a GLFW canvas, a browser-driven frame loop, dropped files
// from GLFW's drop callback (Emscripten writes them under /.glfw_dropped_files/).
//
// The page script (web/site/sightline-page.js) picks this build's threaded or single-thread
// variant, then writes the built-in models into /models and calls sightline_web_load_models.
#include <emscripten.h>
#include <emscripten/html5.h>

#include <GLFW/glfw3.h>
#include <algorithm>
#include <string>
#include <vector>

#include "engine/simd/isa.h"
#include "platform/common/imgui_window.h"
#include "platform/web/web_platform.h"

namespace sightline::platform {
namespace {

std::unique_ptr<app::App>& app_instance() {
  static std::unique_ptr<app::App> instance;
  return instance;
}

GLFWwindow* g_window = nullptr;

EM_JS(int, page_is_cross_origin_isolated, (), { return self.crossOriginIsolated ? 1 : 0; });

EM_JS(int, browser_hardware_concurrency, (), { return navigator.hardwareConcurrency || 1; });

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
  // The build's pthread pool holds 4 workers.
  info.threads = std::clamp(browser_hardware_concurrency(), 1, 4);
#else
  info.variant = "single-thread";
  info.threads = 1;
  info.note =
      "Single-thread build: this page is not cross-origin isolated, so threads are off "
      "(serve it with COOP/COEP headers, or allow the service worker).";
#endif
  return info;
}

void on_drop(GLFWwindow*, int count, const char** paths) {
  std::vector<std::string> files(paths, paths + count);
  web_app()->open_files(files);
}

void run_frame() {
  int width = 0;
  int height = 0;
  glfwGetWindowSize(g_window, &width, &height);
  if (width != page_width() || height != page_height()) {
    glfwSetWindowSize(g_window, page_width(), page_height());
  }
  glfwPollEvents();
  begin_imgui_frame();
  web_app()->draw();
  end_imgui_frame(g_window);
  web_app()->run_pending_work();
}

}  // namespace

app::App* web_app() {
  return app_instance().get();
}

}  // namespace sightline::platform

int main() {
  using namespace sightline::platform;
  app_instance() =
      std::make_unique<sightline::app::App>(describe_platform(), make_web_onnxruntime_runner());
  web_app()->install_log_sink();
  install_workbench_hooks(*web_app());

  sightline::Result<GLFWwindow*> window =
      open_imgui_window("Sightline", page_width(), page_height());
  if (!window) {
    sightline::log_error("web", window.message());
    return 1;
  }
  g_window = *window;
  glfwSetDropCallback(g_window, on_drop);
  emscripten_set_main_loop(run_frame, 0, false);
  return 0;
}
