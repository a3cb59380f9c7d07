// FloatTensor: a dense float32 tensor in row-major order, the currency between the detector
// (which fills model inputs and decodes model outputs) and any inference backend.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sightline {

struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  int64_t element_count() const {
    int64_t count = 1;
    for (int64_t extent : shape)
      count *= extent;
    return count;
  }
};

// "[1, 3, 416, 416]", for messages.
std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace sightline
