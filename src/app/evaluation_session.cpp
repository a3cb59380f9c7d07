// The Evaluate panel's work: a dropped dataset copied into its own folder and read, the active
// model run on one photo per frame (so the page stays responsive and the progress bar moves),
// then the metrics, error analysis and slices, and the run recorded in the ledger.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/workbench.h"
#include "core/model_store.h"
#include "core/sha256.h"

namespace sightline::app {

namespace fs = std::filesystem;

namespace {

// A COCO JSON is recognised by its "annotations" key; a model card never has one.
constexpr uint64_t kMaxCocoJsonBytes = uint64_t{256} << 20;

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool is_class_names_file(const fs::path& path) {
  const std::string name = lower_case(path.filename().string());
  return name == "classes.txt" || lower_case(path.extension().string()) == ".names";
}

bool is_coco_json(const fs::path& path) {
  if (lower_case(path.extension().string()) != ".json") return false;
  Result<std::vector<uint8_t>> bytes = read_file(path.string(), kMaxCocoJsonBytes);
  if (!bytes) return false;
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return text.find("\"annotations\"") != std::string_view::npos;
}

// A folder (on the desktop) counts when classes.txt or a *.names file sits at its top.
bool is_dataset_folder(const fs::path& path) {
  std::error_code error;
  if (!fs::is_directory(path, error)) return false;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    if (is_class_names_file(entry.path())) return true;
  }
  return false;
}

void fail(App& app, EvaluationSession& session, const std::string& message) {
  session.phase = EvaluationPhase::kFailed;
  session.fatal = message;
  app.report_error("evaluation: " + message);
}

std::string model_sha256(const ModelEntry& model) {
  if (!model.card.sha256.empty()) return model.card.sha256;
  return sha256_hex(model.onnx_bytes);
}

void record_run(App& app, EvaluationSession& session) {
  Workbench& workbench = app.workbench();
  const ModelEntry* model = nullptr;
  for (const auto& entry : app.models()) {
    if (entry->id == session.model_id) model = entry.get();
  }
  eval::RunRecord record;
  record.date = eval::utc_now();
  record.model = session.model_name;
  record.model_sha256 = model ? model_sha256(*model) : "";
  record.dataset = session.dataset_path;
  record.dataset_fingerprint = eval::dataset_fingerprint(session.dataset);
  record.backend = "sightline";
  record.confidence = session.options.confidence;
  record.iou = session.options.iou;
  record.max_detections = session.options.max_detections;
  record.images = session.report->images;
  record.objects = session.report->ground_truth;
  record.stats = session.report->coco.stats;

  std::error_code error;
  fs::create_directories(fs::path(workbench.ledger_path).parent_path(), error);
  Result<std::string> id = eval::append_run(workbench.ledger_path, record);
  if (!id) {
    session.ledger_error = id.message();
    app.report_error("run not recorded: " + id.message());
    return;
  }
  session.run_id = *id;
  record.id = *id;
  workbench.runs.stale = true;
  log_info("evaluate", "recorded as run " + *id + " in " + workbench.ledger_path);
  if (workbench.hooks.run_recorded) workbench.hooks.run_recorded(eval::record_to_json_line(record));
}

void finish_evaluation(App& app, EvaluationSession& session) {
  session.seconds = milliseconds_since(session.started) / 1000.0;
  for (const eval::ValidationIssue& issue : session.outcome.issues)
    session.validation.issues.push_back(issue);
  session.report = eval::evaluate_dataset(session.dataset, session.outcome.detections,
                                          session.outcome.measures, eval::EvaluationSettings{});
  session.report_json = eval::report_to_json(*session.report, session.dataset);
  session.phase = EvaluationPhase::kDone;
  char text[160];
  std::snprintf(
      text, sizeof text, "%d photos in %.2f s (%.1f ms per photo), AP %.4f, AP50 %.4f",
      session.outcome.images_run, session.seconds,
      session.outcome.images_run ? 1000.0 * session.seconds / session.outcome.images_run : 0.0,
      session.report->coco.stats[0], session.report->coco.stats[1]);
  log_info("evaluate", text);
  record_run(app, session);
}

}  // namespace

const char* evaluation_phase_name(EvaluationPhase phase) {
  switch (phase) {
    case EvaluationPhase::kIdle:
      return "idle";
    case EvaluationPhase::kRunning:
      return "running";
    case EvaluationPhase::kDone:
      return "done";
    case EvaluationPhase::kFailed:
      return "failed";
  }
  return "?";
}

bool is_dataset_drop(const std::vector<std::string>& paths) {
  return std::any_of(paths.begin(), paths.end(), [](const std::string& path) {
    return is_class_names_file(path) || is_coco_json(path) || is_dataset_folder(path);
  });
}

void start_dataset_evaluation(App& app, const std::vector<std::string>& paths) {
  Workbench& workbench = app.workbench();
  workbench.mode = WorkspaceMode::kEvaluate;
  const fs::path folder =
      fs::path(workbench.datasets_root) / ("dataset-" + std::to_string(workbench.next_dataset++));
  std::error_code error;
  fs::remove_all(folder, error);
  fs::create_directories(folder, error);
  if (error) {
    EvaluationSession& session = workbench.evaluation = EvaluationSession{};
    return fail(app, session, "cannot create " + folder.string() + ": " + error.message());
  }

  // A folder dropped on the desktop is the dataset itself; files are gathered into one folder.
  std::string dataset_path = folder.string();
  for (const std::string& path : paths) {
    const fs::path source(path);
    if (fs::is_directory(source, error)) {
      dataset_path = source.string();
      continue;
    }
    fs::copy_file(source, folder / source.filename(), fs::copy_options::overwrite_existing, error);
    if (error) {
      EvaluationSession& session = workbench.evaluation = EvaluationSession{};
      return fail(app, session, "cannot copy " + path + ": " + error.message());
    }
    if (is_coco_json(source)) dataset_path = (folder / source.filename()).string();
  }
  start_evaluation(app, dataset_path, folder.string());
}

void start_evaluation(App& app, const std::string& dataset_path, const std::string& folder) {
  Workbench& workbench = app.workbench();
  workbench.mode = WorkspaceMode::kEvaluate;
  const int number = workbench.evaluation.number + 1;
  EvaluationSession& session = workbench.evaluation = EvaluationSession{};
  session.number = number;
  session.folder = folder;
  session.dataset_path = dataset_path;

  session.options.confidence = workbench.settings.confidence;
  session.options.iou = workbench.settings.iou;
  session.options.max_detections = workbench.settings.max_detections;
  if (Status valid = validate_options(session.options); !valid) {
    return fail(app, session, valid.message());
  }

  Result<eval::Dataset> dataset =
      eval::load_dataset(dataset_path, eval::DatasetOptions{}, session.validation);
  if (!dataset) return fail(app, session, dataset.message());
  session.dataset = std::move(*dataset);
  log_info("evaluate", dataset_path + ": " + eval::validation_summary(session.validation));

  ModelEntry* model = app.active_model();
  if (!model) return fail(app, session, "no model is loaded");
  if (!model->engine) {
    return fail(app, session,
                model->card.name +
                    " does not run in Sightline's engine, and evaluation runs only there (ONNX "
                    "Runtime Web is not supported for evaluation): " +
                    model->engine_error);
  }
  Result<std::vector<int64_t>> mapping =
      eval::map_classes_to_categories(model->card.class_names, session.dataset);
  if (!mapping) return fail(app, session, mapping.message());
  session.class_to_category = std::move(*mapping);
  session.model_id = model->id;
  session.model_name = model->card.name;
  session.started = std::chrono::steady_clock::now();
  session.phase = EvaluationPhase::kRunning;
}

bool workbench_busy(const Workbench& workbench) {
  // A comparison steps from the Compare panel's draw, so it needs frames too.
  return workbench.evaluation.phase == EvaluationPhase::kRunning ||
         !workbench.monitor.pending_images.empty() || workbench.compare.session.busy() ||
         workbench.performance.profile.running();
}

void step_evaluation(App& app) {
  EvaluationSession& session = app.workbench().evaluation;
  if (session.phase != EvaluationPhase::kRunning) return;
  ModelEntry* model = app.active_model();
  if (!model || model->id != session.model_id || !model->engine) {
    return fail(app, session, "the model changed during the evaluation; drop the dataset again");
  }
  if (session.next_image >= session.dataset.images.size()) {
    return finish_evaluation(app, session);
  }

  // The library's own loop on a one-photo dataset, so the app and the command line run the
  // very same steps (read, decode, brightness, prepare, infer, post-process, class mapping).
  eval::Dataset one;
  one.format = session.dataset.format;
  one.categories = session.dataset.categories;
  one.images.push_back(session.dataset.images[session.next_image++]);
  eval::InferenceOutcome outcome = eval::run_detector_on_dataset(
      *model->engine, one, session.class_to_category, session.options, nullptr);
  session.outcome.images_run += outcome.images_run;
  for (eval::ScoredBox& box : outcome.detections)
    session.outcome.detections.push_back(box);
  for (const auto& [image_id, measure] : outcome.measures)
    session.outcome.measures[image_id] = measure;
  for (eval::ValidationIssue& issue : outcome.issues)
    session.outcome.issues.push_back(std::move(issue));
  if (session.next_image >= session.dataset.images.size()) finish_evaluation(app, session);
}

std::string evaluation_state_json(const Workbench& workbench) {
  using nlohmann::json;
  const EvaluationSession& session = workbench.evaluation;
  json issues = json::array();
  for (const eval::ValidationIssue& issue : session.validation.issues) {
    issues.push_back({{"severity", eval::severity_name(issue.severity)},
                      {"location", issue.location},
                      {"kind", issue.kind},
                      {"rule", issue.rule}});
  }
  json state = {{"number", session.number},
                {"phase", evaluation_phase_name(session.phase)},
                {"dataset", session.dataset_path},
                {"model", session.model_name},
                {"done", session.next_image},
                {"total", session.dataset.images.size()},
                {"fatal", session.fatal},
                {"summary", eval::validation_summary(session.validation)},
                {"issues", issues},
                {"seconds", session.seconds},
                {"run_id", session.run_id},
                {"ledger_error", session.ledger_error}};
  json ledger_runs = json::array();
  for (const eval::RunRecord& run : workbench.runs.ledger.runs)
    ledger_runs.push_back(run.id);
  state["ledger_runs"] = ledger_runs;
  if (!session.report_json.empty()) {
    state["report"] = json::parse(session.report_json, nullptr, false);
  }
  return state.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace sightline::app
