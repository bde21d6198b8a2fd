#include "widgets/line_plot.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

#include "widgets/imgui_compat.h"
#include "widgets/layout_audit.h"

namespace Widgets {

using ImGuiCompat::em;

double SampleSeries(const PlotSeries& s, double x) {
  if (s.n <= 0) return NAN;
  if (x <= s.x[0]) return s.y[0];
  if (x >= s.x[s.n - 1]) return s.y[s.n - 1];
  const int k = static_cast<int>(std::upper_bound(s.x, s.x + s.n, x) - s.x) - 1;
  const double f = (x - s.x[k]) / (s.x[k + 1] - s.x[k]);
  return s.y[k] + f * (s.y[k + 1] - s.y[k]);
}

namespace {

struct LegendBox {
  float w = 0, h = 0, item_w = 0;
  int cols = 1, rows = 0;
};

LegendBox measure_legend(const LinePlotSpec& spec, const PlotSeries* series, int count, float plot_w) {
  LegendBox b;
  float w = 0.0f;
  for (int s = 0; s < count; ++s)
    if (series[s].in_legend) w = std::max(w, ImGui::CalcTextSize(series[s].label).x), ++b.rows;
  b.item_w = w + em(2.6f);
  // As many columns as asked for, but no more than fit inside the plot (never over the tick labels).
  const int fit = static_cast<int>((plot_w - em(1.2f)) / b.item_w);
  b.cols = std::max(1, std::min(spec.legend_columns, fit));
  const int lines = (b.rows + b.cols - 1) / std::max(1, b.cols);
  b.w = b.cols * b.item_w + em(0.4f);
  b.h = lines * ImGui::GetTextLineHeight() + em(0.4f);
  return b;
}

/// How many drawn samples (and points between them) of the series fall inside [b0, b1].
int data_inside(const PlotFrame& f, const PlotSeries* series, int count, const LinePlotSpec& spec, ImVec2 b0,
                ImVec2 b1) {
  int n = 0;
  auto in = [&](ImVec2 q) { return q.x >= b0.x && q.x <= b1.x && q.y >= b0.y && q.y <= b1.y; };
  for (int s = 0; s < count; ++s)
    for (int k = 0; k < series[s].n; ++k) {
      if (!std::isfinite(series[s].y[k])) continue;
      const ImVec2 q = f.ToScreen(series[s].x[k], series[s].y[k]);
      n += in(q);
      if (k + 1 < series[s].n && std::isfinite(series[s].y[k + 1])) {
        const ImVec2 r = f.ToScreen(series[s].x[k + 1], series[s].y[k + 1]);
        n += in(ImVec2(0.5f * (q.x + r.x), 0.5f * (q.y + r.y)));
      }
    }
  for (int p = 0; p < spec.point_count; ++p) n += in(f.ToScreen(spec.points[p].x, spec.points[p].y));
  return n;
}

/// The legend's top-left corner: the corner of the plot where no data is drawn, else (-1, -1).
ImVec2 free_corner(const PlotFrame& f, const LegendBox& b, const PlotSeries* series, int count,
                   const LinePlotSpec& spec) {
  const float m = em(0.4f);
  const ImVec2 corners[4] = {ImVec2(f.p1.x - m - b.w, f.p0.y + m), ImVec2(f.p0.x + m, f.p0.y + m),
                             ImVec2(f.p1.x - m - b.w, f.p1.y - m - b.h), ImVec2(f.p0.x + m, f.p1.y - m - b.h)};
  for (const ImVec2& c : corners) {
    if (c.x < f.p0.x || c.y < f.p0.y) continue;
    const ImVec2 c1(c.x + b.w, c.y + b.h);
    if (data_inside(f, series, count, spec, ImVec2(c.x - m * 0.5f, c.y - m * 0.5f), ImVec2(c1.x + m * 0.5f, c1.y + m * 0.5f)) == 0)
      return c;
  }
  return ImVec2(-1, -1);
}

void draw_legend(ImDrawList* dl, ImVec2 b0, const LegendBox& b, const PlotSeries* series, int count) {
  const ImVec2 b1(b0.x + b.w, b0.y + b.h);
  const float line_h = ImGui::GetTextLineHeight();
  dl->AddRectFilled(b0, b1, ImGui::GetColorU32(ImGuiCol_WindowBg, 0.85f), em(0.2f));
  dl->AddRect(b0, b1, ImGui::GetColorU32(ImGuiCol_Border), em(0.2f));
  int k = 0;
  for (int s = 0; s < count; ++s) {
    if (!series[s].in_legend) continue;
    const float x = b0.x + em(0.4f) + (k % b.cols) * b.item_w, y = b0.y + em(0.2f) + (k / b.cols) * line_h;
    const float ym = y + line_h * 0.5f;
    if (series[s].dashed) {
      for (int d = 0; d < 3; ++d)
        dl->AddLine(ImVec2(x + d * em(0.7f), ym), ImVec2(x + d * em(0.7f) + em(0.4f), ym), series[s].color,
                    series[s].thickness);
    } else {
      dl->AddLine(ImVec2(x, ym), ImVec2(x + em(1.8f), ym), series[s].color, series[s].thickness);
    }
    dl->AddText(ImVec2(x + em(2.2f), y), ImGui::GetColorU32(ImGuiCol_Text), series[s].label);
    ++k;
  }
}

/// A point's label beside it: the first of four places that stays inside the plot and off the other points.
void draw_point_label(ImDrawList* dl, const PlotFrame& f, const LinePlotSpec& spec, int p, const char* id) {
  const PlotPoint& pt = spec.points[p];
  const ImVec2 s = f.ToScreen(pt.x, pt.y), ts = ImGui::CalcTextSize(pt.label);
  const float g = em(0.45f);
  const ImVec2 places[4] = {ImVec2(s.x + g, s.y - g - ts.y), ImVec2(s.x - g - ts.x, s.y - g - ts.y),
                            ImVec2(s.x + g, s.y + g), ImVec2(s.x - g - ts.x, s.y + g)};
  for (const ImVec2& q : places) {
    const ImVec2 q1(q.x + ts.x, q.y + ts.y);
    if (q.x < f.p0.x || q.y < f.p0.y || q1.x > f.p1.x || q1.y > f.p1.y) continue;
    bool clear = true;
    for (int o = 0; o < spec.point_count; ++o) {
      if (o == p) continue;
      const ImVec2 c = f.ToScreen(spec.points[o].x, spec.points[o].y);
      const float r = em(0.4f);
      clear &= !LayoutAudit::Overlaps(q, q1, ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r));
    }
    if (!clear) continue;
    dl->AddText(q, ImGui::GetColorU32(ImGuiCol_Text), pt.label);
    return;
  }
  dl->AddText(places[0], ImGui::GetColorU32(ImGuiCol_Text), pt.label);
  LayoutAudit::Record(std::string(id) + " point label", "overlap", pt.label);
}

}  // namespace

LinePlotResult LinePlot(const char* id, ImVec2 size, const LinePlotSpec& spec, const PlotSeries* series, int count) {
  LinePlotResult res;
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, ImVec2(std::max(size.x, 1.0f), std::max(size.y, 1.0f)));
  res.hovered = ImGui::IsItemHovered();
  double y0 = spec.y0, y1 = spec.y1;
  double d_lo = std::numeric_limits<double>::infinity(), d_hi = -d_lo;
  for (int s = 0; s < count; ++s)
    for (int k = 0; k < series[s].n; ++k)
      if (std::isfinite(series[s].y[k])) d_lo = std::min(d_lo, series[s].y[k]), d_hi = std::max(d_hi, series[s].y[k]);
  for (int p = 0; p < spec.point_count; ++p) d_lo = std::min(d_lo, spec.points[p].y), d_hi = std::max(d_hi, spec.points[p].y);
  if (!(y1 > y0)) {
    y0 = d_lo, y1 = d_hi;
    if (!(y1 > y0)) y0 = std::isfinite(y0) ? y0 - 0.5 : 0, y1 = std::isfinite(y1) ? y1 + 0.5 : 1;
    const double pad = 0.06 * (y1 - y0);
    y0 -= pad, y1 += pad * 1.5;  // a margin above the data: the top edge never hides a curve
  }
  const bool has_x = spec.x_title && *spec.x_title, has_y = spec.y_title && *spec.y_title;
  res.frame = LayoutPlotFrame(tl, size, spec.x0, spec.x1, y0, y1, false, has_x, has_y);
  LayoutAudit::CheckPlotSize(id, res.frame.p0, res.frame.p1, em(4.0f));
  // The legend goes where the curves are not; when every corner has data, the y range grows upwards
  // until the top band above the data holds the legend.
  LegendBox box;
  ImVec2 legend_at(-1, -1);
  if (spec.legend) {
    box = measure_legend(spec, series, count, res.frame.p1.x - res.frame.p0.x);
    if (box.rows > 0) {
      legend_at = free_corner(res.frame, box, series, count, spec);
      const float h = res.frame.p1.y - res.frame.p0.y, need = box.h + em(0.8f);
      if (legend_at.x < 0 && std::isfinite(d_hi) && h > 2.0f * need) {
        const double top = std::max(d_hi, y0 + 1e-12);
        y1 = top + (top - y0) * need / (h - need);
        res.frame = LayoutPlotFrame(tl, size, spec.x0, spec.x1, y0, y1, false, has_x, has_y);
        legend_at = free_corner(res.frame, box, series, count, spec);
      }
      if (legend_at.x < 0) {
        // No free corner and no room above the data: beside the plot, one entry per line, when the plot
        // keeps a useful width and the legend fits the height.
        LinePlotSpec one = spec;
        one.legend_columns = 1;
        const LegendBox side = measure_legend(one, series, count, size.x);
        const float plot_w = size.x - side.w - em(0.6f);
        if (plot_w >= em(12.0f) && side.h <= size.y) {
          res.frame = LayoutPlotFrame(tl, ImVec2(plot_w, size.y), spec.x0, spec.x1, y0, y1, false, has_x, has_y);
          box = side;
          legend_at = ImVec2(res.frame.p1.x + em(0.6f), res.frame.p0.y);
        }
      }
      if (legend_at.x < 0) {
        legend_at = ImVec2(std::max(res.frame.p0.x, res.frame.p1.x - em(0.4f) - box.w), res.frame.p0.y + em(0.4f));
        if (legend_at.x + box.w > res.frame.p1.x) LayoutAudit::Record(std::string(id) + " legend", "outside", "wider than the plot");
        LayoutAudit::Record(std::string(id) + " legend", "overlap", "the legend covers plotted data");
      }
    }
  }
  const PlotFrame& f = res.frame;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  DrawPlotAxes(dl, f, spec.x_title, spec.y_title, true);

  for (int s = 0; s < count; ++s)
    DrawDataPolyline(dl, f, series[s].x, series[s].y, series[s].n, series[s].color, series[s].thickness,
                     series[s].dashed);

  if (std::isfinite(spec.marker_x)) {
    const float x = std::round(f.ToScreen(spec.marker_x, y0).x);
    const ImU32 c = spec.marker_color ? spec.marker_color : ImGui::GetColorU32(ImGuiCol_Text, 0.8f);
    dl->AddLine(ImVec2(x, f.p0.y), ImVec2(x, f.p1.y), c, 1.0f);
  }
  dl->PushClipRect(f.p0, f.p1, true);
  for (int p = 0; p < spec.point_count; ++p) {
    const PlotPoint& pt = spec.points[p];
    const ImVec2 s = f.ToScreen(pt.x, pt.y);
    dl->AddCircleFilled(s, em(0.32f), pt.color, 12);
    dl->AddCircle(s, em(0.32f), ImGui::GetColorU32(ImGuiCol_WindowBg), 12, 1.0f);
  }
  for (int p = 0; p < spec.point_count; ++p)
    if (spec.points[p].label) draw_point_label(dl, f, spec, p, id);
  dl->PopClipRect();

  if (legend_at.x >= 0) draw_legend(dl, legend_at, box, series, count);

  if (res.hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    if (f.Contains(m)) {
      double x, y;
      f.ToData(m, &x, &y);
      res.hover_x = x;
      dl->AddLine(ImVec2(m.x, f.p0.y), ImVec2(m.x, f.p1.y), ImGui::GetColorU32(ImGuiCol_Text, 0.35f), 1.0f);
      ImGui::BeginTooltip();
      ImGui::Text("%s = %.3f", has_x ? spec.x_title : "x", x);
      for (int s = 0; s < count; ++s) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(series[s].color), "%s%s: %.3f", series[s].label,
                           series[s].dashed ? " (dashed)" : "", SampleSeries(series[s], x));
      }
      ImGui::EndTooltip();
    }
  }
  return res;
}

}  // namespace Widgets
