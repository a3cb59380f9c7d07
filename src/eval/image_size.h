// An image's size from its header alone, so a dataset of thousands of photos can be checked
// without decoding every pixel (a full decode is what check_image_pixels asks for).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/image.h"
#include "core/result.h"

namespace sightline::eval {

struct ImageSize {
  int width = 0;
  int height = 0;
};

// Size from the header bytes (JPEG, PNG, BMP; the first bytes of the file are enough unless a
// JPEG carries a large metadata block before its frame header). Fails, naming `source_name`, on
// an unknown format, an unreadable header or a size beyond `limits`.
Result<ImageSize> read_image_size(std::span<const uint8_t> bytes, std::string_view source_name,
                                  const ImageLimits& limits = {});

// Reads the file's first bytes, and the whole file only if the header lies further in.
Result<ImageSize> read_image_size_from_file(const std::string& path,
                                            const ImageLimits& limits = {});

}  // namespace sightline::eval
