// Thread pool: workers spin briefly on a generation counter (kernels come in quick succession
// during an inference), then sleep on a condition variable. Chunk boundaries are fixed per job;
// which thread runs a chunk is decided by an atomic claim, so results never depend on timing.
#include "engine/parallel/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace sightline::engine::parallel {
namespace {

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
constexpr bool kThreadsSupported = false;
#else
constexpr bool kThreadsSupported = true;
#endif

// How long a worker polls for the next job before it sleeps, and the dispatcher polls for the
// workers before it yields: long enough to bridge the gap between two kernels of one inference,
// short enough not to burn a shared core when idle. Polling uses plain loads and the clock, not
// the x86 pause instruction, which a hypervisor may trap (measured here: 120-170 ns each).
constexpr auto kSpinTime = std::chrono::microseconds(200);

thread_local bool inside_pool_body = false;

// Polls `done` for up to kSpinTime; true if it became true.
template <class Predicate>
bool spin_until(Predicate done) {
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    for (int i = 0; i < 256; ++i) {
      if (done()) {
        return true;
      }
    }
    if (std::chrono::steady_clock::now() - start > kSpinTime) {
      return false;
    }
  }
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  threads_ = kThreadsSupported ? std::clamp(threads, 1, kMaxThreads) : 1;
  workers_.reserve(static_cast<size_t>(threads_ - 1));
  for (int worker = 1; worker < threads_; ++worker) {
    workers_.emplace_back([this] { worker_loop(); });
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
  const int64_t begin = job_count_ * chunk / job_chunks_;
  const int64_t end = job_count_ * (chunk + 1) / job_chunks_;
  if (begin < end) {
    job_function_(job_context_, begin, end);
  }
}

// claim_ packs [generation : 48 | chunks : 8 | next unclaimed chunk : 8].
int ThreadPool::claim_chunk() {
  uint64_t word = claim_.load(std::memory_order_acquire);
  while (true) {
    const int next = static_cast<int>(word & 0xff);
    const int chunks = static_cast<int>((word >> 8) & 0xff);
    if (next >= chunks) {
      return -1;
    }
    if (claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      return next;
    }
  }
}

void ThreadPool::record_failure(std::exception_ptr failure) {
  std::lock_guard<std::mutex> lock(failure_mutex_);
  if (!job_failure_) job_failure_ = std::move(failure);
}

// A chunk that throws still counts as done, so the dispatcher's wait ends; the exception goes
// back to the dispatcher instead of escaping a worker thread (which would terminate).
void ThreadPool::run_claimed_chunks() {
  for (int chunk = claim_chunk(); chunk >= 0; chunk = claim_chunk()) {
    try {
      run_chunk(chunk);
    } catch (...) {
      record_failure(std::current_exception());
    }
    chunks_done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::run(int64_t count, void* context, ChunkFunction function) {
  std::unique_lock<std::mutex> dispatch(dispatch_mutex_, std::try_to_lock);
  if (threads_ == 1 || count == 1 || inside_pool_body || !dispatch.owns_lock()) {
    function(context, 0, count);
    return;
  }

  // The job's fields are written before claim_ publishes it; a chunk's fields stay valid until
  // every chunk is done, because this call does not return before that.
  job_context_ = context;
  job_function_ = function;
  job_count_ = count;
  job_chunks_ = static_cast<int>(std::min<int64_t>(count, threads_));
  job_failure_ = nullptr;
  chunks_done_.store(0, std::memory_order_relaxed);
  const uint64_t generation = generation_.load(std::memory_order_relaxed) + 1;
  claim_.store((generation << 16) | (static_cast<uint64_t>(job_chunks_) << 8),
               std::memory_order_release);
  {
    // Under the mutex so a worker that is about to sleep cannot miss the new generation.
    std::lock_guard<std::mutex> lock(wake_mutex_);
    generation_.store(generation, std::memory_order_release);
  }
  wake_.notify_all();

  // The caller takes chunks too, so a worker that the OS has not scheduled yet (the machine may
  // be busy) delays the job by no more than its own chunk, if any is left for it at all.
  inside_pool_body = true;
  run_claimed_chunks();
  inside_pool_body = false;

  const auto all_done = [this] {
    return chunks_done_.load(std::memory_order_acquire) == job_chunks_;
  };
  if (!spin_until(all_done)) {
    while (!all_done()) {
      std::this_thread::yield();
    }
  }

  // Every chunk has finished, so no worker touches job_failure_ until the next job.
  if (job_failure_) std::rethrow_exception(std::exchange(job_failure_, nullptr));
}

void ThreadPool::worker_loop() {
  inside_pool_body = true;
  uint64_t seen = 0;
  while (true) {
    const auto new_job = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!spin_until(new_job)) {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      wake_.wait(lock, new_job);
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_.load(std::memory_order_acquire)) {
      return;
    }
    run_claimed_chunks();
  }
}

// One chunk per thread: each chunk, after its call, waits until every chunk has started, so no
// thread can claim a second one while another thread has none.
void ThreadPool::run_once_per_thread(void* context, void (*function)(void* context)) {
  if (threads_ == 1) {
    function(context);
    return;
  }
  struct Job {
    void* context;
    void (*function)(void*);
    std::atomic<int> started{0};
    int threads;
  } job{context, function, {}, threads_};
  const auto body = [&job](int64_t begin, int64_t end) {
    // A call that throws must still count as started, or the other threads would wait forever.
    std::exception_ptr failure;
    try {
      job.function(job.context);
    } catch (...) {
      failure = std::current_exception();
    }

    // A dispatch that fell back to running inline covers every chunk on this thread alone.
    if (end - begin == 1) {
      job.started.fetch_add(1, std::memory_order_acq_rel);
      while (job.started.load(std::memory_order_acquire) < job.threads) {
        std::this_thread::yield();
      }
    }
    if (failure) std::rethrow_exception(failure);
  };
  parallel_for(threads_, body);
}

}  // namespace sightline::engine::parallel
