// Tune panel, worker side (see tune_panel.h): loading the inputs, scoring one point, the sweep, CMA-ES, report
// and export jobs, and polling them once per frame. Nothing here draws.
//
// [SECTION] Loading and scoring a point
// [SECTION] Panel: starting and polling the jobs
#include "app/panels/tune_panel.h"
#include "app/panels/tune_panel_internal.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "app/panels/text.h"
#include "core/eval/dataset.h"
#include "core/io/parallel.h"
#include "core/merge/registry.h"
#include "core/recipe/mergekit_yaml.h"
#include "core/search/cmaes.h"
#include "core/search/mergekit_evolve.h"

namespace mergelab::app {

namespace fs = std::filesystem;
using text::fmt;
using tune_detail::kMaxSteps;
using tune_detail::kNaN;
using tune_detail::point_text;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Loading and scoring a point
// ---------------------------------------------------------------------------------------------------

namespace {

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

// ---------------------------------------------------------------------------------------------------
// [SECTION] Panel: starting and polling the jobs
// ---------------------------------------------------------------------------------------------------

void TunePanel::start_load() {
  if (load_job_.active()) return;
  load_error_.clear();
  const std::string key = inputs_key();
  std::vector<std::string> models;
  for (const auto& m : models_)
    if (!m.empty()) models.push_back(m);
  const std::string base = base_, data = data_, tune = tune_split_, test = test_split_;
  const bool external = external_;
  const eval::BaseRole role = base_role();  // part of inputs_key(): a change reloads
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
    s->family->set_base_role(role);
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

void TunePanel::cmaes_space(const merge::MethodSpec& spec, std::vector<search::RecipeParam>& space,
                            std::vector<double>& lo, std::vector<double>& hi) const {
  if (cma_params_.empty()) throw std::runtime_error("choose at least one parameter to search");
  for (const auto& label : cma_params_) {
    const auto rp = search::parse_recipe_param(label, spec, models_.size());
    const auto [l, h] = search::param_range(rp, spec);
    space.push_back(rp);
    lo.push_back(std::max(l, 0.0));  // as `mergelab evolve`: the registry range clipped to [0, 2]
    hi.push_back(std::min(h, 2.0));
  }
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
    cmaes_space(*scorer.method, scorer.space, lo, hi);
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

void TunePanel::start_evolve_export() {
  if (evolve_job_.active()) return;
  search::EvolveSearch search;
  std::vector<search::EvolveTask> tasks;
  std::string dir;
  try {
    const merge::MethodSpec* spec = merge::find_method(method_);
    if (!spec) throw std::runtime_error("unknown method '" + method_ + "'");
    if (evolve_dir_.empty()) throw std::runtime_error("type a folder for genome.yml and run.sh first");
    if (evolve_tasks_.empty())
      throw std::runtime_error("name the lm-eval-harness tasks mergekit-evolve scores (e.g. my_task=2,other)");
    tasks = search::parse_evolve_tasks(evolve_tasks_);
    search.recipe = recipe_for(current_);
    search.layout = recipe::merge_layout(search.recipe);
    std::vector<double> lo, hi;
    cmaes_space(*spec, search.params, lo, hi);
    for (size_t i = 0; i < lo.size(); ++i) search.bounds.emplace_back(lo[i], hi[i]);
    search.seed = static_cast<std::uint32_t>(seed_);  // the merges' seed (DARE draws), as `mergelab evolve --seed`
    search.budget = budget_;
    search.population = population_;
    search.sigma = sigma_;
    dir = fs::absolute(evolve_dir_).lexically_normal().string();
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) throw std::runtime_error(dir + ": is a file, not a folder");
  } catch (const std::exception& e) {
    evolve_state_ = "failed", evolve_message_ = e.what();
    return;
  }
  evolve_state_ = "running", evolve_message_.clear();
  evolve_job_.start([search, tasks, dir](JobControl&) {
    const auto e = search::mergekit_evolve_export(search, tasks);
    search::write_mergekit_evolve(dir, e);  // each file: temp file + rename
    std::string text = "wrote " + dir + "/genome.yml and run.sh";
    if (!e.notes.empty()) text += " (" + std::to_string(e.notes.size()) + " settings do not carry over: see genome.yml)";
    return text;
  });
}

bool TunePanel::replaces_best(bool cancelled, double objective, bool maximize) const {
  return search::replaces_kept_best(cancelled, best_.valid ? &best_.objective : nullptr, objective, maximize);
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
    if (sweep_best_ >= 0 && !sweep_axes_.empty() && replaces_best(r.cancelled, sweep_objective_[static_cast<size_t>(sweep_best_)], sweep_maximize_)) {
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
    if (top && replaces_best(r.cancelled, top->best, cmaes_maximize_)) {
      TunePoint p{cmaes_space_, top->best_values, "generation " + std::to_string(top->number), top->best, true};
      best_ = p;
      best_from_ = "cmaes";
      set_current(p);
    }
  }
  // The file writers: their message, or their error, and "done" or "failed".
  auto take_writer = [block](Job<std::string>& job, std::string& state, std::string& message) {
    if (!job.poll(block)) return;
    try {
      message = job.take();
      state = "done";
    } catch (const std::exception& e) {
      message = e.what();
      state = "failed";
    }
  };
  take_writer(export_job_, export_state_, export_message_);
  take_writer(evolve_job_, evolve_state_, evolve_message_);
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

}  // namespace mergelab::app
