// Grouped bar chart: groups along x (e.g. tasks), one bar per series in each group (e.g. models),
// a y axis with ticks, a legend, the value above each bar, optional horizontal reference lines,
// and a hover read-out.
//
//   const double merged[3] = {...}, spec0[3] = {...};
//   Widgets::BarSeries s[2] = {{"merged", merged, gold}, {"specialist", spec0, grey}};
//   Widgets::BarChartSpec spec{groups, 3};
//   Widgets::BarChart("##acc", size, spec, s, 2);
#pragma once

#include <imgui.h>

#include <cmath>

namespace Widgets {

struct BarSeries {
  const char* label = "";
  const double* values = nullptr;  ///< one per group; NaN leaves a gap
  ImU32 color = IM_COL32(200, 200, 200, 255);
  bool outlined = false;           ///< draw a bright outline (the series the viewer should look at)
};

struct BarChartSpec {
  const char* const* group_labels = nullptr;  ///< group_count labels under the groups
  int group_count = 0;
  double y0 = 0.0, y1 = 1.0;                  ///< value range of the y axis
  const char* y_title = "";
  const char* value_format = "%.1f";          ///< label above each bar (printf of value * value_scale), drawn when it fits; "" none
  double value_scale = 100.0;                 ///< e.g. 100 to print fractions as percent
  bool legend = true;
  const double* reference_lines = nullptr;    ///< horizontal dashed lines at these values
  int reference_count = 0;
  const char* const* reference_labels = nullptr;
  bool tooltip = true;                        ///< hover read-out (off for deterministic screenshots)
};

struct BarChartResult {
  bool hovered = false;
  int group = -1, series = -1;  ///< bar under the mouse (-1: none)
};

BarChartResult BarChart(const char* id, ImVec2 size, const BarChartSpec& spec, const BarSeries* series, int series_count);

}  // namespace Widgets
