// A line plot: axes with ticks and titles, several series (solid or dashed), a legend, a vertical
// marker, point markers, and a hover read-out of every series at the mouse's x.
//
//   Widgets::LinePlotSpec spec{"t", "loss"};
//   spec.marker_x = t;
//   Widgets::LinePlot("##curves", size, spec, series.data(), n);
#pragma once

#include <imgui.h>

#include <cmath>

#include "widgets/plot_frame.h"

namespace Widgets {

struct PlotSeries {
  const char* label = "";
  const double* x = nullptr;  ///< n values, increasing
  const double* y = nullptr;  ///< n values
  int n = 0;
  ImU32 color = IM_COL32(255, 255, 255, 255);
  bool dashed = false;
  float thickness = 2.0f;  ///< integer widths are much cheaper under software GL
  bool in_legend = true;
};

struct PlotPoint {
  double x, y;
  ImU32 color;
  const char* label = nullptr;  ///< drawn beside the point when set
};

struct LinePlotSpec {
  const char* x_title = "";
  const char* y_title = "";
  double x0 = 0, x1 = 1;
  double y0 = 0, y1 = 0;          ///< y1 <= y0: fit to the data with a margin
  double marker_x = NAN;          ///< vertical marker (NaN: none)
  ImU32 marker_color = 0;         ///< 0: the text colour
  const PlotPoint* points = nullptr;
  int point_count = 0;
  bool legend = true;
  int legend_columns = 1;
};

struct LinePlotResult {
  PlotFrame frame;
  bool hovered = false;
  double hover_x = NAN;  ///< data x under the mouse when hovered
};

LinePlotResult LinePlot(const char* id, ImVec2 size, const LinePlotSpec& spec, const PlotSeries* series, int count);

/// Linear interpolation of a series at x (clamped to its ends).
double SampleSeries(const PlotSeries& s, double x);

}  // namespace Widgets
