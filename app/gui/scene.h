// The explorer's toy scene: plain parameter structs (saved as JSON) and the derived results cached
// beside them ("recompute when inputs changed"), so an unchanged frame only draws.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/toy/article.h"
#include "core/toy/landscape.h"
#include "core/toy/mlp.h"

namespace mergelab::app {

/// Which trained pair the Weight Space Explorer and the curves show.
enum class ModelKind { Logistic, Mlp };
/// Model: the active model's plane (the whole (w1, w2) plane for the logistic model, the slice through
/// the origin and both endpoints for the MLP). LabSlice: the 4-D Merge Lab specialists of tasks 0 and 1
/// on the slice theta0 + a tau1 + b tau2.
enum class ExplorerView { Model, LabSlice };
enum class HeatField { Task1, Task2, Combined };
/// What the MLP's model B learns. Other: Task 2 (A and B learn different tasks; the article's setting).
/// Same: Task 1 again, on its own draw of the data (the classic barrier demo: one task, two inits).
enum class MlpBTask { Other, Same };

/// Everything the user sets in the three toy panels. Every field documents its default.
struct SceneParams {
  toy::InterpolationSetup article;    ///< article defaults: seed 42, 200 samples, lr 0.1, 300 steps, same init
  toy::MlpSetup mlp;                  ///< h 8, init scale 3, lr 0.5, 300 steps, init seed 2
  MlpBTask mlp_b_task = MlpBTask::Other;  ///< MLP: B learns Task 2 (other) or Task 1 again (same)
  ModelKind model = ModelKind::Logistic;
  ExplorerView view = ExplorerView::Model;
  HeatField field = HeatField::Combined;
  toy::PathKind path = toy::PathKind::Lerp;  ///< the active path (the other one is drawn faint)
  double t = 0.0;                            ///< merge parameter along the active path, [0, 1]
  bool free_point = false;                   ///< the point may leave the path (snaps back when near it)
  bool point_on_path = true;                 ///< false once a free drag left the path
  double free_a = 0.0, free_b = 0.0;         ///< point in plane coordinates when off the path
  bool show_contours = true;
  bool show_trajectories = true;
  bool show_accuracy = false;                ///< accuracy curves in the Interpolation Curves panel
  bool replay_playing = false;               ///< animated replay of the gradient-descent trajectories
  double replay_progress = 1.0;              ///< [0, 1] of the trajectories drawn
};

void to_json(nlohmann::json& j, const SceneParams& p);
void from_json(const nlohmann::json& j, SceneParams& p);  ///< missing keys keep their defaults

/// Samples of one path (LERP or SLERP) between the shown endpoints.
struct PathCurves {
  std::vector<double> t, loss1, loss2, combined, acc1, acc2, norm;
  std::vector<double> a, b;  ///< the samples in plane coordinates (projected when off the plane)
  int argmin_combined = 0;
  double barrier = 0.0;      ///< max(loss_barrier(Task 1), loss_barrier(Task 2)) along the path
};

/// Derived results. update() recomputes only what the changed inputs touch.
class ToyScene {
 public:
  /// Recomputes what changed. `interacting`: a control is being dragged (slow grids use a coarser
  /// resolution until it is released).
  /// `wait`: block until the grids of these inputs are ready (screenshots, first frame); otherwise
  /// the MLP grids are computed on a worker thread and the last finished grid is shown meanwhile.
  void update(const SceneParams& p, bool interacting, bool wait = false);
  ToyScene();
  ~ToyScene();
  ToyScene(const ToyScene&) = delete;
  ToyScene& operator=(const ToyScene&) = delete;
  bool grid_pending() const;  ///< a newer grid is being computed

  // --- what the explorer and the curves show (valid after update) ---
  const Eigen::VectorXd& w_a() const { return w_a_; }
  const Eigen::VectorXd& w_b() const { return w_b_; }
  const Eigen::VectorXd& init_a() const { return init_a_; }
  const Eigen::VectorXd& init_b() const { return init_b_; }
  const toy::Plane& plane() const { return plane_; }
  const toy::GridSpec& spec() const { return spec_; }
  const toy::Grid& grid(HeatField f) const;
  int grid_version() const { return grid_version_; }  ///< bumps when any grid is recomputed
  const PathCurves& curves(toy::PathKind k) const { return k == toy::PathKind::Lerp ? lerp_ : slerp_; }
  const std::vector<Eigen::Vector2d>& trajectory_a() const { return traj_a_; }
  const std::vector<Eigen::Vector2d>& trajectory_b() const { return traj_b_; }
  const char* axis_a() const { return axis_a_.c_str(); }
  const char* axis_b() const { return axis_b_.c_str(); }
  const char* caption() const { return caption_.c_str(); }
  const char* task_name(int task) const { return task == 1 ? task1_name_.c_str() : task2_name_.c_str(); }
  bool slerp_in_plane() const { return slerp_in_plane_; }
  int hidden() const { return hidden_; }  ///< 0 for the logistic models

  double loss(int task, const Eigen::VectorXd& w) const;      ///< task 1 or 2
  double accuracy(int task, const Eigen::VectorXd& w) const;  ///< task 1 or 2

  /// The merge point of the parameters: on the active path at t, or free in the plane.
  struct Point {
    Eigen::VectorXd w;
    Eigen::Vector2d ab;  ///< plane coordinates (projected)
    double loss1 = 0, loss2 = 0, acc1 = 0, acc2 = 0, norm = 0;
  };
  Point point(const SceneParams& p) const;

  int retrain_count() const { return retrain_count_; }

  struct Trained;  ///< one training result (scene.cpp)

 private:
  nlohmann::json train_key_;
  std::string grid_key_, grid_kind_;  ///< inputs of the grids on screen
  toy::InterpolationToy art_;
  toy::MlpToy mlp_;
  toy::LabToy lab_;
  bool lab_ready_ = false;
  const toy::Dataset* task1_ = nullptr;
  const toy::Dataset* task2_ = nullptr;
  int hidden_ = 0;
  Eigen::VectorXd w_a_, w_b_, init_a_, init_b_;
  toy::Plane plane_;
  toy::GridSpec spec_;
  std::array<double, 4> box_{};
  bool box_valid_ = false;
  toy::Grid grid1_, grid2_, combined_;
  int grid_version_ = 0;
  PathCurves lerp_, slerp_;
  std::vector<Eigen::Vector2d> traj_a_, traj_b_;
  std::string axis_a_, axis_b_, caption_;
  std::string task1_name_ = "Task 1", task2_name_ = "Task 2";
  toy::Dataset same_task_b_;  ///< B's own draw of Task 1 (MlpBTask::Same)
  class GridWorker;
  std::unique_ptr<GridWorker> worker_;
  std::string requested_key_;
  bool slerp_in_plane_ = true;
  int retrain_count_ = 0;
  class TrainWorker;
  std::unique_ptr<TrainWorker> trainer_;
  std::string requested_train_;

  void install(Trained&& trained);
  void recompute_grids(const SceneParams& p, bool interacting, bool wait);
  PathCurves sample(toy::PathKind kind) const;
};

}  // namespace mergelab::app
