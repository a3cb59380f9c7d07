// Shared helpers of the dataset readers: issues, bounded reads, strict parsing, photo checks,
// and the tags file that lets a user slice metrics by labels of their own ("night", "indoor").
#include "eval/dataset_common.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <system_error>

#include "core/image.h"

namespace sightline::eval::detail {

namespace fs = std::filesystem;

void add_issue(ValidationReport& report, Severity severity, std::string location, std::string kind,
               std::string rule) {
  ValidationIssue issue;
  issue.severity = severity;
  issue.location = std::move(location);
  issue.kind = std::move(kind);
  issue.rule = std::move(rule);
  report.issues.push_back(std::move(issue));
}

void count_skipped(ValidationReport& report, const std::string& kind, int count) {
  if (count > 0) {
    report.skipped_by_kind[kind] += count;
  }
}

Result<std::string> read_text_file(const fs::path& path, int64_t max_bytes) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) {
    return make_error("cannot read '" + path.string() + "': " + error.message());
  }
  if (size > static_cast<uintmax_t>(max_bytes)) {
    return make_error("'" + path.string() + "' is " + std::to_string(size) +
                      " bytes, over the limit of " + std::to_string(max_bytes) + " bytes");
  }

  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return make_error("cannot open '" + path.string() + "'");
  }
  std::string text(static_cast<size_t>(size), '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (file.gcount() != static_cast<std::streamsize>(text.size())) {
    return make_error("cannot read '" + path.string() + "' to its end");
  }
  return text;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string_view> split_whitespace(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
    }
    const size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
    }
    if (i > start) {
      fields.push_back(line.substr(start, i - start));
    }
  }
  return fields;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// std::from_chars for doubles is missing from the libc++ of our Emscripten, so strtod (in the
// "C" locale the program runs in) parses a NUL-terminated copy.
bool parse_finite_double(std::string_view text, double& value) {
  if (text.empty() || text.size() > 64) {
    return false;
  }
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const double parsed = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(parsed) || errno == ERANGE) {
    return false;
  }
  value = parsed;
  return true;
}

bool parse_int64(std::string_view text, int64_t& value) {
  if (text.empty() || text.size() > 24) {
    return false;
  }
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(copy.c_str(), &end, 10);
  if (end != copy.c_str() + copy.size() || errno == ERANGE) {
    return false;
  }
  value = parsed;
  return true;
}

std::string lower_case(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

bool has_image_extension(const fs::path& path) {
  const std::string extension = lower_case(path.extension().string());
  return extension == ".jpg" || extension == ".jpeg" || extension == ".png" || extension == ".bmp";
}

std::string relative_location(const fs::path& path, const fs::path& base) {
  fs::path relative = path.lexically_relative(base);
  if (relative.empty()) {
    relative = path;
  }
  return relative.generic_string();
}

std::string format_number(double value) {
  char text[40];
  std::snprintf(text, sizeof(text), "%.15g", value);
  if (std::strtod(text, nullptr) != value) {
    std::snprintf(text, sizeof(text), "%.17g", value);
  }
  return text;
}

Result<ImageSize> check_photo(const fs::path& path, bool decode_pixels) {
  if (!decode_pixels) {
    return read_image_size_from_file(path.string());
  }

  Result<std::string> bytes = read_text_file(path, 512LL * 1024 * 1024);
  if (!bytes.ok()) {
    return bytes.error();
  }
  const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
  Result<Image> image = decode_image({data, bytes->size()}, path.string());
  if (!image.ok()) {
    return image.error();
  }
  return ImageSize{image->width, image->height};
}

namespace {

bool is_tags_header(std::string_view first_field) {
  const std::string name = lower_case(std::string(first_field));
  return name == "file_name" || name == "filename" || name == "file" || name == "image";
}

std::vector<std::string_view> split_commas(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(trim(line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) {
      return fields;
    }
    start = comma + 1;
  }
}

}  // namespace

void read_tags_file(const fs::path& folder, std::vector<DatasetImage>& images,
                    ValidationReport& report) {
  fs::path tags_path = folder / "tags.csv";
  std::error_code error;
  if (!fs::is_regular_file(tags_path, error)) {
    tags_path = folder / "tags.txt";
    if (!fs::is_regular_file(tags_path, error)) {
      return;
    }
  }
  const std::string name = tags_path.filename().string();

  Result<std::string> text = read_text_file(tags_path, kMaxTextFileBytes);
  if (!text.ok()) {
    add_issue(report, Severity::kWarning, name, "unreadable tags file",
              text.message() + "; images carry no tags");
    return;
  }

  // A photo is found by its name as the dataset gives it, else by its plain file name.
  std::map<std::string, size_t, std::less<>> by_name;
  for (size_t i = 0; i < images.size(); ++i) {
    by_name.emplace(images[i].file_name, i);
    by_name.emplace(fs::path(images[i].file_name).filename().string(), i);
  }

  const std::vector<std::string_view> lines = split_lines(*text);
  for (size_t line_index = 0; line_index < lines.size(); ++line_index) {
    const std::string_view line = trim(lines[line_index]);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    const std::string location = name + ":" + std::to_string(line_index + 1);
    const std::vector<std::string_view> fields = split_commas(line);
    if (line_index == 0 && is_tags_header(fields[0])) {
      continue;
    }

    if (fields[0].empty()) {
      add_issue(report, Severity::kWarning, location, "malformed tags line",
                "expected \"file_name,tag1,tag2\" but the file name is empty; line ignored");
      continue;
    }
    const auto found = by_name.find(fields[0]);
    if (found == by_name.end()) {
      add_issue(report, Severity::kWarning, location, "tags for unknown image",
                "'" + std::string(fields[0]) + "' is not an image of the dataset; line ignored");
      continue;
    }

    std::vector<std::string>& tags = images[found->second].tags;
    size_t added = 0;
    for (size_t i = 1; i < fields.size(); ++i) {
      if (fields[i].empty()) {
        continue;
      }
      ++added;
      if (std::find(tags.begin(), tags.end(), fields[i]) == tags.end()) {
        tags.emplace_back(fields[i]);
      }
    }
    if (added == 0) {
      add_issue(
          report, Severity::kWarning, location, "malformed tags line",
          "expected \"file_name,tag1,tag2\" but '" + std::string(fields[0]) + "' has no tags");
    }
  }
}

}  // namespace sightline::eval::detail
