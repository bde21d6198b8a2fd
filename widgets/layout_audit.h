// The layout audit: what the widgets could not draw as intended this frame. A widget that has to
// clip, elide or draw a label outside its rectangle, a legend that covers plotted data, a plot given
// less than a readable size, or a panel whose content runs past its visible area records one entry
// (panel, item, what happened). The window reports the list (--state-json "layout_audit") and the
// layout sweep fails on it, so a layout problem is a test failure rather than a matter of looking.
//
//   Widgets::LayoutAudit::BeginFrame();            // once per frame, before any panel
//   Widgets::LayoutAudit::BeginPanel("explorer");  // inside the panel's child window
//   ...widgets record as they draw...
//   Widgets::LayoutAudit::EndPanel();              // before EndChild: content beyond the visible area
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace Widgets::LayoutAudit {

struct Entry {
  std::string panel;  ///< the panel (child window) being drawn, "" outside panels
  std::string item;   ///< the widget or label ("##norm_curves legend", "colour bar tick")
  std::string what;   ///< "clipped", "elided", "outside", "overlap", "too_small", "missing_glyph", "scrolls"
  std::string detail; ///< the text or numbers behind it
};

void BeginFrame();
void BeginPanel(const char* panel);
/// Records "scrolls" when the current window's content does not fit (controls outside the visible area).
void EndPanel();
/// A child window (a table with ScrollY, by its id) that scrolls by design: not a "scrolls" entry.
void AllowScroll(const char* child_id);
void Record(const std::string& item, const char* what, const std::string& detail = "");
const std::vector<Entry>& Entries();

/// Records "outside" when a text drawn at `pos` leaves [r0, r1]; returns true when it fits.
bool CheckTextInside(const char* item, const char* text, ImVec2 pos, ImVec2 r0, ImVec2 r1);
/// Records "too_small" when a plot area is under `min` pixels on either side.
void CheckPlotSize(const char* item, ImVec2 p0, ImVec2 p1, float min);
/// True when the rectangles [a0, a1] and [b0, b1] overlap.
inline bool Overlaps(ImVec2 a0, ImVec2 a1, ImVec2 b0, ImVec2 b1) {
  return a0.x < b1.x && b0.x < a1.x && a0.y < b1.y && b0.y < a1.y;
}

/// Text that must fit the space left on the line (a table cell, a column): drawn whole when it fits,
/// else cut with "..." and recorded as "elided". Returns true when it fitted.
bool FittedText(const char* item, const char* text);

/// Scans every draw list of the frame (after ImGui::Render) for the font's fallback glyph: each
/// window that drew a character the font lacks gets a "missing_glyph" entry.
void ScanMissingGlyphs(const ImDrawData* dd, const ImFont* font);

}  // namespace Widgets::LayoutAudit
