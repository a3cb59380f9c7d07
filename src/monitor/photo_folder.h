// The photos of a folder, for `monitor` and `compare` on a plain folder: .jpg .jpeg .png .bmp
// files directly inside it, sorted by name. Everything else in the folder is listed as skipped
// with the reason, never dropped silently.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace sightline::monitor {

struct PhotoListing {
  std::vector<std::string> photos;   // full paths
  std::vector<std::string> skipped;  // "notes.txt: not a photo (.jpg .jpeg .png .bmp)"
};

bool has_photo_extension(const std::string& path);

// Fails when the folder cannot be listed, holds no photo, or holds more than `max_photos`.
Result<PhotoListing> list_photos(const std::string& folder, int max_photos);

}  // namespace sightline::monitor
