// Checkpoints panel internals shared by its source files, not part of its interface:
//   checkpoints_panel.cpp        the panel: recipe hand-over, recipe, saved settings, state dump, error popup, the frame
//   checkpoints_panel_jobs.cpp   worker side (no ImGui): loading, diagnostics, histogram, merge and export jobs
//   checkpoints_panel_views.cpp  the inputs, compatibility report, method, actions, tensor table and histogram
#pragma once

#include <imgui.h>

namespace mergelab::app::checkpoints_detail {

inline constexpr ImU32 kGood = IM_COL32(0, 158, 115, 255);     // Okabe-Ito bluish green
inline constexpr ImU32 kBad = IM_COL32(230, 97, 0, 255);       // vermillion
inline constexpr ImU32 kMarker = IM_COL32(240, 228, 66, 255);  // yellow

inline ImVec4 to_vec4(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

}  // namespace mergelab::app::checkpoints_detail
