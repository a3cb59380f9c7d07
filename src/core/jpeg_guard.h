// A guard in front of stb_image's JPEG reader. Debian's stb_image 2.27 writes past the arrays
// of a Huffman table when a DHT segment declares more codes for one table than the table holds
// (found by tests/fuzz/fuzz_image; later stb versions check this themselves). Every JPEG is
// walked here, marker by marker, before stb_image sees it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.h"

namespace sightline {

// Fails, naming `source_name`, when a DHT segment anywhere in the JPEG `bytes` declares a
// Huffman table with more than 255 codes. Every other kind of damage is left to the decoder.
// Bytes that do not start with a JPEG's start-of-image marker pass unchecked.
Status check_jpeg_huffman_tables(std::span<const uint8_t> bytes, std::string_view source_name);

}  // namespace sightline
