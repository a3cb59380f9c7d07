// The canvas: the selected photo, zoomable (mouse wheel) and pannable (drag), with its boxes
// coloured per class, a label and score on each, and a tooltip for the box under the mouse.
// In "Labels" edit mode the left button edits the photo's labels instead (label_editor.cpp)
// and only the middle button pans.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <imgui_internal.h>

#include "app/compare_view.h"
#include "app/label_editor.h"
#include "app/ui.h"

namespace sightline::app {
namespace {

constexpr float kMinZoom = 0.02f;
constexpr float kMaxZoom = 40.0f;

void fit_view(CanvasView& view, const Image& image, ImVec2 region) {
  view.zoom = std::min(region.x / image.width, region.y / image.height) * 0.96f;
  view.zoom = std::clamp(view.zoom, kMinZoom, kMaxZoom);
  view.pan = ImVec2((region.x - image.width * view.zoom) * 0.5f,
                    (region.y - image.height * view.zoom) * 0.5f);
  view.fit_pending = false;
}

// Zooms by factor while the photo point under the mouse stays under the mouse.
void zoom_at(CanvasView& view, ImVec2 origin, ImVec2 mouse, float factor) {
  const float new_zoom = std::clamp(view.zoom * factor, kMinZoom, kMaxZoom);
  const float applied = new_zoom / view.zoom;
  const ImVec2 anchor(mouse.x - origin.x, mouse.y - origin.y);
  view.pan = ImVec2(anchor.x - (anchor.x - view.pan.x) * applied,
                    anchor.y - (anchor.y - view.pan.y) * applied);
  view.zoom = new_zoom;
}

void draw_empty_canvas(ImDrawList* draw_list, ImVec2 origin, ImVec2 region) {
  const char* lines[] = {"Drop photos here (JPEG, PNG, BMP)",
                         "or an .onnx model, optionally with its card .json"};
  float y = origin.y + region.y * 0.5f - ImGui::GetTextLineHeight();
  for (const char* line : lines) {
    const ImVec2 size = ImGui::CalcTextSize(line);
    draw_list->AddText(ImVec2(origin.x + (region.x - size.x) * 0.5f, y),
                       IM_COL32(200, 200, 200, 255), line);
    y += ImGui::GetTextLineHeightWithSpacing();
  }
}

void draw_box_tooltip(const ModelCard& card, const Detection& d, int index) {
  ImGui::BeginTooltip();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(class_colour(d.class_id)), "#%d %s", index,
                     class_label(card, d.class_id).c_str());
  ImGui::Text("score %.3f", d.score);
  ImGui::Text("box x1 %.1f  y1 %.1f  x2 %.1f  y2 %.1f", d.x1, d.y1, d.x2, d.y2);
  ImGui::Text("size %.1f x %.1f px", d.x2 - d.x1, d.y2 - d.y1);
  ImGui::EndTooltip();
}

// Index of the smallest visible box under the mouse (the most specific one), or -1.
int box_under_mouse(const App& app, const GalleryImage& image, ImVec2 photo_point) {
  int best = -1;
  float best_area = 0;
  for (size_t i = 0; i < image.detections.size(); ++i) {
    const Detection& d = image.detections[i];
    if (app.class_hidden(d.class_id)) continue;
    if (photo_point.x < d.x1 || photo_point.x > d.x2 || photo_point.y < d.y1 ||
        photo_point.y > d.y2) {
      continue;
    }
    const float area = (d.x2 - d.x1) * (d.y2 - d.y1);
    if (best < 0 || area < best_area) {
      best = static_cast<int>(i);
      best_area = area;
    }
  }
  return best;
}

bool overlaps(const ImRect& a, const ImRect& b) {
  return a.Min.x < b.Max.x && b.Min.x < a.Max.x && a.Min.y < b.Max.y && b.Min.y < a.Max.y;
}

// The label's place: above the box (inside it when the box touches the photo's top edge), then
// moved down past any label already placed that it would cover. Detections come best score
// first, so the better one keeps its place when two boxes nearly coincide.
ImRect place_label(ImVec2 box_top_left, ImVec2 text_size, float photo_top,
                   const std::vector<ImRect>& placed) {
  const float height = text_size.y + 4;
  const float top = box_top_left.y - height >= photo_top ? box_top_left.y - height : box_top_left.y;
  ImRect label(ImVec2(box_top_left.x, top), ImVec2(box_top_left.x + text_size.x + 6, top + height));
  for (size_t moves = 0; moves <= placed.size(); ++moves) {
    const auto covered = std::find_if(placed.begin(), placed.end(),
                                      [&](const ImRect& other) { return overlaps(label, other); });
    if (covered == placed.end()) break;
    label.Translate(ImVec2(0, covered->Max.y - label.Min.y));
  }
  return label;
}

void draw_boxes(App& app, const GalleryImage& image, const ModelCard& card, ImDrawList* draw_list,
                ImVec2 image_origin, float zoom) {
  std::vector<ImRect> placed_labels;
  for (size_t i = 0; i < image.detections.size(); ++i) {
    const Detection& d = image.detections[i];
    if (app.class_hidden(d.class_id)) continue;
    const bool hovered = static_cast<int>(i) == app.hovered_detection();
    const ImVec2 p1(image_origin.x + d.x1 * zoom, image_origin.y + d.y1 * zoom);
    const ImVec2 p2(image_origin.x + d.x2 * zoom, image_origin.y + d.y2 * zoom);
    const ImU32 colour = class_colour(d.class_id);
    if (hovered) draw_list->AddRectFilled(p1, p2, class_colour(d.class_id, 0.25f));
    draw_list->AddRect(p1, p2, colour, 0.0f, 0, hovered ? 4.0f : 2.0f);

    char label[96];
    std::snprintf(label, sizeof label, "%s %.2f", class_label(card, d.class_id).c_str(), d.score);
    const ImRect label_rect =
        place_label(p1, ImGui::CalcTextSize(label), image_origin.y, placed_labels);
    placed_labels.push_back(label_rect);
    draw_list->AddRectFilled(label_rect.Min, label_rect.Max, colour);
    draw_list->AddText(ImVec2(label_rect.Min.x + 3, label_rect.Min.y + 2), IM_COL32(0, 0, 0, 255),
                       label);
  }
}

}  // namespace

ImU32 class_colour(int class_id, float alpha) {
  // Golden-ratio hue steps keep neighbouring class ids far apart on the colour wheel.
  const float hue = std::fmod(0.13f + 0.618034f * static_cast<float>(class_id), 1.0f);
  float r = 0, g = 0, b = 0;
  ImGui::ColorConvertHSVtoRGB(hue, 0.75f, 1.0f, r, g, b);
  return ImGui::ColorConvertFloat4ToU32(ImVec4(r, g, b, alpha));
}

std::string class_label(const ModelCard& card, int class_id) {
  if (class_id >= 0 && class_id < static_cast<int>(card.class_names.size())) {
    return card.class_names[class_id];
  }
  return "class " + std::to_string(class_id);
}

void draw_canvas(App& app, CanvasView& view, const PanelRect& rect) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("Canvas", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PopStyleVar();

  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 region = ImGui::GetContentRegionAvail();
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  draw_list->AddRectFilled(origin, ImVec2(origin.x + region.x, origin.y + region.y),
                           IM_COL32(30, 32, 36, 255));
  GalleryImage* image = app.selected_image();
  ModelEntry* model = app.active_model();
  if (!image || region.x < 8 || region.y < 8) {
    draw_empty_canvas(draw_list, origin, region);
    ImGui::End();
    return;
  }

  if (view.image_id != image->id) {
    view.image_id = image->id;
    view.fit_pending = true;
  }
  if (view.fit_pending) fit_view(view, image->image, region);

  ImGui::InvisibleButton("canvas_area", region,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonMiddle);
  // The overlay's buttons (Fit, 1:1, Labels) are submitted later over this area: without this
  // the canvas keeps the hover and their clicks pan the photo instead.
  ImGui::SetItemAllowOverlap();
  const bool hovered = ImGui::IsItemHovered();
  ImGuiIO& io = ImGui::GetIO();
  if (hovered && io.MouseWheel != 0.0f) {
    zoom_at(view, origin, io.MousePos, std::pow(1.2f, io.MouseWheel));
  }
  const bool canvas_active = ImGui::IsItemActive();
  const bool editing = app.label_editor().active;
  const ImVec2 label_origin(origin.x + view.pan.x, origin.y + view.pan.y);
  const CanvasPlacement placement{label_origin.x, label_origin.y, view.zoom};
  const bool mouse_taken = handle_label_input(app, *image, placement, hovered, canvas_active);
  if (canvas_active && ((!mouse_taken && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) ||
                        ImGui::IsMouseDragging(ImGuiMouseButton_Middle))) {
    view.pan = ImVec2(view.pan.x + io.MouseDelta.x, view.pan.y + io.MouseDelta.y);
  }
  if (!editing && hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    view.fit_pending = true;
  }

  const ImVec2 image_origin(origin.x + view.pan.x, origin.y + view.pan.y);
  const ImVec2 image_end(image_origin.x + image->image.width * view.zoom,
                         image_origin.y + image->image.height * view.zoom);
  draw_list->PushClipRect(origin, ImVec2(origin.x + region.x, origin.y + region.y), true);
  if (image->texture.valid()) {
    draw_list->AddImage(image->texture.imgui_id(), image_origin, image_end);
  }

  int hovered_box = -1;
  if (hovered && !editing) {
    const ImVec2 photo_point((io.MousePos.x - image_origin.x) / view.zoom,
                             (io.MousePos.y - image_origin.y) / view.zoom);
    hovered_box = box_under_mouse(app, *image, photo_point);
    if (hovered_box >= 0) app.hovered_detection() = hovered_box;
  }
  if (model) draw_boxes(app, *image, model->card, draw_list, image_origin, view.zoom);
  draw_compare_overlay(app, *image, draw_list, image_origin, view.zoom);
  draw_labels(app, *image, {image_origin.x, image_origin.y, view.zoom});
  draw_list->PopClipRect();
  if (model && hovered_box >= 0) {
    draw_box_tooltip(model->card, image->detections[hovered_box], hovered_box);
  }

  // Overlay: view controls and what is happening.
  ImGui::SetCursorScreenPos(ImVec2(origin.x + 8, origin.y + 8));
  if (ImGui::SmallButton("Fit")) view.fit_pending = true;
  ImGui::SameLine();
  if (ImGui::SmallButton("1:1")) {
    zoom_at(view, origin, ImVec2(origin.x + region.x * 0.5f, origin.y + region.y * 0.5f),
            1.0f / view.zoom);
  }
  ImGui::SameLine();
  bool labels_mode = editing;
  if (ImGui::Checkbox("Labels", &labels_mode)) set_label_mode(app, labels_mode);
  ImGui::SameLine();
  ImGui::Text("%.0f%%  %s  %dx%d", view.zoom * 100.0f, image->name.c_str(), image->image.width,
              image->image.height);
  if (image->queued) {
    ImGui::SetCursorScreenPos(ImVec2(origin.x + 8, origin.y + 30));
    ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.3f, 1.0f), "Detecting with %s...",
                       backend_name(app.backend()));
  }
  ImGui::End();
}

}  // namespace sightline::app
