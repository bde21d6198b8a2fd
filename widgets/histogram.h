// Histogram of binned values with axes and vertical marker lines (e.g. a threshold).
//
//   Widgets::HistogramBins b = Widgets::BinValues(values, n, 60);        // equal-width bins over [min, max]
//   Widgets::HistogramStyle st; st.band_lo = -t; st.band_hi = t;        // bars inside the band drawn grey
//   Widgets::Histogram("##tau", b, size, markers, 2, "value", "count", st);
// Knows nothing of what the values mean; the caller names the axes and the markers.
#pragma once

#include <imgui.h>

#include <vector>

#include "widgets/plot_frame.h"

namespace Widgets {

struct HistogramBins {
  double lo = 0, hi = 1;        ///< range covered by the bins (lo < hi)
  std::vector<double> counts;   ///< counts[i] covers [lo + i w, lo + (i + 1) w), w = (hi - lo) / size
  double max_count() const;
};

/// Equal-width bins over [min, max] of the finite values (a constant input gets a unit-wide range around it).
/// The largest value falls in the last bin. Non-finite values are skipped.
HistogramBins BinValues(const float* values, long n, int n_bins);

struct HistogramMarker {
  double x = 0;
  ImU32 color = IM_COL32(240, 228, 66, 255);
  const char* label = nullptr;  ///< drawn at the top of the line (nullptr: none)
};

struct HistogramStyle {
  ImU32 bar = IM_COL32(86, 180, 233, 255);     ///< bars outside the band
  ImU32 band_bar = IM_COL32(120, 120, 120, 255);  ///< bars whose centre lies inside [band_lo, band_hi]
  double band_lo = 0, band_hi = 0;             ///< empty band (lo >= hi): every bar uses `bar`
  bool log_counts = false;                     ///< y axis log10(1 + count)
};

/// Draws the histogram in an area of `size` (an ImGui item). Returns the plot frame (for tests/state dumps).
PlotFrame Histogram(const char* id, const HistogramBins& bins, ImVec2 size, const HistogramMarker* markers,
                    int n_markers, const char* x_title, const char* y_title, const HistogramStyle& style = {});

}  // namespace Widgets
