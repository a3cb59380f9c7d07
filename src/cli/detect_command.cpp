// `sightline detect`: run the detector on photos and print detections.
#include <cstdio>
#include <string>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/model_opening.h"
#include "core/log.h"
#include "core/model_store.h"

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
  if (report.detections.empty())
    return;
  std::printf("  %-16s %6s %8s %8s %8s %8s\n", "class", "score", "x1", "y1", "x2", "y2");
  for (const Detection& box : report.detections) {
    const bool named = box.class_id >= 0 && box.class_id < static_cast<int>(class_names.size());
    const std::string label = named ? class_names[box.class_id] : std::to_string(box.class_id);
    std::printf("  %-16s %6.3f %8.1f %8.1f %8.1f %8.1f\n", label.c_str(), box.score, box.x1, box.y1,
                box.x2, box.y2);
  }
}

}  // namespace

int fail(int exit_code, const std::string& message) {
  std::fprintf(stderr, "sightline: %s\n", message.c_str());
  return exit_code;
}

int run_detect(const std::vector<std::string>& words) {
  ArgumentSpec spec;
  spec.value_flags = {"--model", "--conf", "--iou", "--max-det", "--threads"};
  spec.switch_flags = {"--agnostic", "--json"};
  auto arguments = parse_arguments(words, spec);
  if (!arguments)
    return fail(kExitUsage, "detect: " + arguments.message());
  if (arguments->positional.empty())
    return fail(kExitUsage, "detect: no image given");

  PostprocessOptions options;
  auto confidence = arguments->number("--conf", options.confidence);
  auto iou = arguments->number("--iou", options.iou);
  auto max_detections = arguments->integer("--max-det", options.max_detections, 0, 100000);
  auto threads = arguments->integer("--threads", 1, 1, 256);
  for (const auto* parsed : {&confidence, &iou}) {
    if (!*parsed)
      return fail(kExitUsage, "detect: " + parsed->message());
  }
  if (!max_detections)
    return fail(kExitUsage, "detect: " + max_detections.message());
  if (!threads)
    return fail(kExitUsage, "detect: " + threads.message());
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
  if (!opened)
    return fail(kExitFailure, opened.message());
  if (!opened->guess.empty())
    log_warning("cli", "no model card; guessed " + opened->guess);
  Detector& detector = *opened->detector;
  const bool json = arguments->has("--json");

  // Every photo is tried; a bad one is reported and the rest still run.
  int failures = 0;
  for (const std::string& path : arguments->positional) {
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
    if (json) {
      std::printf("%s\n", report_to_json(*report, detector.card().class_names).c_str());
    } else {
      print_table(*report, detector.card().class_names);
    }
    std::fflush(stdout);
  }
  return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace sightline::cli
