// Per-axis counters (odometer digits, strides) for the reference kernels that walk tensors of
// any rank: on the stack up to rank 8 (every real model), on the heap beyond, so a planned run
// allocates nothing.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sightline::engine::kernels {

class RankCounters {
 public:
  RankCounters(size_t rank, int64_t initial) {
    if (rank <= kStackRank) {
      std::fill(stack_, stack_ + rank, initial);
      data_ = stack_;
    } else {
      heap_.assign(rank, initial);
      data_ = heap_.data();
    }
  }
  RankCounters(const RankCounters&) = delete;
  RankCounters& operator=(const RankCounters&) = delete;

  int64_t& operator[](size_t axis) { return data_[axis]; }

 private:
  static constexpr size_t kStackRank = 8;
  int64_t stack_[kStackRank];
  std::vector<int64_t> heap_;
  int64_t* data_;
};

}  // namespace sightline::engine::kernels
