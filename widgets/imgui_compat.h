// Bridges for what Dear ImGui 1.86 lacks (no named keys, no SeparatorText, ...),
// and the em() helper: every size in the widgets is expressed in font units.
#pragma once

#include <imgui.h>

namespace ImGuiCompat {

/// One "em": the current font size in pixels. Sizes in em scale with the UI scale.
inline float em(float n = 1.0f) { return ImGui::GetFontSize() * n; }

/// A greyed "(?)" on the same line whose tooltip shows `text` (wrapped at 28 em).
void HelpMarker(const char* text);

/// A label followed by a horizontal rule (1.86 has no SeparatorText).
void SeparatorText(const char* label);

}  // namespace ImGuiCompat
