// Contour lines of a scalar field on a regular grid (marching squares).
#pragma once

#include <imgui.h>

#include <vector>

namespace Widgets {

/// One contour segment in grid coordinates: x in [0, cols-1] (column index), y in [0, rows-1].
struct ContourSegment {
  float x0, y0, x1, y1;
};

/// Segments of the iso-line field == level for a row-major field (rows x cols), by marching squares
/// with linear interpolation along cell edges (saddles split by the cell-centre average). Appends to out.
void MarchingSquares(const double* values, int cols, int rows, double level, std::vector<ContourSegment>& out);

/// Burns segments (grid coordinates scaled by `scale` into pixel coordinates of a w x h image, row 0
/// = grid row 0) into RGBA pixels: `color` blended by per-pixel coverage (max over segments, so crossings
/// do not darken). Baking contours into a heat-map texture costs nothing per frame.
void RasterizeSegments(const std::vector<ContourSegment>& segs, float scale, ImU32 color, int w, int h,
                       std::vector<ImU32>& pixels);

/// `count` levels evenly spaced strictly inside (vmin, vmax); in log space when log_scale.
std::vector<double> ContourLevels(double vmin, double vmax, int count, bool log_scale);

}  // namespace Widgets
