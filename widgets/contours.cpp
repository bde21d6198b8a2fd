#include "widgets/contours.h"

#include <algorithm>
#include <cmath>

namespace Widgets {

void MarchingSquares(const double* v, int cols, int rows, double level, std::vector<ContourSegment>& out) {
  // Corners of cell (i, j): 0 = (i, j), 1 = (i+1, j), 2 = (i+1, j+1), 3 = (i, j+1).
  auto lerp_edge = [&](float xa, float ya, double va, float xb, float yb, double vb, float& x, float& y) {
    const double d = vb - va;
    const float f = d != 0.0 ? static_cast<float>((level - va) / d) : 0.5f;
    x = xa + f * (xb - xa);
    y = ya + f * (yb - ya);
  };
  for (int j = 0; j + 1 < rows; ++j) {
    for (int i = 0; i + 1 < cols; ++i) {
      const double c[4] = {v[j * cols + i], v[j * cols + i + 1], v[(j + 1) * cols + i + 1], v[(j + 1) * cols + i]};
      const int code = (c[0] > level) | ((c[1] > level) << 1) | ((c[2] > level) << 2) | ((c[3] > level) << 3);
      if (code == 0 || code == 15) continue;
      const float xs[4] = {float(i), float(i + 1), float(i + 1), float(i)};
      const float ys[4] = {float(j), float(j), float(j + 1), float(j + 1)};
      // Crossing point on edge e (between corner e and corner e+1).
      float ex[4], ey[4];
      for (int e = 0; e < 4; ++e) {
        const int a = e, b = (e + 1) % 4;
        lerp_edge(xs[a], ys[a], c[a], xs[b], ys[b], c[b], ex[e], ey[e]);
      }
      auto seg = [&](int e0, int e1) { out.push_back({ex[e0], ey[e0], ex[e1], ey[e1]}); };
      // Edges crossed: an edge is crossed when its two corners are on different sides.
      int crossed[4], n = 0;
      for (int e = 0; e < 4; ++e)
        if (((code >> e) & 1) != ((code >> ((e + 1) % 4)) & 1)) crossed[n++] = e;
      if (n == 2) {
        seg(crossed[0], crossed[1]);
      } else if (n == 4) {  // saddle: decide by the centre value
        const bool centre_above = 0.25 * (c[0] + c[1] + c[2] + c[3]) > level;
        const bool c0_above = (code & 1) != 0;
        if (centre_above == c0_above) {
          seg(0, 1);
          seg(2, 3);
        } else {
          seg(3, 0);
          seg(1, 2);
        }
      }
    }
  }
}

void RasterizeSegments(const std::vector<ContourSegment>& segs, float scale, ImU32 color, int w, int h,
                       std::vector<ImU32>& pixels) {
  std::vector<float> cover(static_cast<size_t>(w) * h, 0.0f);
  // Walk each segment in half-pixel steps; a sample covers the pixels around it bilinearly.
  for (const auto& s : segs) {
    const float x0 = s.x0 * scale, y0 = s.y0 * scale, x1 = s.x1 * scale, y1 = s.y1 * scale;
    const float len = std::sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
    const int steps = std::max(1, static_cast<int>(len * 2.0f));
    for (int k = 0; k <= steps; ++k) {
      const float f = static_cast<float>(k) / steps;
      const float x = x0 + f * (x1 - x0), y = y0 + f * (y1 - y0);
      const int ix = static_cast<int>(std::floor(x)), iy = static_cast<int>(std::floor(y));
      const float fx = x - ix, fy = y - iy;
      const float wts[4] = {(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy};
      const int px[4] = {ix, ix + 1, ix, ix + 1}, py[4] = {iy, iy, iy + 1, iy + 1};
      for (int q = 0; q < 4; ++q) {
        if (px[q] < 0 || py[q] < 0 || px[q] >= w || py[q] >= h) continue;
        float& c = cover[static_cast<size_t>(py[q]) * w + px[q]];
        c = std::max(c, std::min(1.0f, wts[q] * 1.6f));
      }
    }
  }
  const float ca = static_cast<float>((color >> IM_COL32_A_SHIFT) & 0xFF) / 255.0f;
  for (size_t k = 0; k < cover.size(); ++k) {
    if (cover[k] <= 0.0f) continue;
    const float a = cover[k] * ca;
    ImU32 out = 0xFF000000u;
    for (int sh : {IM_COL32_R_SHIFT, IM_COL32_G_SHIFT, IM_COL32_B_SHIFT}) {
      const float d = static_cast<float>((pixels[k] >> sh) & 0xFF), c = static_cast<float>((color >> sh) & 0xFF);
      out |= static_cast<ImU32>(d + a * (c - d) + 0.5f) << sh;
    }
    pixels[k] = out;
  }
}

std::vector<double> ContourLevels(double vmin, double vmax, int count, bool log_scale) {
  std::vector<double> levels;
  if (count <= 0 || !(vmax > vmin)) return levels;
  const double lo = log_scale ? std::log(vmin) : vmin, hi = log_scale ? std::log(vmax) : vmax;
  for (int k = 1; k <= count; ++k) {
    const double x = lo + (hi - lo) * k / (count + 1);
    levels.push_back(log_scale ? std::exp(x) : x);
  }
  return levels;
}

}  // namespace Widgets
