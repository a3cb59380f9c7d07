// sightline: the command line of the Sightline detector.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: sightline <command> [options]\n"
    "\n"
    "commands:\n"
    "  detect IMAGE... [--model CARD|ONNX] [--conf 0.3] [--iou 0.45] [--max-det 300]\n"
    "                  [--agnostic] [--json] [--threads N] [--coco-out FILE [--force]]\n"
    "      find objects in photos; a table by default, one JSON object per photo with --json\n"
    "  info MODEL      inputs, outputs, opset and operators of an .onnx file or model card\n"
    "  validate DATASET [--images DIR] [--json [--boxes]]\n"
    "      check a YOLO folder or COCO JSON and report every problem with its file and line\n"
    "  eval DATASET [--model CARD|ONNX] [--conf 0.001] [--iou 0.65] [--max-det 100] [--json]\n"
    "               [--dets RESULTS.json] [--images DIR] [--ledger FILE] [--no-ledger]\n"
    "      COCO metrics (equal to pycocotools), confusion matrix, errors, slices; recorded\n"
    "  runs [list | show ID | diff A B] [--ledger FILE]\n"
    "      the ledger of evaluation runs\n"
    "  bench [IMAGE] [--model CARD|ONNX] [--threads N] [--runs 20] [--warmup 3] [--profile]\n"
    "        [--json] [--scalar] [--ghz G]\n"
    "      inference time (median/min/max) and post-processing time; --profile: time and\n"
    "      GFLOP/s per operator type and per node, against the single-core peak\n"
    "  monitor baseline DIR --out B.json [--model CARD|ONNX] [--force]\n"
    "  monitor check DIR --baseline B.json [--json] [--alpha 0.01] [--psi 0.2] [--min-photos 20]\n"
    "      drift of a folder of photos against a saved baseline; exit 1 when an alarm fires\n"
    "  compare DATASET --model A --candidate B [--json] [--conf 0.3] [--iou 0.45]\n"
    "                  [--candidate-conf X] [--ledger FILE] [--no-ledger]\n"
    "      shadow comparison of two models on the same photos (and both evaluated if labelled)\n"
    "\n"
    "--model takes a card name from models/ (default yolox_nano), a card path or an .onnx file.\n"
    "Model files are read from $SIGHTLINE_MODELS (default ../shared/models).\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) {
    std::fputs(kUsage, stderr);
    return sightline::cli::kExitUsage;
  }

  const std::string command = words.front();
  words.erase(words.begin());
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return sightline::cli::kExitOk;
  }
  if (command == "detect") return sightline::cli::run_detect(words);
  if (command == "info") return sightline::cli::run_info(words);
  if (command == "validate") return sightline::cli::run_validate(words);
  if (command == "eval") return sightline::cli::run_eval(words);
  if (command == "runs") return sightline::cli::run_runs(words);
  if (command == "bench") return sightline::cli::run_bench(words);
  if (command == "monitor") return sightline::cli::run_monitor(words);
  if (command == "compare") return sightline::cli::run_compare(words);

  std::fprintf(stderr, "sightline: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return sightline::cli::kExitUsage;
}
