// The app's label editing: the "Labels" edit mode of the canvas (label_editor.cpp: drag a box
// to move it, its edges or corners to resize it, empty photo to draw one; Delete removes the
// selected box; Ctrl+Z / Ctrl+Y undo and redo), the Labels tab of the details panel
// (labels_panel.cpp: class list, review state, Accept predictions, export) and the actions both
// and the JS API share (label_actions.cpp). Each gallery photo owns a LabelSet (label_set.h),
// created with the photo's size on its first edit.
//
// Export: the photos with labels (label_export.h) as YOLO, COCO or Pascal VOC files with the
// photos' bytes as dropped. The desktop program writes a folder (a non-empty one only after the
// user confirms); the web page zips the files written into its in-memory file system
// (web/site/sightline-labels.js).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/label_set.h"
#include "core/result.h"
#include "eval/label_writers.h"

namespace sightline::app {

class App;
struct GalleryImage;

enum class LabelDrag { kNone, kMove, kResize, kDraw };

struct LabelEditorState {
  bool active = false;    // the canvas edits labels instead of panning and showing tooltips
  int selected_box = -1;  // in the selected photo's LabelSet
  int current_class = 0;  // the class of boxes drawn next
  char class_filter[64] = "";
  bool show_tab = false;  // bring the Labels tab forward (edit mode was just turned on)

  // The drag in progress: what it does, on which box, and the box as it looks now.
  LabelDrag drag = LabelDrag::kNone;
  int drag_box = -1;
  uint8_t drag_edges = kEdgeNone;
  LabelBox drag_start;
  LabelBox drag_preview;

  // Where the canvas drew the selected photo last frame (window pixels), for the JS API.
  int view_image_id = -1;
  float view_origin_x = 0, view_origin_y = 0, view_zoom = 1;

  // Desktop export: the folder typed in, a refused non-empty folder awaiting confirmation.
  std::string export_folder = "labels-export";
  eval::LabelFormat pending_format = eval::LabelFormat::kYolo;
  bool confirm_overwrite = false;
  std::string export_message;  // the last export's outcome, for the panel

  // Web: exports in that format as a zip download (label_api.cpp; unset on the desktop, where
  // the panel writes folders instead).
  std::function<void(eval::LabelFormat format)> offer_zip;
};

// The photo's labels, created empty with the photo's size on first use.
LabelSet& labels_for(GalleryImage& image);

// The model's class names (empty without a model).
const std::vector<std::string>& label_class_names(const App& app);

// Turns edit mode on or off; a drag in progress is dropped.
void set_label_mode(App& app, bool active);

// The selected photo's detections (all of them, hidden classes too) become its labels.
Status accept_predictions(App& app, GalleryImage& image);

// Marks the photo reviewed or not.
Status set_photo_review(GalleryImage& image, ReviewState state);

// Undo or redo on the selected photo's labels; false when there is nothing to undo or redo.
bool undo_labels(App& app);
bool redo_labels(App& app);

// Deletes the selected box of the selected photo.
Status delete_selected_label(App& app);

// Sets the class of the selected box (if any) and the class of boxes drawn next.
Status choose_label_class(App& app, int class_id);

// {"image", "name", "width", "height", "review", "boxes": [{"class", "class_id", "box"}],
// "can_undo", "can_redo"} for one photo (the JS API's labels()).
std::string labels_json(const App& app, const GalleryImage& image);

// Edit mode, selection, current class, the class names and where the canvas shows the photo
// (the JS API).
std::string label_editor_json(const App& app);

// The export files of every photo with labels (label_export.h).
Result<std::vector<eval::ExportFile>> gallery_label_export(const App& app,
                                                           eval::LabelFormat format);

// Writes the export into `folder`; a non-empty folder is refused unless `overwrite`.
Status export_labels_to_folder(App& app, eval::LabelFormat format, const std::string& folder,
                               bool overwrite);

// Canvas side (label_editor.cpp), called by draw_canvas with the photo's screen placement.
struct CanvasPlacement {
  float origin_x = 0, origin_y = 0, zoom = 1;
};
// Handles the mouse and keyboard of edit mode; true when the mouse is taken (no panning).
bool handle_label_input(App& app, GalleryImage& image, const CanvasPlacement& placement,
                        bool canvas_hovered, bool canvas_active);
void draw_labels(App& app, GalleryImage& image, const CanvasPlacement& placement);

// The details panel's Labels tab (labels_panel.cpp).
void draw_labels_tab(App& app);

}  // namespace sightline::app
