// `sightline validate`, `sightline eval` and `sightline runs`: datasets checked, models scored
// with COCO-exact metrics, and runs recorded in the ledger and compared.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/model_opening.h"
#include "core/model_store.h"
#include "core/sha256.h"
#include "eval/dataset.h"
#include "eval/evaluation.h"
#include "eval/label_writers.h"
#include "eval/ledger.h"
#include "nlohmann/json.hpp"

namespace sightline::cli {
namespace {

using Json = nlohmann::ordered_json;

void print_issues(const std::vector<eval::ValidationIssue>& issues, FILE* stream) {
  for (const eval::ValidationIssue& issue : issues) {
    std::fprintf(stream, "%s: %s: %s\n", eval::severity_name(issue.severity),
                 issue.location.c_str(), issue.rule.c_str());
  }
}

Json issues_to_json(const std::vector<eval::ValidationIssue>& issues) {
  Json list = Json::array();
  for (const eval::ValidationIssue& issue : issues) {
    list.push_back({{"severity", eval::severity_name(issue.severity)},
                    {"location", issue.location},
                    {"kind", issue.kind},
                    {"rule", issue.rule}});
  }
  return list;
}

// A live counter on a terminal; otherwise a line every tenth, so logs stay readable.
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

// Every photo with its usable boxes as corners [x1, y1, x2, y2] in pixels, the category's id and
// name: what `validate --boxes` adds, so other tools (the browser tests) can compare datasets.
Json dataset_boxes_json(const eval::Dataset& dataset) {
  std::map<int64_t, std::string> category_names;
  for (const eval::Category& category : dataset.categories) {
    category_names[category.id] = category.name;
  }
  std::map<int64_t, Json> boxes_by_image;
  for (const eval::GroundTruth& truth : dataset.annotations) {
    Json& boxes = boxes_by_image[truth.image_id];
    if (boxes.is_null()) boxes = Json::array();
    boxes.push_back({{"category_id", truth.category_id},
                     {"class", category_names[truth.category_id]},
                     {"crowd", truth.crowd},
                     {"box", {truth.x, truth.y, truth.x + truth.width, truth.y + truth.height}}});
  }
  Json images = Json::array();
  for (const eval::DatasetImage& image : dataset.images) {
    auto found = boxes_by_image.find(image.id);
    images.push_back({{"file_name", image.file_name},
                      {"width", image.width},
                      {"height", image.height},
                      {"boxes", found == boxes_by_image.end() ? Json::array() : found->second}});
  }
  return images;
}

std::string file_sha256(const std::string& path) {
  auto bytes = read_file(path, kMaxModelFileBytes);
  return bytes ? sha256_hex(*bytes) : "";
}

}  // namespace

int run_validate(const std::vector<std::string>& words) {
  ArgumentSpec spec;
  spec.value_flags = {"--images"};
  spec.switch_flags = {"--json", "--boxes"};
  auto arguments = parse_arguments(words, spec);
  if (!arguments) return fail(kExitUsage, "validate: " + arguments.message());
  if (arguments->has("--boxes") && !arguments->has("--json")) {
    return fail(kExitUsage, "validate: --boxes lists the boxes in the JSON output: add --json");
  }
  if (arguments->positional.size() != 1) {
    return fail(kExitUsage, "validate: expected one dataset (a YOLO folder or a COCO .json)");
  }

  eval::DatasetOptions options;
  options.images_dir = arguments->text("--images", "");
  options.check_image_pixels = true;
  eval::ValidationReport report;
  auto dataset = eval::load_dataset(arguments->positional.front(), options, report);

  if (arguments->has("--json")) {
    Json out = {{"dataset", arguments->positional.front()},
                {"ok", dataset.ok() && report.error_count() == 0},
                {"images_found", report.images_found},
                {"images_used", report.images_used},
                {"background_images", report.background_images},
                {"annotations_found", report.annotations_found},
                {"annotations_used", report.annotations_used},
                {"skipped_by_kind", report.skipped_by_kind},
                {"errors", report.error_count()},
                {"warnings", report.warning_count()},
                {"issues", issues_to_json(report.issues)}};
    if (!dataset) out["fatal"] = dataset.message();
    if (dataset && arguments->has("--boxes")) out["images"] = dataset_boxes_json(*dataset);
    std::printf("%s\n", out.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    print_issues(report.issues, stdout);
    if (!dataset) std::printf("fatal: %s\n", dataset.message().c_str());
    std::printf("%s\n", eval::validation_summary(report).c_str());
  }
  if (!dataset) return kExitFailure;
  return report.error_count() == 0 ? kExitOk : kExitFailure;
}

int run_eval(const std::vector<std::string>& words) {
  ArgumentSpec spec;
  spec.value_flags = {"--model",  "--conf", "--iou",    "--max-det",       "--threads",
                      "--images", "--dets", "--ledger", "--confusion-iou", "--confusion-conf"};
  spec.switch_flags = {"--json", "--no-ledger", "--agnostic"};
  auto arguments = parse_arguments(words, spec);
  if (!arguments) return fail(kExitUsage, "eval: " + arguments.message());
  if (arguments->positional.size() != 1) {
    return fail(kExitUsage, "eval: expected one dataset (a YOLO folder or a COCO .json)");
  }

  PostprocessOptions options;
  auto confidence = arguments->number("--conf", 0.001f);
  auto iou = arguments->number("--iou", 0.65f);
  auto max_detections = arguments->integer("--max-det", 100, 0, 100000);
  auto threads = arguments->integer("--threads", 1, 1, 256);
  auto confusion_iou = arguments->number("--confusion-iou", 0.5f);
  auto confusion_confidence = arguments->number("--confusion-conf", 0.25f);
  for (const auto* parsed : {&confidence, &iou, &confusion_iou, &confusion_confidence}) {
    if (!*parsed) return fail(kExitUsage, "eval: " + parsed->message());
  }
  if (!max_detections) return fail(kExitUsage, "eval: " + max_detections.message());
  if (!threads) return fail(kExitUsage, "eval: " + threads.message());
  options.confidence = *confidence;
  options.iou = *iou;
  options.max_detections = *max_detections;
  options.class_agnostic = arguments->has("--agnostic");
  if (Status valid = validate_options(options); !valid) {
    return fail(kExitUsage, "eval: " + valid.message());
  }
  for (float value : {*confusion_iou, *confusion_confidence}) {
    if (!(value >= 0 && value <= 1)) {
      return fail(kExitUsage, "eval: --confusion-iou/--confusion-conf " + std::to_string(value) +
                                  " is outside [0, 1]");
    }
  }
  const bool json = arguments->has("--json");

  eval::DatasetOptions dataset_options;
  dataset_options.images_dir = arguments->text("--images", "");
  eval::ValidationReport validation;
  const std::string dataset_path = arguments->positional.front();
  auto dataset = eval::load_dataset(dataset_path, dataset_options, validation);
  print_issues(validation.issues, stderr);
  if (!dataset) return fail(kExitFailure, dataset.message());
  std::fprintf(stderr, "dataset: %s\n", eval::validation_summary(validation).c_str());

  std::vector<eval::ScoredBox> detections;
  std::map<int64_t, eval::ImageMeasure> measures;
  eval::RunRecord record;
  if (arguments->has("--dets")) {
    const std::string results_path = arguments->text("--dets", "");
    eval::ValidationReport results_report;
    auto loaded = eval::read_coco_results_file(results_path, *dataset, results_report);
    print_issues(results_report.issues, stderr);
    if (!loaded) return fail(kExitFailure, loaded.message());
    std::fprintf(stderr, "detections: used %d of %d from %s\n", results_report.annotations_used,
                 results_report.annotations_found, results_path.c_str());
    detections = std::move(*loaded);
    record.model = results_path;
    record.model_sha256 = file_sha256(results_path);
    record.backend = "results file";
  } else {
    engine::EngineOptions engine_options;
    engine_options.threads = *threads;
    const std::string model_argument = arguments->text("--model", kDefaultModel);
    auto opened = open_detector(model_argument, engine_options);
    if (!opened) return fail(kExitFailure, opened.message());
    Detector& detector = *opened->detector;
    auto mapping = eval::map_classes_to_categories(detector.card().class_names, *dataset);
    if (!mapping) return fail(kExitFailure, mapping.message());

    auto outcome =
        eval::run_detector_on_dataset(detector, *dataset, *mapping, options, print_progress);
    print_issues(outcome.issues, stderr);
    std::fprintf(stderr, "ran the model on %d of %zu photos in %.2f s (%.1f ms per photo)\n",
                 outcome.images_run, dataset->images.size(), outcome.seconds,
                 outcome.images_run ? 1000.0 * outcome.seconds / outcome.images_run : 0.0);
    detections = std::move(outcome.detections);
    measures = std::move(outcome.measures);
    record.model = detector.card().name;
    record.model_sha256 =
        detector.card().sha256.empty() ? file_sha256(model_argument) : detector.card().sha256;
    record.backend = detector.backend().name();
  }

  eval::EvaluationSettings settings;
  settings.confusion_iou = *confusion_iou;
  settings.confusion_confidence = *confusion_confidence;
  const eval::EvaluationReport report =
      eval::evaluate_dataset(*dataset, detections, measures, settings);

  if (!arguments->has("--no-ledger")) {
    record.date = eval::utc_now();
    record.dataset = std::filesystem::absolute(dataset_path).string();
    record.dataset_fingerprint = eval::dataset_fingerprint(*dataset);
    record.confidence = options.confidence;
    record.iou = options.iou;
    record.max_detections = options.max_detections;
    record.images = report.images;
    record.objects = report.ground_truth;
    record.stats = report.coco.stats;
    const std::string ledger_path = arguments->text("--ledger", eval::default_ledger_path());
    auto id = eval::append_run(ledger_path, record);
    if (id) {
      std::fprintf(stderr, "recorded as run %s in %s\n", id->c_str(), ledger_path.c_str());
    } else {
      std::fprintf(stderr, "sightline: warning: run not recorded: %s\n", id.message().c_str());
    }
  }

  if (json) {
    std::printf("%s\n", eval::report_to_json(report, *dataset).c_str());
  } else {
    std::printf("%s", eval::report_to_table(report, *dataset).c_str());
  }
  return kExitOk;
}

int run_runs(const std::vector<std::string>& words) {
  ArgumentSpec spec;
  spec.value_flags = {"--ledger"};
  spec.switch_flags = {"--json"};
  auto arguments = parse_arguments(words, spec);
  if (!arguments) return fail(kExitUsage, "runs: " + arguments.message());
  const auto& positional = arguments->positional;
  const std::string action = positional.empty() ? "list" : positional.front();

  const std::string ledger_path = arguments->text("--ledger", eval::default_ledger_path());
  auto ledger = eval::read_ledger(ledger_path);
  if (!ledger) return fail(kExitFailure, ledger.message());
  for (const eval::CorruptLine& line : ledger->corrupt) {
    std::fprintf(stderr, "sightline: %s:%d: unreadable run kept as it is (%s)\n",
                 ledger_path.c_str(), line.line_number, line.problem.c_str());
  }

  if (action == "list" && positional.size() <= 1) {
    if (arguments->has("--json")) {
      for (const eval::RunRecord& run : ledger->runs) {
        std::printf("%s\n", eval::record_to_json_line(run).c_str());
      }
      return kExitOk;
    }
    std::printf("%-10s  %-20s  %-16s  %-12s  %6s  %6s  %s\n", "id", "date", "model", "backend",
                "AP", "AP50", "dataset");
    for (const eval::RunRecord& run : ledger->runs) {
      std::printf("%-10s  %-20s  %-16s  %-12s  %6.3f  %6.3f  %s\n", run.id.c_str(),
                  run.date.c_str(), run.model.c_str(), run.backend.c_str(), run.stats[0],
                  run.stats[1], run.dataset.c_str());
    }
    return kExitOk;
  }
  if (action == "show" && positional.size() == 2) {
    auto run = eval::find_run(*ledger, positional[1]);
    if (!run) return fail(kExitFailure, run.message());
    const Json parsed = Json::parse(eval::record_to_json_line(*run));
    std::printf("%s\n", parsed.dump(2).c_str());
    return kExitOk;
  }
  if (action == "diff" && positional.size() == 3) {
    auto a = eval::find_run(*ledger, positional[1]);
    auto b = eval::find_run(*ledger, positional[2]);
    if (!a) return fail(kExitFailure, a.message());
    if (!b) return fail(kExitFailure, b.message());
    std::printf("%-22s  %-22s  %-22s\n", "", a->id.c_str(), b->id.c_str());
    const std::pair<const char*, std::pair<std::string, std::string>> text_rows[] = {
        {"date", {a->date, b->date}},
        {"model", {a->model, b->model}},
        {"model sha256", {a->model_sha256.substr(0, 16), b->model_sha256.substr(0, 16)}},
        {"backend", {a->backend, b->backend}},
        {"dataset fingerprint", {a->dataset_fingerprint, b->dataset_fingerprint}},
        {"conf / iou / max-det",
         {std::to_string(a->confidence).substr(0, 5) + " / " + std::to_string(a->iou).substr(0, 4) +
              " / " + std::to_string(a->max_detections),
          std::to_string(b->confidence).substr(0, 5) + " / " + std::to_string(b->iou).substr(0, 4) +
              " / " + std::to_string(b->max_detections)}}};
    for (const auto& [name, values] : text_rows) {
      std::printf("%-22s  %-22s  %-22s%s\n", name, values.first.c_str(), values.second.c_str(),
                  values.first == values.second ? "" : "  *");
    }
    if (a->dataset_fingerprint != b->dataset_fingerprint) {
      std::printf("note: the datasets differ, so the metrics are not directly comparable\n");
    }
    for (int m = 0; m < eval::kMetricCount; ++m) {
      std::printf("%-22s  %-22.4f  %-22.4f  %+.4f\n", eval::metric_name(m), a->stats[m],
                  b->stats[m], b->stats[m] - a->stats[m]);
    }
    return kExitOk;
  }
  return fail(kExitUsage,
              "runs: usage: sightline runs [list | show ID | diff A B] [--ledger FILE]");
}

}  // namespace sightline::cli
