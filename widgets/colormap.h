// Perceptual colour map (viridis-like) for heat maps: dark violet (low) -> teal -> yellow (high).
#pragma once

#include <imgui.h>

#include <cstdint>
#include <vector>

namespace Widgets {

/// Viridis at s in [0, 1] (clamped), linear between nine published control points.
ImU32 Viridis(float s);

/// Maps a row-major field (rows x cols) to RGBA8 pixels (as ImU32) with Viridis. Each value v goes
/// to s = (f(v) - f(vmin)) / (f(vmax) - f(vmin)), f = log when log_scale (values must be > 0), else identity.
void ColormapField(const double* values, int cols, int rows, double vmin, double vmax, bool log_scale,
                   std::vector<ImU32>& out);

}  // namespace Widgets
