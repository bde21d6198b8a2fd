// Weight Space Explorer: the loss landscape as a heat map with contours, the endpoints W_init, W_A,
// W_B, the LERP chord and the SLERP arc, and the merge point the mouse drags along them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "app/gui/palette.h"
#include "app/gui/panel.h"
#include "app/gui/texture.h"
#include "widgets/canvas2d.h"
#include "widgets/colormap.h"
#include "widgets/heatmap.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace {

using ImGuiCompat::em;

class WeightSpacePanel : public Panel {
 public:
  const char* id() const override { return "explorer"; }
  const char* title() const override { return "Weight Space Explorer"; }
  const char* help() const override {
    return "The loss over a plane of weight space (dark = low, yellow = high, log colour scale) with contour "
           "lines. W_A is trained on Task 1, W_B on Task 2, both from W_init. The white chord is LERP "
           "(1-t) W_A + t W_B, the magenta arc is SLERP (constant-angle steps); the active one is thick. "
           "Press on the canvas and drag: the gold merge point snaps to the active path and sets t; in free "
           "mode it goes anywhere and snaps back near the path.";
  }
  int column() const override { return 0; }
  nlohmann::json state() const override {
    return {{"heat_map_shown", !heat_hidden_}, {"readout_losses_shown", !heat_hidden_}};
  }

  void draw(AppContext& ctx) override {
    SceneParams& s = ctx.scene;
    const ToyScene& toy = ctx.toy;
    const palette::Palette& pal = palette::get(ctx.ui.high_contrast);
    const float lw = ctx.ui.line_scale();
    if (!ctx.hides("explorer.controls")) draw_controls(s, !ctx.hides("explorer.slider"));

    // Canvas (square, as large as fits) on the left, colour bar and read-out on the right.
    // Held back ("is there a ridge?"): the landscape stays dark and the losses unread until the reveal;
    // the prompt sits above the canvas, never over its labels.
    heat_hidden_ = ctx.holds_back("barrier");
    if (heat_hidden_) ImGui::TextColored(ImVec4(0.94f, 0.89f, 0.26f, 1.0f), "Landscape hidden: predict, then press V");
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    // Read-out beside the canvas when there is room for a decent canvas, else below it (large UI scales).
    const bool side = !ctx.hides("explorer.readout");
    const float side_w = side ? em(16.5f) : 0.0f;  // the widest read-out line and the colour bar
    const bool beside = !side || avail.x - side_w - em(0.5f) >= em(16.0f);
    const float size = beside ? std::max(em(10.0f), std::min(avail.x - side_w - em(0.5f), avail.y - em(2.2f)))
                              : std::max(em(10.0f), std::min(avail.x, avail.y * 0.75f));
    upload_heatmap(toy, s.field, s.show_contours);

    const toy::GridSpec& g = toy.spec();
    Widgets::Canvas2D c =
        Widgets::BeginCanvas2D("##weight_plane", ImVec2(size, size), g.a0, g.a1, g.b0, g.b1, toy.axis_a(), toy.axis_b());
    ctx.explorer_frame = c.frame;
    ctx.explorer_visible = true;
    if (texture_.valid() && !heat_hidden_) Widgets::CanvasImage(c, texture_.id(), g.a0, g.a1, g.b0, g.b1);
    if (s.show_trajectories) draw_trajectories(c, ctx, pal, lw);
    draw_paths(c, s, toy, pal, lw);
    draw_endpoints(c, toy, pal);
    drag_point(c, ctx, pal);
    Widgets::EndCanvas2D(c);

    if (side) {
      if (beside) ImGui::SameLine();
      ImGui::BeginGroup();
      draw_side(ctx, beside ? size : em(12.0f), pal);
      ImGui::EndGroup();
    }
    ImGui::TextWrapped("%s%s", toy.caption(),
                       toy.slerp_in_plane() ? "" : " SLERP leaves this slice: its arc is drawn projected.");
  }

 private:
  GlTexture texture_;
  std::vector<ImU32> pixels_;
  int uploaded_version_ = -1;
  HeatField uploaded_field_ = HeatField::Combined;
  bool uploaded_contours_ = true;
  double vmin_ = 0, vmax_ = 1;
  Widgets::DragPoint drag_;
  bool heat_hidden_ = false;

  void draw_controls(SceneParams& s, bool slider) {
    int path = s.path == toy::PathKind::Lerp ? 0 : 1;
    ImGui::TextUnformatted("Path");
    ImGui::SameLine();
    if (ImGui::RadioButton("LERP", &path, 0)) s.path = toy::PathKind::Lerp;
    ImGui::SameLine();
    if (ImGui::RadioButton("SLERP (L toggles)", &path, 1)) s.path = toy::PathKind::Slerp;
    ImGuiCompat::HelpMarker(
        "LERP: w(t) = (1-t) W_A + t W_B.\nSLERP: w(t) = sin((1-t) omega)/sin(omega) W_A + sin(t omega)/sin(omega) W_B, "
        "omega = arccos(W_A.W_B / |W_A||W_B|) (LERP when omega < 1e-6).\nKey L toggles LERP/SLERP.");
    ImGui::SameLine(0, em(0.9f));
    if (ImGui::Checkbox("Free point (F)", &s.free_point)) s.point_on_path = true;
    ImGuiCompat::HelpMarker("Off: the point stays on the active path. On: it goes anywhere in the plane and "
                            "snaps to the path within 1 em of it.");
    ImGui::SameLine(0, em(0.9f));
    int field = static_cast<int>(s.field);
    // The row's last control: as wide as the rest of the row leaves (its label and "(?)" included), up to 9 em.
    const float rest = ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("Heat map (H)").x - ImGui::CalcTextSize("(?)").x -
                       2.0f * ImGui::GetStyle().ItemSpacing.x - ImGui::GetStyle().ItemInnerSpacing.x;
    ImGui::SetNextItemWidth(std::clamp(rest, em(6.0f), em(9.0f)));
    if (ImGui::Combo("Heat map (H)", &field, "Task 1 loss\0Task 2 loss\0Combined\0"))
      s.field = static_cast<HeatField>(field);
    ImGuiCompat::HelpMarker("Binary cross-entropy L_k(w) = -mean(y log p + (1-y) log(1-p)), p = clip(sigmoid(z), "
                            "1e-7, 1-1e-7); Combined = L_1 + L_2.");

    int view = s.view == ExplorerView::Model ? 0 : 1;
    ImGui::TextUnformatted("Plane");
    ImGui::SameLine();
    if (ImGui::RadioButton("Trained pair", &view, 0)) s.view = ExplorerView::Model;
    ImGui::SameLine();
    if (ImGui::RadioButton("Merge Lab 4-D slice", &view, 1)) s.view = ExplorerView::LabSlice;
    ImGuiCompat::HelpMarker("Trained pair: the Live Training models (logistic: the whole (w1, w2) plane; MLP: the "
                            "plane through 0, W_A, W_B).\nMerge Lab: theta0 + a tau1 + b tau2, tau_i = specialist_i "
                            "- theta0, for the article's 4-D specialists of tasks 0 and 1.");
    ImGui::SameLine(0, em(0.9f));
    ImGui::Checkbox("Contours", &s.show_contours);
    ImGui::SameLine();
    ImGui::Checkbox("Training paths", &s.show_trajectories);

    if (!slider) return;
    float t = static_cast<float>(s.t);
    // Leaves exactly the room of its label and the "(?)" after it.
    const ImGuiStyle& st = ImGui::GetStyle();
    ImGui::SetNextItemWidth(-(ImGui::CalcTextSize("t").x + st.ItemInnerSpacing.x + st.ItemSpacing.x + ImGui::CalcTextSize("(?)").x));
    if (ImGui::SliderFloat("t", &t, 0.0f, 1.0f, "t = %.3f")) s.t = t, s.point_on_path = true;
    ImGuiCompat::HelpMarker("Merge parameter along the active path: w(0) = W_A, w(1) = W_B. Keys: Left/Right "
                            "+-0.01 (Shift +-0.1); in presentation view only while the mouse is over this panel "
                            "or the curves (otherwise the arrows change scene).");
  }

  void upload_heatmap(const ToyScene& toy, HeatField field, bool contours) {
    if (toy.grid_version() == uploaded_version_ && field == uploaded_field_ && contours == uploaded_contours_ &&
        texture_.valid())
      return;
    const toy::Grid& g = toy.grid(field);
    const int na = g.spec.na, nb = g.spec.nb;
    vmin_ = std::max(g.min(), 1e-4);
    vmax_ = std::max(g.max(), vmin_ * 1.01);
    // The texture is the grid upsampled k times (bilinear in log-loss), so contour lines baked into it
    // stay thin; its row 0 is the top of the image, the grid's row 0 is the lowest b.
    // Coarse grids (shown while a drag recomputes them) get a 4x smaller texture: upsampling is
    // the frame's cost, and the fine grid replaces it when the drag ends.
    const int target = std::max(na, nb) < 100 ? 128 : 512;
    const int k = std::max(1, target / std::max(na, nb));
    const int w = (na - 1) * k + 1, h = (nb - 1) * k + 1;
    std::vector<double> fine(static_cast<size_t>(w) * h);
    std::vector<double> lgrid(static_cast<size_t>(na) * nb);
    for (int jj = 0; jj < nb; ++jj)
      for (int ii = 0; ii < na; ++ii) lgrid[static_cast<size_t>(jj) * na + ii] = std::log(std::max(g.at(ii, jj), 1e-300));
    for (int y = 0; y < h; ++y) {
      const int j = std::min(nb - 2, y / k);
      const double fy = static_cast<double>(y - j * k) / k;
      for (int x = 0; x < w; ++x) {
        const int i = std::min(na - 2, x / k);
        const double fx = static_cast<double>(x - i * k) / k;
        auto lg = [&](int ii, int jj) { return lgrid[static_cast<size_t>(jj) * na + ii]; };
        const double v = (1 - fy) * ((1 - fx) * lg(i, j) + fx * lg(i + 1, j)) + fy * ((1 - fx) * lg(i, j + 1) + fx * lg(i + 1, j + 1));
        fine[static_cast<size_t>(h - 1 - y) * w + x] = std::exp(v);
      }
    }
    Widgets::ColormapField(fine.data(), w, h, vmin_, vmax_, true, pixels_);
    if (contours) {
      std::vector<Widgets::ContourSegment> segs;
      for (double level : Widgets::ContourLevels(vmin_, vmax_, 12, true))
        Widgets::MarchingSquares(g.values.data(), na, nb, level, segs);
      for (auto& sg : segs) sg.y0 = static_cast<float>(nb - 1) - sg.y0, sg.y1 = static_cast<float>(nb - 1) - sg.y1;
      Widgets::RasterizeSegments(segs, static_cast<float>(k), IM_COL32(255, 255, 255, 110), w, h, pixels_);
    }
    texture_.upload(pixels_.data(), w, h);
    uploaded_version_ = toy.grid_version();
    uploaded_field_ = field;
    uploaded_contours_ = contours;
  }

  void draw_trajectories(Widgets::Canvas2D& c, const AppContext& ctx, const palette::Palette& pal, float lw) {
    const SceneParams& s = ctx.scene;
    auto draw = [&](const std::vector<Eigen::Vector2d>& tr, ImU32 col) {
      if (tr.size() < 2) return;
      const int n = std::max(2, static_cast<int>(s.replay_progress * (tr.size() - 1)) + 1);
      std::vector<double> xs(n), ys(n);
      for (int k = 0; k < n; ++k) xs[k] = tr[k][0], ys[k] = tr[k][1];
      Widgets::CanvasPolyline(c, xs.data(), ys.data(), n, col, lw, false);
      if (s.replay_playing || s.replay_progress < 1.0)
        c.dl->AddCircleFilled(c.frame.ToScreen(xs.back(), ys.back()), em(0.35f), col, 12);
    };
    draw(ctx.toy.trajectory_a(), (pal.task1 & 0x00FFFFFF) | 0xC0000000);
    draw(ctx.toy.trajectory_b(), (pal.task2 & 0x00FFFFFF) | 0xC0000000);
  }

  void draw_paths(Widgets::Canvas2D& c, const SceneParams& s, const ToyScene& toy, const palette::Palette& pal,
                  float lw) {
    const PathCurves& l = toy.curves(toy::PathKind::Lerp);
    const PathCurves& r = toy.curves(toy::PathKind::Slerp);
    const bool lerp_active = s.path == toy::PathKind::Lerp;
    // Inactive path first, thin and translucent; the active one on top, thick.
    const ImU32 lerp_col = lerp_active ? pal.lerp : (pal.lerp & 0x00FFFFFF) | 0x99000000;
    const ImU32 slerp_col = !lerp_active ? pal.slerp : (pal.slerp & 0x00FFFFFF) | 0x99000000;
    if (lerp_active) {
      Widgets::CanvasPolyline(c, r.a.data(), r.b.data(), static_cast<int>(r.a.size()), slerp_col, lw, true);
      Widgets::CanvasPolyline(c, l.a.data(), l.b.data(), static_cast<int>(l.a.size()), lerp_col, 3.0f * lw, false);
    } else {
      Widgets::CanvasPolyline(c, l.a.data(), l.b.data(), static_cast<int>(l.a.size()), lerp_col, lw, false);
      Widgets::CanvasPolyline(c, r.a.data(), r.b.data(), static_cast<int>(r.a.size()), slerp_col, 3.0f * lw, false);
    }
  }

  void draw_endpoints(Widgets::Canvas2D& c, const ToyScene& toy, const palette::Palette& pal) {
    const toy::Plane& pl = toy.plane();
    const Eigen::Vector2d ia = pl.project(toy.init_a()), ib = pl.project(toy.init_b());
    const bool same = (toy.init_a() - toy.init_b()).norm() < 1e-12;
    Widgets::CanvasMarker(c, ia[0], ia[1], pal.init, same ? "W_init" : "W_init A", 0.35f);
    if (!same) Widgets::CanvasMarker(c, ib[0], ib[1], pal.init, "W_init B", 0.35f);
    const Eigen::Vector2d a = pl.project(toy.w_a()), b = pl.project(toy.w_b());
    Widgets::CanvasMarker(c, a[0], a[1], pal.task1, "W_A");
    Widgets::CanvasMarker(c, b[0], b[1], pal.task2, "W_B");
  }

  void drag_point(Widgets::Canvas2D& c, AppContext& ctx, const palette::Palette& pal) {
    SceneParams& s = ctx.scene;
    const PathCurves& active = ctx.toy.curves(s.path);
    drag_.x = ctx.point.ab[0];
    drag_.y = ctx.point.ab[1];
    drag_.param = s.t;
    drag_.snapped = !s.free_point || s.point_on_path;
    drag_.snap_x = active.a.data();
    drag_.snap_y = active.b.data();
    drag_.snap_n = static_cast<int>(active.a.size());
    drag_.snap_always = !s.free_point;
    drag_.snap_radius_em = 1.0f;
    drag_.color = pal.point;
    if (Widgets::CanvasDragPoint(c, drag_)) {
      if (drag_.snapped) {
        s.t = std::clamp(std::round(drag_.param * 1000.0) / 1000.0, 0.0, 1.0);
        s.point_on_path = true;
      } else {
        s.point_on_path = false;
        s.free_a = drag_.x;
        s.free_b = drag_.y;
      }
    }
  }

  void draw_side(AppContext& ctx, float height, const palette::Palette& pal) {
    const SceneParams& s = ctx.scene;
    const ToyScene::Point& pt = ctx.point;
    const ToyScene& toy = ctx.toy;
    char field_name[64];
    std::snprintf(field_name, sizeof field_name, "%s loss",
                  s.field == HeatField::Task1 ? toy.task_name(1) : (s.field == HeatField::Task2 ? toy.task_name(2) : "Combined"));
    if (!heat_hidden_)  // the scale's range would hint at the ridge too
      Widgets::ColorBar("##colorbar", ImVec2(em(7.5f), std::max(em(8.0f), height * 0.42f)), vmin_, vmax_, true, field_name);

    ImGuiCompat::SeparatorText("Merge point");
    if (s.free_point && !s.point_on_path)
      ImGui::Text("free (off the path)");
    else
      ImGui::Text("%s, t = %.3f", toy::path_kind_name(s.path), s.t);
    const ImVec4 c1 = ImGui::ColorConvertU32ToFloat4(pal.task1), c2 = ImGui::ColorConvertU32ToFloat4(pal.task2);
    const bool same_task = s.model == ModelKind::Mlp && s.mlp_b_task == MlpBTask::Same;
    if (heat_hidden_) {
      ImGui::TextDisabled("losses hidden until V");
    } else {
      ImGui::TextColored(c1, "%s  loss %.3f  acc %.1f%%", same_task ? "data A" : "Task 1", pt.loss1, 100 * pt.acc1);
      ImGui::TextColored(c2, "%s  loss %.3f  acc %.1f%%", same_task ? "data B" : "Task 2", pt.loss2, 100 * pt.acc2);
      ImGui::Text("Combined loss %.3f", pt.loss1 + pt.loss2);
    }
    ImGui::Text("|w| = %.3f", pt.norm);
    if (pt.w.size() == 2) ImGui::Text("w = (%.3f, %.3f)", pt.w[0], pt.w[1]);

    if (ctx.hides("explorer.legend")) return;
    ImGuiCompat::SeparatorText("Legend");
    char la[64], lb[64];
    std::snprintf(la, sizeof la, same_task ? "W_A: %s" : "W_A: trained on %s", toy.task_name(1));
    std::snprintf(lb, sizeof lb, same_task ? "W_B: %s" : "W_B: trained on %s", toy.task_name(2));
    legend_row(pal.task1, la, true);
    legend_row(pal.task2, lb, true);
    legend_row(pal.init, "W_init: start of training", true);
    legend_row(pal.point, "merge point (drag it)", true);
    legend_row(pal.lerp, "LERP chord", false);
    legend_row(pal.slerp, "SLERP arc", false);
  }

  static void legend_row(ImU32 col, const char* text, bool dot) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (dot) {
      dl->AddCircleFilled(ImVec2(p.x + em(0.6f), p.y + h * 0.5f), em(0.35f), col, 12);
      dl->AddCircle(ImVec2(p.x + em(0.6f), p.y + h * 0.5f), em(0.35f), IM_COL32(0, 0, 0, 255), 12, 1.0f);
    } else {
      dl->AddLine(ImVec2(p.x, p.y + h * 0.5f), ImVec2(p.x + em(1.2f), p.y + h * 0.5f), col, 3.0f);
    }
    ImGui::Dummy(ImVec2(em(1.6f), h));
    ImGui::SameLine();
    ImGui::TextUnformatted(text);
  }
};

PanelRegistrar reg{10, [] { return std::make_unique<WeightSpacePanel>(); }};

}  // namespace

}  // namespace mergelab::app
