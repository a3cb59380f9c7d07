// Helpers shared by the app's source files; not part of the app's interface.
#pragma once

#include <chrono>

namespace sightline::app {

double milliseconds_since(std::chrono::steady_clock::time_point start);

}  // namespace sightline::app
