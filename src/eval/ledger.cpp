#include "eval/ledger.h"

#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "core/sha256.h"
#include "nlohmann/json.hpp"

namespace sightline::eval {
namespace {

using Json = nlohmann::ordered_json;

bool read_string(const Json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

std::string format_count(double number) {
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", number);
  return text;
}

bool read_number(const Json& object, const char* key, double& out) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return false;
  out = it->get<double>();
  return true;
}

// A run takes one line of about 600 bytes, so this is some 400,000 runs; a bigger file is not a
// ledger, or one to archive, and reading it whole could exhaust the browser tab's memory.
constexpr uintmax_t kMaxLedgerBytes = uintmax_t{256} << 20;

Status check_ledger_size(const std::string& path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return make_error("ledger '" + path + "': cannot read its size: " + error.message());
  if (size > kMaxLedgerBytes) {
    return make_error("ledger '" + path + "' is " + std::to_string(size) +
                      " bytes, over the limit of " + std::to_string(kMaxLedgerBytes) +
                      " bytes; move it aside to start a new ledger");
  }
  return Status::success();
}

}  // namespace

std::string record_to_json_line(const RunRecord& record) {
  Json metrics = Json::object();
  for (int m = 0; m < kMetricCount; ++m)
    metrics[metric_name(m)] = record.stats[m];
  const Json line = {
      {"id", record.id},           {"date", record.date},
      {"model", record.model},     {"model_sha256", record.model_sha256},
      {"dataset", record.dataset}, {"dataset_fingerprint", record.dataset_fingerprint},
      {"backend", record.backend}, {"conf", record.confidence},
      {"iou", record.iou},         {"max_det", record.max_detections},
      {"images", record.images},   {"objects", record.objects},
      {"metrics", metrics}};
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<RunRecord> record_from_json(std::string_view line) {
  const Json object = Json::parse(line.begin(), line.end(), nullptr, false);
  if (object.is_discarded()) return make_error("not valid JSON");
  if (!object.is_object()) return make_error("not a JSON object");

  RunRecord record;
  for (auto [key, field] :
       {std::pair{"id", &record.id}, std::pair{"date", &record.date},
        std::pair{"model", &record.model}, std::pair{"model_sha256", &record.model_sha256},
        std::pair{"dataset", &record.dataset},
        std::pair{"dataset_fingerprint", &record.dataset_fingerprint},
        std::pair{"backend", &record.backend}}) {
    if (!read_string(object, key, *field))
      return make_error(std::string("\"") + key + "\" is missing or not a string");
  }
  double max_det = 0, images = 0, objects = 0;
  for (auto [key, field] : {std::pair{"conf", &record.confidence}, std::pair{"iou", &record.iou},
                            std::pair{"max_det", &max_det}, std::pair{"images", &images},
                            std::pair{"objects", &objects}}) {
    if (!read_number(object, key, *field))
      return make_error(std::string("\"") + key + "\" is missing or not a number");
  }
  // Converting a double outside int's range is undefined behaviour, so counts are checked first.
  for (auto [key, number] : {std::pair{"max_det", max_det}, std::pair{"images", images},
                             std::pair{"objects", objects}}) {
    if (!(number >= 0 && number <= INT_MAX && number == std::floor(number))) {
      return make_error(std::string("\"") + key + "\" " + format_count(number) +
                        " is not a whole number in [0, " + std::to_string(INT_MAX) + "]");
    }
  }
  record.max_detections = static_cast<int>(max_det);
  record.images = static_cast<int>(images);
  record.objects = static_cast<int>(objects);

  auto metrics = object.find("metrics");
  if (metrics == object.end() || !metrics->is_object()) return make_error("\"metrics\" is missing");
  for (int m = 0; m < kMetricCount; ++m) {
    if (!read_number(*metrics, metric_name(m), record.stats[m])) {
      return make_error(std::string("metric \"") + metric_name(m) + "\" is missing");
    }
  }
  return record;
}

Ledger parse_ledger(std::string_view text) {
  Ledger ledger;
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    ++line_number;
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto record = record_from_json(line);
    if (record) {
      ledger.runs.push_back(std::move(*record));
    } else {
      ledger.corrupt.push_back({line_number, std::string(line), record.message()});
    }
  }
  return ledger;
}

std::string default_ledger_path() {
  if (const char* path = std::getenv("SIGHTLINE_LEDGER"); path && *path) return path;
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) {
    return std::string(data) + "/sightline/ledger.jsonl";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/sightline/ledger.jsonl";
}

Result<Ledger> read_ledger(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return Ledger{};
  if (Status size = check_ledger_size(path); !size) return size.error();
  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error("ledger '" + path + "': cannot open for reading");
  const std::string text(std::istreambuf_iterator<char>(file), {});
  return parse_ledger(text);
}

Status write_file_atomically(const std::string& path, std::string_view contents) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), error);
  const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
  const std::string temporary = path + ".tmp-" + std::to_string(tick);
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!file) return make_error("'" + temporary + "': cannot open for writing");
    file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    file.flush();
    if (!file) {
      fs::remove(temporary, error);
      return make_error("'" + temporary + "': write failed (disk full?)");
    }
  }
  fs::rename(temporary, target, error);
  if (error) {
    fs::remove(temporary, error);
    return make_error("'" + path + "': cannot replace: " + error.message());
  }
  return Status::success();
}

Result<std::string> append_run(const std::string& path, RunRecord record) {
  std::string existing;
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    if (Status size = check_ledger_size(path); !size) return size.error();
    std::ifstream file(path, std::ios::binary);
    if (!file) return make_error("ledger '" + path + "': cannot open for reading");
    existing.assign(std::istreambuf_iterator<char>(file), {});
    if (!existing.empty() && existing.back() != '\n') existing += '\n';
  }

  // The id is a digest of the record without an id, so equal runs on the same date share it.
  record.id.clear();
  const std::string content = record_to_json_line(record);
  record.id =
      sha256_hex({reinterpret_cast<const uint8_t*>(content.data()), content.size()}).substr(0, 10);
  existing += record_to_json_line(record) + "\n";
  if (Status written = write_file_atomically(path, existing); !written) {
    return make_error("ledger: " + written.message());
  }
  return record.id;
}

Result<RunRecord> find_run(const Ledger& ledger, const std::string& id_prefix) {
  const RunRecord* found = nullptr;
  for (const RunRecord& run : ledger.runs) {
    if (run.id.rfind(id_prefix, 0) != 0) continue;
    if (found)
      return make_error("run id '" + id_prefix + "' is ambiguous: " + found->id + ", " + run.id);
    found = &run;
  }
  if (!found) return make_error("no run with id '" + id_prefix + "' in the ledger");
  return *found;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace sightline::eval
