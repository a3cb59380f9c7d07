#include "support/image_writer.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include "stb/stb_image_write.h"

namespace sightline::testing {
namespace {

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

void append_u32_big_endian(std::vector<uint8_t>& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<uint8_t>(value >> shift));
}

}  // namespace

std::vector<uint8_t> encode_test_image(int width, int height, ImageFormat format) {
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* pixel = &pixels[(static_cast<size_t>(y) * width + x) * 3];
      pixel[0] = static_cast<uint8_t>(x * 7);
      pixel[1] = static_cast<uint8_t>(y * 5);
      pixel[2] = static_cast<uint8_t>(x + y);
    }
  }
  std::vector<uint8_t> encoded;
  switch (format) {
    case ImageFormat::kPng:
      stbi_write_png_to_func(append_bytes, &encoded, width, height, 3, pixels.data(), width * 3);
      break;
    case ImageFormat::kBmp:
      stbi_write_bmp_to_func(append_bytes, &encoded, width, height, 3, pixels.data());
      break;
    case ImageFormat::kJpeg:
      stbi_write_jpg_to_func(append_bytes, &encoded, width, height, 3, pixels.data(), 95);
      break;
  }
  return encoded;
}

std::vector<uint8_t> png_header_only(uint32_t width, uint32_t height) {
  std::vector<uint8_t> bytes = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  append_u32_big_endian(bytes, 13);
  for (char c : {'I', 'H', 'D', 'R'})
    bytes.push_back(static_cast<uint8_t>(c));
  append_u32_big_endian(bytes, width);
  append_u32_big_endian(bytes, height);
  // bit depth 8, colour type 2 (RGB), compression, filter, interlace
  for (uint8_t value : {8, 2, 0, 0, 0})
    bytes.push_back(value);
  append_u32_big_endian(bytes, 0);  // CRC, which header readers do not check
  return bytes;
}

}  // namespace sightline::testing
