// One RGBA8 OpenGL texture for images the widgets draw (heat maps). The GL side stays in app/gui:
// widgets only see the ImTextureID.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace mergelab::app {

class GlTexture {
 public:
  GlTexture() = default;
  GlTexture(const GlTexture&) = delete;
  GlTexture& operator=(const GlTexture&) = delete;
  ~GlTexture();

  /// Uploads width x height pixels (row 0 first, RGBA8 as ImU32), reallocating when the size changes.
  void upload(const ImU32* pixels, int width, int height);
  ImTextureID id() const;
  bool valid() const { return tex_ != 0; }

 private:
  unsigned int tex_ = 0;
  int w_ = 0, h_ = 0;
};

}  // namespace mergelab::app
