// Fuzz check for photos: decode_image (core) and the header-only size reader the dataset
// checks use (eval). Limits are lowered from the defaults (512 pixels a side, 2^18 pixels) so a
// decode takes a millisecond rather than tens: full-size seed photos then stop at the header
// check, and mutations that shrink their frame header decode their real entropy-coded data.
// The limit checks are the same code either way.
#pragma once

#include <string>

#include "core/image.h"
#include "eval/image_size.h"
#include "fuzz/checks/check_support.h"

namespace sightline::fuzz {

inline std::string check_image(std::span<const uint8_t> bytes) {
  constexpr std::string_view kSource = "fuzz-photo.jpg";
  const ImageLimits limits{512, 262'144};

  const Result<Image> image = decode_image(bytes, kSource, limits);
  if (!image.ok()) {
    if (std::string problem = check_error_message("decode_image", image.message(), kSource);
        !problem.empty())
      return problem;
  } else {
    if (image->width <= 0 || image->height <= 0 || image->width > limits.max_side ||
        image->height > limits.max_side ||
        int64_t{image->width} * image->height > limits.max_pixels) {
      return "decode_image returned " + std::to_string(image->width) + "x" +
             std::to_string(image->height) + ", outside its limits";
    }
    if (image->rgb.size() != size_t(image->width) * size_t(image->height) * 3) {
      return "decode_image returned " + std::to_string(image->rgb.size()) + " bytes for " +
             std::to_string(image->width) + "x" + std::to_string(image->height) + " RGB";
    }
  }

  const Result<eval::ImageSize> size = eval::read_image_size(bytes, kSource, limits);
  if (!size.ok()) {
    if (std::string problem = check_error_message("read_image_size", size.message(), kSource);
        !problem.empty())
      return problem;
    if (image.ok())
      return "decode_image decoded a photo whose header read_image_size refused: " + size.message();
  } else if (image.ok() && (size->width != image->width || size->height != image->height)) {
    return "read_image_size says " + std::to_string(size->width) + "x" +
           std::to_string(size->height) + " but decode_image decoded " +
           std::to_string(image->width) + "x" + std::to_string(image->height);
  }
  return "";
}

}  // namespace sightline::fuzz
