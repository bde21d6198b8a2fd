// Merge Lab: the article's three 4-D specialists merged live by every registry method.
//
// [SECTION] Shared helpers (article toy, percent)
// [SECTION] The panel: controls, accuracy bars, leaderboard, sweep maps, growth plot
//
// The background work lives beside it: lab_sweep_view.* (the sweep maps), lab_growth_worker.* ("When does
// DARE work?").
#include "app/panels/merge_lab_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "app/gui/panel.h"
#include "app/panels/lab_growth_worker.h"
#include "app/panels/lab_sweep_view.h"
#include "core/merge/registry.h"
#include "core/toy/features.h"
#include "core/toy/lab.h"
#include "core/toy/lab_sweep.h"
#include "widgets/bar_chart.h"
#include "widgets/canvas2d.h"
#include "widgets/heatmap.h"
#include "widgets/imgui_compat.h"
#include "widgets/layout_audit.h"
#include "widgets/line_plot.h"

namespace mergelab::app {

// ---------------------------------------------------------------------------------------------------
// [SECTION] Shared helpers
// ---------------------------------------------------------------------------------------------------

const toy::LabToy& article_lab_toy() {
  static const toy::LabToy toy = toy::train_lab_toy(toy::LabSetup{});  // immutable after first use
  return toy;
}

std::string percent(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", f * 100.0);
  return buf;
}

namespace {

using ImGuiCompat::em;

nlohmann::json settings_json(const toy::LabSettings& s) {
  return {{"alpha", s.alpha}, {"k", s.k},          {"p", s.p},           {"seed", s.seed},
          {"sign_rule", s.sign_rule}, {"tasks", s.tasks}, {"slerp_a", s.slerp_a}, {"slerp_b", s.slerp_b},
          {"slerp_t", s.slerp_t}};
}

void settings_from_json(const nlohmann::json& j, toy::LabSettings& s) {
  s.alpha = std::clamp(j.value("alpha", s.alpha), 0.0, 2.0);
  s.k = std::clamp(j.value("k", s.k), 0.01, 1.0);
  s.p = std::clamp(j.value("p", s.p), 0.0, 0.99);
  s.seed = j.value("seed", s.seed);
  s.sign_rule = std::clamp(j.value("sign_rule", s.sign_rule), 0, 1);
  std::vector<int> tasks;
  for (int t : j.value("tasks", s.tasks))
    if (t >= 0 && t < 3 && std::find(tasks.begin(), tasks.end(), t) == tasks.end()) tasks.push_back(t);
  if (!tasks.empty()) s.tasks = tasks;
  s.slerp_a = std::clamp(j.value("slerp_a", s.slerp_a), 0, 2);
  s.slerp_b = std::clamp(j.value("slerp_b", s.slerp_b), 0, 2);
  s.slerp_t = std::clamp(j.value("slerp_t", s.slerp_t), 0.0, 1.0);
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] The panel
// ---------------------------------------------------------------------------------------------------

struct MethodResult {
  const merge::MethodSpec* spec = nullptr;
  toy::LabRow row;
  std::string error;  ///< non-empty when the lab cannot run this method
};

class MergeLabPanel : public Panel {
 public:
  MergeLabPanel() {
    k_map_.axis = toy::SweepAxis::K;
    p_map_.axis = toy::SweepAxis::P;
  }

  const char* id() const override { return "merge_lab"; }
  const char* title() const override { return "Merge Lab"; }
  const char* help() const override {
    return "Three logistic specialists fine-tuned from one pretrained vector on the article's 4-D tasks (seed 7), "
           "merged by every method of the registry. Left: which specialists, the method, its settings. Middle: "
           "each task's accuracy for the merged model, the specialists and the pretrained vector; the leaderboard "
           "of every method at these settings. Right: combined accuracy over alpha x k and alpha x p (click a cell "
           "to use it), and 'When does DARE work?': the same toys grown to d parameters.";
  }
  int column() const override { return 1; }
  float weight() const override { return 2.0f; }

  nlohmann::json save() const override {
    return {{"settings", settings_json(s_)}, {"method", method_}, {"mask_draws", mask_draws_}};
  }
  void load(const nlohmann::json& j) override {
    // Settings of the wrong type (a hand-edited scene or session) leave the panel as it was.
    try {
      toy::LabSettings s = s_;
      if (j.contains("settings")) settings_from_json(j["settings"], s);
      s_ = s;
      if (j.contains("method") && merge::find_method(j["method"].get<std::string>())) method_ = j["method"];
      mask_draws_ = std::clamp(j.value("mask_draws", mask_draws_), 1, 10);
    } catch (const nlohmann::json::exception&) {
    }
  }

  void draw(AppContext& ctx) override {
    const toy::LabToy& toy = article_lab_toy();
    evaluate(toy);
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    // A scene can hide the settings column in presentation view ("merge_lab.controls").
    const bool show_controls = !ctx.hides("merge_lab.controls");
    const float w_controls = show_controls ? std::max(em(17.0f), std::floor(avail.x * 0.22f)) : 0.0f;
    const float w_right = std::floor((avail.x - w_controls) * 0.46f);
    const float w_mid = avail.x - w_controls - w_right - (show_controls ? 2 : 1) * gap;

    if (show_controls) {
      ImGui::BeginChild("##lab_controls", ImVec2(w_controls, avail.y), false);
      draw_controls();
      ImGui::EndChild();
      ImGui::SameLine(0, gap);
    }
    ImGui::BeginChild("##lab_middle", ImVec2(w_mid, avail.y), false);
    // The bars above; the leaderboard below them: the recommendation first, then the rows in a list
    // that scrolls to the winner, so both stay in sight at any height.
    const float table_h = (results_.size() + 1) * (ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y) +
                          3.5f * ImGui::GetTextLineHeightWithSpacing();
    draw_accuracy_bars(toy, ImVec2(w_mid, std::max(std::floor(avail.y * 0.4f), avail.y - table_h)), ctx.screenshot_mode);
    draw_leaderboard();
    ImGui::EndChild();
    ImGui::SameLine(0, gap);
    ImGui::BeginChild("##lab_right", ImVec2(w_right, avail.y), false);
    const float map_h = std::floor(avail.y * 0.3f);
    draw_sweep(toy, k_map_, ImVec2(w_right, map_h), ctx);
    draw_sweep(toy, p_map_, ImVec2(w_right, map_h), ctx);
    draw_growth(ctx);
    ImGui::EndChild();
  }

  /// For the state dump: settings, the selected method's numbers, the leaderboard, the widgets' rects.
  nlohmann::json state() const override {
    nlohmann::json board = nlohmann::json::array();
    for (const auto& r : results_)
      board.push_back({{"method", r.spec->name}, {"label", r.spec->label},
                       {"accuracy", r.error.empty() ? nlohmann::json(r.row.accuracy) : nlohmann::json(nullptr)},
                       {"combined", r.error.empty() ? nlohmann::json(r.row.combined) : nlohmann::json(nullptr)},
                       {"error", r.error}});
    nlohmann::json rects = nlohmann::json::object();
    for (const auto& [name, r] : rects_) rects[name] = {r.min.x, r.min.y, r.max.x, r.max.y};
    nlohmann::json j = {{"settings", settings_json(s_)},
                        {"method", method_},
                        {"leaderboard", board},
                        {"winner", winner_ >= 0 ? results_[static_cast<size_t>(winner_)].spec->name : ""},
                        {"recommendation", recommendation_},
                        {"rects", rects},
                        {"k_map", {{"method", k_map_.map.method}, {"best", best_json(k_map_)}, {"constant", k_map_.constant}, {"ms", k_map_.compute_ms}, {"pending", k_map_.pending()}}},
                        {"p_map", {{"method", p_map_.map.method}, {"best", best_json(p_map_)}, {"constant", p_map_.constant}, {"ms", p_map_.compute_ms}, {"pending", p_map_.pending()}}},
                        {"k_frame", {k_map_.frame.p0.x, k_map_.frame.p0.y, k_map_.frame.p1.x, k_map_.frame.p1.y}},
                        {"p_frame", {p_map_.frame.p0.x, p_map_.frame.p0.y, p_map_.frame.p1.x, p_map_.frame.p1.y}},
                        {"growth", {{"done", growth_done_}, {"total", growth_total_}, {"curves_shown", growth_shown_}}}};
    if (const MethodResult* sel = selected()) {
      j["accuracy"] = sel->error.empty() ? nlohmann::json(sel->row.accuracy) : nlohmann::json(nullptr);
      j["combined"] = sel->error.empty() ? nlohmann::json(sel->row.combined) : nlohmann::json(nullptr);
    }
    return j;
  }

 private:
  toy::LabSettings s_;             ///< alpha 0.7, k 0.2, p 0.9, seed 0, count, all three tasks (the article)
  std::string method_ = "ties";    ///< the selected method (registry name)
  int mask_draws_ = 3;             ///< DARE masks averaged per point of the growth plot

  std::vector<MethodResult> results_;
  int winner_ = -1;
  std::string recommendation_;
  std::string scrolled_to_;  ///< the recommendation the list last scrolled to
  std::string eval_key_;
  SweepView k_map_, p_map_;
  GrowthWorker growth_;
  std::string growth_key_;
  bool growth_waited_ = false;
  double growth_requested_at_ = -1.0;
  toy::GrowthCurves growth_curves_;
  int growth_done_ = 0, growth_total_ = 0;
  bool growth_shown_ = true;
  struct Rect {
    ImVec2 min, max;
  };
  std::map<std::string, Rect> rects_;

  static nlohmann::json best_json(const SweepView& v) {
    if (v.map.combined.size() == 0) return nullptr;
    return {{"alpha", v.map.alphas[static_cast<size_t>(v.map.best_col)]},
            {"value", v.map.values[static_cast<size_t>(v.map.best_row)]},
            {"combined", v.map.combined(v.map.best_row, v.map.best_col)}};
  }

  const MethodResult* selected() const {
    for (const auto& r : results_)
      if (r.spec->name == method_) return &r;
    return nullptr;
  }

  /// The item's rect, cut to the window it is drawn in (a row scrolled out of the list stays inside it).
  void remember_rect(const std::string& name) {
    const ImVec2 w0 = ImGui::GetWindowPos(), w1(w0.x + ImGui::GetWindowSize().x, w0.y + ImGui::GetWindowSize().y);
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects_[name] = Rect{ImVec2(std::clamp(a.x, w0.x, w1.x), std::clamp(a.y, w0.y, w1.y)),
                        ImVec2(std::clamp(b.x, w0.x, w1.x), std::clamp(b.y, w0.y, w1.y))};
  }

  // ---- evaluation (every registry method; ~0.1 ms, redone only when a setting changes) ----------
  void evaluate(const toy::LabToy& toy) {
    const std::string key = settings_json(s_).dump();
    if (key == eval_key_) return;
    eval_key_ = key;
    results_.clear();
    winner_ = -1;
    for (const auto& spec : merge::method_registry()) {
      MethodResult r;
      r.spec = &spec;
      try {
        r.row = toy::evaluate_lab_method(toy, spec.name, s_);
      } catch (const std::exception& e) {
        r.error = e.what();
      }
      results_.push_back(std::move(r));
    }
    for (size_t i = 0; i < results_.size(); ++i)
      if (results_[i].error.empty() && (winner_ < 0 || results_[i].row.combined > results_[static_cast<size_t>(winner_)].row.combined))
        winner_ = static_cast<int>(i);
    recommendation_ = winner_ < 0 ? "no method runs at these settings"
                                  : "Recommendation: " + results_[static_cast<size_t>(winner_)].spec->label +
                                        " (combined accuracy " + percent(results_[static_cast<size_t>(winner_)].row.combined) + ")";
  }

  // ---- controls ---------------------------------------------------------------------------------
  static void param_tooltip(const merge::MethodSpec* spec, const char* name, const char* extra) {
    std::string text = extra;
    if (spec)
      if (const merge::ParamSpec* p = spec->param(name)) text = p->help + "\n" + text;
    ImGuiCompat::HelpMarker(text.c_str());
  }

  void draw_controls() {
    ImGuiCompat::SeparatorText("Specialists");
    for (int t = 0; t < 3; ++t) {
      bool on = std::find(s_.tasks.begin(), s_.tasks.end(), t) != s_.tasks.end();
      char label[32];
      std::snprintf(label, sizeof label, "Task %d", t);
      ImGui::PushStyleColor(ImGuiCol_CheckMark, ImGui::ColorConvertU32ToFloat4(lab_palette::kTask[t]));
      if (ImGui::Checkbox(label, &on)) {
        if (on) s_.tasks.push_back(t);
        else if (s_.tasks.size() > 1) s_.tasks.erase(std::find(s_.tasks.begin(), s_.tasks.end(), t));
        std::sort(s_.tasks.begin(), s_.tasks.end());
      }
      ImGui::PopStyleColor();
      remember_rect(std::string("task") + std::to_string(t));
      if (t < 2) ImGui::SameLine();
    }
    ImGuiCompat::HelpMarker("Which specialists' task vectors are merged (at least one). Task 0: x0 + x1 > 0; "
                            "task 1: x2 - x3 > 0.5; task 2: sin(x0) + x2 > 0. SLERP uses its own pair below.");

    ImGuiCompat::SeparatorText("Method");
    // One combo (every method; the leaderboard rows select too): the default size shows every control.
    const merge::MethodSpec* cur = merge::find_method(method_);
    ImGui::SetNextItemWidth(-em(1.8f));
    if (ImGui::BeginCombo("##method", cur ? cur->label.c_str() : method_.c_str())) {
      for (const auto& spec : merge::method_registry()) {
        if (ImGui::Selectable(spec.label.c_str(), method_ == spec.name)) method_ = spec.name;
        remember_rect("method_" + spec.name);
        if (ImGui::IsItemHovered()) {
          ImGui::BeginTooltip();
          ImGui::PushTextWrapPos(em(30.0f));
          ImGui::Text("%s: %s", spec.label.c_str(), spec.summary.c_str());
          ImGui::TextDisabled("%s", spec.formula.c_str());
          ImGui::PopTextWrapPos();
          ImGui::EndTooltip();
        }
      }
      ImGui::EndCombo();
    }
    remember_rect("method");
    if (cur) ImGuiCompat::HelpMarker((cur->summary + "\n" + cur->formula).c_str());

    const merge::MethodSpec* ties = merge::find_method("ties");
    const merge::MethodSpec* dare = merge::find_method("dare_ties");
    ImGuiCompat::SeparatorText("Settings");
    ImGui::PushItemWidth(-em(1.8f));
    const float short_w = ImGui::CalcItemWidth() - ImGui::CalcTextSize("seed").x - ImGui::GetStyle().ItemInnerSpacing.x;
    const merge::ParamSpec* lambda = ties ? ties->param("lambda") : nullptr;
    const double a_lo = std::max(0.0, lambda ? lambda->min_value : 0.0), a_hi = std::min(2.0, lambda ? lambda->max_value : 2.0);
    ImGui::SliderScalar("##alpha", ImGuiDataType_Double, &s_.alpha, &a_lo, &a_hi, "alpha (scaling) = %.2f");
    remember_rect("alpha");
    param_tooltip(ties, "lambda", "Linear (the article's lerp): theta_0 + alpha * mean_i tau_i.");

    // k is TIES's density (kept fraction); p = 1 - DARE's density. Ranges from the registry, with k > 0
    // (nothing kept is not a merge) and p < 1 (survivors are divided by 1 - p).
    const merge::ParamSpec* kd = ties ? ties->param("density") : nullptr;
    const double k_lo = std::max(0.01, kd ? kd->min_value : 0.0), k_hi = kd ? kd->max_value : 1.0;
    char kfmt[64];
    std::snprintf(kfmt, sizeof kfmt, "k kept = %%.2f  (trim %.2f)", 1.0 - s_.k);
    ImGui::SliderScalar("##k", ImGuiDataType_Double, &s_.k, &k_lo, &k_hi, kfmt);
    remember_rect("k");
    param_tooltip(ties, "density",
                  "The article's trim 0.8 = k 0.2: its trim_pct is the fraction REMOVED. Used by TIES and DARE-TIES "
                  "(trim after the drop).");

    const merge::ParamSpec* pd = dare ? dare->param("density") : nullptr;
    const double p_lo = pd ? 1.0 - pd->max_value : 0.0, p_hi = std::min(0.99, pd ? 1.0 - pd->min_value : 0.99);
    ImGui::SliderScalar("##p", ImGuiDataType_Double, &s_.p, &p_lo, &p_hi, "p drop rate = %.2f");
    remember_rect("p");
    param_tooltip(dare, "density", "p = 1 - density; survivors are divided by 1 - p (the article). Used by DARE and DARE-TIES.");

    int seed = static_cast<int>(std::min<uint32_t>(s_.seed, 1000000));
    ImGui::SetNextItemWidth(short_w);
    if (ImGui::InputInt("seed##seed", &seed)) s_.seed = static_cast<uint32_t>(std::clamp(seed, 0, 1000000));
    ImGuiCompat::HelpMarker("Specialist i's drop mask is numpy RandomState(seed + i).binomial(1, 1 - p, n); the article uses seed 0.");

    const merge::ParamSpec* rule = ties ? ties->param("sign_rule") : nullptr;
    const char* rules[2] = {"count (article)", "sum (mergekit)"};
    ImGui::SetNextItemWidth(short_w);
    ImGui::Combo("sign##sign_rule", &s_.sign_rule, rules, 2);
    ImGuiCompat::HelpMarker(rule ? rule->help.c_str() : "count: sign of the count of signs; sum: sign of the sum");

    ImGuiCompat::SeparatorText("SLERP pair");
    const char* names[3] = {"specialist 0", "specialist 1", "specialist 2"};
    ImGui::SetNextItemWidth(em(7.5f));
    ImGui::Combo("##slerp_a", &s_.slerp_a, names, 3);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em(7.5f));
    ImGui::Combo("##slerp_b", &s_.slerp_b, names, 3);
    const double t_lo = 0.0, t_hi = 1.0;
    ImGui::SliderScalar("##slerp_t", ImGuiDataType_Double, &s_.slerp_t, &t_lo, &t_hi, "t = %.2f");
    ImGuiCompat::HelpMarker("SLERP merges two full weight vectors along the great circle (no alpha, as the article): "
                            "sin((1-t) w)/sin(w) a + sin(t w)/sin(w) b, w = angle(a, b).");
    ImGui::PopItemWidth();

    ImGui::Spacing();
    if (ImGui::Button("Article settings")) {
      s_ = toy::LabSettings{};
      method_ = "ties";
    }
    ImGuiCompat::HelpMarker("alpha 0.7, k 0.2 (trim 0.8), p 0.9, seed 0, count, all three specialists, SLERP(0, 1) at 0.5: "
                            "the leaderboard then equals `mergelab lab`.");
  }

  // ---- accuracy bars ------------------------------------------------------------------------------
  void draw_accuracy_bars(const toy::LabToy& toy, ImVec2 size, bool screenshot) {
    const MethodResult* sel = selected();
    ImGuiCompat::SeparatorText("Accuracy per task");
    if (sel && !sel->error.empty()) {
      ImGui::TextColored(ImVec4(1, 0.5f, 0.4f, 1), "%s cannot run here: %s", sel->spec->label.c_str(), sel->error.c_str());
    } else if (sel) {
      ImGui::Text("%s: combined %s", sel->spec->label.c_str(), percent(sel->row.combined).c_str());
    }
    // Groups: tasks + combined. Series: pretrained, specialists 0..2, merged.
    static const char* groups[4] = {"Task 0", "Task 1", "Task 2", "Combined"};
    double values[5][4];
    auto fill = [&](int s, const std::vector<double>& acc) {
      double sum = 0;
      for (int g = 0; g < 3; ++g) values[s][g] = acc[static_cast<size_t>(g)], sum += acc[static_cast<size_t>(g)];
      values[s][3] = sum / 3.0;
    };
    fill(0, toy::lab_scores(toy, toy.pretrained));
    for (int i = 0; i < 3; ++i) fill(i + 1, toy::lab_scores(toy, toy.finetuned[static_cast<size_t>(i)]));
    if (sel && sel->error.empty()) fill(4, sel->row.accuracy);
    else for (double& v : values[4]) v = NAN;
    const std::string merged_label = sel ? sel->spec->label + " (merged)" : "merged";
    Widgets::BarSeries series[5] = {{"pretrained", values[0], lab_palette::kPretrained},
                                    {"specialist 0", values[1], lab_palette::kTask[0]},
                                    {"specialist 1", values[2], lab_palette::kTask[1]},
                                    {"specialist 2", values[3], lab_palette::kTask[2]},
                                    {merged_label.c_str(), values[4], lab_palette::kMerged, true}};
    Widgets::BarChartSpec spec;
    spec.group_labels = groups;
    spec.group_count = 4;
    spec.y0 = 0.0;
    spec.y1 = 1.0;
    spec.y_title = "accuracy %";
    const double chance = 0.5;
    const char* chance_label = "chance";
    spec.reference_lines = &chance;
    spec.reference_labels = &chance_label;
    spec.reference_count = 1;
    spec.tooltip = !screenshot;
    const float h = std::max(em(8.0f), size.y - ImGui::GetCursorPosY());
    Widgets::BarChart("##lab_bars", ImVec2(size.x, h), spec, series, 5);
    remember_rect("bars");
  }

  // ---- leaderboard ------------------------------------------------------------------------------
  void draw_leaderboard() {
    ImGuiCompat::SeparatorText("Leaderboard at these settings");
    ImGui::TextUnformatted(recommendation_.c_str());
    remember_rect("row__recommendation");  // "row_": the held-back winner's cover takes it in
    ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY;
    // Where the columns cannot all show their text (small windows, large UI scales), they keep the width of
    // their text and the table scrolls sideways instead of cutting method names.
    float method_w = ImGui::CalcTextSize("Method").x;
    for (const MethodResult& r : results_) method_w = std::max(method_w, ImGui::CalcTextSize(r.spec->label.c_str()).x);
    const float num_w = std::max(ImGui::CalcTextSize("Combined").x, ImGui::CalcTextSize("100.0%").x);
    const float win_w = ImGui::CalcTextSize("<- winner").x;
    const float need = method_w + 4.0f * num_w + win_w + 12.0f * ImGui::GetStyle().CellPadding.x + ImGui::GetStyle().ScrollbarSize;
    const bool sideways = need > ImGui::GetContentRegionAvail().x;
    flags |= sideways ? ImGuiTableFlags_ScrollX | ImGuiTableFlags_SizingFixedFit : ImGuiTableFlags_SizingStretchProp;
    // A list by design: it scrolls (to the winner) rather than pushing anything out of sight.
    Widgets::LayoutAudit::AllowScroll("##leaderboard");
    const float list_h = std::max(ImGui::GetContentRegionAvail().y, 6.0f * ImGui::GetTextLineHeightWithSpacing());
    // A table keeps its fixed column widths from its first frame: a new id per font size and layout, so a
    // changed UI scale gets widths measured in its own font.
    ImGui::PushID(static_cast<int>(ImGui::GetFontSize() * 4.0f) * 2 + (sideways ? 1 : 0));
    if (ImGui::BeginTable("##leaderboard", 6, flags, ImVec2(0, list_h))) {
      ImGui::TableSetupScrollFreeze(0, 1);  // the header row stays; a frozen first column would be clamped
      const ImGuiTableColumnFlags kind = sideways ? ImGuiTableColumnFlags_WidthFixed : ImGuiTableColumnFlags_WidthStretch;
      ImGui::TableSetupColumn("Method", ImGuiTableColumnFlags_WidthFixed, method_w);  // never cuts a name
      for (const char* c : {"Task 0", "Task 1", "Task 2", "Combined"}) ImGui::TableSetupColumn(c, kind, sideways ? num_w : 1.0f);
      ImGui::TableSetupColumn("##winner", kind, sideways ? win_w : 0.9f);  // no title; an empty label has no id
      // Headers: the short form ("T0", "Comb.") where the full name does not fit its column.
      static const char* kShort[6] = {"Method", "T0", "T1", "T2", "Comb.", "##winner"};
      ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
      for (int c = 0; c < 6; ++c) {
        ImGui::TableSetColumnIndex(c);
        const char* full = ImGui::TableGetColumnName(c);
        const bool fits = ImGui::CalcTextSize(full, nullptr, true).x <= ImGui::GetContentRegionAvail().x;
        if (!fits && ImGui::CalcTextSize(kShort[c], nullptr, true).x > ImGui::GetContentRegionAvail().x)
          Widgets::LayoutAudit::Record(std::string("leaderboard header ") + full, "elided", full);
        ImGui::TableHeader(fits ? full : kShort[c]);
      }
      for (size_t i = 0; i < results_.size(); ++i) {
        const MethodResult& r = results_[i];
        ImGui::TableNextRow();
        const bool is_sel = r.spec->name == method_;
        if (static_cast<int>(i) == winner_) {
          ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(255, 215, 0, 50));
          if (scrolled_to_ != recommendation_) ImGui::SetScrollHereY(0.5f), scrolled_to_ = recommendation_;
        }
        ImGui::TableSetColumnIndex(0);
        if (ImGui::CalcTextSize(r.spec->label.c_str()).x > ImGui::GetContentRegionAvail().x)
          Widgets::LayoutAudit::Record("leaderboard row " + r.spec->name, "elided", r.spec->label);
        if (ImGui::Selectable((r.spec->label + "##row").c_str(), is_sel, ImGuiSelectableFlags_SpanAllColumns))
          method_ = r.spec->name;
        remember_rect("row_" + r.spec->name);
        if (ImGui::IsItemHovered()) {  // the registry's summary and formula; why it cannot run here, if so
          ImGui::BeginTooltip();
          ImGui::PushTextWrapPos(em(30.0f));
          if (!r.error.empty()) ImGui::Text("n/a: %s", r.error.c_str());
          ImGui::Text("%s: %s", r.spec->label.c_str(), r.spec->summary.c_str());
          ImGui::TextDisabled("%s", r.spec->formula.c_str());
          ImGui::PopTextWrapPos();
          ImGui::EndTooltip();
        }
        if (!r.error.empty()) {
          ImGui::TableSetColumnIndex(1);
          ImGui::TextDisabled("n/a");
          continue;
        }
        for (int t = 0; t < 3; ++t) {
          ImGui::TableSetColumnIndex(t + 1);
          Widgets::LayoutAudit::FittedText("leaderboard cell", percent(r.row.accuracy[static_cast<size_t>(t)]).c_str());
        }
        ImGui::TableSetColumnIndex(4);
        Widgets::LayoutAudit::FittedText("leaderboard cell", percent(r.row.combined).c_str());
        ImGui::TableSetColumnIndex(5);
        if (static_cast<int>(i) == winner_) ImGui::TextColored(ImVec4(1.0f, 0.84f, 0.0f, 1.0f), "<- winner");
      }
      ImGui::EndTable();
    }
    ImGui::PopID();
  }

  // ---- sweep maps -------------------------------------------------------------------------------
  void draw_sweep(const toy::LabToy& toy, SweepView& v, ImVec2 size, const AppContext& ctx) {
    const bool screenshot = ctx.screenshot_mode;
    const bool k_axis = v.axis == toy::SweepAxis::K;
    const std::string method = toy::lab_method_uses(method_, v.axis) ? method_ : toy::default_sweep_method(v.axis);
    toy::LabSettings key_settings = s_;
    key_settings.alpha = 0;
    (k_axis ? key_settings.k : key_settings.p) = 0;
    update_sweep(toy, v, method, s_, method + settings_json(key_settings).dump(), screenshot && !ctx.benchmark);
    const auto& m = v.map;
    const merge::MethodSpec* spec = merge::find_method(m.method);  // the map shown (a newer one may be on its way)
    ImGui::Text("%s: combined accuracy over alpha x %s", spec ? spec->label.c_str() : m.method.c_str(),
                k_axis ? "k (kept fraction)" : "p (drop rate)");
    ImGuiCompat::HelpMarker("Each cell merges at that alpha and k (or p), every other setting as on the left. The ring is "
                            "the current setting, the small square the best cell. Click a cell to move the sliders there. "
                            "The map follows the selected method when it uses this axis (else TIES for k, DARE-TIES for p).");
    const double da = m.alphas.size() > 1 ? m.alphas[1] - m.alphas[0] : 1.0;
    const double dv = m.values.size() > 1 ? m.values[1] - m.values[0] : 1.0;
    const double x0 = m.alphas.front() - da / 2, x1 = m.alphas.back() + da / 2;
    const double y0 = m.values.front() - dv / 2, y1 = m.values.back() + dv / 2;
    const float bar_w = em(5.0f);
    const float h = std::max(em(6.0f), size.y - ImGui::GetTextLineHeightWithSpacing());
    Widgets::Canvas2D c = Widgets::BeginCanvas2D(k_axis ? "##map_k" : "##map_p", ImVec2(size.x - bar_w, h), x0, x1, y0, y1,
                                                 "alpha", k_axis ? "k" : "p", false);
    remember_rect(k_axis ? "map_k" : "map_p");
    v.frame = c.frame;
    if (v.texture.valid()) Widgets::CanvasImage(c, v.texture.id(), x0, x1, y0, y1);
    const double cur_v = k_axis ? s_.k : s_.p;
    const ImVec2 cur = c.frame.ToScreen(s_.alpha, cur_v);
    c.dl->AddCircle(cur, em(0.5f), IM_COL32(0, 0, 0, 255), 0, 4.0f);
    c.dl->AddCircle(cur, em(0.5f), IM_COL32(255, 255, 255, 255), 0, 2.0f);
    const ImVec2 best = c.frame.ToScreen(m.alphas[static_cast<size_t>(m.best_col)], m.values[static_cast<size_t>(m.best_row)]);
    c.dl->AddRect(ImVec2(best.x - em(0.25f), best.y - em(0.25f)), ImVec2(best.x + em(0.25f), best.y + em(0.25f)),
                  IM_COL32(255, 255, 255, 255), 0, 0, 2.0f);
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    if (c.hovered && c.frame.Contains(mouse)) {
      double a = 0, y = 0;
      c.frame.ToData(mouse, &a, &y);
      const int col = std::clamp(static_cast<int>(std::lround((a - m.alphas.front()) / da)), 0, static_cast<int>(m.alphas.size()) - 1);
      const int row = std::clamp(static_cast<int>(std::lround((y - m.values.front()) / dv)), 0, static_cast<int>(m.values.size()) - 1);
      if (!screenshot)
        ImGui::SetTooltip("alpha %.2f, %s %.2f: combined %s", m.alphas[static_cast<size_t>(col)], k_axis ? "k" : "p",
                        m.values[static_cast<size_t>(row)], percent(m.combined(row, col)).c_str());
      if (ImGui::IsMouseClicked(0)) {
        s_.alpha = m.alphas[static_cast<size_t>(col)];
        (k_axis ? s_.k : s_.p) = std::max(k_axis ? 0.01 : 0.0, m.values[static_cast<size_t>(row)]);
      }
    }
    // A flat map says so: one colour would otherwise read as "no data".
    const bool flat = m.combined.maxCoeff() - m.combined.minCoeff() <= 1e-4 * std::abs(m.combined.maxCoeff());
    v.constant = flat;
    if (flat) {
      const std::string msg = "every cell " + percent(m.combined(0, 0));
      const ImVec2 ts = ImGui::CalcTextSize(msg.c_str());
      const ImVec2 at(0.5f * (c.frame.p0.x + c.frame.p1.x - ts.x), 0.5f * (c.frame.p0.y + c.frame.p1.y - ts.y));
      c.dl->AddRectFilled(ImVec2(at.x - em(0.4f), at.y - em(0.2f)), ImVec2(at.x + ts.x + em(0.4f), at.y + ts.y + em(0.2f)),
                          IM_COL32(0, 0, 0, 200), em(0.2f));
      c.dl->AddText(at, IM_COL32(255, 255, 255, 255), msg.c_str());
    }
    Widgets::EndCanvas2D(c);
    ImGui::SameLine(0, em(0.3f));
    Widgets::ColorBar(k_axis ? "##bar_k" : "##bar_p", ImVec2(bar_w - em(0.6f), h), v.vmin(), v.vmax(), false, "acc");
  }

  // ---- When does DARE work? ---------------------------------------------------------------------
  void draw_growth(const AppContext& ctx) {
    const auto& methods = toy::lab_methods();
    toy::LabSettings gs = s_;
    const std::string key = settings_json(gs).dump() + std::to_string(mask_draws_);
    // New curves are asked for when the drag ends: each request re-evaluates every d on the worker,
    // which would otherwise compete with the frame (and software GL) for the two cores.
    const double now = ImGui::GetTime();
    const bool dragging = ImGui::IsAnyItemActive();
    if (key != growth_key_ && !dragging) {
      growth_key_ = key;
      growth_requested_at_ = now;
      growth_.request({gs, methods, toy::default_growth_dims(), mask_draws_});
    }
    // Screenshots want the finished plot; only the first request is waited for, so a benchmark's
    // drags (also screenshot_mode) measure frames that never wait on the worker.
    if (ctx.screenshot_mode && !growth_waited_) {
      growth_.wait_idle();
      growth_waited_ = true;
    }
    bool busy = false;
    growth_curves_ = growth_.curves(&growth_done_, &growth_total_, &busy);

    ImGui::Text("When does DARE work?  Combined accuracy vs d");
    ImGuiCompat::HelpMarker(
        "The 4-D inputs are expanded by a fixed random projection phi(x) = R x (R: d x 4, orthonormal columns) and the "
        "specialists retrained with d parameters. The tasks and the linear methods do not change with d; only how "
        "the task vectors spread over coordinates does. DARE drops a fraction p of the coordinates: with 4 of them "
        "that destroys the task vectors, with thousands the rescaled survivors carry the same function (the noise on "
        "a logit shrinks like 1/d). Random methods (DARE, DARE-TIES): mean over the mask draws (3 by default).");
    if (busy) {
      ImGui::SameLine();
      ImGui::ProgressBar(growth_total_ > 0 ? static_cast<float>(growth_done_) / growth_total_ : 0.0f, ImVec2(em(8.0f), 0),
                         (std::to_string(growth_done_) + "/" + std::to_string(growth_total_) + " d").c_str());
    }
    // Held back ("which method wins?"): at d = 4 the curves are the leaderboard, so they wait for the reveal.
    growth_shown_ = !ctx.holds_back("winner");
    const int n = growth_shown_ ? growth_curves_.computed : 0;
    std::vector<double> xs;
    for (int c = 0; c < n; ++c) xs.push_back(std::log2(static_cast<double>(growth_curves_.dims[static_cast<size_t>(c)])));
    std::vector<std::vector<double>> ys(methods.size());
    std::vector<std::string> labels(methods.size());
    std::vector<Widgets::PlotSeries> series;
    for (size_t m = 0; m < methods.size() && n > 0; ++m) {
      for (int c = 0; c < n; ++c) ys[m].push_back(growth_curves_.combined(static_cast<Eigen::Index>(m), c));
      const merge::MethodSpec* spec = merge::find_method(methods[m]);
      labels[m] = spec ? spec->label : methods[m];
      Widgets::PlotSeries s;
      s.label = labels[m].c_str();
      s.x = xs.data();
      s.y = ys[m].data();
      s.n = n;
      const bool dare = methods[m].find("dare") != std::string::npos;
      s.color = lab_palette::method_color(m);
      s.thickness = dare || methods[m] == method_ ? 3.0f : 1.0f;
      s.dashed = !dare;
      series.push_back(s);
    }
    Widgets::LinePlotSpec spec;
    spec.x_title = "log2 d   (d = 4 ... 4096 parameters)";
    spec.y_title = "combined accuracy";
    spec.x0 = 2.0;
    spec.x1 = 12.0;
    // y fitted to the curves: the plot makes room above them for its legend.
    spec.legend_columns = 2;
    Widgets::LinePlot("##growth", ImVec2(ImGui::GetContentRegionAvail().x, std::max(em(8.0f), ImGui::GetContentRegionAvail().y - em(0.3f))), spec, series.data(),
                      static_cast<int>(series.size()));
    remember_rect("growth");
    if (!growth_shown_) {
      const char* msg = "Curves hidden: predict the winner, then press V";
      const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax(), ts = ImGui::CalcTextSize(msg);
      ImGui::GetWindowDrawList()->AddText(ImVec2(0.5f * (a.x + b.x - ts.x), 0.5f * (a.y + b.y - ts.y)),
                                          IM_COL32(240, 228, 66, 255), msg);
    }
  }
};

PanelRegistrar reg{50, [] { return std::make_unique<MergeLabPanel>(); }};

}  // namespace

}  // namespace mergelab::app
