// `sightline monitor baseline` and `sightline monitor check`: a folder of photos measured into a
// baseline file, and later folders tested against it for drift, exiting 1 on an alarm so a data
// pipeline can use the check as a gate.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/model_opening.h"
#include "core/log.h"
#include "core/model_store.h"
#include "core/sha256.h"
#include "eval/ledger.h"
#include "monitor/drift.h"
#include "monitor/features.h"
#include "monitor/photo_folder.h"
#include "monitor/window.h"
#include "nlohmann/json.hpp"

namespace sightline::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kMonitorUsage =
    "monitor: usage: sightline monitor baseline DIR --out B.json [--model M] [--conf 0.3]"
    " [--iou 0.45] [--force]\n"
    "       sightline monitor check DIR --baseline B.json [--json] [--alpha 0.01] [--psi 0.2]"
    " [--min-photos 20] [--model M]";

void print_progress(int done, int total) {
  if (total <= 0) return;
  if (isatty(fileno(stderr))) {
    std::fprintf(stderr, "\r%d/%d photos", done, total);
    if (done == total) std::fputc('\n', stderr);
  } else if (done == total || done * 10 / total != (done - 1) * 10 / total) {
    std::fprintf(stderr, "%d/%d photos\n", done, total);
  }
  std::fflush(stderr);
}

struct MeasuredFolder {
  monitor::Window window;
  std::vector<std::string> skipped;  // with the reason, for people and for --json
};

// Every photo of the folder measured (and run through the detector when there is one); files
// that are not photos and photos that fail are listed, never dropped silently.
Result<MeasuredFolder> measure_folder(const std::string& folder, Detector* detector,
                                      const PostprocessOptions& options) {
  auto listing = monitor::list_photos(folder, monitor::kMaxWindowPhotos);
  if (!listing) return listing.error();
  MeasuredFolder measured;
  measured.skipped = listing->skipped;
  const int total = static_cast<int>(listing->photos.size());
  for (int i = 0; i < total; ++i) {
    const std::string& path = listing->photos[i];
    const std::string name = std::filesystem::path(path).filename().string();
    auto bytes = read_file(path, uint64_t{1} << 30);
    if (!bytes) {
      measured.skipped.push_back(name + ": " + bytes.message());
    } else if (auto record = monitor::measure_photo(*bytes, name, detector, options)) {
      measured.window.photos.push_back(std::move(*record));
    } else {
      measured.skipped.push_back(name + ": " + record.message());
    }
    if (detector != nullptr) print_progress(i + 1, total);
  }
  for (const std::string& line : measured.skipped) {
    std::fprintf(stderr, "sightline: skipped %s\n", line.c_str());
  }
  return measured;
}

std::string file_sha256(const std::string& path) {
  auto bytes = read_file(path, kMaxModelFileBytes);
  return bytes ? sha256_hex(*bytes) : "";
}

// Opens the model and describes it for the baseline.
Result<OpenedDetector> open_monitored(const std::string& argument, monitor::MonitoredModel& model) {
  auto opened = open_detector(argument, engine::EngineOptions{});
  if (!opened) return opened.error();
  if (!opened->guess.empty()) log_warning("cli", "no model card; guessed " + opened->guess);
  const ModelCard& card = opened->detector->card();
  model.name = card.name;
  model.argument = argument;
  model.sha256 = card.sha256.empty() ? file_sha256(argument) : card.sha256;
  model.class_names = card.class_names;
  return opened;
}

// A flag of the other action is a mistake worth naming rather than ignoring.
std::string foreign_flag(const Arguments& arguments, const std::vector<std::string>& flags) {
  for (const std::string& flag : flags) {
    if (arguments.has(flag)) return flag;
  }
  return "";
}

int run_baseline(const Arguments& arguments) {
  if (arguments.positional.size() != 2) return fail(kExitUsage, kMonitorUsage);
  const std::string foreign =
      foreign_flag(arguments, {"--baseline", "--alpha", "--psi", "--min-photos", "--json"});
  if (!foreign.empty()) return fail(kExitUsage, "monitor baseline: " + foreign + " is for check");
  const std::string out_path = arguments.text("--out", "");
  if (out_path.empty()) return fail(kExitUsage, "monitor baseline: --out B.json is required");
  std::error_code exists_error;
  if (std::filesystem::exists(out_path, exists_error) && !arguments.has("--force")) {
    return fail(kExitUsage,
                "monitor baseline: '" + out_path + "' exists; add --force to overwrite it");
  }

  PostprocessOptions options;
  auto confidence = arguments.number("--conf", options.confidence);
  auto iou = arguments.number("--iou", options.iou);
  if (!confidence) return fail(kExitUsage, "monitor baseline: " + confidence.message());
  if (!iou) return fail(kExitUsage, "monitor baseline: " + iou.message());
  options.confidence = *confidence;
  options.iou = *iou;
  if (Status valid = validate_options(options); !valid) {
    return fail(kExitUsage, "monitor baseline: " + valid.message());
  }

  monitor::MonitoredModel model;
  model.options = options;
  std::unique_ptr<Detector> detector;
  if (arguments.has("--model")) {
    auto opened = open_monitored(arguments.text("--model", ""), model);
    if (!opened) return fail(kExitFailure, opened.message());
    detector = std::move(opened->detector);
  }

  auto measured = measure_folder(arguments.positional[1], detector.get(), options);
  if (!measured) return fail(kExitFailure, "monitor baseline: " + measured.message());
  monitor::Window& window = measured->window;
  if (window.photos.empty()) {
    return fail(kExitFailure, "monitor baseline: no photo of '" + arguments.positional[1] +
                                  "' could be read, so no baseline was written");
  }
  window.has_model = detector != nullptr;
  window.model = std::move(model);
  window.created = eval::utc_now();

  Status written = eval::write_file_atomically(out_path, monitor::window_to_json(window));
  if (!written) return fail(kExitFailure, "monitor baseline: " + written.message());
  std::printf("baseline of %zu photos%s written to %s (%zu skipped)\n", window.photos.size(),
              window.has_model ? (" with " + window.model.name + " outputs").c_str() : "",
              out_path.c_str(), measured->skipped.size());
  return kExitOk;
}

Result<monitor::DriftThresholds> read_thresholds(const Arguments& arguments) {
  monitor::DriftThresholds thresholds;
  auto alpha = arguments.number("--alpha", static_cast<float>(thresholds.alpha));
  if (!alpha) return alpha.error();
  auto psi = arguments.number("--psi", static_cast<float>(thresholds.psi));
  if (!psi) return psi.error();
  auto min_photos =
      arguments.integer("--min-photos", thresholds.min_photos, 2, monitor::kMaxWindowPhotos);
  if (!min_photos) return min_photos.error();
  thresholds.alpha = *alpha;
  thresholds.psi = *psi;
  thresholds.min_photos = *min_photos;
  if (Status valid = monitor::validate_thresholds(thresholds); !valid) return valid.error();
  return thresholds;
}

int run_check(const Arguments& arguments) {
  if (arguments.positional.size() != 2) return fail(kExitUsage, kMonitorUsage);
  const std::string foreign = foreign_flag(arguments, {"--out", "--force", "--conf", "--iou"});
  if (!foreign.empty()) {
    return fail(kExitUsage, "monitor check: " + foreign +
                                " is for baseline (the check reuses the baseline's thresholds)");
  }
  const std::string baseline_path = arguments.text("--baseline", "");
  if (baseline_path.empty()) {
    return fail(kExitUsage, "monitor check: --baseline B.json is required");
  }
  auto thresholds = read_thresholds(arguments);
  if (!thresholds) return fail(kExitUsage, "monitor check: " + thresholds.message());

  auto bytes = read_file(baseline_path, monitor::kMaxBaselineBytes);
  if (!bytes) return fail(kExitFailure, "monitor check: baseline " + bytes.message());
  auto baseline = monitor::parse_window(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), baseline_path);
  if (!baseline) return fail(kExitFailure, "monitor check: " + baseline.message());

  // Outputs are comparable only from the same model at the same thresholds, so the check
  // reuses the baseline's (another model may be named with --model, and the report says so).
  monitor::MonitoredModel model;
  model.options = baseline->model.options;
  std::unique_ptr<Detector> detector;
  if (baseline->has_model) {
    const std::string argument = arguments.text("--model", baseline->model.argument);
    auto opened = open_monitored(argument, model);
    if (!opened) return fail(kExitFailure, "monitor check: " + opened.message());
    detector = std::move(opened->detector);
  }

  const std::string folder = arguments.positional[1];
  auto measured = measure_folder(folder, detector.get(), model.options);
  if (!measured) return fail(kExitFailure, "monitor check: " + measured.message());
  measured->window.has_model = detector != nullptr;
  measured->window.model = std::move(model);

  const monitor::DriftReport report =
      monitor::check_drift(*baseline, measured->window, *thresholds);
  if (arguments.has("--json")) {
    Json out = Json::parse(monitor::drift_report_to_json(report));
    out["baseline"] = baseline_path;
    out["folder"] = folder;
    out["skipped"] = measured->skipped;
    std::printf("%s\n", out.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s", monitor::drift_report_to_table(report).c_str());
  }
  return report.any_alarm ? kExitFailure : kExitOk;
}

}  // namespace

int run_monitor(const std::vector<std::string>& words) {
  ArgumentSpec spec;
  spec.value_flags = {"--out", "--model", "--baseline",   "--alpha",
                      "--psi", "--conf",  "--min-photos", "--iou"};
  spec.switch_flags = {"--force", "--json"};
  auto arguments = parse_arguments(words, spec);
  if (!arguments) return fail(kExitUsage, "monitor: " + arguments.message());
  if (arguments->positional.empty()) return fail(kExitUsage, kMonitorUsage);
  const std::string& action = arguments->positional.front();
  if (action == "baseline") return run_baseline(*arguments);
  if (action == "check") return run_check(*arguments);
  return fail(kExitUsage, kMonitorUsage);
}

}  // namespace sightline::cli
