// Conv and ConvInteger against hand-computed values and against a naive seven-loop convolution
// written here, on odd channel counts, non-square inputs, strides, dilations, groups and padding.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/onnx_builder.h"

namespace sightline::testing {
namespace {

struct ConvCase {
  int64_t channels, height, width, out_channels, kernel_h, kernel_w, stride, dilation, pad, group;
};

// Layouts: x [1, C, H, W], w [M, C / group, kH, kW], y [1, M, oH, oW]; symmetric padding.
template <class T>
std::vector<T> naive_conv(const ConvCase& c, const std::vector<T>& x, const std::vector<T>& w,
                          const std::vector<T>& bias, int64_t& out_h, int64_t& out_w) {
  out_h = (c.height + 2 * c.pad - ((c.kernel_h - 1) * c.dilation + 1)) / c.stride + 1;
  out_w = (c.width + 2 * c.pad - ((c.kernel_w - 1) * c.dilation + 1)) / c.stride + 1;
  const int64_t group_in = c.channels / c.group;
  const int64_t group_out = c.out_channels / c.group;
  std::vector<T> y(static_cast<size_t>(c.out_channels * out_h * out_w));
  for (int64_t m = 0; m < c.out_channels; ++m) {
    const int64_t g = m / group_out;
    for (int64_t oy = 0; oy < out_h; ++oy) {
      for (int64_t ox = 0; ox < out_w; ++ox) {
        T sum = bias.empty() ? T{0} : bias[m];
        for (int64_t ci = 0; ci < group_in; ++ci) {
          for (int64_t ky = 0; ky < c.kernel_h; ++ky) {
            for (int64_t kx = 0; kx < c.kernel_w; ++kx) {
              const int64_t iy = oy * c.stride - c.pad + ky * c.dilation;
              const int64_t ix = ox * c.stride - c.pad + kx * c.dilation;
              if (iy < 0 || iy >= c.height || ix < 0 || ix >= c.width) continue;
              const int64_t channel = g * group_in + ci;
              sum += x[(channel * c.height + iy) * c.width + ix] *
                     w[((m * group_in + ci) * c.kernel_h + ky) * c.kernel_w + kx];
            }
          }
        }
        y[(m * out_h + oy) * out_w + ox] = sum;
      }
    }
  }
  return y;
}

std::vector<float> random_values(size_t count, std::mt19937& random, float low, float high) {
  std::uniform_real_distribution<float> distribution(low, high);
  std::vector<float> values(count);
  for (float& value : values)
    value = distribution(random);
  return values;
}

TEST(OpConv, MatchesHandComputed3x3WithPaddingAndBias) {
  // x = [[1, 2], [3, 4]], all-ones 3x3 kernel, pad 1, bias 10: each output is 10 plus the sum
  // of the whole input (every 3x3 window covers all four pixels).
  ModelBuilder builder(11);
  builder.input("X", {1, 1, 2, 2}).output("Y");
  builder.initializer(float_tensor("W", {1, 1, 3, 3}, std::vector<float>(9, 1.0f)));
  builder.initializer(float_tensor("B", {1}, {10.0f}));
  builder.node("Conv", {"X", "W", "B"}, {"Y"}, "conv")
      .attr("kernel_shape", {3, 3})
      .attr("pads", {1, 1, 1, 1});
  auto output = run_model(builder.build(), make_input({1, 1, 2, 2}, {1, 2, 3, 4}));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(output->data, (std::vector<float>{20, 20, 20, 20}));
}

TEST(OpConv, StrideTwoWithoutPaddingPicksAlternatePixels) {
  // 1x1 kernel of weight 2, stride 2, on a 3x5 input: reads pixels (0,0) (0,2) (0,4) (2,0) ...
  ModelBuilder builder(11);
  builder.input("X", {1, 1, 3, 5}).output("Y");
  builder.initializer(float_tensor("W", {1, 1, 1, 1}, {2.0f}));
  builder.node("Conv", {"X", "W"}, {"Y"}).attr("strides", {2, 2});
  std::vector<float> x(15);
  for (int i = 0; i < 15; ++i)
    x[i] = static_cast<float>(i);
  auto output = run_model(builder.build(), make_input({1, 1, 3, 5}, x));
  ASSERT_TRUE(output.ok()) << output.message();
  EXPECT_EQ(output->shape, (std::vector<int64_t>{1, 1, 2, 3}));
  EXPECT_EQ(output->data, (std::vector<float>{0, 4, 8, 20, 24, 28}));
}

class OpConvShapes : public ::testing::TestWithParam<ConvCase> {};

TEST_P(OpConvShapes, MatchesNaiveConvolution) {
  const ConvCase c = GetParam();
  std::mt19937 random(static_cast<unsigned>(c.channels * 131 + c.out_channels * 7 + c.group));
  const std::vector<float> x = random_values(c.channels * c.height * c.width, random, -2, 2);
  const std::vector<float> w = random_values(
      c.out_channels * (c.channels / c.group) * c.kernel_h * c.kernel_w, random, -1, 1);
  const std::vector<float> bias = random_values(c.out_channels, random, -1, 1);
  int64_t out_h = 0, out_w = 0;
  const std::vector<float> expected = naive_conv(c, x, w, bias, out_h, out_w);

  ModelBuilder builder(11);
  builder.input("X", {1, c.channels, c.height, c.width}).output("Y");
  builder.initializer(
      float_tensor("W", {c.out_channels, c.channels / c.group, c.kernel_h, c.kernel_w}, w));
  builder.initializer(float_tensor("B", {c.out_channels}, bias));
  builder.node("Conv", {"X", "W", "B"}, {"Y"}, "conv")
      .attr("strides", {c.stride, c.stride})
      .attr("dilations", {c.dilation, c.dilation})
      .attr("pads", {c.pad, c.pad, c.pad, c.pad})
      .attr("group", c.group);
  auto output = run_model(builder.build(), make_input({1, c.channels, c.height, c.width}, x));
  ASSERT_TRUE(output.ok()) << output.message();
  ASSERT_EQ(output->shape, (std::vector<int64_t>{1, c.out_channels, out_h, out_w}));
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_NEAR(output->data[i], expected[i], 1e-4f) << "at " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    OddShapes, OpConvShapes,
    ::testing::Values(
        // channels, h, w, out, kh, kw, stride, dilation, pad, group
        ConvCase{1, 1, 1, 1, 1, 1, 1, 1, 0, 1},      // smallest
        ConvCase{3, 7, 5, 17, 3, 3, 1, 1, 1, 1},     // odd channels, non-square
        ConvCase{7, 9, 17, 3, 3, 3, 2, 1, 1, 1},     // stride 2
        ConvCase{17, 6, 11, 17, 3, 3, 1, 1, 1, 17},  // depthwise
        ConvCase{17, 13, 7, 34, 3, 3, 2, 1, 1, 17},  // depthwise, 2 outputs per group, stride 2
        ConvCase{6, 8, 9, 9, 3, 3, 1, 1, 0, 3},      // grouped, no padding
        ConvCase{3, 11, 13, 7, 3, 5, 1, 2, 2, 1},    // dilation 2, rectangular kernel
        ConvCase{16, 23, 25, 27, 1, 1, 1, 1, 0, 1},  // 1x1 fast path, bands over 256 pixels
        ConvCase{5, 300, 3, 4, 1, 1, 1, 1, 0, 1},    // 1x1, narrow and tall
        ConvCase{4, 19, 21, 6, 1, 1, 2, 1, 0, 2}));  // 1x1 stride 2 grouped: not the fast path

TEST(OpConv, AutoPadSameUpperAndLowerPlaceTheOddPixelDifferently) {
  // Width 4, kernel 2, stride 1: output width 4 needs one pad pixel. SAME_UPPER pads at the end,
  // SAME_LOWER at the beginning. A kernel [1, 10] makes the difference visible.
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    ModelBuilder builder(11);
    builder.input("X", {1, 1, 1, 4}).output("Y");
    builder.initializer(float_tensor("W", {1, 1, 1, 2}, {1.0f, 10.0f}));
    builder.node("Conv", {"X", "W"}, {"Y"}).attr("auto_pad", mode);
    auto output = run_model(builder.build(), make_input({1, 1, 1, 4}, {1, 2, 3, 4}));
    ASSERT_TRUE(output.ok()) << output.message();
    if (std::string(mode) == "SAME_UPPER") {
      EXPECT_EQ(output->data, (std::vector<float>{21, 32, 43, 4})) << mode;
    } else if (std::string(mode) == "SAME_LOWER") {
      EXPECT_EQ(output->data, (std::vector<float>{10, 21, 32, 43})) << mode;
    } else {
      EXPECT_EQ(output->data, (std::vector<float>{21, 32, 43})) << mode;
    }
  }
}

TEST(OpConv, RefusesChannelMismatchAtLoad) {
  ModelBuilder builder(11);
  builder.input("X", {1, 3, 4, 4}).output("Y");
  builder.initializer(float_tensor("W", {2, 2, 1, 1}, {1, 1, 1, 1}));
  builder.node("Conv", {"X", "W"}, {"Y"}, "mismatch");
  auto result = load_model(builder.build(), "conv.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "conv.onnx: node 'mismatch' (Conv): input has 3 channels but weights [2, 2, 1, 1] "
            "with group 1 expect 2");
}

TEST(OpConv, RefusesThreeDimensionalConvolution) {
  ModelBuilder builder(11);
  builder.input("X", {1, 1, 2, 2, 2}).output("Y");
  builder.initializer(float_tensor("W", {1, 1, 1, 1, 1}, {1}));
  builder.node("Conv", {"X", "W"}, {"Y"}, "conv3d");
  auto result = load_model(builder.build(), "conv3d.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.message().find("only 2-D convolution"), std::string::npos) << result.message();
}

// ConvInteger fed through Cast: X holds integral floats 0..255 that Cast turns into uint8 (or
// int8) exactly, and the int32 result comes back through a Cast to float.
std::vector<uint8_t> conv_integer_model(const ConvCase& c, int32_t x_type, const TestTensor& w,
                                        const TestTensor& x_zero, const TestTensor& w_zero) {
  ModelBuilder builder(11);
  builder.input("X", {1, c.channels, c.height, c.width}).output("Y");
  builder.initializer(w).initializer(x_zero).initializer(w_zero);
  builder.node("Cast", {"X"}, {"xq"}).attr("to", x_type);
  builder.node("ConvInteger", {"xq", "W", "x_zero", "w_zero"}, {"acc"}, "conv_int")
      .attr("strides", {c.stride, c.stride})
      .attr("pads", {c.pad, c.pad, c.pad, c.pad})
      .attr("dilations", {c.dilation, c.dilation})
      .attr("group", c.group);
  builder.node("Cast", {"acc"}, {"Y"}).attr("to", static_cast<int64_t>(kFloat));
  return builder.build();
}

TEST(OpConvInteger, MatchesNaiveIntegerConvolutionWithZeroPoints) {
  const ConvCase c{3, 7, 9, 5, 3, 3, 2, 1, 1, 1};
  std::mt19937 random(99);
  std::vector<uint8_t> x(static_cast<size_t>(c.channels * c.height * c.width));
  for (uint8_t& value : x)
    value = static_cast<uint8_t>(random() % 256);
  std::vector<int8_t> w(static_cast<size_t>(c.out_channels * c.channels * 9));
  for (int8_t& value : w)
    value = static_cast<int8_t>(static_cast<int>(random() % 256) - 128);
  const uint8_t x_zero = 131;
  const std::vector<int8_t> w_zero = {-3, 0, 5, 7, -128};  // per output channel

  // Expected: padding reads as the zero point, i.e. contributes nothing.
  std::vector<int64_t> xs(x.size()), ws(w.size());
  for (size_t i = 0; i < x.size(); ++i)
    xs[i] = int64_t{x[i]} - x_zero;
  const int64_t per_channel = c.channels * 9;
  for (size_t i = 0; i < w.size(); ++i)
    ws[i] = int64_t{w[i]} - w_zero[i / per_channel];
  int64_t out_h = 0, out_w = 0;
  const std::vector<int64_t> expected = naive_conv<int64_t>(c, xs, ws, {}, out_h, out_w);

  std::vector<float> x_float(x.begin(), x.end());
  const auto model =
      conv_integer_model(c, kUint8, make_tensor("W", kInt8, {c.out_channels, c.channels, 3, 3}, w),
                         make_tensor("x_zero", kUint8, {}, std::vector<uint8_t>{x_zero}),
                         make_tensor("w_zero", kInt8, {c.out_channels}, w_zero));
  auto output = run_model(model, make_input({1, c.channels, c.height, c.width}, x_float));
  ASSERT_TRUE(output.ok()) << output.message();
  ASSERT_EQ(output->shape, (std::vector<int64_t>{1, c.out_channels, out_h, out_w}));
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(output->data[i], static_cast<float>(expected[i])) << "at " << i;
  }
}

TEST(OpConvInteger, HandlesInt8InputAndUint8WeightsDepthwise) {
  const ConvCase c{7, 5, 6, 7, 3, 3, 1, 1, 1, 7};
  std::mt19937 random(7);
  std::vector<int8_t> x(static_cast<size_t>(c.channels * c.height * c.width));
  for (int8_t& value : x)
    value = static_cast<int8_t>(static_cast<int>(random() % 256) - 128);
  std::vector<uint8_t> w(static_cast<size_t>(c.out_channels * 9));
  for (uint8_t& value : w)
    value = static_cast<uint8_t>(random() % 256);
  const int8_t x_zero = -5;
  const uint8_t w_zero = 128;

  std::vector<int64_t> xs(x.size()), ws(w.size());
  for (size_t i = 0; i < x.size(); ++i)
    xs[i] = int64_t{x[i]} - x_zero;
  for (size_t i = 0; i < w.size(); ++i)
    ws[i] = int64_t{w[i]} - w_zero;
  int64_t out_h = 0, out_w = 0;
  const std::vector<int64_t> expected = naive_conv<int64_t>(c, xs, ws, {}, out_h, out_w);

  std::vector<float> x_float(x.begin(), x.end());
  const auto model =
      conv_integer_model(c, kInt8, make_tensor("W", kUint8, {c.out_channels, 1, 3, 3}, w),
                         make_tensor("x_zero", kInt8, {1}, std::vector<int8_t>{x_zero}),
                         make_tensor("w_zero", kUint8, {}, std::vector<uint8_t>{w_zero}));
  auto output = run_model(model, make_input({1, c.channels, c.height, c.width}, x_float));
  ASSERT_TRUE(output.ok()) << output.message();
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(output->data[i], static_cast<float>(expected[i])) << "at " << i;
  }
}

TEST(OpConvInteger, RefusesFloatInput) {
  ModelBuilder builder(11);
  builder.input("X", {1, 1, 2, 2}).output("Y");
  builder.initializer(make_tensor("W", kInt8, {1, 1, 1, 1}, std::vector<int8_t>{1}));
  builder.node("ConvInteger", {"X", "W"}, {"acc"}, "float_in");
  builder.node("Cast", {"acc"}, {"Y"}).attr("to", static_cast<int64_t>(kFloat));
  auto result = load_model(builder.build(), "ci.onnx");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.message(),
            "ci.onnx: node 'float_in' (ConvInteger): input X has type float32, expected uint8 or "
            "int8");
}

}  // namespace
}  // namespace sightline::testing
