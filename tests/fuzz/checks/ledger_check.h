// Fuzz check for the ledger of runs: every non-blank line is either a run or a corrupt line kept
// with its text (nothing lost), and every run read writes back to a line that reads the same.
#pragma once

#include <string>

#include "eval/ledger.h"
#include "fuzz/checks/check_support.h"

namespace sightline::fuzz {
namespace ledger_check {

inline bool same_record(const eval::RunRecord& a, const eval::RunRecord& b) {
  return a.id == b.id && a.date == b.date && a.model == b.model &&
         a.model_sha256 == b.model_sha256 && a.dataset == b.dataset &&
         a.dataset_fingerprint == b.dataset_fingerprint && a.backend == b.backend &&
         a.confidence == b.confidence && a.iou == b.iou && a.max_detections == b.max_detections &&
         a.images == b.images && a.objects == b.objects && a.stats == b.stats;
}

inline size_t count_non_blank_lines(std::string_view text) {
  size_t count = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (text.substr(start, end - start).find_first_not_of(" \t\r") != std::string_view::npos)
      ++count;
    start = end + 1;
  }
  return count;
}

}  // namespace ledger_check

inline std::string check_ledger(std::span<const uint8_t> bytes) {
  const std::string_view text = as_text(bytes);
  const eval::Ledger ledger = eval::parse_ledger(text);

  const size_t lines = ledger_check::count_non_blank_lines(text);
  if (ledger.runs.size() + ledger.corrupt.size() != lines) {
    return std::to_string(lines) + " non-blank lines became " + std::to_string(ledger.runs.size()) +
           " runs and " + std::to_string(ledger.corrupt.size()) + " corrupt lines";
  }
  for (const eval::CorruptLine& line : ledger.corrupt) {
    if (line.problem.empty() || line.line_number < 1)
      return "corrupt line " + std::to_string(line.line_number) + " has no problem or number";
    if (text.find(line.text) == std::string_view::npos)
      return "corrupt line " + std::to_string(line.line_number) + " was not kept as written";
  }
  for (const eval::RunRecord& run : ledger.runs) {
    const std::string written = eval::record_to_json_line(run);
    const Result<eval::RunRecord> read_back = eval::record_from_json(written);
    if (!read_back.ok())
      return "run '" + run.id + "' written back does not read: " + read_back.message();
    if (!ledger_check::same_record(run, *read_back))
      return "run '" + run.id + "' changes when written back and read again: " + written;
  }
  return "";
}

}  // namespace sightline::fuzz
