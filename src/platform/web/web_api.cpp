// The C functions behind window.sightline (web/site/sightline-page.js): loading the built-in
// models, one-photo detection answered through a JS promise, and the app's state as JSON.
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "platform/web/web_platform.h"

namespace {

// Settles the JS promise of request `request` with the JSON text, or rejects it with the
// error message. (clang-format would break the JS inside.)
// clang-format off
EM_JS(void, settle_detect_request, (int request, int succeeded, const char* text),
      { Module.sightlineSettle(request, Boolean(succeeded), UTF8ToString(text)); });
// clang-format on

std::string& state_text() {
  static std::string text;
  return text;
}

std::string& load_error_text() {
  static std::string text;
  return text;
}

}  // namespace

extern "C" {

// Loads the cards and model files the page wrote into /models. Returns null on success, else
// the error message.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_load_models() {
  sightline::app::App* app = sightline::platform::web_app();
  if (!app) return "the app did not start";
  sightline::Status loaded = app->load_builtin_models("/models", "/models");
  if (loaded) return nullptr;
  app->report_error(loaded.message());
  load_error_text() = loaded.message();
  return load_error_text().c_str();
}

// backend: 0 = our engine, 1 = ONNX Runtime Web. NaN conf or iou means the default.
// Takes ownership of nothing: bytes and name are copied before returning.
EMSCRIPTEN_KEEPALIVE void sightline_web_detect(int request, const uint8_t* bytes, int size,
                                               const char* name, int backend, float confidence,
                                               float iou) {
  sightline::app::App* app = sightline::platform::web_app();
  if (!app) return settle_detect_request(request, 0, "the app did not start");
  sightline::PostprocessOptions options;
  if (!std::isnan(confidence)) options.confidence = confidence;
  if (!std::isnan(iou)) options.iou = iou;
  std::vector<uint8_t> photo(bytes, bytes + std::max(size, 0));
  const auto kind = backend == 1 ? sightline::app::BackendKind::kOnnxRuntime
                                 : sightline::app::BackendKind::kSightline;
  app->detect_for_api(std::move(photo), name, kind, options,
                      [request](sightline::Result<std::string> json) {
                        if (json) return settle_detect_request(request, 1, json->c_str());
                        settle_detect_request(request, 0, json.message().c_str());
                      });
}

// The backend the UI uses (0 = our engine, 1 = ONNX Runtime Web), as the radio buttons set it.
EMSCRIPTEN_KEEPALIVE void sightline_web_set_backend(int backend) {
  sightline::app::App* app = sightline::platform::web_app();
  if (!app) return;
  app->set_backend(backend == 1 ? sightline::app::BackendKind::kOnnxRuntime
                                : sightline::app::BackendKind::kSightline);
}

// The UI's confidence and IoU sliders; NaN leaves one as it is. Out-of-range values are
// refused with a message in the UI.
EMSCRIPTEN_KEEPALIVE void sightline_web_set_options(float confidence, float iou) {
  sightline::app::App* app = sightline::platform::web_app();
  if (!app) return;
  sightline::PostprocessOptions options = app->options();
  if (!std::isnan(confidence)) options.confidence = confidence;
  if (!std::isnan(iou)) options.iou = iou;
  sightline::Status valid = sightline::validate_options(options);
  if (!valid) return app->report_error(valid.message());
  app->options() = options;
}

// Shows the gallery photo with this id on the canvas, as a click on its thumbnail does.
EMSCRIPTEN_KEEPALIVE void sightline_web_select_image(int image_id) {
  if (sightline::app::App* app = sightline::platform::web_app()) app->select_image(image_id);
}

// A line from the page's JS (the ONNX Runtime bridge) into the app's log window.
// level: 0 debug, 1 info, 2 warning, 3 error.
EMSCRIPTEN_KEEPALIVE void sightline_web_log(int level, const char* origin, const char* text) {
  const int clamped = std::clamp(level, 0, 3);
  sightline::log_message(static_cast<sightline::LogLevel>(clamped), origin, text);
}

// The app's state (see App::state_json); valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_state() {
  sightline::app::App* app = sightline::platform::web_app();
  state_text() = app ? app->state_json() : "{}";
  return state_text().c_str();
}

}  // extern "C"
