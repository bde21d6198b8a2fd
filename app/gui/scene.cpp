#include "app/gui/scene.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/scene/barrier_demo.h"

namespace mergelab::app {

NLOHMANN_JSON_SERIALIZE_ENUM(ModelKind, {{ModelKind::Logistic, "logistic"}, {ModelKind::Mlp, "mlp"}})
NLOHMANN_JSON_SERIALIZE_ENUM(ExplorerView, {{ExplorerView::Model, "model"}, {ExplorerView::LabSlice, "lab_slice"}})
NLOHMANN_JSON_SERIALIZE_ENUM(MlpBTask, {{MlpBTask::Other, "other"}, {MlpBTask::Same, "same"}})
NLOHMANN_JSON_SERIALIZE_ENUM(HeatField,
                             {{HeatField::Task1, "task1"}, {HeatField::Task2, "task2"}, {HeatField::Combined, "combined"}})
}  // namespace mergelab::app

namespace mergelab::toy {
NLOHMANN_JSON_SERIALIZE_ENUM(PathKind, {{PathKind::Lerp, "LERP"}, {PathKind::Slerp, "SLERP"}})
}

namespace mergelab::app {

void to_json(nlohmann::json& j, const SceneParams& p) {
  j = nlohmann::json{
      {"article",
       {{"seed", p.article.seed},
        {"samples", p.article.samples},
        {"init_scale", p.article.init_scale},
        {"lr", p.article.lr},
        {"steps", p.article.steps},
        {"same_init", p.article.same_init}}},
      {"mlp",
       {{"hidden", p.mlp.hidden},
        {"init_scale", p.mlp.init_scale},
        {"lr", p.mlp.lr},
        {"steps", p.mlp.steps},
        {"init_seed", p.mlp.init_seed},
        {"b_task", p.mlp_b_task}}},
      {"model", p.model},
      {"view", p.view},
      {"field", p.field},
      {"path", p.path},
      {"t", p.t},
      {"free_point", p.free_point},
      {"point_on_path", p.point_on_path},
      {"free_ab", {p.free_a, p.free_b}},
      {"show_contours", p.show_contours},
      {"show_trajectories", p.show_trajectories},
      {"show_accuracy", p.show_accuracy},
      {"replay_playing", p.replay_playing},
      {"replay_progress", p.replay_progress},
  };
}

void from_json(const nlohmann::json& j, SceneParams& p) {
  auto get = [&](const nlohmann::json& obj, const char* key, auto& field) {
    if (obj.contains(key)) obj.at(key).get_to(field);
  };
  if (j.contains("article")) {
    const auto& a = j.at("article");
    get(a, "seed", p.article.seed);
    get(a, "samples", p.article.samples);
    get(a, "init_scale", p.article.init_scale);
    get(a, "lr", p.article.lr);
    get(a, "steps", p.article.steps);
    get(a, "same_init", p.article.same_init);
  }
  if (j.contains("mlp")) {
    const auto& m = j.at("mlp");
    get(m, "hidden", p.mlp.hidden);
    get(m, "init_scale", p.mlp.init_scale);
    get(m, "lr", p.mlp.lr);
    get(m, "steps", p.mlp.steps);
    get(m, "init_seed", p.mlp.init_seed);
    get(m, "b_task", p.mlp_b_task);
  }
  get(j, "model", p.model);
  get(j, "view", p.view);
  get(j, "field", p.field);
  get(j, "path", p.path);
  get(j, "t", p.t);
  get(j, "free_point", p.free_point);
  get(j, "point_on_path", p.point_on_path);
  if (j.contains("free_ab")) p.free_a = j.at("free_ab").at(0), p.free_b = j.at("free_ab").at(1);
  get(j, "show_contours", p.show_contours);
  get(j, "show_trajectories", p.show_trajectories);
  get(j, "show_accuracy", p.show_accuracy);
  get(j, "replay_playing", p.replay_playing);
  get(j, "replay_progress", p.replay_progress);
  p.t = std::clamp(p.t, 0.0, 1.0);
  p.replay_progress = std::clamp(p.replay_progress, 0.0, 1.0);
}

namespace {
nlohmann::json vec_json(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }
}  // namespace

// ---------------------------------------------------------------------------------------------------
// Grid worker: the MLP loss grids (tens of ms each) are computed off the frame loop. The frame shows
// the last finished grids; a newer request replaces a queued one, and a result whose key is no longer
// wanted is dropped.
// ---------------------------------------------------------------------------------------------------

struct GridJob {
  std::string key;
  toy::Dataset task1, task2;
  int hidden = 0;
  toy::Plane plane;
  toy::GridSpec spec;
  bool interactive = false;  ///< a drag is on: leave the CPU to the frame half of the time
};

struct GridResult {
  std::string key;
  toy::GridSpec spec;
  toy::Grid grid1, grid2;
};

class ToyScene::GridWorker {
 public:
  GridWorker() : thread_([this] { run(); }) {}
  ~GridWorker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void submit(GridJob job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = std::move(job);
      has_job_ = true;
    }
    cv_.notify_all();
  }
  /// Moves out a finished result, if any.
  bool take(GridResult& out) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!has_result_) return false;
    out = std::move(result_);
    has_result_ = false;
    return true;
  }
  /// Blocks until the result of `key` is ready and moves it out.
  GridResult wait_for(const std::string& key) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait(lock, [&] { return has_result_ && result_.key == key; });
    has_result_ = false;
    return std::move(result_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_, done_cv_;
  GridJob job_;
  GridResult result_;
  bool has_job_ = false, has_result_ = false, quit_ = false;
  std::thread thread_;

  void run() {
    for (;;) {
      GridJob job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return quit_ || has_job_; });
        if (quit_) return;
        job = std::move(job_);
        has_job_ = false;
      }
      GridResult r;
      r.key = job.key;
      r.spec = job.spec;
      const auto t0 = std::chrono::steady_clock::now();
      r.grid1 = toy::mlp_loss_grid(job.task1, job.hidden, job.plane, job.spec);
      r.grid2 = toy::mlp_loss_grid(job.task2, job.hidden, job.plane, job.spec);
      const auto took = std::chrono::steady_clock::now() - t0;
      std::unique_lock<std::mutex> lock(mutex_);
      result_ = std::move(r);
      has_result_ = true;
      done_cv_.notify_all();
      // During a drag a new job is always waiting: pause as long as the grid took, so the frame loop
      // (and the GL rasteriser) keep at least half of a core on a 2-core machine.
      if (job.interactive) cv_.wait_for(lock, took, [&] { return quit_; });
    }
  }
};

namespace {
/// Samples of one path between a and b: losses, accuracies, norms, plane coordinates.
PathCurves sample_curves(const Eigen::VectorXd& w_a, const Eigen::VectorXd& w_b, const toy::Plane& plane,
                         const toy::Dataset& d1, const toy::Dataset& d2, int hidden, toy::PathKind kind) {
  const int n = hidden > 0 ? 61 : 101;
  const toy::PathSamples s = toy::sample_path(w_a, w_b, kind, n);
  auto loss = [&](const toy::Dataset& d, const Eigen::VectorXd& w) {
    return hidden > 0 ? toy::mlp_loss(d, w, hidden) : toy::bce_loss(d, w);
  };
  auto acc = [&](const toy::Dataset& d, const Eigen::VectorXd& w) {
    return hidden > 0 ? toy::mlp_accuracy(d, w, hidden) : toy::accuracy(d, w);
  };
  PathCurves c;
  c.t = s.t;
  c.norm = s.norm;
  for (int k = 0; k < n; ++k) {
    c.loss1.push_back(loss(d1, s.w[k]));
    c.loss2.push_back(loss(d2, s.w[k]));
    c.combined.push_back(c.loss1.back() + c.loss2.back());
    c.acc1.push_back(acc(d1, s.w[k]));
    c.acc2.push_back(acc(d2, s.w[k]));
    const Eigen::Vector2d ab = plane.project(s.w[k]);
    c.a.push_back(ab[0]);
    c.b.push_back(ab[1]);
  }
  c.argmin_combined =
      static_cast<int>(std::min_element(c.combined.begin(), c.combined.end()) - c.combined.begin());
  c.barrier = std::max(toy::loss_barrier(c.loss1), toy::loss_barrier(c.loss2));
  return c;
}

toy::Plane mlp_plane(const Eigen::VectorXd& w_a, const Eigen::VectorXd& w_b) {
  try {
    return toy::plane_through_origin(w_a, w_b);
  } catch (const std::invalid_argument&) {  // parallel endpoints: any plane holding them will do
    return toy::plane_through_origin(w_a, w_b + Eigen::VectorXd::Unit(w_b.size(), 0));
  }
}
}  // namespace

// ---------------------------------------------------------------------------------------------------
// Training: the article pair (and the MLP pair) for some parameters. Pure, so it can run on a thread.
// ---------------------------------------------------------------------------------------------------

struct ToyScene::Trained {
  std::string key;
  SceneParams params;
  toy::InterpolationToy art;
  toy::MlpToy mlp;
  toy::Dataset data_b;  ///< B's draw of Task 1 (MlpBTask::Same)
  // The MLP pair's derived results, computed with the training (they cost as much again).
  bool derived = false;
  toy::Plane plane;
  PathCurves lerp, slerp;
  std::vector<Eigen::Vector2d> traj_a, traj_b;
};

namespace {
ToyScene::Trained train_for(const SceneParams& p, const std::string& key) {
  ToyScene::Trained t;
  t.key = key;
  t.params = p;
  t.art = toy::train_interpolation_toy(p.article, true);
  if (p.view == ExplorerView::Model && p.model == ModelKind::Mlp) {
    const toy::MlpSetup setup{p.mlp.hidden, p.mlp.init_scale, p.mlp.lr, p.mlp.steps, p.mlp.init_seed,
                              p.article.same_init};
    if (p.mlp_b_task == MlpBTask::Same) {
      scene::SameTaskPair pair =
          scene::train_same_task_pair(setup, t.art.task1, scene::same_task_data_seed(p.article.seed), true);
      t.data_b = std::move(pair.data_b);
      t.mlp = std::move(pair.toy);
    } else {
      t.mlp = toy::train_mlp_toy(setup, t.art.task1, t.art.task2, true);
    }
    const toy::Dataset& d2 = p.mlp_b_task == MlpBTask::Same ? t.data_b : t.art.task2;
    t.plane = mlp_plane(t.mlp.w_a, t.mlp.w_b);
    for (size_t k = 0; k < t.mlp.path_a.size(); k += 2) t.traj_a.push_back(t.plane.project(t.mlp.path_a[k]));
    for (size_t k = 0; k < t.mlp.path_b.size(); k += 2) t.traj_b.push_back(t.plane.project(t.mlp.path_b[k]));
    t.lerp = sample_curves(t.mlp.w_a, t.mlp.w_b, t.plane, t.art.task1, d2, p.mlp.hidden, toy::PathKind::Lerp);
    t.slerp = sample_curves(t.mlp.w_a, t.mlp.w_b, t.plane, t.art.task1, d2, p.mlp.hidden, toy::PathKind::Slerp);
    t.derived = true;
  }
  return t;
}
}  // namespace

/// Trains the MLP pair off the frame loop during a drag (two 300-step runs cost ~20 ms).
class ToyScene::TrainWorker {
 public:
  TrainWorker() : thread_([this] { run(); }) {}
  ~TrainWorker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void submit(const SceneParams& p, const std::string& key) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = p, job_key_ = key, has_job_ = true;
    }
    cv_.notify_all();
  }
  bool take(Trained& out) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!has_result_) return false;
    out = std::move(result_);
    has_result_ = false;
    return true;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  SceneParams job_;
  std::string job_key_;
  Trained result_;
  bool has_job_ = false, has_result_ = false, quit_ = false;
  std::thread thread_;

  void run() {
    for (;;) {
      SceneParams p;
      std::string key;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return quit_ || has_job_; });
        if (quit_) return;
        p = job_, key = job_key_, has_job_ = false;
      }
      Trained t = train_for(p, key);
      std::lock_guard<std::mutex> lock(mutex_);
      result_ = std::move(t);
      has_result_ = true;
    }
  }
};

ToyScene::ToyScene() : worker_(std::make_unique<GridWorker>()), trainer_(std::make_unique<TrainWorker>()) {}
ToyScene::~ToyScene() = default;

bool ToyScene::grid_pending() const { return !requested_key_.empty() && requested_key_ != grid_key_; }

const toy::Grid& ToyScene::grid(HeatField f) const {
  return f == HeatField::Task1 ? grid1_ : (f == HeatField::Task2 ? grid2_ : combined_);
}

double ToyScene::loss(int task, const Eigen::VectorXd& w) const {
  const toy::Dataset& d = task == 1 ? *task1_ : *task2_;
  return hidden_ > 0 ? toy::mlp_loss(d, w, hidden_) : toy::bce_loss(d, w);
}

double ToyScene::accuracy(int task, const Eigen::VectorXd& w) const {
  const toy::Dataset& d = task == 1 ? *task1_ : *task2_;
  return hidden_ > 0 ? toy::mlp_accuracy(d, w, hidden_) : toy::accuracy(d, w);
}

void ToyScene::update(const SceneParams& p, bool interacting, bool wait) {
  nlohmann::json key = {{"article", nlohmann::json(p)["article"]}, {"mlp", nlohmann::json(p)["mlp"]},
                        {"model", p.model}, {"view", p.view}};
  if (p.model != ModelKind::Mlp) key["mlp"].erase("b_task");
  // The MLP pair costs ~20 ms to retrain: during a drag it trains on the worker and the last trained
  // pair stays on screen; at rest (and for the cheap logistic pair) every change applies at once.
  const std::string key_text = key.dump();
  if (key != train_key_) {
    const bool async = interacting && !wait && p.model == ModelKind::Mlp && p.view == ExplorerView::Model &&
                       !train_key_.is_null() && train_key_["model"] == key["model"] &&
                       train_key_["view"] == key["view"] && train_key_["mlp"].value("b_task", "") == key["mlp"]["b_task"];
    if (async) {
      if (key_text != requested_train_) trainer_->submit(p, key_text), requested_train_ = key_text;
      Trained t;
      if (trainer_->take(t)) {
        train_key_ = nlohmann::json::parse(t.key);
        install(std::move(t));
      }
    } else {
      if (train_key_.is_null() || key["model"] != train_key_["model"] || key["view"] != train_key_["view"])
        box_valid_ = false;
      train_key_ = key;
      requested_train_.clear();
      install(train_for(p, key_text));
    }
  }
  recompute_grids(p, interacting, wait);
}

void ToyScene::install(Trained&& trained) {
  const SceneParams& p = trained.params;
  ++retrain_count_;
  task1_name_ = "Task 1";
  task2_name_ = "Task 2";
  art_ = std::move(trained.art);
  traj_a_.clear();
  traj_b_.clear();
  if (p.view == ExplorerView::LabSlice) {
    if (!lab_ready_) lab_ = toy::train_lab_toy(toy::LabSetup{}), lab_ready_ = true;
    task1_ = &lab_.tasks[0];
    task2_ = &lab_.tasks[1];
    hidden_ = 0;
    w_a_ = lab_.finetuned[0];
    w_b_ = lab_.finetuned[1];
    init_a_ = init_b_ = lab_.pretrained;
    plane_ = toy::task_vector_plane(lab_.pretrained, lab_.task_vectors[0], lab_.task_vectors[1]);
    axis_a_ = "a (scale of task vector 1)";
    axis_b_ = "b (scale of task vector 2)";
    caption_ = "Merge Lab, 4-D: slice theta0 + a tau1 + b tau2 through the pretrained weights.";
  } else if (p.model == ModelKind::Mlp) {
    task1_ = &art_.task1;
    mlp_ = std::move(trained.mlp);
    if (p.mlp_b_task == MlpBTask::Same) {
      // The classic barrier demo: B learns Task 1 too, on its own draw of the data.
      same_task_b_ = std::move(trained.data_b);
      task2_ = &same_task_b_;
      task1_name_ = "Task 1, data A";
      task2_name_ = "Task 1, data B";
    } else {
      task2_ = &art_.task2;
    }
    hidden_ = p.mlp.hidden;
    w_a_ = mlp_.w_a;
    w_b_ = mlp_.w_b;
    init_a_ = mlp_.init_a;
    init_b_ = mlp_.init_b;
    plane_ = std::move(trained.plane);
    traj_a_ = std::move(trained.traj_a);
    traj_b_ = std::move(trained.traj_b);
    axis_a_ = "along W_A (u)";
    axis_b_ = "orthogonal, towards W_B (v)";
    caption_ = p.mlp_b_task == MlpBTask::Same
                   ? "MLP 2-h-1, A and B both learn Task 1: slice through the origin, W_A and W_B (true lengths)."
                   : "MLP 2-h-1: slice through the origin, W_A and W_B (orthonormal axes, true lengths).";
  } else {
    task1_ = &art_.task1;
    task2_ = &art_.task2;
    hidden_ = 0;
    w_a_ = art_.w_a;
    w_b_ = art_.w_b;
    init_a_ = art_.w_init_a;
    init_b_ = art_.w_init_b;
    plane_ = toy::coordinate_plane();
    for (const auto& w : art_.path_a) traj_a_.push_back(w);
    for (const auto& w : art_.path_b) traj_b_.push_back(w);
    axis_a_ = "w1";
    axis_b_ = "w2";
    caption_ = "The article's 2-parameter model: the whole weight plane (w1, w2).";
  }
  if (trained.derived) {
    lerp_ = std::move(trained.lerp);
    slerp_ = std::move(trained.slerp);
  } else {
    lerp_ = sample(toy::PathKind::Lerp);
    slerp_ = sample(toy::PathKind::Slerp);
  }
  slerp_in_plane_ = true;
  for (size_t k = 0; k < slerp_.t.size(); k += 10)
    if (plane_.distance(toy::path_point(w_a_, w_b_, toy::PathKind::Slerp, slerp_.t[k])) > 1e-6 * (1 + w_a_.norm()))
      slerp_in_plane_ = false;
}

PathCurves ToyScene::sample(toy::PathKind kind) const {
  return sample_curves(w_a_, w_b_, plane_, *task1_, *task2_, hidden_, kind);
}

void ToyScene::recompute_grids(const SceneParams& p, bool interacting, bool wait) {
  // The box holds everything drawn: endpoints, inits, both paths, the trajectories.
  std::vector<Eigen::Vector2d> pts = {plane_.project(w_a_), plane_.project(w_b_), plane_.project(init_a_),
                                      plane_.project(init_b_), Eigen::Vector2d::Zero()};
  for (size_t k = 0; k < lerp_.a.size(); ++k) pts.emplace_back(lerp_.a[k], lerp_.b[k]);
  for (size_t k = 0; k < slerp_.a.size(); ++k) pts.emplace_back(slerp_.a[k], slerp_.b[k]);
  for (const auto& q : traj_a_) pts.push_back(q);
  for (const auto& q : traj_b_) pts.push_back(q);
  double pad = 0.6, snap = 1.0;
  if (p.view == ExplorerView::LabSlice) pad = 0.35, snap = 0.5;
  // Keep the current box while it still holds everything with half the padding and is not much too
  // big: a slider drag then moves the endpoints without re-gridding the plane every frame.
  const auto fit = toy::fit_square_box(pts, pad, snap);
  // Only while a control is dragged: at rest the box is a function of the inputs alone, so a scene
  // or session reopened later shows exactly the same picture.
  bool keep = interacting && box_valid_ && (box_[1] - box_[0]) <= 1.5 * (fit[1] - fit[0]);
  for (const auto& q : pts)
    keep = keep && q[0] >= box_[0] + 0.5 * pad && q[0] <= box_[1] - 0.5 * pad && q[1] >= box_[2] + 0.5 * pad &&
           q[1] <= box_[3] - 0.5 * pad;
  if (!keep) box_ = fit, box_valid_ = true;
  const auto box = box_;
  // The MLP grid costs O(n h) per point: coarser while a control is dragged.
  const int res = (hidden_ > 0 && interacting) ? 32 : 128;
  toy::GridSpec spec{box[0], box[1], box[2], box[3], res, res};
  nlohmann::json key = {{"train", train_key_["article"]["seed"]}, {"samples", train_key_["article"]["samples"]},
                        {"model", p.model}, {"view", p.view}, {"box", box}, {"res", res}};
  if (hidden_ > 0) key["plane"] = {vec_json(plane_.u), vec_json(plane_.v), hidden_, p.mlp_b_task};
  const std::string key_text = key.dump();
  if (key_text == grid_key_) return;
  // A grid of another kind of model (or none yet) is never shown in place of this one.
  const std::string kind = nlohmann::json{p.model, p.view, hidden_, p.mlp_b_task}.dump();
  const bool same_kind = kind == grid_kind_;
  if (hidden_ > 0) {
    // MLP grids: on the worker. Until the result is in, the last grids stay on screen.
    const std::string& k = key_text;
    if (k != requested_key_) {
      worker_->submit(GridJob{k, *task1_, *task2_, hidden_, plane_, spec, interacting});
      requested_key_ = k;
    }
    GridResult r;
    if (wait || !same_kind || grid1_.values.empty()) {
      r = worker_->wait_for(k);
    } else if (!worker_->take(r)) {
      return;  // not ready: keep showing the last grids
    }
    // A result for older inputs (a drag moved on meanwhile) is still the newest picture: show it.
    grid_key_ = r.key;
    grid_kind_ = kind;
    spec_ = r.spec;
    grid1_ = std::move(r.grid1);
    grid2_ = std::move(r.grid2);
    combined_ = toy::add(grid1_, grid2_);
    ++grid_version_;
    return;
  }
  grid_key_ = key_text;
  grid_kind_ = kind;
  requested_key_.clear();  // nothing outstanding: coming back to an MLP grid submits it again
  spec_ = spec;
  {
    grid1_ = toy::logistic_loss_grid(*task1_, plane_, spec);
    grid2_ = toy::logistic_loss_grid(*task2_, plane_, spec);
  }
  combined_ = toy::add(grid1_, grid2_);
  ++grid_version_;
}

ToyScene::Point ToyScene::point(const SceneParams& p) const {
  Point pt;
  if (p.free_point && !p.point_on_path) {
    pt.w = plane_.at(p.free_a, p.free_b);
    pt.ab = Eigen::Vector2d(p.free_a, p.free_b);
  } else {
    pt.w = toy::path_point(w_a_, w_b_, p.path, p.t);
    pt.ab = plane_.project(pt.w);
  }
  pt.loss1 = loss(1, pt.w);
  pt.loss2 = loss(2, pt.w);
  pt.acc1 = accuracy(1, pt.w);
  pt.acc2 = accuracy(2, pt.w);
  pt.norm = pt.w.norm();
  return pt;
}

}  // namespace mergelab::app
