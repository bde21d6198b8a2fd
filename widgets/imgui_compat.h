// Bridges for what Dear ImGui 1.86 lacks (no named keys, no SeparatorText, ...),
// and the em() helper: every size in the widgets is expressed in font units.
#pragma once

#include <imgui.h>

namespace ImGuiCompat {

/// One "em": the current font size in pixels. Sizes in em scale with the UI scale.
inline float em(float n = 1.0f) { return ImGui::GetFontSize() * n; }

}  // namespace ImGuiCompat
