// A pool of persistent worker threads for the big kernels.
//
// The workers are created once (when the engine loads a model) and wait for work; parallel_for
// splits an index range into one contiguous chunk per thread (static chunking: same chunks every
// call, so results do not depend on timing); the calling thread and the workers claim chunks. With
// one thread there are no workers and parallel_for is a plain call. The single-thread WebAssembly
// build (no __EMSCRIPTEN_PTHREADS__) never creates a thread whatever count is asked for.
//
// A body that throws (std::bad_alloc when the WebAssembly memory is full) does not end the
// process from a worker: the first exception of a job is kept, every other chunk still runs, and
// the dispatching call rethrows it once all chunks are done.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace sightline::engine::parallel {

class ThreadPool {
 public:
  static constexpr int kMaxThreads = 64;

  // `threads` counts the calling thread; it is clamped to [1, kMaxThreads] (to 1 without thread
  // support).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }

  // Calls body(begin, end) on disjoint chunks covering [0, count), at most one chunk per thread,
  // and returns when all are done (rethrowing the first exception a chunk threw). A call made from
  // inside a body, or while another thread is dispatching on this pool, runs inline as a single
  // chunk.
  template <class Body>
  void parallel_for(int64_t count, Body&& body) {
    if (count <= 0) {
      return;
    }
    using BodyType = std::remove_reference_t<Body>;
    run(count, const_cast<void*>(static_cast<const void*>(&body)),
        [](void* context, int64_t begin, int64_t end) {
          (*static_cast<BodyType*>(context))(begin, end);
        });
  }

  // Calls body() exactly once on every thread of the pool, the caller included (to prepare
  // per-thread state such as scratch buffers), and returns when all calls are done (rethrowing
  // the first exception a call threw).
  template <class Body>
  void run_on_every_thread(Body&& body) {
    using BodyType = std::remove_reference_t<Body>;
    run_once_per_thread(const_cast<void*>(static_cast<const void*>(&body)),
                        [](void* context) { (*static_cast<BodyType*>(context))(); });
  }

 private:
  using ChunkFunction = void (*)(void* context, int64_t begin, int64_t end);

  void run(int64_t count, void* context, ChunkFunction function);
  void run_once_per_thread(void* context, void (*function)(void* context));
  void run_chunk(int chunk) const;
  int claim_chunk();
  void run_claimed_chunks();
  void record_failure(std::exception_ptr failure);
  void worker_loop();

  int threads_ = 1;

  // The job being run: written by the dispatcher before it bumps generation_.
  void* job_context_ = nullptr;
  ChunkFunction job_function_ = nullptr;
  int64_t job_count_ = 0;
  int job_chunks_ = 0;
  std::exception_ptr job_failure_;  // the job's first exception, under failure_mutex_
  std::mutex failure_mutex_;

  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> chunks_done_{0};
  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::mutex dispatch_mutex_;
  std::vector<std::thread> workers_;
};

}  // namespace sightline::engine::parallel
