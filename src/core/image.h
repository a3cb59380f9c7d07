// Decoding photos (JPEG, PNG, BMP) from memory into 8-bit RGB, with limits checked before any
// pixel memory is allocated. The browser hands us bytes, never paths, so everything decodes
// from a byte span; the source name is only for messages.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sightline {

struct ImageLimits {
  int max_side = 16384;
  int64_t max_pixels = 64'000'000;
};

// Interleaved RGB, row-major: pixel (x, y) channel c is rgb[(y * width + x) * 3 + c].
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
};

Result<Image> decode_image(std::span<const uint8_t> bytes, std::string_view source_name,
                           const ImageLimits& limits = {});

}  // namespace sightline
