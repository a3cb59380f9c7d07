// The Sightline app: its state (models, gallery, settings, log) and the work it does (reading
// dropped files, running detection, re-running post-processing when a slider moves).
//
// Shared by the web page and the desktop program; the platform mains create one App, feed it
// files and frames, and, on the web, plug in ONNX Runtime Web through OnnxRuntimeRunner. The
// drawing lives in canvas_view, gallery and panels; this file only holds state and actions.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "app/app_log.h"
#include "app/label_set.h"
#include "app/texture.h"
#include "core/detector.h"

namespace sightline::app {

// The largest photo file the app reads (App::open_file); the web page refuses bigger dropped
// files before reading them.
inline constexpr uint64_t kMaxPhotoFileBytes = uint64_t{256} << 20;

enum class BackendKind { kSightline, kOnnxRuntime };

// "sightline" or "onnxruntime", as in the JS API and the CLI.
const char* backend_name(BackendKind kind);

// Where the app runs, for the status bar and the JS API.
struct PlatformInfo {
  std::string platform;  // "web" or "desktop"
  std::string variant;   // "threads" or "single-thread"
  int threads = 1;
  // Web threaded build: the pthread pool's workers (an engine on N threads takes N - 1 of them;
  // a thread beyond the pool would hang the page). 0 where threads are not pooled.
  int pool_workers = 0;
  std::string simd;  // "SIMD128", "AVX2", ... or "none"
  bool web = false;
  bool cross_origin_isolated = false;
  std::string note;  // shown under the status bar, e.g. why threads are off
};

// Runs a model in ONNX Runtime Web. It finishes later: done is called on the main thread.
class OnnxRuntimeRunner {
 public:
  using Done = std::function<void(Result<FloatTensor>)>;
  virtual ~OnnxRuntimeRunner() = default;
  virtual void run(int model_id, std::span<const uint8_t> onnx_bytes, const std::string& input_name,
                   const FloatTensor& input, Done done) = 0;
};

struct ModelEntry {
  int id = 0;
  ModelCard card;
  bool built_in = false;
  std::string guess_note;  // what was guessed when the model came without a card
  std::vector<uint8_t> onnx_bytes;
  // Our engine for this model; only the active model holds one (null for the others).
  std::unique_ptr<Detector> engine;
  bool engine_supported = false;  // our engine can run it; engine_error says why not
  std::string engine_error;
  // The card checked against the model's shapes for ONNX Runtime Web; its backend never runs.
  std::unique_ptr<Detector> onnxruntime;
  std::string unavailable_reason;  // a built-in card whose model file is missing

  bool usable() const { return engine_supported || onnxruntime; }
};

// A model's raw output for one photo, kept so slider moves only re-run post-processing.
struct RawOutput {
  int model_id = 0;
  BackendKind backend = BackendKind::kSightline;
  FloatTensor tensor;
  LetterboxGeometry geometry;
  double preprocess_ms = 0;
  double inference_ms = 0;
  // Its stage timings went into the Performance panel's history (once, on first display).
  bool timed = false;
};

struct GalleryImage {
  int id = 0;
  std::string name;
  Image image;
  std::vector<uint8_t> file_bytes;  // the file as dropped, for label exports
  double decode_ms = 0;
  Texture texture;
  std::vector<RawOutput> raw_outputs;

  // What the canvas shows: the detections for the active model, backend and options.
  std::vector<Detection> detections;
  std::string detections_key;  // model, backend and options they were computed with
  const RawOutput* shown_raw = nullptr;
  double postprocess_ms = 0;
  bool queued = false;
  std::string error;

  // The photo's labels (label_editor.h), created on the first edit.
  std::optional<LabelSet> labels;
};

// How the two backends' detections of one photo compare (same model and options).
struct BackendAgreement {
  int sightline_count = 0;
  int onnxruntime_count = 0;
  int paired = 0;                      // boxes of the same class paired one to one
  float max_corner_difference = 0.0f;  // largest corner distance of a pair, in photo pixels
};

struct Workbench;
struct LabelEditorState;

class App {
 public:
  App(PlatformInfo platform, std::unique_ptr<OnnxRuntimeRunner> onnxruntime);
  ~App();

  // Routes the app's log lines into its log window (and stderr / the browser console).
  void install_log_sink();

  // Reads the cards in cards_dir (*.json) with their class names and model files from
  // models_dir. The card named default_model becomes active, else the first usable one.
  Status load_builtin_models(const std::string& cards_dir, const std::string& models_dir,
                             const std::string& default_model = "yolox_nano");

  // Files from a drop or the command line: photos join the gallery, .onnx files add a model,
  // .json files are model cards for an .onnx dropped with them or later.
  void open_files(const std::vector<std::string>& paths);

  // Runs at most one queued inference; call once per frame after drawing.
  void run_pending_work();

  // The whole ImGui frame content.
  void draw();

  // The JS API: one photo through the active model, answered with report_to_json's text.
  using ApiDone = std::function<void(Result<std::string>)>;
  void detect_for_api(std::vector<uint8_t> bytes, std::string name, BackendKind backend,
                      PostprocessOptions options, ApiDone done);

  // Both backends' detections compared, once the photo has been through both.
  std::optional<BackendAgreement> compare_backends(const GalleryImage& image) const;

  // State for scripts and tests: images, detections, errors, log tail (JSON text).
  std::string state_json() const;

  // Reports a problem in the UI and the log; the app keeps running.
  void report_error(const std::string& message);

  // State read and changed by the panels.
  const PlatformInfo& platform() const { return platform_; }
  ModelEntry* active_model() const;
  std::vector<std::unique_ptr<ModelEntry>>& models() { return models_; }
  void set_active_model(int model_id);
  int active_model_id() const { return active_model_id_; }
  BackendKind backend() const { return backend_; }
  void set_backend(BackendKind backend);
  bool onnxruntime_available() const { return onnxruntime_ != nullptr; }
  PostprocessOptions& options() { return options_; }
  std::vector<std::unique_ptr<GalleryImage>>& images() { return images_; }
  const std::vector<std::unique_ptr<GalleryImage>>& images() const { return images_; }
  GalleryImage* selected_image();
  void select_image(int image_id);
  std::vector<bool>& hidden_classes() { return hidden_classes_; }
  bool class_hidden(int class_id) const;
  const std::deque<std::string>& errors() const { return errors_; }
  void dismiss_errors() { errors_.clear(); }
  LogBuffer& log() { return log_; }
  // Inferences started for the gallery so far (slider moves must not add any).
  int inference_runs() const { return inference_runs_; }
  int busy_jobs() const { return static_cast<int>(queue_.size()) + (job_in_flight_ ? 1 : 0); }
  int& hovered_detection() { return hovered_detection_; }
  // The Evaluate, Runs and Monitor panels' state (workbench.h).
  Workbench& workbench() { return *workbench_; }
  const Workbench& workbench() const { return *workbench_; }
  // The canvas's label editing (label_editor.h).
  LabelEditorState& label_editor() { return *label_editor_; }
  const LabelEditorState& label_editor() const { return *label_editor_; }
  GalleryImage* image_by_id(int image_id) const { return find_image(image_id); }

 private:
  struct Job {
    int image_id = 0;
    int model_id = 0;
    BackendKind backend = BackendKind::kSightline;
    int64_t queued_at_frame = 0;
  };

  void open_file(const std::string& path);
  void add_image(const std::string& name, std::span<const uint8_t> bytes);
  Status add_model(const std::string& name, std::vector<uint8_t> bytes, const ModelCard* card,
                   bool built_in);
  Status load_engine(ModelEntry& model);
  void fill_class_names(ModelCard& card, const std::vector<std::string>& search_dirs);
  GalleryImage* find_image(int image_id) const;
  ModelEntry* find_model(int model_id) const;
  Detector* detector_for(ModelEntry& model, BackendKind backend, std::string& why_not);
  std::string detections_key() const;
  void refresh_detections(GalleryImage& image);
  void store_raw_output(int image_id, RawOutput raw);
  void start_job(const Job& job);

  PlatformInfo platform_;
  std::unique_ptr<OnnxRuntimeRunner> onnxruntime_;
  std::vector<std::unique_ptr<ModelEntry>> models_;
  std::vector<std::unique_ptr<GalleryImage>> images_;
  std::vector<ModelCard> pending_cards_;  // cards dropped before their model
  std::string models_dir_;
  int active_model_id_ = -1;
  int selected_image_id_ = -1;
  int next_id_ = 1;
  BackendKind backend_ = BackendKind::kSightline;
  PostprocessOptions options_;
  std::vector<bool> hidden_classes_;
  std::deque<Job> queue_;
  bool job_in_flight_ = false;
  int inference_runs_ = 0;
  int64_t frame_ = 0;
  std::deque<std::string> errors_;
  LogBuffer log_;
  int hovered_detection_ = -1;
  std::unique_ptr<Workbench> workbench_;
  std::unique_ptr<LabelEditorState> label_editor_;
};

}  // namespace sightline::app
