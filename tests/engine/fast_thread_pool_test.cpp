// The thread pool covers every index exactly once with static chunks, runs nested calls inline
// and survives many quick jobs in a row.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "engine/parallel/thread_pool.h"

namespace sightline::engine::parallel {
namespace {

TEST(FastThreadPool, CoversEveryIndexExactlyOnce) {
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    for (int64_t count : {0, 1, 3, 7, 17, 1000}) {
      std::vector<std::atomic<int>> visits(static_cast<size_t>(count));
      pool.parallel_for(count, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          visits[static_cast<size_t>(i)].fetch_add(1);
        }
      });
      for (int64_t i = 0; i < count; ++i) {
        EXPECT_EQ(visits[static_cast<size_t>(i)].load(), 1)
            << "threads " << threads << " count " << count << " index " << i;
      }
    }
  }
}

TEST(FastThreadPool, ChunksAreStaticAndAtMostOnePerThread) {
  ThreadPool pool(3);
  std::mutex mutex;
  std::set<std::pair<int64_t, int64_t>> first;
  std::set<std::pair<int64_t, int64_t>> second;
  for (auto* chunks : {&first, &second}) {
    pool.parallel_for(10, [&](int64_t begin, int64_t end) {
      std::lock_guard<std::mutex> lock(mutex);
      chunks->insert({begin, end});
    });
  }
  const int expected_chunks = pool.threads() >= 3 ? 3 : 1;
  EXPECT_EQ(static_cast<int>(first.size()), expected_chunks);
  EXPECT_EQ(first, second);
}

TEST(FastThreadPool, OneThreadRunsInlineOnTheCaller) {
  ThreadPool pool(1);
  EXPECT_EQ(pool.threads(), 1);
  std::thread::id seen;
  pool.parallel_for(5, [&](int64_t begin, int64_t end) {
    EXPECT_EQ(begin, 0);
    EXPECT_EQ(end, 5);
    seen = std::this_thread::get_id();
  });
  EXPECT_EQ(seen, std::this_thread::get_id());
}

TEST(FastThreadPool, NestedCallsRunInline) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  pool.parallel_for(4, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      pool.parallel_for(10, [&](int64_t inner_begin, int64_t inner_end) {
        EXPECT_EQ(inner_begin, 0);
        EXPECT_EQ(inner_end, 10);
        total.fetch_add(inner_end - inner_begin);
      });
    }
  });
  EXPECT_EQ(total.load(), 40);
}

TEST(FastThreadPool, ManyShortJobsInARow) {
  ThreadPool pool(2);
  int64_t sum = 0;
  std::vector<int64_t> partial(2);
  for (int job = 0; job < 2000; ++job) {
    partial.assign(2, 0);
    pool.parallel_for(2, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        partial[static_cast<size_t>(i)] = i + job;
      }
    });
    sum += partial[0] + partial[1];
  }
  // sum over jobs of (job) + (1 + job) = 2 * sum(job) + 2000.
  EXPECT_EQ(sum, 2 * (int64_t{1999} * 2000 / 2) + 2000);
}

TEST(FastThreadPool, ClampsTheThreadCount) {
  EXPECT_EQ(ThreadPool(0).threads(), 1);
  EXPECT_EQ(ThreadPool(-3).threads(), 1);
}

// A chunk that throws (bad_alloc when the WebAssembly memory is full) must reach the caller as
// an exception, not terminate the process from a worker; the other chunks still run and the pool
// keeps working.
TEST(FastThreadPool, AChunksExceptionReachesTheCallerAndThePoolGoesOn) {
  ThreadPool pool(4);
  for (int round = 0; round < 50; ++round) {
    std::atomic<int> first_chunk_runs{0};
    const auto body = [&](int64_t begin, int64_t) {
      if (begin == 0) {
        first_chunk_runs.fetch_add(1);
        return;
      }
      throw std::runtime_error("chunk at " + std::to_string(begin));
    };
    EXPECT_THROW(pool.parallel_for(8, body), std::runtime_error);
    EXPECT_EQ(first_chunk_runs.load(), 1);
  }

  std::vector<std::atomic<int>> visits(100);
  pool.parallel_for(100, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      visits[i].fetch_add(1);
  });
  for (const auto& count : visits)
    EXPECT_EQ(count.load(), 1);
}

TEST(FastThreadPool, AThrowingPerThreadCallDoesNotHangTheOthers) {
  ThreadPool pool(3);
  std::atomic<int> calls{0};
  const auto body = [&] {
    if (calls.fetch_add(1) == 1) throw std::runtime_error("no scratch memory");
  };
  EXPECT_THROW(pool.run_on_every_thread(body), std::runtime_error);
  EXPECT_EQ(calls.load(), pool.threads());

  calls = 0;
  pool.run_on_every_thread([&] { calls.fetch_add(1); });
  EXPECT_EQ(calls.load(), pool.threads());
}

}  // namespace
}  // namespace sightline::engine::parallel
