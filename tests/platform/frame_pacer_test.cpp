// The web frame loop's pacing: draws after activity and while busy, skips idle refreshes, and
// still draws at least every FramePacer::kIdleSeconds.
#include "platform/common/frame_pacer.h"

#include <gtest/gtest.h>

namespace sightline::platform {
namespace {

constexpr double kRefresh = 1.0 / 60.0;

// Draws counted over `refreshes` display refreshes starting at `start`.
int count_draws(FramePacer& pacer, double start, int refreshes, bool busy) {
  int draws = 0;
  for (int i = 0; i < refreshes; ++i) {
    if (pacer.should_draw(start + i * kRefresh, busy)) ++draws;
  }
  return draws;
}

TEST(FramePacer, DrawsTheFirstFrame) {
  FramePacer pacer;
  EXPECT_TRUE(pacer.should_draw(100.0, false));
}

TEST(FramePacer, IdleWindowDrawsOnlyAtTheIdleInterval) {
  FramePacer pacer;
  ASSERT_TRUE(pacer.should_draw(0.0, false));

  // One second of refreshes: one draw per quarter second instead of sixty.
  const int draws = count_draws(pacer, kRefresh, 60, false);
  EXPECT_EQ(draws, 4);
}

TEST(FramePacer, ActivityOwesAFewConsecutiveFrames) {
  FramePacer pacer;
  ASSERT_TRUE(pacer.should_draw(0.0, false));
  pacer.note_activity();

  for (int i = 1; i <= FramePacer::kFramesAfterActivity; ++i) {
    EXPECT_TRUE(pacer.should_draw(i * kRefresh, false)) << "frame " << i;
  }
  EXPECT_FALSE(pacer.should_draw((FramePacer::kFramesAfterActivity + 1) * kRefresh, false));
}

TEST(FramePacer, RepeatedActivityDoesNotAccumulateFrames) {
  FramePacer pacer;
  ASSERT_TRUE(pacer.should_draw(0.0, false));
  for (int i = 0; i < 50; ++i)
    pacer.note_activity();

  const int draws = count_draws(pacer, kRefresh, 10, false);
  EXPECT_EQ(draws, FramePacer::kFramesAfterActivity);
}

TEST(FramePacer, BusyDrawsEveryRefresh) {
  FramePacer pacer;
  EXPECT_EQ(count_draws(pacer, 0.0, 30, true), 30);
  // Once the work ends, the next refresh is idle again.
  EXPECT_FALSE(pacer.should_draw(30 * kRefresh, false));
}

TEST(FramePacer, IdleIntervalCountsFromTheLastDrawnFrame) {
  FramePacer pacer;
  ASSERT_TRUE(pacer.should_draw(0.0, false));
  pacer.note_activity();
  const int owed = count_draws(pacer, 1.0, FramePacer::kFramesAfterActivity, false);
  ASSERT_EQ(owed, FramePacer::kFramesAfterActivity);
  const double last_draw = 1.0 + (FramePacer::kFramesAfterActivity - 1) * kRefresh;

  EXPECT_FALSE(pacer.should_draw(last_draw + 0.1, false));
  EXPECT_TRUE(pacer.should_draw(last_draw + FramePacer::kIdleSeconds, false));
}

}  // namespace
}  // namespace sightline::platform
