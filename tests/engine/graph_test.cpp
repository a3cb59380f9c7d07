// Graph checks, planning and inspection: unsupported nodes are listed together, cycles and
// dangling inputs are refused, constants are folded, dynamic inputs are planned per shape.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/onnx_builder.h"

namespace sightline::testing {
namespace {

using engine::inspect_model;
using engine::load_engine;
using engine::load_model;

TEST(Graph, RefusesUnsupportedNodesListingEveryOne) {
  ModelBuilder builder(13);
  builder.input("X", {1, 1, 2, 2}).output("Y");
  builder.initializer(float_tensor("scales", {4}, {1, 1, 2, 2}));
  builder.node("Sigmoid", {"X"}, {"a"}, "fine");
  builder.node("Frobnicate", {"a"}, {"b"}, "mystery");
  builder.node("Resize", {"b", "", "scales"}, {"c"}, "upsample").attr("mode", "linear");
  builder.node("Conv", {"c", "c"}, {"Y"}, "odd_conv").attr("weird", 1);
  auto result = load_model(builder.build(), "unsupported.onnx");
  ASSERT_FALSE(result.ok());
  const std::string& message = result.message();
  EXPECT_NE(message.find("unsupported.onnx: the model has 3 unsupported nodes"), std::string::npos)
      << message;
  EXPECT_NE(message.find("mystery (Frobnicate): operator Frobnicate is not supported"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("upsample (Resize): mode 'linear' is not supported (nearest-neighbour "
                         "only)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("odd_conv (Conv): attribute 'weird' is not supported"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("fine"), std::string::npos) << message;
}

TEST(Graph, UnnamedUnsupportedNodeIsListedByIndex) {
  ModelBuilder builder(13);
  builder.input("X", {1}).output("Y");
  builder.node("Sigmoid", {"X"}, {"a"});
  builder.node("Gelu", {"a"}, {"Y"});
  auto result = load_model(builder.build(), "anon.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("#1 (Gelu): operator Gelu is not supported"), std::string::npos)
      << result.message();
}

TEST(Graph, RefusesOtherOperatorDomains) {
  ModelBuilder builder(13);
  builder.input("X", {1}).output("Y");
  builder.node("Sigmoid", {"X"}, {"Y"}, "custom").domain("com.microsoft");
  auto result = load_model(builder.build(), "domain.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("custom (Sigmoid): operator domain 'com.microsoft'"),
            std::string::npos)
      << result.message();
}

TEST(Graph, RefusesOpsetOutsideTheSupportedRange) {
  ModelBuilder builder(3);
  builder.input("X", {1}).output("Y");
  builder.node("Sigmoid", {"X"}, {"Y"}, "old");
  auto result = load_model(builder.build(), "old.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("old (Sigmoid): opset 3 is outside the supported range"),
            std::string::npos)
      << result.message();
}

TEST(Graph, RefusesACycle) {
  ModelBuilder builder;
  builder.input("X", {1}).output("Y");
  builder.node("Add", {"X", "c"}, {"b"}, "first");
  builder.node("Sigmoid", {"b"}, {"c"}, "second");
  builder.node("Sigmoid", {"c"}, {"Y"}, "after");
  auto result = load_model(builder.build(), "cycle.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("cycle.onnx: the graph has a cycle"), std::string::npos)
      << result.message();
  EXPECT_NE(result.message().find("first (Add)"), std::string::npos) << result.message();
  EXPECT_NE(result.message().find("second (Sigmoid)"), std::string::npos) << result.message();
}

TEST(Graph, RefusesADanglingInput) {
  ModelBuilder builder;
  builder.input("X", {1}).output("Y");
  builder.node("Add", {"X", "nowhere"}, {"Y"}, "adder");
  auto result = load_model(builder.build(), "dangling.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "dangling.onnx: node 'adder' (Add) reads 'nowhere', which no node, graph input or "
            "initializer produces");
}

TEST(Graph, RefusesAValueProducedTwice) {
  ModelBuilder builder;
  builder.input("X", {1}).output("Y");
  builder.node("Sigmoid", {"X"}, {"Y"}, "one");
  builder.node("Sigmoid", {"X"}, {"Y"}, "two");
  auto result = load_model(builder.build(), "twice.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("value 'Y' is produced twice"), std::string::npos)
      << result.message();
}

TEST(Graph, RefusesAnOutputNobodyProduces) {
  ModelBuilder builder;
  builder.input("X", {1}).output("ghost");
  builder.node("Sigmoid", {"X"}, {"Y"});
  auto result = load_model(builder.build(), "ghost.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("graph output 'ghost' is not produced"), std::string::npos)
      << result.message();
}

TEST(Graph, RefusesAShapeErrorAtLoadNamingTheNode) {
  ModelBuilder builder;
  builder.input("X", {1, 3}).output("Y");
  builder.initializer(float_tensor("B", {4}, {1, 2, 3, 4}));
  builder.node("Add", {"X", "B"}, {"Y"}, "bad_add");
  auto result = load_model(builder.build(), "shapes.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "shapes.onnx: node 'bad_add' (Add): shapes [1, 3] and [4] cannot be broadcast "
            "(axis 1: 3 vs 4)");
}

TEST(Graph, InspectCountsOperatorsWithoutPlanning) {
  ModelBuilder builder(13);
  builder.input("X", {1, 4}).output("Y");
  builder.initializer(float_tensor("B", {4}, {1, 2, 3, 4}));
  builder.node("Add", {"X", "B"}, {"a"}, "add1");
  builder.node("Sigmoid", {"a"}, {"b"}, "sig1");
  builder.node("Sigmoid", {"b"}, {"c"}, "sig2");
  builder.node("Erf", {"c"}, {"Y"}, "erf");
  auto summary = inspect_model(builder.build(), "inspect.onnx");
  ASSERT_TRUE(summary.ok()) << summary.message();
  EXPECT_EQ(summary->opset, 13);
  EXPECT_EQ(summary->ir_version, 8);
  EXPECT_EQ(summary->producer, "sightline-tests");
  EXPECT_EQ(summary->parameter_count, 4);
  ASSERT_EQ(summary->inputs.size(), 1u);
  EXPECT_EQ(summary->inputs[0].name, "X");
  EXPECT_EQ(summary->inputs[0].shape, (std::vector<int64_t>{1, 4}));
  ASSERT_EQ(summary->operators.size(), 3u);
  EXPECT_EQ(summary->operators[0].op_type, "Sigmoid");
  EXPECT_EQ(summary->operators[0].count, 2);
  EXPECT_TRUE(summary->operators[0].supported);
  EXPECT_EQ(summary->operators[1].op_type, "Add");
  EXPECT_EQ(summary->operators[2].op_type, "Erf");
  EXPECT_FALSE(summary->operators[2].supported);
  ASSERT_EQ(summary->unsupported.size(), 1u);
  EXPECT_EQ(summary->unsupported[0].node_name, "erf");
}

TEST(Graph, FoldsNodesWhoseInputsAreConstants) {
  ModelBuilder builder;
  builder.input("X", {1, 2, 1, 1}).output("Y");
  builder.initializer(float_tensor("bias", {2}, {5, 7}));
  builder.initializer(int64_tensor("bias_shape", {4}, {1, -1, 1, 1}));
  builder.node("Reshape", {"bias", "bias_shape"}, {"bias4"}, "reshape_bias");
  builder.node("Add", {"X", "bias4"}, {"Y"}, "add_bias");
  auto engine = load_engine(builder.build(), "fold.onnx");
  ASSERT_TRUE(engine.ok()) << engine.message();
  EXPECT_EQ(engine.value()->folded_node_count(), 1u);
  const auto order = engine.value()->execution_order();
  ASSERT_EQ(order.size(), 1u);
  EXPECT_EQ(order[0].name, "add_bias");
  auto output = engine.value()->run(make_input({1, 2, 1, 1}, {1, 2}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{6, 9}));
}

TEST(Graph, ExecutesNodesListedOutOfOrder) {
  ModelBuilder builder;
  builder.input("X", {2}).output("Y");
  builder.initializer(float_tensor("two", {1}, {2}));
  builder.node("Mul", {"b", "two"}, {"Y"}, "last");
  builder.node("Add", {"a", "two"}, {"b"}, "middle");
  builder.node("Sub", {"X", "two"}, {"a"}, "first");
  auto engine = load_engine(builder.build(), "order.onnx");
  ASSERT_TRUE(engine.ok()) << engine.message();
  const auto order = engine.value()->execution_order();
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0].name, "first");
  EXPECT_EQ(order[0].op_type, "Sub");
  EXPECT_EQ(order[1].name, "middle");
  EXPECT_EQ(order[2].name, "last");
  auto output = engine.value()->run(make_input({2}, {3, 10}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{6, 20}));
}

TEST(Graph, DynamicInputIsPlannedOnFirstRunAndAgainForANewShape) {
  ModelBuilder builder;
  builder.input("X", {-1, 2, -1}).output("Y");
  builder.initializer(int64_tensor("flat", {2}, {0, -1}));
  builder.node("Reshape", {"X", "flat"}, {"Y"}, "flatten");
  auto engine = load_engine(builder.build(), "dynamic.onnx");
  ASSERT_TRUE(engine.ok()) << engine.message();
  EXPECT_TRUE(engine.value()->execution_order().empty());
  EXPECT_EQ(engine.value()->inputs()[0].shape, (std::vector<int64_t>{-1, 2, -1}));

  auto first = engine.value()->run(make_input({1, 2, 3}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->shape, (std::vector<int64_t>{1, 6}));
  auto second = engine.value()->run(make_input({2, 2, 1}, {1, 2, 3, 4}));
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ(second->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(second->data, (std::vector<float>{1, 2, 3, 4}));

  auto wrong = engine.value()->run(make_input({2, 3, 1}, std::vector<float>(6)));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.message().find("has shape [2, 3, 1] but the model expects [-1, 2, -1]"),
            std::string::npos)
      << wrong.message();
}

TEST(Graph, RefusesInputWithTheWrongValueCount) {
  ModelBuilder builder;
  builder.input("X", {1, 3}).output("Y");
  builder.node("Sigmoid", {"X"}, {"Y"});
  auto backend = load_model(builder.build(), "count.onnx");
  ASSERT_TRUE(backend.ok()) << backend.message();
  auto result = backend.value()->run(make_input({1, 3}, {1, 2}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(), "count.onnx: input 'X' has 2 values but its shape [1, 3] needs 3");
}

TEST(Graph, RefusesModelsWithTwoFedInputs) {
  ModelBuilder builder;
  builder.input("A", {1}).input("B", {1}).output("Y");
  builder.node("Add", {"A", "B"}, {"Y"});
  auto result = load_model(builder.build(), "two.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("the engine feeds exactly one"), std::string::npos);
}

TEST(Graph, RefusesInitializersOfUnsupportedTypeWhereTheyAreUsed) {
  ModelBuilder builder;
  builder.input("X", {2}).output("Y");
  builder.initializer(make_tensor<uint16_t>("half", kFloat16, {2}, {0x3c00, 0x4000}));
  builder.node("Add", {"X", "half"}, {"Y"}, "add_half");
  auto summary = inspect_model(builder.build(), "half.onnx");
  ASSERT_TRUE(summary.ok()) << summary.message();
  auto result = load_model(builder.build(), "half.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "half.onnx: node 'add_half' (Add): input 'half' has data type float16, which the "
            "engine does not support");
}

TEST(Graph, BackendIsNamedSightlineAndRunsRepeatedly) {
  ModelBuilder builder;
  builder.input("X", {2}).output("Y", {2});
  builder.node("Sigmoid", {"X"}, {"Y"});
  auto backend = load_model(builder.build(), "repeat.onnx");
  ASSERT_TRUE(backend.ok()) << backend.message();
  EXPECT_EQ(backend.value()->name(), "sightline");
  EXPECT_EQ(backend.value()->outputs()[0].name, "Y");
  for (int i = 0; i < 3; ++i) {
    auto output = backend.value()->run(make_input({2}, {0, static_cast<float>(i)}));
    ASSERT_TRUE(output.ok()) << output.message();
    EXPECT_FLOAT_EQ(output->data[0], 0.5f);
  }
}

TEST(Graph, RefusesThreadCountsOutOfRange) {
  ModelBuilder builder;
  builder.input("X", {2}).output("Y");
  builder.node("Sigmoid", {"X"}, {"Y"});
  engine::EngineOptions options;
  options.threads = 0;
  auto result = load_model(builder.build(), "threads.onnx", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(), "engine threads 0 is outside [1, 256]");
}

}  // namespace
}  // namespace sightline::testing
