// A planned run allocates nothing but the tensor it returns: every intermediate value lives in
// the arena sized at plan time. The global allocation functions are replaced in this test
// binary by counting ones (they forward to malloc/free); counting is on only inside the
// measured run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "engine/onnx_builder.h"
#include "support/paths.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_allocations{0};
std::atomic<int64_t> g_allocated_bytes{0};

void* counted_allocation(size_t size, size_t alignment) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    g_allocated_bytes.fetch_add(static_cast<int64_t>(size), std::memory_order_relaxed);
  }
  const size_t bytes = size == 0 ? 1 : size;
  void* memory = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    memory = std::malloc(bytes);
  } else if (posix_memalign(&memory, alignment, bytes) != 0) {
    memory = nullptr;
  }
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}

}  // namespace

void* operator new(size_t size) {
  return counted_allocation(size, 0);
}
void* operator new[](size_t size) {
  return counted_allocation(size, 0);
}
void* operator new(size_t size, std::align_val_t alignment) {
  return counted_allocation(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment) {
  return counted_allocation(size, static_cast<size_t>(alignment));
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete[](void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, size_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, size_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, size_t, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, size_t, std::align_val_t) noexcept {
  std::free(memory);
}

namespace sightline::testing {
namespace {

struct Allocations {
  int64_t count = 0;
  int64_t bytes = 0;
};

// Allocations made by one run of `engine` after a first (warm-up) run.
Allocations allocations_of_second_run(engine::Engine& engine, const FloatTensor& input) {
  auto warm_up = engine.run(input);
  EXPECT_TRUE(warm_up.ok()) << warm_up.message();
  g_allocations = 0;
  g_allocated_bytes = 0;
  g_counting = true;
  auto result = engine.run(input);
  g_counting = false;
  EXPECT_TRUE(result.ok()) << result.message();
  return {g_allocations.load(), g_allocated_bytes.load()};
}

TEST(RunAllocation, YoloxSecondRunAllocatesOnlyTheReturnedOutput) {
  const std::vector<uint8_t> model = read_file_bytes(models_dir() + "/yolox_nano.onnx");
  ASSERT_FALSE(model.empty());
  FloatTensor input;
  input.shape = {1, 3, 416, 416};
  input.data.assign(3 * 416 * 416, 114.0f);
  for (int threads : {1, 2}) {
    for (bool force_scalar : {false, true}) {
      engine::EngineOptions options;
      options.threads = threads;
      options.force_scalar = force_scalar;
      auto engine = engine::load_engine(model, "yolox_nano.onnx", options);
      ASSERT_TRUE(engine.ok()) << engine.message();
      const Allocations made = allocations_of_second_run(*engine.value(), input);
      // The returned [1, 3549, 85] float tensor: its data and its shape vector.
      EXPECT_EQ(made.count, 2) << threads << " threads, scalar " << force_scalar;
      EXPECT_EQ(made.bytes, 3549 * 85 * 4 + 3 * 8) << threads << " threads";
      EXPECT_EQ(engine.value()->arena_allocations(), 1);
    }
  }
}

}  // namespace
}  // namespace sightline::testing
