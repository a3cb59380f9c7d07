// The four-float vector layer that every fast kernel is written against.
//
// A backend is a struct with a vector type `T` and static operations on it:
//   load/store (unaligned), broadcast, zero, add, sub, mul, div, mul_add (a * b + c), max, min,
//   exp2_from_shifted, even_lanes/odd_lanes (de-interleave), interleave_low/interleave_high.
// Kernels are templates over the backend, so one source serves Vec4Native (WASM SIMD128, SSE2 or
// NEON, chosen at compile time) and Vec4Scalar (chosen at run time by the force-scalar switch).
// Only the vec4_*.h headers and the files under simd/ contain intrinsics.
#pragma once

#include "engine/simd/vec4_scalar.h"

#if defined(__wasm_simd128__)
#include "engine/simd/vec4_wasm.h"
#elif defined(__SSE2__) || defined(_M_X64)
#include "engine/simd/vec4_sse.h"
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include "engine/simd/vec4_neon.h"
#endif

namespace sightline::engine::simd {

#if defined(__wasm_simd128__)
using Vec4Native = Vec4Wasm;
#elif defined(__SSE2__) || defined(_M_X64)
using Vec4Native = Vec4Sse;
#elif defined(__ARM_NEON) && defined(__aarch64__)
using Vec4Native = Vec4Neon;
#else
using Vec4Native = Vec4Scalar;
#endif

constexpr int kVec4Lanes = 4;

}  // namespace sightline::engine::simd
