// `sightline compare`: a primary and a candidate model run side by side on every photo of a
// folder or a labelled dataset; their boxes matched, disagreements ranked, both latencies shown,
// and, with labels, both models evaluated and recorded in the ledger side by side.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/model_opening.h"
#include "core/log.h"
#include "core/model_store.h"
#include "core/sha256.h"
#include "eval/dataset.h"
#include "eval/evaluation.h"
#include "eval/ledger.h"
#include "monitor/photo_folder.h"
#include "monitor/shadow.h"
#include "monitor/window.h"
#include "nlohmann/json.hpp"

namespace sightline::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr const char* kCompareUsage =
    "compare: usage: sightline compare DATASET --model A --candidate B [--json] [--conf 0.3]"
    " [--iou 0.45] [--candidate-conf X] [--candidate-iou X] [--candidate-size WxH]"
    " [--match-iou 0.5] [--images DIR] [--ledger FILE] [--no-ledger]";

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

// A COCO JSON, or a folder with YOLO classes (classes.txt, *.names) or a labels/ folder.
bool is_labelled_dataset(const std::string& path) {
  std::error_code error;
  if (fs::path(path).extension() == ".json") return true;
  if (!fs::is_directory(path, error)) return false;
  if (fs::exists(fs::path(path) / "classes.txt", error)) return true;
  if (fs::is_directory(fs::path(path) / "labels", error)) return true;
  for (const auto& entry : fs::directory_iterator(path, error)) {
    if (entry.path().extension() == ".names") return true;
  }
  return false;
}

std::string file_sha256(const std::string& path) {
  auto bytes = read_file(path, kMaxModelFileBytes);
  return bytes ? sha256_hex(*bytes) : "";
}

struct Side {
  std::string argument;
  std::unique_ptr<Detector> detector;
  PostprocessOptions options;
  std::vector<int64_t> class_to_category;  // labelled datasets only
  std::vector<eval::ScoredBox> boxes;
};

Result<std::pair<int, int>> parse_size(const std::string& text) {
  int width = 0;
  int height = 0;
  char separator = 0;
  char trailing = 0;
  const int read = std::sscanf(text.c_str(), "%d%c%d%c", &width, &separator, &height, &trailing);
  if (read != 3 || (separator != 'x' && separator != 'X') || width <= 0 || height <= 0 ||
      width > 8192 || height > 8192) {
    return make_error("--candidate-size '" + text + "' is not WxH with sides in [1, 8192]");
  }
  return std::make_pair(width, height);
}

// The candidate at another input size. Needs a model card (the size lives in the card) and a
// model whose input height and width are dynamic: a static-shape model only runs at its size.
Result<std::unique_ptr<Detector>> resized_candidate(const std::string& argument,
                                                    std::unique_ptr<Detector> opened, int width,
                                                    int height) {
  const ModelCard& card = opened->card();
  if (card.input_width == width && card.input_height == height) return opened;

  // Input layout NCHW: dimensions [batch, channels, height, width], -1 when dynamic.
  const std::vector<TensorInfo>& inputs = opened->backend().inputs();
  if (!inputs.empty() && inputs.front().shape.size() == 4) {
    const int64_t model_height = inputs.front().shape[2];
    const int64_t model_width = inputs.front().shape[3];
    if (model_height > 0 || model_width > 0) {
      return make_error("candidate '" + argument + "' has a static input of " +
                        std::to_string(model_width) + "x" + std::to_string(model_height) +
                        ", so it cannot run at " + std::to_string(width) + "x" +
                        std::to_string(height) +
                        "; only a model exported with dynamic height and width can");
    }
  }
  auto card_path = find_card(argument, default_cards_dir());
  if (!card_path) return card_path.error();
  if (card_path->empty()) {
    return make_error("--candidate-size needs a model card for '" + argument +
                      "' (a bare .onnx file keeps the size guessed from its shapes)");
  }
  auto resized = load_card(*card_path, default_models_dir());
  if (!resized) return resized.error();
  resized->input_width = width;
  resized->input_height = height;
  auto bytes = load_model_file(*resized, default_models_dir());
  if (!bytes) return bytes.error();
  auto backend = engine::load_model(*bytes, resized->file, engine::EngineOptions{});
  if (!backend) return backend.error();
  return Detector::create(std::move(*resized), std::move(*backend));
}

Status read_side_options(const Arguments& arguments, const std::string& prefix,
                         const PostprocessOptions& fallback, PostprocessOptions& options) {
  options = fallback;
  auto confidence = arguments.number(prefix + "conf", fallback.confidence);
  if (!confidence) return confidence.error();
  auto iou = arguments.number(prefix + "iou", fallback.iou);
  if (!iou) return iou.error();
  options.confidence = *confidence;
  options.iou = *iou;
  return validate_options(options);
}

eval::RunRecord ledger_record(const Side& side, const std::string& dataset_path,
                              const eval::Dataset& dataset, const eval::EvaluationReport& report) {
  eval::RunRecord record;
  record.date = eval::utc_now();
  record.model = side.detector->card().name;
  record.model_sha256 = side.detector->card().sha256.empty() ? file_sha256(side.argument)
                                                             : side.detector->card().sha256;
  record.backend = side.detector->backend().name();
  record.dataset = fs::absolute(dataset_path).string();
  record.dataset_fingerprint = eval::dataset_fingerprint(dataset);
  record.confidence = side.options.confidence;
  record.iou = side.options.iou;
  record.max_detections = side.options.max_detections;
  record.images = report.images;
  record.objects = report.ground_truth;
  record.stats = report.coco.stats;
  return record;
}

void print_summary(const std::vector<monitor::ShadowPhoto>& photos,
                   const monitor::ShadowSummary& summary, const monitor::ShadowModels& models) {
  std::printf("primary %s vs candidate %s on %d photos\n", models.primary.c_str(),
              models.candidate.c_str(), summary.photos);
  std::printf(
      "agreement %.3f (F1 over all boxes), mean per photo %.3f, %d photos in full "
      "agreement\n",
      summary.agreement, summary.mean_photo_agreement, summary.photos_in_full_agreement);
  std::printf(
      "boxes: primary %d, candidate %d, matched %d, only primary %d, only candidate %d; "
      "mean |score difference| of matched %.3f\n",
      summary.primary_boxes, summary.candidate_boxes, summary.matched,
      summary.primary_boxes - summary.matched, summary.candidate_boxes - summary.matched,
      summary.mean_abs_score_difference);
  const StageTimings& p = summary.primary_latency.median;
  const StageTimings& c = summary.candidate_latency.median;
  std::printf(
      "median ms (decode / preprocess / inference / postprocess): primary %.1f / %.1f / "
      "%.1f / %.2f, candidate %.1f / %.1f / %.1f / %.2f\n",
      p.decode_ms, p.preprocess_ms, p.inference_ms, p.postprocess_ms, c.decode_ms, c.preprocess_ms,
      c.inference_ms, c.postprocess_ms);
  std::printf("\nmost disagreement first:\n%-28s %9s %8s %8s %8s %8s\n", "photo", "agreement",
              "primary", "cand.", "only P", "only C");
  for (int index : summary.most_disagreement_first) {
    const monitor::ShadowPhoto& photo = photos[index];
    std::printf("%-28s %9.3f %8zu %8zu %8zu %8zu\n", photo.name.c_str(), photo.agreement,
                photo.primary.size(), photo.candidate.size(), photo.only_primary.size(),
                photo.only_candidate.size());
    for (int i : photo.only_primary) {
      const Detection& box = photo.primary[i];
      const bool named =
          box.class_id >= 0 && box.class_id < static_cast<int>(models.class_names.size());
      std::printf("    only primary:   %-14s %.3f  [%.0f %.0f %.0f %.0f]\n",
                  named ? models.class_names[box.class_id].c_str() : "?", box.score, box.x1, box.y1,
                  box.x2, box.y2);
    }
    for (int i : photo.only_candidate) {
      const Detection& box = photo.candidate[i];
      const bool named =
          box.class_id >= 0 && box.class_id < static_cast<int>(models.class_names.size());
      std::printf("    only candidate: %-14s %.3f  [%.0f %.0f %.0f %.0f]\n",
                  named ? models.class_names[box.class_id].c_str() : "(unknown class)", box.score,
                  box.x1, box.y1, box.x2, box.y2);
    }
  }
}

}  // namespace

int run_compare(const std::vector<std::string>& words) {
  ArgumentSpec spec;
  spec.value_flags = {"--model",     "--candidate",      "--conf",   "--iou",
                      "--match-iou", "--candidate-conf", "--images", "--candidate-iou",
                      "--ledger",    "--candidate-size"};
  spec.switch_flags = {"--json", "--no-ledger"};
  auto arguments = parse_arguments(words, spec);
  if (!arguments) return fail(kExitUsage, "compare: " + arguments.message());
  if (arguments->positional.size() != 1) return fail(kExitUsage, kCompareUsage);
  if (!arguments->has("--candidate") && !arguments->has("--candidate-conf") &&
      !arguments->has("--candidate-iou") && !arguments->has("--candidate-size")) {
    return fail(kExitUsage,
                "compare: give --candidate B (or a --candidate-conf, --candidate-iou"
                " or --candidate-size for the same model)");
  }

  Side primary;
  Side candidate;
  primary.argument = arguments->text("--model", kDefaultModel);
  candidate.argument = arguments->text("--candidate", primary.argument);
  if (Status valid = read_side_options(*arguments, "--", PostprocessOptions{}, primary.options);
      !valid) {
    return fail(kExitUsage, "compare: " + valid.message());
  }
  if (Status valid =
          read_side_options(*arguments, "--candidate-", primary.options, candidate.options);
      !valid) {
    return fail(kExitUsage, "compare: candidate: " + valid.message());
  }
  auto match_iou = arguments->number("--match-iou", static_cast<float>(monitor::kDefaultMatchIou));
  if (!match_iou) return fail(kExitUsage, "compare: " + match_iou.message());
  if (!(*match_iou > 0 && *match_iou <= 1)) {
    return fail(kExitUsage,
                "compare: --match-iou " + std::to_string(*match_iou) + " is outside (0, 1]");
  }
  std::pair<int, int> candidate_size{0, 0};
  if (arguments->has("--candidate-size")) {
    auto size = parse_size(arguments->text("--candidate-size", ""));
    if (!size) return fail(kExitUsage, "compare: " + size.message());
    candidate_size = *size;
  }

  for (Side* side : {&primary, &candidate}) {
    auto opened = open_detector(side->argument, engine::EngineOptions{});
    if (!opened) return fail(kExitFailure, "compare: " + opened.message());
    if (!opened->guess.empty()) log_warning("cli", "no model card; guessed " + opened->guess);
    side->detector = std::move(opened->detector);
  }
  if (candidate_size.first > 0) {
    auto resized = resized_candidate(candidate.argument, std::move(candidate.detector),
                                     candidate_size.first, candidate_size.second);
    if (!resized) return fail(kExitFailure, "compare: " + resized.message());
    candidate.detector = std::move(*resized);
  }

  // The photos: a labelled dataset's images (with paths), or a plain folder's photos.
  const std::string dataset_path = arguments->positional.front();
  const bool labelled = is_labelled_dataset(dataset_path);
  std::optional<eval::Dataset> dataset;
  std::vector<std::pair<std::string, int64_t>> photos;  // path, dataset image id
  std::vector<std::string> skipped;
  if (labelled) {
    eval::DatasetOptions options;
    options.images_dir = arguments->text("--images", "");
    eval::ValidationReport validation;
    auto loaded = eval::load_dataset(dataset_path, options, validation);
    if (!loaded) return fail(kExitFailure, "compare: " + loaded.message());
    std::fprintf(stderr, "dataset: %s\n", eval::validation_summary(validation).c_str());
    dataset = std::move(*loaded);
    for (const eval::DatasetImage& image : dataset->images) {
      if (image.path.empty()) {
        skipped.push_back(image.file_name + ": photo not found");
      } else {
        photos.emplace_back(image.path, image.id);
      }
    }
    for (Side* side : {&primary, &candidate}) {
      auto mapping = eval::map_classes_to_categories(side->detector->card().class_names, *dataset);
      if (!mapping) return fail(kExitFailure, "compare: " + mapping.message());
      side->class_to_category = std::move(*mapping);
    }
  } else {
    auto listing = monitor::list_photos(dataset_path, monitor::kMaxWindowPhotos);
    if (!listing) return fail(kExitFailure, "compare: " + listing.message());
    skipped = listing->skipped;
    for (const std::string& path : listing->photos)
      photos.emplace_back(path, 0);
  }

  const std::vector<int> class_map = monitor::candidate_class_map(
      primary.detector->card().class_names, candidate.detector->card().class_names);
  std::vector<monitor::ShadowPhoto> results;
  std::map<int64_t, eval::ImageMeasure> measures;
  for (size_t i = 0; i < photos.size(); ++i) {
    const auto& [path, image_id] = photos[i];
    const std::string name = fs::path(path).filename().string();
    print_progress(static_cast<int>(i + 1), static_cast<int>(photos.size()));
    auto bytes = read_file(path, uint64_t{1} << 30);
    if (!bytes) {
      skipped.push_back(name + ": " + bytes.message());
      continue;
    }
    std::vector<DetectionReport> reports;
    for (Side* side : {&primary, &candidate}) {
      auto report = side->detector->detect(*bytes, name, side->options);
      if (!report) {
        skipped.push_back(name + ": " + side->detector->card().name + ": " + report.message());
        break;
      }
      reports.push_back(std::move(*report));
    }
    if (reports.size() != 2) continue;
    results.push_back(monitor::compare_reports(reports[0], reports[1], class_map, *match_iou));
    if (!dataset) continue;

    if (auto image = decode_image(*bytes, name)) {
      measures[image_id].brightness = eval::mean_brightness(*image);
    }
    // Each model's own detections, through its own class mapping.
    for (size_t s = 0; s < 2; ++s) {
      Side& side = s == 0 ? primary : candidate;
      for (const Detection& box : reports[s].detections) {
        const bool known =
            box.class_id >= 0 && box.class_id < static_cast<int>(side.class_to_category.size());
        if (known && side.class_to_category[box.class_id] >= 0) {
          side.boxes.push_back(
              eval::to_scored_box(image_id, side.class_to_category[box.class_id], box));
        }
      }
    }
  }
  for (const std::string& line : skipped) {
    std::fprintf(stderr, "sightline: skipped %s\n", line.c_str());
  }
  if (results.empty()) return fail(kExitFailure, "compare: no photo could be compared");

  const monitor::ShadowSummary summary = monitor::summarise_shadow(results);
  monitor::ShadowModels models{primary.detector->card().name, candidate.detector->card().name,
                               primary.detector->card().class_names};
  Json out = Json::parse(monitor::shadow_to_json(results, summary, models));
  out["skipped"] = skipped;
  if (!arguments->has("--json")) print_summary(results, summary, models);

  if (dataset) {
    Json evaluation = Json::object();
    std::vector<eval::EvaluationReport> reports;
    std::vector<std::string> run_ids;
    for (Side* side : {&primary, &candidate}) {
      const std::string label = side == &primary ? "primary" : "candidate";
      const eval::EvaluationReport report =
          eval::evaluate_dataset(*dataset, side->boxes, measures, eval::EvaluationSettings{});
      std::string run_id;
      if (!arguments->has("--no-ledger")) {
        const std::string ledger_path = arguments->text("--ledger", eval::default_ledger_path());
        auto id =
            eval::append_run(ledger_path, ledger_record(*side, dataset_path, *dataset, report));
        if (id) {
          run_id = *id;
          std::fprintf(stderr, "%s recorded as run %s in %s\n", label.c_str(), id->c_str(),
                       ledger_path.c_str());
        } else {
          std::fprintf(stderr, "sightline: warning: %s run not recorded: %s\n", label.c_str(),
                       id.message().c_str());
        }
      }
      Json metrics = {{"model", side->detector->card().name},
                      {"confidence", side->options.confidence},
                      {"run", run_id}};
      for (int m = 0; m < eval::kMetricCount; ++m) {
        metrics[eval::metric_name(m)] = report.coco.stats[m];
      }
      evaluation[label] = std::move(metrics);
      reports.push_back(report);
    }
    out["evaluation"] = evaluation;
    if (!arguments->has("--json")) {
      std::printf(
          "\nwith labels (at each model's confidence threshold, so AP is below a "
          "--conf 0.001 eval):\n%-8s %12s %12s %10s\n",
          "metric", "primary", "candidate", "change");
      for (int m = 0; m < eval::kMetricCount; ++m) {
        std::printf("%-8s %12.4f %12.4f %+10.4f\n", eval::metric_name(m), reports[0].coco.stats[m],
                    reports[1].coco.stats[m], reports[1].coco.stats[m] - reports[0].coco.stats[m]);
      }
    }
  }
  if (arguments->has("--json")) {
    std::printf("%s\n", out.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  }
  return kExitOk;
}

}  // namespace sightline::cli
