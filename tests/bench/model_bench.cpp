// Whole-model benchmark driver for scripts/bench (a program, not a test), built natively and as
// WebAssembly for Node. Loads a model card on the Sightline engine, prepares the given photos
// (letterbox), optionally writes each prepared input as raw float32 so ONNX Runtime can be fed
// exactly the same tensors, then times inference alone over the photos in turn and, apart,
// post-processing (decode + NMS). Prints one JSON object on stdout.
//
// Usage: model_bench --card CARD.json --models DIR [--threads N] [--runs 20] [--warmup 3]
//                    [--scalar] [--write-inputs DIR] [--profile] PHOTO...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/detector.h"
#include "core/image.h"
#include "core/model_store.h"
#include "engine/engine.h"
#include "engine/simd/isa.h"

namespace {

using namespace sightline;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string card;
  std::string models;
  int threads = 1;
  int runs = 20;
  int warmup = 3;
  bool scalar = false;
  bool profile = false;
  std::string write_inputs;
  std::vector<std::string> photos;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "model_bench: %s\n", message.c_str());
  return 2;
}

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void print_samples(const char* name, const std::vector<double>& samples) {
  std::printf("\"%s\": [", name);
  for (size_t i = 0; i < samples.size(); ++i)
    std::printf("%s%.4f", i == 0 ? "" : ", ", samples[i]);
  std::printf("]");
}

bool parse(int argc, char** argv, Options& options, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    const bool has_value = i + 1 < argc;
    if (word == "--scalar") {
      options.scalar = true;
    } else if (word == "--profile") {
      options.profile = true;
    } else if (word.rfind("--", 0) == 0 && !has_value) {
      error = word + " needs a value";
      return false;
    } else if (word == "--card") {
      options.card = argv[++i];
    } else if (word == "--models") {
      options.models = argv[++i];
    } else if (word == "--write-inputs") {
      options.write_inputs = argv[++i];
    } else if (word == "--threads" || word == "--runs" || word == "--warmup") {
      const int value = std::atoi(argv[++i]);
      if (value < (word == "--warmup" ? 0 : 1) || value > 100000) {
        error = word + " " + argv[i] + " is out of range";
        return false;
      }
      (word == "--threads" ? options.threads
       : word == "--runs"  ? options.runs
                           : options.warmup) = value;
    } else if (word.rfind("--", 0) == 0) {
      error = "unknown option " + word;
      return false;
    } else {
      options.photos.push_back(word);
    }
  }
  if (options.card.empty() || options.models.empty() || options.photos.empty()) {
    error = "needs --card, --models and at least one photo";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string error;
  if (!parse(argc, argv, options, error)) return usage_error(error);

  auto card = load_card(options.card, options.models);
  if (!card) return usage_error(card.message());
  auto model = load_model_file(*card, options.models);
  if (!model) return usage_error(model.message());
  engine::EngineOptions engine_options;
  engine_options.threads = options.threads;
  engine_options.force_scalar = options.scalar;
  auto loaded = engine::load_engine(*model, card->file, engine_options);
  if (!loaded) return usage_error(loaded.message());
  engine::Engine* engine = loaded->get();
  std::unique_ptr<InferenceBackend> backend = std::move(loaded).value();
  auto created = Detector::create(*card, std::move(backend));
  if (!created) return usage_error(created.message());
  std::unique_ptr<Detector> detector = std::move(created).value();

  std::vector<PreparedInput> inputs;
  for (size_t i = 0; i < options.photos.size(); ++i) {
    auto bytes = read_file(options.photos[i], uint64_t{1} << 30);
    if (!bytes) return usage_error(bytes.message());
    auto image = decode_image(*bytes, options.photos[i]);
    if (!image) return usage_error(image.message());
    inputs.push_back(detector->prepare(*image));
    if (!options.write_inputs.empty()) {
      const std::string path = options.write_inputs + "/input" + std::to_string(i) + ".bin";
      std::ofstream file(path, std::ios::binary);
      const std::vector<float>& data = inputs.back().tensor.data;
      file.write(reinterpret_cast<const char*>(data.data()),
                 static_cast<std::streamsize>(data.size() * sizeof(float)));
      if (!file) return usage_error("cannot write " + path);
    }
  }

  std::vector<double> inference_ms;
  std::vector<double> postprocess_ms;
  size_t detections = 0;
  for (int run = 0; run < options.warmup + options.runs; ++run) {
    const PreparedInput& input = inputs[static_cast<size_t>(run) % inputs.size()];
    const Clock::time_point start = Clock::now();
    auto raw = engine->run(input.tensor);
    const double inference = elapsed_ms(start);
    if (!raw) return usage_error(raw.message());
    const Clock::time_point finish_start = Clock::now();
    auto boxes = detector->finish(*raw, input.geometry, PostprocessOptions{});
    const double finishing = elapsed_ms(finish_start);
    if (!boxes) return usage_error(boxes.message());
    if (run < options.warmup) continue;
    inference_ms.push_back(inference);
    postprocess_ms.push_back(finishing);
    detections += boxes->size();
  }

  int64_t flops = 0;
  for (const engine::PlannedNode& node : engine->execution_order())
    flops += node.flops;
  std::printf(
      "{\"backend\": \"sightline\", \"kernels\": \"%s\", \"threads\": %d, \"flops\": %lld, "
      "\"photos\": %zu, \"detections\": %zu, \"measured_ghz\": %.3f, ",
      engine->kernel_description().c_str(), options.threads, static_cast<long long>(flops),
      inputs.size(), detections, engine::simd::measured_clock_ghz());
  print_samples("inference_ms", inference_ms);
  std::printf(", ");
  print_samples("postprocess_ms", postprocess_ms);

  if (options.profile) {
    engine->set_profiling(true);
    for (int run = 0; run < options.runs; ++run) {
      if (!engine->run(inputs[static_cast<size_t>(run) % inputs.size()].tensor))
        return usage_error("a profiled run failed");
    }
    const engine::EngineProfile profile = engine->profile();
    std::printf(", \"profile\": {\"total_ms\": %.4f, \"op_types\": [", profile.total_milliseconds);
    for (size_t i = 0; i < profile.op_types.size(); ++i) {
      const engine::OpTypeProfile& type = profile.op_types[i];
      std::printf("%s{\"op_type\": \"%s\", \"steps\": %d, \"ms\": %.4f, \"flops\": %lld}",
                  i == 0 ? "" : ", ", type.op_type.c_str(), type.steps, type.milliseconds,
                  static_cast<long long>(type.flops));
    }
    std::printf("], \"nodes\": [");
    for (size_t i = 0; i < profile.nodes.size(); ++i) {
      const engine::NodeProfile& node = profile.nodes[i];
      std::printf(
          "%s{\"name\": \"%s\", \"op_type\": \"%s\", \"kernel\": \"%s\", \"ms\": %.4f, "
          "\"flops\": %lld}",
          i == 0 ? "" : ", ", node.node.name.c_str(), node.node.op_type.c_str(),
          node.node.kernel.c_str(), node.milliseconds, static_cast<long long>(node.node.flops));
    }
    std::printf("]}");
  }
  std::printf("}\n");
  return 0;
}
