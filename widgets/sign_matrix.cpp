#include "widgets/sign_matrix.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "widgets/imgui_compat.h"
#include "widgets/plot_frame.h"

namespace Widgets {

using ImGuiCompat::em;

namespace {
ImU32 mix(ImVec4 a, ImVec4 b, float t) {
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t, 1.0f));
}
bool is_dark_background() {
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  return bg.x + bg.y + bg.z < 1.5f;
}
}  // namespace

ImU32 SignColor(double value, float strength, bool dark) {
  const ImVec4 zero = dark ? ImVec4(0.16f, 0.16f, 0.18f, 1) : ImVec4(0.96f, 0.96f, 0.96f, 1);
  const ImVec4 pos(0.89f, 0.26f, 0.20f, 1);  // red
  const ImVec4 neg(0.20f, 0.47f, 0.90f, 1);  // blue
  if (value == 0.0 || std::isnan(value)) return ImGui::ColorConvertFloat4ToU32(zero);
  // sqrt: small magnitudes stay visible next to large ones.
  const float t = 0.18f + 0.82f * std::sqrt(std::clamp(strength, 0.0f, 1.0f));
  return mix(zero, value > 0 ? pos : neg, t);
}

SignMatrixResult SignMatrix(const char* id, ImVec2 size, const SignMatrixSpec& spec) {
  SignMatrixResult res;
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  res.hovered = ImGui::IsItemHovered();
  if (spec.rows <= 0 || spec.cols <= 0 || !spec.values) return res;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const bool dark = is_dark_background();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 border = ImGui::GetColorU32(ImGuiCol_Text, 0.55f);

  // Left: row labels; bottom: column ticks and the axis title.
  float label_w = 0.0f;
  for (int r = 0; r < spec.rows && spec.row_labels; ++r)
    label_w = std::max(label_w, ImGui::CalcTextSize(spec.row_labels[r]).x);
  label_w += em(0.6f);
  const float gap = em(0.5f);
  const float bottom = em(spec.x_title && *spec.x_title ? 2.6f : 1.5f);
  const ImVec2 p0(tl.x + label_w, tl.y + em(0.2f));
  const ImVec2 p1(tl.x + size.x - em(0.5f), tl.y + size.y - bottom);
  const float gaps_h = gap * static_cast<float>(spec.gap_count);
  const float cell_w = (p1.x - p0.x) / static_cast<float>(spec.cols);
  const float cell_h = std::max(2.0f, (p1.y - p0.y - gaps_h) / static_cast<float>(spec.rows));

  double vmax = spec.vmax;
  if (vmax <= 0.0)
    for (int k = 0; k < spec.rows * spec.cols; ++k) vmax = std::max(vmax, std::abs(spec.values[k]));
  if (vmax <= 0.0) vmax = 1.0;

  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const ImVec4 grey = dark ? ImVec4(0.36f, 0.36f, 0.36f, 1) : ImVec4(0.80f, 0.80f, 0.80f, 1);
  float y = p0.y;
  std::vector<float> row_top(static_cast<size_t>(spec.rows));
  for (int r = 0; r < spec.rows; ++r) {
    for (int g = 0; g < spec.gap_count; ++g)
      if (spec.gap_before_rows[g] == r && r > 0) y += gap;
    row_top[static_cast<size_t>(r)] = y;
    const double* row = spec.values + static_cast<size_t>(r) * spec.cols;
    for (int c = 0; c < spec.cols; ++c) {
      const float x0 = p0.x + cell_w * c;
      const ImVec2 a(std::floor(x0), std::floor(y)), b(std::floor(x0 + cell_w), std::floor(y + cell_h));
      const double v = row[c];
      ImU32 col;
      if (spec.greyed && spec.greyed[static_cast<size_t>(r) * spec.cols + c]) {
        const ImVec4 tint = v > 0 ? ImVec4(0.89f, 0.26f, 0.20f, 1) : v < 0 ? ImVec4(0.20f, 0.47f, 0.90f, 1) : grey;
        col = mix(grey, tint, 0.10f);
      } else {
        col = SignColor(v, static_cast<float>(std::abs(v) / vmax), dark);
      }
      dl->AddRectFilled(a, ImVec2(std::max(b.x, a.x + 1), std::max(b.y - 1, a.y + 1)), col);
      if (res.hovered && mouse.x >= x0 && mouse.x < x0 + cell_w && mouse.y >= y && mouse.y < y + cell_h) {
        res.row = r;
        res.col = c;
      }
    }
    if (spec.row_labels) {
      const ImVec2 ts = ImGui::CalcTextSize(spec.row_labels[r]);
      dl->AddText(ImVec2(p0.x - em(0.4f) - ts.x, y + 0.5f * (cell_h - ts.y)), text, spec.row_labels[r]);
    }
    if (r == spec.highlight_row)
      dl->AddRect(ImVec2(p0.x - 2, y - 2), ImVec2(p1.x + 2, y + cell_h + 1), text, 0.0f, 0, 2.0f);
    y += cell_h;
  }
  // Column ticks at round parameter indices.
  const int nt = std::max(2, static_cast<int>((p1.x - p0.x) / em(5.0f)));
  for (double v : NiceTicks(0.0, spec.cols - 1, nt)) {
    if (v != std::floor(v)) continue;  // column indices are integers (2.5-steps keep 0, 5, 10, ...)
    const int c = static_cast<int>(v);
    const float x = p0.x + cell_w * (c + 0.5f);
    dl->AddLine(ImVec2(x, y), ImVec2(x, y + em(0.3f)), border, 1.0f);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%d", c);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    dl->AddText(ImVec2(x - ts.x * 0.5f, y + em(0.3f)), text, buf);
  }
  if (spec.x_title && *spec.x_title) {
    const ImVec2 ts = ImGui::CalcTextSize(spec.x_title);
    dl->AddText(ImVec2(0.5f * (p0.x + p1.x) - ts.x * 0.5f, y + em(1.4f)), text, spec.x_title);
  }
  if (res.row >= 0 && spec.tooltip) {
    const size_t k = static_cast<size_t>(res.row) * spec.cols + res.col;
    ImGui::BeginTooltip();
    ImGui::Text("%s, parameter %d: %+.4f%s", spec.row_labels ? spec.row_labels[res.row] : "", res.col, spec.values[k],
                spec.greyed && spec.greyed[k] ? " (greyed)" : "");
    ImGui::EndTooltip();
  }
  return res;
}

}  // namespace Widgets
