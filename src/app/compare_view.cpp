// Drawing a comparison on a photo (compare_view.h). Primary boxes: solid, class colours.
// Candidate boxes: dashed, one colour (cyan) whatever the class, label under the box.
// A box the other side has no match for is drawn thicker and tagged "only P" / "only C".
#include "app/compare_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/ui.h"
#include "app/workbench.h"

namespace sightline::app {
namespace {

constexpr ImU32 kCandidateColour = IM_COL32(0, 230, 255, 255);
constexpr ImU32 kLegendBackground = IM_COL32(20, 20, 24, 215);
constexpr float kDash = 7.0f;
constexpr float kGap = 5.0f;

void add_dashed_line(ImDrawList* draw_list, ImVec2 from, ImVec2 to, ImU32 colour, float thickness) {
  const float dx = to.x - from.x;
  const float dy = to.y - from.y;
  const float length = std::sqrt(dx * dx + dy * dy);
  if (length < 1e-3f) return;
  const float ux = dx / length;
  const float uy = dy / length;
  for (float start = 0; start < length; start += kDash + kGap) {
    const float end = std::min(length, start + kDash);
    draw_list->AddLine(ImVec2(from.x + ux * start, from.y + uy * start),
                       ImVec2(from.x + ux * end, from.y + uy * end), colour, thickness);
  }
}

void add_dashed_rect(ImDrawList* draw_list, ImVec2 p1, ImVec2 p2, ImU32 colour, float thickness) {
  add_dashed_line(draw_list, p1, ImVec2(p2.x, p1.y), colour, thickness);
  add_dashed_line(draw_list, ImVec2(p2.x, p1.y), p2, colour, thickness);
  add_dashed_line(draw_list, p2, ImVec2(p1.x, p2.y), colour, thickness);
  add_dashed_line(draw_list, ImVec2(p1.x, p2.y), p1, colour, thickness);
}

ImVec2 to_screen(ImVec2 origin, float zoom, float x, float y) {
  return ImVec2(origin.x + x * zoom, origin.y + y * zoom);
}

void add_tag(ImDrawList* draw_list, ImVec2 at, ImU32 background, const char* text) {
  const ImVec2 size = ImGui::CalcTextSize(text);
  draw_list->AddRectFilled(at, ImVec2(at.x + size.x + 6, at.y + size.y + 4), background);
  draw_list->AddText(ImVec2(at.x + 3, at.y + 2), IM_COL32(0, 0, 0, 255), text);
}

bool contains(const std::vector<int>& list, int value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void draw_legend(ImDrawList* draw_list, const CompareSession& session,
                 const monitor::ShadowPhoto& shadow) {
  const ImVec2 corner = draw_list->GetClipRectMin();
  const ImVec2 far_corner = draw_list->GetClipRectMax();
  char lines[3][200];
  std::snprintf(lines[0], sizeof lines[0], "primary (solid): %s",
                describe_side(session.primary()).c_str());
  std::snprintf(lines[1], sizeof lines[1], "candidate (dashed): %s",
                describe_side(session.candidate()).c_str());
  std::snprintf(lines[2], sizeof lines[2], "agreement %.2f: %zu matched, %zu only P, %zu only C",
                shadow.agreement, shadow.matches.size(), shadow.only_primary.size(),
                shadow.only_candidate.size());
  float width = 0;
  for (const char* line : lines)
    width = std::max(width, ImGui::CalcTextSize(line).x);
  const float line_height = ImGui::GetTextLineHeightWithSpacing();
  const ImVec2 top_left(corner.x + 8, far_corner.y - 8 - 3 * line_height - 8);
  draw_list->AddRectFilled(top_left, ImVec2(top_left.x + width + 40, far_corner.y - 8),
                           kLegendBackground, 4.0f);
  float y = top_left.y + 4;
  draw_list->AddLine(ImVec2(top_left.x + 6, y + line_height * 0.5f),
                     ImVec2(top_left.x + 28, y + line_height * 0.5f), class_colour(0), 2.0f);
  draw_list->AddText(ImVec2(top_left.x + 34, y), IM_COL32(235, 235, 235, 255), lines[0]);
  y += line_height;
  add_dashed_line(draw_list, ImVec2(top_left.x + 6, y + line_height * 0.5f),
                  ImVec2(top_left.x + 28, y + line_height * 0.5f), kCandidateColour, 2.0f);
  draw_list->AddText(ImVec2(top_left.x + 34, y), IM_COL32(235, 235, 235, 255), lines[1]);
  y += line_height;
  draw_list->AddText(ImVec2(top_left.x + 34, y), IM_COL32(235, 235, 235, 255), lines[2]);
}

void draw_primary_boxes(const ComparePhoto& photo, const std::vector<std::string>& class_names,
                        ImDrawList* draw_list, ImVec2 origin, float zoom) {
  const monitor::ShadowPhoto& shadow = photo.shadow;
  for (size_t i = 0; i < shadow.primary.size(); ++i) {
    const Detection& d = shadow.primary[i];
    const bool unmatched = contains(shadow.only_primary, static_cast<int>(i));
    const ImVec2 p1 = to_screen(origin, zoom, d.x1, d.y1);
    const ImVec2 p2 = to_screen(origin, zoom, d.x2, d.y2);
    draw_list->AddRect(p1, p2, class_colour(d.class_id), 0.0f, 0, unmatched ? 4.0f : 2.0f);
    const bool named = d.class_id >= 0 && d.class_id < static_cast<int>(class_names.size());
    char label[128];
    std::snprintf(label, sizeof label, "%s %.2f", named ? class_names[d.class_id].c_str() : "?",
                  d.score);
    add_tag(draw_list, ImVec2(p1.x, std::max(origin.y, p1.y - ImGui::GetTextLineHeight() - 4)),
            class_colour(d.class_id), label);
  }
}

}  // namespace

void draw_compare_overlay(App& app, const GalleryImage& image, ImDrawList* draw_list,
                          ImVec2 image_origin, float zoom) {
  const CompareSession& session = app.workbench().compare.session;
  const ComparePhoto* photo = session.photo_for_image(image.id);
  if (!photo || !photo->compared) return;
  const monitor::ShadowPhoto& shadow = photo->shadow;
  const std::vector<std::string>& names = session.primary().class_names;
  for (size_t i = 0; i < shadow.candidate.size(); ++i) {
    const Detection& d = shadow.candidate[i];
    const bool unmatched = contains(shadow.only_candidate, static_cast<int>(i));
    const ImVec2 p1 = to_screen(image_origin, zoom, d.x1, d.y1);
    const ImVec2 p2 = to_screen(image_origin, zoom, d.x2, d.y2);
    add_dashed_rect(draw_list, p1, p2, kCandidateColour, unmatched ? 3.5f : 2.0f);
    const bool named = d.class_id >= 0 && d.class_id < static_cast<int>(names.size());
    char label[128];
    std::snprintf(label, sizeof label, "C %s %.2f%s", named ? names[d.class_id].c_str() : "?",
                  d.score, unmatched ? " (only C)" : "");
    // Under the box's bottom-left corner, so it does not cover the primary's label on top.
    add_tag(draw_list, ImVec2(p1.x, p2.y + 2), kCandidateColour, label);
  }
  for (int index : shadow.only_primary) {
    const Detection& d = shadow.primary[index];
    add_tag(draw_list, to_screen(image_origin, zoom, d.x2, d.y1), IM_COL32(255, 170, 60, 255),
            "only P");
  }
  draw_legend(draw_list, session, shadow);
}

void draw_compare_preview(App& app, const GalleryImage& image, ImVec2 size) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  if (size.x < 16 || size.y < 16 || image.image.width <= 0 || image.image.height <= 0) return;
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  const ImVec2 end(origin.x + size.x, origin.y + size.y);
  draw_list->AddRectFilled(origin, end, IM_COL32(30, 32, 36, 255));
  const float zoom = std::min(size.x / image.image.width, size.y / image.image.height);
  const ImVec2 image_origin(origin.x + (size.x - image.image.width * zoom) * 0.5f,
                            origin.y + (size.y - image.image.height * zoom) * 0.5f);
  draw_list->PushClipRect(origin, end, true);
  if (image.texture.valid()) {
    draw_list->AddImage(image.texture.imgui_id(), image_origin,
                        ImVec2(image_origin.x + image.image.width * zoom,
                               image_origin.y + image.image.height * zoom));
  }
  const CompareSession& session = app.workbench().compare.session;
  if (const ComparePhoto* photo = session.photo_for_image(image.id); photo && photo->compared) {
    draw_primary_boxes(*photo, session.primary().class_names, draw_list, image_origin, zoom);
    draw_compare_overlay(app, image, draw_list, image_origin, zoom);
  }
  draw_list->PopClipRect();
}

}  // namespace sightline::app
