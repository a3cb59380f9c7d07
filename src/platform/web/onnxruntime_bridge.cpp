// ONNX Runtime Web behind app::OnnxRuntimeRunner, without Asyncify: run() hands the input to
// the page's bridge (web/site/onnxruntime-bridge.js), whose promise later calls back
// sightline_web_onnxruntime_done or sightline_web_onnxruntime_failed with the request id.
// Both run under guard_entry (web_platform.h), like every function JS calls.
#include <emscripten.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "platform/web/web_platform.h"

namespace sightline::platform {
namespace {

// The bridge copies what it needs (the model only on a session's first use) before returning,
// so none of these pointers outlive the call. (clang-format would break the JS inside.)
// clang-format off
EM_JS(void, start_onnxruntime_run,
      (int request, int model_id, const uint8_t* model, int model_size, const char* input_name,
       const float* input, int input_count, const int* dims, int rank),
      {
        const heap = Module.sightlineHeap();
        const modelBytes = function() { return heap.u8.slice(model, model + model_size); };
        const inputData = heap.f32.slice(input >> 2, (input >> 2) + input_count);
        const inputDims = Array.from(heap.i32.subarray(dims >> 2, (dims >> 2) + rank));
        Module.sightlineOnnxRuntime.start(request, model_id, modelBytes, UTF8ToString(input_name),
                                          inputData, inputDims);
      });
// clang-format on

std::map<int, app::OnnxRuntimeRunner::Done>& pending_runs() {
  static std::map<int, app::OnnxRuntimeRunner::Done> runs;
  return runs;
}

class WebOnnxRuntimeRunner : public app::OnnxRuntimeRunner {
 public:
  void run(int model_id, std::span<const uint8_t> onnx_bytes, const std::string& input_name,
           const FloatTensor& input, Done done) override {
    const int request = next_request_++;
    pending_runs()[request] = std::move(done);
    const std::vector<int> dims(input.shape.begin(), input.shape.end());
    start_onnxruntime_run(request, model_id, onnx_bytes.data(), static_cast<int>(onnx_bytes.size()),
                          input_name.c_str(), input.data.data(),
                          static_cast<int>(input.data.size()), dims.data(),
                          static_cast<int>(dims.size()));
  }

 private:
  int next_request_ = 1;
};

app::OnnxRuntimeRunner::Done take_pending_run(int request) {
  auto found = pending_runs().find(request);
  if (found == pending_runs().end()) return {};
  app::OnnxRuntimeRunner::Done done = std::move(found->second);
  pending_runs().erase(found);
  return done;
}

}  // namespace

std::unique_ptr<app::OnnxRuntimeRunner> make_web_onnxruntime_runner() {
  return std::make_unique<WebOnnxRuntimeRunner>();
}

}  // namespace sightline::platform

extern "C" {

// Output layout: row-major with the given dims, count = product of dims (checked here).
// The app's continuation (post-processing, the UI) runs under the JS boundary's guard.
EMSCRIPTEN_KEEPALIVE void sightline_web_onnxruntime_done(int request, const float* data, int count,
                                                         const int* dims, int rank) {
  sightline::platform::guard_entry("take ONNX Runtime Web's output", [&] {
    auto done = sightline::platform::take_pending_run(request);
    if (!done) return;
    sightline::FloatTensor output;
    output.shape.assign(dims, dims + std::max(rank, 0));
    if (rank < 1 || output.element_count() != count) {
      return done(sightline::make_error("ONNX Runtime Web returned " + std::to_string(count) +
                                        " values for shape " +
                                        sightline::shape_to_string(output.shape)));
    }
    output.data.assign(data, data + count);
    done(std::move(output));
  });
}

EMSCRIPTEN_KEEPALIVE void sightline_web_onnxruntime_failed(int request, const char* message) {
  sightline::platform::guard_entry("take ONNX Runtime Web's failure", [&] {
    auto done = sightline::platform::take_pending_run(request);
    if (done) done(sightline::make_error(message));
  });
}

}  // extern "C"
