// The ledger of evaluation runs: one JSON object per line, appended by every evaluation, so
// runs can be listed and compared side by side later.
//
// Writes are atomic: the whole file is written to a temporary beside it and renamed over it, so
// a crash leaves either the old ledger or the new one. A line that does not parse is reported
// and kept in the file as it is, never deleted.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "eval/coco_eval.h"

namespace sightline::eval {

struct RunRecord {
  std::string id;    // short, derived from the record's content
  std::string date;  // ISO 8601, UTC
  std::string model;
  std::string model_sha256;
  std::string dataset;
  std::string dataset_fingerprint;
  std::string backend;
  double confidence = 0;
  double iou = 0;
  int max_detections = 0;
  int images = 0;
  int objects = 0;
  std::array<double, kMetricCount> stats{};
};

struct CorruptLine {
  int line_number = 0;
  std::string text;
  std::string problem;
};

struct Ledger {
  std::vector<RunRecord> runs;
  std::vector<CorruptLine> corrupt;
};

std::string record_to_json_line(const RunRecord& record);
Result<RunRecord> record_from_json(std::string_view line);

Ledger parse_ledger(std::string_view text);

// $SIGHTLINE_LEDGER, else $XDG_DATA_HOME/sightline/ledger.jsonl, else
// ~/.local/share/sightline/ledger.jsonl.
std::string default_ledger_path();

// Reads the ledger (a missing file is an empty ledger).
Result<Ledger> read_ledger(const std::string& path);

// Fills in the record's id and appends it, atomically, keeping every existing line.
Result<std::string> append_run(const std::string& path, RunRecord record);

// The run whose id starts with `id_prefix`; an error if none or several match.
Result<RunRecord> find_run(const Ledger& ledger, const std::string& id_prefix);

// The current UTC time as "2026-12-03T17:54:21Z".
std::string utc_now();

// A file written completely under a temporary name, then renamed over `path`.
Status write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace sightline::eval
