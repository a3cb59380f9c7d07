// The Evaluate panel: the dataset rule and settings, a progress bar while the model runs, then
// the twelve COCO metrics, per-class AP with PR curves, the confusion-matrix heat map, the error
// gallery (a click shows the photo with ground truth and the prediction in different styles),
// slice tables and the validation issues.
#include <algorithm>
#include <cstdio>
#include <map>

#include "app/ui.h"
#include "app/workbench.h"
#include "core/model_store.h"

namespace sightline::app {
namespace {

constexpr ImU32 kTruthColour = IM_COL32(80, 230, 120, 255);
constexpr ImU32 kPredictionColour = IM_COL32(255, 90, 70, 255);
constexpr ImU32 kOtherTruthColour = IM_COL32(80, 230, 120, 110);

const ImGuiTableFlags kTableFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                    ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;

void hint(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

// A metric cell: "-" where COCO leaves it undefined (-1).
void metric_cell(double value) {
  if (value < 0) {
    ImGui::TextDisabled("-");
  } else {
    ImGui::Text("%.4f", value);
  }
}

std::string category_name(const eval::Dataset& dataset, int64_t category_id) {
  for (const eval::Category& category : dataset.categories) {
    if (category.id == category_id) return category.name;
  }
  return std::to_string(category_id);
}

const eval::DatasetImage* find_dataset_image(const eval::Dataset& dataset, int64_t image_id) {
  for (const eval::DatasetImage& image : dataset.images) {
    if (image.id == image_id) return &image;
  }
  return nullptr;
}

void draw_settings(Workbench& workbench) {
  hint(
      "Drop a labelled set here: photos with YOLO <stem>.txt labels and classes.txt (or a "
      "*.names file), or a COCO .json holding \"annotations\" with its photos. Files dropped "
      "together with one of those form the dataset; the active model is evaluated on it.");
  EvaluationSettingsUi& settings = workbench.settings;
  ImGui::PushItemWidth(110);
  ImGui::InputFloat("confidence##eval", &settings.confidence, 0, 0, "%.4f");
  ImGui::SameLine();
  ImGui::InputFloat("NMS IoU##eval", &settings.iou, 0, 0, "%.2f");
  ImGui::SameLine();
  ImGui::InputInt("max detections##eval", &settings.max_detections, 0);
  ImGui::PopItemWidth();
  settings.confidence = std::clamp(settings.confidence, 0.0f, 1.0f);
  settings.iou = std::clamp(settings.iou, 0.0f, 1.0f);
  settings.max_detections = std::clamp(settings.max_detections, 1, 10000);
}

void draw_progress(App& app, EvaluationSession& session) {
  const char* phase = evaluation_phase_name(session.phase);
  ImGui::Text("Dataset: %s | model %s | %s", session.dataset_path.c_str(),
              session.model_name.c_str(), phase);
  if (!session.fatal.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", session.fatal.c_str());
    ImGui::PopTextWrapPos();
  }
  const size_t total = session.dataset.images.size();
  if (session.phase == EvaluationPhase::kRunning && total > 0) {
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%zu / %zu photos", session.next_image, total);
    ImGui::ProgressBar(static_cast<float>(session.next_image) / total, ImVec2(-1, 0), overlay);
    if (ImGui::SmallButton("Cancel")) {
      session.phase = EvaluationPhase::kFailed;
      session.fatal = "cancelled after " + std::to_string(session.next_image) + " photos";
    }
  }
  if (session.phase == EvaluationPhase::kDone) {
    ImGui::Text(
        "%d photos run in %.2f s (%.1f ms per photo); %s", session.outcome.images_run,
        session.seconds,
        session.outcome.images_run ? 1000.0 * session.seconds / session.outcome.images_run : 0.0,
        session.run_id.empty() ? "not recorded"
                               : ("run " + session.run_id + " in the ledger").c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Evaluate again")) {
      start_evaluation(app, session.dataset_path, session.folder);
    }
  }
}

void draw_validation(const EvaluationSession& session) {
  const eval::ValidationReport& validation = session.validation;
  ImGui::TextWrapped("%s", eval::validation_summary(validation).c_str());
  if (validation.issues.empty()) return;
  char title[64];
  std::snprintf(title, sizeof title, "Validation issues (%zu)###issues", validation.issues.size());
  if (!ImGui::CollapsingHeader(title)) return;
  const float height = std::min(200.0f, 24.0f + 20.0f * validation.issues.size());
  if (!ImGui::BeginTable("issues", 3, kTableFlags | ImGuiTableFlags_Resizable, ImVec2(0, height)))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("severity", ImGuiTableColumnFlags_WidthFixed, 60);
  ImGui::TableSetupColumn("where");
  ImGui::TableSetupColumn("rule broken");
  ImGui::TableHeadersRow();
  for (const eval::ValidationIssue& issue : validation.issues) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const ImVec4 colour = issue.severity == eval::Severity::kError ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f)
                          : issue.severity == eval::Severity::kWarning
                              ? ImVec4(1.0f, 0.8f, 0.3f, 1.0f)
                              : ImVec4(0.7f, 0.7f, 0.7f, 1.0f);
    ImGui::TextColored(colour, "%s", eval::severity_name(issue.severity));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(issue.location.c_str());
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", issue.rule.c_str());
  }
  ImGui::EndTable();
}

void draw_metrics(const eval::EvaluationReport& report) {
  if (!ImGui::BeginTable("metrics", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit))
    return;
  for (int m = 0; m < eval::kMetricCount; ++m) {
    if (m % 3 == 0) ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(eval::metric_name(m));
    ImGui::TableNextColumn();
    metric_cell(report.coco.stats[m]);
  }
  ImGui::EndTable();
  ImGui::Text("%d photos, %d objects (+%d crowd), %d detections", report.images,
              report.ground_truth, report.crowd, report.detections);
}

void draw_pr_curve(const std::vector<double>& precision, const char* label, ImVec2 size) {
  float values[eval::kRecallPointCount];
  const int count = std::min<int>(static_cast<int>(precision.size()), eval::kRecallPointCount);
  // Recall points where no precision was reached are -1 in COCO; plotted as 0.
  for (int i = 0; i < count; ++i)
    values[i] = static_cast<float>(std::max(0.0, precision[i]));
  ImGui::PlotLines(label, values, count, 0, nullptr, 0.0f, 1.0f, size);
}

void draw_per_class(EvaluationSession& session) {
  const eval::EvaluationReport& report = *session.report;
  if (!ImGui::BeginTable("per_class", 8, kTableFlags, ImVec2(0, 260))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("class");
  for (const char* name : {"AP", "AP50", "AP75", "AR100", "objects", "dets"})
    ImGui::TableSetupColumn(name, ImGuiTableColumnFlags_WidthFixed, 54);
  ImGui::TableSetupColumn("PR curve, IoU .5 (precision vs recall)",
                          ImGuiTableColumnFlags_WidthFixed, 170);
  ImGui::TableHeadersRow();
  for (size_t i = 0; i < report.coco.per_category.size(); ++i) {
    const eval::CategoryResult& category = report.coco.per_category[i];
    if (category.ground_truth_count == 0 && category.detection_count == 0) continue;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushID(static_cast<int>(i));
    const std::string name = category_name(session.dataset, category.category_id);
    if (ImGui::Selectable(name.c_str(), session.selected_class == static_cast<int>(i),
                          ImGuiSelectableFlags_SpanAllColumns)) {
      session.selected_class = static_cast<int>(i);
    }
    ImGui::TableNextColumn();
    metric_cell(category.ap);
    ImGui::TableNextColumn();
    metric_cell(category.ap50);
    ImGui::TableNextColumn();
    metric_cell(category.ap75);
    ImGui::TableNextColumn();
    metric_cell(category.ar100);
    ImGui::TableNextColumn();
    ImGui::Text("%d", category.ground_truth_count);
    ImGui::TableNextColumn();
    ImGui::Text("%d", category.detection_count);
    ImGui::TableNextColumn();
    if (!category.precision_at_iou50.empty()) {
      draw_pr_curve(category.precision_at_iou50, "##pr", ImVec2(160, 26));
    } else {
      ImGui::TextDisabled("no objects");
    }
    ImGui::PopID();
  }
  ImGui::EndTable();

  const int selected = session.selected_class;
  if (selected >= 0 && selected < static_cast<int>(report.coco.per_category.size())) {
    const eval::CategoryResult& category = report.coco.per_category[selected];
    if (!category.precision_at_iou50.empty()) {
      const std::string title = "precision of " +
                                category_name(session.dataset, category.category_id) +
                                " at recall 0..1 (IoU 0.5)";
      ImGui::TextUnformatted(title.c_str());
      draw_pr_curve(category.precision_at_iou50, "##pr_large", ImVec2(-1, 120));
    }
  }
}

// Rows are ground truth, columns predictions; each cell is shaded by its share of its row.
void draw_confusion(const EvaluationSession& session) {
  const eval::ConfusionMatrix& matrix = session.report->confusion;
  const int size = matrix.size();
  // Only classes with any count get a row and column; 80 mostly empty classes would not fit.
  std::vector<int> shown;
  for (int k = 0; k < size; ++k) {
    bool any = false;
    for (int other = 0; other < size && !any; ++other)
      any = matrix.at(k, other) > 0 || matrix.at(other, k) > 0;
    if (any || k == size - 1) shown.push_back(k);
  }
  ImGui::Text(
      "IoU %.2f, confidence %.2f; rows: ground truth, columns: predicted; the last row "
      "and column are background. Hover a cell for its counts.",
      matrix.iou_threshold, matrix.confidence);
  auto label = [&](int k) {
    return k == size - 1 ? std::string("background")
                         : category_name(session.dataset, matrix.category_ids[k]);
  };
  const float cell =
      std::clamp(ImGui::GetContentRegionAvail().x / (shown.size() + 6.0f), 8.0f, 28.0f);
  const float label_width = 110.0f;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (size_t row = 0; row < shown.size(); ++row) {
    int row_total = 0;
    for (int column = 0; column < size; ++column)
      row_total += matrix.at(shown[row], column);
    const float y = origin.y + row * cell;
    const std::string row_label = label(shown[row]);
    draw_list->PushClipRect(ImVec2(origin.x, y), ImVec2(origin.x + label_width - 4, y + cell),
                            true);
    draw_list->AddText(ImVec2(origin.x, y + (cell - ImGui::GetTextLineHeight()) * 0.5f),
                       IM_COL32(220, 220, 220, 255), row_label.c_str());
    draw_list->PopClipRect();
    for (size_t column = 0; column < shown.size(); ++column) {
      const int count = matrix.at(shown[row], shown[column]);
      const float share = row_total > 0 ? static_cast<float>(count) / row_total : 0.0f;
      const ImVec2 a(origin.x + label_width + column * cell, y);
      const ImVec2 b(a.x + cell - 1, a.y + cell - 1);
      const bool diagonal = row == column && shown[row] != size - 1;
      const ImU32 colour = diagonal ? IM_COL32(40, 90 + static_cast<int>(160 * share), 60, 255)
                                    : IM_COL32(50 + static_cast<int>(200 * share), 40, 40, 255);
      draw_list->AddRectFilled(a, b, count > 0 ? colour : IM_COL32(35, 35, 40, 255));
      if (count > 0 && cell >= 20) {
        const std::string text = std::to_string(count);
        draw_list->AddText(ImVec2(a.x + 2, a.y + 3), IM_COL32(255, 255, 255, 230), text.c_str());
      }
      if (mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y &&
          ImGui::IsWindowHovered()) {
        ImGui::SetTooltip("truth %s, predicted %s: %d (%.0f%% of the row)", row_label.c_str(),
                          label(shown[column]).c_str(), count, 100.0f * share);
      }
    }
  }
  ImGui::Dummy(ImVec2(label_width + shown.size() * cell, shown.size() * cell + 4));
}

// Decodes the photo of image_id from the dataset folder for the viewer, once per click.
void open_in_viewer(EvaluationSession& session, int64_t image_id) {
  if (session.viewer_image_id == image_id) return;
  session.viewer_image_id = image_id;
  session.viewer_texture = Texture();
  session.viewer_error.clear();
  const eval::DatasetImage* image = find_dataset_image(session.dataset, image_id);
  if (!image || image->path.empty()) {
    session.viewer_error = "the photo of this error is not in the dataset folder";
    return;
  }
  Result<std::vector<uint8_t>> bytes = read_file(image->path, uint64_t{256} << 20);
  if (!bytes) {
    session.viewer_error = bytes.message();
    return;
  }
  Result<Image> decoded = decode_image(*bytes, image->file_name);
  if (!decoded) {
    session.viewer_error = decoded.message();
    return;
  }
  session.viewer_width = decoded->width;
  session.viewer_height = decoded->height;
  session.viewer_texture = Texture::from_image(*decoded);
}

void dashed_rect(ImDrawList* draw_list, ImVec2 a, ImVec2 b, ImU32 colour, float thickness) {
  const float dash = 6.0f;
  for (float x = a.x; x < b.x; x += 2 * dash) {
    draw_list->AddLine(ImVec2(x, a.y), ImVec2(std::min(x + dash, b.x), a.y), colour, thickness);
    draw_list->AddLine(ImVec2(x, b.y), ImVec2(std::min(x + dash, b.x), b.y), colour, thickness);
  }
  for (float y = a.y; y < b.y; y += 2 * dash) {
    draw_list->AddLine(ImVec2(a.x, y), ImVec2(a.x, std::min(y + dash, b.y)), colour, thickness);
    draw_list->AddLine(ImVec2(b.x, y), ImVec2(b.x, std::min(y + dash, b.y)), colour, thickness);
  }
}

// The photo with every ground-truth box (dashed green; the error's own one thicker) and the
// error's prediction (solid red).
void draw_viewer(EvaluationSession& session, ImVec2 size) {
  ImGui::BeginChild("viewer", size, true);
  const eval::ErrorAnalysis& errors = session.report->errors;
  const eval::FalsePositive* false_positive =
      session.selected_false_positive >= 0 &&
              session.selected_false_positive < static_cast<int>(errors.false_positives.size())
          ? &errors.false_positives[session.selected_false_positive]
          : nullptr;
  const eval::MissedObject* missed =
      session.selected_missed >= 0 &&
              session.selected_missed < static_cast<int>(errors.missed.size())
          ? &errors.missed[session.selected_missed]
          : nullptr;
  if (!false_positive && !missed) {
    hint("Click an error to see its photo: ground truth dashed green, the prediction solid red.");
    ImGui::EndChild();
    return;
  }
  const int64_t image_id =
      false_positive ? false_positive->detection.image_id : missed->truth.image_id;
  open_in_viewer(session, image_id);
  const eval::DatasetImage* image = find_dataset_image(session.dataset, image_id);
  ImGui::Text("%s", image ? image->file_name.c_str() : "?");
  if (!session.viewer_error.empty() || !session.viewer_texture.valid()) {
    ImGui::TextWrapped("%s", session.viewer_error.c_str());
    ImGui::EndChild();
    return;
  }
  const ImVec2 region = ImGui::GetContentRegionAvail();
  const float scale = std::min(region.x / session.viewer_width, region.y / session.viewer_height);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Image(session.viewer_texture.imgui_id(),
               ImVec2(session.viewer_width * scale, session.viewer_height * scale));
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  auto to_screen = [&](double x, double y) {
    return ImVec2(origin.x + static_cast<float>(x) * scale,
                  origin.y + static_cast<float>(y) * scale);
  };
  const int64_t focus_truth = false_positive ? false_positive->truth_id : missed->truth.id;
  for (const eval::GroundTruth& truth : session.dataset.annotations) {
    if (truth.image_id != image_id) continue;
    const bool focus = truth.id == focus_truth;
    dashed_rect(draw_list, to_screen(truth.x, truth.y),
                to_screen(truth.x + truth.width, truth.y + truth.height),
                focus ? kTruthColour : kOtherTruthColour, focus ? 2.5f : 1.0f);
    if (focus) {
      draw_list->AddText(to_screen(truth.x, truth.y + truth.height), kTruthColour,
                         ("truth: " + category_name(session.dataset, truth.category_id)).c_str());
    }
  }
  if (false_positive) {
    const eval::ScoredBox& box = false_positive->detection;
    draw_list->AddRect(to_screen(box.x, box.y), to_screen(box.x + box.width, box.y + box.height),
                       kPredictionColour, 0, 0, 2.5f);
    char text[128];
    std::snprintf(text, sizeof text, "predicted: %s %.2f",
                  category_name(session.dataset, box.category_id).c_str(), box.score);
    draw_list->AddText(ImVec2(to_screen(box.x, box.y).x, to_screen(box.x, box.y).y - 14),
                       kPredictionColour, text);
  }
  ImGui::EndChild();
}

void draw_error_gallery(EvaluationSession& session) {
  const eval::ErrorAnalysis& errors = session.report->errors;
  ImGui::Text("At IoU %.2f, confidence %.2f: %d true positives, %zu false positives, %zu missed",
              errors.iou_threshold, errors.confidence, errors.true_positives,
              errors.false_positives.size(), errors.missed.size());
  std::string by_kind;
  for (const auto& [kind, count] : errors.count_by_kind)
    by_kind += std::string(by_kind.empty() ? "" : ", ") + std::to_string(count) + " " +
               eval::error_kind_name(kind);
  if (!by_kind.empty()) ImGui::TextDisabled("false positives: %s", by_kind.c_str());

  const float list_width = ImGui::GetContentRegionAvail().x * 0.45f;
  ImGui::BeginChild("error_lists", ImVec2(list_width, 340));
  auto image_name = [&](int64_t image_id) {
    const eval::DatasetImage* image = find_dataset_image(session.dataset, image_id);
    return image ? image->file_name : std::to_string(image_id);
  };
  if (ImGui::BeginTable("false_positives", 4, kTableFlags, ImVec2(0, 170))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("false positive: photo");
    ImGui::TableSetupColumn("class");
    ImGui::TableSetupColumn("score", ImGuiTableColumnFlags_WidthFixed, 40);
    ImGui::TableSetupColumn("kind");
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(errors.false_positives.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const eval::FalsePositive& error = errors.false_positives[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(i);
        if (ImGui::Selectable(image_name(error.detection.image_id).c_str(),
                              session.selected_false_positive == i,
                              ImGuiSelectableFlags_SpanAllColumns)) {
          session.selected_false_positive = i;
          session.selected_missed = -1;
        }
        ImGui::PopID();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(category_name(session.dataset, error.detection.category_id).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", error.detection.score);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(eval::error_kind_name(error.kind));
      }
    }
    ImGui::EndTable();
  }
  if (ImGui::BeginTable("missed", 3, kTableFlags, ImVec2(0, 160))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("missed: photo");
    ImGui::TableSetupColumn("class");
    ImGui::TableSetupColumn("best IoU", ImGuiTableColumnFlags_WidthFixed, 56);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(errors.missed.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const eval::MissedObject& object = errors.missed[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(100000 + i);
        if (ImGui::Selectable(image_name(object.truth.image_id).c_str(),
                              session.selected_missed == i, ImGuiSelectableFlags_SpanAllColumns)) {
          session.selected_missed = i;
          session.selected_false_positive = -1;
        }
        ImGui::PopID();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(category_name(session.dataset, object.truth.category_id).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", object.best_iou);
      }
    }
    ImGui::EndTable();
  }
  ImGui::EndChild();
  ImGui::SameLine();
  draw_viewer(session, ImVec2(0, 340));
}

void draw_slices(const EvaluationSession& session) {
  const std::vector<eval::SliceResult>& slices = session.report->slices;
  if (slices.empty()) {
    hint("No slices: photos have no brightness measure or tags.");
    return;
  }
  if (!ImGui::BeginTable("slices", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV))
    return;
  for (const char* name : {"dimension", "bucket", "photos", "objects", "AP", "AP50"})
    ImGui::TableSetupColumn(name);
  ImGui::TableHeadersRow();
  for (const eval::SliceResult& slice : slices) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(slice.dimension.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(slice.bucket.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%d", slice.images);
    ImGui::TableNextColumn();
    ImGui::Text("%d", slice.objects);
    ImGui::TableNextColumn();
    metric_cell(slice.ap);
    ImGui::TableNextColumn();
    metric_cell(slice.ap50);
  }
  ImGui::EndTable();
}

}  // namespace

bool show_evaluation_error(Workbench& workbench, bool missed, int index) {
  EvaluationSession& session = workbench.evaluation;
  if (!session.report) return false;
  const eval::ErrorAnalysis& errors = session.report->errors;
  const int count = static_cast<int>(missed ? errors.missed.size() : errors.false_positives.size());
  if (index < 0 || index >= count) return false;
  session.selected_false_positive = missed ? -1 : index;
  session.selected_missed = missed ? index : -1;
  session.reveal_errors = true;
  workbench.mode = WorkspaceMode::kEvaluate;
  return true;
}

void draw_evaluate_panel(App& app, const PanelRect& rect) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::Begin("Evaluate", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoBringToFrontOnFocus);
  Workbench& workbench = app.workbench();
  EvaluationSession& session = workbench.evaluation;
  draw_settings(workbench);
  ImGui::Separator();
  if (session.phase == EvaluationPhase::kIdle) {
    hint("No dataset evaluated yet.");
    ImGui::End();
    return;
  }
  draw_progress(app, session);
  draw_validation(session);
  if (session.report) {
    if (ImGui::CollapsingHeader("COCO metrics", ImGuiTreeNodeFlags_DefaultOpen))
      draw_metrics(*session.report);
    if (ImGui::CollapsingHeader("Per class: AP and PR curves", ImGuiTreeNodeFlags_DefaultOpen))
      draw_per_class(session);
    if (ImGui::CollapsingHeader("Confusion matrix", ImGuiTreeNodeFlags_DefaultOpen))
      draw_confusion(session);
    if (session.reveal_errors) ImGui::SetNextItemOpen(true);
    if (ImGui::CollapsingHeader("Errors")) {
      if (session.reveal_errors) ImGui::SetScrollHereY(0.0f);
      draw_error_gallery(session);
    }
    session.reveal_errors = false;
    if (ImGui::CollapsingHeader("Slices")) draw_slices(session);
  }
  ImGui::End();
}

}  // namespace sightline::app
