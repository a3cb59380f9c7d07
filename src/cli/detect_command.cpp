// `sightline detect`: run the detector on photos and print detections.
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/model_opening.h"
#include "core/log.h"
#include "core/model_store.h"
#include "eval/evaluation.h"
#include "eval/label_writers.h"
#include "eval/ledger.h"

namespace sightline::cli {
namespace {

void print_table(const DetectionReport& report, const std::vector<std::string>& class_names) {
  const StageTimings& t = report.timings;
  std::printf(
      "%s  %dx%d  %zu detection%s  (decode %.1f ms, preprocess %.1f ms, inference %.1f ms,"
      " postprocess %.2f ms)\n",
      report.image.c_str(), report.width, report.height, report.detections.size(),
      report.detections.size() == 1 ? "" : "s", t.decode_ms, t.preprocess_ms, t.inference_ms,
      t.postprocess_ms);
  if (report.detections.empty()) return;
  std::printf("  %-16s %6s %8s %8s %8s %8s\n", "class", "score", "x1", "y1", "x2", "y2");
  for (const Detection& box : report.detections) {
    const bool named = box.class_id >= 0 && box.class_id < static_cast<int>(class_names.size());
    const std::string label = named ? class_names[box.class_id] : std::to_string(box.class_id);
    std::printf("  %-16s %6.3f %8.1f %8.1f %8.1f %8.1f\n", label.c_str(), box.score, box.x1, box.y1,
                box.x2, box.y2);
  }
}

// COCO names photos by number ("000000000009.jpg" is image 9); other photos are numbered by
// their position on the command line.
int64_t coco_image_id(const std::string& path, size_t position) {
  const std::string stem = std::filesystem::path(path).stem().string();
  const bool numeric = !stem.empty() && stem.size() <= 15 &&
                       stem.find_first_not_of("0123456789") == std::string::npos;
  return numeric ? std::stoll(stem) : static_cast<int64_t>(position + 1);
}

// COCO category ids when the model speaks COCO's 80 classes, else the class index itself.
int64_t coco_category_id(const std::vector<std::string>& class_names, int class_id) {
  const bool coco80 =
      class_names.size() == 80 && class_names[0] == "person" && class_names[79] == "toothbrush";
  return coco80 ? eval::coco2017_category_id(class_id) : class_id;
}

}  // namespace

int fail(int exit_code, const std::string& message) {
  std::fprintf(stderr, "sightline: %s\n", message.c_str());
  return exit_code;
}

int run_detect(const std::vector<std::string>& words) {
  ArgumentSpec spec;
  spec.value_flags = {"--model", "--conf", "--iou", "--max-det", "--threads", "--coco-out"};
  spec.switch_flags = {"--agnostic", "--json", "--force"};
  auto arguments = parse_arguments(words, spec);
  if (!arguments) return fail(kExitUsage, "detect: " + arguments.message());
  if (arguments->positional.empty()) return fail(kExitUsage, "detect: no image given");

  PostprocessOptions options;
  auto confidence = arguments->number("--conf", options.confidence);
  auto iou = arguments->number("--iou", options.iou);
  auto max_detections = arguments->integer("--max-det", options.max_detections, 0, 100000);
  auto threads = arguments->integer("--threads", 1, 1, 256);
  for (const auto* parsed : {&confidence, &iou}) {
    if (!*parsed) return fail(kExitUsage, "detect: " + parsed->message());
  }
  if (!max_detections) return fail(kExitUsage, "detect: " + max_detections.message());
  if (!threads) return fail(kExitUsage, "detect: " + threads.message());
  options.confidence = *confidence;
  options.iou = *iou;
  options.max_detections = *max_detections;
  options.class_agnostic = arguments->has("--agnostic");
  if (Status valid = validate_options(options); !valid) {
    return fail(kExitUsage, "detect: " + valid.message());
  }

  engine::EngineOptions engine_options;
  engine_options.threads = *threads;
  auto opened = open_detector(arguments->text("--model", kDefaultModel), engine_options);
  if (!opened) return fail(kExitFailure, opened.message());
  if (!opened->guess.empty()) log_warning("cli", "no model card; guessed " + opened->guess);
  Detector& detector = *opened->detector;
  const bool json = arguments->has("--json");

  // Refuse before any work, so a long run cannot end in a lost result.
  const std::string coco_out = arguments->text("--coco-out", "");
  std::error_code exists_error;
  if (!coco_out.empty() && std::filesystem::exists(coco_out, exists_error) &&
      !arguments->has("--force")) {
    return fail(kExitUsage, "detect: '" + coco_out + "' exists; add --force to overwrite it");
  }
  std::vector<eval::ScoredBox> coco_results;

  // Every photo is tried; a bad one is reported and the rest still run.
  int failures = 0;
  for (size_t position = 0; position < arguments->positional.size(); ++position) {
    const std::string& path = arguments->positional[position];
    auto bytes = read_file(path, uint64_t{1} << 30);
    if (!bytes) {
      ++failures;
      fail(kExitFailure, "image " + bytes.message());
      continue;
    }
    auto report = detector.detect(*bytes, path, options);
    if (!report) {
      ++failures;
      fail(kExitFailure, report.message());
      continue;
    }
    for (const Detection& detection : report->detections) {
      coco_results.push_back(eval::to_scored_box(
          coco_image_id(path, position),
          coco_category_id(detector.card().class_names, detection.class_id), detection));
    }
    if (json) {
      std::printf("%s\n", report_to_json(*report, detector.card().class_names).c_str());
    } else {
      print_table(*report, detector.card().class_names);
    }
    std::fflush(stdout);
  }

  if (!coco_out.empty()) {
    Status written =
        eval::write_file_atomically(coco_out, eval::write_coco_results_json(coco_results));
    if (!written) return fail(kExitFailure, "detect: --coco-out: " + written.message());
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace sightline::cli
