// The web side of the Compare panel: ONNX Runtime Web for the candidate (through a bridge of
// its own, web/site/sightline-compare.js, so its request numbers never meet the app's), and the
// C functions behind window.sightline.compare / comparison / promote.
//
// Every exported function runs under guard_entry (boundary_guard.h), like the app's others.
#include <emscripten.h>

#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "app/workbench.h"
#include "platform/web/boundary_guard.h"
#include "platform/web/web_platform.h"

namespace sightline::platform {
namespace {

// The page's compare bridge copies what it needs before returning. (clang-format would break
// the JS inside.)
// clang-format off
EM_JS(void, start_compare_onnxruntime_run,
      (int request, int model_id, const uint8_t* model, int model_size, const char* input_name,
       const float* input, int input_count, const int* dims, int rank),
      {
        const heap = Module.sightlineHeap();
        const modelBytes = function() { return heap.u8.slice(model, model + model_size); };
        const inputData = heap.f32.slice(input >> 2, (input >> 2) + input_count);
        const inputDims = Array.from(heap.i32.subarray(dims >> 2, (dims >> 2) + rank));
        Module.sightlineCompareOnnxRuntime.start(request, model_id, modelBytes,
                                                 UTF8ToString(input_name), inputData, inputDims);
      });
// clang-format on

std::map<int, app::OnnxRuntimeRunner::Done>& pending_compare_runs() {
  static std::map<int, app::OnnxRuntimeRunner::Done> runs;
  return runs;
}

class CompareOnnxRuntimeRunner : public app::OnnxRuntimeRunner {
 public:
  void run(int model_id, std::span<const uint8_t> onnx_bytes, const std::string& input_name,
           const FloatTensor& input, Done done) override {
    const int request = next_request_++;
    pending_compare_runs()[request] = std::move(done);
    const std::vector<int> dims(input.shape.begin(), input.shape.end());
    start_compare_onnxruntime_run(request, model_id, onnx_bytes.data(),
                                  static_cast<int>(onnx_bytes.size()), input_name.c_str(),
                                  input.data.data(), static_cast<int>(input.data.size()),
                                  dims.data(), static_cast<int>(dims.size()));
  }

 private:
  int next_request_ = 1;
};

app::OnnxRuntimeRunner::Done take_compare_run(int request) {
  auto found = pending_compare_runs().find(request);
  if (found == pending_compare_runs().end()) return {};
  app::OnnxRuntimeRunner::Done done = std::move(found->second);
  pending_compare_runs().erase(found);
  return done;
}

std::string& compare_answer() {
  static std::string text;
  return text;
}

// Null for success, else the message (valid until the next call).
const char* answer(const Status& status) {
  if (status) return nullptr;
  compare_answer() = status.message();
  return compare_answer().c_str();
}

// The usable model of that name (a built-in card whose file is missing and the same model
// dropped later share the name), else any of that name.
app::ModelEntry* model_named(app::App& app, const std::string& name) {
  app::ModelEntry* found = nullptr;
  for (auto& model : app.models()) {
    if (model->card.name != name) continue;
    if (model->usable()) return model.get();
    found = model.get();
  }
  return found;
}

std::string model_names(app::App& app) {
  std::string names;
  for (auto& model : app.models())
    names += (names.empty() ? "" : ", ") + model->card.name;
  return names;
}

Status start_from_api(app::App& app, const std::string& model_name, int backend, float confidence,
                      float iou, const std::string& primary_name) {
  if (!primary_name.empty()) {
    app::ModelEntry* primary = model_named(app, primary_name);
    if (!primary || !primary->usable()) {
      return make_error("primary model \"" + primary_name +
                        "\" is not loaded or usable (models: " + model_names(app) + ")");
    }
    app.set_active_model(primary->id);
  }
  app::ModelEntry* active = app.active_model();
  if (!active) return make_error("no active model");
  app::ModelEntry* model = model_name.empty() ? active : model_named(app, model_name);
  if (!model) {
    return make_error("candidate model \"" + model_name +
                      "\" is not loaded (models: " + model_names(app) + ")");
  }
  PostprocessOptions options = app.options();
  if (!std::isnan(confidence)) options.confidence = confidence;
  if (!std::isnan(iou)) options.iou = iou;
  app::BackendKind kind = app.backend();
  if (backend == 0) kind = app::BackendKind::kSightline;
  if (backend == 1) kind = app::BackendKind::kOnnxRuntime;
  // Another model without a backend named: our engine when it can run it.
  if (backend < 0 && model != active) {
    kind = model->engine_supported ? app::BackendKind::kSightline : app::BackendKind::kOnnxRuntime;
  }
  app.workbench().mode = app::WorkspaceMode::kCompare;
  return app::start_comparison(app, app::side_for_model(*model, kind, options));
}

}  // namespace
}  // namespace sightline::platform

extern "C" {

// Plugs the compare bridge in as the candidate's ONNX Runtime Web (the page calls this once).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_compare_install() {
  return sightline::platform::guard_entry("install the comparison's ONNX Runtime Web", [] {
    if (sightline::app::App* app = sightline::platform::web_app()) {
      app->workbench().compare.onnxruntime =
          std::make_shared<sightline::platform::CompareOnnxRuntimeRunner>();
    }
  });
}

// Compares the active model (or primary_model, made active first, when not empty) with the
// candidate on every gallery photo. model "" = the active model; backend -1 = the app's
// (another model: our engine when it can run it), 0 = our engine, 1 = ONNX Runtime Web; NaN
// conf or iou = the app's. Returns null once started, else the reason.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_compare_start(const char* model, int backend,
                                                             float confidence, float iou,
                                                             const char* primary_model) {
  const char* refused = nullptr;
  const char* failed = sightline::platform::guard_entry("start a comparison", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    refused = !app ? "the app did not start"
                   : sightline::platform::answer(sightline::platform::start_from_api(
                         *app, model, backend, confidence, iou, primary_model));
  });
  return failed ? failed : refused;
}

// Evaluates the active model, then the candidate model (by name; "" = the Compare panel's
// pick), on the dataset the Evaluate panel last read; both runs go to the ledger. Null once
// started, else the reason.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_compare_dataset(const char* model) {
  const char* refused = nullptr;
  const char* failed = sightline::platform::guard_entry("compare on the dataset", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    if (!app) {
      refused = "the app did not start";
      return;
    }
    int model_id = app->workbench().compare.choice.model_id;
    if (*model) {
      sightline::app::ModelEntry* entry = sightline::platform::model_named(*app, model);
      if (!entry) {
        refused = sightline::platform::answer(sightline::make_error(
            "candidate model \"" + std::string(model) +
            "\" is not loaded (models: " + sightline::platform::model_names(*app) + ")"));
        return;
      }
      model_id = entry->id;
    }
    refused = sightline::platform::answer(sightline::app::start_dataset_comparison(*app, model_id));
  });
  return failed ? failed : refused;
}

// The comparison as JSON (CompareSession::state_json); valid until the next call. Null when
// it failed (the reason is sightline_web_last_failure's).
EMSCRIPTEN_KEEPALIVE const char* sightline_web_compare_state() {
  const char* failed = sightline::platform::guard_entry("describe the comparison", [] {
    sightline::app::App* app = sightline::platform::web_app();
    sightline::platform::compare_answer() =
        app ? sightline::app::compare_state_json(app->workbench()) : "{}";
  });
  return failed ? nullptr : sightline::platform::compare_answer().c_str();
}

// Promote: the candidate becomes the active model, the old primary the candidate. Null or the
// reason.
EMSCRIPTEN_KEEPALIVE const char* sightline_web_compare_promote() {
  const char* refused = nullptr;
  const char* failed = sightline::platform::guard_entry("promote the candidate", [&] {
    sightline::app::App* app = sightline::platform::web_app();
    refused = !app ? "the app did not start"
                   : sightline::platform::answer(sightline::app::promote_candidate(*app));
  });
  return failed ? failed : refused;
}

// Shows the Compare panel in the middle of the window.
EMSCRIPTEN_KEEPALIVE void sightline_web_compare_show() {
  if (sightline::app::App* app = sightline::platform::web_app()) {
    app->workbench().mode = sightline::app::WorkspaceMode::kCompare;
  }
}

// The compare bridge's answers. Output layout: row-major with the given dims.
EMSCRIPTEN_KEEPALIVE void sightline_web_compare_onnxruntime_done(int request, const float* data,
                                                                 int count, const int* dims,
                                                                 int rank) {
  sightline::platform::guard_entry("take ONNX Runtime Web's output for the comparison", [&] {
    auto done = sightline::platform::take_compare_run(request);
    if (!done) return;
    sightline::FloatTensor output;
    output.shape.assign(dims, dims + std::max(rank, 0));
    if (rank < 1 || output.element_count() != count) {
      return done(sightline::make_error("ONNX Runtime Web returned " + std::to_string(count) +
                                        " values for shape " +
                                        sightline::shape_to_string(output.shape)));
    }
    output.data.assign(data, data + count);
    done(std::move(output));
  });
}

EMSCRIPTEN_KEEPALIVE void sightline_web_compare_onnxruntime_failed(int request,
                                                                   const char* message) {
  sightline::platform::guard_entry("take ONNX Runtime Web's failure for the comparison", [&] {
    if (auto done = sightline::platform::take_compare_run(request)) {
      done(sightline::make_error(message));
    }
  });
}

}  // extern "C"
