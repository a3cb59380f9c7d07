// The gallery strip: one thumbnail per photo dropped so far; clicking one shows it on the
// canvas. Thumbnails reuse the photo's texture, scaled to fit.
#include <algorithm>

#include "app/ui.h"

namespace sightline::app {

void draw_gallery(App& app, const PanelRect& rect) {
  ImGui::SetNextWindowPos(rect.position);
  ImGui::SetNextWindowSize(rect.size);
  ImGui::Begin("Gallery", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoBringToFrontOnFocus);
  if (app.images().empty()) {
    ImGui::TextDisabled("No photos yet. Drop some anywhere on the window.");
    ImGui::End();
    return;
  }

  const float thumb_height = std::max(
      24.0f, ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() - 12);
  const float thumb_width = thumb_height * 4.0f / 3.0f;
  const GalleryImage* selected = app.selected_image();
  int clicked = -1;
  for (const auto& image : app.images()) {
    ImGui::PushID(image->id);
    ImGui::BeginGroup();
    const float aspect = static_cast<float>(image->image.width) / image->image.height;
    ImVec2 size(thumb_width, thumb_width / aspect);
    if (size.y > thumb_height) size = ImVec2(thumb_height * aspect, thumb_height);
    const bool is_selected = selected == image.get();
    const ImVec4 background =
        is_selected ? ImVec4(0.26f, 0.59f, 0.98f, 1.0f) : ImVec4(0.0f, 0.0f, 0.0f, 0.0f);
    // Centres thumbnails of any aspect in a fixed slot.
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (thumb_width - size.x) * 0.5f);
    if (image->texture.valid() && ImGui::ImageButton(image->texture.imgui_id(), size, ImVec2(0, 0),
                                                     ImVec2(1, 1), 3, background)) {
      clicked = image->id;
    }
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s\n%dx%d, %zu detections%s%s", image->name.c_str(), image->image.width,
                        image->image.height, image->detections.size(),
                        image->error.empty() ? "" : "\n", image->error.c_str());
    }
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + thumb_width);
    ImGui::TextUnformatted(image->name.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    ImGui::PopID();
    ImGui::SameLine();
  }
  ImGui::NewLine();
  if (clicked >= 0) app.select_image(clicked);
  ImGui::End();
}

}  // namespace sightline::app
