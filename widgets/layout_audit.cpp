#include "widgets/layout_audit.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace Widgets::LayoutAudit {

namespace {

std::vector<Entry> g_entries;
std::string g_panel;
std::vector<std::string> g_allowed;

/// The panel a draw list belongs to: the child window's own name ("##explorer/explorer_1A2B" -> "explorer").
std::string owner_panel(const ImDrawList* dl) {
  const char* name = dl->_OwnerName ? dl->_OwnerName : "";
  std::string s = name;
  const size_t slash = s.find('/');
  if (slash == std::string::npos) return s.rfind("##", 0) == 0 ? "" : s;
  s = s.substr(slash + 1);
  s = s.substr(0, s.find('/'));
  const size_t us = s.rfind('_');
  return us == std::string::npos ? s : s.substr(0, us);
}

}  // namespace

void BeginFrame() {
  g_entries.clear();
  g_panel.clear();
  g_allowed.clear();
}

void BeginPanel(const char* panel) { g_panel = panel ? panel : ""; }

namespace {

/// The window and every child window inside it whose content does not fit (ImGui keeps the extents).
void check_scroll(const ImGuiWindow* w, int depth) {
  if (!w || depth > 8) return;
  std::string name = w->Name;
  const size_t slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  if (const size_t us = name.rfind('_'); us != std::string::npos && depth > 0) name = name.substr(0, us);
  const bool allowed = std::find(g_allowed.begin(), g_allowed.end(), name) != g_allowed.end();
  if (!allowed && (w->ScrollMax.y > 0.5f || w->ScrollMax.x > 0.5f)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "content %.0f px below, %.0f px right of the visible area", w->ScrollMax.y,
                  w->ScrollMax.x);
    Record(depth == 0 ? "panel" : name, "scrolls", buf);
  }
  for (const ImGuiWindow* c : w->DC.ChildWindows) check_scroll(c, depth + 1);
}

}  // namespace

void EndPanel() {
  check_scroll(ImGui::GetCurrentWindow(), 0);
  g_panel.clear();
}

void AllowScroll(const char* child_id) { g_allowed.emplace_back(child_id ? child_id : ""); }

void Record(const std::string& item, const char* what, const std::string& detail) {
  for (const Entry& e : g_entries)
    if (e.panel == g_panel && e.item == item && e.what == what) return;  // once per item and kind
  g_entries.push_back({g_panel, item, what, detail});
}

const std::vector<Entry>& Entries() { return g_entries; }

bool CheckTextInside(const char* item, const char* text, ImVec2 pos, ImVec2 r0, ImVec2 r1) {
  const ImVec2 ts = ImGui::CalcTextSize(text);
  const float slack = 0.5f;
  if (pos.x >= r0.x - slack && pos.y >= r0.y - slack && pos.x + ts.x <= r1.x + slack && pos.y + ts.y <= r1.y + slack)
    return true;
  Record(item, "outside", text);
  return false;
}

void CheckPlotSize(const char* item, ImVec2 p0, ImVec2 p1, float min) {
  if (p1.x - p0.x >= min && p1.y - p0.y >= min) return;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f x %.0f px", p1.x - p0.x, p1.y - p0.y);
  Record(item, "too_small", buf);
}

bool FittedText(const char* item, const char* text) {
  const float avail = ImGui::GetContentRegionAvail().x;
  const float w = ImGui::CalcTextSize(text).x;
  if (w <= avail + 0.5f) {
    ImGui::TextUnformatted(text);
    return true;
  }
  // Cut at the last character that leaves room for the ellipsis.
  const float dots = ImGui::CalcTextSize("...").x;
  std::string s = text;
  while (!s.empty() && ImGui::CalcTextSize(s.c_str()).x + dots > avail) {
    s.pop_back();
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();  // whole UTF-8
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
  }
  s += "...";
  ImGui::TextUnformatted(s.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
  Record(item, "elided", text);
  return false;
}

void ScanMissingGlyphs(const ImDrawData* dd, const ImFont* font) {
  if (!dd || !font || !font->FallbackGlyph) return;
  const ImFontGlyph* g = font->FallbackGlyph;
  // A fallback glyph with no pixels (a space) cannot be seen in the vertices.
  // Only U+FFFD is unambiguous: a '?' fallback looks like every real question mark.
  if (!g->Visible || font->FallbackChar != 0xFFFD) return;
  const std::string saved = g_panel;
  for (int l = 0; l < dd->CmdListsCount; ++l) {
    const ImDrawList* dl = dd->CmdLists[l];
    for (int v = 0; v + 3 < dl->VtxBuffer.Size; ++v) {
      const ImDrawVert& a = dl->VtxBuffer[v];
      if (a.uv.x != g->U0 || a.uv.y != g->V0) continue;
      const ImDrawVert& c = dl->VtxBuffer[v + 2];
      if (c.uv.x != g->U1 || c.uv.y != g->V1) continue;
      g_panel = owner_panel(dl);
      Record("text", "missing_glyph", "a character the font lacks was drawn");
      break;
    }
  }
  g_panel = saved;
}

}  // namespace Widgets::LayoutAudit
