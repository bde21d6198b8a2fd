// Tune: find a merge recipe's best hyper-parameters on real checkpoints, live.
//
// A base and its fine-tunes (the Checkpoints panel's loaded selection, or paths typed here) are held in memory as
// an eval::MergeFamily; every candidate recipe is merged in memory and scored by the built-in evaluator on the
// tuning split (or by an external command on a temporary checkpoint). Two searches run on a worker thread while
// the frame goes on:
//   - a grid sweep over one or two parameters (search::run_sweep): a curve or a heat map that fills in as points
//     finish, the best point marked; clicking a point makes it the current recipe;
//   - CMA-ES over chosen parameters (search::Cmaes, ask/tell): every generation's best and mean fitness plotted as
//     it ends; clicking a generation makes its best candidate the current recipe.
// Per-task accuracy bars compare the current recipe, the best one, the base and each fine-tune on the tuning and
// the test split, so a recipe that over-fits the tuning split shows. The current recipe goes to the Checkpoints
// panel (method and parameters) or to a mergekit YAML file.
//
// Background jobs (app/gui/jobs.h) share immutable inputs (shared_ptr<const TuneSetup>) and publish results under a
// mutex; the panel copies them once per frame. Nothing here blocks the frame except in screenshot mode (deterministic pictures).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "app/gui/jobs.h"
#include "app/gui/panel.h"
#include "core/eval/merge_eval.h"
#include "core/search/objective.h"
#include "core/search/recipe_space.h"
#include "core/search/sweep.h"

namespace mergelab::app {

struct PointScorer;  // tune_panel_jobs.cpp: merges and scores one point of a search space

/// Everything a search reads, loaded once on a worker and shared read-only with the runs.
struct TuneSetup {
  std::string key;  ///< the inputs it was loaded from (paths, data, splits): a change asks for a reload
  std::string base;
  std::vector<std::string> models;
  std::unique_ptr<eval::MergeFamily> family;
  bool external = false;  ///< scored by an external command (no data needed)
  eval::TaskSet tune, test;
  std::vector<std::string> task_names;
  /// Reference reports (built-in evaluator only): the base and each fine-tune on both splits.
  eval::EvalReport base_tune, base_test;
  std::vector<eval::EvalReport> model_tune, model_test;
};

/// One candidate: values of a search space, on top of the panel's method settings.
struct TunePoint {
  std::vector<search::RecipeParam> space;
  std::vector<double> values;
  std::string source;  ///< "sweep point 6", "generation 3", "settings"
  double objective = 0;
  bool valid = false;
};

class TunePanel : public Panel {
 public:
  TunePanel();
  ~TunePanel() override;

  const char* id() const override { return "tune"; }
  const char* title() const override { return "Tune"; }
  const char* help() const override;
  const char* view() const override { return "tune"; }
  void draw(AppContext& ctx) override;
  void attach(Workspace& ws) override { ws_ = &ws; }
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  nlohmann::json state() const override;

 private:
  /// What the sweep worker publishes (under mutex).
  struct SweepShared {
    std::mutex mutex;
    std::vector<double> objective;  ///< per grid point, NaN until done
    std::vector<std::string> errors;
    std::size_t done = 0, total = 0;
    double elapsed = 0, eta = 0;
  };
  struct SweepOutcome {
    bool cancelled = false;
    std::string error;
    double seconds = 0;
  };
  /// One CMA-ES generation as plotted (objective units: larger is better when maximising).
  struct Generation {
    int number = 0;
    std::int64_t evaluations = 0;
    double best = 0, mean = 0, best_so_far = 0, sigma = 0;
    std::vector<double> best_values;  ///< the generation's best candidate, in parameter units
  };
  struct CmaesShared {
    std::mutex mutex;
    std::vector<Generation> generations;
    std::int64_t evaluations = 0;
  };
  struct CmaesOutcome {
    bool cancelled = false;
    std::string error, stop;
    double seconds = 0;
  };
  struct Reports {
    std::string key;
    eval::EvalReport current_tune, current_test, best_tune, best_test;
    bool has_current = false, has_best = false;
    eval::MetricMap current_external, best_external;
    std::string error;
  };
  struct Rect {
    float x0, y0, x1, y1;
  };

  // ---- settings (saved) ----
  std::string base_;
  std::vector<std::string> models_;
  std::string data_;
  std::string tune_split_ = "val", test_split_ = "test";
  bool external_ = false;
  std::string command_;
  double timeout_ = 60.0;
  std::string method_ = "task_arithmetic";
  std::map<std::string, double> global_;
  std::vector<std::map<std::string, double>> per_model_;
  int objective_ = 0;             ///< 0 mean, 1 min, 2 weighted
  std::string objective_keys_;    ///< weighted: "task0.acc=0.5,..."; external: metric names
  bool global_scope_ = false;     ///< merge over the whole flattened model (the article's rules)
  bool use_base_ = true;          ///< methods whose base is optional (nuslerp, multislerp, karcher): merge with the base
  int seed_ = 0;
  int threads_ = 1;  ///< search workers; one leaves the other core to the window (llvmpipe renders on the CPU)
  int n_axes_ = 1;
  std::string axis_name_[2] = {"lambda", "weight@0"};
  double axis_start_[2] = {0.0, 0.0}, axis_stop_[2] = {1.0, 1.0};
  int axis_steps_[2] = {11, 11};
  std::vector<std::string> cma_params_;  ///< labels ("weight@0", "lambda", ...)
  int population_ = 0;
  double sigma_ = 0.25;
  int budget_ = 40;
  int cma_seed_ = 0;
  std::string yaml_path_;
  std::string evolve_tasks_;  ///< lm-eval-harness tasks of the mergekit-evolve export, "NAME[=WEIGHT],..."
  std::string evolve_dir_;    ///< its folder (genome.yml, run.sh)

  // ---- loaded inputs and results ----
  std::shared_ptr<const TuneSetup> setup_;
  Job<std::shared_ptr<const TuneSetup>> load_job_;
  std::string load_error_;
  std::string status_;

  Job<SweepOutcome> sweep_job_;
  std::shared_ptr<SweepShared> sweep_shared_;
  std::vector<search::SweepAxis> sweep_axes_;           ///< axes of the last sweep
  std::vector<search::RecipeParam> sweep_space_;
  std::vector<double> sweep_objective_;                 ///< copy of the worker's results
  std::vector<std::string> sweep_errors_;
  std::size_t sweep_done_ = 0, sweep_total_ = 0;
  double sweep_elapsed_ = 0, sweep_eta_ = 0;
  std::string sweep_state_ = "idle", sweep_message_;
  int sweep_best_ = -1;
  bool sweep_maximize_ = true;

  Job<CmaesOutcome> cmaes_job_;
  std::shared_ptr<CmaesShared> cmaes_shared_;
  std::vector<search::RecipeParam> cmaes_space_;
  std::vector<Generation> generations_;
  std::int64_t cmaes_evaluations_ = 0;
  std::string cmaes_state_ = "idle", cmaes_message_;
  bool cmaes_maximize_ = true;

  TunePoint current_, best_;
  std::string best_from_;  ///< "sweep" or "cmaes"
  Job<Reports> report_job_;
  Reports reports_;
  std::string reports_wanted_;  ///< key of the reports the panel shows (recomputed when it changes)

  Job<std::string> export_job_;
  std::string export_state_ = "idle", export_message_;
  bool confirm_overwrite_ = false, open_confirm_ = false;
  Job<std::string> evolve_job_;
  std::string evolve_state_ = "idle", evolve_message_;
  std::string load_ckpt_message_;

  // ---- UI ----
  Workspace* ws_ = nullptr;  ///< the window's: the Checkpoints selection and the recipe hand-over
  bool auto_started_ = false;
  int pending_run_ = 0;  ///< 1 sweep, 2 CMA-ES: started once the inputs being loaded are ready
  bool took_selection_ = false;
  std::map<std::string, Rect> rects_;
  std::vector<std::pair<float, float>> cell_centres_;  ///< screen centre of each sweep point (state dump)
  std::vector<std::pair<float, float>> gen_centres_;   ///< screen x,y of each generation's best marker

  void reset_params();
  std::string inputs_key() const;
  /// The base's role in the current method's merges (mergekit's rule for a base_model; with the base or not).
  eval::BaseRole base_role() const;
  /// Models the current method merges: the fine-tunes, plus the base when it joins them (karcher).
  std::size_t merged_model_count() const;
  std::vector<std::string> axis_candidates() const;
  std::vector<std::string> cmaes_defaults() const;
  search::ObjectiveSpec objective_spec(const TuneSetup& s) const;
  std::pair<std::map<std::string, double>, std::vector<std::map<std::string, double>>> settings_with(
      const TunePoint& p) const;
  recipe::Recipe recipe_for(const TunePoint& p) const;
  /// Fills a scorer whose method and space are set: setup, base parameters and recipe at `start`, seed,
  /// scope, external command and objective, all from the current settings.
  void prepare_scorer(PointScorer& scorer, const std::vector<double>& start) const;
  merge::Params params_for(const TunePoint& p) const;
  void set_current(TunePoint p);
  std::string objective_label() const;  ///< "mean task accuracy", "min of accuracy,f1", ...
  void remember_rect(const std::string& name);

  void start_load();
  /// "Run ..." (loads the inputs first when they changed; `pending` then starts the run) and "Cancel".
  void draw_run_cancel(const char* run_label, const char* what, bool running, int pending, const std::function<void()>& cancel,
                       void (TunePanel::*start)());
  void start_sweep();
  void start_cmaes();
  /// The CMA-ES search space of the settings: each chosen parameter over its registry range clipped to
  /// [0, 2], as `mergelab evolve`. Throws std::runtime_error when nothing is chosen or a label is unknown.
  void cmaes_space(const merge::MethodSpec& spec, std::vector<search::RecipeParam>& space, std::vector<double>& lo,
                   std::vector<double>& hi) const;
  /// The CMA-ES settings written for mergekit-evolve (genome.yml + run.sh in the chosen folder), in the background.
  void start_evolve_export();
  void start_reports();
  void start_export(bool overwrite);
  void load_into_checkpoints();
  void poll(bool block);
  /// Whether a search's best point (its objective) becomes the best recipe (search::replaces_kept_best).
  bool replaces_best(bool cancelled, double objective, bool maximize) const;

  void draw_inputs();
  void draw_method();
  void draw_sweep_controls();
  void draw_cmaes_controls();
  void draw_recipe();
  /// 100 and "<objective> (%)" for the built-in evaluator's fractions; 1 and the plain name otherwise.
  std::pair<double, std::string> objective_scale() const;
  /// A plot's place before there is anything to plot: its title, a hint, and the space kept.
  void draw_empty_plot(ImVec2 size, const char* title, const char* hint) const;
  void draw_sweep_plot(ImVec2 size, bool screenshot);
  void draw_cmaes_plot(ImVec2 size, bool screenshot);
  void draw_bars(ImVec2 size, bool test_split, bool screenshot);
  void draw_confirm();
};

}  // namespace mergelab::app
