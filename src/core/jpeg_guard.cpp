// Walks a JPEG's markers the way stb_image reads them and checks every Huffman table size.
#include "core/jpeg_guard.h"

#include <string>

namespace sightline {
namespace {

// stb_image's stbi__huffman keeps the codes' symbols in 255 bytes and their sizes in 257.
constexpr size_t kMaxHuffmanCodes = 255;

constexpr uint8_t kMarkerStart = 0xFF;
constexpr uint8_t kStartOfImage = 0xD8;
constexpr uint8_t kEndOfImage = 0xD9;
constexpr uint8_t kDefineHuffmanTable = 0xC4;

// Markers without a length field: TEM, RST0..RST7 and SOI.
bool is_standalone(uint8_t marker) {
  return marker == 0x01 || (marker >= 0xD0 && marker <= kStartOfImage);
}

uint8_t byte_at(std::span<const uint8_t> bytes, size_t position) {
  // stb_image reads zeros past the end of its buffer; so does this walk.
  return position < bytes.size() ? bytes[position] : 0;
}

}  // namespace

Status check_jpeg_huffman_tables(std::span<const uint8_t> bytes, std::string_view source_name) {
  // stb_image takes any run of 0xFF fill bytes before SOI's D8 as the start of a JPEG (even where
  // our format sniffing sees none: the dataset reader's size probe hands it any file), so the
  // walk starts after the same run.
  if (bytes.empty() || bytes[0] != kMarkerStart) return Status::success();
  size_t start_of_image = 1;
  while (start_of_image < bytes.size() && bytes[start_of_image] == kMarkerStart)
    ++start_of_image;
  if (start_of_image >= bytes.size() || bytes[start_of_image] != kStartOfImage)
    return Status::success();

  // Segments are skipped by their length, as stb_image skips them; everything else (entropy-
  // coded data, junk) is scanned byte by byte, where 0xFF 0x00 is a stuffed data byte and 0xFF
  // followed by anything else a marker, which is where stb_image looks for the next segment.
  size_t position = start_of_image + 1;
  while (position + 1 < bytes.size()) {
    if (bytes[position] != kMarkerStart || bytes[position + 1] == kMarkerStart) {
      ++position;
      continue;
    }
    const uint8_t marker = bytes[position + 1];
    if (marker == kEndOfImage) break;
    if (marker == 0x00 || is_standalone(marker)) {
      position += 2;
      continue;
    }

    const size_t length =
        (size_t{byte_at(bytes, position + 2)} << 8) | byte_at(bytes, position + 3);
    if (marker != kDefineHuffmanTable) {
      position += 2 + (length >= 2 ? length : 2);
      continue;
    }

    // DHT: tables follow one another while the segment's length lasts, each a class/id byte,
    // 16 counts of codes per code length, then one symbol per code.
    int64_t left = static_cast<int64_t>(length) - 2;
    size_t table = position + 4;
    while (left > 0) {
      size_t codes = 0;
      for (size_t i = 1; i <= 16; ++i)
        codes += byte_at(bytes, table + i);
      if (codes > kMaxHuffmanCodes) {
        return make_error("'" + std::string(source_name) +
                          "': corrupt JPEG: a Huffman table at byte " + std::to_string(table) +
                          " declares " + std::to_string(codes) + " codes, more than the " +
                          std::to_string(kMaxHuffmanCodes) + " a table can hold");
      }
      table += 17 + codes;
      left -= static_cast<int64_t>(17 + codes);
    }
    position = table;
  }
  return Status::success();
}

}  // namespace sightline
