// Contour lines of a scalar field on a regular grid (marching squares).
#pragma once

#include <vector>

namespace Widgets {

/// One contour segment in grid coordinates: x in [0, cols-1] (column index), y in [0, rows-1].
struct ContourSegment {
  float x0, y0, x1, y1;
};

/// Segments of the iso-line field == level for a row-major field (rows x cols), by marching squares
/// with linear interpolation along cell edges (saddles split by the cell-centre average). Appends to out.
void MarchingSquares(const double* values, int cols, int rows, double level, std::vector<ContourSegment>& out);

/// `count` levels evenly spaced strictly inside (vmin, vmax); in log space when log_scale.
std::vector<double> ContourLevels(double vmin, double vmax, int count, bool log_scale);

}  // namespace Widgets
