// The label actions the canvas, the Labels tab and the JS API share (label_editor.h): edit
// mode, accepting predictions, review, undo/redo, class choice, the JSON for scripts, and the
// export (files for the web page's zip, or a folder on the desktop).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/label_editor.h"
#include "app/label_export.h"
#include "core/log.h"

namespace sightline::app {
namespace {

int class_count(const App& app) {
  return static_cast<int>(label_class_names(app).size());
}

// The selected photo's labels when it has any, else null.
LabelSet* selected_labels(App& app) {
  GalleryImage* image = app.selected_image();
  return image && image->labels ? &*image->labels : nullptr;
}

}  // namespace

LabelSet& labels_for(GalleryImage& image) {
  if (!image.labels) image.labels.emplace(image.image.width, image.image.height);
  return *image.labels;
}

const std::vector<std::string>& label_class_names(const App& app) {
  static const std::vector<std::string> none;
  const ModelEntry* model = app.active_model();
  return model ? model->card.class_names : none;
}

void set_label_mode(App& app, bool active) {
  LabelEditorState& editor = app.label_editor();
  if (active && !editor.active) editor.show_tab = true;
  editor.active = active;
  editor.drag = LabelDrag::kNone;
}

Status accept_predictions(App& app, GalleryImage& image) {
  const int classes = class_count(app);
  if (classes == 0) return make_error("accept predictions: no model with class names is loaded");
  // clip_box needs room for the smallest box; such a photo cannot hold labels.
  if (image.image.width < kMinLabelBoxSize || image.image.height < kMinLabelBoxSize) {
    return make_error(
        image.name + ": accept predictions: the photo is " + std::to_string(image.image.width) +
        "x" + std::to_string(image.image.height) + " px, smaller than the " +
        std::to_string(static_cast<int>(kMinLabelBoxSize)) + " px a label box needs on each side");
  }
  std::vector<LabelBox> boxes;
  for (const Detection& detection : image.detections) {
    boxes.push_back({detection.class_id, detection.x1, detection.y1, detection.x2, detection.y2});
  }
  Status replaced = labels_for(image).replace_all(boxes, classes);
  if (!replaced) return make_error(image.name + ": accept predictions: " + replaced.message());
  app.label_editor().selected_box = -1;
  return replaced;
}

Status set_photo_review(GalleryImage& image, ReviewState state) {
  return labels_for(image).set_review(state);
}

bool undo_labels(App& app) {
  LabelSet* labels = selected_labels(app);
  if (!labels || !labels->undo()) return false;
  app.label_editor().selected_box = -1;
  return true;
}

bool redo_labels(App& app) {
  LabelSet* labels = selected_labels(app);
  if (!labels || !labels->redo()) return false;
  app.label_editor().selected_box = -1;
  return true;
}

Status delete_selected_label(App& app) {
  LabelSet* labels = selected_labels(app);
  LabelEditorState& editor = app.label_editor();
  if (!labels || editor.selected_box < 0) return make_error("delete label: no box is selected");
  Status removed = labels->remove(editor.selected_box);
  if (removed) editor.selected_box = -1;
  return removed;
}

Status choose_label_class(App& app, int class_id) {
  const int classes = class_count(app);
  if (class_id < 0 || class_id >= classes) {
    return make_error("class id " + std::to_string(class_id) + " is outside [0, " +
                      std::to_string(classes - 1) + "] (the model has " + std::to_string(classes) +
                      " class names)");
  }
  LabelEditorState& editor = app.label_editor();
  editor.current_class = class_id;
  LabelSet* labels = selected_labels(app);
  if (labels && editor.selected_box >= 0) {
    return labels->set_class(editor.selected_box, class_id, classes);
  }
  return {};
}

std::string labels_json(const App& app, const GalleryImage& image) {
  using nlohmann::json;
  const std::vector<std::string>& names = label_class_names(app);
  json boxes = json::array();
  const LabelSet* labels = image.labels ? &*image.labels : nullptr;
  if (labels) {
    for (const LabelBox& box : labels->boxes()) {
      const bool named = box.class_id >= 0 && box.class_id < static_cast<int>(names.size());
      boxes.push_back({{"class", named ? names[box.class_id] : ""},
                       {"class_id", box.class_id},
                       {"box", {box.x1, box.y1, box.x2, box.y2}}});
    }
  }
  const json out = {
      {"image", image.id},
      {"name", image.name},
      {"width", image.image.width},
      {"height", image.image.height},
      {"edited", labels != nullptr},
      {"review", review_state_name(labels ? labels->review() : ReviewState::kUnreviewed)},
      {"boxes", boxes},
      {"can_undo", labels && labels->can_undo()},
      {"can_redo", labels && labels->can_redo()}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string label_editor_json(const App& app) {
  const LabelEditorState& editor = app.label_editor();
  const nlohmann::json out = {{"active", editor.active},
                              {"selected_box", editor.selected_box},
                              {"current_class", editor.current_class},
                              {"classes", label_class_names(app)},
                              {"view",
                               {{"image", editor.view_image_id},
                                {"origin", {editor.view_origin_x, editor.view_origin_y}},
                                {"zoom", editor.view_zoom}}}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<eval::ExportFile>> gallery_label_export(const App& app,
                                                           eval::LabelFormat format) {
  std::vector<LabelledPhoto> photos;
  for (const auto& image : app.images()) {
    photos.push_back({image->name, image->labels ? &*image->labels : nullptr,
                      image->file_bytes.empty() ? nullptr : &image->file_bytes});
  }
  Result<std::vector<eval::ExportFile>> files =
      export_labels(photos, label_class_names(app), format);
  if (!files) {
    return make_error(std::string("export labels as ") + eval::label_format_name(format) + ": " +
                      files.message());
  }
  return files;
}

Status export_labels_to_folder(App& app, eval::LabelFormat format, const std::string& folder,
                               bool overwrite) {
  Result<std::vector<eval::ExportFile>> files = gallery_label_export(app, format);
  if (!files) return files.error();
  Status written = eval::write_export_folder(folder, *files, overwrite);
  if (!written) return written;
  log_info("labels", std::string("exported ") + eval::label_format_name(format) + " labels (" +
                         std::to_string(files->size()) + " files) to " + folder);
  return written;
}

}  // namespace sightline::app
