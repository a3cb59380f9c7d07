// The Monitor panel's work: every photo dropped into the gallery is measured (input features,
// and the active model's detections with per-stage timings) into the live window, one photo
// per frame; the window is tested for drift against a saved or loaded baseline.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/workbench.h"
#include "core/model_store.h"
#include "core/sha256.h"

namespace sightline::app {
namespace {

constexpr const char* kBaselineFileName = "monitor-baseline.json";

GalleryImage* find_gallery_image(App& app, int image_id) {
  for (auto& image : app.images()) {
    if (image->id == image_id) return image.get();
  }
  return nullptr;
}

monitor::MonitoredModel describe_model(const ModelEntry& model, const PostprocessOptions& options) {
  monitor::MonitoredModel described;
  described.name = model.card.name;
  described.argument = model.card.file;
  described.sha256 = model.card.sha256.empty() ? sha256_hex(model.onnx_bytes) : model.card.sha256;
  described.options = options;
  described.class_names = model.card.class_names;
  return described;
}

bool is_baseline_json(const std::string& path) {
  if (std::filesystem::path(path).extension() != ".json") return false;
  Result<std::vector<uint8_t>> bytes = read_file(path, monitor::kMaxBaselineBytes);
  if (!bytes) return false;
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return text.find(monitor::kBaselineFormat) != std::string_view::npos;
}

}  // namespace

bool open_workbench_files(App& app, const std::vector<std::string>& paths) {
  if (is_dataset_drop(paths)) {
    start_dataset_evaluation(app, paths);
    return true;
  }
  if (paths.size() != 1 || !is_baseline_json(paths.front())) return false;
  app.workbench().mode = WorkspaceMode::kMonitor;
  Result<std::vector<uint8_t>> bytes = read_file(paths.front(), monitor::kMaxBaselineBytes);
  if (!bytes) {
    app.report_error("monitor: " + bytes.message());
    return true;
  }
  const std::string name = std::filesystem::path(paths.front()).filename().string();
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  if (Status loaded = load_monitor_baseline(app, text, name); !loaded) {
    app.report_error("monitor: " + loaded.message());
  } else if (app.workbench().hooks.baseline_changed) {
    app.workbench().hooks.baseline_changed(std::string(text));
  }
  return true;
}

void queue_monitor_photo(App& app, int image_id) {
  app.workbench().monitor.pending_images.push_back(image_id);
}

void step_monitor(App& app) {
  Workbench& workbench = app.workbench();
  MonitorState& monitor = workbench.monitor;
  if (workbench.evaluation.phase == EvaluationPhase::kRunning) return;
  if (monitor.pending_images.empty()) return;
  const int image_id = monitor.pending_images.front();
  monitor.pending_images.erase(monitor.pending_images.begin());
  GalleryImage* image = find_gallery_image(app, image_id);
  if (!image) return;

  // A window holds outputs of one model only; the first photo decides (inputs only without an
  // engine, e.g. a model that runs only in ONNX Runtime Web).
  ModelEntry* model = app.active_model();
  const bool with_model =
      model && model->engine && (monitor.window.photos.empty() || monitor.window.has_model);
  if (monitor.window.photos.empty()) {
    monitor.window.has_model = with_model;
    if (with_model) monitor.window.model = describe_model(*model, app.options());
  }
  StageTimings timings;
  timings.decode_ms = image->decode_ms;
  if (!monitor.window.has_model) {
    monitor.window.photos.push_back(
        monitor::make_photo_record(image->name, image->image, nullptr, timings));
    monitor.report_stale = true;
    return;
  }
  if (!with_model || model->card.name != monitor.window.model.name) {
    app.report_error("monitor: " + image->name + " not added: the window holds outputs of " +
                     monitor.window.model.name + "; reset the window to monitor another model");
    return;
  }

  const auto preprocess_start = std::chrono::steady_clock::now();
  const PreparedInput prepared = model->engine->prepare(image->image);
  timings.preprocess_ms = milliseconds_since(preprocess_start);
  const auto inference_start = std::chrono::steady_clock::now();
  Result<FloatTensor> raw = model->engine->infer(prepared);
  timings.inference_ms = milliseconds_since(inference_start);
  if (!raw) return app.report_error("monitor: " + image->name + ": " + raw.message());
  const auto postprocess_start = std::chrono::steady_clock::now();
  Result<std::vector<Detection>> detections =
      model->engine->finish(*raw, prepared.geometry, monitor.window.model.options);
  timings.postprocess_ms = milliseconds_since(postprocess_start);
  if (!detections) return app.report_error("monitor: " + image->name + ": " + detections.message());
  monitor.window.photos.push_back(
      monitor::make_photo_record(image->name, image->image, &*detections, timings));
  monitor.report_stale = true;
}

Status save_monitor_baseline(App& app) {
  Workbench& workbench = app.workbench();
  MonitorState& monitor = workbench.monitor;
  if (monitor.window.photos.empty()) {
    return make_error("the window has no photos yet: drop photos first, then save the baseline");
  }
  monitor::Window baseline = monitor.window;
  baseline.created = eval::utc_now();
  const std::string json = monitor::window_to_json(baseline);
  monitor.baseline = std::move(baseline);
  monitor.baseline_source = "saved " + monitor.baseline->created;
  monitor.report_stale = true;
  if (workbench.hooks.baseline_changed && workbench.hooks.offer_download) {
    workbench.hooks.baseline_changed(json);
    workbench.hooks.offer_download(kBaselineFileName, json);
    monitor.message = "baseline of " + std::to_string(monitor.baseline->photos.size()) +
                      " photos saved in this browser and downloaded";
    return Status::success();
  }
  const std::string path =
      (std::filesystem::path(workbench.ledger_path).parent_path() / kBaselineFileName).string();
  if (Status written = eval::write_file_atomically(path, json); !written) return written;
  monitor.message =
      "baseline of " + std::to_string(monitor.baseline->photos.size()) + " photos saved to " + path;
  return Status::success();
}

Status load_monitor_baseline(App& app, std::string_view json_text, const std::string& source) {
  MonitorState& monitor = app.workbench().monitor;
  Result<monitor::Window> window = monitor::parse_window(json_text, source);
  if (!window) {
    monitor.message = window.message();
    return window.error();
  }
  monitor.baseline = std::move(*window);
  monitor.baseline_source = "loaded from " + source;
  monitor.message = "baseline of " + std::to_string(monitor.baseline->photos.size()) +
                    " photos loaded from " + source;
  monitor.report_stale = true;
  return Status::success();
}

// Natively the last saved baseline comes back from beside the ledger when the app starts.
void restore_native_baseline(App& app) {
  const std::string path =
      (std::filesystem::path(app.workbench().ledger_path).parent_path() / kBaselineFileName)
          .string();
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return;
  Result<std::vector<uint8_t>> bytes = read_file(path, monitor::kMaxBaselineBytes);
  if (!bytes) return app.report_error("monitor: " + bytes.message());
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  if (Status loaded = load_monitor_baseline(app, text, path); !loaded)
    app.report_error("monitor: " + loaded.message());
}

void refresh_drift(Workbench& workbench) {
  MonitorState& monitor = workbench.monitor;
  if (!monitor.report_stale) return;
  monitor.report_stale = false;
  monitor.report.reset();
  if (!monitor.baseline) return;
  if (!monitor::validate_thresholds(monitor.thresholds)) return;
  monitor.report = monitor::check_drift(*monitor.baseline, monitor.window, monitor.thresholds);
}

std::string monitor_state_json(const Workbench& workbench) {
  using nlohmann::json;
  const MonitorState& monitor = workbench.monitor;
  json state = {{"window_photos", monitor.window.photos.size()},
                {"window_has_model", monitor.window.has_model},
                {"pending", monitor.pending_images.size()},
                {"baseline_photos", monitor.baseline ? monitor.baseline->photos.size() : 0},
                {"baseline_source", monitor.baseline_source},
                {"message", monitor.message}};
  if (monitor.report) {
    state["drift"] = json::parse(monitor::drift_report_to_json(*monitor.report), nullptr, false);
  }
  return state.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace sightline::app
