// The planner's cap on memory for intermediate values (kMaxPlannedBytes): hostile graphs are
// refused at load with a message naming the node, and values freed during a run do not count.
// The checks run on inferred shapes before anything is allocated, so these tests allocate
// nothing near the sizes they describe.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/graph/program.h"
#include "engine/onnx_builder.h"

namespace sightline::testing {
namespace {

TEST(PlannedMemory, RefusesARunTimePeakOverTheLimitNamingTheNode) {
  // X is 2^28 float32 values (1 GiB); X + X needs a second GiB while X is still alive.
  ModelBuilder builder;
  builder.input("X", {1, 256, 1024, 1024}).output("Y");
  builder.node("Add", {"X", "X"}, {"Y"}, "double_it");
  auto backend = load_model(builder.build(), "peak.onnx");
  ASSERT_FALSE(backend.ok());
  EXPECT_NE(backend.message().find("peak.onnx: node 'double_it' (Add)"), std::string::npos)
      << backend.message();
  EXPECT_NE(backend.message().find("need 2048 MiB"), std::string::npos) << backend.message();
  EXPECT_NE(backend.message().find("over the limit of 1024 MiB"), std::string::npos)
      << backend.message();
}

TEST(PlannedMemory, FreedValuesDoNotCountTowardsThePeak) {
  // A chain of 300 MiB values ending in a 600 MiB int64 output: 1800 MiB in all, but each value
  // is freed after its only reader, so at most 900 MiB are alive at once. The int64 output makes
  // planning fail right after the memory check, before the arena is allocated, so the test
  // allocates nothing: the error must be about the output type, not about memory.
  ModelBuilder builder;
  builder.input("X", {1, 75, 1024, 1024}).output("Y");
  builder.node("Sigmoid", {"X"}, {"a"});
  builder.node("Sigmoid", {"a"}, {"b"});
  builder.node("Sigmoid", {"b"}, {"c"});
  builder.node("Cast", {"c"}, {"Y"}).attr("to", int64_t{kInt64});
  auto backend = load_model(builder.build(), "chain.onnx");
  ASSERT_FALSE(backend.ok());
  EXPECT_NE(backend.message().find("graph output 'Y' has type int64"), std::string::npos)
      << backend.message();
  EXPECT_EQ(backend.message().find("over the limit"), std::string::npos) << backend.message();
}

TEST(PlannedMemory, RefusesToFoldConstantsOverTheLimitBeforeComputingThem) {
  // 1025 copies of a 1 MiB int64 initializer concatenated: 1025 MiB of folded constant.
  const int64_t count = (int64_t{1} << 20) / 8;
  ModelBuilder builder;
  builder.input("X", {1}).output("Y");
  builder.initializer(int64_tensor("block", {count}, std::vector<int64_t>(count, 7)));
  builder.node("Concat", std::vector<std::string>(1025, "block"), {"huge"}, "grow").attr("axis", 0);
  builder.node("Sigmoid", {"X"}, {"Y"});
  auto backend = load_model(builder.build(), "fold.onnx");
  ASSERT_FALSE(backend.ok());
  EXPECT_NE(backend.message().find("fold.onnx: node 'grow' (Concat)"), std::string::npos)
      << backend.message();
  EXPECT_NE(backend.message().find("1025 MiB more for constants"), std::string::npos)
      << backend.message();
}

}  // namespace
}  // namespace sightline::testing
