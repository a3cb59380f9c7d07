// ONNX reader: malformed, truncated and hostile bytes give clear errors, never a crash; valid
// encodings (packed and unpacked fields, typed data fields, unknown fields) are read.
#include <gtest/gtest.h>

#include <random>

#include "engine/engine.h"
#include "engine/onnx/onnx_reader.h"
#include "engine/onnx/wire_reader.h"
#include "engine/onnx_builder.h"

namespace sightline::testing {
namespace {

using engine::inspect_model;
using engine::load_model;

// Y = X + bias, with X [1, 2] fed and bias an initializer.
std::vector<uint8_t> small_model() {
  ModelBuilder builder;
  builder.input("X", {1, 2}).output("Y", {1, 2});
  builder.initializer(float_tensor("bias", {2}, {10.0f, 20.0f}));
  builder.node("Add", {"X", "bias"}, {"Y"}, "add");
  return builder.build();
}

TEST(OnnxReader, RefusesZeroBytes) {
  const std::vector<uint8_t> empty;
  auto result = load_model(empty, "empty.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("empty.onnx"), std::string::npos) << result.message();
  EXPECT_NE(result.message().find("0 bytes"), std::string::npos) << result.message();
}

TEST(OnnxReader, ReadsTheSmallModelItIsGiven) {
  auto output = run_model(small_model(), make_input({1, 2}, {1.0f, 2.0f}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{11.0f, 22.0f}));
}

TEST(OnnxReader, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> model = small_model();
  size_t failures = 0;
  for (size_t length = 0; length < model.size(); ++length) {
    std::vector<uint8_t> prefix(model.begin(), model.begin() + length);
    auto result = load_model(prefix, "cut.onnx");
    // The graph is the builder's last field, so every proper prefix lacks it or cuts it.
    ASSERT_FALSE(result.ok()) << "prefix of " << length << " bytes loaded";
    EXPECT_NE(result.message().find("cut.onnx"), std::string::npos) << result.message();
    ++failures;
  }
  EXPECT_EQ(failures, model.size());
}

TEST(OnnxReader, TruncatedGraphNamesFieldAndOffset) {
  std::vector<uint8_t> model = small_model();
  model.resize(model.size() - 5);
  auto result = inspect_model(model, "short.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("short.onnx: ModelProto.graph at byte"), std::string::npos)
      << result.message();
  EXPECT_NE(result.message().find("runs past the end"), std::string::npos) << result.message();
}

TEST(OnnxReader, LengthFieldPastTheEndIsRefused) {
  // Field 7 (graph), length-delimited, claiming 100 bytes with 3 present.
  const std::vector<uint8_t> bytes = {0x3a, 100, 1, 2, 3};
  auto result = inspect_model(bytes, "liar.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "liar.onnx: ModelProto.graph at byte 1: length 100 runs past the end (3 bytes "
            "remain)");
}

TEST(OnnxReader, OverlongVarintIsRefused) {
  std::vector<uint8_t> bytes = {0x08};  // field 1 (ir_version), varint
  bytes.insert(bytes.end(), 11, 0xff);
  auto result = inspect_model(bytes, "varint.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("ModelProto.ir_version at byte 1"), std::string::npos)
      << result.message();
  EXPECT_NE(result.message().find("longer than 10 bytes"), std::string::npos);
}

TEST(OnnxReader, HugeElementCountIsRefusedBeforeAllocating) {
  ModelBuilder builder;
  builder.input("X", {1}).output("Y", {1});
  ProtoWriter tensor;
  for (int i = 0; i < 3; ++i)
    tensor.varint(1, int64_t{1} << 20);
  tensor.varint(2, kFloat).string(8, "huge");
  builder.initializer_proto(tensor);
  builder.node("Add", {"X", "huge"}, {"Y"});
  auto result = inspect_model(builder.build(), "huge.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("tensor 'huge'"), std::string::npos) << result.message();
  EXPECT_NE(result.message().find("more than 2^28 elements"), std::string::npos)
      << result.message();
}

TEST(OnnxReader, HugePackedCountInAnAttributeIsRefused) {
  engine::onnx::ReaderLimits limits;
  limits.max_attribute_values = 4;
  ModelBuilder builder;
  builder.input("X", {1, 1, 2, 2}).output("Y");
  builder.node("Transpose", {"X"}, {"Y"}).attr("perm", std::vector<int64_t>{0, 1, 2, 3, 4});
  const std::vector<uint8_t> bytes = builder.build();
  auto result = engine::onnx::read_model(bytes, "many.onnx", limits);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("AttributeProto.ints"), std::string::npos) << result.message();
  EXPECT_NE(result.message().find("more than 4 entries"), std::string::npos) << result.message();
}

TEST(OnnxReader, RawDataSizeMustMatchDims) {
  ModelBuilder builder;
  builder.input("X", {1, 4}).output("Y", {1, 4});
  TestTensor bias = float_tensor("bias", {4}, {1.0f, 2.0f});  // 2 values for dims [4]
  builder.initializer(bias);
  builder.node("Add", {"X", "bias"}, {"Y"});
  auto result = inspect_model(builder.build(), "short_data.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("raw_data holds 8 bytes but dims [4] of float32 need 4 values"),
            std::string::npos)
      << result.message();
}

TEST(OnnxReader, GroupWireTypeIsRefused) {
  // Field 99 (unknown, so it would be skipped) with wire type 3, start group.
  const std::vector<uint8_t> bytes = {0x9b, 0x06, 0x00};
  auto result = inspect_model(bytes, "group.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("wire type 3 is not supported"), std::string::npos)
      << result.message();
}

TEST(OnnxReader, WrongWireTypeForAKnownFieldIsRefused) {
  const std::vector<uint8_t> bytes = {0x0d, 1, 2, 3, 4};  // ir_version as fixed32
  auto result = inspect_model(bytes, "wire.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("ModelProto.ir_version at byte 0: wire type 5 where 0"),
            std::string::npos)
      << result.message();
}

TEST(OnnxReader, SkipsUnknownFieldsOfEveryWireType) {
  ModelBuilder builder;
  builder.input("X", {1, 2}).output("Y", {1, 2});
  builder.initializer(float_tensor("bias", {2}, {10.0f, 20.0f}));
  builder.node("Add", {"X", "bias"}, {"Y"}, "add");
  ProtoWriter model;
  model.varint(1, 8).varint(99, 12345).fixed64(98, 0x1122334455667788ull);
  model.string(97, "unknown bytes").fixed32(96, 0xdeadbeef);
  ProtoWriter opset;
  opset.string(1, "").varint(2, 13);
  model.message(8, opset).message(7, builder.graph_proto());
  model.string(6, "a doc string");

  auto output = run_model(model.data(), make_input({1, 2}, {1.0f, 2.0f}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{11.0f, 22.0f}));
}

TEST(OnnxReader, ReadsTypedDataFieldsPackedAndUnpacked) {
  ModelBuilder builder;
  builder.input("X", {1, 3}).output("Y", {1, 3});
  ProtoWriter packed;  // float_data packed
  packed.varint(1, 3).varint(2, kFloat).string(8, "a").packed_floats(4, {1.0f, 2.0f, 3.0f});
  ProtoWriter unpacked;  // float_data as one fixed32 per value
  unpacked.varint(1, 3).varint(2, kFloat).string(8, "b");
  for (float value : {100.0f, 200.0f, 300.0f}) {
    uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    unpacked.fixed32(4, bits);
  }
  ProtoWriter shape;  // int64_data, one varint each, including a negative value
  shape.varint(1, 2).varint(2, kInt64).string(8, "shape");
  shape.varint(7, 1).varint(7, static_cast<uint64_t>(int64_t{-1}));
  builder.initializer_proto(packed).initializer_proto(unpacked).initializer_proto(shape);
  builder.node("Add", {"X", "a"}, {"sum"});
  builder.node("Add", {"sum", "b"}, {"sum2"});
  builder.node("Reshape", {"sum2", "shape"}, {"Y"});

  auto output = run_model(builder.build(), make_input({1, 3}, {0.5f, 0.5f, 0.5f}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(output->data, (std::vector<float>{101.5f, 202.5f, 303.5f}));
}

TEST(OnnxReader, RefusesBothRawAndTypedData) {
  ModelBuilder builder;
  builder.input("X", {1}).output("Y", {1});
  ProtoWriter tensor;
  const float value = 1.0f;
  tensor.varint(1, 1).varint(2, kFloat).string(8, "both").packed_floats(4, {2.0f});
  tensor.bytes(9, &value, 4);
  builder.initializer_proto(tensor);
  builder.node("Add", {"X", "both"}, {"Y"});
  auto result = inspect_model(builder.build(), "both.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("both raw_data and float_data"), std::string::npos)
      << result.message();
}

TEST(OnnxReader, RefusesExternalData) {
  ModelBuilder builder;
  builder.input("X", {1}).output("Y", {1});
  ProtoWriter tensor;
  tensor.varint(1, 1).varint(2, kFloat).string(8, "far_away").varint(14, 1);
  builder.initializer_proto(tensor);
  builder.node("Add", {"X", "far_away"}, {"Y"});
  auto result = inspect_model(builder.build(), "external.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("external file"), std::string::npos) << result.message();
}

TEST(OnnxReader, DecodesVarintsAtTheEdges) {
  uint64_t value = 0;
  const std::vector<uint8_t> max = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  EXPECT_EQ(engine::onnx::decode_varint(max, value), 10u);
  EXPECT_EQ(value, UINT64_MAX);
  const std::vector<uint8_t> too_big = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  EXPECT_EQ(engine::onnx::decode_varint(too_big, value), 0u);
  const std::vector<uint8_t> cut = {0x80, 0x80};
  EXPECT_EQ(engine::onnx::decode_varint(cut, value), 0u);
  const std::vector<uint8_t> one = {0x96, 0x01};
  EXPECT_EQ(engine::onnx::decode_varint(one, value), 2u);
  EXPECT_EQ(value, 150u);
}

// A cheap in-process fuzz: random byte flips, insertions and cuts of a valid model must each
// end in a model or an error message, never a crash (run under ASan in the sanitizer build).
TEST(OnnxReader, MutatedModelsNeverCrash) {
  ModelBuilder builder;
  builder.input("X", {1, 2, 4, 4}).output("Y");
  builder.initializer(float_tensor("W", {2, 1, 3, 3}, std::vector<float>(18, 0.5f)));
  builder.initializer(int64_tensor("shape", {2}, {1, -1}));
  // auto_pad rather than explicit pads: a mutated pad value could ask for a huge output.
  builder.node("Conv", {"X", "W"}, {"c"}, "conv").attr("group", 2).attr("auto_pad", "SAME_UPPER");
  builder.node("Sigmoid", {"c"}, {"s"}, "sig");
  builder.node("Reshape", {"s", "shape"}, {"Y"}, "flat");
  const std::vector<uint8_t> model = builder.build();
  const FloatTensor input = make_input({1, 2, 4, 4}, std::vector<float>(32, 1.0f));

  std::mt19937 random(1234);
  int loaded = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> mutated = model;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !mutated.empty(); ++e) {
      const size_t at = random() % mutated.size();
      switch (random() % 3) {
        case 0:
          mutated[at] = static_cast<uint8_t>(random());
          break;
        case 1:
          mutated.insert(mutated.begin() + static_cast<std::ptrdiff_t>(at),
                         static_cast<uint8_t>(random()));
          break;
        default:
          mutated.resize(at);
      }
    }
    auto backend = load_model(mutated, "mutant.onnx");
    if (!backend.ok()) {
      EXPECT_FALSE(backend.message().empty());
      continue;
    }
    ++loaded;
    auto output = backend.value()->run(input);
    if (!output.ok()) {
      EXPECT_FALSE(output.message().empty());
    }
  }
  // Some mutations (inside weight values, for instance) leave a loadable model.
  EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace sightline::testing
