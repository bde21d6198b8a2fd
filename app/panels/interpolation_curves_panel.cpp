// Interpolation Curves: Task 1, Task 2 and Combined loss against t for LERP (solid) and SLERP (dashed),
// the current t as a marker, the minimum of the combined loss, and the norm of the merged weights.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/gui/palette.h"
#include "app/gui/panel.h"
#include "widgets/imgui_compat.h"
#include "widgets/line_plot.h"

namespace mergelab::app {

namespace {

using ImGuiCompat::em;

class InterpolationCurvesPanel : public Panel {
 public:
  const char* id() const override { return "curves"; }
  const char* title() const override { return "Interpolation Curves"; }
  const char* help() const override {
    return "Loss of the merged weights w(t) on each task as t goes from W_A (t = 0) to W_B (t = 1): LERP solid, "
           "SLERP dashed. The vertical line is the current t; the dots mark the lowest Combined loss. Right: "
           "|w(t)|, where LERP's chord dips (it cuts the corner) and SLERP keeps the norm between the two.";
  }
  float weight() const override { return 1.15f; }

  nlohmann::json state() const override { return {{"min_shown", min_shown_}, {"barrier_shown", barrier_shown_}}; }

  void draw(AppContext& ctx) override {
    SceneParams& s = ctx.scene;
    const ToyScene& toy = ctx.toy;
    const palette::Palette& pal = palette::get(ctx.ui.high_contrast);
    const float lw = ctx.ui.line_scale();
    min_shown_ = !ctx.holds_back("loss_minimum");
    barrier_shown_ = !ctx.holds_back("barrier");
    const PathCurves& l = toy.curves(toy::PathKind::Lerp);
    const PathCurves& r = toy.curves(toy::PathKind::Slerp);
    if (!ctx.hides("curves.controls")) {
      ImGui::Checkbox("Accuracy curves", &s.show_accuracy);
      ImGuiCompat::HelpMarker("Accuracy_k(w) = mean((sigmoid(z) > 0.5) == y) on task k, for both paths.");
      ImGui::SameLine(0, em(1.5f));
    }
    if (min_shown_)
      ImGui::Text("min Combined: LERP %.3f at t = %.2f, SLERP %.3f at t = %.2f", l.combined[l.argmin_combined],
                  l.t[l.argmin_combined], r.combined[r.argmin_combined], r.t[r.argmin_combined]);
    else
      ImGui::TextUnformatted("Where is the Combined loss lowest? Predict, then press V.");

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const std::string note = barrier_note(ctx);
    const float caption_h = ImGui::CalcTextSize(note.c_str(), nullptr, false, avail.x).y + ImGui::GetStyle().ItemSpacing.y * 2;
    const bool norm_plot = !ctx.hides("curves.norm");
    const float w_norm = norm_plot ? std::floor(avail.x * 0.32f) : 0.0f;
    const float w_loss = avail.x - w_norm - (norm_plot ? ImGui::GetStyle().ItemSpacing.x : 0.0f);
    const float h = avail.y - caption_h;
    const float h_loss = s.show_accuracy ? std::floor(h * 0.6f) : h;

    const bool dark = ctx.ui.dark;
    const ImU32 comb = palette::combined(dark);
    const char* n1 = toy.task_name(1);
    const char* n2 = toy.task_name(2);
    std::vector<Widgets::PlotSeries> loss = {
        series(n1, l.t, l.loss1, pal.task1, false, lw),  series(n1, r.t, r.loss1, pal.task1, true, lw),
        series(n2, l.t, l.loss2, pal.task2, false, lw),  series(n2, r.t, r.loss2, pal.task2, true, lw),
        series("Combined", l.t, l.combined, comb, false, lw), series("Combined", r.t, r.combined, comb, true, lw)};
    for (size_t k = 1; k < loss.size(); k += 2) loss[k].in_legend = false;
    // Held back: the curves are drawn only up to the current t, so the class sees the walk, not the end.
    const bool walk = !min_shown_ || !barrier_shown_;
    double y_lo = 1e300, y_hi = -1e300;
    for (const auto& se : loss)
      for (int k = 0; k < se.n; ++k) y_lo = std::min(y_lo, se.y[k]), y_hi = std::max(y_hi, se.y[k]);
    if (walk)
      for (auto& se : loss) {
        int n = 0;
        while (n < se.n && se.x[n] <= s.t + 1e-9) ++n;
        se.n = std::max(n, 1);
      }
    char min_l[48], min_r[48];
    std::snprintf(min_l, sizeof min_l, "min %.3f", l.combined[l.argmin_combined]);
    std::snprintf(min_r, sizeof min_r, "SLERP min %.3f", r.combined[r.argmin_combined]);
    const Widgets::PlotPoint mins[2] = {
        {l.t[l.argmin_combined], l.combined[l.argmin_combined], pal.point, min_l},
        {r.t[r.argmin_combined], r.combined[r.argmin_combined], pal.slerp, nullptr}};
    Widgets::LinePlotSpec spec;
    spec.x_title = "t  (LERP solid, SLERP dashed)";
    spec.y_title = "loss";
    spec.marker_x = s.t;
    spec.marker_color = pal.point;
    spec.points = mins;
    spec.point_count = min_shown_ ? 2 : 0;
    if (walk) spec.y0 = std::max(0.0, y_lo - 0.05 * (y_hi - y_lo)), spec.y1 = y_hi + 0.05 * (y_hi - y_lo);
    ImGui::BeginGroup();
    Widgets::LinePlot("##loss_curves", ImVec2(w_loss, h_loss), spec, loss.data(), static_cast<int>(loss.size()));
    if (s.show_accuracy) {
      std::vector<Widgets::PlotSeries> acc = {
          series(n1, l.t, l.acc1, pal.task1, false, lw), series(n1, r.t, r.acc1, pal.task1, true, lw),
          series(n2, l.t, l.acc2, pal.task2, false, lw), series(n2, r.t, r.acc2, pal.task2, true, lw)};
      for (size_t k = 1; k < acc.size(); k += 2) acc[k].in_legend = false;
      Widgets::LinePlotSpec as;
      as.x_title = "t";
      as.y_title = "accuracy";
      as.y0 = 0.0, as.y1 = 1.02;
      as.marker_x = s.t;
      as.marker_color = pal.point;
      Widgets::LinePlot("##acc_curves", ImVec2(w_loss, h - h_loss - ImGui::GetStyle().ItemSpacing.y), as, acc.data(),
                        static_cast<int>(acc.size()));
    }
    ImGui::EndGroup();
    if (norm_plot) {
      ImGui::SameLine();
      std::vector<Widgets::PlotSeries> norms = {series("LERP |w|", l.t, l.norm, pal.lerp, false, lw),
                                                series("SLERP |w|", r.t, r.norm, pal.slerp, true, lw)};
      if (!dark) norms[0].color = palette::combined(false);
      Widgets::LinePlotSpec ns;
      ns.x_title = "t";
      ns.y_title = "norm |w(t)|";
      ns.marker_x = s.t;
      ns.marker_color = pal.point;
      Widgets::LinePlot("##norm_curves", ImVec2(w_norm, h), ns, norms.data(), 2);
    }

    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(note.c_str());
    ImGui::PopTextWrapPos();
  }

 private:
  /// The barrier, stated honestly for the model on screen.
  std::string barrier_note(const AppContext& ctx) const {
    const SceneParams& s = ctx.scene;
    const ToyScene& toy = ctx.toy;
    const double b = toy.curves(toy::PathKind::Lerp).barrier;
    char buf[600];
    if (!barrier_shown_)
      return "Is there a ridge on the straight path between W_A and W_B? Predict, then press V.";
    if (toy.hidden() > 0 && s.mlp_b_task == MlpBTask::Same)
      std::snprintf(buf, sizeof buf, "LERP barrier %.3f (max over the two data sets of L(t) minus the line between its "
                    "ends). %s", b,
                    b > 0.05 ? "Same task, different inits: each net is one of many equivalent permutations of its "
                               "hidden units, so the two sit in different basins and their average cancels units: a "
                               "ridge. (Press D: from one init the ridge is gone.)"
                             : "One basin: from one shared init both runs end up close and the straight path stays "
                               "low. (Press D for two inits.)");
    else if (toy.hidden() > 0)
      std::snprintf(buf, sizeof buf, "LERP barrier %.3f (max over tasks of L(t) minus the straight line between its "
                    "ends). %s", b, b > 0.05 ? "A ridge: the hidden units of the two nets do not line up."
                                             : "No ridge on this path.");
    else
      std::snprintf(buf, sizeof buf, "LERP barrier %.3f: the logistic loss is convex in w, so on a straight path it "
                    "never rises above the line between its ends, whatever the inits.", b);
    return buf;
  }

  static Widgets::PlotSeries series(const char* label, const std::vector<double>& x, const std::vector<double>& y,
                                    ImU32 color, bool dashed, float line_scale) {
    Widgets::PlotSeries s;
    s.label = label;
    s.x = x.data();
    s.y = y.data();
    s.n = static_cast<int>(std::min(x.size(), y.size()));
    s.color = color;
    s.dashed = dashed;
    s.thickness = 2.0f * line_scale;
    return s;
  }

  bool min_shown_ = true, barrier_shown_ = true;
};

PanelRegistrar reg{20, [] { return std::make_unique<InterpolationCurvesPanel>(); }};

}  // namespace

}  // namespace mergelab::app
