// Calls a kernel template with the four-float backend that an Isa stands for.
#pragma once

#include <utility>

#include "engine/simd/isa.h"
#include "engine/simd/vec4.h"

namespace sightline::engine::simd {

// `body` is a lambda with a template parameter: [&]<class V>() { kernel<V>(...); }.
template <class Body>
void with_vec4(Isa isa, Body&& body) {
  if (isa == Isa::kScalar) {
    body.template operator()<Vec4Scalar>();
  } else {
    body.template operator()<Vec4Native>();
  }
}

}  // namespace sightline::engine::simd
