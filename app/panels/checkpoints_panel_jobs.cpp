// Checkpoints panel, worker side (see checkpoints_panel.h): the load, diagnostics, histogram, merge and export
// jobs, and polling them once per frame. Nothing here draws.
#include "app/panels/checkpoints_panel.h"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "app/panels/text.h"
#include "core/recipe/mergekit_yaml.h"

namespace mergelab::app {

namespace fs = std::filesystem;
using text::file_name;
using text::fmt;

namespace {

/// The engine's messages name command-line options; the window names its own controls instead.
std::string in_window_words(std::string message) {
  const std::pair<const char*, const char*> words[] = {{"use --force", "tick 'force'"},
                                                        {"another --out", "another output folder"},
                                                        {"--force", "'force'"},
                                                        {"--out", "the output folder"}};
  for (const auto& [cli, window] : words)
    for (auto at = message.find(cli); at != std::string::npos; at = message.find(cli, at))
      message.replace(at, std::string(cli).size(), window), at += std::string(window).size();
  return message;
}

}  // namespace

void CheckpointsPanel::start_load() {
  if (load_job_.active()) return;
  std::vector<std::string> models;
  for (const auto& m : models_)
    if (!m.empty()) models.push_back(m);
  const std::string base = base_;
  const double density = density_;
  load_job_.start([base, models, density](JobControl&) {
    LoadResult r;
    r.density = density;
    try {
      r.family = ckpt::open_checkpoint_family(base, models);
      std::vector<ckpt::ModelRef> refs;
      for (const auto& m : r.family->models) refs.push_back(m.ref());
      r.diags = ckpt::tensor_diagnostics(*r.family->base, refs, density);
    } catch (const std::exception& e) {
      r.family.reset();
      r.error = e.what();
    }
    return r;
  });
}

void CheckpointsPanel::start_diagnostics() {
  if (!family_ || diag_job_.active() || load_job_.active()) return;
  auto fam = family_;
  const double density = density_;
  diag_job_.start([fam, density](JobControl&) {
    DiagResult r;
    r.density = density;
    try {
      std::vector<ckpt::ModelRef> refs;
      for (const auto& m : fam->models) refs.push_back(m.ref());
      r.diags = ckpt::tensor_diagnostics(*fam->base, refs, density);
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    return r;
  });
}

std::pair<double, std::string> CheckpointsPanel::hist_density() const {
  const size_t model = static_cast<size_t>(std::max(hist_model_, 0));
  const bool same_models = family_ && family_->models.size() == per_model_.size() && model < per_model_.size();
  if (same_models) {
    if (const auto it = per_model_[model].find("density"); it != per_model_[model].end())
      return {it->second, file_name(family_->models[model].path) + "'s"};
  }
  if (const auto it = global_.find("density"); it != global_.end()) return {it->second, "the method's"};
  return {density_, "the table's"};
}

void CheckpointsPanel::start_histogram() {
  if (!family_ || hist_job_.active() || selected_.empty()) return;
  auto fam = family_;
  const std::string tensor = selected_;
  const int model = std::clamp(hist_model_, 0, static_cast<int>(fam->models.size()) - 1);
  const auto [density, density_of] = hist_density();
  hist_job_.start([fam, tensor, model, density, density_of](JobControl&) {
    HistResult h;
    h.tensor = tensor;
    h.model = model;
    h.density = density;
    h.density_of = density_of;
    try {
      const Eigen::VectorXf tau = ckpt::family_task_vector(*fam, static_cast<size_t>(model), tensor);
      h.numel = static_cast<std::uint64_t>(tau.size());
      // Exact zeros (entries a fine-tune never moved, e.g. weights of always-zero inputs) are counted apart:
      // they can dwarf every other bar, and no trim keeps them.
      std::vector<float> nonzero;
      nonzero.reserve(static_cast<size_t>(tau.size()));
      for (Eigen::Index i = 0; i < tau.size(); ++i)
        if (tau[i] != 0.0f) nonzero.push_back(tau[i]);
      h.zeros = h.numel - nonzero.size();
      h.bins = Widgets::BinValues(nonzero.data(), static_cast<long>(nonzero.size()), 61);
      h.threshold = ckpt::density_threshold(tau, density);
    } catch (const std::exception& e) {
      h.error = e.what();
    }
    return h;
  });
}

std::optional<recipe::Recipe> CheckpointsPanel::recipe_for_job(const std::string& target, const char* missing,
                                                               const char* title, std::string& state,
                                                               std::string& message) {
  try {
    if (target.empty()) throw std::runtime_error(missing);
    return make_recipe();
  } catch (const std::exception& e) {
    state = "failed", message = e.what();
    show_error(title, e.what());
    return std::nullopt;
  }
}

void CheckpointsPanel::update_preflight() {
  PreflightInputs now{family_.get(), base_, method_, models_, use_base_, global_, per_model_, seed_, threads_};
  if (now == preflight_inputs_) return;
  preflight_inputs_ = std::move(now);
  const std::uint64_t generation = ++preflight_generation_;
  preflight_running_ = false;
  if (!family_) {
    preflight_.reset();
    return;
  }
  recipe::Recipe r;
  try {
    r = make_recipe();
  } catch (const std::exception& e) {  // refused before any file is looked at
    engine::Preflight p;
    p.error = e.what();
    preflight_ = p;
    return;
  }
  const engine::PreflightOptions opt{.seed = static_cast<std::uint32_t>(seed_), .threads = threads_};
  preflight_running_ = true;
  preflight_job_.request(
      [r, opt, generation](JobControl&) { return std::make_pair(generation, engine::preflight_recipe(r, opt)); });
}

void CheckpointsPanel::start_merge() {
  if (merge_job_.active()) return;
  const auto recipe = recipe_for_job(out_dir_, "choose an output folder first", "Cannot merge", merge_state_, merge_message_);
  if (!recipe) return;
  const recipe::Recipe& r = *recipe;
  {
    std::lock_guard<std::mutex> lock(merge_status_->mutex);
    merge_status_->progress = {};
  }
  merge_state_ = "running", merge_message_.clear();
  engine::RunOptions opt;
  opt.out_dir = fs::absolute(out_dir_).lexically_normal().string();
  opt.threads = threads_;
  opt.force = force_merge_;
  auto status = merge_status_;
  opt.on_progress = [status](const engine::Progress& p) {
    std::lock_guard<std::mutex> lock(status->mutex);
    status->progress = p;
  };
  const auto seed = static_cast<std::uint32_t>(seed_);
  merge_job_.start([r, opt, seed](JobControl& control) mutable {
    JobResult res;
    opt.cancel = control.cancel_flag();
    try {
      const engine::MergePlan plan = engine::plan_merge(r, {.seed = seed});
      const engine::RunReport rep = engine::run_merge(plan, opt);
      res.ok = true;
      res.message = "merged " + std::to_string(rep.tensors) + " tensors in " + fmt("%.2f s", rep.seconds) + " into " +
                    opt.out_dir;
    } catch (const engine::Cancelled&) {
      res.cancelled = true;
      res.message = "merge cancelled; nothing was written";
    } catch (const std::exception& e) {
      res.message = e.what();
    }
    return res;
  });
}

void CheckpointsPanel::start_export() {
  if (export_job_.active()) return;
  const auto recipe =
      recipe_for_job(yaml_path_, "choose a YAML path first", "Cannot export YAML", export_state_, export_message_);
  if (!recipe) return;
  const recipe::Recipe& r = *recipe;
  export_state_ = "running", export_message_.clear();
  const std::string path = fs::absolute(yaml_path_).lexically_normal().string();
  const bool force = force_export_;
  export_job_.start([r, path, force](JobControl&) {
    JobResult res;
    try {
      std::error_code ec;
      if (fs::exists(path, ec) && !force)
        throw std::runtime_error(path + ": already exists (tick 'force' to replace it)");
      if (fs::is_directory(path, ec)) throw std::runtime_error(path + ": is a folder, not a file");
      recipe::write_mergekit_yaml(r, path);
      res.ok = true;
      res.message = "wrote " + path;
    } catch (const std::exception& e) {
      res.message = e.what();
    }
    return res;
  });
}

void CheckpointsPanel::poll_jobs(bool block) {
  update_preflight();
  if (preflight_job_.poll(block)) {
    auto [generation, p] = preflight_job_.take();
    if (generation == preflight_generation_) {  // not a result for settings changed since
      preflight_ = std::move(p);
      preflight_running_ = false;
    }
  }
  if (load_job_.poll(block)) {
    LoadResult r = load_job_.take();
    if (!r.error.empty()) {
      // Nothing of the previous selection stays on show as if it were this one's.
      family_.reset();
      diags_.clear();
      order_.clear();
      diag_density_ = -1;
      hist_valid_ = false;
      show_error("Cannot load the checkpoints", r.error);
    } else {
      family_ = std::move(r.family);
      diags_ = std::move(r.diags);
      diag_density_ = r.density;
      hist_valid_ = false;
      hist_model_ = 0;
      const bool keep = std::any_of(diags_.begin(), diags_.end(), [&](const auto& d) { return d.tensor == selected_; });
      if (!keep) {  // the largest tensor: the most telling histogram
        selected_.clear();
        double most = -1;
        for (const auto& d : diags_) {
          double n = 1;
          for (auto x : d.shape) n *= static_cast<double>(x);
          if (n > most) most = n, selected_ = d.tensor;
        }
      }
      if (per_model_.size() != models_.size()) reset_params();
      sort_rows();
    }
  }
  if (diag_job_.poll(block)) {
    DiagResult r = diag_job_.take();
    if (r.error.empty()) {
      diags_ = std::move(r.diags);
      diag_density_ = r.density;
      sort_rows();
    } else {
      diag_density_ = r.density;  // do not retry the same density in a loop
      show_error("Cannot compute the diagnostics", r.error);
    }
  }
  if (hist_job_.poll(block)) {
    hist_ = hist_job_.take();
    hist_valid_ = true;
  }
  if (merge_job_.poll(block)) {
    const JobResult r = merge_job_.take();
    merge_state_ = r.ok ? "done" : (r.cancelled ? "cancelled" : "failed");
    merge_message_ = in_window_words(r.message);
    if (!r.ok) {  // the bar shows what was written: nothing
      std::lock_guard<std::mutex> lock(merge_status_->mutex);
      merge_status_->progress = {};
      last_progress_ = {};
    }
    if (!r.ok && !r.cancelled) show_error("Merge failed", merge_message_);
  }
  if (merge_job_.active()) {
    std::lock_guard<std::mutex> lock(merge_status_->mutex);
    last_progress_ = merge_status_->progress;
  } else if (merge_state_ == "done") {
    std::lock_guard<std::mutex> lock(merge_status_->mutex);
    last_progress_ = merge_status_->progress;
  }
  if (export_job_.poll(block)) {
    const JobResult r = export_job_.take();
    export_state_ = r.ok ? "done" : "failed";
    export_message_ = r.message;
    if (!r.ok) show_error("Export failed", r.message);
  }
  // Results that depend on the density or the selection are redone when those changed.
  if (family_ && !load_job_.active() && !diag_job_.active() && diag_density_ != density_) start_diagnostics();
  if (family_ && !hist_job_.active() && !selected_.empty() &&
      (!hist_valid_ || hist_.tensor != selected_ || hist_.model != hist_model_ || hist_.density != hist_density().first))
    start_histogram();
  if (block) {
    if (diag_job_.active() || hist_job_.active()) poll_jobs(true);
  }
}

}  // namespace mergelab::app
