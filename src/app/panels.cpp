// The fixed panels around the canvas: controls (models, backend, sliders, class filter),
// details (detections table, labels and log tabs), the status bar, the error banner, and App::draw,
// which lays them all out on the window and then steps the Compare panel's work.
#include <algorithm>
#include <map>

#include "app/label_editor.h"
#include "app/ui.h"
#include "app/workbench.h"

namespace sightline::app {
namespace {

constexpr ImGuiWindowFlags kPanelFlags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                         ImGuiWindowFlags_NoCollapse |
                                         ImGuiWindowFlags_NoBringToFrontOnFocus;

void begin_panel(const char* title, const PanelRect& rect, ImGuiWindowFlags extra = 0) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::Begin(title, nullptr, kPanelFlags | extra);
}

// A greyed hint that wraps at the panel's edge.
void hint(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void draw_model_list(App& app) {
  ImGui::TextUnformatted("Model");
  for (const auto& model : app.models()) {
    ImGui::PushID(model->id);
    std::string label = model->card.name;
    if (!model->unavailable_reason.empty()) {
      label += " (file missing)";
    } else if (!model->engine_supported) {
      label += " (ONNX Runtime only)";
    } else if (!model->guess_note.empty()) {
      label += " (guessed card)";
    }
    ImGui::BeginDisabled(!model->usable());
    if (ImGui::Selectable(label.c_str(), model->id == app.active_model_id())) {
      app.set_active_model(model->id);
    }
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::BeginTooltip();
      ImGui::Text("decoder %s, input %dx%d", decoder_kind_name(model->card.decoder),
                  model->card.input_width, model->card.input_height);
      ImGui::Text("%zu classes, licence %s", model->card.class_names.size(),
                  model->card.license.empty() ? "unknown" : model->card.license.c_str());
      if (!model->unavailable_reason.empty())
        ImGui::TextUnformatted(model->unavailable_reason.c_str());
      if (!model->engine_error.empty()) ImGui::TextUnformatted(model->engine_error.c_str());
      ImGui::EndTooltip();
    }
    ImGui::PopID();
  }
  if (const ModelEntry* model = app.active_model(); model && !model->guess_note.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.4f, 1.0f), "%s", model->guess_note.c_str());
    ImGui::PopTextWrapPos();
  }
  hint("Drop an .onnx (with its card .json) to add one.");
}

void draw_backend_choice(App& app) {
  ImGui::TextUnformatted("Backend");
  const ModelEntry* model = app.active_model();
  ImGui::BeginDisabled(model && !model->engine_supported);
  if (ImGui::RadioButton("Sightline engine", app.backend() == BackendKind::kSightline)) {
    app.set_backend(BackendKind::kSightline);
  }
  ImGui::EndDisabled();
  ImGui::BeginDisabled(!app.onnxruntime_available());
  if (ImGui::RadioButton("ONNX Runtime Web", app.backend() == BackendKind::kOnnxRuntime)) {
    app.set_backend(BackendKind::kOnnxRuntime);
  }
  ImGui::EndDisabled();
  if (!app.onnxruntime_available()) {
    hint("ONNX Runtime Web is in the web build only.");
  } else {
    hint("Loaded on first use (about 15 MB).");
  }
}

void draw_sliders(App& app) {
  ImGui::TextUnformatted("Post-processing");
  PostprocessOptions& options = app.options();
  ImGui::SliderFloat("confidence", &options.confidence, 0.01f, 1.0f, "%.2f");
  ImGui::SliderFloat("IoU", &options.iou, 0.05f, 1.0f, "%.2f");
  hint("Sliders re-run post-processing only.");
}

void draw_class_filter(App& app) {
  ImGui::TextUnformatted("Classes");
  std::vector<bool>& hidden = app.hidden_classes();
  if (ImGui::SmallButton("Show all")) std::fill(hidden.begin(), hidden.end(), false);
  ImGui::SameLine();
  if (ImGui::SmallButton("Hide all")) std::fill(hidden.begin(), hidden.end(), true);

  const ModelEntry* model = app.active_model();
  const GalleryImage* image = app.selected_image();
  if (!model) return;
  // Classes found in this photo, plus any hidden ones so they can be shown again.
  std::map<int, int> counts;
  if (image) {
    for (const Detection& d : image->detections)
      ++counts[d.class_id];
  }
  for (size_t id = 0; id < hidden.size(); ++id) {
    if (hidden[id]) counts.emplace(static_cast<int>(id), 0);
  }
  if (counts.empty()) hint("No detections to filter.");
  for (const auto& [class_id, count] : counts) {
    if (class_id < 0 || class_id >= static_cast<int>(hidden.size())) continue;
    bool shown = !hidden[class_id];
    ImGui::PushID(class_id);
    ImGui::ColorButton("##colour", ImGui::ColorConvertU32ToFloat4(class_colour(class_id)),
                       ImGuiColorEditFlags_NoTooltip, ImVec2(12, 12));
    ImGui::SameLine();
    const std::string label =
        class_label(model->card, class_id) + " (" + std::to_string(count) + ")";
    if (ImGui::Checkbox(label.c_str(), &shown)) hidden[class_id] = !shown;
    ImGui::PopID();
  }
}

void draw_detections_table(App& app) {
  const GalleryImage* image = app.selected_image();
  const ModelEntry* model = app.active_model();
  if (!image || !model) {
    hint("No photo selected.");
    return;
  }
  if (!image->error.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", image->error.c_str());
    ImGui::PopTextWrapPos();
  }
  if (std::optional<BackendAgreement> agreement = app.compare_backends(*image)) {
    const bool agree = agreement->sightline_count == agreement->onnxruntime_count &&
                       agreement->paired == agreement->sightline_count;
    ImGui::PushStyleColor(ImGuiCol_Text,
                          agree ? ImVec4(0.5f, 0.9f, 0.5f, 1.0f) : ImVec4(1.0f, 0.8f, 0.3f, 1.0f));
    ImGui::TextWrapped("Backends: %d vs %d boxes, %d paired, max difference %.2f px",
                       agreement->sightline_count, agreement->onnxruntime_count, agreement->paired,
                       agreement->max_corner_difference);
    ImGui::PopStyleColor();
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("detections", 4, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 24);
  ImGui::TableSetupColumn("class");
  ImGui::TableSetupColumn("score", ImGuiTableColumnFlags_WidthFixed, 44);
  ImGui::TableSetupColumn("box x1,y1,x2,y2");
  ImGui::TableHeadersRow();
  for (size_t i = 0; i < image->detections.size(); ++i) {
    const Detection& d = image->detections[i];
    if (app.class_hidden(d.class_id)) continue;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushID(static_cast<int>(i));
    ImGui::Selectable(std::to_string(i).c_str(), app.hovered_detection() == static_cast<int>(i),
                      ImGuiSelectableFlags_SpanAllColumns);
    if (ImGui::IsItemHovered()) app.hovered_detection() = static_cast<int>(i);
    ImGui::PopID();
    ImGui::TableNextColumn();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(class_colour(d.class_id)), "%s",
                       class_label(model->card, d.class_id).c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", d.score);
    ImGui::TableNextColumn();
    ImGui::Text("%.0f,%.0f,%.0f,%.0f", d.x1, d.y1, d.x2, d.y2);
  }
  ImGui::EndTable();
}

void draw_log(App& app) {
  if (ImGui::SmallButton("Clear")) app.log().clear();
  ImGui::BeginChild("log_lines", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  for (const LogEntry& entry : app.log().snapshot()) {
    ImVec4 colour(0.85f, 0.85f, 0.85f, 1.0f);
    if (entry.level == LogLevel::kWarning) colour = ImVec4(1.0f, 0.8f, 0.3f, 1.0f);
    if (entry.level == LogLevel::kError) colour = ImVec4(1.0f, 0.45f, 0.4f, 1.0f);
    if (entry.level == LogLevel::kDebug) colour = ImVec4(0.6f, 0.6f, 0.6f, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::Text("%s: %s", entry.origin.c_str(), entry.text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
  // Follow new lines unless the user scrolled up to read.
  if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 20) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
}

void draw_error_banner(App& app, const PanelRect& canvas) {
  if (app.errors().empty()) return;
  ImGui::SetNextWindowPos(ImVec2(canvas.position.x + 8, canvas.position.y + 40));
  ImGui::SetNextWindowSize(ImVec2(canvas.size.x - 16, 0));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.45f, 0.08f, 0.08f, 0.94f));
  ImGui::Begin("Errors", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing);
  ImGui::PushTextWrapPos(canvas.size.x - 40);
  for (const std::string& message : app.errors())
    ImGui::TextUnformatted(message.c_str());
  ImGui::PopTextWrapPos();
  if (ImGui::SmallButton("Dismiss")) app.dismiss_errors();
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace

void draw_control_panel(App& app, const PanelRect& rect) {
  begin_panel("Sightline", rect);
  draw_model_list(app);
  ImGui::Separator();
  draw_backend_choice(app);
  ImGui::Separator();
  draw_sliders(app);
  ImGui::Separator();
  draw_class_filter(app);
  ImGui::End();
}

void draw_details_panel(App& app, const PanelRect& rect) {
  begin_panel("Details", rect);
  if (ImGui::BeginTabBar("details_tabs")) {
    if (ImGui::BeginTabItem("Detections")) {
      draw_detections_table(app);
      ImGui::EndTabItem();
    }
    LabelEditorState& editor = app.label_editor();
    const ImGuiTabItemFlags labels_flags = editor.show_tab ? ImGuiTabItemFlags_SetSelected : 0;
    editor.show_tab = false;
    if (ImGui::BeginTabItem("Labels", nullptr, labels_flags)) {
      draw_labels_tab(app);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Log")) {
      draw_log(app);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

void draw_status_bar(App& app, const PanelRect& rect) {
  begin_panel("Status", rect, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
  const PlatformInfo& platform = app.platform();
  ImGui::Text("backend %s | %d thread%s (%s build) | SIMD: %s", backend_name(app.backend()),
              platform.threads, platform.threads == 1 ? "" : "s", platform.variant.c_str(),
              platform.simd.c_str());
  if (platform.web) {
    ImGui::SameLine();
    ImGui::Text("| cross-origin isolated: %s", platform.cross_origin_isolated ? "yes" : "no");
  }
  const GalleryImage* image = app.selected_image();
  if (image && image->shown_raw) {
    ImGui::SameLine();
    ImGui::Text("| decode %.1f ms, preprocess %.1f ms, inference %.1f ms, postprocess %.2f ms",
                image->decode_ms, image->shown_raw->preprocess_ms, image->shown_raw->inference_ms,
                image->postprocess_ms);
  }
  if (app.busy_jobs() > 0) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.3f, 1.0f), "| working (%d)", app.busy_jobs());
  }
  if (!platform.note.empty()) {
    ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.3f, 1.0f), "%s", platform.note.c_str());
  }
  ImGui::End();
}

void App::draw() {
  static CanvasView canvas_view;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float status_height = platform_.note.empty() ? 30.0f : 48.0f;
  const float side_width = std::min(300.0f, display.x * 0.25f);
  const float details_width = std::min(340.0f, display.x * 0.28f);
  const float gallery_height = std::min(130.0f, display.y * 0.2f);
  const float middle_width = std::max(50.0f, display.x - side_width - details_width);
  const float body_height = std::max(50.0f, display.y - status_height);

  hovered_detection_ = -1;
  // The middle column: workspace tabs, then the canvas and gallery or a workbench panel.
  const float tabs_height = 32.0f;
  const PanelRect canvas{
      ImVec2(side_width, tabs_height),
      ImVec2(middle_width, std::max(20.0f, body_height - gallery_height - tabs_height))};
  const PanelRect workbench_rect{ImVec2(side_width, tabs_height),
                                 ImVec2(middle_width, std::max(20.0f, body_height - tabs_height))};
  draw_control_panel(*this, {ImVec2(0, 0), ImVec2(side_width, body_height)});
  draw_details_panel(*this,
                     {ImVec2(side_width + middle_width, 0), ImVec2(details_width, body_height)});
  draw_workspace_tabs(*this, {ImVec2(side_width, 0), ImVec2(middle_width, tabs_height)});
  draw_compare_tab(*this);
  draw_performance_tab(*this);
  switch (workbench_->mode) {
    case WorkspaceMode::kPhotos:
      draw_canvas(*this, canvas_view, canvas);
      draw_gallery(*this, {ImVec2(side_width, tabs_height + canvas.size.y),
                           ImVec2(middle_width, gallery_height)});
      break;
    case WorkspaceMode::kEvaluate:
      draw_evaluate_panel(*this, workbench_rect);
      break;
    case WorkspaceMode::kRuns:
      draw_runs_panel(*this, workbench_rect);
      break;
    case WorkspaceMode::kMonitor:
      draw_monitor_panel(*this, workbench_rect);
      break;
    case WorkspaceMode::kCompare:
      draw_compare_panel(*this, workbench_rect);
      break;
    case WorkspaceMode::kPerformance:
      draw_performance_panel(*this, workbench_rect);
      break;
  }
  draw_status_bar(*this, {ImVec2(0, body_height), ImVec2(display.x, status_height)});
  draw_error_banner(*this, canvas);
  // The comparison's one inference per frame (run_pending_work, in app.cpp, steps the other
  // workbench panels; step_compare runs at most once per frame whoever calls it).
  step_compare(*this, ImGui::GetFrameCount());
}

}  // namespace sightline::app
