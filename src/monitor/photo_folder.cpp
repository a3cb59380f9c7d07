// Listing a folder of photos (rules in photo_folder.h).
#include "monitor/photo_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace sightline::monitor {

namespace fs = std::filesystem;

bool has_photo_extension(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".jpg" || extension == ".jpeg" || extension == ".png" || extension == ".bmp";
}

Result<PhotoListing> list_photos(const std::string& folder, int max_photos) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) {
    return make_error("'" + folder + "' is not a folder of photos");
  }
  PhotoListing listing;
  fs::directory_iterator entries(folder, error);
  if (error) return make_error("cannot list '" + folder + "': " + error.message());
  for (; entries != fs::directory_iterator(); entries.increment(error)) {
    if (error) return make_error("cannot list '" + folder + "': " + error.message());
    const fs::path& path = entries->path();
    const std::string name = path.filename().string();
    std::error_code kind_error;
    if (entries->is_directory(kind_error)) {
      listing.skipped.push_back(name + ": a folder (subfolders are not searched)");
    } else if (!has_photo_extension(name)) {
      listing.skipped.push_back(name + ": not a photo (.jpg .jpeg .png .bmp)");
    } else {
      listing.photos.push_back(path.string());
      if (static_cast<int>(listing.photos.size()) > max_photos) {
        return make_error("'" + folder + "' holds more than " + std::to_string(max_photos) +
                          " photos, the most one run takes");
      }
    }
  }
  if (error) return make_error("cannot list '" + folder + "': " + error.message());
  std::sort(listing.photos.begin(), listing.photos.end());
  std::sort(listing.skipped.begin(), listing.skipped.end());
  if (listing.photos.empty()) {
    return make_error("no photos (.jpg .jpeg .png .bmp) in '" + folder + "'");
  }
  return listing;
}

}  // namespace sightline::monitor
