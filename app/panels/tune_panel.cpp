// Tune panel: see tune_panel.h. The panel's core; its jobs, controls and plots are in tune_panel_*.cpp.
//
// [SECTION] Panel: settings -> recipes, the hand-over to the Checkpoints panel, state dump
// [SECTION] Panel: the frame
#include "app/panels/tune_panel.h"
#include "app/panels/tune_panel_internal.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "app/gui/workspace.h"
#include "app/panels/text.h"
#include "core/merge/registry.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace fs = std::filesystem;
using ImGuiCompat::em;
using text::fmt;
using tune_detail::point_text;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Panel: settings -> recipes, the hand-over to the Checkpoints panel, state dump
// ---------------------------------------------------------------------------------------------------

TunePanel::TunePanel() {
  const auto defaults = default_checkpoint_paths();
  if (!defaults.empty()) {
    base_ = defaults[0];
    models_.assign(defaults.begin() + 1, defaults.end());
    data_ = (fs::path(defaults[0]).parent_path().parent_path() / "data").lexically_normal().string();
  } else {
    models_.assign(1, "");
  }
  reset_params();
  current_.valid = true;
  current_.source = "settings";
}

// The jobs' destructors cancel them (the searches stop at their next point, an external evaluator is killed)
// and join.
TunePanel::~TunePanel() = default;

const char* TunePanel::help() const {
  return "Tune a merge recipe on real checkpoints. Give a base, its fine-tunes and evaluation data (a folder in the "
         "fixture layout, task{i}_{split}.csv, or CSV files a_{split}.csv;b_{split}.csv), or an external command that "
         "scores a checkpoint folder. Every candidate is merged in memory and scored on the tuning split: objective = "
         "mean (or min, or a weighted sum) of the task accuracies. Sweep: a grid over one or two parameters (curve or "
         "heat map; click a point to make it the current recipe). CMA-ES: an evolution strategy over the chosen "
         "parameters; click a generation to take its best candidate. The bars compare the current recipe, the best, "
         "the base and each fine-tune on the tuning and the test split: a recipe that only wins on the tuning split "
         "has over-fitted it.";
}

void TunePanel::reset_params() {
  merge::PresetValues values = merge::preset_values(method_, "mergekit", models_.size());
  global_ = std::move(values.global);
  per_model_ = std::move(values.per_model);
  const auto cands = axis_candidates();
  for (int a = 0; a < 2; ++a)
    if (!cands.empty() && std::find(cands.begin(), cands.end(), axis_name_[a]) == cands.end()) {
      axis_name_[a] = cands[std::min<size_t>(static_cast<size_t>(a), cands.size() - 1)];
      axis_start_[a] = 0.0, axis_stop_[a] = 1.0;
    }
  std::vector<std::string> kept;
  for (const auto& c : cma_params_)
    if (std::find(cands.begin(), cands.end(), c) != cands.end()) kept.push_back(c);
  cma_params_ = kept.empty() ? cmaes_defaults() : kept;
}

eval::BaseRole TunePanel::base_role() const {
  const merge::MethodSpec* spec = merge::find_method(method_);
  if (!spec || spec->needs_base) return eval::BaseRole::Origin;
  if (spec->base_optional) return use_base_ ? eval::BaseRole::Origin : eval::BaseRole::None;
  if (spec->base_joins_models) return use_base_ ? eval::BaseRole::JoinsModels : eval::BaseRole::None;
  return eval::BaseRole::Origin;  // the others never read a base (linear, slerp between two fine-tunes)
}

std::size_t TunePanel::merged_model_count() const {
  return models_.size() + (base_role() == eval::BaseRole::JoinsModels ? 1 : 0);
}

std::string TunePanel::inputs_key() const {
  std::string k = base_ + "\n" + std::to_string(static_cast<int>(base_role())) + "\n";
  for (const auto& m : models_) k += m + "\n";
  k += external_ ? "external\n" + command_ + "\n" + fmt("%g", timeout_) : "data\n" + data_ + "\n" + tune_split_ + "\n" + test_split_;
  return k;
}

std::vector<std::string> TunePanel::axis_candidates() const {
  std::vector<std::string> out;
  const merge::MethodSpec* spec = merge::find_method(method_);
  if (!spec) return out;
  for (const auto& p : spec->params)  // "density" alone sets every model's density
    if (p.kind == merge::ParamSpec::Kind::Real) out.push_back(p.name);
  for (const auto& p : spec->params) {
    if (p.kind != merge::ParamSpec::Kind::Real || !p.per_model) continue;
    for (size_t i = 0; i < models_.size(); ++i) out.push_back(p.name + "@" + std::to_string(i));
  }
  return out;
}

std::vector<std::string> TunePanel::cmaes_defaults() const {
  // As `mergelab evolve`: every model's weight and (when the method has one) density.
  std::vector<std::string> out;
  const merge::MethodSpec* spec = merge::find_method(method_);
  if (!spec) return out;
  const auto* weight = spec->param("weight");
  const auto* density = spec->param("density");
  for (size_t i = 0; i < models_.size(); ++i) {
    if (weight && weight->per_model) out.push_back("weight@" + std::to_string(i));
    if (density && density->per_model) out.push_back("density@" + std::to_string(i));
  }
  if (out.empty()) {
    const auto cands = axis_candidates();
    if (!cands.empty()) out.push_back(cands.front());
  }
  return out;
}

search::ObjectiveSpec TunePanel::objective_spec(const TuneSetup& s) const {
  std::string keys;
  if (s.external) {
    keys = objective_keys_;
  } else {
    for (const auto& t : s.task_names) keys += (keys.empty() ? "" : ",") + t + ".acc";
  }
  if (objective_ == 2) return search::parse_objective("weighted:" + objective_keys_);
  if (keys.empty()) throw std::invalid_argument("name the metrics to optimise (e.g. accuracy)");
  return search::parse_objective((objective_ == 1 ? "min:" : "mean:") + keys);
}

std::pair<std::map<std::string, double>, std::vector<std::map<std::string, double>>> TunePanel::settings_with(
    const TunePoint& p) const {
  auto global = global_;
  auto per_model = per_model_;
  per_model.resize(models_.size());
  for (size_t i = 0; i < p.space.size() && i < p.values.size(); ++i) {
    const auto& rp = p.space[i];
    if (rp.model < 0) {
      global[rp.name] = p.values[i];
      for (auto& m : per_model) m.erase(rp.name);  // a global value of a per-model parameter applies to every model
    } else if (static_cast<size_t>(rp.model) < per_model.size())
      per_model[static_cast<size_t>(rp.model)][rp.name] = p.values[i];
  }
  return {global, per_model};
}

recipe::Recipe TunePanel::recipe_for(const TunePoint& p) const {
  const merge::MethodSpec* spec = merge::find_method(method_);
  if (!spec) throw std::runtime_error("unknown method '" + method_ + "'");
  const auto [global, per_model] = settings_with(p);
  recipe::Recipe r;
  r.method = method_;
  r.dtype = "float32";
  auto absolute = [](const std::string& path) { return fs::absolute(path).lexically_normal().string(); };
  if (spec->needs_base || base_role() != eval::BaseRole::None) r.base_model = absolute(base_);
  if (!spec->needs_base && !spec->base_optional && !spec->base_joins_models) r.base_model.clear();
  for (size_t i = 0; i < models_.size(); ++i) {
    recipe::ModelEntry e;
    e.path = absolute(models_[i]);
    for (const auto& [name, v] : per_model[i]) e.params[name] = recipe::ParamSetting::scalar(v);
    r.models.push_back(std::move(e));
  }
  for (const auto& [name, v] : global) r.params[name] = recipe::ParamSetting::scalar(v);
  recipe::validate(r);
  return r;
}

merge::Params TunePanel::params_for(const TunePoint& p) const {
  // The command line's path (app/commands/tuning.cpp): the recipe's values at the first tensor.
  const recipe::Recipe r = recipe_for(p);
  const recipe::MergeLayout layout = recipe::merge_layout(r);
  const std::string first = setup_ && setup_->family ? setup_->family->layout().front().name : std::string();
  return recipe::resolve_params(r, layout, first, 0.0, static_cast<uint32_t>(seed_));
}

std::string TunePanel::objective_label() const {
  if (objective_ == 2) return "weighted objective";
  if (external_) return (objective_ == 1 ? "min of " : "mean of ") + (objective_keys_.empty() ? std::string("metrics") : objective_keys_);
  return objective_ == 1 ? "worst task accuracy" : "mean task accuracy";
}

void TunePanel::set_current(TunePoint p) {
  current_ = std::move(p);
  current_.valid = true;
}

void TunePanel::load_into_checkpoints() {
  if (!ws_ || !ws_->apply_recipe) {
    load_ckpt_message_ = "no Checkpoints panel in this window";
    return;
  }
  const auto [global, per_model] = settings_with(current_);
  if (ws_->merge_model_count != models_.size())
    load_ckpt_message_ = "note: the Checkpoints panel lists " + std::to_string(ws_->merge_model_count) +
                         " models, this recipe " + std::to_string(models_.size()) + "; ";
  else
    load_ckpt_message_.clear();
  if (ws_->apply_recipe(method_, global, per_model))
    load_ckpt_message_ += "Checkpoints panel set to " + method_ + " with " + point_text(current_);
  else
    load_ckpt_message_ = "the Checkpoints panel does not know " + method_;
}

nlohmann::json TunePanel::state() const {
  auto point_json = [](const TunePoint& p) {
    nlohmann::json params = nlohmann::json::object();
    for (size_t i = 0; i < p.space.size() && i < p.values.size(); ++i) params[p.space[i].label()] = p.values[i];
    return nlohmann::json{{"source", p.source}, {"params", params}, {"objective", p.objective}, {"valid", p.valid}};
  };
  auto report_json = [](const eval::EvalReport& r) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& t : r.tasks) j[t.name] = t.metrics.accuracy;
    j["combined"] = r.combined_accuracy;
    return j;
  };
  nlohmann::json j;
  j["base"] = base_;
  j["models"] = models_;
  j["data"] = data_;
  j["method"] = method_;
  j["use_base"] = use_base_;
  j["loading"] = load_job_.active();
  j["loaded"] = setup_ != nullptr;
  j["load_error"] = load_error_;
  j["inputs_changed"] = setup_ && setup_->key != inputs_key();
  nlohmann::json axis_settings = nlohmann::json::array();  // the sweep settings as shown (the run's are in "sweep")
  for (int a = 0; a < n_axes_; ++a)
    axis_settings.push_back({{"name", axis_name_[a]}, {"start", axis_start_[a]}, {"stop", axis_stop_[a]}, {"steps", axis_steps_[a]}});
  j["axis_settings"] = axis_settings;
  nlohmann::json axes = nlohmann::json::array();
  for (const auto& a : sweep_axes_) axes.push_back({{"name", a.name}, {"start", a.start}, {"stop", a.stop}, {"steps", a.steps}});
  nlohmann::json objective = nlohmann::json::array();
  for (double v : sweep_objective_) objective.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());
  nlohmann::json sweep = {{"state", sweep_state_}, {"message", sweep_message_}, {"axes", axes},
                          {"done", sweep_done_},   {"total", sweep_total_},     {"elapsed", sweep_elapsed_},
                          {"eta", sweep_eta_},     {"objective", objective},    {"best_index", sweep_best_}};
  if (sweep_best_ >= 0 && !sweep_axes_.empty()) {
    const auto v = search::SweepGrid(sweep_axes_).point(static_cast<size_t>(sweep_best_));
    nlohmann::json params = nlohmann::json::object();
    for (size_t i = 0; i < v.size(); ++i) params[sweep_space_[i].label()] = v[i];
    sweep["best"] = {{"index", sweep_best_}, {"params", params}, {"objective", sweep_objective_[static_cast<size_t>(sweep_best_)]}};
  }
  j["sweep"] = sweep;
  nlohmann::json gens = nlohmann::json::array();
  for (const auto& g : generations_) {
    nlohmann::json params = nlohmann::json::object();
    for (size_t i = 0; i < g.best_values.size() && i < cmaes_space_.size(); ++i) params[cmaes_space_[i].label()] = g.best_values[i];
    gens.push_back({{"generation", g.number},
                    {"evaluations", g.evaluations},
                    {"best", g.best},
                    {"mean", std::isfinite(g.mean) ? nlohmann::json(g.mean) : nlohmann::json()},
                    {"best_so_far", g.best_so_far},
                    {"sigma", g.sigma},
                    {"params", params}});
  }
  j["cmaes"] = {{"state", cmaes_state_},       {"message", cmaes_message_}, {"params", cma_params_},
                {"evaluations", cmaes_evaluations_}, {"generations", gens},      {"budget", budget_},
                {"population", population_}, {"sigma", sigma_}, {"seed", cma_seed_}};
  j["seed"] = seed_;
  j["current"] = point_json(current_);
  j["best"] = point_json(best_);
  j["best_from"] = best_from_;
  nlohmann::json reports = {{"ready", reports_.key == reports_wanted_ && !reports_wanted_.empty()}, {"error", reports_.error}};
  if (reports_.has_current && !(setup_ && setup_->external))
    reports["current"] = {{"tune", report_json(reports_.current_tune)}, {"test", report_json(reports_.current_test)}};
  if (reports_.has_best && !(setup_ && setup_->external))
    reports["best"] = {{"tune", report_json(reports_.best_tune)}, {"test", report_json(reports_.best_test)}};
  if (setup_ && !setup_->external) {
    reports["base"] = {{"tune", report_json(setup_->base_tune)}, {"test", report_json(setup_->base_test)}};
    nlohmann::json ms = nlohmann::json::array();
    for (size_t i = 0; i < setup_->model_tune.size(); ++i)
      ms.push_back({{"tune", report_json(setup_->model_tune[i])}, {"test", report_json(setup_->model_test[i])}});
    reports["models"] = ms;
  }
  if (reports_.has_current && setup_ && setup_->external) reports["current_external"] = reports_.current_external;
  j["reports"] = reports;
  j["export"] = {{"state", export_state_}, {"message", export_message_}, {"path", yaml_path_}, {"confirm_open", confirm_overwrite_}};
  j["evolve_export"] = {{"state", evolve_state_}, {"message", evolve_message_}, {"dir", evolve_dir_}, {"tasks", evolve_tasks_}};
  j["checkpoints_message"] = load_ckpt_message_;
  nlohmann::json rects = nlohmann::json::object();
  for (const auto& [name, r] : rects_) rects[name] = {r.x0, r.y0, r.x1, r.y1};
  j["rects"] = rects;
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& [x, y] : cell_centres_) cells.push_back({x, y});
  j["cells"] = cells;
  nlohmann::json gp = nlohmann::json::array();
  for (const auto& [x, y] : gen_centres_) gp.push_back({x, y});
  j["generation_points"] = gp;
  return j;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Panel: the frame
// ---------------------------------------------------------------------------------------------------

void TunePanel::remember_rect(const std::string& name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  rects_[name] = Rect{a.x, a.y, b.x, b.y};
}

void TunePanel::draw(AppContext& ctx) {
  const bool shot = ctx.screenshot_mode;
  // Screenshots are deterministic: load, sweep, search and report before the first frame is drawn.
  if (shot && !auto_started_) {
    auto_started_ = true;
    start_load();
    poll(true);
    if (setup_) {
      start_sweep();
      poll(true);
      start_cmaes();
      poll(true);
      poll(true);
    }
  }
  if (!took_selection_) {
    took_selection_ = true;
    if (ws_ && ws_->loaded) {
      base_ = ws_->loaded->base;
      models_ = ws_->loaded->models;
      reset_params();
    }
  }
  poll(false);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left_w = std::min(std::max(em(25.0f), avail.x * 0.3f), avail.x * 0.5f);
  ImGui::BeginChild("##tune_left", ImVec2(left_w, avail.y), false);
  draw_inputs();
  draw_method();
  draw_sweep_controls();
  draw_cmaes_controls();
  draw_recipe();
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("##tune_right", ImVec2(0, avail.y), false);
  const ImVec2 right = ImGui::GetContentRegionAvail();
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const float top_h = std::floor(right.y * 0.55f);
  const float w_sweep = std::floor((right.x - gap) * 0.55f);
  ImGui::BeginGroup();
  draw_sweep_plot(ImVec2(w_sweep, top_h), shot);
  ImGui::EndGroup();
  ImGui::SameLine(0, gap);
  ImGui::BeginGroup();
  draw_cmaes_plot(ImVec2(right.x - w_sweep - gap, top_h), shot);
  ImGui::EndGroup();
  const float bars_h = ImGui::GetContentRegionAvail().y;
  const float w_bars = std::floor((right.x - gap) * 0.5f);
  ImGui::BeginGroup();
  draw_bars(ImVec2(w_bars, bars_h), false, shot);
  ImGui::EndGroup();
  ImGui::SameLine(0, gap);
  ImGui::BeginGroup();
  draw_bars(ImVec2(right.x - w_bars - gap, bars_h), true, shot);
  ImGui::EndGroup();
  ImGui::EndChild();
  draw_confirm();
}

namespace {
PanelRegistrar reg{85, [] { return std::make_unique<TunePanel>(); }};
}  // namespace

}  // namespace mergelab::app
