// What the web main and the JS API exports share: the one App of the page, and the guard every
// function JS calls runs under (boundary_guard.h): every exported function, and the frame loop,
// runs its body through guard_entry, so a C++ exception (std::bad_alloc when the WebAssembly
// memory is full) becomes an error message in the app's error banner and log, which the caller
// passes on to JS, instead of an abort of the page.
#pragma once

#include <memory>

#include "app/app.h"
#include "platform/web/boundary_guard.h"

namespace sightline::platform {

app::App* web_app();

// ONNX Runtime Web behind the app's runner interface; see onnxruntime_bridge.cpp.
std::unique_ptr<app::OnnxRuntimeRunner> make_web_onnxruntime_runner();

// Runs and baselines kept in IndexedDB, downloads; see workbench_api.cpp.
void install_workbench_hooks(app::App& app);

// The Labels tab's zip downloads; see label_api.cpp.
void install_label_hooks(app::App& app);

}  // namespace sightline::platform
