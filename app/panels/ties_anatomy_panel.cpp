// TIES Anatomy: the task vectors as a sign/magnitude matrix and TIES-Merging's three steps revealed
// one at a time (Trim -> Elect -> Merge), with the article's counts. All numbers come from
// toy::ties_anatomy, which is built from the core's own trim / elect / disjoint-merge steps.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/gui/panel.h"
#include "app/panels/merge_lab_panel.h"
#include "core/toy/article.h"
#include "core/toy/features.h"
#include "core/toy/ties_anatomy.h"
#include "widgets/imgui_compat.h"
#include "widgets/sign_matrix.h"

namespace mergelab::app {

namespace {

using ImGuiCompat::em;

enum class Source { ArticleDemo, LabToy, LabGrown };
constexpr int kMaxColumns = 300;  ///< columns drawn at most (the first ones)
constexpr int kGrownD = 64;       ///< parameters of the grown Merge Lab preset
constexpr int kZoomColumns = 40;  ///< columns of the zoomed view

class TiesAnatomyPanel : public Panel {
 public:
  TiesAnatomyPanel() = default;
  const char* id() const override { return "ties_anatomy"; }
  const char* title() const override { return "TIES Anatomy"; }
  const char* help() const override {
    return "Rows: task vectors (red +, blue -, stronger = larger |tau|). Trim keeps the top k of each row by "
           "magnitude (greyed = trimmed). Elect gives each parameter the sign with the most votes (greyed = kept "
           "but outvoted). Merge averages the entries that agree with the elected sign. The counts are the "
           "article's: parameters whose signs conflict, sign agreement with the dominant sign, sparsity.";
  }
  int column() const override { return 1; }
  float weight() const override { return 1.2f; }

  nlohmann::json save() const override {
    return {{"source", static_cast<int>(source_)}, {"k", opt_.k}, {"sign_rule", opt_.sign == merge::SignRule::Sum ? 1 : 0},
            {"step", step_}};
  }
  void load(const nlohmann::json& j) override {
    // Settings of the wrong type (a hand-edited scene or session) leave the panel as it was.
    try {
      source_ = static_cast<Source>(std::clamp(j.value("source", 0), 0, 2));
      opt_.k = std::clamp(j.value("k", opt_.k), 0.01, 1.0);
      opt_.sign = j.value("sign_rule", 0) == 1 ? merge::SignRule::Sum : merge::SignRule::Count;
      step_ = std::clamp(j.value("step", step_), 0, 3);
      key_.clear();
    } catch (const nlohmann::json::exception&) {
    }
  }

  nlohmann::json state() const override {
    nlohmann::json rects = nlohmann::json::object();
    for (size_t i = 0; i < rect_names_.size(); ++i) rects[rect_names_[i]] = {rects_[i].x, rects_[i].y, rects_[i].z, rects_[i].w};
    return {{"source", static_cast<int>(source_)},
            {"step", step_},
            {"k", opt_.k},
            {"n_params", a_.task_vectors.cols()},
            {"conflicts", a_.conflicts},
            {"conflicts_shown", conflicts_shown_},
            {"kept", a_.kept},
            {"outvoted", a_.outvoted},
            {"tied_votes", a_.tied_votes},
            {"average_agreement", a_.average_agreement},
            {"ties_agreement", a_.ties_agreement},
            {"sparsity", a_.sparsity},
            {"rects", rects}};
  }

  void draw(AppContext& ctx) override {
    rects_.clear();
    rect_names_.clear();
    recompute();
    const ImVec2 avail = ImGui::GetContentRegionAvail();

    // Row 1: source, k, sign rule.
    const char* sources[3] = {"Article demo: 3 random vectors, 200 params", "Merge Lab task vectors (4 params)",
                              "Merge Lab grown to d = 64"};
    int src = static_cast<int>(source_);
    ImGui::SetNextItemWidth(std::min(em(21.0f), avail.x * 0.36f));
    if (ImGui::Combo("##source", &src, sources, 3)) source_ = static_cast<Source>(src);
    remember("source");
    ImGuiCompat::HelpMarker("Article demo: np.random.seed(42), three randn(200) * 0.3 vectors (03_ties.py). Merge Lab: "
                            "the three specialists' task vectors of the Merge Lab (seed 7), or the same toys grown to "
                            "64 parameters by the random-feature expansion of 'When does DARE work?'.");
    ImGui::SameLine(0, em(1.0f));
    ImGui::SetNextItemWidth(std::min(em(13.0f), avail.x * 0.22f));
    const double k_lo = 0.01, k_hi = 1.0;
    char kfmt[48];
    std::snprintf(kfmt, sizeof kfmt, "k = %%.2f (trim %.2f)", 1.0 - opt_.k);
    ImGui::SliderScalar("##ties_k", ImGuiDataType_Double, &opt_.k, &k_lo, &k_hi, kfmt);
    remember("k");
    ImGuiCompat::HelpMarker("k = kept fraction: entries with |tau| < quantile(|tau|, 1 - k) are zeroed. The article's "
                            "trim_pct 0.8 is k 0.2.");
    ImGui::SameLine(0, em(1.0f));
    int rule = opt_.sign == merge::SignRule::Sum ? 1 : 0;
    const char* rules[2] = {"vote: count (article)", "vote: sum (mergekit)"};
    ImGui::SetNextItemWidth(std::min(em(12.0f), avail.x * 0.2f));
    if (ImGui::Combo("##ties_rule", &rule, rules, 2)) opt_.sign = rule == 1 ? merge::SignRule::Sum : merge::SignRule::Count;
    ImGuiCompat::HelpMarker("count: gamma_j = sign(sum_i sign(tau_ij')); sum: gamma_j = sign(sum_i tau_ij'). A tied vote "
                            "elects 0 and the parameter stays 0 (the article).");

    // Row 2: the step buttons.
    const char* steps[3] = {"1  Trim", "2  Elect sign", "3  Disjoint merge"};
    for (int s = 1; s <= 3; ++s) {
      if (s > 1) {
        ImGui::SameLine();
        ImGui::TextUnformatted("->");
        ImGui::SameLine();
      }
      const bool done = step_ >= s;
      if (done) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
      if (ImGui::Button(steps[s - 1], ImVec2(em(9.0f), 0))) step_ = s;
      if (done) ImGui::PopStyleColor();
      remember("step" + std::to_string(s));
    }
    ImGui::SameLine(0, em(1.0f));
    if (ImGui::Button("Reset")) step_ = 0;
    remember("reset");
    // What the step did, beside the buttons when it fits, else wrapped on its own line.
    const char* what = step_text();
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (right - ImGui::GetItemRectMax().x - em(1.0f) >= ImGui::CalcTextSize(what).x)
      ImGui::SameLine(0, em(1.0f));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("%s", what);
    ImGui::PopTextWrapPos();

    // Counts.
    const long n = static_cast<long>(a_.task_vectors.cols());
    conflicts_shown_ = !ctx.holds_back("sign_conflicts");
    if (conflicts_shown_)
      ImGui::Text("Sign conflicts: %ld/%ld (%.0f%%)", a_.conflicts, n, n ? 100.0 * a_.conflicts / n : 0.0);
    else
      ImGui::Text("Sign conflicts: ? of %ld (predict, then press V)", n);
    ImGuiCompat::HelpMarker("Parameters whose task vectors do not all share one sign (the article's count).");
    if (step_ >= 1) {
      ImGui::SameLine(0, em(1.5f));
      ImGui::Text("kept after trim: %ld of %ld", a_.kept, n * a_.task_vectors.rows());
    }
    if (step_ >= 2) {
      ImGui::SameLine(0, em(1.5f));
      ImGui::Text("outvoted: %ld   tied votes: %ld", a_.outvoted, a_.tied_votes);
    }
    if (step_ >= 3) {
      ImGui::TextWrapped("Sign agreement: simple average %.1f%%, TIES %.1f%%     TIES sparsity: %.0f%% of params zeroed",
                         100 * a_.average_agreement, 100 * a_.ties_agreement, 100 * a_.sparsity);
      ImGuiCompat::HelpMarker("Agreement: fraction of parameters where the merged sign equals the dominant sign "
                              "sign(sum_i sign(tau_i)) of the untrimmed task vectors; TIES uses sign(merged + 1e-10) "
                              "as the article. Sparsity: merged entries exactly 0.");
    } else {
      ImGui::TextDisabled("Sign agreement and sparsity appear after step 3.");
    }

    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("Red +, blue -, brighter = larger |tau| (scale: the largest |tau|). Grey: trimmed (step 1) or "
                        "outvoted by the elected sign (step 2).");
    ImGui::PopTextWrapPos();
    // The whole matrix (up to kMaxColumns), then a zoom on the first kZoomColumns when there are more.
    const int N = static_cast<int>(a_.task_vectors.rows());
    const float rows_shown = static_cast<float>(N + (step_ >= 2) + (step_ >= 3));
    const float full_h = ImGui::GetContentRegionAvail().y;
    // The zoom only where both matrices get their minimum height (a short panel shows the whole matrix alone;
    // Focus gives it the room for both).
    const bool zoom = n > kZoomColumns && full_h >= 2.0f * em(8.0f) + ImGui::GetFrameHeightWithSpacing() * 2.0f;
    const float h = std::min(zoom ? full_h * 0.45f : full_h, em(4.0f) * rows_shown + em(3.0f));
    draw_matrix("##ties_matrix", 0, static_cast<int>(std::min<long>(n, kMaxColumns)),
                ImVec2(avail.x, std::max(h, std::min(em(8.0f), std::max(full_h, em(4.0f))))), !ctx.screenshot_mode);
    remember("matrix");
    if (zoom) {
      ImGui::Spacing();
      ImGui::Text("Zoom: parameters 0 - %d", kZoomColumns - 1);
      const float zh = std::min(ImGui::GetContentRegionAvail().y, em(4.0f) * rows_shown + em(3.0f));
      draw_matrix("##ties_zoom", 0, kZoomColumns, ImVec2(avail.x, std::max(zh, em(8.0f))), !ctx.screenshot_mode);
      remember("zoom");
    }
  }

 private:
  bool conflicts_shown_ = true;
  Source source_ = Source::ArticleDemo;
  toy::TiesAnatomyOptions opt_;  ///< k 0.2, quantile trim, count vote, tie elects 0 (the article)
  int step_ = 3;                 ///< steps revealed: 0 none .. 3 merged
  std::string key_;
  toy::TiesAnatomy a_;
  std::vector<ImVec4> rects_;
  std::vector<std::string> rect_names_;

  /// Rows: task vectors, then (after elect) the elected sign, then (after merge) the merged row;
  /// columns c0 .. c1-1.
  void draw_matrix(const char* id, int c0, int c1, ImVec2 size, bool tooltip) const {
    const int N = static_cast<int>(a_.task_vectors.rows());
    std::vector<std::string> labels;
    std::vector<double> values;
    std::vector<unsigned char> grey;
    for (int i = 0; i < N; ++i) {
      labels.push_back("task " + std::to_string(i));
      for (int j = c0; j < c1; ++j) {
        values.push_back(a_.task_vectors(i, j));
        const bool trimmed = a_.trimmed(i, j) == 0.0 && a_.task_vectors(i, j) != 0.0;
        const bool outvoted = !trimmed && a_.contributes(i, j) == 0;
        grey.push_back(static_cast<unsigned char>((step_ >= 1 && trimmed) || (step_ >= 2 && outvoted)));
      }
    }
    const double vmax = a_.task_vectors.cwiseAbs().maxCoeff();
    int rows = N;
    if (step_ >= 2) {
      labels.push_back("elected sign");
      for (int j = c0; j < c1; ++j) values.push_back(a_.elected[j] * vmax), grey.push_back(0);
      ++rows;
    }
    if (step_ >= 3) {
      labels.push_back("merged");
      for (int j = c0; j < c1; ++j) values.push_back(a_.merged[j]), grey.push_back(0);
      ++rows;
    }
    std::vector<const char*> label_ptrs;
    for (const auto& l : labels) label_ptrs.push_back(l.c_str());
    const int gaps[1] = {N};
    Widgets::SignMatrixSpec ms;
    ms.values = values.data();
    ms.rows = rows;
    ms.cols = c1 - c0;
    ms.row_labels = label_ptrs.data();
    ms.greyed = grey.data();
    ms.vmax = vmax;
    ms.highlight_row = step_ >= 2 ? rows - 1 : -1;
    ms.gap_before_rows = gaps;
    ms.gap_count = rows > N ? 1 : 0;
    char title[96];
    const long n = static_cast<long>(a_.task_vectors.cols());
    if (c1 - c0 < n)
      std::snprintf(title, sizeof title, "parameter (%d - %d of %ld)", c0, c1 - 1, n);
    else
      std::snprintf(title, sizeof title, "parameter");
    ms.x_title = title;
    ms.tooltip = tooltip;
    Widgets::SignMatrix(id, size, ms);
  }

  const char* step_text() const {
    switch (step_) {
      case 0: return "the raw task vectors";
      case 1: return "trimmed: |tau| below each row's threshold greyed";
      case 2: return "elected: kept entries against the vote greyed";
      default: return "merged: mean of the agreeing entries";
    }
  }

  void remember(const std::string& name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects_.push_back(ImVec4(a.x, a.y, b.x, b.y));
    rect_names_.push_back(name);
  }

  void recompute() {
    char key[96];
    std::snprintf(key, sizeof key, "%d %.17g %d", static_cast<int>(source_), opt_.k, static_cast<int>(opt_.sign));
    if (key_ == key) return;
    key_ = key;
    std::vector<Eigen::VectorXd> tvs;
    switch (source_) {
      case Source::ArticleDemo: tvs = toy::make_ties_demo_vectors(toy::TiesDemoSetup{}); break;
      case Source::LabToy: tvs = article_lab_toy().task_vectors; break;
      case Source::LabGrown: {
        toy::FeatureSetup fs;
        fs.d = kGrownD;
        tvs = toy::expand_lab_toy(article_lab_toy(), toy::LabSetup{}, fs).task_vectors;
        break;
      }
    }
    a_ = toy::ties_anatomy(tvs, opt_);
  }
};

PanelRegistrar reg{70, [] { return std::make_unique<TiesAnatomyPanel>(); }};

}  // namespace

}  // namespace mergelab::app
