// Image sizes from headers through stb_image's info functions. stb_image itself is compiled
// once, in src/core/stb_image_impl.cpp; this file only includes its declarations.
#include "eval/image_size.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <vector>

#include "core/jpeg_guard.h"

#define STBI_NO_STDIO
#include "stb/stb_image.h"

namespace sightline::eval {
namespace {

// Enough for the frame header of almost every JPEG, including ones with EXIF thumbnails.
constexpr size_t kHeaderBytes = 64 * 1024;
constexpr int64_t kMaxImageFileBytes = 512LL * 1024 * 1024;

std::string quoted_name(std::string_view name) {
  return "'" + std::string(name) + "'";
}

}  // namespace

Result<ImageSize> read_image_size(std::span<const uint8_t> bytes, std::string_view source_name,
                                  const ImageLimits& limits) {
  if (bytes.empty()) {
    return make_error(quoted_name(source_name) + ": the file is empty");
  }
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return make_error(quoted_name(source_name) + ": the file is larger than 2 GiB");
  }

  // stb_image 2.27 overruns its Huffman tables on some corrupt JPEGs, even reading the header.
  if (Status tables = check_jpeg_huffman_tables(bytes, source_name); !tables) return tables.error();

  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height,
                             &channels)) {
    const char* reason = stbi_failure_reason();
    return make_error(quoted_name(source_name) + ": cannot read the image header (" +
                      (reason ? reason : "unknown format") + "); JPEG, PNG and BMP are supported");
  }

  if (width <= 0 || height <= 0) {
    return make_error(quoted_name(source_name) + ": the header gives an empty size " +
                      std::to_string(width) + "x" + std::to_string(height));
  }
  if (width > limits.max_side || height > limits.max_side ||
      static_cast<int64_t>(width) * height > limits.max_pixels) {
    return make_error(quoted_name(source_name) + ": " + std::to_string(width) + "x" +
                      std::to_string(height) + " exceeds the limit of " +
                      std::to_string(limits.max_side) + " pixels a side and " +
                      std::to_string(limits.max_pixels) + " pixels");
  }
  return ImageSize{width, height};
}

Result<ImageSize> read_image_size_from_file(const std::string& path, const ImageLimits& limits) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) {
    return make_error(quoted_name(path) + ": cannot open the file");
  }
  const std::streamoff file_size = file.tellg();
  if (file_size < 0 || file_size > kMaxImageFileBytes) {
    return make_error(quoted_name(path) + ": file size " + std::to_string(file_size) +
                      " bytes is outside [0, " + std::to_string(kMaxImageFileBytes) + "]");
  }
  file.seekg(0);

  std::vector<uint8_t> bytes(std::min(static_cast<size_t>(file_size), kHeaderBytes));
  file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (file.gcount() != static_cast<std::streamsize>(bytes.size())) {
    return make_error(quoted_name(path) + ": cannot read the file");
  }
  Result<ImageSize> size = read_image_size(bytes, path, limits);
  if (size.ok() || bytes.size() == static_cast<size_t>(file_size)) {
    return size;
  }

  // The JPEG frame header lies past the first block: read everything and try again.
  bytes.resize(static_cast<size_t>(file_size));
  file.read(reinterpret_cast<char*>(bytes.data() + kHeaderBytes),
            static_cast<std::streamsize>(bytes.size() - kHeaderBytes));
  if (file.gcount() != static_cast<std::streamsize>(bytes.size() - kHeaderBytes)) {
    return make_error(quoted_name(path) + ": cannot read the file");
  }
  return read_image_size(bytes, path, limits);
}

}  // namespace sightline::eval
