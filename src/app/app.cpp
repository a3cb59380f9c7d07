// App: models, gallery and the detection pipeline behind the UI (see app.h). The JS API and
// the state JSON are in app_api.cpp; drawing is in canvas_view, gallery and panels.
#include "app/app.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>

#include "app/app_internal.h"
#include "app/label_editor.h"
#include "app/workbench.h"
#include "core/model_guess.h"
#include "core/model_store.h"
#include "engine/engine.h"
#include "eval/ledger.h"

namespace sightline::app {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxTextFileBytes = 4ull << 20;

// Stands in for ONNX Runtime Web when the Detector checks a card against the model's shapes.
// The app never calls run(): ONNX Runtime Web answers asynchronously through the runner.
class DeferredBackend : public InferenceBackend {
 public:
  DeferredBackend(std::vector<TensorInfo> inputs, std::vector<TensorInfo> outputs)
      : inputs_(std::move(inputs)), outputs_(std::move(outputs)) {}

  std::string name() const override { return "onnxruntime"; }
  const std::vector<TensorInfo>& inputs() const override { return inputs_; }
  const std::vector<TensorInfo>& outputs() const override { return outputs_; }
  Result<FloatTensor> run(const FloatTensor&) override {
    return make_error("ONNX Runtime Web runs asynchronously, only through the web page's bridge");
  }

 private:
  std::vector<TensorInfo> inputs_;
  std::vector<TensorInfo> outputs_;
};

std::string lower_extension(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

std::string format_option(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

}  // namespace

double milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

const char* backend_name(BackendKind kind) {
  return kind == BackendKind::kOnnxRuntime ? "onnxruntime" : "sightline";
}

App::App(PlatformInfo platform, std::unique_ptr<OnnxRuntimeRunner> onnxruntime)
    : platform_(std::move(platform)),
      onnxruntime_(std::move(onnxruntime)),
      workbench_(std::make_unique<Workbench>()),
      label_editor_(std::make_unique<LabelEditorState>()) {
  // The web page keeps runs in IndexedDB and mirrors them into this in-memory file.
  std::error_code error;
  workbench_->datasets_root =
      platform_.web ? "/datasets"
                    : (fs::temp_directory_path(error) / "sightline-datasets").string();
  workbench_->ledger_path = platform_.web ? "/ledger/ledger.jsonl" : eval::default_ledger_path();
  if (!platform_.web) restore_native_baseline(*this);
}

App::~App() {
  set_log_sink({});
}

void App::install_log_sink() {
  set_log_sink([this](LogLevel level, std::string_view origin, std::string_view text) {
    std::FILE* stream = level >= LogLevel::kWarning ? stderr : stdout;
    std::fprintf(stream, "[%s] %.*s: %.*s\n", log_level_name(level),
                 static_cast<int>(origin.size()), origin.data(), static_cast<int>(text.size()),
                 text.data());
    log_.add(level, std::string(origin), std::string(text));
  });
}

void App::report_error(const std::string& message) {
  log_error("app", message);
  errors_.push_back(message);
  while (errors_.size() > 5)
    errors_.pop_front();
}

Status App::load_builtin_models(const std::string& cards_dir, const std::string& models_dir,
                                const std::string& default_model) {
  models_dir_ = models_dir;
  std::error_code error;
  std::vector<fs::path> card_paths;
  for (const fs::directory_entry& entry : fs::directory_iterator(cards_dir, error)) {
    if (entry.path().extension() == ".json") card_paths.push_back(entry.path());
  }
  if (error) return make_error(cards_dir + ": cannot list model cards (" + error.message() + ")");
  std::sort(card_paths.begin(), card_paths.end());

  for (const fs::path& card_path : card_paths) {
    Result<ModelCard> card = load_card(card_path.string(), models_dir);
    if (!card) {
      report_error(card.message());
      continue;
    }
    if (!fs::exists(fs::path(models_dir) / card->file, error)) {
      auto entry = std::make_unique<ModelEntry>();
      entry->id = next_id_++;
      entry->card = *card;
      entry->built_in = true;
      entry->unavailable_reason = card->file + " is not in " + models_dir;
      log_info("app", "model card " + card->name + ": " + entry->unavailable_reason);
      models_.push_back(std::move(entry));
      continue;
    }
    Result<std::vector<uint8_t>> model_bytes = load_model_file(*card, models_dir);
    if (!model_bytes) {
      report_error(model_bytes.message());
      continue;
    }
    Status added = add_model(card->file, std::move(*model_bytes), &card.value(), true);
    if (!added) report_error(added.message());
  }

  for (const auto& model : models_) {
    if (model->card.name == default_model && model->usable()) set_active_model(model->id);
  }
  if (!active_model()) {
    return make_error("no usable model: none of the cards in " + cards_dir +
                      " has its model file in " + models_dir);
  }
  return Status::success();
}

void App::fill_class_names(ModelCard& card, const std::vector<std::string>& search_dirs) {
  if (!card.class_names.empty() || card.class_names_file.empty()) return;
  std::error_code error;
  for (const std::string& dir : search_dirs) {
    const fs::path path = fs::path(dir) / card.class_names_file;
    if (!fs::exists(path, error)) continue;
    Result<std::vector<uint8_t>> bytes = read_file(path.string(), kMaxTextFileBytes);
    if (!bytes) {
      report_error(bytes.message());
      return;
    }
    Result<std::vector<std::string>> names = parse_class_names(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
        path.string());
    if (!names) {
      report_error(names.message());
      return;
    }
    card.class_names = std::move(*names);
    return;
  }
  log_warning("app", card.name + ": class names file " + card.class_names_file +
                         " not found; classes are shown by number");
}

Status App::add_model(const std::string& name, std::vector<uint8_t> bytes, const ModelCard* card,
                      bool built_in) {
  Result<engine::ModelSummary> summary = engine::inspect_model(bytes, name);
  if (!summary) return make_error(summary.message());

  auto entry = std::make_unique<ModelEntry>();
  entry->id = next_id_++;
  entry->built_in = built_in;
  if (card) {
    entry->card = *card;
  } else {
    if (summary->inputs.size() != 1 || summary->outputs.empty()) {
      return make_error(name + ": has " + std::to_string(summary->inputs.size()) + " inputs and " +
                        std::to_string(summary->outputs.size()) +
                        " outputs; without a card only one input and one output can be guessed");
    }
    // The class names of a built-in 80-class model stand in for COCO's.
    std::vector<std::string> coco_names;
    for (const auto& model : models_) {
      if (model->built_in && model->card.class_names.size() == 80) {
        coco_names = model->card.class_names;
        break;
      }
    }
    Result<GuessedCard> guess =
        guess_card(name, summary->inputs[0], summary->outputs[0], coco_names);
    if (!guess) return make_error(guess.message());
    entry->card = guess->card;
    if (entry->card.file.empty()) entry->card.file = name;
    entry->guess_note = "no card for " + name + ": " + guess->explanation;
    log_warning("app", entry->guess_note);
  }

  entry->onnx_bytes = std::move(bytes);
  Status engine_loaded = load_engine(*entry);
  if (!engine_loaded && entry->engine_error.empty()) return engine_loaded;

  if (onnxruntime_) {
    auto deferred = std::make_unique<DeferredBackend>(summary->inputs, summary->outputs);
    Result<std::unique_ptr<Detector>> detector = Detector::create(entry->card, std::move(deferred));
    if (!detector) return make_error(detector.message());
    entry->onnxruntime = std::move(*detector);
  }

  if (!entry->engine && !entry->onnxruntime) {
    return make_error("Sightline's engine cannot run " + name + ": " + entry->engine_error);
  }
  if (!entry->engine) {
    log_warning("app", "Sightline's engine cannot run " + name + " (" + entry->engine_error +
                           "); it runs in ONNX Runtime Web instead");
  }

  const int id = entry->id;
  entry->engine_supported = entry->engine != nullptr;
  const bool becomes_active = !built_in || !active_model();
  // Only the active model keeps its engine (and the engine's worker threads).
  if (!becomes_active) entry->engine.reset();
  models_.push_back(std::move(entry));
  if (becomes_active) set_active_model(id);
  return Status::success();
}

Status App::load_engine(ModelEntry& model) {
  if (model.engine) return Status::success();
  engine::EngineOptions engine_options;
  engine_options.threads = platform_.threads;
  const auto load_start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<InferenceBackend>> backend =
      engine::load_model(model.onnx_bytes, model.card.file, engine_options);
  if (!backend) {
    model.engine_error = backend.message();
    return backend.error();
  }
  // A card that does not fit the model is the card's fault, not the engine's: no fallback.
  Result<std::unique_ptr<Detector>> detector = Detector::create(model.card, std::move(*backend));
  if (!detector) return detector.error();
  model.engine = std::move(*detector);
  char text[64];
  std::snprintf(text, sizeof text, ": engine ready in %.0f ms", milliseconds_since(load_start));
  log_info("app", model.card.name + text);
  return Status::success();
}

void App::open_files(const std::vector<std::string>& paths) {
  if (open_workbench_files(*this, paths)) return;

  // Cards first, so a card dropped together with its model is found whatever the order.
  std::vector<std::string> ordered = paths;
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const std::string& path) { return lower_extension(path) == ".json"; });
  for (const std::string& path : ordered)
    open_file(path);
}

void App::open_file(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  const std::string extension = lower_extension(path);

  if (extension == ".json") {
    Result<std::vector<uint8_t>> bytes = read_file(path, kMaxTextFileBytes);
    if (!bytes) return report_error(bytes.message());
    Result<ModelCard> card = parse_model_card(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), name);
    if (!card) return report_error(card.message());
    fill_class_names(*card, {fs::path(path).parent_path().string(), models_dir_});
    log_info("app", "card " + name + " waits for its model " + card->file);
    pending_cards_.push_back(std::move(*card));
    return;
  }

  if (extension == ".onnx") {
    Result<std::vector<uint8_t>> bytes = read_file(path, kMaxModelFileBytes);
    if (!bytes) return report_error(bytes.message());
    auto card = std::find_if(pending_cards_.begin(), pending_cards_.end(),
                             [&](const ModelCard& c) { return c.file == name; });
    const ModelCard* card_pointer = card != pending_cards_.end() ? &*card : nullptr;
    Status added = add_model(name, std::move(*bytes), card_pointer, false);
    if (!added) return report_error("model not added: " + added.message());
    if (card_pointer) pending_cards_.erase(card);
    return;
  }

  Result<std::vector<uint8_t>> bytes = read_file(path, kMaxPhotoFileBytes);
  if (!bytes) return report_error(bytes.message());
  add_image(name, *bytes);
}

void App::add_image(const std::string& name, std::span<const uint8_t> bytes) {
  const auto start = std::chrono::steady_clock::now();
  Result<Image> decoded = decode_image(bytes, name);
  if (!decoded) return report_error(decoded.message());

  auto image = std::make_unique<GalleryImage>();
  image->id = next_id_++;
  image->name = name;
  image->image = std::move(*decoded);
  image->file_bytes.assign(bytes.begin(), bytes.end());
  image->decode_ms = milliseconds_since(start);
  image->texture = Texture::from_image(image->image);
  log_info("app", name + ": " + std::to_string(image->image.width) + "x" +
                      std::to_string(image->image.height));
  selected_image_id_ = image->id;
  label_editor_->selected_box = -1;
  label_editor_->drag = LabelDrag::kNone;
  const int id = image->id;
  images_.push_back(std::move(image));
  queue_monitor_photo(*this, id);
}

ModelEntry* App::find_model(int model_id) const {
  for (auto& model : models_) {
    if (model->id == model_id) return model.get();
  }
  return nullptr;
}

GalleryImage* App::find_image(int image_id) const {
  for (auto& image : images_) {
    if (image->id == image_id) return image.get();
  }
  return nullptr;
}

ModelEntry* App::active_model() const {
  return find_model(active_model_id_);
}

void App::set_active_model(int model_id) {
  ModelEntry* model = find_model(model_id);
  if (!model || !model->usable()) return;
  if (ModelEntry* previous = active_model(); previous && previous != model) {
    previous->engine.reset();
  }
  if (model->engine_supported) {
    Status loaded = load_engine(*model);
    if (!loaded) {
      model->engine_supported = false;
      report_error(loaded.message());
    }
  }
  active_model_id_ = model_id;
  hidden_classes_.assign(model->card.class_names.size(), false);
  if (!model->engine && backend_ == BackendKind::kSightline) {
    set_backend(BackendKind::kOnnxRuntime);
  }
}

void App::set_backend(BackendKind backend) {
  if (backend == BackendKind::kOnnxRuntime && !onnxruntime_) {
    return report_error("ONNX Runtime Web is only available in the web build");
  }
  backend_ = backend;
}

GalleryImage* App::selected_image() {
  return find_image(selected_image_id_);
}

void App::select_image(int image_id) {
  if (!find_image(image_id) || image_id == selected_image_id_) return;
  selected_image_id_ = image_id;
  // A box index of the previous photo means nothing on this one.
  label_editor_->selected_box = -1;
  label_editor_->drag = LabelDrag::kNone;
}

bool App::class_hidden(int class_id) const {
  return class_id >= 0 && class_id < static_cast<int>(hidden_classes_.size()) &&
         hidden_classes_[class_id];
}

Detector* App::detector_for(ModelEntry& model, BackendKind backend, std::string& why_not) {
  if (backend == BackendKind::kSightline) {
    if (!model.engine) why_not = "Sightline's engine cannot run this model: " + model.engine_error;
    return model.engine.get();
  }
  if (!model.onnxruntime) why_not = "ONNX Runtime Web is not available here";
  return model.onnxruntime.get();
}

std::string App::detections_key() const {
  return std::to_string(active_model_id_) + "/" + backend_name(backend_) + "/" +
         format_option(options_.confidence) + "/" + format_option(options_.iou);
}

void App::refresh_detections(GalleryImage& image) {
  const std::string key = detections_key();
  if (image.detections_key == key) return;
  ModelEntry* model = active_model();
  if (!model) return;

  const auto raw = std::find_if(
      image.raw_outputs.begin(), image.raw_outputs.end(),
      [&](const RawOutput& r) { return r.model_id == model->id && r.backend == backend_; });
  if (raw == image.raw_outputs.end()) {
    if (!image.queued) {
      image.queued = true;
      queue_.push_back(Job{image.id, model->id, backend_, frame_});
    }
    return;
  }

  std::string why_not;
  Detector* detector = detector_for(*model, backend_, why_not);
  if (!detector) return;
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<Detection>> detections =
      detector->finish(raw->tensor, raw->geometry, options_);
  image.postprocess_ms = milliseconds_since(start);
  image.detections_key = key;
  const bool new_output = image.shown_raw != &*raw;
  image.shown_raw = &*raw;
  if (!detections) {
    image.detections.clear();
    image.error = detections.message();
    return report_error(image.name + ": " + detections.message());
  }
  image.error.clear();
  image.detections = std::move(*detections);
  if (!raw->timed) {
    raw->timed = true;
    const StageTimings timings{image.decode_ms, raw->preprocess_ms, raw->inference_ms,
                               image.postprocess_ms};
    workbench_->performance.stages.add({image.name, model->id, backend_, timings});
  }
  if (new_output) {
    char timing[64];
    std::snprintf(timing, sizeof timing, ", inference %.1f ms)", raw->inference_ms);
    log_info("app", image.name + ": " + std::to_string(image.detections.size()) + " detections (" +
                        model->card.name + ", " + backend_name(backend_) + timing);
  }
}

void App::store_raw_output(int image_id, RawOutput raw) {
  GalleryImage* image = find_image(image_id);
  if (!image) return;
  image->queued = false;
  image->shown_raw = nullptr;
  image->detections_key.clear();
  std::erase_if(image->raw_outputs, [&](const RawOutput& r) {
    return r.model_id == raw.model_id && r.backend == raw.backend;
  });
  image->raw_outputs.push_back(std::move(raw));
}

void App::run_pending_work() {
  GalleryImage* selected = selected_image();
  if (selected && validate_options(options_)) refresh_detections(*selected);
  ++frame_;
  // The workbench's photos wait while the gallery has work, so a drop still answers first.
  if (busy_jobs() == 0) {
    step_evaluation(*this);
    step_monitor(*this);
    step_profile(*this);
  }
  if (job_in_flight_ || queue_.empty()) return;
  // Inference with our engine blocks this thread; waiting one frame lets the browser show the
  // frame that says "Detecting..." first: it presents a frame only after the frame callback
  // that drew it has returned.
  if (frame_ < queue_.front().queued_at_frame + 3) return;
  const Job job = queue_.front();
  queue_.pop_front();
  start_job(job);
}

void App::start_job(const Job& job) {
  GalleryImage* image = find_image(job.image_id);
  ModelEntry* model = find_model(job.model_id);
  if (!image || !model) return;
  std::string why_not;
  Detector* detector = detector_for(*model, job.backend, why_not);
  if (!detector) {
    image->queued = false;
    image->error = why_not;
    image->detections_key = detections_key();
    image->detections.clear();
    return report_error(image->name + ": " + why_not);
  }

  const auto preprocess_start = std::chrono::steady_clock::now();
  auto prepared = std::make_shared<PreparedInput>(detector->prepare(image->image));
  RawOutput raw;
  raw.model_id = model->id;
  raw.backend = job.backend;
  raw.geometry = prepared->geometry;
  raw.preprocess_ms = milliseconds_since(preprocess_start);

  ++inference_runs_;
  const auto inference_start = std::chrono::steady_clock::now();
  if (job.backend == BackendKind::kSightline) {
    Result<FloatTensor> output = detector->infer(*prepared);
    raw.inference_ms = milliseconds_since(inference_start);
    if (!output) {
      image->queued = false;
      image->detections_key = detections_key();
      image->error = output.message();
      return report_error(image->name + ": " + output.message());
    }
    raw.tensor = std::move(*output);
    return store_raw_output(job.image_id, std::move(raw));
  }

  job_in_flight_ = true;
  const int image_id = job.image_id;
  onnxruntime_->run(model->id, model->onnx_bytes, model->card.input_name, prepared->tensor,
                    [this, image_id, raw, inference_start](Result<FloatTensor> output) mutable {
                      job_in_flight_ = false;
                      raw.inference_ms = milliseconds_since(inference_start);
                      if (!output) {
                        if (GalleryImage* image = find_image(image_id)) {
                          image->queued = false;
                          image->detections_key = detections_key();
                          image->error = output.message();
                        }
                        return report_error("ONNX Runtime Web: " + output.message());
                      }
                      raw.tensor = std::move(*output);
                      store_raw_output(image_id, std::move(raw));
                    });
}

}  // namespace sightline::app
