// Decides, once per display refresh, whether the web page draws a frame.
//
// The browser calls the frame loop at every display refresh whatever happens. Drawing an idle
// ImGui window 60 times a second costs the page a core where WebGL runs in software (headless
// Chromium's SwiftShader took 22 ms a frame here) and takes that time from the inference threads;
// on a laptop it costs battery. So the page draws when something can have changed and
// otherwise skips the refresh, the way the desktop loop sleeps in glfwWaitEventsTimeout:
//   - for a few frames after any activity (input, a call from the page's JS API, a resize), so
//     ImGui settles what the activity changed (a popup opens a frame after its click, a window
//     sizes itself over two frames);
//   - on every refresh while work is running (an evaluation's progress, a queued job);
//   - at least every kIdleSeconds otherwise, so a change that arrives by a path that does not
//     count as activity is on screen within that time.
//
// Plain C++ (no GLFW, no ImGui): tests/platform/frame_pacer_test.cpp checks it natively.
#pragma once

namespace sightline::platform {

class FramePacer {
 public:
  static constexpr int kFramesAfterActivity = 4;
  static constexpr double kIdleSeconds = 0.25;

  // Something the window shows may have changed.
  void note_activity() { frames_owed_ = kFramesAfterActivity; }

  // Whether to draw at `now_seconds` (any steady clock); `busy` while work is in progress.
  // Counts the frame as drawn when it answers yes.
  bool should_draw(double now_seconds, bool busy) {
    const bool idle_too_long = !drawn_once_ || now_seconds - last_draw_seconds_ >= kIdleSeconds;
    if (!busy && frames_owed_ == 0 && !idle_too_long) return false;

    if (frames_owed_ > 0) --frames_owed_;
    last_draw_seconds_ = now_seconds;
    drawn_once_ = true;
    return true;
  }

 private:
  int frames_owed_ = 0;
  double last_draw_seconds_ = 0.0;
  bool drawn_once_ = false;
};

}  // namespace sightline::platform
