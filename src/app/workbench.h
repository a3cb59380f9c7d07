// The state behind the app's Evaluate, Runs, Monitor, Compare and Performance panels (the
// "workbench" beside the photo canvas): a labelled dataset evaluated one photo per frame, the
// ledger of runs, the monitor's window of photo features against a baseline, the comparison of
// the active model with a candidate on the gallery's photos (compare_session.h), and the stage
// timings and per-operator profile of the active model (performance.h).
//
// Dataset rule: files dropped together form a dataset when they include classes.txt or a
// *.names file (YOLO: photos with <stem>.txt labels beside them), or a .json file holding
// "annotations" (COCO: the JSON plus its photos). They are copied into a folder of their own
// and read by eval::load_dataset like the command line's `sightline eval FOLDER`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/compare_session.h"
#include "app/performance.h"
#include "app/texture.h"
#include "core/postprocess.h"
#include "eval/dataset.h"
#include "eval/evaluation.h"
#include "eval/ledger.h"
#include "monitor/drift.h"
#include "monitor/window.h"

namespace sightline::app {

class App;
struct PanelRect;

enum class WorkspaceMode { kPhotos, kEvaluate, kRuns, kMonitor, kCompare, kPerformance };

enum class EvaluationPhase { kIdle, kRunning, kDone, kFailed };

// "idle", "running", "done", "failed", as in the JS API.
const char* evaluation_phase_name(EvaluationPhase phase);

// One evaluation: the dataset, the photos run so far and, when done, the report.
struct EvaluationSession {
  EvaluationPhase phase = EvaluationPhase::kIdle;
  int number = 0;            // counts sessions, so the JS API can tell a new one from the last
  std::string folder;        // where the dropped files were copied
  std::string dataset_path;  // the folder (YOLO) or the JSON file (COCO) given to load_dataset
  std::string fatal;         // why the dataset could not be read or evaluated at all
  eval::Dataset dataset;
  eval::ValidationReport validation;

  int model_id = -1;
  std::string model_name;
  PostprocessOptions options;
  std::vector<int64_t> class_to_category;
  size_t next_image = 0;
  eval::InferenceOutcome outcome;
  std::chrono::steady_clock::time_point started;
  double seconds = 0;

  std::optional<eval::EvaluationReport> report;
  std::string report_json;
  std::string run_id;        // the ledger's id for this run, once recorded
  std::string ledger_error;  // why it was not recorded

  // The error gallery's choice: a false positive (index) or a missed object (index).
  int selected_false_positive = -1;
  int selected_missed = -1;
  // The photo the error viewer shows, decoded from the dataset folder on first click.
  int64_t viewer_image_id = -1;
  Texture viewer_texture;
  int viewer_width = 0;
  int viewer_height = 0;
  std::string viewer_error;
  int selected_class = -1;     // per-class table row whose PR curve is drawn large
  bool reveal_errors = false;  // open the Errors section and scroll to it (set by the JS API)
};

// Settings the Evaluate panel applies to the next evaluation; the command line's defaults.
struct EvaluationSettingsUi {
  float confidence = 0.001f;
  float iou = 0.65f;
  int max_detections = 100;
};

struct RunsState {
  eval::Ledger ledger;
  std::string error;  // the ledger could not be read
  bool stale = true;  // read again before the next draw
  std::string first_id;
  std::string second_id;
};

struct MonitorState {
  monitor::Window window;  // the live window: photos dropped since the last reset
  std::optional<monitor::Window> baseline;
  std::string baseline_source;  // "saved 2026-...", "loaded from b.json", ...
  monitor::DriftThresholds thresholds;
  std::optional<monitor::DriftReport> report;
  bool report_stale = true;
  std::vector<int> pending_images;  // gallery photos whose features are still to be measured
  std::string message;              // the last save/load outcome, for the panel
};

// Both models evaluated on the Evaluate panel's dataset, one after the other, through the
// Evaluate panel's own session (the active model is switched between the two runs and put
// back), both runs recorded in the ledger and shown side by side in the Runs panel.
enum class DatasetComparePhase { kIdle, kPrimary, kCandidate, kDone, kFailed };

struct DatasetComparison {
  DatasetComparePhase phase = DatasetComparePhase::kIdle;
  int number = 0;
  int primary_model_id = -1;
  int candidate_model_id = -1;
  BackendKind primary_backend = BackendKind::kSightline;
  std::string dataset_path;
  std::string folder;
  int evaluation_number = -1;  // the Evaluate session running for the current side
  std::string primary_run;
  std::string candidate_run;
  std::string message;
};

// The Compare panel: the session, the candidate being picked, and the engines it runs itself
// (the app keeps an engine for the active model only).
struct CompareState {
  DatasetComparison dataset;
  CompareSession session;
  CompareSide choice;  // the candidate the panel shows; applied by "Compare"
  bool choice_ready = false;
  std::map<std::string, std::unique_ptr<Detector>> engines;  // by "model id/WxH"
  // ONNX Runtime Web for the candidate, plugged in by the web platform (compare_api.cpp).
  std::shared_ptr<OnnxRuntimeRunner> onnxruntime;
  int shown_image = -1;  // the photo the panel's preview shows
  int last_step_frame = -1;
  std::string message;  // the last start/promote outcome
};

// The Performance panel: every photo's stage timings, the profile session, the panel's runs
// setting and its tables in the order the user sorted them.
struct PerformanceState {
  StageHistory stages;
  ProfileSession profile;
  int runs_setting = ProfileSession::kDefaultRuns;
  std::vector<OpTypeRow> sorted_op_types;
  std::vector<NodeRow> sorted_nodes;
  int op_types_profile = -1;  // the profile number sorted_op_types come from
  int nodes_profile = -1;     // the profile number sorted_nodes come from
  int panel_frames = 0;       // frames the panel was drawn, for the JS API
};

// Hooks a platform plugs in: the web stores runs and baselines in IndexedDB as well.
struct WorkbenchHooks {
  // Called with each new ledger line after it is appended to the ledger file.
  std::function<void(const std::string& json_line)> run_recorded;
  // Called with the JSON of a baseline saved or loaded, to keep it across page reloads.
  std::function<void(const std::string& json)> baseline_changed;
  // Offers a file to the user (the web page downloads it); natively files are written instead.
  std::function<void(const std::string& file_name, const std::string& text)> offer_download;
};

struct Workbench {
  WorkspaceMode mode = WorkspaceMode::kPhotos;
  EvaluationSession evaluation;
  EvaluationSettingsUi settings;
  std::string datasets_root;  // where dropped datasets are copied
  std::string ledger_path;    // the JSON-lines ledger (on the web, a MEMFS copy of IndexedDB)
  int next_dataset = 1;
  RunsState runs;
  MonitorState monitor;
  CompareState compare;
  PerformanceState performance;
  WorkbenchHooks hooks;
};

// Files dropped together that are a dataset (evaluated) or a monitor baseline .json (loaded);
// false when they are neither and the gallery should open them.
bool open_workbench_files(App& app, const std::vector<std::string>& paths);

// Whether files dropped together form a dataset (see the rule at the top).
bool is_dataset_drop(const std::vector<std::string>& paths);

// Copies the dropped files into a new folder and starts evaluating them with the active
// model. Problems go to the session's `fatal` and the app's error banner.
void start_dataset_evaluation(App& app, const std::vector<std::string>& paths);

// Starts evaluating a dataset already on disk (a YOLO folder or a COCO .json).
void start_evaluation(App& app, const std::string& dataset_path, const std::string& folder);

// Shows a false positive (missed = false) or missed object in the error viewer; false when the
// index is out of range.
bool show_evaluation_error(Workbench& workbench, bool missed, int index);

// Whether an evaluation, a comparison or a profile is running or photos wait to be measured (the
// frame loops draw every frame then).
bool workbench_busy(const Workbench& workbench);

// Runs the model on at most one photo of a running evaluation; finishes it after the last.
void step_evaluation(App& app);

// The session as JSON for the JS API: phase, progress, validation, fatal, run id, report.
std::string evaluation_state_json(const Workbench& workbench);

// Reads the ledger file again when it changed.
void refresh_runs(Workbench& workbench);

// Monitor: queue a gallery photo for measuring; measure at most one per frame.
void queue_monitor_photo(App& app, int image_id);
void step_monitor(App& app);
Status save_monitor_baseline(App& app);
Status load_monitor_baseline(App& app, std::string_view json_text, const std::string& source);
// Reads the baseline saved beside the native ledger, if any (the web restores from IndexedDB).
void restore_native_baseline(App& app);
// Runs the drift tests again when the window, baseline or thresholds changed.
void refresh_drift(Workbench& workbench);
std::string monitor_state_json(const Workbench& workbench);

// Compare: starts comparing the active model (with the app's backend and thresholds) and the
// candidate on every gallery photo; runs at most one inference per frame.
Status start_comparison(App& app, const CompareSide& candidate);
void step_compare(App& app, int frame);
// Makes the candidate the active model (backend, thresholds) and the old primary the candidate.
Status promote_candidate(App& app);
// The active model, backend and thresholds as a comparison side.
CompareSide primary_side(App& app);
// A side for this model with the app's backend and thresholds (the panel's first choice).
CompareSide side_for_model(const ModelEntry& model, BackendKind backend,
                           const PostprocessOptions& options);
std::string compare_state_json(const Workbench& workbench);
// Evaluates the active model, then the candidate model (our engine, the card's size), on the
// dataset the Evaluate panel last read; both runs go to the ledger and the Runs panel.
Status start_dataset_comparison(App& app, int candidate_model_id);
void step_dataset_comparison(App& app);
const char* dataset_compare_phase_name(DatasetComparePhase phase);
std::string dataset_comparison_json(const Workbench& workbench);

// Performance: profiles the active model in our engine on the selected photo: one warm-up run,
// then `runs` profiled runs, one per frame. Refused with the reason when the backend is ONNX
// Runtime Web, there is no photo or model, or our engine cannot run the model.
Status start_profile(App& app, int runs);
void step_profile(App& app);
// The active backend's kernels: "wasm-simd128, 2 threads", "ONNX Runtime Web (wasm), ...".
std::string active_kernel_description(App& app);
// {"backend", "model", "kernel", "photos", "last": {photo, decode, ...} or null, "summary":
//  {decode: {median, min, max}, ...}, "panel_frames", "profile": ProfileSession::state_json}.
std::string performance_state_json(App& app);

void draw_workspace_tabs(App& app, const PanelRect& rect);
// Appends the Compare tab to the workspace tabs drawn by draw_workspace_tabs.
void draw_compare_tab(App& app);
// Appends the Performance tab after the Compare tab.
void draw_performance_tab(App& app);
void draw_evaluate_panel(App& app, const PanelRect& rect);
void draw_runs_panel(App& app, const PanelRect& rect);
void draw_monitor_panel(App& app, const PanelRect& rect);
void draw_compare_panel(App& app, const PanelRect& rect);
void draw_performance_panel(App& app, const PanelRect& rect);

}  // namespace sightline::app
