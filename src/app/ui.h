// The parts of the app's window, each drawn into a fixed rectangle that App::draw lays out:
//
//   +-----------+---------------------------+--------------+
//   | controls  | workspace tabs            | detections / |
//   | (models,  +---------------------------+ log tabs     |
//   | sliders)  | canvas (errors on top)    |              |
//   |           +---------------------------+              |
//   |           | gallery strip             |              |
//   +-----------+---------------------------+--------------+
// The tabs swap canvas and gallery for the Evaluate, Runs, Monitor, Compare or Performance
// panel (workbench.h).
//   | status bar                                           |
//   +------------------------------------------------------+
#pragma once

#include <imgui.h>

#include "app/app.h"

namespace sightline::app {

struct PanelRect {
  ImVec2 position;
  ImVec2 size;
};

// Zoom and pan of the canvas, in screen pixels per photo pixel and a screen offset.
struct CanvasView {
  int image_id = -1;
  float zoom = 1.0f;
  ImVec2 pan{0, 0};
  bool fit_pending = true;
};

ImU32 class_colour(int class_id, float alpha = 1.0f);
std::string class_label(const ModelCard& card, int class_id);

void draw_control_panel(App& app, const PanelRect& rect);
void draw_canvas(App& app, CanvasView& view, const PanelRect& rect);
void draw_gallery(App& app, const PanelRect& rect);
void draw_details_panel(App& app, const PanelRect& rect);
void draw_status_bar(App& app, const PanelRect& rect);

}  // namespace sightline::app
