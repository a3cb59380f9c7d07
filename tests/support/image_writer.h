// Encodes small synthetic images in memory (PNG, BMP, JPEG) for tests, with stb_image_write.
#pragma once

#include <cstdint>
#include <vector>

namespace sightline::testing {

enum class ImageFormat { kPng, kBmp, kJpeg };

// A width x height RGB image whose pixel (x, y) is (x * 7, y * 5, x + y) mod 256, encoded.
std::vector<uint8_t> encode_test_image(int width, int height, ImageFormat format);

// Only a PNG signature and IHDR chunk that claims the given size: enough for a header read.
std::vector<uint8_t> png_header_only(uint32_t width, uint32_t height);

}  // namespace sightline::testing
