// Tune panel: see tune_panel.h.
//
// [SECTION] Worker side (no ImGui): loading, scoring a point
// [SECTION] Panel: settings, recipes, jobs, state dump
// [SECTION] Panel: drawing
#include "app/panels/tune_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <sstream>

#include "app/gui/workspace.h"
#include "app/panels/text.h"
#include "core/eval/dataset.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/search/cmaes.h"
#include "core/io/parallel.h"
#include "widgets/bar_chart.h"
#include "widgets/canvas2d.h"
#include "widgets/colormap.h"
#include "widgets/heatmap.h"
#include "widgets/imgui_compat.h"
#include "widgets/line_plot.h"

namespace mergelab::app {

namespace fs = std::filesystem;
using ImGuiCompat::em;
using text::file_name;
using text::fmt;

namespace {

constexpr ImU32 kCurrent = IM_COL32(240, 228, 66, 255);   // Okabe-Ito yellow: the current recipe
constexpr ImU32 kBest = IM_COL32(0, 158, 115, 255);       // bluish green: the best one
constexpr ImU32 kBase = IM_COL32(150, 150, 150, 255);     // grey: the base
constexpr ImU32 kBad = IM_COL32(230, 97, 0, 255);         // vermillion: errors
constexpr ImU32 kModels[4] = {IM_COL32(86, 180, 233, 255), IM_COL32(0, 114, 178, 255), IM_COL32(204, 121, 167, 255),
                              IM_COL32(230, 159, 0, 255)};
constexpr int kMaxSteps = 41;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ImVec4 to_vec4(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

/// "lambda=0.6, weight@1=0.35"
std::string point_text(const TunePoint& p) {
  std::string out;
  for (size_t i = 0; i < p.space.size() && i < p.values.size(); ++i)
    out += (out.empty() ? "" : ", ") + p.space[i].label() + "=" + fmt("%.4g", p.values[i]);
  return out.empty() ? "the settings above" : out;
}

/// Data files of one split: "a_{split}.csv;b_{split}.csv" with {split} replaced.
std::vector<fs::path> csv_files(const std::string& spec, const std::string& split) {
  std::vector<fs::path> out;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ';')) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty()) continue;
    for (auto at = item.find("{split}"); at != std::string::npos; at = item.find("{split}")) item.replace(at, 7, split);
    out.emplace_back(item);
  }
  return out;
}

eval::TaskSet load_tasks(const std::string& data, const std::string& split) {
  if (data.find(".csv") != std::string::npos) return eval::tasks_from_files(csv_files(data, split));
  return eval::load_data_dir(data, split);
}

}  // namespace

/// Scores one point of a search space: merge in memory, evaluate on the tuning split (or run the external
/// command), reduce to the objective. Copied into the workers; thread-safe (MergeFamily::evaluate is const).
struct PointScorer {
  std::shared_ptr<const TuneSetup> setup;
  const merge::MethodSpec* method = nullptr;
  merge::Params base;       // the global-scope and external paths: one Params for every tensor
  recipe::Recipe recipe;    // the per-tensor path: the recipe, merged tensor by tensor as `mergelab merge` does
  recipe::MergeLayout layout;
  std::uint32_t seed = 0;
  std::vector<search::RecipeParam> space;
  eval::MergeScope scope = eval::MergeScope::PerTensor;
  eval::ExternalEvalOptions external;
  search::ObjectiveSpec objective;

  eval::MetricMap metrics(const std::vector<double>& values) const {
    eval::MetricMap m;
    if (!setup->external && scope == eval::MergeScope::PerTensor) {
      // As app/commands/tuning.cpp: per-tensor seeds and gradients exactly as the engine merges the exported YAML.
      recipe::Recipe r = recipe;
      search::apply_point(r, layout, space, values);
      m = setup->family->evaluate(r, layout, setup->tune, seed).flat();
      m["objective"] = search::reduce_metrics(m, objective);
      return m;
    }
    merge::Params p = base;
    search::apply_point(p, space, values);
    if (setup->external) {
      const auto r = setup->family->evaluate_external(*method, p, external, scope);
      if (!r.ok) throw std::runtime_error(r.error);
      m = r.metrics;
    } else {
      m = setup->family->evaluate(*method, p, setup->tune, scope).flat();
    }
    m["objective"] = search::reduce_metrics(m, objective);
    return m;
  }
};

namespace {

/// "%.4g" of a tick value ("0.25", "0.6", "1"): exact for grid values, and never rounds 0.25 to "0.2".
std::string tick_text(double v) {
  if (std::abs(v) < 1e-12) v = 0.0;
  return fmt("%.4g", v);
}

/// A canvas whose x axis is labelled at the grid values (every k-th when they would collide) and whose y axis
/// is labelled at the grid values `yv` (a heat map) or at round values (a curve, `yv` empty).
Widgets::Canvas2D begin_grid_canvas(const char* id, ImVec2 size, double x0, double x1, double y0, double y1,
                                    const std::vector<double>& xv, const std::vector<double>& yv, const char* x_title,
                                    const char* y_title) {
  Widgets::Canvas2D c;
  const ImVec2 tl = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  c.hovered = ImGui::IsItemHovered();
  c.active = ImGui::IsItemActive();
  c.frame = Widgets::LayoutPlotFrame(tl, size, x0, x1, y0, y1, false, true, true);
  c.dl = ImGui::GetWindowDrawList();
  const Widgets::PlotFrame& f = c.frame;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), border = ImGui::GetColorU32(ImGuiCol_Text, 0.55f);
  const ImU32 faint = ImGui::GetColorU32(ImGuiCol_Text, 0.12f);
  const float tick = em(0.3f);
  auto every = [](const std::vector<double>& v, float room, float label) {
    return std::max<size_t>(1, static_cast<size_t>(std::ceil(static_cast<double>(v.size()) * label / std::max(room, 1.0f))));
  };
  const size_t kx = every(xv, f.p1.x - f.p0.x, em(3.2f));
  for (size_t i = 0; i < xv.size(); i += kx) {
    const float x = std::round(f.ToScreen(xv[i], f.y0).x);
    c.dl->AddLine(ImVec2(x, f.p1.y), ImVec2(x, f.p1.y + tick), border, 1.0f);
    const std::string t = tick_text(xv[i]);
    const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
    c.dl->AddText(ImVec2(x - ts.x * 0.5f, f.p1.y + tick), text, t.c_str());
  }
  std::vector<double> yt = yv;
  const bool grid_lines = yv.empty();
  if (yt.empty()) yt = Widgets::NiceTicks(f.y0, f.y1, std::max(2, static_cast<int>((f.p1.y - f.p0.y) / em(3.0f))));
  const size_t ky = yv.empty() ? 1 : every(yv, f.p1.y - f.p0.y, em(1.4f));
  for (size_t i = 0; i < yt.size(); i += ky) {
    const float y = std::round(f.ToScreen(f.x0, yt[i]).y);
    if (grid_lines) c.dl->AddLine(ImVec2(f.p0.x, y), ImVec2(f.p1.x, y), faint, 1.0f);
    c.dl->AddLine(ImVec2(f.p0.x - tick, y), ImVec2(f.p0.x, y), border, 1.0f);
    const std::string t = tick_text(yt[i]);
    const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
    c.dl->AddText(ImVec2(f.p0.x - tick - ts.x - em(0.15f), y - ts.y * 0.5f), text, t.c_str());
  }
  c.dl->AddRect(f.p0, f.p1, border, 0.0f, 0, 1.0f);
  const ImVec2 ts = ImGui::CalcTextSize(x_title);
  c.dl->AddText(ImVec2(0.5f * (f.p0.x + f.p1.x) - ts.x * 0.5f, f.p1.y + tick + em(1.15f)), text, x_title);
  c.dl->AddText(ImVec2(f.p0.x - em(0.2f), f.p0.y - em(1.3f)), text, y_title);  // no rotated text in 1.86
  c.dl->PushClipRect(f.p0, f.p1, true);
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// [SECTION] Panel: settings, recipes, jobs, state dump
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

std::string TunePanel::inputs_key() const {
  std::string k = base_ + "\n";
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
  if (spec->needs_base) r.base_model = absolute(base_);
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

void TunePanel::start_load() {
  if (load_job_.active()) return;
  load_error_.clear();
  const std::string key = inputs_key();
  std::vector<std::string> models;
  for (const auto& m : models_)
    if (!m.empty()) models.push_back(m);
  const std::string base = base_, data = data_, tune = tune_split_, test = test_split_;
  const bool external = external_;
  load_job_.start([=](JobControl&) -> std::shared_ptr<const TuneSetup> {
    auto s = std::make_shared<TuneSetup>();
    s->key = key;
    s->base = base;
    s->models = models;
    s->external = external;
    if (base.empty()) throw std::runtime_error("no base model given");
    if (models.empty()) throw std::runtime_error("no fine-tuned model given: add at least one");
    std::vector<fs::path> paths(models.begin(), models.end());
    s->family = std::make_unique<eval::MergeFamily>(eval::MergeFamily::load(base, paths));
    if (!external) {
      if (data.empty()) throw std::runtime_error("no evaluation data given (a folder or CSV files)");
      s->tune = load_tasks(data, tune);
      s->test = load_tasks(data, test);
      for (const auto& t : s->tune.tasks) s->task_names.push_back(t.name);
      const auto& fam = *s->family;
      s->base_tune = eval::evaluate(fam.classifier(fam.base()), s->tune);
      s->base_test = eval::evaluate(fam.classifier(fam.base()), s->test);
      for (size_t i = 0; i < fam.model_count(); ++i) {
        s->model_tune.push_back(eval::evaluate(fam.classifier(fam.model(i)), s->tune));
        s->model_test.push_back(eval::evaluate(fam.classifier(fam.model(i)), s->test));
      }
    }
    return s;
  });
}

void TunePanel::prepare_scorer(PointScorer& scorer, const std::vector<double>& start) const {
  scorer.setup = setup_;
  const TunePoint at{scorer.space, start, "", 0, false};
  scorer.base = params_for(at);  // each point then sets its own values
  scorer.recipe = recipe_for(at);
  scorer.layout = recipe::merge_layout(scorer.recipe);
  scorer.seed = static_cast<std::uint32_t>(seed_);
  scorer.scope = global_scope_ ? eval::MergeScope::WholeVector : eval::MergeScope::PerTensor;
  scorer.external.command_template = command_;
  scorer.external.timeout_seconds = timeout_;
  scorer.objective = objective_spec(*setup_);
}

void TunePanel::start_sweep() {
  if (sweep_job_.active() || !setup_) return;
  PointScorer scorer;
  std::vector<search::SweepAxis> axes;
  std::unique_ptr<search::SweepGrid> grid_ptr;
  try {
    scorer.method = merge::find_method(method_);
    if (!scorer.method) throw std::runtime_error("unknown method '" + method_ + "'");
    for (int a = 0; a < n_axes_; ++a) {
      search::SweepAxis axis{axis_name_[a], axis_start_[a], axis_stop_[a], axis_steps_[a]};
      const auto rp = search::parse_recipe_param(axis.name, *scorer.method, models_.size());
      const auto [lo, hi] = search::param_range(rp, *scorer.method);
      if (axis.start < lo || axis.stop > hi || axis.start > hi || axis.stop < lo)
        throw std::runtime_error(axis.name + ": the range must stay inside [" + fmt("%g", lo) + ", " + fmt("%g", hi) + "]");
      if (axis.steps < 1 || axis.steps > kMaxSteps) throw std::runtime_error(axis.name + ": steps must be 1 to 41");
      scorer.space.push_back(rp);
      axes.push_back(axis);
    }
    std::vector<double> first;
    for (const auto& a : axes) first.push_back(a.start);
    prepare_scorer(scorer, first);
    grid_ptr = std::make_unique<search::SweepGrid>(axes);  // refuses two axes of the same name
  } catch (const std::exception& e) {
    sweep_state_ = "failed", sweep_message_ = e.what();
    return;
  }
  const search::SweepGrid grid = *grid_ptr;
  sweep_axes_ = axes;
  sweep_space_ = scorer.space;
  sweep_maximize_ = scorer.objective.maximize;
  sweep_shared_ = std::make_shared<SweepShared>();
  sweep_shared_->total = grid.size();
  sweep_shared_->objective.assign(grid.size(), kNaN);
  sweep_shared_->errors.assign(grid.size(), "");
  sweep_objective_ = sweep_shared_->objective;
  sweep_errors_ = sweep_shared_->errors;
  sweep_done_ = 0, sweep_total_ = grid.size(), sweep_elapsed_ = 0, sweep_eta_ = 0, sweep_best_ = -1;
  sweep_state_ = "running", sweep_message_.clear();
  auto shared = sweep_shared_;
  const int threads = threads_;
  sweep_job_.start([scorer, grid, shared, threads](JobControl& control) mutable {
    SweepOutcome out;
    scorer.external.cancel = control.cancel_flag();  // Cancel kills a running external evaluator
    search::SweepOptions opt;
    opt.threads = threads;
    opt.cancel = control.cancel_flag();
    opt.on_progress = [&](const search::SweepProgress& p) {
      std::lock_guard<std::mutex> lock(shared->mutex);
      shared->done = p.done, shared->elapsed = p.elapsed_seconds, shared->eta = p.eta_seconds;
      if (!p.last_row) return;
      if (!p.last_row->error.empty())
        shared->errors[p.last_index] = p.last_row->error;
      else if (auto it = p.last_row->metrics.find("objective"); it != p.last_row->metrics.end())
        shared->objective[p.last_index] = it->second;
    };
    try {
      const auto r = search::run_sweep(grid, [&](const std::vector<double>& v) { return scorer.metrics(v); }, opt);
      out.cancelled = r.cancelled;
      out.seconds = r.seconds;
    } catch (const std::exception& e) {
      out.error = e.what();
    }
    return out;
  });
}

void TunePanel::start_cmaes() {
  if (cmaes_job_.active() || !setup_) return;
  PointScorer scorer;
  std::vector<double> lo, hi;
  Eigen::VectorXd x0;
  search::CmaesOptions opt;
  try {
    scorer.method = merge::find_method(method_);
    if (!scorer.method) throw std::runtime_error("unknown method '" + method_ + "'");
    if (cma_params_.empty()) throw std::runtime_error("choose at least one parameter to search");
    for (const auto& label : cma_params_) {
      const auto rp = search::parse_recipe_param(label, *scorer.method, models_.size());
      const auto [l, h] = search::param_range(rp, *scorer.method);
      scorer.space.push_back(rp);
      lo.push_back(std::max(l, 0.0));  // as `mergelab evolve`: the registry range clipped to [0, 2]
      hi.push_back(std::min(h, 2.0));
    }
    std::vector<double> start;  // the settings' values where they exist, clamped into the search box
    const merge::Params settings = params_for(TunePoint{});
    for (size_t i = 0; i < scorer.space.size(); ++i)
      start.push_back(std::clamp(settings.get(scorer.space[i].name, scorer.space[i].model), lo[i], hi[i]));
    prepare_scorer(scorer, start);
    const auto n = static_cast<Eigen::Index>(lo.size());
    x0.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto& rp = scorer.space[static_cast<size_t>(i)];
      const double v = scorer.base.get(rp.name, rp.model);
      x0[i] = std::clamp((v - lo[static_cast<size_t>(i)]) / (hi[static_cast<size_t>(i)] - lo[static_cast<size_t>(i)]), 0.0, 1.0);
    }
    opt.population = population_;
    opt.sigma0 = sigma_;
    opt.seed = static_cast<uint32_t>(cma_seed_);
    opt.budget = budget_;
    opt.lower = Eigen::VectorXd::Zero(n);
    opt.upper = Eigen::VectorXd::Ones(n);
    search::Cmaes probe(x0, opt);  // bad options fail here, on the frame, with the optimiser's message
    if (budget_ < probe.population())
      throw std::runtime_error("the budget (" + std::to_string(budget_) + ") is smaller than one population (" +
                               std::to_string(probe.population()) + ")");
  } catch (const std::exception& e) {
    cmaes_state_ = "failed", cmaes_message_ = e.what();
    return;
  }
  cmaes_space_ = scorer.space;
  cmaes_maximize_ = scorer.objective.maximize;
  cmaes_shared_ = std::make_shared<CmaesShared>();
  generations_.clear();
  cmaes_evaluations_ = 0;
  cmaes_state_ = "running", cmaes_message_.clear();
  auto shared = cmaes_shared_;
  const int threads = threads_;
  cmaes_job_.start([scorer, lo, hi, x0, opt, shared, threads](JobControl& control) mutable {
    CmaesOutcome out;
    scorer.external.cancel = control.cancel_flag();
    const std::atomic<bool>* cancel = control.cancel_flag();
    const auto t0 = std::chrono::steady_clock::now();
    const double sign = scorer.objective.maximize ? -1.0 : 1.0;  // CMA-ES minimises
    auto to_values = [&](const Eigen::VectorXd& u) {
      std::vector<double> v(lo.size());
      for (size_t i = 0; i < lo.size(); ++i) v[i] = lo[i] + std::clamp(u[static_cast<Eigen::Index>(i)], 0.0, 1.0) * (hi[i] - lo[i]);
      return v;
    };
    try {
      search::Cmaes es(x0, opt);
      std::string first_error;
      std::mutex error_mutex;
      for (;;) {
        if (cancel->load()) {
          out.cancelled = true;
          break;
        }
        if (const auto stop = es.stop(); stop != search::CmaesStop::None) {
          out.stop = search::cmaes_stop_name(stop);
          break;
        }
        const std::vector<Eigen::VectorXd> pop = es.ask();
        std::vector<double> f(pop.size(), std::numeric_limits<double>::infinity());
        const size_t ran = io::parallel_for(
            pop.size(), threads,
            [&](size_t i) {
              try {
                f[i] = sign * scorer.metrics(to_values(pop[i])).at("objective");
              } catch (const std::exception& e) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (first_error.empty()) first_error = e.what();
              }
            },
            {}, cancel);
        if (ran < pop.size()) {
          out.cancelled = true;
          break;
        }
        const size_t arg = static_cast<size_t>(std::min_element(f.begin(), f.end()) - f.begin());
        es.tell(f);
        const search::CmaesGeneration& h = es.history().back();
        Generation g;
        g.number = h.generation;
        g.evaluations = h.evaluations;
        g.best = sign * h.best, g.mean = sign * h.mean, g.best_so_far = sign * h.best_so_far, g.sigma = h.sigma;
        g.best_values = to_values(pop[arg]);
        std::lock_guard<std::mutex> lock(shared->mutex);
        shared->generations.push_back(std::move(g));
        shared->evaluations = es.evaluations();
      }
      if (!first_error.empty() && !std::isfinite(es.best_f())) out.error = "every evaluation failed: " + first_error;
    } catch (const std::exception& e) {
      out.error = e.what();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  });
}

void TunePanel::start_reports() {
  if (report_job_.active() || !setup_) return;
  Reports want;
  want.key = reports_wanted_;
  auto setup = setup_;
  const merge::MethodSpec* method = merge::find_method(method_);
  if (!method) return;
  merge::Params cur, best;
  recipe::Recipe cur_recipe, best_recipe;
  recipe::MergeLayout layout;
  try {
    cur = params_for(current_);
    cur_recipe = recipe_for(current_);
    layout = recipe::merge_layout(cur_recipe);
    if (best_.valid) best = params_for(best_), best_recipe = recipe_for(best_);
  } catch (const std::exception& e) {
    reports_ = want;
    reports_.error = e.what();
    return;
  }
  const bool has_best = best_.valid;
  const auto scope = global_scope_ ? eval::MergeScope::WholeVector : eval::MergeScope::PerTensor;
  eval::ExternalEvalOptions ext;
  ext.command_template = command_;
  ext.timeout_seconds = timeout_;
  const auto seed = static_cast<std::uint32_t>(seed_);
  report_job_.start([want, setup, method, cur, best, has_best, scope, ext, cur_recipe, best_recipe, layout,
                     seed](JobControl& control) mutable {
    ext.cancel = control.cancel_flag();
    try {
      if (setup->external) {
        auto run = [&](const merge::Params& p) {
          const auto r = setup->family->evaluate_external(*method, p, ext, scope);
          if (!r.ok) throw std::runtime_error(r.error);
          return r.metrics;
        };
        want.current_external = run(cur);
        want.has_current = true;
        if (has_best) want.best_external = run(best), want.has_best = true;
      } else if (scope == eval::MergeScope::PerTensor) {  // the engine's per-tensor path, as the searches
        want.current_tune = setup->family->evaluate(cur_recipe, layout, setup->tune, seed);
        want.current_test = setup->family->evaluate(cur_recipe, layout, setup->test, seed);
        want.has_current = true;
        if (has_best) {
          want.best_tune = setup->family->evaluate(best_recipe, layout, setup->tune, seed);
          want.best_test = setup->family->evaluate(best_recipe, layout, setup->test, seed);
          want.has_best = true;
        }
      } else {
        want.current_tune = setup->family->evaluate(*method, cur, setup->tune, scope);
        want.current_test = setup->family->evaluate(*method, cur, setup->test, scope);
        want.has_current = true;
        if (has_best) {
          want.best_tune = setup->family->evaluate(*method, best, setup->tune, scope);
          want.best_test = setup->family->evaluate(*method, best, setup->test, scope);
          want.has_best = true;
        }
      }
    } catch (const std::exception& e) {
      want.error = e.what();
    }
    return want;
  });
}

void TunePanel::start_export(bool overwrite) {
  if (export_job_.active()) return;
  recipe::Recipe r;
  std::string path;
  try {
    if (yaml_path_.empty()) throw std::runtime_error("type a path for the YAML file first");
    r = recipe_for(current_);
    path = fs::absolute(yaml_path_).lexically_normal().string();
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw std::runtime_error(path + ": is a folder, not a file");
    if (fs::exists(path, ec) && !overwrite) {
      open_confirm_ = true;  // ask first; Replace calls back with overwrite = true
      return;
    }
  } catch (const std::exception& e) {
    export_state_ = "failed", export_message_ = e.what();
    return;
  }
  export_state_ = "running", export_message_.clear();
  export_job_.start([r, path](JobControl&) {
    recipe::write_mergekit_yaml(r, path);  // temp file + rename
    return "wrote " + path;
  });
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

bool TunePanel::replaces_best(bool cancelled, double objective) const {
  // A finished search's best is the best of its own settings; a cancelled one saw only part of its space, so it
  // takes the place of an earlier best only when it beats it.
  if (!cancelled || !best_.valid) return true;
  return sweep_maximize_ ? objective > best_.objective : objective < best_.objective;
}

void TunePanel::poll(bool block) {
  if (load_job_.poll(block)) {
    try {
      setup_ = load_job_.take();
      status_ = "loaded " + std::to_string(setup_->models.size()) + " fine-tunes";
      if (!setup_->external)
        status_ += ", " + std::to_string(setup_->task_names.size()) + " tasks (" +
                   std::to_string(setup_->tune.has_pooled() ? setup_->tune.pooled.rows() : 0) + " " + tune_split_ +
                   " rows)";
      reports_wanted_.clear();
      if (per_model_.size() != models_.size()) reset_params();
      if (pending_run_ == 1) start_sweep();
      if (pending_run_ == 2) start_cmaes();
    } catch (const std::exception& e) {
      load_error_ = e.what();
      status_.clear();
    }
    pending_run_ = 0;
  }
  if (sweep_shared_) {
    std::lock_guard<std::mutex> lock(sweep_shared_->mutex);
    sweep_objective_ = sweep_shared_->objective;
    sweep_errors_ = sweep_shared_->errors;
    sweep_done_ = sweep_shared_->done, sweep_elapsed_ = sweep_shared_->elapsed, sweep_eta_ = sweep_shared_->eta;
  }
  // The best point so far: the first in grid order among the largest (smallest) values, as SweepResult::best.
  sweep_best_ = -1;
  for (size_t i = 0; i < sweep_objective_.size(); ++i) {
    const double v = sweep_objective_[i];
    if (!std::isfinite(v)) continue;
    if (sweep_best_ < 0 || (sweep_maximize_ ? v > sweep_objective_[static_cast<size_t>(sweep_best_)]
                                            : v < sweep_objective_[static_cast<size_t>(sweep_best_)]))
      sweep_best_ = static_cast<int>(i);
  }
  if (sweep_job_.poll(block)) {
    const SweepOutcome r = sweep_job_.take();
    if (sweep_shared_) {
      std::lock_guard<std::mutex> lock(sweep_shared_->mutex);
      sweep_objective_ = sweep_shared_->objective;
      sweep_errors_ = sweep_shared_->errors;
      sweep_done_ = sweep_shared_->done;
    }
    size_t errors = 0;
    for (const auto& e : sweep_errors_) errors += !e.empty();
    sweep_state_ = !r.error.empty() ? "failed" : (r.cancelled ? "cancelled" : "done");
    sweep_message_ = !r.error.empty() ? r.error
                                      : fmt("%.2f s", r.seconds) + (errors ? ", " + std::to_string(errors) + " points failed" : "");
    if (errors) {
      for (const auto& e : sweep_errors_)
        if (!e.empty()) {
          sweep_message_ += ": " + e;
          break;
        }
    }
    poll(false);  // recompute the best point from the final values
    if (sweep_best_ >= 0 && !sweep_axes_.empty() && replaces_best(r.cancelled, sweep_objective_[static_cast<size_t>(sweep_best_)])) {
      const search::SweepGrid grid(sweep_axes_);
      TunePoint p{sweep_space_, grid.point(static_cast<size_t>(sweep_best_)),
                  "sweep point " + std::to_string(sweep_best_), sweep_objective_[static_cast<size_t>(sweep_best_)], true};
      best_ = p;
      best_from_ = "sweep";
      set_current(p);
    }
  }
  if (cmaes_shared_) {
    std::lock_guard<std::mutex> lock(cmaes_shared_->mutex);
    if (cmaes_shared_->generations.size() != generations_.size()) generations_ = cmaes_shared_->generations;
    cmaes_evaluations_ = cmaes_shared_->evaluations;
  }
  if (cmaes_job_.poll(block)) {
    const CmaesOutcome r = cmaes_job_.take();
    if (cmaes_shared_) {
      std::lock_guard<std::mutex> lock(cmaes_shared_->mutex);
      generations_ = cmaes_shared_->generations;
      cmaes_evaluations_ = cmaes_shared_->evaluations;
    }
    cmaes_state_ = !r.error.empty() ? "failed" : (r.cancelled ? "cancelled" : "done");
    cmaes_message_ = !r.error.empty() ? r.error
                                      : (r.cancelled ? std::string("cancelled") : "stopped: " + r.stop) + ", " +
                                            std::to_string(cmaes_evaluations_) + " evaluations in " + fmt("%.2f s", r.seconds);
    // The best candidate of the run: the generation whose best is the best so far.
    const Generation* top = nullptr;
    for (const auto& g : generations_)
      if (!top || (cmaes_maximize_ ? g.best > top->best : g.best < top->best)) top = &g;
    if (top && std::isfinite(top->best)) {
      TunePoint p{cmaes_space_, top->best_values, "generation " + std::to_string(top->number), top->best, true};
      best_ = p;
      best_from_ = "cmaes";
      set_current(p);
    }
  }
  if (export_job_.poll(block)) {
    try {
      export_message_ = export_job_.take();
      export_state_ = "done";
    } catch (const std::exception& e) {
      export_message_ = e.what();
      export_state_ = "failed";
    }
  }
  if (report_job_.poll(block)) reports_ = report_job_.take();
  // Bars follow the current and best recipes (and the settings they build on).
  if (setup_) {
    std::string key = setup_->key + "|" + method_ + "|" + (global_scope_ ? "g" : "t") + std::to_string(seed_) + "|" +
                      nlohmann::json(global_).dump() + nlohmann::json(per_model_).dump() + "|" + point_text(current_);
    if (best_.valid) key += "|best " + point_text(best_);
    if (key != reports_wanted_) reports_wanted_ = key;
    if (reports_.key != reports_wanted_ && !report_job_.active()) {
      start_reports();
      if (block && report_job_.active()) poll(true);
    }
  }
}

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
          {"seed", seed_},
          {"threads", threads_},
          {"sweep_axes", n_axes_},
          {"axes", axes},
          {"cmaes_params", cma_params_},
          {"population", population_},
          {"sigma", sigma_},
          {"budget", budget_},
          {"cmaes_seed", cma_seed_},
          {"yaml_path", yaml_path_}};
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
  } catch (const nlohmann::json::exception&) {
    // A session written by another version: keep what was read.
  }
  if (models_.empty()) models_.assign(1, "");
  if (per_model_.size() != models_.size()) reset_params();
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
  j["loading"] = load_job_.active();
  j["loaded"] = setup_ != nullptr;
  j["load_error"] = load_error_;
  j["inputs_changed"] = setup_ && setup_->key != inputs_key();
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
                {"evaluations", cmaes_evaluations_}, {"generations", gens},      {"budget", budget_}};
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
// [SECTION] Panel: drawing
// ---------------------------------------------------------------------------------------------------

void TunePanel::remember_rect(const std::string& name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  rects_[name] = Rect{a.x, a.y, b.x, b.y};
}

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
      const bool fits = m.max_models < 0 || static_cast<int>(models_.size()) <= m.max_models;
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
  // The settings every candidate starts from (a search overrides its own parameters).
  auto control = [&](const merge::ParamSpec& p, double& v, const std::string& id) {
    ImGui::PushID(id.c_str());
    switch (p.kind) {
      case merge::ParamSpec::Kind::Bool: {
        bool b = v != 0.0;
        if (ImGui::Checkbox("##b", &b)) v = b ? 1.0 : 0.0;
        break;
      }
      case merge::ParamSpec::Kind::Choice: {
        int c = static_cast<int>(v);
        std::vector<const char*> names;
        for (const auto& s : p.choices) names.push_back(s.c_str());
        if (ImGui::Combo("##c", &c, names.data(), static_cast<int>(names.size()))) v = c;
        break;
      }
      case merge::ParamSpec::Kind::Integer:
        if (ImGui::SliderScalar("##i", ImGuiDataType_Double, &v, &p.min_value, &p.max_value, "%.0f")) v = std::round(v);
        break;
      case merge::ParamSpec::Kind::Real:
        ImGui::SliderScalar("##r", ImGuiDataType_Double, &v, &p.min_value, &p.max_value, "%.3f");
        break;
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %s", p.name.c_str(), p.help.c_str());
    ImGui::PopID();
  };
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
  const float w = em(4.0f);
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
  if (ImGui::Button("Replace", ImVec2(em(6.0f), 0))) {
    ImGui::CloseCurrentPopup();
    start_export(true);
  }
  remember_rect("confirm_replace");
  ImGui::SameLine();
  if (ImGui::Button("Keep it", ImVec2(em(6.0f), 0))) {
    ImGui::CloseCurrentPopup();
    export_state_ = "idle", export_message_ = "not written: the file exists";
  }
  remember_rect("confirm_keep");
  ImGui::EndPopup();
}

std::pair<double, std::string> TunePanel::objective_scale() const {
  // Accuracies read best in percent (the built-in evaluator's metrics are fractions).
  const double scale = setup_ && !setup_->external ? 100.0 : 1.0;
  return {scale, objective_label() + (scale == 100.0 ? " (%)" : "")};
}

void TunePanel::draw_empty_plot(ImVec2 size, const char* title, const char* hint) const {
  ImGui::TextUnformatted(title);
  ImGui::TextDisabled("%s", hint);
  ImGui::Dummy(ImVec2(size.x, std::max(0.0f, size.y - 2 * ImGui::GetTextLineHeightWithSpacing())));
}

void TunePanel::draw_sweep_plot(ImVec2 size, bool screenshot) {
  cell_centres_.clear();
  const auto [scale, obj_name] = objective_scale();
  if (sweep_axes_.empty()) {
    draw_empty_plot(size, "Sweep", "Choose one or two parameters on the left and press Run sweep.");
    return;
  }
  const search::SweepGrid grid(sweep_axes_);
  const auto& ax0 = sweep_axes_[0];
  const auto v0 = ax0.values();
  double vmin = INFINITY, vmax = -INFINITY;
  std::vector<double> shown(sweep_objective_.size());
  for (size_t i = 0; i < shown.size(); ++i) shown[i] = sweep_objective_[i] * scale;
  for (double v : shown)
    if (std::isfinite(v)) vmin = std::min(vmin, v), vmax = std::max(vmax, v);
  const bool any = vmin <= vmax;
  std::string headline = "Sweep: " + obj_name + (scale == 100.0 ? " (" + tune_split_ + ")" : "");
  if (sweep_best_ >= 0) {
    const auto bp = grid.point(static_cast<size_t>(sweep_best_));
    headline += "  best ";
    for (size_t i = 0; i < bp.size(); ++i) headline += sweep_space_[i].label() + "=" + fmt("%.3g", bp[i]) + " ";
    headline += fmt(scale == 100.0 ? ": %.1f%%" : ": %.4g", shown[static_cast<size_t>(sweep_best_)]);
  }
  ImGui::TextUnformatted(headline.c_str());
  ImGui::SameLine();
  ImGuiCompat::HelpMarker("Each point merges with the method's settings and this value, then scores the tuning split. "
                          "The green ring is the best point, the yellow one the current recipe. Click a point (or a "
                          "cell) to make it the current recipe; the bars below follow.");
  const float h = std::max(em(6.0f), size.y - ImGui::GetTextLineHeightWithSpacing());
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  int clicked = -1;
  if (sweep_axes_.size() == 1) {
    const double d = v0.size() > 1 ? (v0.back() - v0.front()) / static_cast<double>(v0.size() - 1) : 1.0;
    double y0 = any ? vmin : 0.0, y1 = any ? vmax : scale;
    const double pad = std::max(0.02 * scale, (y1 - y0) * 0.15);
    y0 = std::max(0.0, y0 - pad), y1 = y1 + 2.0 * pad;  // room for the best point's label
    Widgets::Canvas2D c = begin_grid_canvas("##sweep_curve", ImVec2(size.x, h), ax0.start - d / 2, ax0.stop + d / 2, y0, y1,
                                            v0, {}, sweep_space_[0].label().c_str(), obj_name.c_str());
    remember_rect("sweep_plot");
    // The curve through the finished points (pieces between gaps).
    std::vector<double> xs, ys;
    auto flush = [&] {
      if (xs.size() >= 2) Widgets::CanvasPolyline(c, xs.data(), ys.data(), static_cast<int>(xs.size()), IM_COL32(86, 180, 233, 255), 2.0f, false);
      xs.clear(), ys.clear();
    };
    for (size_t i = 0; i < v0.size(); ++i) {
      if (std::isfinite(shown[i])) xs.push_back(v0[i]), ys.push_back(shown[i]);
      else flush();
    }
    flush();
    for (size_t i = 0; i < v0.size(); ++i) {
      const double v = shown[i];
      const ImVec2 s = c.frame.ToScreen(v0[i], std::isfinite(v) ? v : y0);
      cell_centres_.emplace_back(s.x, s.y);
      if (std::isfinite(v)) c.dl->AddCircleFilled(s, em(0.22f), IM_COL32(86, 180, 233, 255));
    }
    if (sweep_best_ >= 0) {
      const double bx = v0[static_cast<size_t>(sweep_best_)], by = shown[static_cast<size_t>(sweep_best_)];
      const ImVec2 s = c.frame.ToScreen(bx, by);
      c.dl->AddLine(ImVec2(s.x, c.frame.p0.y), ImVec2(s.x, c.frame.p1.y), (kBest & 0x00FFFFFF) | 0x90000000, 2.0f);
      Widgets::CanvasMarker(c, bx, by, kBest, nullptr, 0.5f);
      const std::string label = "best " + sweep_space_[0].label() + "=" + fmt("%.3g", bx) + fmt(scale == 100.0 ? ": %.1f%%" : ": %.4g", by);
      const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      const float lx = std::clamp(s.x - ts.x / 2, c.frame.p0.x + 2, c.frame.p1.x - ts.x - 2);
      Widgets::HaloText(c.dl, ImVec2(lx, s.y - em(1.6f)), kBest, IM_COL32(0, 0, 0, 255), label.c_str());
    }
    if (current_.valid && current_.space.size() == 1 && current_.space[0].label() == sweep_space_[0].label()) {
      const double cx = current_.values[0];
      const auto it = std::min_element(v0.begin(), v0.end(), [&](double a, double b) { return std::abs(a - cx) < std::abs(b - cx); });
      const double cy = shown[static_cast<size_t>(it - v0.begin())];
      if (std::isfinite(cy)) {
        const ImVec2 s = c.frame.ToScreen(cx, cy);
        c.dl->AddCircle(s, em(0.75f), kCurrent, 0, 3.0f);
      }
    }
    if (c.hovered && c.frame.Contains(mouse)) {
      double x = 0, y = 0;
      c.frame.ToData(mouse, &x, &y);
      const int i = std::clamp(static_cast<int>(std::lround((x - ax0.start) / d)), 0, static_cast<int>(v0.size()) - 1);
      const double v = sweep_objective_[static_cast<size_t>(i)];
      if (!screenshot)
        ImGui::SetTooltip("%s = %.4g: %s", sweep_space_[0].label().c_str(), v0[static_cast<size_t>(i)],
                          std::isfinite(v) ? fmt("%.2f%%", 100 * v).c_str() : "not done");
      if (ImGui::IsMouseClicked(0) && std::isfinite(v)) clicked = i;
    }
    Widgets::EndCanvas2D(c);
  } else {
    const auto& ax1 = sweep_axes_[1];
    const auto v1 = ax1.values();
    const double d0 = v0.size() > 1 ? (v0.back() - v0.front()) / static_cast<double>(v0.size() - 1) : 1.0;
    const double d1 = v1.size() > 1 ? (v1.back() - v1.front()) / static_cast<double>(v1.size() - 1) : 1.0;
    const float bar_w = em(5.0f);
    Widgets::Canvas2D c = begin_grid_canvas("##sweep_map", ImVec2(size.x - bar_w, h), ax0.start - d0 / 2, ax0.stop + d0 / 2,
                                            ax1.start - d1 / 2, ax1.stop + d1 / 2, v0, v1, sweep_space_[0].label().c_str(),
                                            sweep_space_[1].label().c_str());
    remember_rect("sweep_plot");
    const double lo = any ? vmin : 0.0, hi = any ? std::max(vmax, vmin + 1e-6) : scale;
    const ImVec2 cell_px(std::abs(c.frame.ToScreen(d0, 0).x - c.frame.ToScreen(0, 0).x),
                         std::abs(c.frame.ToScreen(0, d1).y - c.frame.ToScreen(0, 0).y));
    const bool numbers = cell_px.x > ImGui::CalcTextSize("00.0").x + em(0.3f) && cell_px.y > em(1.1f);
    for (size_t i0 = 0; i0 < v0.size(); ++i0)
      for (size_t i1 = 0; i1 < v1.size(); ++i1) {
        const size_t idx = i0 * v1.size() + i1;
        const double v = shown[idx];
        const ImVec2 a = c.frame.ToScreen(v0[i0] - d0 / 2, v1[i1] + d1 / 2), b = c.frame.ToScreen(v0[i0] + d0 / 2, v1[i1] - d1 / 2);
        const ImVec2 mid((a.x + b.x) / 2, (a.y + b.y) / 2);
        cell_centres_.emplace_back(mid.x, mid.y);
        const float s = static_cast<float>((v - lo) / (hi - lo));
        c.dl->AddRectFilled(a, b, std::isfinite(v) ? Widgets::Viridis(s) : IM_COL32(60, 60, 60, 255));
        if (numbers && std::isfinite(v)) {
          const std::string t = fmt(scale == 100.0 ? "%.1f" : "%.3g", v);
          const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
          c.dl->AddText(ImVec2(mid.x - ts.x / 2, mid.y - ts.y / 2), s > 0.6f ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255), t.c_str());
        }
      }
    auto ring = [&](size_t idx, ImU32 col, float r) {
      const ImVec2 m(cell_centres_[idx].first, cell_centres_[idx].second);
      c.dl->AddRect(ImVec2(m.x - cell_px.x / 2 + 1, m.y - cell_px.y / 2 + 1), ImVec2(m.x + cell_px.x / 2 - 1, m.y + cell_px.y / 2 - 1),
                    IM_COL32(0, 0, 0, 255), 0, 0, r + 2.0f);
      c.dl->AddRect(ImVec2(m.x - cell_px.x / 2 + 1, m.y - cell_px.y / 2 + 1), ImVec2(m.x + cell_px.x / 2 - 1, m.y + cell_px.y / 2 - 1),
                    col, 0, 0, r);
    };
    if (current_.valid && current_.space.size() == 2 && current_.space[0].label() == sweep_space_[0].label() &&
        current_.space[1].label() == sweep_space_[1].label()) {
      const int i0 = std::clamp(static_cast<int>(std::lround((current_.values[0] - ax0.start) / d0)), 0, static_cast<int>(v0.size()) - 1);
      const int i1 = std::clamp(static_cast<int>(std::lround((current_.values[1] - ax1.start) / d1)), 0, static_cast<int>(v1.size()) - 1);
      ring(static_cast<size_t>(i0) * v1.size() + static_cast<size_t>(i1), kCurrent, 2.0f);
    }
    if (sweep_best_ >= 0) {
      ring(static_cast<size_t>(sweep_best_), IM_COL32(255, 255, 255, 255), 3.0f);
      const ImVec2 m(cell_centres_[static_cast<size_t>(sweep_best_)].first, cell_centres_[static_cast<size_t>(sweep_best_)].second);
      const std::string label = "best";
      const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      const float ly = m.y - cell_px.y / 2 - ts.y - 2 < c.frame.p0.y ? m.y + cell_px.y / 2 + 2 : m.y - cell_px.y / 2 - ts.y - 2;
      Widgets::HaloText(c.dl, ImVec2(std::clamp(m.x - ts.x / 2, c.frame.p0.x, c.frame.p1.x - ts.x), ly),
                        IM_COL32(255, 255, 255, 255), IM_COL32(0, 0, 0, 255), label.c_str());
    }
    if (c.hovered && c.frame.Contains(mouse)) {
      double x = 0, y = 0;
      c.frame.ToData(mouse, &x, &y);
      const int i0 = std::clamp(static_cast<int>(std::lround((x - ax0.start) / d0)), 0, static_cast<int>(v0.size()) - 1);
      const int i1 = std::clamp(static_cast<int>(std::lround((y - ax1.start) / d1)), 0, static_cast<int>(v1.size()) - 1);
      const size_t idx = static_cast<size_t>(i0) * v1.size() + static_cast<size_t>(i1);
      const double v = sweep_objective_[idx];
      if (!screenshot)
        ImGui::SetTooltip("%s = %.4g, %s = %.4g: %s", sweep_space_[0].label().c_str(), v0[static_cast<size_t>(i0)],
                          sweep_space_[1].label().c_str(), v1[static_cast<size_t>(i1)],
                          std::isfinite(v) ? fmt("%.2f%%", 100 * v).c_str() : "not done");
      if (ImGui::IsMouseClicked(0) && std::isfinite(v)) clicked = static_cast<int>(idx);
    }
    Widgets::EndCanvas2D(c);
    ImGui::SameLine(0, em(0.3f));
    Widgets::ColorBar("##sweep_bar", ImVec2(bar_w - em(0.6f), h), lo, hi, false, scale == 100.0 ? "%" : "objective");
  }
  if (clicked >= 0) set_current(TunePoint{sweep_space_, grid.point(static_cast<size_t>(clicked)),
                                          "sweep point " + std::to_string(clicked), sweep_objective_[static_cast<size_t>(clicked)], true});
}

void TunePanel::draw_cmaes_plot(ImVec2 size, bool screenshot) {
  gen_centres_.clear();
  const auto [scale, obj_name] = objective_scale();
  if (generations_.empty()) {
    draw_empty_plot(size, "CMA-ES fitness",
                    cmaes_job_.active() ? "first generation running..." : "Choose parameters and press Run CMA-ES.");
    return;
  }
  const Generation* top = nullptr;
  for (const auto& g : generations_)
    if (!top || (cmaes_maximize_ ? g.best > top->best : g.best < top->best)) top = &g;
  ImGui::Text("CMA-ES on %s: best %s in generation %d", scale == 100.0 ? tune_split_.c_str() : "the command's data",
              fmt(scale == 100.0 ? "%.1f%%" : "%.4g", scale * top->best).c_str(), top->number);
  ImGui::SameLine();
  ImGuiCompat::HelpMarker("Solid: the best candidate of each generation; dashed: the generation's mean; thin: the best so "
                          "far. Click a generation to make its best candidate the current recipe.");
  std::vector<double> xs, best, mean, so_far;
  double y0 = INFINITY, y1 = -INFINITY;
  for (const auto& g : generations_) {
    xs.push_back(g.number);
    best.push_back(scale * g.best), mean.push_back(scale * (std::isfinite(g.mean) ? g.mean : g.best));
    so_far.push_back(scale * g.best_so_far);
    for (double v : {best.back(), mean.back()})
      if (std::isfinite(v)) y0 = std::min(y0, v), y1 = std::max(y1, v);
  }
  if (!(y0 <= y1)) y0 = 0, y1 = 1;
  const double pad = std::max(0.01 * scale, (y1 - y0) * 0.12);
  Widgets::PlotSeries series[3] = {
      {"best of generation", xs.data(), best.data(), static_cast<int>(xs.size()), kBest, false, 2.0f},
      {"mean of generation", xs.data(), mean.data(), static_cast<int>(xs.size()), IM_COL32(86, 180, 233, 255), true, 2.0f},
      {"best so far", xs.data(), so_far.data(), static_cast<int>(xs.size()), IM_COL32(200, 200, 200, 255), false, 1.0f}};
  Widgets::LinePlotSpec spec;
  spec.x_title = "generation";
  spec.y_title = obj_name.c_str();
  spec.x0 = 0.5, spec.x1 = std::max(4.0, xs.back()) + 0.5;  // whole generations on the axis
  spec.y0 = std::max(0.0, y0 - pad), spec.y1 = y1 + 2.5 * pad;  // room for the legend above the curves
  std::vector<Widgets::PlotPoint> pts;
  for (const auto& g : generations_) pts.push_back({static_cast<double>(g.number), scale * g.best, kBest, nullptr});
  int current_gen = -1;
  if (current_.source.rfind("generation ", 0) == 0) current_gen = std::atoi(current_.source.c_str() + 11);
  spec.points = pts.data();
  spec.point_count = static_cast<int>(pts.size());
  spec.legend_columns = 3;
  spec.legend = size.y > em(14.0f);  // a short plot keeps its curves visible; the (?) names them
  if (current_gen > 0) spec.marker_x = current_gen, spec.marker_color = kCurrent;
  const float h = std::max(em(6.0f), size.y - ImGui::GetTextLineHeightWithSpacing());
  const auto r = Widgets::LinePlot("##cmaes_plot", ImVec2(size.x, h), spec, series, 3);
  remember_rect("cmaes_plot");
  for (const auto& g : generations_) {
    const ImVec2 s = r.frame.ToScreen(g.number, scale * g.best);
    gen_centres_.emplace_back(s.x, s.y);
  }
  if (r.hovered && std::isfinite(r.hover_x)) {
    const int gi = std::clamp(static_cast<int>(std::lround(r.hover_x)), 1, static_cast<int>(generations_.size()));
    const Generation& g = generations_[static_cast<size_t>(gi - 1)];
    if (ImGui::IsMouseClicked(0))
      set_current(TunePoint{cmaes_space_, g.best_values, "generation " + std::to_string(g.number), g.best, true});
    (void)screenshot;
  }
}

void TunePanel::draw_bars(ImVec2 size, bool test_split, bool screenshot) {
  const std::string split = test_split ? test_split_ : tune_split_;
  if (!setup_) {
    ImGui::Dummy(size);
    return;
  }
  if (setup_->external) {
    if (test_split) {
      ImGui::TextDisabled("External evaluator: the command chooses its data (no split).");
      return;
    }
    std::vector<std::string> keys;
    for (const auto* m : {&reports_.current_external, &reports_.best_external})
      for (const auto& [k, v] : *m)
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    std::vector<double> cur, best;
    std::vector<const char*> names;
    double top = 0;
    for (const auto& k : keys) {
      names.push_back(k.c_str());
      cur.push_back(reports_.current_external.count(k) ? reports_.current_external.at(k) : kNaN);
      best.push_back(reports_.best_external.count(k) ? reports_.best_external.at(k) : kNaN);
      top = std::max({top, std::isfinite(cur.back()) ? cur.back() : 0.0, std::isfinite(best.back()) ? best.back() : 0.0});
    }
    ImGui::TextUnformatted("External metrics of the current and the best recipe");
    if (keys.empty()) return;
    Widgets::BarSeries s[2] = {{"current", cur.data(), kCurrent, true}, {"best", best.data(), kBest, false}};
    Widgets::BarChartSpec spec;
    spec.group_labels = names.data();
    spec.group_count = static_cast<int>(names.size());
    spec.y0 = 0, spec.y1 = top > 0 ? top * 1.15 : 1.0;
    spec.value_format = "%.3g";
    spec.value_scale = 1.0;
    spec.tooltip = !screenshot;
    Widgets::BarChart("##ext_bars", ImVec2(size.x, size.y - ImGui::GetTextLineHeightWithSpacing()), spec, s, reports_.has_best ? 2 : 1);
    return;
  }
  ImGui::Text("Accuracy per task on the %s split%s", split.c_str(), test_split ? " (held out: over-fitting shows here)" : " (tuned on)");
  std::vector<std::string> groups = setup_->task_names;
  groups.push_back("combined");
  std::vector<const char*> names;
  for (const auto& g : groups) names.push_back(g.c_str());
  auto values = [&](const eval::EvalReport& r) {
    std::vector<double> v;
    for (const auto& t : r.tasks) v.push_back(t.metrics.accuracy);
    v.resize(groups.size() - 1, kNaN);
    v.push_back(r.combined_accuracy);
    return v;
  };
  std::vector<std::vector<double>> data;
  std::vector<std::string> labels;
  std::vector<Widgets::BarSeries> series;
  if (reports_.has_current) {
    data.push_back(values(test_split ? reports_.current_test : reports_.current_tune));
    labels.push_back("current");
  }
  if (reports_.has_best) {
    data.push_back(values(test_split ? reports_.best_test : reports_.best_tune));
    labels.push_back("best");
  }
  data.push_back(values(test_split ? setup_->base_test : setup_->base_tune));
  labels.push_back("base");
  for (size_t i = 0; i < setup_->model_tune.size(); ++i) {
    data.push_back(values(test_split ? setup_->model_test[i] : setup_->model_tune[i]));
    labels.push_back(file_name(setup_->models[i]));
  }
  for (size_t i = 0; i < data.size(); ++i) {
    ImU32 col = kBase;
    if (labels[i] == "current" && i == 0 && reports_.has_current) col = kCurrent;
    else if (labels[i] == "best" && reports_.has_best) col = kBest;
    else if (i >= data.size() - setup_->model_tune.size()) col = kModels[(i - (data.size() - setup_->model_tune.size())) % 4];
    series.push_back({labels[i].c_str(), data[i].data(), col, col == kCurrent});
  }
  Widgets::BarChartSpec spec;
  spec.group_labels = names.data();
  spec.group_count = static_cast<int>(names.size());
  spec.y0 = 0, spec.y1 = 1.0;
  spec.y_title = "accuracy (%)";
  spec.value_format = "%.0f";
  spec.tooltip = !screenshot;
  Widgets::BarChart(test_split ? "##bars_test" : "##bars_tune", ImVec2(size.x, size.y - ImGui::GetTextLineHeightWithSpacing()),
                    spec, series.data(), static_cast<int>(series.size()));
  remember_rect(test_split ? "bars_test" : "bars_tune");
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
