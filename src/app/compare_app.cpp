// The Compare workspace on the app's models and photos: the runner behind CompareSession
// (our engine, or ONNX Runtime Web on the web), starting a comparison, stepping it one
// inference per frame, promoting the candidate to the active model, and evaluating both
// models on the Evaluate panel's dataset (two ledger runs side by side).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/workbench.h"
#include "engine/engine.h"
#include "nlohmann/json.hpp"

namespace sightline::app {
namespace {

// The comparison's own engine on the web takes the pool workers the active model's engine
// leaves (PlatformInfo::pool_workers); one more than the pool holds would hang.
int own_engine_threads(const PlatformInfo& platform) {
  if (!platform.web) return platform.threads;
  const int free_workers = platform.pool_workers - (platform.threads - 1);
  return std::clamp(free_workers + 1, 1, platform.threads);
}

GalleryImage* find_image(App& app, int image_id) {
  for (auto& image : app.images()) {
    if (image->id == image_id) return image.get();
  }
  return nullptr;
}

ModelEntry* find_model(App& app, int model_id) {
  for (auto& model : app.models()) {
    if (model->id == model_id) return model.get();
  }
  return nullptr;
}

std::string engine_key(const CompareSide& side) {
  return std::to_string(side.model_id) + "/" + std::to_string(side.input_width) + "x" +
         std::to_string(side.input_height);
}

// Our engine for a side: the app's own for the active model at its card's size, else one the
// Compare panel loads and keeps until the comparison changes.
Result<Detector*> engine_for(App& app, ModelEntry& model, const CompareSide& side) {
  const bool card_size = side.input_width == 0;
  if (card_size && model.engine) return model.engine.get();
  if (!model.engine_supported) {
    return make_error("Sightline's engine cannot run " + model.card.name + ": " +
                      model.engine_error);
  }
  CompareState& compare = app.workbench().compare;
  const std::string key = engine_key(side);
  if (auto found = compare.engines.find(key); found != compare.engines.end()) {
    return found->second.get();
  }
  ModelCard card = model.card;
  if (!card_size) {
    card.input_width = side.input_width;
    card.input_height = side.input_height;
  }
  engine::EngineOptions options;
  options.threads = own_engine_threads(app.platform());
  const auto load_start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<InferenceBackend>> backend =
      engine::load_model(model.onnx_bytes, card.file, options);
  if (!backend) return backend.error();
  if (!card_size) {
    const std::vector<TensorInfo>& inputs = (*backend)->inputs();
    Status fits = check_input_size(inputs.empty() ? std::vector<int64_t>{} : inputs[0].shape,
                                   side.input_width, side.input_height, card.name);
    if (!fits) return fits.error();
  }
  Result<std::unique_ptr<Detector>> detector = Detector::create(card, std::move(*backend));
  if (!detector) return detector.error();
  char text[96];
  std::snprintf(text, sizeof text, " loaded for the comparison in %.0f ms (%d threads)",
                milliseconds_since(load_start), options.threads);
  log_info("compare", card.name + text);
  Detector* pointer = detector->get();
  compare.engines[key] = std::move(*detector);
  return pointer;
}

class AppCompareRunner : public CompareRunner {
 public:
  explicit AppCompareRunner(App& app) : app_(app) {}

  void run(const CompareSide& side, CompareRole, int image_id, Done done) override {
    GalleryImage* image = find_image(app_, image_id);
    if (!image) return done(make_error("the photo is no longer in the gallery"));
    ModelEntry* model = find_model(app_, side.model_id);
    if (!model) return done(make_error("model " + side.model_name + " is no longer loaded"));
    DetectionReport report;
    report.image = image->name;
    report.width = image->image.width;
    report.height = image->image.height;
    report.timings.decode_ms = image->decode_ms;
    if (reuse_gallery_output(*image, *model, side, report)) return done(std::move(report));
    if (side.backend == BackendKind::kSightline)
      return run_engine(*image, *model, side, report, std::move(done));
    run_onnxruntime(*image, *model, side, std::move(report), std::move(done));
  }

 private:
  // The gallery already ran this model on the photo (the Photos tab's detections): only
  // post-processing is redone, with this side's thresholds.
  bool reuse_gallery_output(const GalleryImage& image, ModelEntry& model, const CompareSide& side,
                            DetectionReport& report) {
    if (side.input_width != 0) return false;
    Detector* finisher =
        side.backend == BackendKind::kSightline ? model.engine.get() : model.onnxruntime.get();
    if (!finisher) return false;
    for (const RawOutput& raw : image.raw_outputs) {
      if (raw.model_id != model.id || raw.backend != side.backend) continue;
      const auto start = std::chrono::steady_clock::now();
      Result<std::vector<Detection>> detections =
          finisher->finish(raw.tensor, raw.geometry, side.options);
      if (!detections) return false;
      report.detections = std::move(*detections);
      report.timings.preprocess_ms = raw.preprocess_ms;
      report.timings.inference_ms = raw.inference_ms;
      report.timings.postprocess_ms = milliseconds_since(start);
      return true;
    }
    return false;
  }

  void run_engine(const GalleryImage& image, ModelEntry& model, const CompareSide& side,
                  DetectionReport& report, Done done) {
    Result<Detector*> detector = engine_for(app_, model, side);
    if (!detector) return done(detector.error());
    const auto preprocess_start = std::chrono::steady_clock::now();
    const PreparedInput prepared = (*detector)->prepare(image.image);
    report.timings.preprocess_ms = milliseconds_since(preprocess_start);
    const auto inference_start = std::chrono::steady_clock::now();
    Result<FloatTensor> raw = (*detector)->infer(prepared);
    report.timings.inference_ms = milliseconds_since(inference_start);
    if (!raw) return done(raw.error());
    const auto postprocess_start = std::chrono::steady_clock::now();
    Result<std::vector<Detection>> detections =
        (*detector)->finish(*raw, prepared.geometry, side.options);
    report.timings.postprocess_ms = milliseconds_since(postprocess_start);
    if (!detections) return done(detections.error());
    report.detections = std::move(*detections);
    done(std::move(report));
  }

  void run_onnxruntime(const GalleryImage& image, ModelEntry& model, const CompareSide& side,
                       DetectionReport report, Done done) {
    const std::shared_ptr<OnnxRuntimeRunner> runner = app_.workbench().compare.onnxruntime;
    if (!runner || !model.onnxruntime) {
      return done(make_error("ONNX Runtime Web is only available in the web build"));
    }
    if (side.input_width != 0) {
      return done(make_error("another input size runs in Sightline's engine only"));
    }
    const auto preprocess_start = std::chrono::steady_clock::now();
    auto prepared = std::make_shared<PreparedInput>(model.onnxruntime->prepare(image.image));
    report.timings.preprocess_ms = milliseconds_since(preprocess_start);
    const auto inference_start = std::chrono::steady_clock::now();
    App& app = app_;
    const int model_id = model.id;
    const PostprocessOptions options = side.options;
    runner->run(model.id, model.onnx_bytes, model.card.input_name, prepared->tensor,
                [&app, model_id, options, prepared, inference_start, report,
                 done = std::move(done)](Result<FloatTensor> output) mutable {
                  report.timings.inference_ms = milliseconds_since(inference_start);
                  if (!output) return done(make_error("ONNX Runtime Web: " + output.message()));
                  ModelEntry* model = find_model(app, model_id);
                  if (!model || !model->onnxruntime) {
                    return done(make_error("the model was unloaded"));
                  }
                  const auto postprocess_start = std::chrono::steady_clock::now();
                  Result<std::vector<Detection>> detections =
                      model->onnxruntime->finish(*output, prepared->geometry, options);
                  report.timings.postprocess_ms = milliseconds_since(postprocess_start);
                  if (!detections) return done(detections.error());
                  report.detections = std::move(*detections);
                  done(std::move(report));
                });
  }

  App& app_;
};

std::vector<std::pair<int, std::string>> gallery_photos(App& app) {
  std::vector<std::pair<int, std::string>> photos;
  for (const auto& image : app.images())
    photos.emplace_back(image->id, image->name);
  return photos;
}

}  // namespace

CompareSide side_for_model(const ModelEntry& model, BackendKind backend,
                           const PostprocessOptions& options) {
  CompareSide side;
  side.model_id = model.id;
  side.model_name = model.card.name;
  side.backend = backend;
  side.options = options;
  side.class_names = model.card.class_names;
  return side;
}

CompareSide primary_side(App& app) {
  const ModelEntry* model = app.active_model();
  if (!model) return CompareSide{};
  return side_for_model(*model, app.backend(), app.options());
}

Status start_comparison(App& app, const CompareSide& candidate) {
  CompareState& compare = app.workbench().compare;
  const ModelEntry* active = app.active_model();
  if (!active) return make_error("no active model to compare against");
  ModelEntry* model = find_model(app, candidate.model_id);
  if (!model || !model->usable()) {
    return make_error("candidate model " + candidate.model_name + " is not loaded or usable");
  }
  if (candidate.backend == BackendKind::kOnnxRuntime && !compare.onnxruntime) {
    return make_error("ONNX Runtime Web is only available in the web build");
  }
  if (candidate.backend == BackendKind::kSightline && !model->engine_supported) {
    return make_error("Sightline's engine cannot run " + model->card.name + ": " +
                      model->engine_error + "; pick ONNX Runtime Web for it");
  }
  CompareSide side = candidate;
  side.model_name = model->card.name;
  side.class_names = model->card.class_names;
  compare.engines.clear();
  Status started = compare.session.start(primary_side(app), side, gallery_photos(app));
  compare.message = started ? "" : started.message();
  if (!started) return started;
  compare.choice = side;
  compare.choice_ready = true;
  log_info("compare", describe_side(compare.session.primary()) + " vs " + describe_side(side) +
                          " on " + std::to_string(compare.session.photos_total()) + " photos");
  return Status::success();
}

void step_compare(App& app, int frame) {
  Workbench& workbench = app.workbench();
  CompareState& compare = workbench.compare;
  CompareSession& session = compare.session;
  // At most one step per frame, whoever calls.
  if (frame == compare.last_step_frame) return;
  compare.last_step_frame = frame;
  step_dataset_comparison(app);
  if (session.phase() == ComparePhase::kIdle) return;
  for (const auto& image : app.images())
    session.add_photo(image->id, image->name);
  // The gallery's own work, an evaluation and the monitor go first: a drop still answers
  // at once.
  if (app.busy_jobs() > 0 || workbench.evaluation.phase == EvaluationPhase::kRunning ||
      !workbench.monitor.pending_images.empty()) {
    return;
  }
  AppCompareRunner runner(app);
  const bool was_running = session.busy();
  session.step(runner);
  if (was_running && session.phase() == ComparePhase::kDone) {
    const monitor::ShadowSummary& summary = session.summary();
    char text[160];
    std::snprintf(text, sizeof text, "agreement %.3f over %d photos (%d in full agreement)",
                  summary.agreement, summary.photos, summary.photos_in_full_agreement);
    log_info("compare", text);
  }
}

Status promote_candidate(App& app) {
  CompareState& compare = app.workbench().compare;
  CompareSession& session = compare.session;
  if (session.phase() == ComparePhase::kIdle) return make_error("nothing compared yet");
  const CompareSide candidate = session.candidate();
  if (candidate.input_width != 0) {
    return make_error("the candidate runs at " + std::to_string(candidate.input_width) + "x" +
                      std::to_string(candidate.input_height) +
                      ", a size the model list cannot hold (it uses the card's size); only a "
                      "model, backend or thresholds can be promoted");
  }
  ModelEntry* model = find_model(app, candidate.model_id);
  if (!model || !model->usable()) {
    return make_error("candidate model " + candidate.model_name + " is no longer usable");
  }
  // The candidate's own engine goes first, so the active model's engine does not run beside it.
  compare.engines.clear();
  app.set_active_model(model->id);
  if (app.active_model_id() != model->id) {
    return make_error("model " + candidate.model_name + " could not be made active");
  }
  app.set_backend(candidate.backend);
  app.options() = candidate.options;
  session.swap_sides();
  compare.choice = session.candidate();
  compare.message = "promoted " + describe_side(session.primary()) +
                    "; the old primary is now "
                    "the candidate";
  log_info("compare", compare.message);
  return Status::success();
}

std::string compare_state_json(const Workbench& workbench) {
  nlohmann::ordered_json state =
      nlohmann::ordered_json::parse(workbench.compare.session.state_json(), nullptr, false);
  state["dataset"] =
      nlohmann::ordered_json::parse(dataset_comparison_json(workbench), nullptr, false);
  return state.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

const char* dataset_compare_phase_name(DatasetComparePhase phase) {
  switch (phase) {
    case DatasetComparePhase::kIdle:
      return "idle";
    case DatasetComparePhase::kPrimary:
      return "primary";
    case DatasetComparePhase::kCandidate:
      return "candidate";
    case DatasetComparePhase::kDone:
      return "done";
    case DatasetComparePhase::kFailed:
      return "failed";
  }
  return "idle";
}

std::string dataset_comparison_json(const Workbench& workbench) {
  const DatasetComparison& plan = workbench.compare.dataset;
  const nlohmann::ordered_json state = {{"phase", dataset_compare_phase_name(plan.phase)},
                                        {"number", plan.number},
                                        {"dataset", plan.dataset_path},
                                        {"primary_run", plan.primary_run},
                                        {"candidate_run", plan.candidate_run},
                                        {"message", plan.message}};
  return state.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Status start_dataset_comparison(App& app, int candidate_model_id) {
  Workbench& workbench = app.workbench();
  DatasetComparison& plan = workbench.compare.dataset;
  const EvaluationSession& evaluation = workbench.evaluation;
  if (plan.phase == DatasetComparePhase::kPrimary ||
      plan.phase == DatasetComparePhase::kCandidate) {
    return make_error("a dataset comparison is already running");
  }
  if (evaluation.phase == EvaluationPhase::kRunning) {
    return make_error("an evaluation is running; wait for it to finish");
  }
  if (evaluation.dataset_path.empty() || evaluation.dataset.images.empty()) {
    return make_error(
        "no labelled dataset yet: drop one (photos with labels and classes.txt, "
        "or a COCO .json with its photos) so the Evaluate panel reads it");
  }
  ModelEntry* active = app.active_model();
  ModelEntry* candidate = find_model(app, candidate_model_id);
  if (!active || !candidate) return make_error("pick a candidate model first");
  for (const ModelEntry* model : {active, candidate}) {
    if (!model->engine_supported) {
      return make_error(model->card.name +
                        " does not run in Sightline's engine, and "
                        "evaluation runs only there: " +
                        model->engine_error);
    }
  }
  const int number = plan.number + 1;
  plan = DatasetComparison{};
  plan.number = number;
  plan.primary_model_id = active->id;
  plan.candidate_model_id = candidate->id;
  plan.primary_backend = app.backend();
  plan.dataset_path = evaluation.dataset_path;
  plan.folder = evaluation.folder;
  // The comparison's own engines would sit beside the evaluation's: they are loaded again later.
  workbench.compare.engines.clear();
  start_evaluation(app, plan.dataset_path, plan.folder);
  if (workbench.evaluation.phase != EvaluationPhase::kRunning) {
    plan.phase = DatasetComparePhase::kFailed;
    plan.message = "primary: " + workbench.evaluation.fatal;
    return make_error(plan.message);
  }
  plan.evaluation_number = workbench.evaluation.number;
  plan.phase = DatasetComparePhase::kPrimary;
  plan.message = "evaluating " + active->card.name + ", then " + candidate->card.name;
  log_info("compare", plan.dataset_path + ": " + plan.message);
  return Status::success();
}

void step_dataset_comparison(App& app) {
  Workbench& workbench = app.workbench();
  DatasetComparison& plan = workbench.compare.dataset;
  if (plan.phase != DatasetComparePhase::kPrimary && plan.phase != DatasetComparePhase::kCandidate)
    return;
  const EvaluationSession& evaluation = workbench.evaluation;
  if (evaluation.number != plan.evaluation_number) {
    plan.phase = DatasetComparePhase::kFailed;
    plan.message = "another evaluation was started; the dataset comparison stopped";
    return;
  }
  if (evaluation.phase == EvaluationPhase::kRunning) return;
  const bool primary_side = plan.phase == DatasetComparePhase::kPrimary;
  const auto restore_primary = [&] {
    app.set_active_model(plan.primary_model_id);
    app.set_backend(plan.primary_backend);
  };
  if (evaluation.phase != EvaluationPhase::kDone || evaluation.run_id.empty()) {
    plan.phase = DatasetComparePhase::kFailed;
    plan.message =
        std::string(primary_side ? "primary" : "candidate") + ": " +
        (evaluation.fatal.empty() ? "the run was not recorded: " + evaluation.ledger_error
                                  : evaluation.fatal);
    if (!primary_side) restore_primary();
    return app.report_error("compare: " + plan.message);
  }
  if (primary_side) {
    plan.primary_run = evaluation.run_id;
    app.set_active_model(plan.candidate_model_id);
    app.set_backend(BackendKind::kSightline);
    start_evaluation(app, plan.dataset_path, plan.folder);
    plan.evaluation_number = workbench.evaluation.number;
    plan.phase = DatasetComparePhase::kCandidate;
    if (workbench.evaluation.phase != EvaluationPhase::kRunning) {
      plan.phase = DatasetComparePhase::kFailed;
      plan.message = "candidate: " + workbench.evaluation.fatal;
      restore_primary();
    }
    return;
  }
  plan.candidate_run = evaluation.run_id;
  restore_primary();
  workbench.runs.first_id = plan.primary_run;
  workbench.runs.second_id = plan.candidate_run;
  workbench.runs.stale = true;
  workbench.mode = WorkspaceMode::kRuns;
  plan.phase = DatasetComparePhase::kDone;
  plan.message = "runs " + plan.primary_run + " (primary) and " + plan.candidate_run +
                 " (candidate) are in the ledger, side by side in the Runs tab";
  log_info("compare", plan.message);
}

}  // namespace sightline::app
