#include "widgets/colormap.h"

#include <algorithm>
#include <cmath>

namespace Widgets {

namespace {
// Viridis sampled at s = 0, 1/8, ..., 1 (matplotlib's published map).
constexpr unsigned char kViridis[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},
                                           {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
                                           {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
}  // namespace

ImU32 Viridis(float s) {
  if (!(s >= 0.0f)) s = 0.0f;  // also catches NaN
  if (s > 1.0f) s = 1.0f;
  const float x = s * 8.0f;
  const int i = std::min(7, static_cast<int>(x));
  const float f = x - static_cast<float>(i);
  auto mix = [&](int c) { return static_cast<int>(kViridis[i][c] + f * (kViridis[i + 1][c] - kViridis[i][c]) + 0.5f); };
  return IM_COL32(mix(0), mix(1), mix(2), 255);
}

void ColormapField(const double* values, int cols, int rows, double vmin, double vmax, bool log_scale,
                   std::vector<ImU32>& out) {
  out.resize(static_cast<size_t>(cols) * rows);
  auto f = [&](double v) { return log_scale ? std::log(std::max(v, 1e-300)) : v; };
  const double lo = f(vmin), span = std::max(f(vmax) - lo, 1e-300);
  for (size_t k = 0; k < out.size(); ++k) out[k] = Viridis(static_cast<float>((f(values[k]) - lo) / span));
}

}  // namespace Widgets
