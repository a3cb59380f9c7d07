// One GLFW window with a Dear ImGui context on OpenGL: WebGL2 (OpenGL ES 3.0) in the browser,
// OpenGL 3.0 on the desktop. Both mains use it so the app draws the same everywhere.
#pragma once

#include <string>

#include "core/result.h"

struct GLFWwindow;

namespace sightline::platform {

// Fails (with GLFW's reason) when there is no display or no suitable OpenGL.
Result<GLFWwindow*> open_imgui_window(const char* title, int width, int height);

void begin_imgui_frame();
void end_imgui_frame(GLFWwindow* window);
void close_imgui_window(GLFWwindow* window);

}  // namespace sightline::platform
