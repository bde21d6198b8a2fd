// A rectangle of the screen mapped to a data range, with axes, nice ticks and labels.
// Shared by LinePlot and Canvas2D (the "transformer" of a plot: data <-> pixels).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace Widgets {

struct PlotFrame {
  ImVec2 p0, p1;          ///< plot area on screen (top-left, bottom-right), inside the axes
  double x0 = 0, x1 = 1;  ///< data range along x (left -> right)
  double y0 = 0, y1 = 1;  ///< data range along y (bottom -> top)

  ImVec2 ToScreen(double x, double y) const {
    return ImVec2(p0.x + static_cast<float>((x - x0) / (x1 - x0)) * (p1.x - p0.x),
                  p1.y - static_cast<float>((y - y0) / (y1 - y0)) * (p1.y - p0.y));
  }
  void ToData(ImVec2 s, double* x, double* y) const {
    *x = x0 + (s.x - p0.x) / (p1.x - p0.x) * (x1 - x0);
    *y = y0 + (p1.y - s.y) / (p1.y - p0.y) * (y1 - y0);
  }
  bool Contains(ImVec2 s) const { return s.x >= p0.x && s.x <= p1.x && s.y >= p0.y && s.y <= p1.y; }
};

/// About `target` round tick positions (1, 2, 2.5, 5 x 10^k steps) inside [lo, hi].
std::vector<double> NiceTicks(double lo, double hi, int target);

/// Short label for a tick value ("0.25", "1e-03").
std::string TickLabel(double v, double step);

/// Reserves `size` (an ImGui item), leaves room for tick labels and axis titles, and returns the
/// inner plot area mapped to the given ranges. With equal_aspect the ranges are widened around their
/// centre so one data unit has the same length on both axes.
PlotFrame LayoutPlotFrame(ImVec2 top_left, ImVec2 size, double x0, double x1, double y0, double y1,
                          bool equal_aspect, bool has_x_title, bool has_y_title);

/// Draws the frame border, grid lines (faint), ticks, tick labels and axis titles.
void DrawPlotAxes(ImDrawList* dl, const PlotFrame& f, const char* x_title, const char* y_title, bool grid_lines);

/// A polyline in data coordinates; dashed draws every other piece of `dash` pixels. Clipped to the frame.
void DrawDataPolyline(ImDrawList* dl, const PlotFrame& f, const double* xs, const double* ys, int n, ImU32 color,
                      float thickness, bool dashed, float dash = 8.0f);

}  // namespace Widgets
