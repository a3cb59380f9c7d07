// The canvas in "Labels" edit mode (label_editor.h): the left mouse button edits the selected
// photo's LabelSet instead of panning (the middle button and the wheel still move the view).
//   press inside a box      -> select it and drag it (move)
//   press on an edge/corner -> resize that side or corner (edges_near, a few screen pixels)
//   press on empty photo    -> draw a new box of the current class
//   Delete / Backspace      -> delete the selected box; Ctrl+Z undo, Ctrl+Y / Ctrl+Shift+Z redo
// The box being dragged is only previewed; it becomes one edit (one undo step) on release.
// Labels are drawn white-outlined in their class colour with corner handles, unlike
// detections (filled label tags, no handles).
#include <algorithm>
#include <cmath>

#include "app/label_editor.h"
#include "app/ui.h"

namespace sightline::app {
namespace {

// How near an edge a press must be to grab it, in screen pixels.
constexpr float kEdgeGrabPixels = 6.0f;
// A press that moves less than this draws no box (a click only deselects).
constexpr float kMinDrawPixels = 4.0f;
constexpr float kHandleHalfSize = 3.5f;

struct PhotoPoint {
  float x = 0, y = 0;
};

PhotoPoint to_photo(const CanvasPlacement& placement, ImVec2 screen) {
  return {(screen.x - placement.origin_x) / placement.zoom,
          (screen.y - placement.origin_y) / placement.zoom};
}

ImVec2 to_screen(const CanvasPlacement& placement, float x, float y) {
  return ImVec2(placement.origin_x + x * placement.zoom, placement.origin_y + y * placement.zoom);
}

// Starts a drag at the press: the selected box's edges win, then any box's edges, then the
// smallest box under the point, else a new box is drawn.
void start_drag(LabelEditorState& editor, const LabelSet& labels, PhotoPoint press, float zoom) {
  const float tolerance = kEdgeGrabPixels / zoom;
  const std::vector<LabelBox>& boxes = labels.boxes();
  int grabbed = -1;
  uint8_t edges = kEdgeNone;
  if (editor.selected_box >= 0 && editor.selected_box < static_cast<int>(boxes.size())) {
    edges = edges_near(boxes[editor.selected_box], press.x, press.y, tolerance);
    if (edges != kEdgeNone) grabbed = editor.selected_box;
  }
  for (size_t i = 0; grabbed < 0 && i < boxes.size(); ++i) {
    edges = edges_near(boxes[i], press.x, press.y, tolerance);
    if (edges != kEdgeNone) grabbed = static_cast<int>(i);
  }

  if (grabbed >= 0) {
    editor.drag = LabelDrag::kResize;
    editor.drag_edges = edges;
  } else {
    grabbed = labels.box_at(press.x, press.y);
    editor.drag = grabbed >= 0 ? LabelDrag::kMove : LabelDrag::kDraw;
  }
  editor.drag_box = grabbed;
  editor.selected_box = grabbed;
  editor.drag_start = grabbed >= 0
                          ? boxes[grabbed]
                          : LabelBox{editor.current_class, press.x, press.y, press.x, press.y};
  editor.drag_preview = editor.drag_start;
}

void update_drag(LabelEditorState& editor, const LabelSet& labels, PhotoPoint press,
                 PhotoPoint now) {
  const int width = labels.photo_width();
  const int height = labels.photo_height();
  switch (editor.drag) {
    case LabelDrag::kMove:
      editor.drag_preview =
          move_box(editor.drag_start, now.x - press.x, now.y - press.y, width, height);
      break;
    case LabelDrag::kResize:
      editor.drag_preview =
          resize_box(editor.drag_start, editor.drag_edges, now.x, now.y, width, height);
      break;
    case LabelDrag::kDraw:
      editor.drag_preview = {editor.current_class, press.x, press.y, now.x, now.y};
      break;
    case LabelDrag::kNone:
      break;
  }
}

void finish_drag(App& app, LabelEditorState& editor, LabelSet& labels, float dragged_pixels) {
  const LabelDrag drag = editor.drag;
  editor.drag = LabelDrag::kNone;
  Status done;
  if (drag == LabelDrag::kDraw) {
    if (dragged_pixels < kMinDrawPixels) return;
    Result<int> added =
        labels.add(editor.drag_preview, static_cast<int>(label_class_names(app).size()));
    if (added) editor.selected_box = *added;
    if (!added) done = added.error();
  } else if (editor.drag_preview != editor.drag_start) {
    done = labels.set_geometry(editor.drag_box, editor.drag_preview);
  }
  if (!done) app.report_error("labels: " + done.message());
}

void handle_keys(App& app) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  const bool ctrl = io.KeyCtrl || io.KeySuper;
  if (ctrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Z), false)) {
    if (io.KeyShift) {
      redo_labels(app);
    } else {
      undo_labels(app);
    }
    return;
  }
  if (ctrl && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Y), false)) {
    redo_labels(app);
    return;
  }
  if (app.label_editor().selected_box >= 0 &&
      (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Delete), false) ||
       ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Backspace), false))) {
    Status deleted = delete_selected_label(app);
    if (!deleted) app.report_error("labels: " + deleted.message());
  }
}

void draw_handle(ImDrawList* draw_list, ImVec2 centre, ImU32 colour) {
  const ImVec2 half(kHandleHalfSize, kHandleHalfSize);
  draw_list->AddRectFilled(ImVec2(centre.x - half.x, centre.y - half.y),
                           ImVec2(centre.x + half.x, centre.y + half.y), colour);
  draw_list->AddRect(ImVec2(centre.x - half.x, centre.y - half.y),
                     ImVec2(centre.x + half.x, centre.y + half.y), IM_COL32(0, 0, 0, 255));
}

void draw_label_box(ImDrawList* draw_list, const CanvasPlacement& placement, const LabelBox& box,
                    const std::string& name, bool selected) {
  const ImVec2 p1 = to_screen(placement, box.x1, box.y1);
  const ImVec2 p2 = to_screen(placement, box.x2, box.y2);
  const ImU32 colour = class_colour(box.class_id);
  // A white outer line sets labels apart from detections of the same class colour.
  draw_list->AddRect(ImVec2(p1.x - 1, p1.y - 1), ImVec2(p2.x + 1, p2.y + 1),
                     IM_COL32(255, 255, 255, 230), 0.0f, 0, selected ? 4.0f : 3.0f);
  draw_list->AddRect(p1, p2, colour, 0.0f, 0, selected ? 2.5f : 1.5f);
  if (selected) draw_list->AddRectFilled(p1, p2, class_colour(box.class_id, 0.18f));

  const ImU32 handle = selected ? IM_COL32(255, 255, 255, 255) : colour;
  for (const ImVec2 corner : {p1, p2, ImVec2(p1.x, p2.y), ImVec2(p2.x, p1.y)}) {
    draw_handle(draw_list, corner, handle);
  }
  draw_list->AddText(ImVec2(p1.x + 3, p1.y + 2), IM_COL32(255, 255, 255, 255), name.c_str());
}

}  // namespace

bool handle_label_input(App& app, GalleryImage& image, const CanvasPlacement& placement,
                        bool canvas_hovered, bool canvas_active) {
  LabelEditorState& editor = app.label_editor();
  if (!editor.active) return false;
  handle_keys(app);
  if (image.image.width < kMinLabelBoxSize || image.image.height < kMinLabelBoxSize) return false;

  ImGuiIO& io = ImGui::GetIO();
  const PhotoPoint press = to_photo(placement, io.MouseClickedPos[ImGuiMouseButton_Left]);
  // The photo's labels are created by its first press, not by merely showing it in edit mode.
  if (canvas_hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    start_drag(editor, labels_for(image), press, placement.zoom);
  }
  if (editor.drag == LabelDrag::kNone || !image.labels) return canvas_active;
  LabelSet& labels = *image.labels;

  update_drag(editor, labels, press, to_photo(placement, io.MousePos));
  if (!canvas_active || ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
    const ImVec2 moved(io.MousePos.x - io.MouseClickedPos[ImGuiMouseButton_Left].x,
                       io.MousePos.y - io.MouseClickedPos[ImGuiMouseButton_Left].y);
    finish_drag(app, editor, labels, std::max(std::abs(moved.x), std::abs(moved.y)));
  }
  return true;
}

void draw_labels(App& app, GalleryImage& image, const CanvasPlacement& placement) {
  LabelEditorState& editor = app.label_editor();
  editor.view_image_id = image.id;
  editor.view_origin_x = placement.origin_x;
  editor.view_origin_y = placement.origin_y;
  editor.view_zoom = placement.zoom;
  if (!image.labels) return;

  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  const ModelEntry* model = app.active_model();
  const std::vector<LabelBox>& boxes = image.labels->boxes();
  for (size_t i = 0; i < boxes.size(); ++i) {
    const bool dragged = editor.drag != LabelDrag::kNone && editor.drag_box == static_cast<int>(i);
    const LabelBox& box = dragged ? editor.drag_preview : boxes[i];
    const std::string name = model ? class_label(model->card, box.class_id) : "";
    draw_label_box(draw_list, placement, box, name, editor.selected_box == static_cast<int>(i));
  }
  if (editor.drag == LabelDrag::kDraw) {
    const LabelBox drawn =
        clip_box(editor.drag_preview, image.labels->photo_width(), image.labels->photo_height());
    draw_label_box(draw_list, placement, drawn, "", true);
  }
}

}  // namespace sightline::app
