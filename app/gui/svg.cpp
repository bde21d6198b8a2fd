#include "app/gui/svg.h"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/scene/scene_file.h"
#include "widgets/colormap.h"
#include "widgets/plot_frame.h"

namespace mergelab::app {

namespace {
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}
double opacity(ImU32 c) { return ((c >> IM_COL32_A_SHIFT) & 0xFF) / 255.0; }
std::string paint(const char* attr, ImU32 c) {
  std::string s = std::string(" ") + attr + "=\"" + Svg::color(c) + "\"";
  if (opacity(c) < 1.0) s += std::string(" ") + attr + "-opacity=\"" + num(opacity(c)) + "\"";
  return s;
}
void png_sink(void* ctx, void* data, int size) {
  auto* out = static_cast<std::string*>(ctx);
  out->append(static_cast<const char*>(data), static_cast<size_t>(size));
}
constexpr ImU32 kInk = IM_COL32(30, 30, 30, 255);
constexpr ImU32 kPaper = IM_COL32(255, 255, 255, 255);
}  // namespace

Svg::Svg(double width, double height) : w_(width), h_(height) {}

std::string Svg::color(ImU32 c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", (c >> IM_COL32_R_SHIFT) & 0xFF, (c >> IM_COL32_G_SHIFT) & 0xFF,
                (c >> IM_COL32_B_SHIFT) & 0xFF);
  return buf;
}

std::string Svg::escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

void Svg::rect(double x, double y, double w, double h, ImU32 fill, ImU32 stroke, double sw) {
  body_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\"" +
           (fill ? paint("fill", fill) : std::string(" fill=\"none\"")) +
           (stroke ? paint("stroke", stroke) + " stroke-width=\"" + num(sw) + "\"" : "") + "/>\n";
}

void Svg::line(double x0, double y0, double x1, double y1, ImU32 c, double width, bool dashed) {
  body_ += "<line x1=\"" + num(x0) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(x1) + "\" y2=\"" + num(y1) + "\"" +
           paint("stroke", c) + " stroke-width=\"" + num(width) + "\"" +
           (dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
}

void Svg::polyline(const std::vector<std::pair<double, double>>& pts, ImU32 c, double width, bool dashed) {
  if (pts.size() < 2) return;
  body_ += "<polyline fill=\"none\"" + paint("stroke", c) + " stroke-width=\"" + num(width) +
           "\" stroke-linejoin=\"round\"" + (dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"";
  for (const auto& [x, y] : pts) body_ += num(x) + "," + num(y) + " ";
  body_ += "\"/>\n";
}

void Svg::circle(double cx, double cy, double r, ImU32 fill, ImU32 stroke) {
  body_ += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) + "\"" + paint("fill", fill) +
           (stroke ? paint("stroke", stroke) + " stroke-width=\"1\"" : "") + "/>\n";
}

void Svg::text(double x, double y, const std::string& s, double size, ImU32 c, const char* anchor, double rotate) {
  body_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(size) +
           "\" font-family=\"DejaVu Sans, sans-serif\" text-anchor=\"" + anchor + "\"" + paint("fill", c) +
           (rotate != 0 ? " transform=\"rotate(" + num(rotate) + " " + num(x) + " " + num(y) + ")\"" : "") + ">" +
           escape(s) + "</text>\n";
}

void Svg::image(double x, double y, double w, double h, const std::vector<ImU32>& rgba, int width, int height) {
  std::string png;
  stbi_write_png_to_func(png_sink, &png, width, height, 4, rgba.data(), width * 4);
  body_ += "<image x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
           "\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64," +
           scene::base64_encode(png) + "\"/>\n";
}

std::string Svg::str() const {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(w_) +
         "\" height=\"" + num(h_) + "\" viewBox=\"0 0 " + num(w_) + " " + num(h_) + "\">\n" + body_ + "</svg>\n";
}

void SvgAxes::draw(Svg& svg, const char* x_title, const char* y_title, ImU32 ink) const {
  const ImU32 grid = IM_COL32(200, 200, 200, 255);
  const auto xs = Widgets::NiceTicks(x0, x1, 6), ys = Widgets::NiceTicks(y0, y1, 5);
  const double xstep = xs.size() > 1 ? xs[1] - xs[0] : 1, ystep = ys.size() > 1 ? ys[1] - ys[0] : 1;
  for (double v : xs) {
    svg.line(sx(v), y, sx(v), y + h, grid, 0.5);
    svg.text(sx(v), y + h + 14, Widgets::TickLabel(v, xstep), 11, ink, "middle");
  }
  for (double v : ys) {
    svg.line(x, sy(v), x + w, sy(v), grid, 0.5);
    svg.text(x - 5, sy(v) + 4, Widgets::TickLabel(v, ystep), 11, ink, "end");
  }
  svg.rect(x, y, w, h, 0, ink, 1);
  svg.text(x + w / 2, y + h + 30, x_title, 12, ink, "middle");
  svg.text(x - 40, y + h / 2, y_title, 12, ink, "middle", -90);
}

std::string svg_weight_space(const ToyScene& toy, const SceneParams& s, const ToyScene::Point& pt,
                             const palette::Palette& pal) {
  const double size = 520, margin = 60;
  Svg svg(size + margin + 20, size + margin + 30);
  svg.rect(0, 0, size + margin + 20, size + margin + 30, kPaper);
  const toy::Grid& g = toy.grid(s.field);
  const toy::GridSpec& sp = toy.spec();
  SvgAxes ax{margin, 20, size, size, sp.a0, sp.a1, sp.b0, sp.b1};
  if (!g.values.empty()) {
    // Same colours as the panel: Viridis of the log loss; image row 0 is the top (highest b).
    std::vector<double> flipped(g.values.size());
    for (int j = 0; j < sp.nb; ++j)
      for (int i = 0; i < sp.na; ++i)
        flipped[static_cast<size_t>(sp.nb - 1 - j) * sp.na + i] = g.at(i, j);
    std::vector<ImU32> px;
    const double vmin = std::max(g.min(), 1e-4), vmax = std::max(g.max(), vmin * 1.01);
    Widgets::ColormapField(flipped.data(), sp.na, sp.nb, vmin, vmax, true, px);
    // Cell centres sit on the grid points: the image spans half a cell beyond them.
    const double ca = (sp.a1 - sp.a0) / (sp.na - 1), cb = (sp.b1 - sp.b0) / (sp.nb - 1);
    ax.x0 -= ca / 2, ax.x1 += ca / 2, ax.y0 -= cb / 2, ax.y1 += cb / 2;
    svg.image(ax.x, ax.y, ax.w, ax.h, px, sp.na, sp.nb);
  }
  auto path = [&](toy::PathKind k, ImU32 col, double width, bool dashed) {
    const PathCurves& c = toy.curves(k);
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < c.a.size(); ++i) pts.emplace_back(ax.sx(c.a[i]), ax.sy(c.b[i]));
    svg.polyline(pts, col, width, dashed);
  };
  const bool lerp = s.path == toy::PathKind::Lerp;
  path(toy::PathKind::Slerp, pal.slerp, lerp ? 1.5 : 3.5, lerp);
  path(toy::PathKind::Lerp, pal.lerp, lerp ? 3.5 : 1.5, false);
  auto marker = [&](const Eigen::VectorXd& w, ImU32 col, const char* label) {
    const Eigen::Vector2d ab = toy.plane().project(w);
    svg.circle(ax.sx(ab[0]), ax.sy(ab[1]), 6, col, IM_COL32(0, 0, 0, 255));
    if (label) svg.text(ax.sx(ab[0]) + 9, ax.sy(ab[1]) - 7, label, 13, IM_COL32(255, 255, 255, 255));
  };
  marker(toy.init_a(), pal.init, "W_init");
  marker(toy.w_a(), pal.task1, "W_A");
  marker(toy.w_b(), pal.task2, "W_B");
  svg.circle(ax.sx(pt.ab[0]), ax.sy(pt.ab[1]), 7, pal.point, IM_COL32(0, 0, 0, 255));
  ax.draw(svg, toy.axis_a(), toy.axis_b(), kInk);
  return svg.str();
}

std::string svg_curves(const ToyScene& toy, const SceneParams& s, const palette::Palette& pal) {
  const double W = 900, H = 380;
  Svg svg(W, H);
  svg.rect(0, 0, W, H, kPaper);
  const PathCurves& l = toy.curves(toy::PathKind::Lerp);
  const PathCurves& r = toy.curves(toy::PathKind::Slerp);
  double lo = 1e300, hi = -1e300;
  for (const PathCurves* c : {&l, &r})
    for (const auto* v : {&c->loss1, &c->loss2, &c->combined})
      for (double x : *v) lo = std::min(lo, x), hi = std::max(hi, x);
  const double pad = 0.05 * std::max(hi - lo, 1e-9);
  SvgAxes ax{60, 20, 520, 300, 0, 1, std::max(0.0, lo - pad), hi + pad};
  auto curve = [&](const std::vector<double>& t, const std::vector<double>& y, ImU32 col, bool dashed, SvgAxes& a) {
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < t.size(); ++i) pts.emplace_back(a.sx(t[i]), a.sy(y[i]));
    svg.polyline(pts, col, 2, dashed);
  };
  ax.draw(svg, "t  (LERP solid, SLERP dashed)", "loss", kInk);
  const ImU32 comb = IM_COL32(40, 40, 40, 255);
  for (const auto& [c, dashed] : {std::pair{&l, false}, std::pair{&r, true}}) {
    curve(c->t, c->loss1, pal.task1, dashed, ax);
    curve(c->t, c->loss2, pal.task2, dashed, ax);
    curve(c->t, c->combined, comb, dashed, ax);
  }
  svg.line(ax.sx(s.t), ax.y, ax.sx(s.t), ax.y + ax.h, IM_COL32(180, 140, 0, 255), 1.5);
  double ly = 30;
  for (const auto& [name, col] : {std::pair<std::string, ImU32>{toy.task_name(1), pal.task1},
                                  std::pair<std::string, ImU32>{toy.task_name(2), pal.task2},
                                  std::pair<std::string, ImU32>{"Combined", comb}}) {
    svg.line(ax.x + ax.w - 150, ly, ax.x + ax.w - 125, ly, col, 2);
    svg.text(ax.x + ax.w - 120, ly + 4, name, 11, kInk);
    ly += 16;
  }
  // Norms.
  double nlo = 1e300, nhi = -1e300;
  for (const PathCurves* c : {&l, &r})
    for (double x : c->norm) nlo = std::min(nlo, x), nhi = std::max(nhi, x);
  const double npad = 0.05 * std::max(nhi - nlo, 1e-9);
  SvgAxes an{660, 20, 220, 300, 0, 1, nlo - npad, nhi + npad};
  an.draw(svg, "t", "norm |w(t)|", kInk);
  const ImU32 lerp_ink = IM_COL32(40, 40, 40, 255);
  curve(l.t, l.norm, lerp_ink, false, an);
  curve(r.t, r.norm, pal.slerp, true, an);
  return svg.str();
}

std::string svg_leaderboard_bars(const nlohmann::json& st) {
  const double W = 900, H = 400;
  Svg svg(W, H);
  svg.rect(0, 0, W, H, kPaper);
  SvgAxes ax{60, 30, 800, 280, 0, 1, 0, 100};
  ax.draw(svg, "", "accuracy %", kInk);
  const ImU32 task_col[3] = {IM_COL32(255, 99, 71, 255), IM_COL32(80, 170, 255, 255), IM_COL32(110, 200, 120, 255)};
  const ImU32 comb_col = IM_COL32(90, 90, 90, 255);
  const auto& board = st.contains("leaderboard") ? st.at("leaderboard") : nlohmann::json::array();
  const size_t n = std::max<size_t>(1, board.size());
  const double group = ax.w / static_cast<double>(n), bar = group * 0.8 / 4.0;
  for (size_t m = 0; m < board.size(); ++m) {
    const auto& row = board[m];
    const double gx = ax.x + group * static_cast<double>(m) + group * 0.1;
    if (row.contains("accuracy") && row["accuracy"].is_array()) {
      for (size_t t = 0; t < row["accuracy"].size() && t < 3; ++t) {
        const double v = 100.0 * row["accuracy"][t].get<double>();
        svg.rect(gx + bar * static_cast<double>(t), ax.sy(v), bar - 1, ax.sy(0) - ax.sy(v), task_col[t]);
      }
      const double c = 100.0 * row["combined"].get<double>();
      svg.rect(gx + bar * 3, ax.sy(c), bar - 1, ax.sy(0) - ax.sy(c), comb_col);
      char lab[16];
      std::snprintf(lab, sizeof lab, "%.1f", c);
      svg.text(gx + bar * 3.5, ax.sy(c) - 3, lab, 10, kInk, "middle");
    }
    svg.text(gx + group * 0.4, ax.y + ax.h + 16, row.value("label", row.value("method", "")), 11, kInk, "middle");
  }
  svg.line(ax.x, ax.sy(50), ax.x + ax.w, ax.sy(50), IM_COL32(120, 120, 120, 255), 1, true);
  double lx = ax.x;
  const char* names[4] = {"Task 0", "Task 1", "Task 2", "Combined"};
  const ImU32 cols[4] = {task_col[0], task_col[1], task_col[2], comb_col};
  for (int k = 0; k < 4; ++k) {
    svg.rect(lx, H - 40, 12, 12, cols[k]);
    svg.text(lx + 16, H - 30, names[k], 11, kInk);
    lx += 100;
  }
  return svg.str();
}

}  // namespace mergelab::app
