// The Performance panel: the active backend's kernels; the stage timings (decode, preprocess,
// inference, postprocess) of the last photo and their median / min / max over this session's
// photos with the active model and backend; and the Profile action, whose result is two
// sortable tables: per op type (steps, mean ms, share, GFLOP/s) and per node (name, op type,
// kernel, ms, share, GFLOP/s), with the total and the overall GFLOP/s. With ONNX Runtime Web
// active the panel says the per-operator profile is Sightline's engine's only.
#include <algorithm>
#include <cstdio>

#include "app/ui.h"
#include "app/workbench.h"

namespace sightline::app {
namespace {

const ImVec4 kWarning(1.0f, 0.8f, 0.3f, 1.0f);
const ImVec4 kFailure(1.0f, 0.45f, 0.4f, 1.0f);
const ImVec4 kGood(0.5f, 0.9f, 0.5f, 1.0f);

constexpr ImGuiTableFlags kTableFlags =
    ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;

void greyed(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void spread_cells(const char* stage, double last, const Spread& spread) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(stage);
  for (double value : {last, spread.median, spread.min, spread.max}) {
    ImGui::TableNextColumn();
    ImGui::Text("%.2f", value);
  }
}

void draw_stage_timings(App& app) {
  const ModelEntry* model = app.active_model();
  const StageSummary summary =
      model ? app.workbench().performance.stages.summary(model->id, app.backend()) : StageSummary{};
  if (!summary.last) {
    ImGui::TextDisabled(
        "No photo processed yet with %s on %s: drop one in the Photos tab.",
        model ? model->card.name.c_str() : "a model",
        app.backend() == BackendKind::kOnnxRuntime ? "ONNX Runtime Web" : "Sightline's engine");
    return;
  }
  ImGui::Text("Stage timings (ms): last photo %s; %d photo%s this session",
              summary.last->photo.c_str(), summary.photos, summary.photos == 1 ? "" : "s");
  if (!ImGui::BeginTable("stage_timings", 5, kTableFlags, ImVec2(520, 0))) return;
  for (const char* name : {"stage", "last photo", "median", "min", "max"})
    ImGui::TableSetupColumn(name);
  ImGui::TableHeadersRow();
  const StageTimings& last = summary.last->timings;
  spread_cells("decode", last.decode_ms, summary.decode);
  spread_cells("preprocess", last.preprocess_ms, summary.preprocess);
  spread_cells("inference", last.inference_ms, summary.inference);
  spread_cells("postprocess", last.postprocess_ms, summary.postprocess);
  ImGui::EndTable();
  if (app.backend() == BackendKind::kOnnxRuntime) {
    greyed("ONNX Runtime Web's first photo includes loading it and creating its session.");
  }
}

void draw_profile_controls(App& app) {
  PerformanceState& performance = app.workbench().performance;
  ProfileSession& session = performance.profile;
  if (app.backend() == BackendKind::kOnnxRuntime) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(kWarning,
                       "The per-operator profile is available for Sightline's engine only. "
                       "Pick \"Sightline engine\" in the left panel to profile it; the stage "
                       "timings above are ONNX Runtime Web's.");
    ImGui::PopTextWrapPos();
    return;
  }
  ImGui::SetNextItemWidth(100);
  ImGui::InputInt("runs", &performance.runs_setting);
  performance.runs_setting =
      std::clamp(performance.runs_setting, ProfileSession::kMinRuns, ProfileSession::kMaxRuns);
  ImGui::SameLine();
  const bool photo = app.selected_image() != nullptr;
  ImGui::BeginDisabled(session.running() || !photo || !app.active_model());
  if (ImGui::Button("Profile")) {
    if (Status started = start_profile(app, performance.runs_setting); !started) {
      app.report_error("profile: " + started.message());
    }
  }
  ImGui::EndDisabled();
  if (session.running()) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) session.cancel();
    ImGui::SameLine();
    char progress[64];
    if (session.warmup_done() < ProfileSession::kWarmupRuns) {
      std::snprintf(progress, sizeof progress, "warm-up run");
    } else {
      std::snprintf(progress, sizeof progress, "run %d of %d", session.runs_done() + 1,
                    session.runs_requested());
    }
    ImGui::ProgressBar(
        static_cast<float>(session.runs_done()) / std::max(1, session.runs_requested()),
        ImVec2(200, 0), progress);
  }
  ImGui::PushTextWrapPos(0.0f);
  if (!photo) {
    ImGui::SameLine();
    ImGui::TextDisabled("Drop a photo first: the profile runs the model on the selected photo.");
  } else if (!session.running()) {
    ImGui::SameLine();
    ImGui::TextDisabled("1 warm-up run, then the profiled runs, one per frame, on %s.",
                        app.selected_image()->name.c_str());
  }
  ImGui::PopTextWrapPos();
  if (session.phase() == ProfilePhase::kFailed || session.phase() == ProfilePhase::kCancelled) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(session.phase() == ProfilePhase::kFailed ? kFailure : kWarning,
                       "Profile %s: %s", profile_phase_name(session.phase()),
                       session.error().c_str());
    ImGui::PopTextWrapPos();
  }
}

// The panel keeps sorted copies of the rows; they are copied again for a new profile and sorted
// again when that happens or the user clicks a header.
template <class Row, class Column, class Sort>
void sort_table(std::vector<Row>& rows, int& rows_profile, const std::vector<Row>& source,
                int profile, Sort sort) {
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  const bool fresh = rows_profile != profile;
  if (fresh) {
    rows = source;
    rows_profile = profile;
  }
  if (!specs || specs->SpecsCount == 0 || !(fresh || specs->SpecsDirty)) return;
  const ImGuiTableColumnSortSpecs& spec = specs->Specs[0];
  sort(rows, static_cast<Column>(spec.ColumnUserID),
       spec.SortDirection == ImGuiSortDirection_Ascending);
  specs->SpecsDirty = false;
}

void share_cell(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * share);
  ImGui::ProgressBar(static_cast<float>(share), ImVec2(-1, 0), text);
}

void gflops_cell(int64_t flops, double gflops) {
  if (flops == 0) {
    ImGui::TextDisabled("-");
  } else {
    ImGui::Text("%.1f", gflops);
  }
}

void setup_column(const char* name, int id, ImGuiTableColumnFlags flags = 0, float weight = 0) {
  ImGui::TableSetupColumn(name, flags, weight, static_cast<ImGuiID>(id));
}

void draw_op_type_table(PerformanceState& performance, const ProfileReport& report, float height) {
  const ImGuiTableFlags flags = kTableFlags | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Sortable;
  if (!ImGui::BeginTable("profile_op_types", 6, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  const ImGuiTableColumnFlags descending = ImGuiTableColumnFlags_PreferSortDescending;
  setup_column("op type", static_cast<int>(OpTypeColumn::kOpType), 0, 2.0f);
  setup_column("steps", static_cast<int>(OpTypeColumn::kSteps), descending, 0.7f);
  setup_column("mean ms", static_cast<int>(OpTypeColumn::kMilliseconds),
               descending | ImGuiTableColumnFlags_DefaultSort, 1.0f);
  setup_column("share", static_cast<int>(OpTypeColumn::kShare), descending, 1.5f);
  setup_column("GFLOP", static_cast<int>(OpTypeColumn::kMilliseconds), ImGuiTableColumnFlags_NoSort,
               0.9f);
  setup_column("GFLOP/s", static_cast<int>(OpTypeColumn::kGflops), descending, 0.9f);
  ImGui::TableHeadersRow();
  sort_table<OpTypeRow, OpTypeColumn>(performance.sorted_op_types, performance.op_types_profile,
                                      report.op_types, performance.profile.number(), sort_op_types);
  for (const OpTypeRow& row : performance.sorted_op_types) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(row.op_type.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%d", row.steps);
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", row.milliseconds);
    ImGui::TableNextColumn();
    share_cell(row.share);
    ImGui::TableNextColumn();
    ImGui::Text("%.4f", static_cast<double>(row.flops) / 1e9);
    ImGui::TableNextColumn();
    gflops_cell(row.flops, row.gflops);
  }
  ImGui::EndTable();
}

void draw_node_table(PerformanceState& performance, const ProfileReport& report) {
  const ImGuiTableFlags flags = kTableFlags | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Sortable;
  if (!ImGui::BeginTable("profile_nodes", 7, flags, ImVec2(0, 0))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  const ImGuiTableColumnFlags descending = ImGuiTableColumnFlags_PreferSortDescending;
  setup_column("#", static_cast<int>(NodeColumn::kOrder), 0, 0.4f);
  setup_column("node", static_cast<int>(NodeColumn::kName), 0, 1.9f);
  setup_column("op type", static_cast<int>(NodeColumn::kOpType), 0, 1.3f);
  setup_column("kernel", static_cast<int>(NodeColumn::kKernel), 0, 2.1f);
  setup_column("ms", static_cast<int>(NodeColumn::kMilliseconds),
               descending | ImGuiTableColumnFlags_DefaultSort, 0.8f);
  setup_column("share", static_cast<int>(NodeColumn::kMilliseconds),
               descending | ImGuiTableColumnFlags_NoSort, 1.0f);
  setup_column("GFLOP/s", static_cast<int>(NodeColumn::kGflops), descending, 0.8f);
  ImGui::TableHeadersRow();
  sort_table<NodeRow, NodeColumn>(performance.sorted_nodes, performance.nodes_profile, report.nodes,
                                  performance.profile.number(), sort_nodes);
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(performance.sorted_nodes.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const NodeRow& row = performance.sorted_nodes[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d", row.index);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.name.empty() ? "(unnamed)" : row.name.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.op_type.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.kernel.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.3f", row.milliseconds);
      ImGui::TableNextColumn();
      share_cell(row.share);
      ImGui::TableNextColumn();
      gflops_cell(row.flops, row.gflops);
    }
  }
  ImGui::EndTable();
}

void draw_profile_report(App& app) {
  PerformanceState& performance = app.workbench().performance;
  const std::optional<ProfileReport>& report = performance.profile.report();
  if (!report) return;
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextColored(kGood,
                     "%s on %s: mean of %d runs after %d warm-up: %.2f ms in %zu steps, "
                     "%.3f GFLOP, %.1f GFLOP/s",
                     report->model.c_str(), report->photo.c_str(), report->runs,
                     report->warmup_runs, report->total_milliseconds, report->nodes.size(),
                     static_cast<double>(report->total_flops) / 1e9, report->gflops);
  ImGui::Text(
      "Kernels %s. Steps' sum per run: median %.2f, min %.2f, max %.2f ms; whole run "
      "(with the input and output copies): median %.2f ms.",
      report->kernel.c_str(), report->step_sum_milliseconds.median,
      report->step_sum_milliseconds.min, report->step_sum_milliseconds.max,
      report->wall_milliseconds.median);
  ImGui::PopTextWrapPos();
  greyed("Click a column header to sort. GFLOP/s is '-' for steps without multiply-adds.");
  if (app.platform().web && !app.platform().cross_origin_isolated) {
    // Browsers coarsen their clock to 0.1 ms on pages that are not cross-origin isolated.
    greyed(
        "This page is not cross-origin isolated, so the browser's clock ticks every 0.1 ms: "
        "each step's time per run is rounded to that; more runs average it out.");
  }
  const float op_rows = static_cast<float>(std::min<size_t>(report->op_types.size(), 10));
  draw_op_type_table(performance, *report,
                     (op_rows + 1.5f) * ImGui::GetTextLineHeightWithSpacing());
  draw_node_table(performance, *report);
}

}  // namespace

void draw_performance_tab(App& app) {
  // The same window as draw_workspace_tabs: ImGui appends to a window begun again this frame.
  ImGui::Begin("Workspace");
  Workbench& workbench = app.workbench();
  ImGui::SameLine();
  const bool active = workbench.mode == WorkspaceMode::kPerformance;
  if (active) {
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  }
  if (ImGui::Button("Performance")) workbench.mode = WorkspaceMode::kPerformance;
  if (active) ImGui::PopStyleColor();
  const ProfileSession& session = workbench.performance.profile;
  if (session.running()) {
    ImGui::SameLine();
    ImGui::TextColored(kWarning, "profiling %d/%d", session.runs_done(), session.runs_requested());
  }
  ImGui::End();
}

void draw_performance_panel(App& app, const PanelRect& rect) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::Begin("Performance", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoBringToFrontOnFocus);
  ++app.workbench().performance.panel_frames;
  greyed(
      "Where the time goes: each photo's stages with the active model and backend, and a "
      "per-operator profile of Sightline's engine on the selected photo.");
  const ModelEntry* model = app.active_model();
  ImGui::Text("Backend %s | model %s | kernels %s",
              app.backend() == BackendKind::kOnnxRuntime ? "ONNX Runtime Web" : "Sightline engine",
              model ? model->card.name.c_str() : "(none)", active_kernel_description(app).c_str());
  ImGui::Separator();
  draw_stage_timings(app);
  ImGui::Separator();
  ImGui::TextUnformatted("Per-operator profile");
  draw_profile_controls(app);
  if (app.backend() == BackendKind::kSightline) draw_profile_report(app);
  ImGui::End();
}

}  // namespace sightline::app
