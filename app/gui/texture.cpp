#include "app/gui/texture.h"

#include <GL/gl.h>

#include <cstdint>

namespace mergelab::app {

GlTexture::~GlTexture() {
  if (tex_) glDeleteTextures(1, &tex_);
}

void GlTexture::upload(const ImU32* pixels, int width, int height) {
  if (!tex_) glGenTextures(1, &tex_);
  glBindTexture(GL_TEXTURE_2D, tex_);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  if (width != w_ || height != h_) {
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    w_ = width, h_ = height;
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
  }
}

ImTextureID GlTexture::id() const { return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(tex_)); }

}  // namespace mergelab::app
