// The Compare panel: the primary (the active model, backend and thresholds), the candidate
// picker (another model, the other backend, other thresholds, another input size where the
// model allows it), progress, the totals, the photos most disagreement first, a preview of
// the chosen photo with both sides' boxes, and Promote.
#include <algorithm>
#include <cstdio>

#include "app/compare_view.h"
#include "app/ui.h"
#include "app/workbench.h"

namespace sightline::app {
namespace {

const ImVec4 kWarning(1.0f, 0.8f, 0.3f, 1.0f);
const ImVec4 kGood(0.5f, 0.9f, 0.5f, 1.0f);

void greyed(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

ModelEntry* find_model(App& app, int model_id) {
  for (auto& model : app.models()) {
    if (model->id == model_id) return model.get();
  }
  return nullptr;
}

void draw_candidate_model(App& app, CompareSide& choice) {
  ModelEntry* chosen = find_model(app, choice.model_id);
  ImGui::SetNextItemWidth(220);
  if (ImGui::BeginCombo("model", chosen ? chosen->card.name.c_str() : "(pick one)")) {
    for (const auto& model : app.models()) {
      if (!model->usable()) continue;
      std::string label = model->card.name;
      if (model->id == app.active_model_id()) label += " (primary)";
      if (ImGui::Selectable(label.c_str(), model->id == choice.model_id)) {
        choice.model_id = model->id;
        choice.model_name = model->card.name;
        choice.input_width = 0;
        choice.input_height = 0;
        if (!model->engine_supported) choice.backend = BackendKind::kOnnxRuntime;
      }
    }
    ImGui::EndCombo();
  }
}

void draw_candidate_backend(App& app, CompareSide& choice, const ModelEntry* model) {
  const bool onnxruntime = app.workbench().compare.onnxruntime != nullptr;
  ImGui::BeginDisabled(model && !model->engine_supported);
  if (ImGui::RadioButton("Sightline engine", choice.backend == BackendKind::kSightline)) {
    choice.backend = BackendKind::kSightline;
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!onnxruntime);
  if (ImGui::RadioButton("ONNX Runtime Web", choice.backend == BackendKind::kOnnxRuntime)) {
    choice.backend = BackendKind::kOnnxRuntime;
    choice.input_width = 0;
    choice.input_height = 0;
  }
  ImGui::EndDisabled();
  if (!onnxruntime) {
    ImGui::SameLine();
    ImGui::TextDisabled("(web build only)");
  }
}

// Input size: only a model exported with dynamic height and width can run at another size;
// the built-in models are fixed-size, so the field says why it is off.
void draw_candidate_size(CompareSide& choice, ModelEntry* model) {
  if (!model) return;
  // Our engine for the active model, else the ONNX Runtime Web card check (web only).
  Detector* shapes = model->engine ? model->engine.get() : model->onnxruntime.get();
  std::vector<int64_t> input_shape;
  if (shapes && !shapes->backend().inputs().empty()) {
    input_shape = shapes->backend().inputs()[0].shape;
  }
  const int probe = std::max(model->card.input_width, 32);
  const Status resizable = shapes ? check_input_size(input_shape, probe, probe, model->card.name)
                                  : make_error(model->card.name +
                                               ": input shape unknown until "
                                               "the model is active");
  int size[2] = {choice.input_width ? choice.input_width : model->card.input_width,
                 choice.input_height ? choice.input_height : model->card.input_height};
  ImGui::BeginDisabled(!resizable || choice.backend != BackendKind::kSightline);
  ImGui::SetNextItemWidth(140);
  if (ImGui::InputInt2("input size (w, h)", size)) {
    const bool card_size =
        size[0] == model->card.input_width && size[1] == model->card.input_height;
    choice.input_width = card_size ? 0 : size[0];
    choice.input_height = card_size ? 0 : size[1];
  }
  ImGui::EndDisabled();
  if (!resizable) greyed(("Input size: " + resizable.message()).c_str());
}

void draw_candidate_picker(App& app) {
  CompareState& compare = app.workbench().compare;
  CompareSide& choice = compare.choice;
  if (!compare.choice_ready || !find_model(app, choice.model_id)) {
    // First choice: another usable model if there is one, else the active one.
    const ModelEntry* pick = app.active_model();
    for (const auto& model : app.models()) {
      if (model->usable() && model->id != app.active_model_id()) {
        pick = model.get();
        break;
      }
    }
    if (!pick) return;
    choice = side_for_model(
        *pick, pick->engine_supported ? BackendKind::kSightline : BackendKind::kOnnxRuntime,
        app.options());
    compare.choice_ready = true;
  }
  ImGui::TextUnformatted("Candidate");
  ImGui::Indent();
  draw_candidate_model(app, choice);
  ModelEntry* model = find_model(app, choice.model_id);
  draw_candidate_backend(app, choice, model);
  ImGui::SetNextItemWidth(220);
  ImGui::SliderFloat("confidence", &choice.options.confidence, 0.01f, 1.0f, "%.2f");
  ImGui::SetNextItemWidth(220);
  ImGui::SliderFloat("NMS IoU", &choice.options.iou, 0.05f, 1.0f, "%.2f");
  draw_candidate_size(choice, model);
  ImGui::Unindent();
}

void draw_controls(App& app) {
  CompareState& compare = app.workbench().compare;
  CompareSession& session = compare.session;
  const int photos = static_cast<int>(app.images().size());
  char label[64];
  std::snprintf(label, sizeof label, "Compare on %d photo%s", photos, photos == 1 ? "" : "s");
  ImGui::BeginDisabled(photos == 0);
  if (ImGui::Button(label)) {
    if (Status started = start_comparison(app, compare.choice); !started) {
      app.report_error("compare: " + started.message());
    }
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(session.phase() == ComparePhase::kIdle);
  if (ImGui::Button("Promote candidate")) {
    if (Status promoted = promote_candidate(app); !promoted) {
      app.report_error("compare: " + promoted.message());
    }
  }
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip(
        "Makes the candidate the active model (backend, thresholds);\n"
        "the old primary becomes the candidate.");
  }
  ImGui::EndDisabled();
  if (session.busy()) {
    ImGui::SameLine();
    if (ImGui::Button("Stop")) session.stop();
    ImGui::SameLine();
    ImGui::TextColored(kWarning, "comparing %d/%d", session.photos_finished(),
                       session.photos_total());
  }
  if (!compare.message.empty()) greyed(compare.message.c_str());
}

// With labels: both models evaluated on the Evaluate panel's dataset, two ledger runs.
void draw_dataset_comparison(App& app) {
  Workbench& workbench = app.workbench();
  DatasetComparison& plan = workbench.compare.dataset;
  const EvaluationSession& evaluation = workbench.evaluation;
  const bool running =
      plan.phase == DatasetComparePhase::kPrimary || plan.phase == DatasetComparePhase::kCandidate;
  const bool has_dataset = !evaluation.dataset_path.empty() && !evaluation.dataset.images.empty();
  char label[96];
  std::snprintf(label, sizeof label, "Evaluate both on the dataset (%zu photos)",
                evaluation.dataset.images.size());
  ImGui::BeginDisabled(!has_dataset || running || evaluation.phase == EvaluationPhase::kRunning);
  if (ImGui::Button(has_dataset ? label : "Evaluate both on a dataset")) {
    if (Status started = start_dataset_comparison(app, workbench.compare.choice.model_id);
        !started) {
      app.report_error("compare: " + started.message());
    }
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (!has_dataset) {
    ImGui::TextDisabled("(drop a labelled dataset first)");
  } else if (running) {
    ImGui::TextColored(kWarning, "%s: %zu/%zu", dataset_compare_phase_name(plan.phase),
                       evaluation.next_image, evaluation.dataset.images.size());
  }
  greyed(
      "With labels: the active model and the candidate model (Sightline engine, the card's "
      "input size, the Evaluate tab's thresholds) are evaluated one after the other on the "
      "dataset the Evaluate tab read; both runs go to the ledger and open side by side in "
      "the Runs tab. The command line does the same: sightline compare DATASET --model A "
      "--candidate B.");
  if (!plan.message.empty()) greyed(plan.message.c_str());
}

void draw_totals(const CompareSession& session) {
  const monitor::ShadowSummary& s = session.summary();
  ImGui::Text("Primary:   %s", describe_side(session.primary()).c_str());
  ImGui::Text("Candidate: %s", describe_side(session.candidate()).c_str());
  ImGui::TextColored(s.agreement >= 0.999 ? kGood : kWarning,
                     "Agreement %.3f (F1 over all boxes), mean per photo %.3f, %d of %d photos "
                     "in full agreement",
                     s.agreement, s.mean_photo_agreement, s.photos_in_full_agreement, s.photos);
  ImGui::Text(
      "Boxes: primary %d, candidate %d, matched %d, only primary %d, only candidate %d;"
      " mean |score difference| %.3f",
      s.primary_boxes, s.candidate_boxes, s.matched, s.primary_boxes - s.matched,
      s.candidate_boxes - s.matched, s.mean_abs_score_difference);
  ImGui::Text("Inference ms, median (mean): primary %.1f (%.1f), candidate %.1f (%.1f)",
              s.primary_latency.median.inference_ms, s.primary_latency.mean.inference_ms,
              s.candidate_latency.median.inference_ms, s.candidate_latency.mean.inference_ms);
  for (const ComparePhoto& photo : session.photos()) {
    if (!photo.error.empty()) {
      ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s: %s", photo.name.c_str(),
                         photo.error.c_str());
    }
  }
}

void draw_photo_table(App& app, float height) {
  CompareState& compare = app.workbench().compare;
  const CompareSession& session = compare.session;
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("compare_photos", 8, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const char* name : {"photo (most disagreement first)", "agreement", "matched", "only P",
                           "only C", "|score diff|", "P ms", "C ms"})
    ImGui::TableSetupColumn(name);
  ImGui::TableHeadersRow();
  const std::vector<monitor::ShadowPhoto>& compared = session.compared();
  for (int rank : session.summary().most_disagreement_first) {
    const monitor::ShadowPhoto& shadow = compared[rank];
    const int image_id = session.photos()[session.compared_photo_index()[rank]].image_id;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushID(image_id);
    if (ImGui::Selectable(
            shadow.name.c_str(), compare.shown_image == image_id,
            ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
      compare.shown_image = image_id;
      app.select_image(image_id);
      if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        app.workbench().mode = WorkspaceMode::kPhotos;
      }
    }
    ImGui::PopID();
    ImGui::TableNextColumn();
    ImGui::TextColored(shadow.agreement >= 0.999 ? kGood : kWarning, "%.3f", shadow.agreement);
    ImGui::TableNextColumn();
    ImGui::Text("%zu", shadow.matches.size());
    ImGui::TableNextColumn();
    ImGui::Text("%zu", shadow.only_primary.size());
    ImGui::TableNextColumn();
    ImGui::Text("%zu", shadow.only_candidate.size());
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", shadow.mean_abs_score_difference);
    ImGui::TableNextColumn();
    ImGui::Text("%.1f", shadow.primary_timings.inference_ms);
    ImGui::TableNextColumn();
    ImGui::Text("%.1f", shadow.candidate_timings.inference_ms);
  }
  ImGui::EndTable();
}

void draw_preview(App& app, ImVec2 size) {
  CompareState& compare = app.workbench().compare;
  GalleryImage* shown = nullptr;
  for (auto& image : app.images()) {
    if (image->id == compare.shown_image) shown = image.get();
  }
  // Until a row is clicked, the photo with the most disagreement.
  const CompareSession& session = compare.session;
  if (!shown && !session.summary().most_disagreement_first.empty()) {
    const int rank = session.summary().most_disagreement_first.front();
    const int image_id = session.photos()[session.compared_photo_index()[rank]].image_id;
    for (auto& image : app.images()) {
      if (image->id == image_id) shown = image.get();
    }
  }
  if (!shown) return;
  ImGui::Text("%s (click a row to show another; double-click opens it in Photos)",
              shown->name.c_str());
  draw_compare_preview(app, *shown, ImVec2(size.x, std::max(40.0f, size.y - 24)));
}

}  // namespace

void draw_compare_tab(App& app) {
  // The same window as draw_workspace_tabs: ImGui appends to a window begun again this frame.
  ImGui::Begin("Workspace");
  Workbench& workbench = app.workbench();
  ImGui::SameLine();
  const bool active = workbench.mode == WorkspaceMode::kCompare;
  if (active) {
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  }
  if (ImGui::Button("Compare")) workbench.mode = WorkspaceMode::kCompare;
  if (active) ImGui::PopStyleColor();
  const CompareSession& session = workbench.compare.session;
  if (session.busy()) {
    ImGui::SameLine();
    ImGui::TextColored(kWarning, "comparing %d/%d", session.photos_finished(),
                       session.photos_total());
  }
  ImGui::End();
}

void draw_compare_panel(App& app, const PanelRect& rect) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::Begin("Compare", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoBringToFrontOnFocus);
  greyed(
      "Runs the primary (the active model, backend and thresholds of the left panel) and a "
      "candidate on every gallery photo, one inference per frame, and matches their boxes "
      "(same class, IoU >= 0.5). Agreement is the F1 of that matching.");
  if (app.active_model()) {
    ImGui::Text("Primary: %s", describe_side(primary_side(app)).c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("(change it in the left panel)");
  } else {
    ImGui::TextDisabled("No active model.");
  }
  draw_candidate_picker(app);
  draw_controls(app);
  draw_dataset_comparison(app);

  const CompareSession& session = app.workbench().compare.session;
  if (session.compared().empty()) {
    if (app.images().empty()) greyed("No photos yet: drop photos in the Photos tab first.");
    ImGui::End();
    return;
  }
  ImGui::Separator();
  draw_totals(session);
  const ImVec2 available = ImGui::GetContentRegionAvail();
  const float table_height = std::min(
      available.y * 0.4f, ImGui::GetTextLineHeightWithSpacing() * (session.compared().size() + 2));
  draw_photo_table(app, std::max(60.0f, table_height));
  draw_preview(app, ImGui::GetContentRegionAvail());
  ImGui::End();
}

}  // namespace sightline::app
