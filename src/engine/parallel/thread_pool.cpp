// Thread pool: workers spin briefly on a generation counter (kernels come in quick succession
// during an inference), then sleep on a condition variable.
#include "engine/parallel/thread_pool.h"

#include <algorithm>

namespace sightline::engine::parallel {
namespace {

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
constexpr bool kThreadsSupported = false;
#else
constexpr bool kThreadsSupported = true;
#endif

// About 30-50 microseconds of polling before a worker goes to sleep: long enough to bridge the
// gap between two kernels of one inference, short enough not to burn a shared core when idle.
constexpr int kSpinIterations = 20000;

thread_local bool inside_pool_body = false;

void relax_cpu() {
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  threads_ = kThreadsSupported ? std::clamp(threads, 1, kMaxThreads) : 1;
  workers_.reserve(static_cast<size_t>(threads_ - 1));
  for (int chunk = 1; chunk < threads_; ++chunk) {
    workers_.emplace_back([this, chunk] { worker_loop(chunk); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stopping_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) {
    worker.join();
  }
}

void ThreadPool::run_chunk(int chunk) const {
  if (chunk >= job_chunks_) {
    return;
  }
  const int64_t begin = job_count_ * chunk / job_chunks_;
  const int64_t end = job_count_ * (chunk + 1) / job_chunks_;
  if (begin < end) {
    job_function_(job_context_, begin, end);
  }
}

void ThreadPool::run(int64_t count, void* context, ChunkFunction function) {
  std::unique_lock<std::mutex> dispatch(dispatch_mutex_, std::try_to_lock);
  if (threads_ == 1 || count == 1 || inside_pool_body || !dispatch.owns_lock()) {
    function(context, 0, count);
    return;
  }

  job_context_ = context;
  job_function_ = function;
  job_count_ = count;
  job_chunks_ = static_cast<int>(std::min<int64_t>(count, threads_));
  workers_busy_.store(threads_ - 1, std::memory_order_relaxed);
  {
    // Under the mutex so a worker that is about to sleep cannot miss the new generation.
    std::lock_guard<std::mutex> lock(wake_mutex_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  wake_.notify_all();

  inside_pool_body = true;
  run_chunk(0);
  inside_pool_body = false;

  int spins = 0;
  while (workers_busy_.load(std::memory_order_acquire) != 0) {
    if (++spins < kSpinIterations) {
      relax_cpu();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::worker_loop(int chunk) {
  inside_pool_body = true;
  uint64_t seen = 0;
  while (true) {
    uint64_t generation = generation_.load(std::memory_order_acquire);
    for (int spin = 0; spin < kSpinIterations && generation == seen; ++spin) {
      relax_cpu();
      generation = generation_.load(std::memory_order_acquire);
    }
    if (generation == seen) {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      generation = generation_.load(std::memory_order_acquire);
    }
    seen = generation;
    if (stopping_.load(std::memory_order_acquire)) {
      return;
    }

    run_chunk(chunk);
    workers_busy_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace sightline::engine::parallel
