// Heat-map pieces: the image itself is a texture the caller uploads (one GL texture, never per-cell
// rectangles); these draw its contour lines and a vertical colour bar with a labelled scale.
#pragma once

#include <imgui.h>

#include <vector>

#include "widgets/canvas2d.h"
#include "widgets/contours.h"

namespace Widgets {

/// Contour segments (grid coordinates of a cols x rows field covering [x0, x1] x [y0, y1]) on a canvas.
void CanvasContours(Canvas2D& c, const std::vector<ContourSegment>& segs, int cols, int rows, double x0, double x1,
                    double y0, double y1, ImU32 color);

/// A vertical Viridis bar of `size` for values vmin..vmax (log-spaced labels when log_scale), with a title.
/// Tick labels never repeat and never crowd; a constant field (vmax ~ vmin) draws one colour and one
/// value and returns true, so the caller can say so on the map.
bool ColorBar(const char* id, ImVec2 size, double vmin, double vmax, bool log_scale, const char* title);

}  // namespace Widgets
