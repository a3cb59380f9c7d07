#include "core/model_card.h"

#include <gtest/gtest.h>

#include "core/model_store.h"
#include "core/sha256.h"
#include "support/paths.h"

namespace sightline {
namespace {

const char* kValidCard = R"({
  "name": "tiny", "file": "tiny.onnx",
  "sha256": "0000000000000000000000000000000000000000000000000000000000000000",
  "input": {"name": "images", "width": 320, "height": 256, "channel_order": "RGB",
            "scale": 0.5, "mean": [1, 2, 3], "std": [2, 2, 2]},
  "letterbox": {"placement": "centre", "pad_value": 0},
  "decoder": {"kind": "yolox", "strides": [8, 16]},
  "class_names": "tiny.names"
})";

TEST(ModelCard, ParsesEveryField) {
  auto card = parse_model_card(kValidCard, "tiny.json");
  ASSERT_TRUE(card) << card.message();
  EXPECT_EQ(card->input_width, 320);
  EXPECT_EQ(card->input_height, 256);
  EXPECT_EQ(card->normalisation.channel_order, ChannelOrder::kRgb);
  EXPECT_FLOAT_EQ(card->normalisation.scale, 0.5f);
  EXPECT_FLOAT_EQ(card->normalisation.mean[2], 3.0f);
  EXPECT_EQ(card->placement, LetterboxPlacement::kCentre);
  EXPECT_FLOAT_EQ(card->normalisation.pad_value, 0.0f);
  EXPECT_EQ(card->strides, (std::vector<int>{8, 16}));
}

TEST(ModelCard, MissingFieldIsNamedWithItsPath) {
  std::string text = kValidCard;
  text.replace(text.find("\"width\": 320,"), 13, "");
  auto card = parse_model_card(text, "tiny.json");
  ASSERT_FALSE(card);
  EXPECT_EQ(card.message(), "model card 'tiny.json': $.input.width is missing");
}

TEST(ModelCard, OutOfRangeValueIsNamed) {
  std::string text = kValidCard;
  text.replace(text.find("320"), 3, "-5");
  auto card = parse_model_card(text, "tiny.json");
  ASSERT_FALSE(card);
  EXPECT_NE(card.message().find("$.input.width value -5 is outside [1, 4096]"), std::string::npos)
      << card.message();
}

TEST(ModelCard, UnknownDecoderIsRefused) {
  std::string text = kValidCard;
  text.replace(text.find("\"yolox\""), 7, "\"detr\"");
  auto card = parse_model_card(text, "tiny.json");
  ASSERT_FALSE(card);
  EXPECT_NE(card.message().find("'detr'"), std::string::npos) << card.message();
}

TEST(ModelCard, RejectsInvalidJsonAndNonObjects) {
  EXPECT_FALSE(parse_model_card("{\"name\": ", "broken.json"));
  EXPECT_FALSE(parse_model_card("[1, 2]", "array.json"));
  EXPECT_FALSE(parse_model_card("", "empty.json"));
}

TEST(ModelCard, RejectsFileNameWithDirectories) {
  std::string text = kValidCard;
  text.replace(text.find("tiny.onnx"), 9, "../x.onnx");
  EXPECT_FALSE(parse_model_card(text, "tiny.json"));
}

TEST(ClassNames, ReadsOneNamePerLineIgnoringTrailingBlankLines) {
  auto names = parse_class_names("person\r\nbicycle\ncar\n\n", "names");
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"person", "bicycle", "car"}));
}

TEST(ClassNames, BlankLineInsideShiftsIdsSoItIsAnError) {
  auto names = parse_class_names("person\n\ncar\n", "names.txt");
  ASSERT_FALSE(names);
  EXPECT_NE(names.message().find("line 2"), std::string::npos) << names.message();
}

TEST(Sha256, MatchesKnownDigests) {
  EXPECT_EQ(sha256_hex({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string abc = "abc";
  EXPECT_EQ(sha256_hex({reinterpret_cast<const uint8_t*>(abc.data()), abc.size()}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the padding spills into a second block.
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(sha256_hex({reinterpret_cast<const uint8_t*>(two_blocks.data()), two_blocks.size()}),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(ModelStore, BuiltInCardsLoadWithTheirClassNames) {
  for (const char* name : {"yolox_nano", "yolov8n_int8"}) {
    auto path = find_card(name, testing::source_dir() + "/models");
    ASSERT_TRUE(path) << path.message();
    auto card = load_card(*path, testing::models_dir());
    ASSERT_TRUE(card) << card.message();
    EXPECT_EQ(card->class_names.size(), 80u);
    auto bytes = load_model_file(*card, testing::models_dir());
    EXPECT_TRUE(bytes) << bytes.message();
  }
}

TEST(ModelStore, ShaMismatchIsRefusedNamingBothDigests) {
  auto path = find_card("yolox_nano", testing::source_dir() + "/models");
  ASSERT_TRUE(path);
  auto card = load_card(*path, testing::models_dir());
  ASSERT_TRUE(card);
  card->sha256 = std::string(64, 'a');
  auto bytes = load_model_file(*card, testing::models_dir());
  ASSERT_FALSE(bytes);
  EXPECT_NE(bytes.message().find(std::string(64, 'a')), std::string::npos);
  EXPECT_NE(bytes.message().find("695e750a5d57"), std::string::npos) << bytes.message();
}

TEST(ModelStore, MissingModelFileSaysWhereItLooked) {
  ModelCard card;
  card.file = "absent.onnx";
  card.source = "absent.json";
  card.sha256 = std::string(64, '0');
  auto bytes = load_model_file(card, "/nonexistent/models");
  ASSERT_FALSE(bytes);
  EXPECT_NE(bytes.message().find("/nonexistent/models/absent.onnx"), std::string::npos)
      << bytes.message();
}

TEST(ModelStore, UnknownModelNameListsKnownCards) {
  auto path = find_card("no_such_model", testing::source_dir() + "/models");
  ASSERT_FALSE(path);
  EXPECT_NE(path.message().find("yolox_nano"), std::string::npos) << path.message();
}

}  // namespace
}  // namespace sightline
