// The app's face for scripts: detect_for_api (behind window.sightline.detect; its stage timings
// also go to the Performance panel) and state_json (behind window.sightline.state, which the
// browser tests read).
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/workbench.h"
#include "imgui.h"

namespace sightline::app {

void App::detect_for_api(std::vector<uint8_t> bytes, std::string name, BackendKind backend,
                         PostprocessOptions options, ApiDone done) {
  Status valid = validate_options(options);
  if (!valid) return done(valid.error());
  ModelEntry* model = active_model();
  if (!model) return done(make_error("no model is loaded"));
  if (backend == BackendKind::kOnnxRuntime && !onnxruntime_) {
    return done(make_error("ONNX Runtime Web is only available in the web build"));
  }
  std::string why_not;
  Detector* detector = detector_for(*model, backend, why_not);
  if (!detector) return done(make_error(why_not));
  const std::vector<std::string> class_names = model->card.class_names;

  if (backend == BackendKind::kSightline) {
    Result<DetectionReport> report = detector->detect(bytes, name, options);
    if (!report) return done(report.error());
    workbench_->performance.stages.add({name, model->id, backend, report->timings});
    return done(report_to_json(*report, class_names));
  }

  // ONNX Runtime Web: the same stages as Detector::detect, with inference in between
  // answered later by the bridge.
  auto report = std::make_shared<DetectionReport>();
  report->image = name;
  const auto decode_start = std::chrono::steady_clock::now();
  Result<Image> image = decode_image(bytes, name);
  if (!image) return done(image.error());
  report->width = image->width;
  report->height = image->height;
  report->timings.decode_ms = milliseconds_since(decode_start);

  const auto preprocess_start = std::chrono::steady_clock::now();
  auto prepared = std::make_shared<PreparedInput>(detector->prepare(*image));
  report->timings.preprocess_ms = milliseconds_since(preprocess_start);

  const int model_id = model->id;
  const auto inference_start = std::chrono::steady_clock::now();
  onnxruntime_->run(model_id, model->onnx_bytes, model->card.input_name, prepared->tensor,
                    [this, model_id, report, prepared, options, class_names, inference_start,
                     done = std::move(done)](Result<FloatTensor> output) {
                      report->timings.inference_ms = milliseconds_since(inference_start);
                      if (!output) return done(output.error());
                      ModelEntry* model = find_model(model_id);
                      if (!model || !model->onnxruntime)
                        return done(make_error("the model was unloaded"));
                      const auto postprocess_start = std::chrono::steady_clock::now();
                      Result<std::vector<Detection>> detections =
                          model->onnxruntime->finish(*output, prepared->geometry, options);
                      report->timings.postprocess_ms = milliseconds_since(postprocess_start);
                      if (!detections) return done(detections.error());
                      report->detections = std::move(*detections);
                      workbench_->performance.stages.add(
                          {report->image, model_id, BackendKind::kOnnxRuntime, report->timings});
                      done(report_to_json(*report, class_names));
                    });
}

std::string App::state_json() const {
  using nlohmann::json;
  json state;
  state["platform"] = platform_.platform;
  state["variant"] = platform_.variant;
  state["threads"] = platform_.threads;
  state["simd"] = platform_.simd;
  state["cross_origin_isolated"] = platform_.cross_origin_isolated;
  state["backend"] = backend_name(backend_);
  state["busy_jobs"] = busy_jobs();
  state["inference_runs"] = inference_runs_;
  // Frames drawn so far: the web page skips display refreshes while idle (frame_pacer.h).
  state["frames_drawn"] = ImGui::GetCurrentContext() ? ImGui::GetFrameCount() : 0;
  if (platform_.pool_workers > 0) state["pool_workers"] = platform_.pool_workers;
  state["options"] = {{"conf", options_.confidence}, {"iou", options_.iou}};

  json models = json::array();
  for (const auto& model : models_) {
    models.push_back({{"id", model->id},
                      {"name", model->card.name},
                      {"active", model->id == active_model_id_},
                      {"engine", model->engine_supported},
                      {"engine_error", model->engine_error},
                      {"guess", model->guess_note},
                      {"unavailable", model->unavailable_reason}});
  }
  state["models"] = models;

  const ModelEntry* model = active_model();
  // Detections are ready when computed for the model, backend and options in use now.
  const std::string current_key = detections_key();
  json images = json::array();
  for (const auto& image : images_) {
    json detections = json::array();
    for (const Detection& d : image->detections) {
      const bool named =
          model && d.class_id >= 0 && d.class_id < static_cast<int>(model->card.class_names.size());
      detections.push_back({{"class_id", d.class_id},
                            {"label", named ? model->card.class_names[d.class_id] : ""},
                            {"score", d.score},
                            {"box", {d.x1, d.y1, d.x2, d.y2}}});
    }
    json item = {{"id", image->id},
                 {"name", image->name},
                 {"width", image->image.width},
                 {"height", image->image.height},
                 {"selected", image->id == selected_image_id_},
                 {"queued", image->queued},
                 {"error", image->error},
                 {"detections_ready", image->detections_key == current_key && !image->queued},
                 {"detections", detections}};
    if (std::optional<BackendAgreement> agreement = compare_backends(*image)) {
      item["backend_agreement"] = {{"sightline_boxes", agreement->sightline_count},
                                   {"onnxruntime_boxes", agreement->onnxruntime_count},
                                   {"paired", agreement->paired},
                                   {"max_difference_px", agreement->max_corner_difference}};
    }
    if (image->shown_raw) {
      item["timings_ms"] = {{"decode", image->decode_ms},
                            {"preprocess", image->shown_raw->preprocess_ms},
                            {"inference", image->shown_raw->inference_ms},
                            {"postprocess", image->postprocess_ms}};
    }
    images.push_back(item);
  }
  state["images"] = images;
  state["errors"] = json(std::vector<std::string>(errors_.begin(), errors_.end()));

  json log_tail = json::array();
  const std::vector<LogEntry> entries = log_.snapshot();
  const size_t first = entries.size() > 50 ? entries.size() - 50 : 0;
  for (size_t i = first; i < entries.size(); ++i) {
    log_tail.push_back(std::string(log_level_name(entries[i].level)) + " " + entries[i].origin +
                       ": " + entries[i].text);
  }
  state["log"] = log_tail;
  // Photo names come from users and may not be UTF-8.
  return state.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace sightline::app
