// Drawing a comparison on a photo: the candidate's boxes dashed in one colour over the
// primary's solid class-coloured boxes, unmatched boxes marked, and a legend.
#pragma once

#include <imgui.h>

#include "app/app.h"

namespace sightline::app {

// The candidate's boxes of this photo and the legend, drawn over a canvas that already shows
// the primary's boxes (solid, class colours) with the photo's top-left at image_origin and
// `zoom` screen pixels per photo pixel. The legend goes in the bottom-left corner of the
// draw list's clip rectangle. Draws nothing when no comparison holds the photo.
void draw_compare_overlay(App& app, const GalleryImage& image, ImDrawList* draw_list,
                          ImVec2 image_origin, float zoom);

// The Compare panel's preview: the photo fitted into `size` at the cursor, the comparison's
// primary boxes solid and the candidate's dashed (draw_compare_overlay), with the legend.
void draw_compare_preview(App& app, const GalleryImage& image, ImVec2 size);

}  // namespace sightline::app
