// `sightline bench`: times inference alone (and post-processing apart) on one photo, and with
// --profile shows where the time goes per operator type and per node, with GFLOP/s against the
// single-core peak of the instruction set the engine runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/model_opening.h"
#include "core/image.h"
#include "core/log.h"
#include "core/model_store.h"
#include "engine/simd/isa.h"

namespace sightline::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Summary {
  double median = 0.0;
  double min = 0.0;
  double max = 0.0;
};

Summary summarize(std::vector<double> samples) {
  Summary summary;
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  const size_t middle = samples.size() / 2;
  summary.median =
      samples.size() % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2.0;
  summary.min = samples.front();
  summary.max = samples.back();
  return summary;
}

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The core clock in GHz: measured where possible, else the first "cpu MHz" line of
// /proc/cpuinfo, else 0.
double cpu_ghz() {
  const double measured = engine::simd::measured_clock_ghz();
  if (measured > 0.0) return measured;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) return 0.0;
    return std::atof(line.c_str() + colon + 1) / 1000.0;
  }
  return 0.0;
}

// Single-precision operations one core can retire per cycle with the engine's instruction set:
// vector lanes x 2 (a multiply and an add, fused or not) x 2 vector pipes. AVX2 + FMA: 8 lanes,
// 32 per cycle; the four-float backends (SSE2, WASM SIMD128, NEON): 16; scalar: 4.
int flops_per_cycle(const std::string& kernels) {
  if (kernels.rfind("avx2", 0) == 0) return 32;
  if (kernels.rfind("scalar", 0) == 0) return 4;
  return 16;
}

std::string json_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      escaped += '\\';
      escaped += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      escaped += buffer;
    } else {
      escaped += c;
    }
  }
  return escaped;
}

double gflops(int64_t flops, double milliseconds) {
  return milliseconds > 0.0 ? static_cast<double>(flops) / (milliseconds * 1e6) : 0.0;
}

struct BenchResult {
  std::string model;
  std::string image;
  std::string kernels;
  int threads = 1;
  int runs = 0;
  Summary inference;
  Summary postprocess;
  size_t detections = 0;
  int64_t flops = 0;
  double peak_gflops = 0.0;
  double ghz = 0.0;
  int64_t arena_bytes = 0;
  engine::EngineProfile profile;
  bool profiled = false;
};

void print_text(const BenchResult& r) {
  const double achieved = gflops(r.flops, r.inference.median);
  std::printf("model %s, image %s, %s\n", r.model.c_str(), r.image.c_str(), r.kernels.c_str());
  std::printf("inference   median %8.2f ms  min %8.2f  max %8.2f  (%d runs)\n", r.inference.median,
              r.inference.min, r.inference.max, r.runs);
  std::printf("postprocess median %8.3f ms  min %8.3f  max %8.3f  (%zu detections)\n",
              r.postprocess.median, r.postprocess.min, r.postprocess.max, r.detections);
  std::printf(
      "%.3f GFLOP per run: %.1f GFLOP/s; single-core peak %.1f GFLOP/s at %.2f GHz "
      "(%.0f%% of peak%s)\n",
      static_cast<double>(r.flops) / 1e9, achieved, r.peak_gflops, r.ghz,
      r.peak_gflops > 0 ? 100.0 * achieved / (r.peak_gflops * r.threads) : 0.0,
      r.threads > 1 ? " times the threads" : "");
  std::printf("arena %.1f MiB\n", static_cast<double>(r.arena_bytes) / (1 << 20));
  if (!r.profiled) return;

  const engine::EngineProfile& p = r.profile;
  std::printf("\nprofile: mean of %d runs, %.2f ms in steps\n", p.runs, p.total_milliseconds);
  std::printf("  %-16s %5s %9s %6s %9s %9s\n", "op type", "steps", "ms", "%", "GFLOP", "GFLOP/s");
  for (const engine::OpTypeProfile& type : p.op_types) {
    std::printf("  %-16s %5d %9.3f %5.1f%% %9.4f %9.1f\n", type.op_type.c_str(), type.steps,
                type.milliseconds, 100.0 * type.milliseconds / p.total_milliseconds,
                static_cast<double>(type.flops) / 1e9, gflops(type.flops, type.milliseconds));
  }

  std::vector<engine::NodeProfile> nodes = p.nodes;
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const engine::NodeProfile& a, const engine::NodeProfile& b) {
                     return a.milliseconds > b.milliseconds;
                   });
  const size_t shown = std::min<size_t>(nodes.size(), 15);
  std::printf("\n  top %zu steps\n  %-28s %-14s %-22s %8s %9s\n", shown, "node", "op type",
              "kernel", "ms", "GFLOP/s");
  for (size_t i = 0; i < shown; ++i) {
    const engine::NodeProfile& n = nodes[i];
    std::printf("  %-28s %-14s %-22s %8.3f %9.1f\n", n.node.name.c_str(), n.node.op_type.c_str(),
                n.node.kernel.c_str(), n.milliseconds, gflops(n.node.flops, n.milliseconds));
  }
}

void print_json(const BenchResult& r) {
  std::printf(
      "{\"model\": \"%s\", \"image\": \"%s\", \"kernels\": \"%s\", \"threads\": %d, "
      "\"runs\": %d,\n",
      json_escape(r.model).c_str(), json_escape(r.image).c_str(), json_escape(r.kernels).c_str(),
      r.threads, r.runs);
  std::printf(" \"inference_ms\": {\"median\": %.4f, \"min\": %.4f, \"max\": %.4f},\n",
              r.inference.median, r.inference.min, r.inference.max);
  std::printf(" \"postprocess_ms\": {\"median\": %.4f, \"min\": %.4f, \"max\": %.4f},\n",
              r.postprocess.median, r.postprocess.min, r.postprocess.max);
  std::printf(
      " \"detections\": %zu, \"flops\": %lld, \"gflops_per_s\": %.2f, "
      "\"peak_gflops_per_s_per_core\": %.2f, \"ghz\": %.3f, \"arena_bytes\": %lld",
      r.detections, static_cast<long long>(r.flops), gflops(r.flops, r.inference.median),
      r.peak_gflops, r.ghz, static_cast<long long>(r.arena_bytes));
  if (r.profiled) {
    std::printf(",\n \"profile\": {\"runs\": %d, \"total_ms\": %.4f, \"op_types\": [",
                r.profile.runs, r.profile.total_milliseconds);
    for (size_t i = 0; i < r.profile.op_types.size(); ++i) {
      const engine::OpTypeProfile& t = r.profile.op_types[i];
      std::printf("%s\n  {\"op_type\": \"%s\", \"steps\": %d, \"ms\": %.4f, \"flops\": %lld}",
                  i == 0 ? "" : ",", json_escape(t.op_type).c_str(), t.steps, t.milliseconds,
                  static_cast<long long>(t.flops));
    }
    std::printf("],\n \"nodes\": [");
    for (size_t i = 0; i < r.profile.nodes.size(); ++i) {
      const engine::NodeProfile& n = r.profile.nodes[i];
      std::printf(
          "%s\n  {\"name\": \"%s\", \"op_type\": \"%s\", \"kernel\": \"%s\", "
          "\"ms\": %.4f, \"flops\": %lld}",
          i == 0 ? "" : ",", json_escape(n.node.name).c_str(), json_escape(n.node.op_type).c_str(),
          json_escape(n.node.kernel).c_str(), n.milliseconds, static_cast<long long>(n.node.flops));
    }
    std::printf("]}");
  }
  std::printf("}\n");
}

// A mid-grey photo for runs without an image: inference time does not depend on the pixels.
Image grey_photo() {
  Image image;
  image.width = 640;
  image.height = 480;
  image.rgb.assign(static_cast<size_t>(image.width) * image.height * 3, 128);
  return image;
}

}  // namespace

int run_bench(const std::vector<std::string>& words) {
  ArgumentSpec spec;
  spec.value_flags = {"--model", "--threads", "--runs", "--warmup", "--ghz"};
  spec.switch_flags = {"--profile", "--json", "--scalar"};
  auto arguments = parse_arguments(words, spec);
  if (!arguments) return fail(kExitUsage, "bench: " + arguments.message());
  if (arguments->positional.size() > 1) return fail(kExitUsage, "bench: takes at most one image");
  auto threads = arguments->integer("--threads", 1, 1, 256);
  auto runs = arguments->integer("--runs", 20, 1, 100000);
  auto warmup = arguments->integer("--warmup", 3, 0, 100000);
  auto ghz_flag = arguments->number("--ghz", 0.0f);
  for (const auto* parsed : {&threads, &runs, &warmup}) {
    if (!*parsed) return fail(kExitUsage, "bench: " + parsed->message());
  }
  if (!ghz_flag) return fail(kExitUsage, "bench: " + ghz_flag.message());
  if (*ghz_flag < 0.0f || *ghz_flag > 10.0f) {
    return fail(kExitUsage,
                "bench: --ghz " + std::to_string(*ghz_flag) + " is outside [0, 10] (0: detect)");
  }

  engine::EngineOptions options;
  options.threads = *threads;
  options.force_scalar = arguments->has("--scalar");
  const std::string model = arguments->text("--model", kDefaultModel);
  auto opened = open_detector(model, options);
  if (!opened) return fail(kExitFailure, opened.message());
  Detector& detector = *opened->detector;
  auto* engine = dynamic_cast<engine::Engine*>(&detector.backend());
  if (engine == nullptr)
    return fail(kExitFailure, "bench: the model did not open on the Sightline engine");

  BenchResult result;
  result.model = model;
  result.image = "(grey 640x480)";
  Image image = grey_photo();
  if (!arguments->positional.empty()) {
    result.image = arguments->positional[0];
    auto bytes = read_file(result.image, uint64_t{1} << 30);
    if (!bytes) return fail(kExitFailure, "bench: image " + bytes.message());
    auto decoded = decode_image(*bytes, result.image);
    if (!decoded) return fail(kExitFailure, "bench: " + decoded.message());
    image = std::move(decoded).value();
  }
  const PreparedInput input = detector.prepare(image);
  PostprocessOptions postprocess;

  std::vector<double> inference_ms;
  std::vector<double> postprocess_ms;
  for (int i = 0; i < *warmup + *runs; ++i) {
    const Clock::time_point start = Clock::now();
    auto raw = engine->run(input.tensor);
    const double inference = elapsed_ms(start);
    if (!raw) return fail(kExitFailure, "bench: " + raw.message());
    const Clock::time_point finish_start = Clock::now();
    auto detections = detector.finish(*raw, input.geometry, postprocess);
    const double finishing = elapsed_ms(finish_start);
    if (!detections) return fail(kExitFailure, "bench: " + detections.message());
    result.detections = detections->size();
    if (i >= *warmup) {
      inference_ms.push_back(inference);
      postprocess_ms.push_back(finishing);
    }
  }
  result.runs = *runs;
  result.inference = summarize(inference_ms);
  result.postprocess = summarize(postprocess_ms);
  result.kernels = engine->kernel_description();
  result.threads = options.force_scalar ? 1 : *threads;
  for (const engine::PlannedNode& node : engine->execution_order())
    result.flops += node.flops;
  result.ghz = *ghz_flag > 0.0f ? *ghz_flag : cpu_ghz();
  result.peak_gflops = result.ghz * flops_per_cycle(result.kernels);
  result.arena_bytes = engine->arena_bytes();

  // Profiled runs come after the timed ones: the clock reads per step would bias the timing.
  if (arguments->has("--profile")) {
    engine->set_profiling(true);
    for (int i = 0; i < *runs; ++i) {
      auto raw = engine->run(input.tensor);
      if (!raw) return fail(kExitFailure, "bench: " + raw.message());
    }
    result.profile = engine->profile();
    result.profiled = true;
    engine->set_profiling(false);
  }

  if (arguments->has("--json")) {
    print_json(result);
  } else {
    print_text(result);
  }
  return kExitOk;
}

}  // namespace sightline::cli
