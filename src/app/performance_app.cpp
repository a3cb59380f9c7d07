// The Performance panel's work on the app's models and photos: starting a profile of the active
// model's engine on the selected photo, stepping it once per frame (run_pending_work), the
// active backend's kernel description, and the panel's state as JSON for the JS API.
#include <cstdio>
#include <exception>
#include <string>

#include "app/workbench.h"
#include "core/log.h"
#include "engine/engine.h"
#include "nlohmann/json.hpp"

namespace sightline::app {
namespace {

using Json = nlohmann::ordered_json;

// Our engine behind the active model, or null with the reason.
engine::Engine* active_engine(App& app, std::string& why_not) {
  ModelEntry* model = app.active_model();
  if (!model) {
    why_not = "no model is loaded";
    return nullptr;
  }
  if (!model->engine) {
    why_not = "Sightline's engine cannot run " + model->card.name + ": " + model->engine_error;
    return nullptr;
  }
  auto* engine = dynamic_cast<engine::Engine*>(&model->engine->backend());
  if (!engine) why_not = model->card.name + " does not run on Sightline's engine";
  return engine;
}

Json spread_to_json(const Spread& spread) {
  return {{"median", spread.median}, {"min", spread.min}, {"max", spread.max}};
}

void log_outcome(App& app, const ProfileSession& session) {
  if (session.phase() == ProfilePhase::kFailed) {
    return app.report_error("profile of " + session.subject().model + " on " +
                            session.subject().photo + ": " + session.error());
  }
  if (session.phase() != ProfilePhase::kDone || !session.report()) return;
  const ProfileReport& report = *session.report();
  char text[160];
  std::snprintf(text, sizeof text, ", %d runs: %.2f ms in %zu steps, %.3f GFLOP, %.1f GFLOP/s (",
                report.runs, report.total_milliseconds, report.nodes.size(),
                static_cast<double>(report.total_flops) / 1e9, report.gflops);
  log_info("profile", report.model + " on " + report.photo + text + report.kernel + ")");
}

}  // namespace

std::string active_kernel_description(App& app) {
  if (app.backend() == BackendKind::kOnnxRuntime) {
    // The page's bridge gives ONNX Runtime Web up to 4 threads when the page is cross-origin
    // isolated (as many as the app's engine), else 1 (web/site/onnxruntime-bridge.js).
    const int threads = app.platform().cross_origin_isolated ? app.platform().threads : 1;
    return "ONNX Runtime Web (wasm), " + std::to_string(threads) +
           (threads == 1 ? " thread" : " threads");
  }
  std::string why_not;
  engine::Engine* engine = active_engine(app, why_not);
  return engine ? engine->kernel_description() : why_not;
}

Status start_profile(App& app, int runs) {
  if (app.backend() == BackendKind::kOnnxRuntime) {
    return make_error(
        "the per-operator profile is available for Sightline's engine only, and the active "
        "backend is ONNX Runtime Web: pick \"Sightline engine\" to profile");
  }
  std::string why_not;
  engine::Engine* engine = active_engine(app, why_not);
  if (!engine) return make_error(why_not);
  GalleryImage* image = app.selected_image();
  if (!image) {
    return make_error("no photo: drop a photo first (the profile runs on the selected one)");
  }
  ModelEntry* model = app.active_model();
  ProfileSubject subject;
  subject.model_id = model->id;
  subject.model = model->card.name;
  subject.photo = image->name;
  subject.kernel = engine->kernel_description();
  // The photo's input as detection prepares it; kept, so the photo may go meanwhile.
  PreparedInput input = model->engine->prepare(image->image);
  PerformanceState& performance = app.workbench().performance;
  Status started = performance.profile.start(runs, std::move(input.tensor), std::move(subject));
  if (started) {
    log_info("profile", model->card.name + " on " + image->name + ": 1 warm-up run, then " +
                            std::to_string(runs) + " profiled runs, one per frame");
  }
  return started;
}

void step_profile(App& app) {
  ProfileSession& session = app.workbench().performance.profile;
  if (!session.running()) return;
  // The engine belongs to the model it was started on; another active model has another one.
  std::string why_not;
  engine::Engine* engine = active_engine(app, why_not);
  if (app.active_model_id() != session.subject().model_id || !engine) {
    session.fail("the active model changed while profiling; start the profile again");
  } else {
    try {
      session.step(*engine);
    } catch (const std::exception& error) {
      // Out of memory in a run: end the profile (else the next frame would try again), then let
      // the platform's guard report it as for any other step.
      session.fail(std::string("stopped: ") + error.what());
      log_outcome(app, session);
      throw;
    }
  }
  log_outcome(app, session);
}

std::string performance_state_json(App& app) {
  PerformanceState& performance = app.workbench().performance;
  const ModelEntry* model = app.active_model();
  const StageSummary summary =
      model ? performance.stages.summary(model->id, app.backend()) : StageSummary{};
  Json last = nullptr;
  if (summary.last) {
    const StageTimings& timings = summary.last->timings;
    last = {{"photo", summary.last->photo},
            {"decode", timings.decode_ms},
            {"preprocess", timings.preprocess_ms},
            {"inference", timings.inference_ms},
            {"postprocess", timings.postprocess_ms}};
  }
  const Json state = {{"backend", backend_name(app.backend())},
                      {"model", model ? model->card.name : ""},
                      {"kernel", active_kernel_description(app)},
                      {"photos", summary.photos},
                      {"last", last},
                      {"summary",
                       {{"decode", spread_to_json(summary.decode)},
                        {"preprocess", spread_to_json(summary.preprocess)},
                        {"inference", spread_to_json(summary.inference)},
                        {"postprocess", spread_to_json(summary.postprocess)}}},
                      {"panel_frames", performance.panel_frames},
                      {"profile", Json::parse(performance.profile.state_json())}};
  return state.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sightline::app
