// The C functions behind window.sightline (web/site/sightline-page.js): loading the built-in
// models, one-photo detection answered through a JS promise, and the app's state as JSON.
// Each runs under guard_entry (web_platform.h): a C++ exception becomes a message returned to
// the page (or a rejected detect promise), never an escape into JS.
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
  const char* failed = sightline::platform::guard_entry("load the built-in models", [] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) {
      load_error_text() = "the app did not start";
      return;
    }
    sightline::Status loaded = app->load_builtin_models("/models", "/models");
    if (loaded) return load_error_text().clear();
    app->report_error(loaded.message());
    load_error_text() = loaded.message();
  });
  if (failed) return failed;
  return load_error_text().empty() ? nullptr : load_error_text().c_str();
}

// backend: 0 = our engine, 1 = ONNX Runtime Web. NaN conf or iou means the default.
// Takes ownership of nothing: bytes and name are copied before returning.
EMSCRIPTEN_KEEPALIVE void sightline_web_detect(int request, const uint8_t* bytes, int size,
                                               const char* name, int backend, float confidence,
                                               float iou) {
  using sightline::platform::guard_call;
  const char* failed = nullptr;
  // The result goes back to the script, not to the window, so the call does not wake the frame
  // loop (a failure does, through the app's error banner). The outer guard covers building the
  // message that names the photo.
  const char* outer = guard_call("detect a photo", [&] {
    failed = guard_call(std::string("detect ") + name, [&] {
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
    });
  });
  // A request already settled is ignored by the page, so this cannot answer twice.
  if (outer || failed) settle_detect_request(request, 0, outer ? outer : failed);
}

// The backend the UI uses (0 = our engine, 1 = ONNX Runtime Web), as the radio buttons set it.
// Returns null, or the message of a failure.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_set_backend(int backend) {
  return sightline::platform::guard_entry("switch backend", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) return;
    app->set_backend(backend == 1 ? sightline::app::BackendKind::kOnnxRuntime
                                  : sightline::app::BackendKind::kSightline);
  });
}

// The UI's confidence and IoU sliders; NaN leaves one as it is. Out-of-range values are
// refused with a message in the UI. Returns null, or the message of a failure.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_set_options(float confidence, float iou) {
  return sightline::platform::guard_entry("set the detection options", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) return;
    sightline::PostprocessOptions options = app->options();
    if (!std::isnan(confidence)) options.confidence = confidence;
    if (!std::isnan(iou)) options.iou = iou;
    sightline::Status valid = sightline::validate_options(options);
    if (!valid) return app->report_error(valid.message());
    app->options() = options;
  });
}

// Shows the gallery photo with this id on the canvas, as a click on its thumbnail does.
// Returns null, or the message of a failure.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_select_image(int image_id) {
  return sightline::platform::guard_entry("select a photo", [&] {
    if (sightline::app::App* app = sightline::platform::web_app()) app->select_image(image_id);
  });
}

// A line from the page's JS (the ONNX Runtime bridge) into the app's log window.
// level: 0 debug, 1 info, 2 warning, 3 error.
EMSCRIPTEN_KEEPALIVE void sightline_web_log(int level, const char* origin, const char* text) {
  sightline::platform::guard_entry("log a message", [&] {
    const int clamped = std::clamp(level, 0, 3);
    sightline::log_message(static_cast<sightline::LogLevel>(clamped), origin, text);
  });
}

// The app's state (see App::state_json); valid until the next call. Null when it could not be
// built (the reason is in sightline_web_last_failure).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_state() {
  // Reading the state changes nothing on screen, so it does not wake the frame loop.
  const char* failed = sightline::platform::guard_call("describe the app's state", [] {
    sightline::app::App* app = sightline::platform::web_app();
    state_text() = app ? app->state_json() : "{}";
  });
  return failed ? nullptr : state_text().c_str();
}

}  // extern "C"
