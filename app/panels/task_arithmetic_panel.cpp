// Task Arithmetic: theta = theta_0 + sum_i lambda_i tau_i with one coefficient per specialist's task
// vector (negative = negation), every task's accuracy live, and the article's two presets.
#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "app/gui/panel.h"
#include "app/panels/merge_lab_panel.h"
#include "core/merge/task_arithmetic.h"
#include "core/toy/lab.h"
#include "widgets/bar_chart.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace {

using ImGuiCompat::em;

struct Preset {
  const char* name;
  const char* help;
  double lambda[3];
};

// The article's 02_task_arithmetic.py: addition W_0 + 0.7 (tau_0 + tau_1) -> 79.7 / 68.3 / 71.7 %;
// negation of task 1 by 0.5 from there: W_0 + 0.7 tau_0 + 0.2 tau_1 -> task 0 94.3 %, task 1 58.0 %.
constexpr Preset kPresets[] = {
    {"Addition 0+1 (alpha 0.7)", "The article: theta_0 + 0.7 (tau_0 + tau_1): 79.7%, 68.3%, 71.7%.", {0.7, 0.7, 0.0}},
    {"Negation of task 1 (0.5)",
     "The article: from the addition, subtract 0.5 tau_1: theta_0 + 0.7 tau_0 + 0.2 tau_1. Task 1 falls to 58.0%, "
     "task 0 rises to 94.3%: forgetting task 1 frees task 0.",
     {0.7, 0.2, 0.0}},
    {"All three (1, 1, 1)", "Plain sum of the three task vectors.", {1.0, 1.0, 1.0}},
    {"Pretrained (0, 0, 0)", "No task vector: the pretrained model.", {0.0, 0.0, 0.0}},
};

class TaskArithmeticPanel : public Panel {
 public:
  TaskArithmeticPanel() = default;
  const char* id() const override { return "task_arithmetic"; }
  const char* title() const override { return "Task Arithmetic"; }
  const char* help() const override {
    return "Task vectors tau_i = theta_i - theta_0 are the specialists' changes from the pretrained vector. Any "
           "combination theta_0 + sum_i lambda_i tau_i is a model: positive lambda adds a skill, negative lambda "
           "removes it (negation). The bars show each task's accuracy of that model next to the specialist of the "
           "task and the pretrained vector.";
  }
  int column() const override { return 1; }
  float weight() const override { return 1.2f; }

  nlohmann::json save() const override { return {{"lambda", lambda_}}; }
  void load(const nlohmann::json& j) override {
    // Settings of the wrong type (a hand-edited scene or session) leave the panel as it was.
    try {
      if (j.contains("lambda") && j["lambda"].is_array() && j["lambda"].size() == 3)
        for (size_t i = 0; i < 3; ++i) lambda_[i] = std::clamp(j["lambda"][i].get<double>(), -1.5, 1.5);
    } catch (const nlohmann::json::exception&) {
    }
  }

  nlohmann::json state() const override {
    nlohmann::json rects = nlohmann::json::object();
    for (size_t i = 0; i < rects_.size(); ++i)
      rects[rect_names_[i]] = {rects_[i].x, rects_[i].y, rects_[i].z, rects_[i].w};
    return {{"lambda", lambda_}, {"accuracy", accuracy_}, {"rects", rects}};
  }

  void draw(AppContext& ctx) override {
    const toy::LabToy& toy = article_lab_toy();
    rects_.clear();
    rect_names_.clear();
    // theta = theta_0 + sum_i lambda_i tau_i, through the core's task_arithmetic.
    const merge::VecViews<double> tvs(toy.task_vectors.begin(), toy.task_vectors.end());
    const Eigen::VectorXd w = merge::task_arithmetic<double>(toy.pretrained, tvs, {lambda_[0], lambda_[1], lambda_[2]});
    accuracy_ = toy::lab_scores(toy, w);

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float w_controls = std::max(em(19.0f), std::floor(avail.x * 0.3f));
    ImGui::BeginChild("##ta_controls", ImVec2(w_controls, avail.y), false);
    ImGuiCompat::SeparatorText("Coefficients");
    const float help_w = ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize("(?)").x;  // the "(?)" after each row
    ImGui::PushItemWidth(-help_w);
    const double lo = -1.5, hi = 1.5;
    for (int i = 0; i < 3; ++i) {
      char label[32], fmt[48];
      std::snprintf(label, sizeof label, "##lambda%d", i);
      std::snprintf(fmt, sizeof fmt, "lambda_%d = %%.2f", i);
      ImGui::PushStyleColor(ImGuiCol_SliderGrab, ImGui::ColorConvertU32ToFloat4(lab_palette::kTask[i]));
      ImGui::PushStyleColor(ImGuiCol_SliderGrabActive, ImGui::ColorConvertU32ToFloat4(lab_palette::kTask[i]));
      ImGui::SliderScalar(label, ImGuiDataType_Double, &lambda_[static_cast<size_t>(i)], &lo, &hi, fmt);
      ImGui::PopStyleColor(2);
      remember("lambda" + std::to_string(i));
      char tip[160];
      std::snprintf(tip, sizeof tip, "Coefficient of tau_%d = theta_%d - theta_0 (specialist %d's change). Negative "
                    "values subtract it (negation).", i, i, i);
      ImGuiCompat::HelpMarker(tip);
    }
    ImGui::PopItemWidth();
    ImGui::TextWrapped("theta = theta_0 %+.2f tau_0 %+.2f tau_1 %+.2f tau_2", lambda_[0], lambda_[1], lambda_[2]);

    ImGuiCompat::SeparatorText("Presets (the article)");
    for (size_t p = 0; p < sizeof kPresets / sizeof kPresets[0]; ++p) {
      if (ImGui::Button(kPresets[p].name, ImVec2(-help_w, 0)))
        std::copy(std::begin(kPresets[p].lambda), std::end(kPresets[p].lambda), lambda_.begin());
      remember("preset" + std::to_string(p));
      ImGuiCompat::HelpMarker(kPresets[p].help);
    }
    // The bars beside say the same with their value labels: a short panel leaves these lines out.
    if (ImGui::GetContentRegionAvail().y >= 4.0f * ImGui::GetTextLineHeightWithSpacing()) {
      ImGuiCompat::SeparatorText("Accuracy");
      for (int t = 0; t < 3; ++t)
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(lab_palette::kTask[t]), "Task %d: %s  (specialist %s)", t,
                           percent(accuracy_[static_cast<size_t>(t)]).c_str(),
                           percent(toy::accuracy(toy.tasks[static_cast<size_t>(t)], toy.finetuned[static_cast<size_t>(t)])).c_str());
    }
    ImGui::EndChild();

    ImGui::SameLine();
    ImGui::BeginChild("##ta_bars", ImVec2(0, avail.y), false);
    static const char* groups[3] = {"Task 0", "Task 1", "Task 2"};
    double pre[3], spec[3], merged[3];
    const auto pre_acc = toy::lab_scores(toy, toy.pretrained);
    for (size_t t = 0; t < 3; ++t) {
      pre[t] = pre_acc[t];
      spec[t] = toy::accuracy(toy.tasks[t], toy.finetuned[t]);
      merged[t] = accuracy_[t];
    }
    Widgets::BarSeries series[3] = {{"pretrained", pre, lab_palette::kPretrained},
                                    {"specialist of the task", spec, IM_COL32(120, 160, 200, 255)},
                                    {"theta_0 + sum lambda_i tau_i", merged, lab_palette::kMerged, true}};
    Widgets::BarChartSpec bs;
    bs.group_labels = groups;
    bs.group_count = 3;
    bs.y_title = "accuracy %";
    const double chance = 0.5;
    const char* chance_label = "chance";
    bs.reference_lines = &chance;
    bs.reference_labels = &chance_label;
    bs.reference_count = 1;
    bs.tooltip = !ctx.screenshot_mode;
    Widgets::BarChart("##ta_chart", ImGui::GetContentRegionAvail(), bs, series, 3);
    remember("bars");
    ImGui::EndChild();
  }

 private:
  std::array<double, 3> lambda_{0.7, 0.7, 0.0};  ///< the article's addition preset
  std::vector<double> accuracy_{0, 0, 0};
  std::vector<ImVec4> rects_;  ///< (x0, y0, x1, y1) of the controls tests click, by rect_names_
  std::vector<std::string> rect_names_;

  void remember(const std::string& name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects_.push_back(ImVec4(a.x, a.y, b.x, b.y));
    rect_names_.push_back(name);
  }
};

PanelRegistrar reg{60, [] { return std::make_unique<TaskArithmeticPanel>(); }};

}  // namespace

}  // namespace mergelab::app
