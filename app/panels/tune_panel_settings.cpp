// Tune panel, settings (see tune_panel.h): the left column's controls (models and data, recipe and objective,
// sweep and CMA-ES settings, the current recipe and its export) and the settings saved with a session.
//
// [SECTION] Saved settings
// [SECTION] Controls
#include "app/panels/tune_panel.h"
#include "app/panels/tune_panel_internal.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/gui/workspace.h"
#include "app/panels/dialog_keys.h"
#include "app/panels/param_controls.h"
#include "core/merge/registry.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

using ImGuiCompat::em;
using tune_detail::kBad;
using tune_detail::kBest;
using tune_detail::kCurrent;
using tune_detail::kMaxSteps;
using tune_detail::point_text;
using tune_detail::to_vec4;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Saved settings
// ---------------------------------------------------------------------------------------------------

nlohmann::json TunePanel::save() const {
  nlohmann::json axes = nlohmann::json::array();
  for (int a = 0; a < 2; ++a)
    axes.push_back({{"name", axis_name_[a]}, {"start", axis_start_[a]}, {"stop", axis_stop_[a]}, {"steps", axis_steps_[a]}});
  return {{"base", base_},
          {"models", models_},
          {"data", data_},
          {"tune_split", tune_split_},
          {"test_split", test_split_},
          {"external", external_},
          {"command", command_},
          {"timeout", timeout_},
          {"method", method_},
          {"params", global_},
          {"model_params", per_model_},
          {"objective", objective_ == 0 ? "mean" : (objective_ == 1 ? "min" : "weighted")},
          {"objective_keys", objective_keys_},
          {"global_scope", global_scope_},
          {"use_base", use_base_},
          {"seed", seed_},
          {"threads", threads_},
          {"sweep_axes", n_axes_},
          {"axes", axes},
          {"cmaes_params", cma_params_},
          {"population", population_},
          {"sigma", sigma_},
          {"budget", budget_},
          {"cmaes_seed", cma_seed_},
          {"yaml_path", yaml_path_},
          {"evolve_tasks", evolve_tasks_},
          {"evolve_dir", evolve_dir_}};
}

void TunePanel::load(const nlohmann::json& j) {
  if (!j.is_object()) return;
  try {
    if (j.contains("base")) base_ = j["base"].get<std::string>();
    if (j.contains("models")) models_ = j["models"].get<std::vector<std::string>>();
    if (j.contains("data")) data_ = j["data"].get<std::string>();
    if (j.contains("tune_split")) tune_split_ = j["tune_split"].get<std::string>();
    if (j.contains("test_split")) test_split_ = j["test_split"].get<std::string>();
    if (j.contains("external")) external_ = j["external"].get<bool>();
    if (j.contains("command")) command_ = j["command"].get<std::string>();
    if (j.contains("timeout")) timeout_ = std::clamp(j["timeout"].get<double>(), 0.1, 86400.0);
    if (models_.empty()) models_.assign(1, "");
    if (j.contains("method") && merge::find_method(j["method"].get<std::string>())) {
      method_ = j["method"].get<std::string>();
      reset_params();
    }
    if (j.contains("params"))
      for (const auto& [k, v] : j["params"].get<std::map<std::string, double>>())
        if (global_.count(k)) global_[k] = v;
    if (j.contains("model_params")) {
      const auto pm = j["model_params"].get<std::vector<std::map<std::string, double>>>();
      for (size_t i = 0; i < pm.size() && i < per_model_.size(); ++i)
        for (const auto& [k, v] : pm[i])
          if (per_model_[i].count(k)) per_model_[i][k] = v;
    }
    if (j.contains("objective")) {
      const std::string o = j["objective"].get<std::string>();
      objective_ = o == "min" ? 1 : (o == "weighted" ? 2 : 0);
    }
    if (j.contains("objective_keys")) objective_keys_ = j["objective_keys"].get<std::string>();
    if (j.contains("global_scope")) global_scope_ = j["global_scope"].get<bool>();
    if (j.contains("use_base")) use_base_ = j["use_base"].get<bool>();
    if (j.contains("seed")) seed_ = std::max(0, j["seed"].get<int>());
    if (j.contains("threads")) threads_ = std::clamp(j["threads"].get<int>(), 1, 64);
    if (j.contains("sweep_axes")) n_axes_ = std::clamp(j["sweep_axes"].get<int>(), 1, 2);
    if (j.contains("axes"))
      for (size_t a = 0; a < 2 && a < j["axes"].size(); ++a) {
        const auto& ax = j["axes"][a];
        if (ax.contains("name")) axis_name_[a] = ax["name"].get<std::string>();
        if (ax.contains("start")) axis_start_[a] = ax["start"].get<double>();
        if (ax.contains("stop")) axis_stop_[a] = ax["stop"].get<double>();
        if (ax.contains("steps")) axis_steps_[a] = std::clamp(ax["steps"].get<int>(), 1, kMaxSteps);
      }
    if (j.contains("cmaes_params")) cma_params_ = j["cmaes_params"].get<std::vector<std::string>>();
    if (j.contains("population")) population_ = std::clamp(j["population"].get<int>(), 0, 1000);
    if (j.contains("sigma")) sigma_ = std::clamp(j["sigma"].get<double>(), 1e-3, 1.0);
    if (j.contains("budget")) budget_ = std::clamp(j["budget"].get<int>(), 4, 1000000);
    if (j.contains("cmaes_seed")) cma_seed_ = std::max(0, j["cmaes_seed"].get<int>());
    if (j.contains("yaml_path")) yaml_path_ = j["yaml_path"].get<std::string>();
    if (j.contains("evolve_tasks")) evolve_tasks_ = j["evolve_tasks"].get<std::string>();
    if (j.contains("evolve_dir")) evolve_dir_ = j["evolve_dir"].get<std::string>();
  } catch (const nlohmann::json::exception&) {
    // A session written by another version: keep what was read.
  }
  if (models_.empty()) models_.assign(1, "");
  if (per_model_.size() != models_.size()) reset_params();
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Controls
// ---------------------------------------------------------------------------------------------------

void TunePanel::draw_inputs() {
  ImGuiCompat::SeparatorText("Models and data");
  const float label_w = em(5.0f);
  auto path_row = [&](const char* label, std::string& s, const char* hint, const char* rect) {
    ImGui::PushID(rect);
    ImGui::TextUnformatted(label);
    ImGui::SameLine(label_w);
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputTextWithHint("##p", hint, &s);
    remember_rect(rect);
    ImGui::PopID();
  };
  path_row("base", base_, "e.g. tests/data/digits/models/base", "base");
  for (size_t i = 0; i < models_.size(); ++i) {
    const std::string label = "model " + std::to_string(i);
    path_row(label.c_str(), models_[i], "e.g. tests/data/digits/models/ft_task0", ("model" + std::to_string(i)).c_str());
  }
  if (ImGui::SmallButton("+ model")) models_.emplace_back(), reset_params();
  ImGui::SameLine();
  if (ImGui::SmallButton("- model") && models_.size() > 1) models_.pop_back(), reset_params();
  ImGui::SameLine();
  const Workspace::Selection* loaded = ws_ && ws_->loaded ? &*ws_->loaded : nullptr;
  ImGui::BeginDisabled(!loaded);
  if (ImGui::SmallButton("Use the Checkpoints selection") && loaded) {
    base_ = loaded->base;
    models_.clear();
    for (const auto& m : loaded->models)
      if (!m.empty()) models_.push_back(m);
    if (models_.empty()) models_.assign(1, "");
    reset_params();
  }
  ImGui::EndDisabled();
  remember_rect("use_checkpoints");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("Take the base and fine-tunes loaded in the Checkpoints panel (Load them there first)");

  if (ImGui::RadioButton("built-in evaluator", !external_)) external_ = false;
  remember_rect("builtin");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("feed-forward classifiers (config.json layers) scored on CSV data");
  ImGui::SameLine();
  if (ImGui::RadioButton("external command", external_)) external_ = true;
  remember_rect("external");
  if (!external_) {
    path_row("data", data_, "folder (task{i}_{split}.csv) or a_{split}.csv;b_{split}.csv", "data");
    ImGui::TextUnformatted("splits");
    ImGui::SameLine(label_w);
    ImGui::SetNextItemWidth(em(5.0f));
    ImGui::InputText("tune##split", &tune_split_);
    remember_rect("tune_split");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the split the searches optimise (e.g. val)");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em(5.0f));
    ImGui::InputText("test##split", &test_split_);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the split only reported, to see over-fitting of the recipe (e.g. test)");
  } else {
    path_row("command", command_, "python3 eval.py {model_dir}", "command");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("run on each merged checkpoint ({model_dir} = its folder, single-quoted); must print a JSON object "
                        "of numbers on its last stdout line");
    ImGui::TextUnformatted("timeout");
    ImGui::SameLine(label_w);
    ImGui::SetNextItemWidth(em(6.0f));
    ImGui::InputDouble("s##timeout", &timeout_, 0, 0, "%.0f");
    timeout_ = std::clamp(timeout_, 0.1, 86400.0);
  }
  const bool loading = load_job_.active();
  const bool stale = setup_ && setup_->key != inputs_key();
  ImGui::BeginDisabled(loading);
  if (ImGui::Button(loading ? "Loading..." : "Load", ImVec2(em(6.0f), 0))) start_load();
  ImGui::EndDisabled();
  remember_rect("load");
  ImGui::SameLine();
  if (!load_error_.empty())
    ImGui::TextColored(to_vec4(kBad), "%s", load_error_.c_str());
  else if (stale)
    ImGui::TextColored(to_vec4(kCurrent), "inputs changed: Load again");
  else if (setup_)
    ImGui::TextDisabled("%s", status_.c_str());
  else
    ImGui::TextDisabled("not loaded");
  if (!load_error_.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", load_error_.c_str());
}

void TunePanel::draw_method() {
  ImGuiCompat::SeparatorText("Recipe and objective");
  const merge::MethodSpec* spec = merge::find_method(method_);
  ImGui::TextUnformatted("method");
  ImGui::SameLine(em(5.0f));
  ImGui::SetNextItemWidth(-FLT_MIN);
  const bool running = sweep_job_.active() || cmaes_job_.active();
  ImGui::BeginDisabled(running);  // the results on screen belong to the method they were run with
  const bool open = ImGui::BeginCombo("##method", spec ? spec->label.c_str() : method_.c_str());
  ImGui::EndDisabled();
  if (open) {
    for (const auto& m : merge::method_registry()) {
      const int merged = static_cast<int>(models_.size()) + (m.base_joins_models && use_base_ ? 1 : 0);
      const bool fits = m.max_models < 0 || merged <= m.max_models;
      if (ImGui::Selectable(m.label.c_str(), m.name == method_, fits ? 0 : ImGuiSelectableFlags_Disabled)) {
        if (m.name != method_) {
          method_ = m.name;
          reset_params();
          best_ = TunePoint{};
          current_ = TunePoint{{}, {}, "settings", 0, true};
          sweep_objective_.clear(), sweep_axes_.clear(), sweep_space_.clear(), generations_.clear();
          sweep_state_ = cmaes_state_ = "idle";
          sweep_total_ = sweep_done_ = 0;
        }
      }
      remember_rect("method_" + m.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.summary.c_str());
    }
    ImGui::EndCombo();
  }
  remember_rect("method");
  if (!spec) return;
  ImGui::BeginDisabled(running);  // the results on screen belong to the base role they were run with
  base_switch(*spec, use_base_);
  ImGui::EndDisabled();
  if (spec->base_optional || spec->base_joins_models) remember_rect("use_base");
  // The settings every candidate starts from (a search overrides its own parameters).
  auto control = [](const merge::ParamSpec& p, double& v, const std::string& id) { param_control(p, v, id); };
  for (const auto& p : spec->params) {
    if (p.per_model) continue;
    ImGui::TextUnformatted(p.name.c_str());
    ImGui::SameLine(em(7.0f));
    ImGui::SetNextItemWidth(-FLT_MIN);
    control(p, global_[p.name], "g_" + p.name);
  }
  for (const auto& p : spec->params) {
    if (!p.per_model) continue;
    for (size_t i = 0; i < per_model_.size(); ++i) {
      if (i > 0) ImGui::SameLine();
      const float w = (ImGui::GetContentRegionAvail().x - (i == 0 ? em(7.0f) : 0.0f)) / static_cast<float>(per_model_.size() - i) -
                      ImGui::GetStyle().ItemSpacing.x;
      if (i == 0) {
        ImGui::TextUnformatted((p.name + "@i").c_str());
        ImGui::SameLine(em(7.0f));
      }
      ImGui::SetNextItemWidth(std::max(em(3.0f), w));
      control(p, per_model_[i][p.name], "m" + std::to_string(i) + "_" + p.name);
    }
  }
  ImGui::TextUnformatted("objective");
  ImGui::SameLine(em(7.0f));
  ImGui::SetNextItemWidth(em(9.0f));
  const char* objectives[] = {"mean of tasks", "worst task (min)", "weighted sum"};
  ImGui::Combo("##objective", &objective_, objectives, 3);
  remember_rect("objective");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("mean: (1/T) sum_t acc_t on the tuning split; min: min_t acc_t; weighted: sum_i w_i metric_i");
  ImGui::SameLine();
  ImGui::Checkbox("global", &global_scope_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("merge over the whole flattened model (the article's global rules) instead of tensor by tensor");
  if (objective_ == 2 || external_) {
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputTextWithHint("##keys", objective_ == 2 ? "task0.acc=0.5,task1.acc=0.25,task2.acc=0.25" : "accuracy,f1",
                             &objective_keys_);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(objective_ == 2 ? "KEY=WEIGHT,... over metrics such as task0.acc, combined.acc, all.acc"
                                        : "the external command's metric names to average (or take the min of)");
  }
}

void TunePanel::draw_run_cancel(const char* run_label, const char* what, bool running, int pending,
                                const std::function<void()>& cancel, void (TunePanel::*start)()) {
  ImGui::BeginDisabled(running || load_job_.active());
  if (ImGui::Button(run_label, ImVec2(em(6.5f), 0))) {
    if (!setup_ || setup_->key != inputs_key()) {
      start_load();  // the run starts when the inputs are loaded
      pending_run_ = pending;
    } else {
      (this->*start)();
    }
  }
  ImGui::EndDisabled();
  remember_rect(std::string("run_") + what);
  ImGui::SameLine();
  ImGui::BeginDisabled(!running);
  if (ImGui::Button((std::string("Cancel##") + what).c_str(), ImVec2(em(5.0f), 0))) cancel();
  ImGui::EndDisabled();
  remember_rect(std::string("cancel_") + what);
  ImGui::SameLine();
}

void TunePanel::draw_sweep_controls() {
  ImGuiCompat::SeparatorText("Sweep (grid)");
  const auto cands = axis_candidates();
  ImGui::TextUnformatted("axes");
  ImGui::SameLine(em(5.0f));
  ImGui::RadioButton("1##axes", &n_axes_, 1);
  remember_rect("axes_1");
  ImGui::SameLine();
  ImGui::RadioButton("2##axes", &n_axes_, 2);
  remember_rect("axes_2");
  ImGui::SameLine();
  ImGui::TextUnformatted("   threads");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(4.0f));
  ImGui::InputInt("##threads", &threads_, 0);
  threads_ = std::clamp(threads_, 1, 64);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("worker threads of the sweep and of CMA-ES; leave a core to the window when it renders in software");
  for (int a = 0; a < n_axes_; ++a) {
    ImGui::PushID(a);
    ImGui::SetNextItemWidth(em(7.0f));
    if (ImGui::BeginCombo("##axis", axis_name_[a].c_str())) {
      for (const auto& c : cands)
        if (ImGui::Selectable(c.c_str(), c == axis_name_[a])) axis_name_[a] = c;
      ImGui::EndCombo();
    }
    remember_rect("axis" + std::to_string(a));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("NAME sets it for every model, NAME@i for model i only");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em(4.0f));
    ImGui::InputDouble("##start", &axis_start_[a], 0, 0, "%.3g");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("start");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em(4.0f));
    ImGui::InputDouble("##stop", &axis_stop_[a], 0, 0, "%.3g");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("stop (included)");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em(5.5f));
    // Always clamped: a typed value (Ctrl+click) outside 1..41 is refused here, not when the sweep starts.
    ImGui::SliderInt("##steps", &axis_steps_[a], 1, kMaxSteps, "%d steps", ImGuiSliderFlags_AlwaysClamp);
    axis_steps_[a] = std::clamp(axis_steps_[a], 1, kMaxSteps);
    remember_rect("steps" + std::to_string(a));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("values: start + i (stop - start) / (steps - 1), i = 0 .. steps - 1");
    ImGui::PopID();
  }
  const bool running = sweep_job_.active();
  draw_run_cancel("Run sweep", "sweep", running, 1, [this] { sweep_job_.cancel(); }, &TunePanel::start_sweep);
  char overlay[128];
  if (running)
    std::snprintf(overlay, sizeof overlay, "%zu/%zu, ETA %.1f s", sweep_done_, sweep_total_, sweep_eta_);
  else if (sweep_total_ > 0)
    std::snprintf(overlay, sizeof overlay, "%s %zu/%zu", sweep_state_.c_str(), sweep_done_, sweep_total_);
  else
    std::snprintf(overlay, sizeof overlay, "%s", sweep_state_.c_str());
  ImGui::ProgressBar(sweep_total_ ? static_cast<float>(sweep_done_) / static_cast<float>(sweep_total_) : 0.0f,
                     ImVec2(-FLT_MIN, 0), overlay);
  remember_rect("sweep_progress");
  if (sweep_state_ == "failed" || (!sweep_message_.empty() && sweep_message_.find("failed") != std::string::npos))
    ImGui::TextColored(to_vec4(kBad), "%s", sweep_message_.c_str());
}

void TunePanel::draw_cmaes_controls() {
  ImGuiCompat::SeparatorText("CMA-ES search");
  const auto cands = axis_candidates();
  ImGui::TextUnformatted("search");
  ImGui::SameLine(em(5.0f));
  std::string shown;
  for (const auto& c : cma_params_) shown += (shown.empty() ? "" : ", ") + c;
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::BeginCombo("##cma_params", shown.empty() ? "(nothing)" : shown.c_str())) {
    for (const auto& c : cands) {
      bool on = std::find(cma_params_.begin(), cma_params_.end(), c) != cma_params_.end();
      if (ImGui::Checkbox(c.c_str(), &on)) {
        if (on)
          cma_params_.push_back(c);
        else
          cma_params_.erase(std::remove(cma_params_.begin(), cma_params_.end(), c), cma_params_.end());
      }
    }
    ImGui::EndCombo();
  }
  remember_rect("cma_params");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the parameters CMA-ES searches, each over its range clipped to [0, 2] (weights, densities, ...)");
  // Four fields and their labels share the row: narrower fields where the column is narrow, never past its edge.
  const float labels = ImGui::CalcTextSize("sigma").x + ImGui::CalcTextSize("budget").x + ImGui::CalcTextSize("seed").x +
                       6.0f * ImGui::GetStyle().ItemSpacing.x;
  const float w = std::clamp((ImGui::GetContentRegionAvail().x - em(5.0f) - labels) / 4.0f, em(2.5f), em(4.0f));
  ImGui::TextUnformatted("pop");
  ImGui::SameLine(em(5.0f));
  ImGui::SetNextItemWidth(w);
  ImGui::InputInt("##pop", &population_, 0);
  population_ = std::clamp(population_, 0, 1000);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("population lambda; 0 = 4 + floor(3 ln n)");
  ImGui::SameLine();
  ImGui::TextUnformatted("sigma");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  ImGui::InputDouble("##sigma", &sigma_, 0, 0, "%.2f");
  sigma_ = std::clamp(sigma_, 1e-3, 1.0);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("initial step size, as a fraction of each parameter's range");
  ImGui::SameLine();
  ImGui::TextUnformatted("budget");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  ImGui::InputInt("##budget", &budget_, 0);
  budget_ = std::clamp(budget_, 4, 1000000);
  remember_rect("budget");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("maximum number of merges + evaluations");
  ImGui::SameLine();
  ImGui::TextUnformatted("seed");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  ImGui::InputInt("##cseed", &cma_seed_, 0);
  cma_seed_ = std::max(0, cma_seed_);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("seed of the Gaussian samples (same seed, same run)");
  const bool running = cmaes_job_.active();
  draw_run_cancel("Run CMA-ES", "cmaes", running, 2, [this] { cmaes_job_.cancel(); }, &TunePanel::start_cmaes);
  char overlay[128];
  std::snprintf(overlay, sizeof overlay, "%s: %lld/%d evals, %zu gens", cmaes_state_.c_str(),
                static_cast<long long>(cmaes_evaluations_), budget_, generations_.size());
  ImGui::ProgressBar(static_cast<float>(std::min<double>(1.0, static_cast<double>(cmaes_evaluations_) / budget_)),
                     ImVec2(-FLT_MIN, 0), overlay);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("evaluations used of the budget, generations run");
  remember_rect("cmaes_progress");
  if (cmaes_state_ == "failed") ImGui::TextColored(to_vec4(kBad), "%s", cmaes_message_.c_str());

  // The same search for mergekit-evolve (Ray workers, lm-eval-harness tasks), when it outgrows this machine.
  ImGui::TextUnformatted("tasks");
  ImGui::SameLine(em(5.0f));
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::InputTextWithHint("##evolve_tasks", "mergekit-evolve tasks: task_a=2,task_b", &evolve_tasks_);
  remember_rect("evolve_tasks");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the tasks mergekit-evolve scores each candidate on, NAME[=WEIGHT],... (metric acc,none)");
  ImGui::TextUnformatted("folder");
  ImGui::SameLine(em(5.0f));
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - em(9.5f));
  ImGui::InputTextWithHint("##evolve_dir", "evolve_out", &evolve_dir_);
  remember_rect("evolve_dir");
  ImGui::SameLine();
  ImGui::BeginDisabled(evolve_job_.active());
  if (ImGui::Button("mergekit-evolve", ImVec2(-FLT_MIN, 0))) start_evolve_export();
  ImGui::EndDisabled();
  remember_rect("export_evolve");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("write this search (method, models, searched parameters, budget, population, sigma, seed) as a "
                      "mergekit-evolve genome config and run script into the folder; what does not carry over is "
                      "listed at the top of genome.yml");
  if (!evolve_message_.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(to_vec4(evolve_state_ == "done" ? kBest : kBad), "%s", evolve_message_.c_str());
    ImGui::PopTextWrapPos();
  }
}

void TunePanel::draw_recipe() {
  ImGuiCompat::SeparatorText("Current recipe");
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextColored(to_vec4(kCurrent), "current: %s", point_text(current_).c_str());
  ImGui::TextDisabled("from %s", current_.source.c_str());
  if (best_.valid) ImGui::TextColored(to_vec4(kBest), "best (%s): %s", best_.source.c_str(), point_text(best_).c_str());
  ImGui::PopTextWrapPos();
  if (ImGui::Button("Load into Checkpoints panel")) load_into_checkpoints();
  remember_rect("load_into_checkpoints");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("set the Checkpoints panel's method and parameters to the current recipe");
  if (!load_ckpt_message_.empty()) ImGui::TextDisabled("%s", load_ckpt_message_.c_str());
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - em(7.5f));
  ImGui::InputTextWithHint("##yaml", "tuned.yml", &yaml_path_);
  remember_rect("yaml_path");
  ImGui::SameLine();
  ImGui::BeginDisabled(export_job_.active());
  if (ImGui::Button("Export YAML...", ImVec2(-FLT_MIN, 0))) start_export(false);
  ImGui::EndDisabled();
  remember_rect("export");
  if (!export_message_.empty())
    ImGui::TextColored(to_vec4(export_state_ == "done" ? kBest : kBad), "%s", export_message_.c_str());
}

void TunePanel::draw_confirm() {
  if (open_confirm_) {
    ImGui::OpenPopup("Replace the file?##tune_confirm");
    open_confirm_ = false;
  }
  confirm_overwrite_ = false;
  ImGui::SetNextWindowSize(ImVec2(em(30.0f), 0), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal("Replace the file?##tune_confirm", nullptr, ImGuiWindowFlags_NoSavedSettings)) return;
  confirm_overwrite_ = true;
  ImGui::PushTextWrapPos(em(29.0f));
  ImGui::Text("%s already exists. Replace it with the current recipe?", yaml_path_.c_str());
  ImGui::PopTextWrapPos();
  ImGui::TextDisabled("Enter replaces it, Esc keeps it.");
  if (ImGui::Button("Replace", ImVec2(em(6.0f), 0)) || dialog_keys::enter()) {
    ImGui::CloseCurrentPopup();
    start_export(true);
  }
  remember_rect("confirm_replace");
  ImGui::SameLine();
  if (ImGui::Button("Keep it", ImVec2(em(6.0f), 0)) || dialog_keys::escape()) {
    ImGui::CloseCurrentPopup();
    export_state_ = "idle", export_message_ = "not written: the file exists";
  }
  remember_rect("confirm_keep");
  ImGui::EndPopup();
}

}  // namespace mergelab::app
