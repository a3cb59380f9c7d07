// InferenceBackend: what the detector needs from anything that can run a model.
//
// Our own engine (src/engine) implements it natively and in WebAssembly; the web build adds
// ONNX Runtime Web behind the same interface. The detector never knows which one it talks to.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/tensor.h"

namespace sightline {

struct TensorInfo {
  std::string name;
  // Dimensions as the model declares them; -1 marks a dynamic dimension.
  std::vector<int64_t> shape;
};

class InferenceBackend {
 public:
  virtual ~InferenceBackend() = default;

  // "sightline" or "onnxruntime": the name users pick a backend by.
  virtual std::string name() const = 0;

  virtual const std::vector<TensorInfo>& inputs() const = 0;
  virtual const std::vector<TensorInfo>& outputs() const = 0;

  // Runs the model on one input tensor and returns its first output.
  virtual Result<FloatTensor> run(const FloatTensor& input) = 0;
};

}  // namespace sightline
