// Operators other than convolution, each against hand-computed values: pooling, resize,
// broadcasting arithmetic, activations, softmax, quantisation, casts and layout operators.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/kernels/reference/reference_kernels.h"
#include "engine/onnx_builder.h"

namespace sightline::testing {
namespace {

std::vector<float> iota(int count, float start = 0.0f) {
  std::vector<float> values(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i)
    values[i] = start + static_cast<float>(i);
  return values;
}

// --- MaxPool ---

TEST(OpMaxPool, PadsNeverWinAndStrideTwoSkips) {
  // 3x4 input 0..11 with 3x3 windows, pad 1, stride 2: output 2x2, each the max of its window.
  ModelBuilder builder(11);
  builder.input("X", {1, 1, 3, 4}).output("Y");
  builder.node("MaxPool", {"X"}, {"Y"})
      .attr("kernel_shape", {3, 3})
      .attr("pads", {1, 1, 1, 1})
      .attr("strides", {2, 2});
  std::vector<float> x = iota(12);
  for (float& value : x)
    value = -value;  // all negative: a zero from the padding would win
  auto output = run_model(builder.build(), make_input({1, 1, 3, 4}, x));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(output->data, (std::vector<float>{0, -1, -4, -5}));
}

TEST(OpMaxPool, CeilModeAddsAPartialWindow) {
  // Width 5, kernel 2, stride 2: floor gives 2 outputs, ceil 3 (the last window holds column 4).
  for (int ceil_mode : {0, 1}) {
    ModelBuilder builder(11);
    builder.input("X", {1, 1, 1, 5}).output("Y");
    builder.node("MaxPool", {"X"}, {"Y"})
        .attr("kernel_shape", {1, 2})
        .attr("strides", {1, 2})
        .attr("ceil_mode", ceil_mode);
    auto output = run_model(builder.build(), make_input({1, 1, 1, 5}, {1, 5, 2, 4, 3}));
    ASSERT_TRUE(output.ok()) << output.message();
    if (ceil_mode) {
      EXPECT_EQ(output->data, (std::vector<float>{5, 4, 3}));
    } else {
      EXPECT_EQ(output->data, (std::vector<float>{5, 4}));
    }
  }
}

TEST(OpMaxPool, DilatedSamePaddedPoolKeepsSize) {
  // The YOLO SPP pattern (kernel 5, pad 2, stride 1) plus a dilation-2 variant on 3 channels.
  ModelBuilder builder(11);
  builder.input("X", {1, 3, 4, 4}).output("Y");
  builder.node("MaxPool", {"X"}, {"Y"})
      .attr("kernel_shape", {2, 2})
      .attr("dilations", {2, 2})
      .attr("auto_pad", "SAME_UPPER");
  auto output = run_model(builder.build(), make_input({1, 3, 4, 4}, iota(48)));
  ASSERT_TRUE(output.ok()) << output.message();
  ASSERT_EQ(output->shape, (std::vector<int64_t>{1, 3, 4, 4}));
  // Window extent 3 needs 2 pad pixels, split 1 before and 1 after: output (y, x) covers rows
  // y - 1, y + 1 and columns x - 1, x + 1 of its channel.
  EXPECT_EQ(output->data[0], 5);        // only (1, 1)
  EXPECT_EQ(output->data[3], 6);        // (1, 2); column 4 is padding
  EXPECT_EQ(output->data[15], 10);      // only (2, 2)
  EXPECT_EQ(output->data[16 + 5], 26);  // channel 1: max of (0,0) (0,2) (2,0) (2,2) = 16 + 10
}

TEST(OpMaxPool, RefusesTheIndicesOutput) {
  ModelBuilder builder(11);
  builder.input("X", {1, 1, 2, 2}).output("Y");
  builder.node("MaxPool", {"X"}, {"Y", "indices"}, "pool").attr("kernel_shape", {2, 2});
  auto result = load_model(builder.build(), "pool.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("pool (MaxPool): the Indices output is not supported"),
            std::string::npos)
      << result.message();
}

// --- Resize ---

std::vector<uint8_t> resize_model(int64_t opset, std::vector<int64_t> in_shape,
                                  const std::vector<float>& scales,
                                  const std::vector<int64_t>& sizes, const char* coordinates,
                                  const char* nearest) {
  ModelBuilder builder(opset);
  builder.input("X", in_shape).output("Y");
  builder.initializer(float_tensor("roi", {0}, {}));
  builder.initializer(float_tensor("scales", {static_cast<int64_t>(scales.size())}, scales));
  std::vector<std::string> inputs = {"X", "roi", "scales"};
  if (!sizes.empty()) {
    builder.initializer(int64_tensor("sizes", {static_cast<int64_t>(sizes.size())}, sizes));
    inputs.push_back("sizes");
  }
  builder.node("Resize", inputs, {"Y"}, "resize")
      .attr("mode", "nearest")
      .attr("coordinate_transformation_mode", coordinates)
      .attr("nearest_mode", nearest);
  return builder.build();
}

TEST(OpResize, AsymmetricFloorDoublesEveryPixel) {
  auto output = run_model(resize_model(11, {1, 1, 2, 2}, {1, 1, 2, 2}, {}, "asymmetric", "floor"),
                          make_input({1, 1, 2, 2}, {1, 2, 3, 4}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{1, 1, 4, 4}));
  EXPECT_EQ(output->data, (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

// One axis of length 4 resized to `out` (via sizes), for each coordinate and rounding mode.
std::vector<float> resize_row(int64_t out, const char* coordinates, const char* nearest) {
  auto output = run_model(resize_model(13, {1, 4}, {}, {1, out}, coordinates, nearest),
                          make_input({1, 4}, {0, 1, 2, 3}));
  EXPECT_TRUE(output.ok()) << output.message();
  return output.ok() ? output->data : std::vector<float>{};
}

TEST(OpResize, CoordinateTransformationModesMatchHandComputedIndices) {
  // Downscale 4 -> 3 (scale 0.75). Source coordinates:
  //   half_pixel:  (x + 0.5) / 0.75 - 0.5 = 0.1667, 1.5, 2.8333
  //   asymmetric:  x / 0.75               = 0, 1.3333, 2.6667
  //   align_corners: x * 3 / 2            = 0, 1.5, 3
  //   tf_half_pixel_for_nearest: (x + 0.5) / 0.75 = 0.6667, 2, 3.3333
  EXPECT_EQ(resize_row(3, "half_pixel", "round_prefer_floor"), (std::vector<float>{0, 1, 3}));
  EXPECT_EQ(resize_row(3, "half_pixel", "round_prefer_ceil"), (std::vector<float>{0, 2, 3}));
  EXPECT_EQ(resize_row(3, "pytorch_half_pixel", "floor"), (std::vector<float>{0, 1, 2}));
  EXPECT_EQ(resize_row(3, "asymmetric", "ceil"), (std::vector<float>{0, 2, 3}));
  EXPECT_EQ(resize_row(3, "align_corners", "round_prefer_floor"), (std::vector<float>{0, 1, 3}));
  EXPECT_EQ(resize_row(3, "tf_half_pixel_for_nearest", "floor"), (std::vector<float>{0, 2, 3}));
  // pytorch_half_pixel maps a length-1 output to coordinate 0.
  EXPECT_EQ(resize_row(1, "pytorch_half_pixel", "round_prefer_ceil"), (std::vector<float>{0}));
}

TEST(OpResize, NonIntegerScaleFloorsTheOutputLength) {
  auto output = run_model(resize_model(11, {1, 3}, {1, 1.7f}, {}, "asymmetric", "floor"),
                          make_input({1, 3}, {10, 20, 30}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{1, 5}));  // floor(3 * 1.7) = 5
  // x / 1.7 = 0, 0.59, 1.18, 1.76, 2.35 -> floor 0, 0, 1, 1, 2
  EXPECT_EQ(output->data, (std::vector<float>{10, 10, 20, 20, 30}));
}

TEST(OpResize, Opset10TakesScalesAsSecondInput) {
  ModelBuilder builder(10);
  builder.input("X", {1, 2}).output("Y");
  builder.initializer(float_tensor("scales", {2}, {1, 2}));
  builder.node("Resize", {"X", "scales"}, {"Y"});
  auto output = run_model(builder.build(), make_input({1, 2}, {5, 6}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{5, 5, 6, 6}));
}

TEST(OpResize, RefusesCubicAndUnknownCoordinateModes) {
  ModelBuilder builder(13);
  builder.input("X", {1, 2}).output("Y");
  builder.initializer(float_tensor("scales", {2}, {1, 2}));
  builder.node("Resize", {"X", "", "scales"}, {"a"}, "cubic").attr("mode", "cubic");
  builder.node("Resize", {"a", "", "scales"}, {"Y"}, "crop")
      .attr("coordinate_transformation_mode", "tf_crop_and_resize");
  auto result = load_model(builder.build(), "resize.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("cubic (Resize): mode 'cubic' is not supported"),
            std::string::npos)
      << result.message();
  EXPECT_NE(result.message().find(
                "crop (Resize): coordinate_transformation_mode 'tf_crop_and_resize' is not "
                "supported"),
            std::string::npos)
      << result.message();
}

// --- Elementwise arithmetic and broadcasting ---

std::vector<float> binary(const char* op, std::vector<int64_t> a_shape, std::vector<float> a,
                          const TestTensor& b, bool b_first = false) {
  ModelBuilder builder(13);
  builder.input("A", a_shape).output("Y");
  builder.initializer(b);
  if (b_first) {
    builder.node(op, {b.name, "A"}, {"Y"});
  } else {
    builder.node(op, {"A", b.name}, {"Y"});
  }
  auto output = run_model(builder.build(), make_input(a_shape, std::move(a)));
  EXPECT_TRUE(output.ok()) << output.message();
  return output.ok() ? output->data : std::vector<float>{};
}

TEST(OpBinary, BroadcastsPerChannelBias) {
  // [1, 3, 1, 2] + [1, 3, 1, 1]
  EXPECT_EQ(binary("Add", {1, 3, 1, 2}, iota(6), float_tensor("B", {1, 3, 1, 1}, {10, 20, 30})),
            (std::vector<float>{10, 11, 22, 23, 34, 35}));
}

TEST(OpBinary, BroadcastsRowAgainstColumn) {
  // [3, 1] * [1, 4] -> [3, 4]
  EXPECT_EQ(binary("Mul", {3, 1}, {1, 2, 3}, float_tensor("B", {1, 4}, {1, 10, 100, 1000})),
            (std::vector<float>{1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000}));
}

TEST(OpBinary, BroadcastsScalarsAndMissingLeadingAxes) {
  EXPECT_EQ(binary("Div", {2, 2}, {2, 4, 6, 8}, float_tensor("B", {}, {2})),
            (std::vector<float>{1, 2, 3, 4}));
  // [2, 1, 3] - [3]
  EXPECT_EQ(binary("Sub", {2, 1, 3}, iota(6), float_tensor("B", {3}, {1, 1, 1})),
            (std::vector<float>{-1, 0, 1, 2, 3, 4}));
}

TEST(OpBinary, KeepsOperandOrderForSubAndDiv) {
  EXPECT_EQ(binary("Sub", {2}, {1, 2}, float_tensor("B", {2}, {10, 10}), true),
            (std::vector<float>{9, 8}));
  EXPECT_EQ(binary("Div", {2}, {2, 4}, float_tensor("B", {1}, {8}), true),
            (std::vector<float>{4, 2}));
}

TEST(OpBinary, BroadcastsTheMiddleAxisOnly) {
  // [2, 3, 2] + [2, 1, 2]: the middle axis repeats; the outer and inner ones do not.
  EXPECT_EQ(binary("Add", {2, 3, 2}, iota(12), float_tensor("B", {2, 1, 2}, {100, 200, 300, 400})),
            (std::vector<float>{100, 201, 102, 203, 104, 205, 306, 407, 308, 409, 310, 411}));
}

TEST(OpBinary, RefusesIntegerOperands) {
  ModelBuilder builder(13);
  builder.input("A", {2}).output("Y");
  builder.initializer(int64_tensor("B", {2}, {1, 2}));
  builder.node("Add", {"A", "B"}, {"Y"}, "int_add");
  auto result = load_model(builder.build(), "int.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "int.onnx: node 'int_add' (Add): input B has type int64, expected float32");
}

// --- Sigmoid, Softmax ---

TEST(OpSigmoid, MatchesTheLogisticFunction) {
  ModelBuilder builder(13);
  builder.input("X", {5}).output("Y");
  builder.node("Sigmoid", {"X"}, {"Y"});
  auto output = run_model(builder.build(), make_input({5}, {0, 1, -1, 40, -40}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_FLOAT_EQ(output->data[0], 0.5f);
  EXPECT_NEAR(output->data[1], 0.7310586f, 1e-7f);
  EXPECT_NEAR(output->data[2], 0.2689414f, 1e-7f);
  EXPECT_FLOAT_EQ(output->data[3], 1.0f);
  EXPECT_NEAR(output->data[4], 0.0f, 1e-17f);
}

std::vector<float> softmax(int64_t opset, int64_t axis, std::vector<int64_t> shape,
                           std::vector<float> x) {
  ModelBuilder builder(opset);
  builder.input("X", shape).output("Y");
  builder.node("Softmax", {"X"}, {"Y"}).attr("axis", axis);
  auto output = run_model(builder.build(), make_input(shape, std::move(x)));
  EXPECT_TRUE(output.ok()) << output.message();
  return output.ok() ? output->data : std::vector<float>{};
}

TEST(OpSoftmax, Opset13NormalisesAlongOneAxis) {
  // [2, 2] along axis 0: each column sums to 1.
  const std::vector<float> y = softmax(13, 0, {2, 2}, {0, 1, std::log(3.0f), 1});
  ASSERT_EQ(y.size(), 4u);
  EXPECT_NEAR(y[0], 0.25f, 1e-6f);
  EXPECT_NEAR(y[2], 0.75f, 1e-6f);
  EXPECT_NEAR(y[1], 0.5f, 1e-6f);
  EXPECT_NEAR(y[3], 0.5f, 1e-6f);
}

TEST(OpSoftmax, Opset11FlattensFromTheAxis) {
  // [1, 2, 2] with axis 1: one row of four values, all equal here except one.
  const std::vector<float> y = softmax(11, 1, {1, 2, 2}, {0, 0, 0, std::log(5.0f)});
  ASSERT_EQ(y.size(), 4u);
  EXPECT_NEAR(y[0], 0.125f, 1e-6f);
  EXPECT_NEAR(y[3], 0.625f, 1e-6f);
}

TEST(OpSoftmax, HugeLogitsDoNotOverflow) {
  const std::vector<float> y = softmax(13, -1, {3}, {1000, 1000, -1000});
  ASSERT_EQ(y.size(), 3u);
  EXPECT_NEAR(y[0], 0.5f, 1e-6f);
  EXPECT_NEAR(y[2], 0.0f, 1e-6f);
}

// --- DynamicQuantizeLinear and Cast ---

// Runs DynamicQuantizeLinear and returns output `which` (0: y, 1: scale, 2: zero point) as float.
std::vector<float> quantize(std::vector<float> x, int which) {
  ModelBuilder builder(11);
  const std::vector<int64_t> shape = {static_cast<int64_t>(x.size())};
  builder.input("X", shape).output("Y");
  builder.node("DynamicQuantizeLinear", {"X"}, {"q", "scale", "zero"});
  if (which == 1) {
    builder.node("Sigmoid", {"scale"}, {"unused"});
    builder.node("Mul", {"scale", "one"}, {"Y"});
    builder.initializer(float_tensor("one", {}, {1.0f}));
  } else {
    builder.node("Cast", {which == 0 ? "q" : "zero"}, {"Y"})
        .attr("to", static_cast<int64_t>(kFloat));
  }
  auto output = run_model(builder.build(), make_input(shape, std::move(x)));
  EXPECT_TRUE(output.ok()) << output.message();
  return output.ok() ? output->data : std::vector<float>{};
}

TEST(OpDynamicQuantizeLinear, MatchesTheSpecificationExample) {
  // The example from the ONNX operator documentation.
  const std::vector<float> x = {0, 2, -3, -2.5f, 1.34f, 0.5f};
  EXPECT_EQ(quantize(x, 0), (std::vector<float>{153, 255, 0, 26, 221, 179}));
  ASSERT_EQ(quantize(x, 1).size(), 1u);
  EXPECT_FLOAT_EQ(quantize(x, 1)[0], 5.0f / 255.0f);
  EXPECT_EQ(quantize(x, 2), (std::vector<float>{153}));
}

TEST(OpDynamicQuantizeLinear, PositiveOnlyDataHasZeroPointZero) {
  // Range [0, 255]: scale 1, zero point 0, values round half to even.
  EXPECT_EQ(quantize({0, 255, 2.5f, 3.5f, 100.4f}, 0), (std::vector<float>{0, 255, 2, 4, 100}));
  EXPECT_EQ(quantize({0, 255, 2.5f}, 2), (std::vector<float>{0}));
}

TEST(OpDynamicQuantizeLinear, AllZeroInputGivesZeros) {
  EXPECT_EQ(quantize({0, 0, 0}, 0), (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(quantize({0, 0, 0}, 2), (std::vector<float>{0}));
}

TEST(OpDynamicQuantizeLinear, RoundsHalfToEven) {
  using engine::kernels::round_half_to_even;
  EXPECT_EQ(round_half_to_even(0.5f), 0.0f);
  EXPECT_EQ(round_half_to_even(1.5f), 2.0f);
  EXPECT_EQ(round_half_to_even(2.5f), 2.0f);
  EXPECT_EQ(round_half_to_even(-0.5f), 0.0f);
  EXPECT_EQ(round_half_to_even(-1.5f), -2.0f);
  EXPECT_EQ(round_half_to_even(-2.5f), -2.0f);
  EXPECT_EQ(round_half_to_even(2.4999f), 2.0f);
  EXPECT_EQ(round_half_to_even(2.5001f), 3.0f);
}

TEST(OpCast, FloatToIntegerTruncatesAndSaturates) {
  ModelBuilder builder(13);
  builder.input("X", {6}).output("Y");
  builder.node("Cast", {"X"}, {"q"}).attr("to", static_cast<int64_t>(kUint8));
  builder.node("Cast", {"q"}, {"Y"}).attr("to", static_cast<int64_t>(kFloat));
  auto output = run_model(builder.build(), make_input({6}, {-3, 2.9f, 255.5f, 1e9f, 7, NAN}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{0, 2, 255, 255, 7, 0}));
}

TEST(OpCast, RefusesUnsupportedTargetTypes) {
  ModelBuilder builder(13);
  builder.input("X", {1}).output("Y");
  builder.node("Cast", {"X"}, {"Y"}, "to_half").attr("to", static_cast<int64_t>(kFloat16));
  auto result = load_model(builder.build(), "cast.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("to_half (Cast): cast to float16 (type 10) is not supported"),
            std::string::npos)
      << result.message();
}

// --- Layout operators ---

std::vector<float> slice(std::vector<int64_t> shape, std::vector<float> x,
                         std::vector<int64_t> starts, std::vector<int64_t> ends,
                         std::vector<int64_t> axes, std::vector<int64_t> steps,
                         std::vector<int64_t>* out_shape = nullptr) {
  ModelBuilder builder(13);
  builder.input("X", shape).output("Y");
  const auto n = static_cast<int64_t>(starts.size());
  builder.initializer(int64_tensor("starts", {n}, starts));
  builder.initializer(int64_tensor("ends", {n}, ends));
  builder.initializer(int64_tensor("axes", {n}, axes));
  builder.initializer(int64_tensor("steps", {n}, steps));
  builder.node("Slice", {"X", "starts", "ends", "axes", "steps"}, {"Y"});
  auto output = run_model(builder.build(), make_input(shape, std::move(x)));
  EXPECT_TRUE(output.ok()) << output.message();
  if (output.ok() && out_shape != nullptr) *out_shape = output->shape;
  return output.ok() ? output->data : std::vector<float>{};
}

TEST(OpSlice, TakesEveryOtherPixelLikeYoloxFocus) {
  // The YOLOX stem: X[..., 0::2, 1::2] on a 4x4 plane, with INT64_MAX as "to the end".
  std::vector<int64_t> shape;
  const auto y =
      slice({1, 1, 4, 4}, iota(16), {0, 1}, {INT64_MAX, INT64_MAX}, {2, 3}, {2, 2}, &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(y, (std::vector<float>{1, 3, 9, 11}));
}

TEST(OpSlice, NegativeIndicesCountFromTheEnd) {
  EXPECT_EQ(slice({7}, iota(7), {-3}, {-1}, {0}, {1}), (std::vector<float>{4, 5}));
  EXPECT_EQ(slice({2, 7}, iota(14), {-100}, {2}, {-1}, {1}),
            (std::vector<float>{0, 1, 7, 8}));  // start clamped to 0
}

TEST(OpSlice, NegativeStepsRunBackwards) {
  EXPECT_EQ(slice({5}, iota(5), {-1}, {INT64_MIN}, {0}, {-1}), (std::vector<float>{4, 3, 2, 1, 0}));
  EXPECT_EQ(slice({5}, iota(5), {10}, {0}, {0}, {-2}), (std::vector<float>{4, 2}));
}

TEST(OpSlice, EmptyRangeGivesAnEmptyAxis) {
  std::vector<int64_t> shape;
  const auto y = slice({2, 3}, iota(6), {2}, {1}, {1}, {1}, &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 0}));
  EXPECT_TRUE(y.empty());
}

TEST(OpSlice, Opset9TakesAttributes) {
  ModelBuilder builder(9);
  builder.input("X", {3, 3}).output("Y");
  builder.node("Slice", {"X"}, {"Y"}).attr("starts", {1, 0}).attr("ends", {3, 2});
  auto output = run_model(builder.build(), make_input({3, 3}, iota(9)));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{3, 4, 6, 7}));
}

TEST(OpSlice, RefusesAZeroStep) {
  ModelBuilder builder(13);
  builder.input("X", {3}).output("Y");
  builder.initializer(int64_tensor("s", {1}, {0}));
  builder.initializer(int64_tensor("zero", {1}, {0}));
  builder.node("Slice", {"X", "s", "s", "s", "zero"}, {"Y"}, "stuck");
  auto result = load_model(builder.build(), "slice.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(), "slice.onnx: node 'stuck' (Slice): step 0 on axis 0");
}

Result<FloatTensor> reshape(std::vector<int64_t> shape, std::vector<int64_t> target,
                            int allow_zero = 0) {
  ModelBuilder builder(14);
  builder.input("X", shape).output("Y");
  builder.initializer(int64_tensor("shape", {static_cast<int64_t>(target.size())}, target));
  builder.node("Reshape", {"X", "shape"}, {"Y"}, "reshape").attr("allowzero", allow_zero);
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return run_model(builder.build(), make_input(shape, iota(static_cast<int>(count))));
}

TEST(OpReshape, ZeroCopiesAndMinusOneInfers) {
  auto output = reshape({2, 3, 4}, {0, -1});
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(output->data, iota(24));
  auto yolox = reshape({1, 85, 13, 13}, {1, 85, -1});
  ASSERT_TRUE(yolox.ok()) << yolox.message();
  EXPECT_EQ(yolox->shape, (std::vector<int64_t>{1, 85, 169}));
}

TEST(OpReshape, AllowZeroKeepsALiteralZero) {
  auto output = reshape({0, 3}, {3, 0}, 1);
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{3, 0}));
}

TEST(OpReshape, RefusesMismatchedCountsAndTwoMinusOnes) {
  auto wrong = reshape({2, 3}, {4, 2});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.message(),
            "test.onnx: node 'reshape' (Reshape): cannot reshape [2, 3] (6 elements) to [4, 2]");
  auto twice = reshape({2, 3}, {-1, -1});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.message().find("more than one -1"), std::string::npos);
}

TEST(OpTranspose, SwapsTheLastTwoAxes) {
  ModelBuilder builder(11);
  builder.input("X", {1, 2, 3}).output("Y");
  builder.node("Transpose", {"X"}, {"Y"}).attr("perm", {0, 2, 1});
  auto output = run_model(builder.build(), make_input({1, 2, 3}, iota(6)));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{1, 3, 2}));
  EXPECT_EQ(output->data, (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(OpTranspose, DefaultReversesAllAxesAndPermutesFourDims) {
  ModelBuilder builder(11);
  builder.input("X", {2, 3}).output("Y");
  builder.node("Transpose", {"X"}, {"Y"});
  auto output = run_model(builder.build(), make_input({2, 3}, iota(6)));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{0, 3, 1, 4, 2, 5}));

  // The YOLOv8 DFL transpose [0, 2, 1, 3] on [1, 2, 3, 2].
  ModelBuilder four(13);
  four.input("X", {1, 2, 3, 2}).output("Y");
  four.node("Transpose", {"X"}, {"Y"}).attr("perm", {0, 2, 1, 3});
  auto permuted = run_model(four.build(), make_input({1, 2, 3, 2}, iota(12)));
  ASSERT_TRUE(permuted.ok()) << permuted.message();
  EXPECT_EQ(permuted->shape, (std::vector<int64_t>{1, 3, 2, 2}));
  EXPECT_EQ(permuted->data, (std::vector<float>{0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11}));
}

TEST(OpTranspose, RefusesANonPermutation) {
  ModelBuilder builder(11);
  builder.input("X", {2, 3}).output("Y");
  builder.node("Transpose", {"X"}, {"Y"}, "t").attr("perm", {1, 1});
  auto result = load_model(builder.build(), "t.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "t.onnx: node 't' (Transpose): perm [1, 1] is not a permutation of 0..1");
}

TEST(OpConcat, JoinsAlongChannelsAndNegativeAxes) {
  for (int64_t axis : {1, -2}) {
    ModelBuilder builder(11);
    builder.input("X", {1, 2, 2}).output("Y");
    builder.initializer(float_tensor("C", {1, 1, 2}, {100, 101}));
    builder.node("Concat", {"X", "C", "X"}, {"Y"}).attr("axis", axis);
    auto output = run_model(builder.build(), make_input({1, 2, 2}, iota(4)));
    ASSERT_TRUE(output.ok()) << output.message();
    EXPECT_EQ(output->shape, (std::vector<int64_t>{1, 5, 2}));
    EXPECT_EQ(output->data, (std::vector<float>{0, 1, 2, 3, 100, 101, 0, 1, 2, 3}));
  }
}

TEST(OpConcat, InterleavesRowsOnTheLastAxis) {
  ModelBuilder builder(11);
  builder.input("X", {2, 1}).output("Y");
  builder.initializer(float_tensor("C", {2, 2}, {7, 8, 9, 10}));
  builder.node("Concat", {"X", "C"}, {"Y"}).attr("axis", 1);
  auto output = run_model(builder.build(), make_input({2, 1}, {1, 2}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{1, 7, 8, 2, 9, 10}));
}

TEST(OpConcat, RefusesMismatchedShapes) {
  ModelBuilder builder(11);
  builder.input("X", {2, 2}).output("Y");
  builder.initializer(float_tensor("C", {3, 1}, {1, 2, 3}));
  builder.node("Concat", {"X", "C"}, {"Y"}, "cat").attr("axis", 1);
  auto result = load_model(builder.build(), "cat.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("input 1 (float32 [3, 1]) does not match input 0"),
            std::string::npos)
      << result.message();
}

// Split into parts and join them back in a different order, so every output is checked.
Result<FloatTensor> split_and_swap(int64_t opset, std::vector<int64_t> sizes, int parts,
                                   bool num_outputs) {
  ModelBuilder builder(opset);
  builder.input("X", {2, 5}).output("Y");
  std::vector<std::string> outputs;
  for (int i = 0; i < parts; ++i)
    outputs.push_back("p" + std::to_string(i));
  std::vector<std::string> inputs = {"X"};
  if (!sizes.empty()) {
    builder.initializer(int64_tensor("sizes", {static_cast<int64_t>(sizes.size())}, sizes));
    inputs.push_back("sizes");
  }
  NodeSpec& split = builder.node("Split", inputs, outputs, "split");
  split.attr("axis", 1);
  if (num_outputs) split.attr("num_outputs", parts);
  std::vector<std::string> reversed(outputs.rbegin(), outputs.rend());
  builder.node("Concat", reversed, {"Y"}).attr("axis", 1);
  return run_model(builder.build(), make_input({2, 5}, iota(10)));
}

TEST(OpSplit, SplitsBySizesInput) {
  auto output = split_and_swap(13, {2, 3}, 2, false);
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{2, 3, 4, 0, 1, 7, 8, 9, 5, 6}));
}

TEST(OpSplit, NumOutputsAllowsAShorterLastPart) {
  // Opset 18: 5 split into 2 parts is 3 + 2.
  auto output = split_and_swap(18, {}, 2, true);
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}));
}

TEST(OpSplit, EqualSplitMustDivideTheAxis) {
  auto output = split_and_swap(13, {}, 5, false);
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->data, (std::vector<float>{4, 3, 2, 1, 0, 9, 8, 7, 6, 5}));
  auto uneven = split_and_swap(13, {}, 2, false);
  ASSERT_FALSE(uneven.ok());
  EXPECT_NE(uneven.message().find("does not split evenly into 2 outputs"), std::string::npos)
      << uneven.message();
}

TEST(OpSplit, RefusesSizesThatDoNotAddUp) {
  auto output = split_and_swap(13, {2, 2}, 2, false);
  ASSERT_FALSE(output.ok());
  EXPECT_NE(output.message().find("split sizes [2, 2] add up to 4, not the axis length 5"),
            std::string::npos)
      << output.message();
}

}  // namespace
}  // namespace sightline::testing
