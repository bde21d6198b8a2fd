// Checkpoints: a base and its fine-tunes on disk -> compatibility report, per-tensor diagnostics (task-vector
// norms, cosines, sign conflicts, fraction kept at a density), a histogram of one tensor's task vector with the
// trim threshold, a method from the registry with its parameters, a background merge through core/engine
// (progress, cancel) and a mergekit YAML export through core/recipe.
//
// Every file access runs as a background job (app/gui/jobs.h); the panel polls them once per frame and keeps
// showing the previous result until the new one is ready. The opened checkpoints are shared (shared_ptr) with
// the jobs that read them, so a job outlives a reload safely.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/gui/jobs.h"
#include "app/gui/panel.h"
#include "app/panels/folder_browser.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/compat.h"
#include "core/checkpoint/family.h"
#include "core/checkpoint/diagnostics.h"
#include "core/checkpoint/lora.h"
#include "core/engine/engine.h"
#include "core/engine/preflight.h"
#include "core/recipe/recipe.h"
#include "widgets/histogram.h"

namespace mergelab::app {

using ckpt::CheckpointFamily;

class CheckpointsPanel : public Panel {
 public:
  CheckpointsPanel();
  ~CheckpointsPanel() override;

  const char* id() const override { return "checkpoints"; }
  const char* title() const override { return "Checkpoints"; }
  const char* help() const override;
  const char* view() const override { return "checkpoints"; }
  int column() const override { return 1; }
  void draw(AppContext& ctx) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& j) override;
  nlohmann::json state() const override;

  /// Publishes the loaded selection in the workspace and installs its recipe hand-over (set_recipe).
  void attach(Workspace& ws) override;
  /// Sets the method and its parameters (a tuned recipe): values of names the method lacks are ignored, missing
  /// ones keep the method's defaults. Returns false (nothing changed) for an unknown method.
  bool set_recipe(const std::string& method, const std::map<std::string, double>& global,
                  const std::vector<std::map<std::string, double>>& per_model);

 private:
  struct LoadResult {
    std::shared_ptr<CheckpointFamily> family;
    std::vector<ckpt::TensorDiagnostics> diags;
    double density = 0;
    std::string error;
  };
  struct DiagResult {
    std::vector<ckpt::TensorDiagnostics> diags;
    double density = 0;
    std::string error;
  };
  struct HistResult {
    std::string tensor;
    int model = 0;
    double density = 0;
    std::string density_of;  ///< whose density it is: "ft_task1's", "the method's", "the table's"
    Widgets::HistogramBins bins;
    double threshold = 0;
    std::uint64_t numel = 0;
    std::uint64_t zeros = 0;  ///< entries exactly 0 (not binned)
    std::string error;
  };
  struct MergeStatus {
    std::mutex mutex;
    engine::Progress progress;
  };
  struct JobResult {
    bool ok = false;
    bool cancelled = false;
    std::string message;
  };
  struct Rect {
    float x0, y0, x1, y1;
  };

  // ---- settings ----
  std::string base_;
  std::vector<std::string> models_;
  std::string method_ = "ties";
  bool use_base_ = true;  ///< methods whose base is optional (nuslerp, multislerp, karcher): merge with the base
  std::map<std::string, double> global_;              ///< non-per-model parameters
  std::vector<std::map<std::string, double>> per_model_;  ///< per-model parameters, one map per model
  double density_ = 0.2;  ///< density of the table's "kept" column and the histogram threshold
  std::string out_dir_, yaml_path_;
  bool force_merge_ = false, force_export_ = false;
  int threads_ = 2;
  int seed_ = 0;

  // ---- results ----
  std::shared_ptr<CheckpointFamily> family_;
  std::vector<ckpt::TensorDiagnostics> diags_;
  double diag_density_ = -1;
  std::vector<int> order_;  ///< display order of diags_ (sorted)
  int sort_column_ = 0;
  bool sort_ascending_ = true;
  std::string selected_;
  int hist_model_ = 0;
  HistResult hist_;
  bool hist_valid_ = false;

  // ---- jobs ----
  Job<LoadResult> load_job_;
  Job<DiagResult> diag_job_;
  Job<HistResult> hist_job_;
  Job<JobResult> merge_job_;
  Job<JobResult> export_job_;
  /// Re-run whenever the recipe changes (latest wins); each result carries the key of the recipe it checked.
  LatestJob<std::pair<std::uint64_t, engine::Preflight>> preflight_job_;
  /// The settings a pre-flight depends on, compared field by field every frame (nothing is serialised).
  struct PreflightInputs {
    const CheckpointFamily* family = nullptr;
    std::string base, method;
    std::vector<std::string> models;
    bool use_base = true;
    std::map<std::string, double> global;
    std::vector<std::map<std::string, double>> per_model;
    int seed = 0, threads = 0;
    bool operator==(const PreflightInputs&) const = default;
  };
  PreflightInputs preflight_inputs_;  ///< of the shown or running pre-flight
  std::uint64_t preflight_generation_ = 0;  ///< bumped on every change; results of older ones are dropped
  bool preflight_running_ = false;          ///< a pre-flight of the current inputs is on its way
  std::optional<engine::Preflight> preflight_;  ///< the last finished one
  std::shared_ptr<MergeStatus> merge_status_ = std::make_shared<MergeStatus>();
  std::string merge_state_ = "idle", merge_message_;
  std::string export_state_ = "idle", export_message_;
  engine::Progress last_progress_;

  // ---- UI ----
  std::string error_title_, error_text_;
  bool open_error_ = false;
  bool error_shown_ = false;
  int browse_target_ = -100;  ///< -1 base, >= 0 model, -2 output folder, -3 YAML path
  FolderBrowser browser_;
  bool auto_loaded_ = false;
  bool load_on_open_ = false;  ///< a scene or session asks for the family to be loaded when the panel first draws
  float actions_h_ = 0.0f;     ///< height of the Merge and export block last frame (it stays in view below the rest)
  float setup_h_ = 0.0f;       ///< height of the inputs, report and method last frame
  Workspace* ws_ = nullptr;
  void publish();  ///< the loaded selection and model count into the workspace
  std::map<std::string, Rect> rects_;

  void remember_rect(const std::string& name);
  void show_error(const std::string& title, const std::string& text);
  void reset_params();
  recipe::Recipe make_recipe() const;
  /// The recipe for a merge or export job writing to `target`; on a problem (no target: `missing`, or a
  /// recipe error) sets state/message, shows the error dialog titled `title` and returns nothing.
  std::optional<recipe::Recipe> recipe_for_job(const std::string& target, const char* missing, const char* title,
                                               std::string& state, std::string& message);

  void start_load();
  void start_diagnostics();
  /// The density of the histogram's trim line, and whose it is: the histogram model's own when the method sets
  /// density per model, else the method's, else the table's (the "kept" column's slider).
  std::pair<double, std::string> hist_density() const;
  void start_histogram();
  void start_merge();
  void start_export();
  void poll_jobs(bool block);
  /// After Load: the pre-flight of the current recipe (`mergelab merge --dry-run`), recomputed in the
  /// background when the recipe changes, so that what Merge would refuse shows before it is pressed.
  void update_preflight();
  void draw_preflight();  ///< one line under Merge: what the pre-flight found (its full report as a tooltip)
  void sort_rows();

  void draw_inputs(AppContext& ctx);
  void draw_compat();
  void draw_method();
  void draw_actions();
  void draw_table(float height);
  void draw_histogram(float height);
  void draw_error_popup();
  void accept_path(const std::string& path);
};

}  // namespace mergelab::app
