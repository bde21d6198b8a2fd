// Tune panel internals shared by its source files, not part of its interface:
//   tune_panel.cpp           the panel: settings -> recipes, the recipe hand-over, state dump, the frame's layout
//   tune_panel_jobs.cpp      worker side (no ImGui): loading the inputs, scoring points, sweep / CMA-ES / reports
//   tune_panel_settings.cpp  the left column's controls and the saved settings
//   tune_panel_plots.cpp     the sweep curve / heat map, the CMA-ES fitness plot, the per-task bars
#pragma once

#include <imgui.h>

#include <limits>
#include <string>

#include "app/panels/text.h"
#include "app/panels/tune_panel.h"

namespace mergelab::app::tune_detail {

inline constexpr ImU32 kCurrent = IM_COL32(240, 228, 66, 255);   // Okabe-Ito yellow: the current recipe
inline constexpr ImU32 kBest = IM_COL32(0, 158, 115, 255);       // bluish green: the best one
inline constexpr ImU32 kBase = IM_COL32(150, 150, 150, 255);     // grey: the base
inline constexpr ImU32 kBad = IM_COL32(230, 97, 0, 255);         // vermillion: errors
inline constexpr ImU32 kModels[4] = {IM_COL32(86, 180, 233, 255), IM_COL32(0, 114, 178, 255),
                                     IM_COL32(204, 121, 167, 255), IM_COL32(230, 159, 0, 255)};
inline constexpr int kMaxSteps = 41;  ///< grid steps per sweep axis
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline ImVec4 to_vec4(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

/// "lambda=0.6, weight@1=0.35"
inline std::string point_text(const TunePoint& p) {
  std::string out;
  for (size_t i = 0; i < p.space.size() && i < p.values.size(); ++i)
    out += (out.empty() ? "" : ", ") + p.space[i].label() + "=" + text::fmt("%.4g", p.values[i]);
  return out.empty() ? "the settings above" : out;
}

}  // namespace mergelab::app::tune_detail
