// The details panel's Labels tab (label_editor.h): edit mode, the selected photo's review state,
// Accept predictions, Undo/Redo, a searchable class list that sets the selected box's class
// (and the class of boxes drawn next), the photo's boxes, and the export of every labelled
// photo (a zip download on the web, a folder on the desktop, with a confirmation before a
// non-empty folder is overwritten).
#include <cctype>
#include <cstdio>
#include <string>

#include "app/label_editor.h"
#include "app/ui.h"

namespace sightline::app {
namespace {

constexpr const char* kOverwritePopup = "Overwrite export folder?";

bool contains_ignoring_case(const std::string& text, const char* pattern) {
  const std::string needle(pattern);
  if (needle.empty()) return true;
  auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
  for (size_t start = 0; start + needle.size() <= text.size(); ++start) {
    size_t i = 0;
    while (i < needle.size() && lower(text[start + i]) == lower(needle[i]))
      ++i;
    if (i == needle.size()) return true;
  }
  return false;
}

void report(App& app, const Status& status) {
  if (!status) app.report_error(status.message());
}

void draw_edit_controls(App& app, GalleryImage& image) {
  LabelEditorState& editor = app.label_editor();
  bool active = editor.active;
  if (ImGui::Checkbox("Edit labels on the canvas", &active)) set_label_mode(app, active);

  bool reviewed = image.labels && image.labels->review() == ReviewState::kReviewed;
  if (ImGui::Checkbox("Reviewed", &reviewed)) {
    report(app,
           set_photo_review(image, reviewed ? ReviewState::kReviewed : ReviewState::kUnreviewed));
  }
  ImGui::SameLine();
  if (ImGui::Button("Accept predictions")) report(app, accept_predictions(app, image));
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("Replace this photo's labels with its %zu detections",
                      image.detections.size());
  }

  const LabelSet* labels = image.labels ? &*image.labels : nullptr;
  ImGui::BeginDisabled(!labels || !labels->can_undo());
  if (ImGui::Button("Undo")) undo_labels(app);
  if (labels && labels->can_undo() && ImGui::IsItemHovered()) {
    ImGui::SetTooltip("Undo %s (Ctrl+Z)", labels->undo_description().c_str());
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!labels || !labels->can_redo());
  if (ImGui::Button("Redo")) redo_labels(app);
  if (labels && labels->can_redo() && ImGui::IsItemHovered()) {
    ImGui::SetTooltip("Redo %s (Ctrl+Y)", labels->redo_description().c_str());
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(editor.selected_box < 0);
  if (ImGui::Button("Delete box")) report(app, delete_selected_label(app));
  ImGui::EndDisabled();
}

void draw_class_list(App& app) {
  LabelEditorState& editor = app.label_editor();
  const std::vector<std::string>& names = label_class_names(app);
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##class_filter", "search classes", editor.class_filter,
                           sizeof editor.class_filter);
  if (ImGui::BeginListBox("##classes", ImVec2(-1, ImGui::GetTextLineHeightWithSpacing() * 7))) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (!contains_ignoring_case(names[i], editor.class_filter)) continue;
      const bool chosen = editor.current_class == static_cast<int>(i);
      ImGui::PushID(static_cast<int>(i));
      ImGui::PushStyleColor(ImGuiCol_Text, class_colour(static_cast<int>(i)));
      if (ImGui::Selectable(names[i].c_str(), chosen)) {
        report(app, choose_label_class(app, static_cast<int>(i)));
      }
      ImGui::PopStyleColor();
      ImGui::PopID();
    }
    ImGui::EndListBox();
  }
}

void draw_box_list(App& app, const GalleryImage& image) {
  if (!image.labels) {
    ImGui::TextDisabled("No labels yet: draw boxes or accept the predictions.");
    return;
  }
  LabelEditorState& editor = app.label_editor();
  const std::vector<std::string>& names = label_class_names(app);
  const std::vector<LabelBox>& boxes = image.labels->boxes();
  ImGui::Text("%zu boxes, %s", boxes.size(), review_state_name(image.labels->review()));
  for (size_t i = 0; i < boxes.size(); ++i) {
    const LabelBox& box = boxes[i];
    const bool named = box.class_id >= 0 && box.class_id < static_cast<int>(names.size());
    char line[160];
    std::snprintf(line, sizeof line, "#%zu %s  %.0f,%.0f - %.0f,%.0f", i,
                  named ? names[box.class_id].c_str() : "?", box.x1, box.y1, box.x2, box.y2);
    if (ImGui::Selectable(line, editor.selected_box == static_cast<int>(i))) {
      editor.selected_box = static_cast<int>(i);
    }
  }
}

void export_now(App& app, eval::LabelFormat format, bool overwrite) {
  LabelEditorState& editor = app.label_editor();
  Status written = export_labels_to_folder(app, format, editor.export_folder, overwrite);
  if (written) {
    editor.export_message = std::string("Exported ") + eval::label_format_name(format) +
                            " labels to " + editor.export_folder;
    return;
  }
  // write_export_folder refuses a non-empty folder: ask before overwriting it.
  if (!overwrite && written.message().find("is not empty") != std::string::npos) {
    editor.pending_format = format;
    editor.confirm_overwrite = true;
    return;
  }
  editor.export_message = written.message();
  app.report_error(written.message());
}

void draw_overwrite_popup(App& app) {
  LabelEditorState& editor = app.label_editor();
  if (editor.confirm_overwrite) {
    ImGui::OpenPopup(kOverwritePopup);
    editor.confirm_overwrite = false;
  }
  if (!ImGui::BeginPopupModal(kOverwritePopup, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::Text("%s is not empty.", editor.export_folder.c_str());
  ImGui::Text("Write the %s export into it, replacing files of the same names?",
              eval::label_format_name(editor.pending_format));
  if (ImGui::Button("Overwrite")) {
    export_now(app, editor.pending_format, true);
    ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) {
    editor.export_message = "Export cancelled: " + editor.export_folder + " was left as it was";
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

void draw_export(App& app) {
  LabelEditorState& editor = app.label_editor();
  ImGui::Separator();
  ImGui::TextUnformatted("Export labelled photos");
  if (!editor.offer_zip) {
    char folder[512];
    std::snprintf(folder, sizeof folder, "%s", editor.export_folder.c_str());
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##export_folder", folder, sizeof folder)) editor.export_folder = folder;
  }
  for (const eval::LabelFormat format :
       {eval::LabelFormat::kYolo, eval::LabelFormat::kCoco, eval::LabelFormat::kVoc}) {
    ImGui::PushID(static_cast<int>(format));
    const std::string button =
        std::string(editor.offer_zip ? "Download " : "Write ") + eval::label_format_name(format);
    if (ImGui::Button(button.c_str())) {
      if (editor.offer_zip) {
        editor.offer_zip(format);
      } else {
        export_now(app, format, false);
      }
    }
    ImGui::PopID();
    ImGui::SameLine();
  }
  ImGui::NewLine();
  if (!editor.export_message.empty()) ImGui::TextWrapped("%s", editor.export_message.c_str());
  draw_overwrite_popup(app);
}

}  // namespace

void draw_labels_tab(App& app) {
  GalleryImage* image = app.selected_image();
  if (!image) {
    ImGui::TextDisabled("Drop a photo to label it.");
    return;
  }
  draw_edit_controls(app, *image);
  ImGui::Separator();
  draw_class_list(app);
  ImGui::Separator();
  draw_box_list(app, *image);
  draw_export(app);
}

}  // namespace sightline::app
