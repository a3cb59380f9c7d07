// The Runs panel: every evaluation in the ledger (newest first), and two runs chosen as A and B
// compared metric by metric, with their settings, side by side. Also the workspace tabs that
// switch the middle of the window between the photo canvas and the workbench panels.
#include <cstdio>
#include <filesystem>

#include "app/ui.h"
#include "app/workbench.h"

namespace sightline::app {
namespace {

const eval::RunRecord* find_run_by_id(const eval::Ledger& ledger, const std::string& id) {
  for (const eval::RunRecord& run : ledger.runs) {
    if (run.id == id) return &run;
  }
  return nullptr;
}

void metric_text(double value) {
  if (value < 0) {
    ImGui::TextDisabled("-");
  } else {
    ImGui::Text("%.4f", value);
  }
}

void draw_run_list(RunsState& runs) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("runs", 8, flags, ImVec2(0, 240))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("A/B", ImGuiTableColumnFlags_WidthFixed, 60);
  for (const char* name : {"id", "date", "model", "backend", "AP", "AP50", "dataset"})
    ImGui::TableSetupColumn(name);
  ImGui::TableHeadersRow();
  for (auto run = runs.ledger.runs.rbegin(); run != runs.ledger.runs.rend(); ++run) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushID(run->id.c_str());
    if (ImGui::RadioButton("##a", runs.first_id == run->id)) runs.first_id = run->id;
    ImGui::SameLine();
    if (ImGui::RadioButton("##b", runs.second_id == run->id)) runs.second_id = run->id;
    ImGui::PopID();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(run->id.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(run->date.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(run->model.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(run->backend.c_str());
    ImGui::TableNextColumn();
    metric_text(run->stats[0]);
    ImGui::TableNextColumn();
    metric_text(run->stats[1]);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(std::filesystem::path(run->dataset).filename().string().c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", run->dataset.c_str());
  }
  ImGui::EndTable();
}

void setting_row(const char* name, const std::string& a, const std::string& b) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(name);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(a.c_str());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(b.c_str());
  ImGui::TableNextColumn();
  if (a != b) ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.3f, 1.0f), "differs");
}

std::string number_text(double value, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

void draw_comparison(const eval::RunRecord& a, const eval::RunRecord& b) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders;
  if (!ImGui::BeginTable("comparison", 4, flags)) return;
  ImGui::TableSetupColumn("");
  ImGui::TableSetupColumn(("A " + a.id).c_str());
  ImGui::TableSetupColumn(("B " + b.id).c_str());
  ImGui::TableSetupColumn("B - A");
  ImGui::TableHeadersRow();
  setting_row("date", a.date, b.date);
  setting_row("model", a.model, b.model);
  setting_row("model sha256", a.model_sha256.substr(0, 16), b.model_sha256.substr(0, 16));
  setting_row("dataset fingerprint", a.dataset_fingerprint, b.dataset_fingerprint);
  setting_row("backend", a.backend, b.backend);
  setting_row("confidence", number_text(a.confidence, "%.4f"), number_text(b.confidence, "%.4f"));
  setting_row("NMS IoU", number_text(a.iou, "%.2f"), number_text(b.iou, "%.2f"));
  setting_row("max detections", std::to_string(a.max_detections), std::to_string(b.max_detections));
  setting_row("photos / objects", std::to_string(a.images) + " / " + std::to_string(a.objects),
              std::to_string(b.images) + " / " + std::to_string(b.objects));
  for (int m = 0; m < eval::kMetricCount; ++m) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(eval::metric_name(m));
    ImGui::TableNextColumn();
    metric_text(a.stats[m]);
    ImGui::TableNextColumn();
    metric_text(b.stats[m]);
    ImGui::TableNextColumn();
    if (a.stats[m] >= 0 && b.stats[m] >= 0) {
      const double difference = b.stats[m] - a.stats[m];
      const ImVec4 colour = difference > 0   ? ImVec4(0.5f, 0.9f, 0.5f, 1.0f)
                            : difference < 0 ? ImVec4(1.0f, 0.5f, 0.45f, 1.0f)
                                             : ImVec4(0.8f, 0.8f, 0.8f, 1.0f);
      ImGui::TextColored(colour, "%+.4f", difference);
    }
  }
  ImGui::EndTable();
}

}  // namespace

void refresh_runs(Workbench& workbench) {
  RunsState& runs = workbench.runs;
  if (!runs.stale) return;
  runs.stale = false;
  Result<eval::Ledger> ledger = eval::read_ledger(workbench.ledger_path);
  if (!ledger) {
    runs.error = ledger.message();
    return;
  }
  runs.error.clear();
  runs.ledger = std::move(*ledger);
  const size_t count = runs.ledger.runs.size();
  if (count >= 1 && !find_run_by_id(runs.ledger, runs.second_id))
    runs.second_id = runs.ledger.runs[count - 1].id;
  if (count >= 2 && !find_run_by_id(runs.ledger, runs.first_id))
    runs.first_id = runs.ledger.runs[count - 2].id;
}

void draw_runs_panel(App& app, const PanelRect& rect) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::Begin("Runs", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoBringToFrontOnFocus);
  Workbench& workbench = app.workbench();
  refresh_runs(workbench);
  RunsState& runs = workbench.runs;
  ImGui::Text("Ledger: %s (%zu runs)", workbench.ledger_path.c_str(), runs.ledger.runs.size());
  ImGui::SameLine();
  if (ImGui::SmallButton("Reload")) runs.stale = true;
  if (app.platform().web) {
    ImGui::TextDisabled("Kept in this browser's IndexedDB; it survives a page reload.");
  }
  if (!runs.error.empty()) {
    ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", runs.error.c_str());
  }
  for (const eval::CorruptLine& line : runs.ledger.corrupt) {
    ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.3f, 1.0f), "line %d is unreadable (%s); kept as it is",
                       line.line_number, line.problem.c_str());
  }
  if (runs.ledger.runs.empty()) {
    ImGui::TextDisabled("No runs yet: evaluate a dataset in the Evaluate tab.");
    ImGui::End();
    return;
  }
  ImGui::TextDisabled("Choose run A (left button) and run B (right button) to compare them.");
  draw_run_list(runs);
  const eval::RunRecord* a = find_run_by_id(runs.ledger, runs.first_id);
  const eval::RunRecord* b = find_run_by_id(runs.ledger, runs.second_id);
  ImGui::Separator();
  if (a && b) {
    draw_comparison(*a, *b);
  } else {
    ImGui::TextDisabled("Pick two runs to compare.");
  }
  ImGui::End();
}

void draw_workspace_tabs(App& app, const PanelRect& rect) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::Begin("Workspace", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  Workbench& workbench = app.workbench();
  const struct {
    const char* label;
    WorkspaceMode mode;
  } tabs[] = {{"Photos", WorkspaceMode::kPhotos},
              {"Evaluate", WorkspaceMode::kEvaluate},
              {"Runs", WorkspaceMode::kRuns},
              {"Monitor", WorkspaceMode::kMonitor}};
  for (const auto& tab : tabs) {
    if (tab.mode != WorkspaceMode::kPhotos) ImGui::SameLine();
    const bool active = workbench.mode == tab.mode;
    if (active)
      ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(tab.label)) {
      workbench.mode = tab.mode;
      if (tab.mode == WorkspaceMode::kRuns) workbench.runs.stale = true;
    }
    if (active) ImGui::PopStyleColor();
  }
  const EvaluationSession& session = workbench.evaluation;
  if (session.phase == EvaluationPhase::kRunning) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.3f, 1.0f), "evaluating %zu/%zu", session.next_image,
                       session.dataset.images.size());
  }
  ImGui::End();
}

}  // namespace sightline::app
