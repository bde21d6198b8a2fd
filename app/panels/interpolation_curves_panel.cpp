// Interpolation Curves: Task 1, Task 2 and Combined loss against t for LERP (solid) and SLERP (dashed),
// the current t as a marker, the minimum of the combined loss, and the norm of the merged weights.
#include <cstdio>
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

  void draw(AppContext& ctx) override {
    SceneParams& s = ctx.scene;
    const ToyScene& toy = ctx.toy;
    ImGui::Checkbox("Accuracy curves", &s.show_accuracy);
    ImGuiCompat::HelpMarker("Accuracy_k(w) = mean((sigmoid(z) > 0.5) == y) on task k, for both paths.");
    const PathCurves& l = toy.curves(toy::PathKind::Lerp);
    const PathCurves& r = toy.curves(toy::PathKind::Slerp);
    ImGui::SameLine(0, em(1.5f));
    ImGui::Text("min Combined: LERP %.3f at t = %.2f, SLERP %.3f at t = %.2f", l.combined[l.argmin_combined],
                l.t[l.argmin_combined], r.combined[r.argmin_combined], r.t[r.argmin_combined]);

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float caption_h = ImGui::GetTextLineHeightWithSpacing() * 2.2f;
    const float w_norm = std::floor(avail.x * 0.32f);
    const float w_loss = avail.x - w_norm - ImGui::GetStyle().ItemSpacing.x;
    const float h = avail.y - caption_h;
    const float h_loss = s.show_accuracy ? std::floor(h * 0.6f) : h;

    const bool dark = ctx.ui.dark;
    const ImU32 comb = palette::combined(dark);
    std::vector<Widgets::PlotSeries> loss = {
        series("Task 1", l.t, l.loss1, palette::kTask1, false),  series("Task 1", r.t, r.loss1, palette::kTask1, true),
        series("Task 2", l.t, l.loss2, palette::kTask2, false),  series("Task 2", r.t, r.loss2, palette::kTask2, true),
        series("Combined", l.t, l.combined, comb, false),        series("Combined", r.t, r.combined, comb, true)};
    for (size_t k = 1; k < loss.size(); k += 2) loss[k].in_legend = false;
    char min_l[48], min_r[48];
    std::snprintf(min_l, sizeof min_l, "min %.3f", l.combined[l.argmin_combined]);
    std::snprintf(min_r, sizeof min_r, "SLERP min %.3f", r.combined[r.argmin_combined]);
    const Widgets::PlotPoint mins[2] = {
        {l.t[l.argmin_combined], l.combined[l.argmin_combined], palette::kPoint, min_l},
        {r.t[r.argmin_combined], r.combined[r.argmin_combined], palette::kSlerp, nullptr}};
    Widgets::LinePlotSpec spec;
    spec.x_title = "t  (LERP solid, SLERP dashed)";
    spec.y_title = "loss";
    spec.marker_x = s.t;
    spec.marker_color = palette::kPoint;
    spec.points = mins;
    spec.point_count = 2;
    ImGui::BeginGroup();
    Widgets::LinePlot("##loss_curves", ImVec2(w_loss, h_loss), spec, loss.data(), static_cast<int>(loss.size()));
    if (s.show_accuracy) {
      std::vector<Widgets::PlotSeries> acc = {
          series("Task 1", l.t, l.acc1, palette::kTask1, false), series("Task 1", r.t, r.acc1, palette::kTask1, true),
          series("Task 2", l.t, l.acc2, palette::kTask2, false), series("Task 2", r.t, r.acc2, palette::kTask2, true)};
      for (size_t k = 1; k < acc.size(); k += 2) acc[k].in_legend = false;
      Widgets::LinePlotSpec as;
      as.x_title = "t";
      as.y_title = "accuracy";
      as.y0 = 0.0, as.y1 = 1.02;
      as.marker_x = s.t;
      as.marker_color = palette::kPoint;
      Widgets::LinePlot("##acc_curves", ImVec2(w_loss, h - h_loss - ImGui::GetStyle().ItemSpacing.y), as, acc.data(),
                        static_cast<int>(acc.size()));
    }
    ImGui::EndGroup();
    ImGui::SameLine();
    std::vector<Widgets::PlotSeries> norms = {series("LERP |w|", l.t, l.norm, palette::kLerp, false),
                                              series("SLERP |w|", r.t, r.norm, palette::kSlerp, true)};
    if (!dark) norms[0].color = palette::combined(false);
    Widgets::LinePlotSpec ns;
    ns.x_title = "t";
    ns.y_title = "norm |w(t)|";
    ns.marker_x = s.t;
    ns.marker_color = palette::kPoint;
    Widgets::LinePlot("##norm_curves", ImVec2(w_norm, h), ns, norms.data(), 2);

    // The barrier, stated honestly for the model on screen.
    const double b = l.barrier;
    if (toy.hidden() > 0)
      ImGui::TextWrapped("LERP barrier %.3f (max over tasks of L(t) minus the straight line between its ends). %s", b,
                         b > 0.05 ? "A ridge: the hidden units of the two nets do not line up." : "No ridge on this path.");
    else
      ImGui::TextWrapped("LERP barrier %.3f: the logistic loss is convex in w, so on a straight path it never rises "
                         "above the line between its ends, whatever the inits.", b);
  }

 private:
  static Widgets::PlotSeries series(const char* label, const std::vector<double>& x, const std::vector<double>& y,
                                    ImU32 color, bool dashed) {
    Widgets::PlotSeries s;
    s.label = label;
    s.x = x.data();
    s.y = y.data();
    s.n = static_cast<int>(std::min(x.size(), y.size()));
    s.color = color;
    s.dashed = dashed;
    s.thickness = 2.0f;
    return s;
  }
};

PanelRegistrar reg{20, [] { return std::make_unique<InterpolationCurvesPanel>(); }};

}  // namespace

}  // namespace mergelab::app
