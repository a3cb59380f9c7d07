#include "core/letterbox.h"

#include <algorithm>
#include <cmath>

namespace sightline {

LetterboxGeometry compute_letterbox(int image_width, int image_height, int input_width,
                                    int input_height, LetterboxPlacement placement) {
  LetterboxGeometry geometry;
  geometry.image_width = image_width;
  geometry.image_height = image_height;
  geometry.input_width = input_width;
  geometry.input_height = input_height;
  geometry.scale = std::min(static_cast<float>(input_width) / image_width,
                            static_cast<float>(input_height) / image_height);

  // Rounded, not truncated, so a side that scales to 311.9999 still fills 312 pixels.
  geometry.resized_width =
      std::clamp(static_cast<int>(std::lround(image_width * geometry.scale)), 1, input_width);
  geometry.resized_height =
      std::clamp(static_cast<int>(std::lround(image_height * geometry.scale)), 1, input_height);

  if (placement == LetterboxPlacement::kCentre) {
    geometry.offset_x = (input_width - geometry.resized_width) / 2;
    geometry.offset_y = (input_height - geometry.resized_height) / 2;
  }
  return geometry;
}

namespace {

// One axis of a bilinear resize with pixel centres aligned (the convention of OpenCV's
// INTER_LINEAR, which the reference preprocessing of YOLO models uses): for each destination
// index, the two source indices and the weight of the second.
struct LinearTaps {
  std::vector<int> first;
  std::vector<int> second;
  std::vector<float> weight;
};

LinearTaps linear_taps(int source_size, int destination_size) {
  LinearTaps taps;
  taps.first.resize(destination_size);
  taps.second.resize(destination_size);
  taps.weight.resize(destination_size);
  const float ratio = static_cast<float>(source_size) / destination_size;
  for (int d = 0; d < destination_size; ++d) {
    float source = (d + 0.5f) * ratio - 0.5f;
    source = std::max(source, 0.0f);
    int index = static_cast<int>(source);
    index = std::min(index, source_size - 1);
    taps.first[d] = index;
    taps.second[d] = std::min(index + 1, source_size - 1);
    taps.weight[d] = source - index;
  }
  return taps;
}

}  // namespace

FloatTensor letterbox_to_tensor(const Image& image, const LetterboxGeometry& geometry,
                                const InputNormalisation& normalisation) {
  const int width = geometry.input_width;
  const int height = geometry.input_height;
  const size_t plane = static_cast<size_t>(width) * height;

  FloatTensor tensor;
  tensor.shape = {1, 3, height, width};
  tensor.data.resize(plane * 3);

  // Model channel m reads photo channel source_channel[m] (the photo is RGB).
  int source_channel[3] = {0, 1, 2};
  if (normalisation.channel_order == ChannelOrder::kBgr) {
    source_channel[0] = 2;
    source_channel[2] = 0;
  }
  float multiplier[3], offset[3];
  for (int m = 0; m < 3; ++m) {
    multiplier[m] = normalisation.scale / normalisation.std[m];
    offset[m] = -normalisation.mean[m] / normalisation.std[m];
  }

  for (int m = 0; m < 3; ++m) {
    const float pad = normalisation.pad_value * multiplier[m] + offset[m];
    std::fill(tensor.data.begin() + m * plane, tensor.data.begin() + (m + 1) * plane, pad);
  }

  const LinearTaps columns = linear_taps(image.width, geometry.resized_width);
  const LinearTaps rows = linear_taps(image.height, geometry.resized_height);
  const size_t stride = static_cast<size_t>(image.width) * 3;

  // Tensor layout: NCHW, [1, 3, height, width]; the photo lands at (offset_x, offset_y).
  for (int y = 0; y < geometry.resized_height; ++y) {
    const uint8_t* row0 = image.rgb.data() + rows.first[y] * stride;
    const uint8_t* row1 = image.rgb.data() + rows.second[y] * stride;
    const float wy = rows.weight[y];
    const size_t out_row = static_cast<size_t>(y + geometry.offset_y) * width + geometry.offset_x;
    for (int x = 0; x < geometry.resized_width; ++x) {
      const int x0 = columns.first[x] * 3;
      const int x1 = columns.second[x] * 3;
      const float wx = columns.weight[x];
      for (int m = 0; m < 3; ++m) {
        const int c = source_channel[m];
        const float top = row0[x0 + c] + (row0[x1 + c] - row0[x0 + c]) * wx;
        const float bottom = row1[x0 + c] + (row1[x1 + c] - row1[x0 + c]) * wx;
        const float value = top + (bottom - top) * wy;
        tensor.data[m * plane + out_row + x] = value * multiplier[m] + offset[m];
      }
    }
  }
  return tensor;
}

}  // namespace sightline
