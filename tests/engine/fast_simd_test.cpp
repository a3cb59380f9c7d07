// The four-float backends agree lane by lane with the scalar one, and the instruction-set switch
// behaves as documented.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "engine/simd/isa.h"
#include "engine/simd/vec4.h"

namespace sightline::engine::simd {
namespace {

using Lanes = std::array<float, 4>;

template <class V>
Lanes lanes(typename V::T v) {
  Lanes out;
  V::store(out.data(), v);
  return out;
}

template <class V, class Op>
Lanes apply(const Lanes& a, const Lanes& b, Op op) {
  return lanes<V>(op(V::load(a.data()), V::load(b.data())));
}

TEST(FastSimd, NativeBackendMatchesScalarLaneByLane) {
  const Lanes a = {1.5f, -2.0f, 3.25f, 0.0f};
  const Lanes b = {0.5f, 4.0f, -1.0f, -7.5f};
  using S = Vec4Scalar;
  using N = Vec4Native;
  const auto both = [&](auto op_scalar, auto op_native) {
    EXPECT_EQ((apply<S>(a, b, op_scalar)), (apply<N>(a, b, op_native)));
  };
  both([](S::T x, S::T y) { return S::add(x, y); }, [](N::T x, N::T y) { return N::add(x, y); });
  both([](S::T x, S::T y) { return S::sub(x, y); }, [](N::T x, N::T y) { return N::sub(x, y); });
  both([](S::T x, S::T y) { return S::mul(x, y); }, [](N::T x, N::T y) { return N::mul(x, y); });
  both([](S::T x, S::T y) { return S::div(x, y); }, [](N::T x, N::T y) { return N::div(x, y); });
  both([](S::T x, S::T y) { return S::max(x, y); }, [](N::T x, N::T y) { return N::max(x, y); });
  both([](S::T x, S::T y) { return S::min(x, y); }, [](N::T x, N::T y) { return N::min(x, y); });
  both([](S::T x, S::T y) { return S::even_lanes(x, y); },
       [](N::T x, N::T y) { return N::even_lanes(x, y); });
  both([](S::T x, S::T y) { return S::odd_lanes(x, y); },
       [](N::T x, N::T y) { return N::odd_lanes(x, y); });
  both([](S::T x, S::T y) { return S::interleave_low(x, y); },
       [](N::T x, N::T y) { return N::interleave_low(x, y); });
  both([](S::T x, S::T y) { return S::interleave_high(x, y); },
       [](N::T x, N::T y) { return N::interleave_high(x, y); });
}

TEST(FastSimd, ShufflesPickTheDocumentedLanes) {
  using S = Vec4Scalar;
  const Lanes a = {0, 1, 2, 3};
  const Lanes b = {4, 5, 6, 7};
  EXPECT_EQ((apply<S>(a, b, [](S::T x, S::T y) { return S::even_lanes(x, y); })),
            (Lanes{0, 2, 4, 6}));
  EXPECT_EQ((apply<S>(a, b, [](S::T x, S::T y) { return S::odd_lanes(x, y); })),
            (Lanes{1, 3, 5, 7}));
  EXPECT_EQ((apply<S>(a, b, [](S::T x, S::T y) { return S::interleave_low(x, y); })),
            (Lanes{0, 4, 1, 5}));
  EXPECT_EQ((apply<S>(a, b, [](S::T x, S::T y) { return S::interleave_high(x, y); })),
            (Lanes{2, 6, 3, 7}));
}

TEST(FastSimd, MulAddAndBroadcast) {
  using N = Vec4Native;
  const Lanes a = {1, 2, 3, 4};
  const Lanes result =
      lanes<N>(N::mul_add(N::load(a.data()), N::broadcast(2.0f), N::broadcast(0.5f)));
  EXPECT_EQ(result, (Lanes{2.5f, 4.5f, 6.5f, 8.5f}));
  EXPECT_EQ(lanes<N>(N::zero()), (Lanes{0, 0, 0, 0}));
}

TEST(FastSimd, Exp2FromShiftedCoversTheNormalRange) {
  // n + 1.5 * 2^23, as the exp reduction produces it.
  const Lanes shifted = {-126.0f + 12582912.0f, -1.0f + 12582912.0f, 12582912.0f,
                         127.0f + 12582912.0f};
  const Lanes expected = {std::ldexp(1.0f, -126), 0.5f, 1.0f, std::ldexp(1.0f, 127)};
  EXPECT_EQ(lanes<Vec4Scalar>(Vec4Scalar::exp2_from_shifted(Vec4Scalar::load(shifted.data()))),
            expected);
  EXPECT_EQ(lanes<Vec4Native>(Vec4Native::exp2_from_shifted(Vec4Native::load(shifted.data()))),
            expected);
}

TEST(FastSimd, ForceScalarSelectsTheScalarPath) {
  EXPECT_EQ(select_isa(true), Isa::kScalar);
  if (!scalar_forced_by_environment()) {
    EXPECT_EQ(select_isa(false), best_isa());
    EXPECT_NE(select_isa(false), Isa::kScalar);
  }
  EXPECT_TRUE(isa_available(select_isa(false)));
}

TEST(FastSimd, IsaNamesRoundTrip) {
  for (Isa isa : {Isa::kScalar, Isa::kVec4, Isa::kAvx2Fma, Isa::kAvx512}) {
    Isa parsed = Isa::kScalar;
    ASSERT_TRUE(parse_isa(isa_name(isa), parsed)) << isa_name(isa);
    EXPECT_EQ(parsed, isa);
  }
  Isa unchanged = Isa::kVec4;
  EXPECT_FALSE(parse_isa("avx1024", unchanged));
  EXPECT_EQ(unchanged, Isa::kVec4);
}

}  // namespace
}  // namespace sightline::engine::simd
