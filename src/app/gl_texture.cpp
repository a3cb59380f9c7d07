// Texture on OpenGL: WebGL2 (GLES 3) on the web, desktop OpenGL otherwise. Only OpenGL 1.1
// calls are used, which every libGL exports without a loader.
#include <algorithm>
#include <utility>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#include <GL/gl.h>
#endif

#include "app/texture.h"

namespace sightline::app {
namespace {

// Nearest-neighbour shrink by an integer step; display only, so speed beats quality here.
std::vector<uint8_t> shrink_rgb(const Image& image, int step, int& width, int& height) {
  width = image.width / step;
  height = image.height / step;
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const size_t source = (static_cast<size_t>(y) * step * image.width + x * step) * 3;
      const size_t target = (static_cast<size_t>(y) * width + x) * 3;
      std::copy_n(image.rgb.data() + source, 3, pixels.data() + target);
    }
  }
  return pixels;
}

}  // namespace

Texture::~Texture() {
  if (handle_ != 0) {
    GLuint handle = handle_;
    glDeleteTextures(1, &handle);
  }
}

Texture::Texture(Texture&& other) noexcept : handle_(std::exchange(other.handle_, 0)) {}

Texture& Texture::operator=(Texture&& other) noexcept {
  std::swap(handle_, other.handle_);
  return *this;
}

Texture Texture::from_image(const Image& image) {
  Texture texture;
  if (image.width <= 0 || image.height <= 0) return texture;

  GLint max_size = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size);
  max_size = std::max<GLint>(max_size, 1024);
  const int largest_side = std::max(image.width, image.height);
  const int step = (largest_side + max_size - 1) / max_size;

  int width = image.width;
  int height = image.height;
  std::vector<uint8_t> shrunk;
  const uint8_t* pixels = image.rgb.data();
  if (step > 1) {
    shrunk = shrink_rgb(image, step, width, height);
    pixels = shrunk.data();
  }

  GLuint handle = 0;
  glGenTextures(1, &handle);
  glBindTexture(GL_TEXTURE_2D, handle);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  // RGB rows are not 4-byte aligned for odd widths.
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB, width, height, 0, GL_RGB, GL_UNSIGNED_BYTE, pixels);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  texture.handle_ = handle;
  return texture;
}

}  // namespace sightline::app
