// The activations the fast kernels fuse into their output (after the bias), and what a GEMM
// micro-kernel applies to its finished tile before storing it.
#pragma once

namespace sightline::engine::simd {

// kSilu is x * sigmoid(x).
enum class Activation { kNone, kSigmoid, kSilu };

struct TileEpilogue {
  // One value per tile row (all tile rows, padded with zeros past the matrix), or null.
  const float* bias = nullptr;
  Activation activation = Activation::kNone;
};

}  // namespace sightline::engine::simd
