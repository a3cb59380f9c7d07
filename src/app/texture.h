// Texture: a photo uploaded to the GPU so ImGui can draw it on the canvas and in the gallery.
//
// Web (WebGL2) and desktop (OpenGL 3) both use OpenGL, so one implementation serves both.
// Photos wider or taller than the GPU's texture limit are shrunk for display only; detection
// always runs on the full-resolution pixels.
#pragma once

#include <cstdint>

#include "core/image.h"

namespace sightline::app {

class Texture {
 public:
  Texture() = default;
  ~Texture();
  Texture(Texture&& other) noexcept;
  Texture& operator=(Texture&& other) noexcept;
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;

  static Texture from_image(const Image& image);

  bool valid() const { return handle_ != 0; }
  // The value ImGui's OpenGL backends take as an ImTextureID.
  void* imgui_id() const { return reinterpret_cast<void*>(static_cast<uintptr_t>(handle_)); }

 private:
  unsigned handle_ = 0;
};

}  // namespace sightline::app
