// The JS boundary's guard (src/platform/web/boundary_guard.h): an exception in an exported
// function's body becomes a reported message instead of escaping. Natively the exceptions are
// thrown by the test; in the WASM build (under Node, with the web app's memory settings:
// growth up to -sMAXIMUM_MEMORY=2GB, malloc returning null when it cannot grow) the memory is
// really run out, so the test shows that a failed allocation there is a std::bad_alloc the
// guard turns into a message, not an abort.
#include "platform/web/boundary_guard.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sightline::platform {
namespace {

std::vector<std::string>& reported() {
  static std::vector<std::string> messages;
  return messages;
}

class BoundaryGuard : public ::testing::Test {
 protected:
  void SetUp() override {
    reported().clear();
    last_boundary_failure().clear();
    set_boundary_reporter([](const std::string& message) { reported().push_back(message); });
  }
  void TearDown() override { set_boundary_reporter(nullptr); }
};

TEST_F(BoundaryGuard, ReturnsNullWhenTheBodyFinishes) {
  int runs = 0;
  EXPECT_EQ(guard_entry("count", [&] { ++runs; }), nullptr);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(reported().empty());
}

TEST_F(BoundaryGuard, TurnsBadAllocIntoAnOutOfMemoryMessageNamingTheAction) {
  const char* message = guard_entry("detect dog.jpg", [] { throw std::bad_alloc(); });
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(std::string(message).rfind("detect dog.jpg: out of memory: ", 0), 0u) << message;
  ASSERT_EQ(reported().size(), 1u);
  EXPECT_EQ(reported()[0], message);
  EXPECT_EQ(last_boundary_failure(), message);
}

TEST_F(BoundaryGuard, TurnsOtherExceptionsIntoTheirMessage) {
  const char* message =
      guard_entry("load a baseline", [] { throw std::runtime_error("bad bytes at 12"); });
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(std::string(message), "load a baseline: failed: bad bytes at 12");
  const char* unknown = guard_entry("switch backend", [] { throw 42; });
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(std::string(unknown), "switch backend: failed: unknown exception");
  EXPECT_EQ(reported().size(), 2u);
}

TEST_F(BoundaryGuard, ReportsAFailureRepeatedEveryFrameOnce) {
  for (int frame = 0; frame < 5; ++frame)
    guard_entry("draw the window", [] { throw std::runtime_error("no texture"); });
  EXPECT_EQ(reported().size(), 1u);
}

#ifdef __EMSCRIPTEN__
// Allocates 64 MiB blocks, each touched so it is really there, until operator new fails.
TEST_F(BoundaryGuard, RunningTheWebAssemblyMemoryOutIsAMessageNotAnAbort) {
  std::vector<std::unique_ptr<char[]>> blocks;
  constexpr size_t kBlock = size_t{64} << 20;
  const char* message = guard_entry("fill the memory", [&] {
    for (;;) {
      blocks.push_back(std::make_unique<char[]>(kBlock));
      blocks.back()[kBlock - 1] = 1;
    }
  });
  const size_t filled_mib = blocks.size() * (kBlock >> 20);
  blocks.clear();
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(std::string(message).rfind("fill the memory: out of memory: ", 0), 0u) << message;
  EXPECT_NE(std::string(message).find("of at most 2048 MiB"), std::string::npos) << message;
  // The memory's maximum is 2 GiB; most of it was handed out before the failure.
  EXPECT_GT(filled_mib, 1024u) << message;
  std::printf("after %zu MiB in 64 MiB blocks: %s\n", filled_mib, message);
}
#endif

}  // namespace
}  // namespace sightline::platform
