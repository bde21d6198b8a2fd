// Interpolation Curves: Task 1, Task 2 and Combined loss against t for LERP (solid) and SLERP (dashed),
// the current t as a marker, the minimum of the combined loss, and the norm of the merged weights.
#include <algorithm>
#include <cmath>
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

  nlohmann::json state() const override {
    return {{"min_shown", min_shown_}, {"barrier_shown", barrier_shown_}, {"loss_points_drawn", loss_points_drawn_},
            {"min_markers_drawn", min_markers_drawn_}, {"barrier_text", barrier_text_}};
  }

  void draw(AppContext& ctx) override {
    SceneParams& s = ctx.scene;
    const ToyScene& toy = ctx.toy;
    const palette::Palette& pal = palette::get(ctx.ui.high_contrast);
    const float lw = ctx.ui.line_scale();
    min_shown_ = !ctx.holds_back("loss_minimum");
    barrier_shown_ = !ctx.holds_back("barrier");
    // Off the path (free mode) the point has no t: no t-line either.
    const double t_line = s.free_point && !s.point_on_path ? NAN : s.t;
    const PathCurves& l = toy.curves(toy::PathKind::Lerp);
    const PathCurves& r = toy.curves(toy::PathKind::Slerp);
    if (!ctx.hides("curves.controls")) {
      ImGui::Checkbox("Accuracy curves", &s.show_accuracy);
      ImGuiCompat::HelpMarker("Accuracy_k(w) = mean((sigmoid(z) > 0.5) == y) on task k, for both paths.");
      ImGui::SameLine(0, em(1.5f));
    }
    if (min_shown_ && barrier_shown_)
      ImGui::TextWrapped("min Combined: LERP %.3f at t = %.2f, SLERP %.3f at t = %.2f", l.combined[l.argmin_combined],
                  l.t[l.argmin_combined], r.combined[r.argmin_combined], r.t[r.argmin_combined]);
    else if (!min_shown_)
      ImGui::TextUnformatted("Where is the Combined loss lowest? Predict, then press V.");
    else
      ImGui::TextUnformatted("Loss along the path: predict its shape, then press V.");

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const std::string note = barrier_note(ctx);
    barrier_text_ = note;
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
    // Held back: the barrier is the loss curves themselves, so none are drawn before the reveal (the axes
    // and the legend stay, the class predicts the shape); the minimum hides only its markers and values.
    double y_lo = 1e300, y_hi = -1e300;
    for (const auto& se : loss)
      for (int k = 0; k < se.n; ++k) y_lo = std::min(y_lo, se.y[k]), y_hi = std::max(y_hi, se.y[k]);
    if (!barrier_shown_)
      for (auto& se : loss) se.n = 0;
    loss_points_drawn_ = 0;
    for (const auto& se : loss) loss_points_drawn_ += se.n;
    char min_l[48], min_r[48];
    std::snprintf(min_l, sizeof min_l, "min %.3f", l.combined[l.argmin_combined]);
    std::snprintf(min_r, sizeof min_r, "SLERP min %.3f", r.combined[r.argmin_combined]);
    const Widgets::PlotPoint mins[2] = {
        {l.t[l.argmin_combined], l.combined[l.argmin_combined], pal.point, min_l},
        {r.t[r.argmin_combined], r.combined[r.argmin_combined], pal.slerp, nullptr}};
    Widgets::LinePlotSpec spec;
    spec.x_title = "t  (LERP solid, SLERP dashed)";
    spec.y_title = "loss";
    spec.marker_x = t_line;
    spec.marker_color = pal.point;
    spec.points = mins;
    spec.point_count = min_shown_ && barrier_shown_ ? 2 : 0;
    min_markers_drawn_ = spec.point_count;
    if (!barrier_shown_) spec.y0 = 0.0, spec.y1 = 1.0;  // no scale from the hidden curves either
    ImGui::BeginGroup();
    Widgets::LinePlot("##loss_curves", ImVec2(w_loss, h_loss), spec, loss.data(), static_cast<int>(loss.size()));
    if (!barrier_shown_) {
      const ImVec2 p0 = ImGui::GetItemRectMin();
      const char* msg = "Curves hidden: predict, then press V";
      const ImVec2 ts = ImGui::CalcTextSize(msg);
      ImGui::GetWindowDrawList()->AddText(ImVec2(p0.x + 0.5f * (w_loss - ts.x), p0.y + 0.5f * (h_loss - ts.y)),
                                          pal.point, msg);
    }
    if (s.show_accuracy && barrier_shown_) {
      std::vector<Widgets::PlotSeries> acc = {
          series(n1, l.t, l.acc1, pal.task1, false, lw), series(n1, r.t, r.acc1, pal.task1, true, lw),
          series(n2, l.t, l.acc2, pal.task2, false, lw), series(n2, r.t, r.acc2, pal.task2, true, lw)};
      for (size_t k = 1; k < acc.size(); k += 2) acc[k].in_legend = false;
      Widgets::LinePlotSpec as;
      as.x_title = "t";
      as.y_title = "accuracy";
      as.y0 = 0.0, as.y1 = 1.02;
      as.marker_x = t_line;
      as.marker_color = pal.point;
      Widgets::LinePlot("##acc_curves", ImVec2(w_loss, h - h_loss - ImGui::GetStyle().ItemSpacing.y), as, acc.data(),
                        static_cast<int>(acc.size()));
    }
    ImGui::EndGroup();
    if (norm_plot) {
      ImGui::SameLine();
      std::vector<Widgets::PlotSeries> norms = {series("LERP", l.t, l.norm, pal.lerp, false, lw),
                                                series("SLERP", r.t, r.norm, pal.slerp, true, lw)};
      if (!dark) norms[0].color = palette::combined(false);
      Widgets::LinePlotSpec ns;
      ns.x_title = "t";
      ns.y_title = "norm |w(t)|";
      ns.marker_x = t_line;
      ns.marker_color = pal.point;
      Widgets::LinePlot("##norm_curves", ImVec2(w_norm, h), ns, norms.data(), 2);
    }

    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(note.c_str());
    ImGui::PopTextWrapPos();
  }

 private:
  /// The shape of LERP's Combined curve, read from the samples: what the class sees on the plot.
  static const char* combined_shape(const PathCurves& l) {
    if (l.combined.size() < 3) return "flat";
    const double a = l.combined.front(), b = l.combined.back();
    const double hi = *std::max_element(l.combined.begin() + 1, l.combined.end() - 1);
    const double lo = *std::min_element(l.combined.begin() + 1, l.combined.end() - 1);
    const double tol = 0.02 * std::max({std::abs(a), std::abs(b), 1e-9});
    if (hi > std::max(a, b) + tol) return "rises above both ends on the way: a ridge";
    if (lo < std::min(a, b) - tol) return "is U-shaped, lowest between the ends: no ridge";
    return "runs from one end's level to the other's without a bump: no ridge";
  }

  /// The barrier, stated for the model, inits and data on screen (each clause from the state it names).
  std::string barrier_note(const AppContext& ctx) const {
    const SceneParams& s = ctx.scene;
    const ToyScene& toy = ctx.toy;
    const PathCurves& l = toy.curves(toy::PathKind::Lerp);
    const double b = l.barrier;
    const bool same_init = s.article.same_init;
    char buf[700];
    if (!barrier_shown_)
      return "Is there a ridge on the straight path between W_A and W_B? Predict, then press V.";
    const char* inits = same_init ? "one shared init" : "two different inits";
    if (toy.hidden() > 0 && s.mlp_b_task == MlpBTask::Same) {
      const char* why =
          b > 0.05 ? (same_init ? "Even from one init the two runs ended apart, and the path between them climbs."
                                : "Each net is one of many equivalent permutations of its hidden units, so the two sit "
                                  "in different basins and their average cancels units.")
                   : (same_init ? "From one init both runs end up close and the straight path stays low."
                                : "These two runs happen to sit in connected basins (Shift+R re-rolls the seeds).");
      std::snprintf(buf, sizeof buf, "LERP barrier %.3f (max over the two data sets of L(t) minus the line between its "
                    "ends). Same task, %s; the Combined curve %s. %s (Press D: %s.)", b, inits, combined_shape(l), why,
                    same_init ? "two inits" : "one shared init");
    } else if (toy.hidden() > 0) {
      std::snprintf(buf, sizeof buf, "LERP barrier %.3f (max over tasks of L(t) minus the straight line between its "
                    "ends). Two tasks, %s; the Combined curve %s.%s", b, inits, combined_shape(l),
                    b > 0.05 ? " A task's own loss bulges above its chord: the hidden units of the two nets do not "
                               "line up." : "");
    } else {
      std::snprintf(buf, sizeof buf, "LERP barrier %.3f: the logistic loss is convex in w, so on a straight path it "
                    "never rises above the line between its ends, whatever the inits (%s here).", b, inits);
    }
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
  int loss_points_drawn_ = 0, min_markers_drawn_ = 0;
  std::string barrier_text_;
};

PanelRegistrar reg{20, [] { return std::make_unique<InterpolationCurvesPanel>(); }};

}  // namespace

}  // namespace mergelab::app
