// What every fast kernel receives besides its tensors: the thread pool and the instruction set.
#pragma once

#include "engine/parallel/thread_pool.h"
#include "engine/simd/activation.h"
#include "engine/simd/isa.h"

namespace sightline::engine::kernels::fast {

// Applied to each output element after the bias. kSilu is x * sigmoid(x).
using simd::Activation;

struct KernelContext {
  // Null runs everything on the calling thread.
  parallel::ThreadPool* pool = nullptr;
  simd::Isa isa = simd::Isa::kScalar;
};

// Runs body(begin, end) over [0, count) on the pool, or inline without one.
template <class Body>
void parallel_for(const KernelContext& context, int64_t count, Body&& body) {
  if (context.pool != nullptr) {
    context.pool->parallel_for(count, body);
  } else if (count > 0) {
    body(int64_t{0}, count);
  }
}

}  // namespace sightline::engine::kernels::fast
