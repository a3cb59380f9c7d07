// Letterboxing: scale a photo to fit the model's input without distortion, pad the rest, and
// map boxes back from input pixels to photo pixels.
#pragma once

#include "core/image.h"
#include "core/tensor.h"

namespace sightline {

enum class LetterboxPlacement { kTopLeft, kCentre };

struct LetterboxGeometry {
  int image_width = 0;
  int image_height = 0;
  int input_width = 0;
  int input_height = 0;
  float scale = 1.0f;  // input pixels per image pixel
  int resized_width = 0;
  int resized_height = 0;
  int offset_x = 0;  // where the resized photo's top-left corner sits in the input
  int offset_y = 0;

  float to_image_x(float input_x) const { return (input_x - offset_x) / scale; }
  float to_image_y(float input_y) const { return (input_y - offset_y) / scale; }
  float to_input_x(float image_x) const { return image_x * scale + offset_x; }
  float to_input_y(float image_y) const { return image_y * scale + offset_y; }
};

LetterboxGeometry compute_letterbox(int image_width, int image_height, int input_width,
                                    int input_height, LetterboxPlacement placement);

enum class ChannelOrder { kRgb, kBgr };

// How pixel values become model input values: value = (pixel * scale - mean[c]) / std[c],
// with c in the model's channel order.
struct InputNormalisation {
  ChannelOrder channel_order = ChannelOrder::kRgb;
  float scale = 1.0f;
  float mean[3] = {0.0f, 0.0f, 0.0f};
  float std[3] = {1.0f, 1.0f, 1.0f};
  float pad_value = 114.0f;  // in pixel units, before normalisation
};

// Resizes the photo bilinearly into the letterbox and returns an NCHW [1, 3, H, W] tensor.
FloatTensor letterbox_to_tensor(const Image& image, const LetterboxGeometry& geometry,
                                const InputNormalisation& normalisation);

}  // namespace sightline
