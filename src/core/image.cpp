#include "core/image.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "core/jpeg_guard.h"

// stb_image's declarations; its implementation is compiled in stb_image_impl.cpp.
#define STBI_NO_STDIO
#include "stb/stb_image.h"

namespace sightline {
namespace {

std::string quoted(std::string_view name) {
  return "'" + std::string(name) + "'";
}

const char* sniff_format(std::span<const uint8_t> bytes) {
  auto starts_with = [&](const char* magic, size_t length) {
    return bytes.size() >= length && std::memcmp(bytes.data(), magic, length) == 0;
  };
  if (starts_with("\xFF\xD8\xFF", 3)) return "JPEG";
  if (starts_with("\x89PNG", 4)) return "PNG";
  if (starts_with("BM", 2)) return "BMP";
  if (starts_with("%PDF", 4)) return "PDF";
  if (starts_with("GIF8", 4)) return "GIF";
  if (starts_with("RIFF", 4)) return "RIFF (WebP?)";
  return nullptr;
}

uint32_t read_le(std::span<const uint8_t> bytes, size_t offset, int size) {
  uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i)
    value = (value << 8) | bytes[offset + i];
  return value;
}

// stb_image reads zeros past the end of a short BMP instead of failing, so an uncompressed BMP's
// pixel array is checked against the file length here.
Status check_bmp_length(std::span<const uint8_t> bytes, std::string_view source_name) {
  constexpr size_t kHeaderEnd = 34;  // through the compression field of the info header
  if (bytes.size() < kHeaderEnd) {
    return make_error(quoted(source_name) + ": truncated BMP header (" +
                      std::to_string(bytes.size()) + " bytes)");
  }
  const uint32_t pixel_offset = read_le(bytes, 10, 4);
  const int64_t width = static_cast<int32_t>(read_le(bytes, 18, 4));
  const int64_t height = static_cast<int32_t>(read_le(bytes, 22, 4));
  const uint32_t bits_per_pixel = read_le(bytes, 28, 2);
  const uint32_t compression = read_le(bytes, 30, 4);
  constexpr uint32_t kUncompressed = 0, kBitfields = 3;
  if (compression != kUncompressed && compression != kBitfields) return Status::success();

  const int64_t row_bytes = (std::abs(width) * bits_per_pixel + 31) / 32 * 4;
  const int64_t needed = static_cast<int64_t>(pixel_offset) + row_bytes * std::abs(height);
  if (static_cast<int64_t>(bytes.size()) < needed) {
    return make_error(quoted(source_name) + ": truncated BMP: " + std::to_string(bytes.size()) +
                      " bytes, but its " + std::to_string(width) + "x" + std::to_string(height) +
                      " pixels need " + std::to_string(needed));
  }
  return Status::success();
}

uint32_t read_be(std::span<const uint8_t> bytes, size_t offset, int size) {
  uint32_t value = 0;
  for (int i = 0; i < size; ++i)
    value = (value << 8) | bytes[offset + i];
  return value;
}

struct HeaderSize {
  int64_t width = 0;
  int64_t height = 0;
};

// The size a PNG's IHDR chunk or a JPEG's frame header declares, read here because stb refuses to
// report any size whose pixels would pass 2^30 bytes: such a photo would otherwise be called
// corrupt instead of too large. Empty when the header is not where the format puts it; stb's own
// header check then reports the problem.
std::optional<HeaderSize> declared_size(std::span<const uint8_t> bytes, std::string_view format) {
  if (format == "PNG") {
    constexpr size_t kIhdrEnd = 24;  // signature, chunk length, "IHDR", width, height
    if (bytes.size() < kIhdrEnd || std::memcmp(bytes.data() + 12, "IHDR", 4) != 0)
      return std::nullopt;
    return HeaderSize{read_be(bytes, 16, 4), read_be(bytes, 20, 4)};
  }
  if (format == "JPEG") {
    // Walk the marker segments after SOI up to the first start-of-frame (SOF0..SOF15 without
    // DHT C4, JPG C8 and DAC CC), whose payload holds precision, height and width.
    size_t offset = 2;
    while (offset + 4 <= bytes.size()) {
      if (bytes[offset] != 0xFF) return std::nullopt;
      const uint8_t marker = bytes[offset + 1];
      if (marker == 0xFF) {  // fill byte
        ++offset;
        continue;
      }
      const size_t segment_length = read_be(bytes, offset + 2, 2);
      const bool start_of_frame =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (start_of_frame) {
        if (offset + 9 > bytes.size()) return std::nullopt;
        return HeaderSize{read_be(bytes, offset + 7, 2), read_be(bytes, offset + 5, 2)};
      }
      if (marker == 0xDA || segment_length < 2)  // scan data before any frame header
        return std::nullopt;
      offset += 2 + segment_length;
    }
  }
  return std::nullopt;
}

Status check_size_limits(int64_t width, int64_t height, std::string_view source_name,
                         const ImageLimits& limits) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width <= 0 || height <= 0)
    return make_error(quoted(source_name) + ": image size " + size + " is empty");
  if (width > limits.max_side || height > limits.max_side) {
    return make_error(quoted(source_name) + ": image size " + size + " exceeds the limit of " +
                      std::to_string(limits.max_side) + " pixels per side");
  }
  const int64_t pixels = width * height;
  if (pixels > limits.max_pixels) {
    return make_error(quoted(source_name) + ": image size " + size + " (" +
                      std::to_string(pixels / 1'000'000) + " Mpx) exceeds the limit of " +
                      std::to_string(limits.max_pixels / 1'000'000) + " Mpx");
  }
  return Status::success();
}

}  // namespace

Result<Image> decode_image(std::span<const uint8_t> bytes, std::string_view source_name,
                           const ImageLimits& limits) {
  if (bytes.empty()) return make_error(quoted(source_name) + ": file is empty (0 bytes)");

  // stb takes an int length; anything this large is far past the pixel limit anyway.
  if (bytes.size() > static_cast<size_t>(1) << 30) {
    return make_error(quoted(source_name) + ": " + std::to_string(bytes.size()) +
                      " bytes is over the 1 GiB limit for an image file");
  }
  const int length = static_cast<int>(bytes.size());

  const char* format = sniff_format(bytes);
  if (format == nullptr || std::string_view(format) == "PDF" || std::string_view(format) == "GIF" ||
      std::string_view(format).starts_with("RIFF")) {
    return make_error(quoted(source_name) + ": not a JPEG, PNG or BMP image (" +
                      (format ? std::string("looks like ") + format : "unknown signature") + ")");
  }

  // stb_image 2.27 overruns its Huffman tables on some corrupt JPEGs, even reading the header.
  if (Status tables = check_jpeg_huffman_tables(bytes, source_name); !tables) return tables.error();

  // The header alone gives the size, so limits are checked before any pixel is allocated.
  if (std::optional<HeaderSize> declared = declared_size(bytes, format)) {
    if (Status within = check_size_limits(declared->width, declared->height, source_name, limits);
        !within)
      return within.error();
  }
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &channels)) {
    return make_error(quoted(source_name) + ": corrupt " + format + " header (" +
                      stbi_failure_reason() + ")");
  }
  if (Status within = check_size_limits(width, height, source_name, limits); !within)
    return within.error();

  if (std::string_view(format) == "BMP") {
    if (Status complete = check_bmp_length(bytes, source_name); !complete) return complete.error();
  }

  int decoded_width = 0, decoded_height = 0;
  // Owned at once, so a failed copy below (memory full) does not leak stb's buffer.
  std::unique_ptr<stbi_uc, decltype(&stbi_image_free)> pixels_rgb(
      stbi_load_from_memory(bytes.data(), length, &decoded_width, &decoded_height, &channels, 3),
      &stbi_image_free);
  if (pixels_rgb == nullptr) {
    return make_error(quoted(source_name) + ": cannot decode " + format + " data (" +
                      stbi_failure_reason() + ")");
  }

  Image image;
  image.width = decoded_width;
  image.height = decoded_height;
  const size_t byte_count = static_cast<size_t>(decoded_width) * decoded_height * 3;
  image.rgb.assign(pixels_rgb.get(), pixels_rgb.get() + byte_count);
  return image;
}

}  // namespace sightline
