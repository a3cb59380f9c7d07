// `sightline info`: what a model contains and whether our engine can run it.
#include <cstdio>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "core/model_store.h"
#include "engine/engine.h"

namespace sightline::cli {
namespace {

void print_tensors(const char* heading, const std::vector<TensorInfo>& tensors) {
  std::printf("%s:\n", heading);
  for (const TensorInfo& tensor : tensors) {
    std::printf("  %-20s %s\n", tensor.name.c_str(), shape_to_string(tensor.shape).c_str());
  }
}

}  // namespace

int run_info(const std::vector<std::string>& words) {
  auto arguments = parse_arguments(words, ArgumentSpec{});
  if (!arguments) return fail(kExitUsage, "info: " + arguments.message());
  if (arguments->positional.size() != 1) {
    return fail(kExitUsage, "info: expected exactly one model (an .onnx file or a model card)");
  }

  const std::string& model_argument = arguments->positional.front();
  auto card_path = find_card(model_argument, default_cards_dir());
  if (!card_path) return fail(kExitFailure, card_path.message());

  std::string model_name = model_argument;
  Result<std::vector<uint8_t>> bytes = std::vector<uint8_t>();
  if (card_path->empty()) {
    bytes = read_file(model_argument, kMaxModelFileBytes);
  } else {
    auto card = load_card(*card_path, default_models_dir());
    if (!card) return fail(kExitFailure, card.message());
    model_name = card->name + " (" + card->file + ")";
    bytes = load_model_file(*card, default_models_dir());
  }
  if (!bytes) return fail(kExitFailure, bytes.message());

  auto summary = engine::inspect_model(*bytes, model_argument);
  if (!summary) return fail(kExitFailure, summary.message());

  std::printf("model: %s\n", model_name.c_str());
  std::printf("producer: %s, ir version %lld, opset %lld, %lld parameters\n",
              summary->producer.empty() ? "unknown" : summary->producer.c_str(),
              static_cast<long long>(summary->ir_version), static_cast<long long>(summary->opset),
              static_cast<long long>(summary->parameter_count));
  print_tensors("inputs", summary->inputs);
  print_tensors("outputs", summary->outputs);
  std::printf("operators:\n");
  for (const engine::OperatorUse& use : summary->operators) {
    std::printf("  %-24s %5d  %s\n", use.op_type.c_str(), use.count,
                use.supported ? "supported" : "NOT SUPPORTED");
  }
  if (summary->unsupported.empty()) {
    std::printf("our engine can run this model\n");
    return kExitOk;
  }
  std::printf("our engine cannot run this model:\n");
  for (const engine::UnsupportedNode& node : summary->unsupported) {
    std::printf("  %s (%s): %s\n", node.node_name.c_str(), node.op_type.c_str(),
                node.reason.c_str());
  }
  return kExitOk;
}

}  // namespace sightline::cli
