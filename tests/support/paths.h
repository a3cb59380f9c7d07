// Where the tests find models and photos: $SIGHTLINE_MODELS and $SIGHTLINE_DATA when set,
// else ../shared/models and ../shared/data beside the repository.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sightline::testing {

std::string models_dir();
std::string data_dir();
std::string samples_dir();
std::string source_dir();

// The whole file, or a test failure naming the path.
std::vector<uint8_t> read_file_bytes(const std::string& path);

}  // namespace sightline::testing
