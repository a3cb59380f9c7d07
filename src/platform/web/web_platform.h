// What the web main and the JS API exports share: the one App of the page.
#pragma once

#include <memory>

#include "app/app.h"

namespace sightline::platform {

app::App* web_app();

// ONNX Runtime Web behind the app's runner interface; see onnxruntime_bridge.cpp.
std::unique_ptr<app::OnnxRuntimeRunner> make_web_onnxruntime_runner();

// Runs and baselines kept in IndexedDB, downloads; see workbench_api.cpp.
void install_workbench_hooks(app::App& app);

}  // namespace sightline::platform
