// SHA-256 (FIPS 180-4), to check model files against the digest in their card.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace sightline {

// Lower-case hex digest of the bytes.
std::string sha256_hex(std::span<const uint8_t> bytes);

}  // namespace sightline
