// Pieces shared by the YOLO and COCO dataset readers (internal to src/eval): recording issues,
// bounded text-file reads, strict number parsing, photo checks and the optional tags file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "eval/dataset.h"
#include "eval/image_size.h"

namespace sightline::eval::detail {

// Label, class-name and tag files are small; a bigger file is a wrong file.
inline constexpr int64_t kMaxTextFileBytes = 64LL * 1024 * 1024;
// COCO train2017's instances file is 448 MB; a JSON this size already needs gigabytes parsed.
inline constexpr int64_t kMaxJsonFileBytes = 1024LL * 1024 * 1024;

void add_issue(ValidationReport& report, Severity severity, std::string location, std::string kind,
               std::string rule);

// Counts `count` items (images or annotations) skipped for `kind`.
void count_skipped(ValidationReport& report, const std::string& kind, int count = 1);

// The whole file, or an error naming it when it is missing, unreadable or over `max_bytes`.
Result<std::string> read_text_file(const std::filesystem::path& path, int64_t max_bytes);

// Lines without their "\n" or "\r\n" ending; a final empty line after the last "\n" is dropped.
std::vector<std::string_view> split_lines(std::string_view text);
std::vector<std::string_view> split_whitespace(std::string_view line);
std::string_view trim(std::string_view text);

// Strict parsers: the whole text must be the number; NaN and infinities are rejected.
bool parse_finite_double(std::string_view text, double& value);
bool parse_int64(std::string_view text, int64_t& value);

std::string lower_case(std::string text);
bool has_image_extension(const std::filesystem::path& path);

// `path` relative to `base` with forward slashes, for issue locations.
std::string relative_location(const std::filesystem::path& path, const std::filesystem::path& base);

// Shortest text that reads back as the same double ("0.5", "640", "1e-07").
std::string format_number(double value);

// The photo's size from its header, or from a full decode when `decode_pixels` is set.
Result<ImageSize> check_photo(const std::filesystem::path& path, bool decode_pixels);

// Reads tags.csv (else tags.txt) from `folder` if present: "file_name,tag1,tag2" lines.
void read_tags_file(const std::filesystem::path& folder, std::vector<DatasetImage>& images,
                    ValidationReport& report);

// The readers behind load_dataset, with the same contract.
Result<Dataset> load_yolo_folder(const std::filesystem::path& folder, const DatasetOptions& options,
                                 ValidationReport& report);
Result<Dataset> load_voc_folder(const std::filesystem::path& folder, const DatasetOptions& options,
                                ValidationReport& report);
Result<Dataset> load_coco_json(const std::filesystem::path& json_path,
                               const DatasetOptions& options, ValidationReport& report);

}  // namespace sightline::eval::detail
