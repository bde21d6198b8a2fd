// Checkpoints panel: see checkpoints_panel.h.
//
// [SECTION] Loading and statistics (worker side, no ImGui)
// [SECTION] Panel: settings, jobs, state dump
// [SECTION] Panel: drawing
#include "app/panels/checkpoints_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <thread>

#include "app/panels/text.h"
#include "core/merge/registry.h"
#include "core/recipe/mergekit_yaml.h"
#include "widgets/colormap.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace fs = std::filesystem;
using ImGuiCompat::em;
using text::file_name;
using text::fmt;

namespace {

constexpr ImU32 kGood = IM_COL32(0, 158, 115, 255);     // Okabe-Ito bluish green
constexpr ImU32 kBad = IM_COL32(230, 97, 0, 255);       // vermillion
constexpr ImU32 kMarker = IM_COL32(240, 228, 66, 255);  // yellow

ImVec4 to_vec4(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

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

// ---------------------------------------------------------------------------------------------------
// [SECTION] Loading and statistics (worker side, no ImGui)
// ---------------------------------------------------------------------------------------------------


// ---------------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------
// [SECTION] Panel: settings, jobs, state dump
// ---------------------------------------------------------------------------------------------------

void CheckpointsPanel::attach(Workspace& ws) {
  ws_ = &ws;
  ws.apply_recipe = [this](const std::string& method, const Workspace::ParamMap& global,
                           const std::vector<Workspace::ParamMap>& per_model) {
    return set_recipe(method, global, per_model);
  };
  publish();
}

void CheckpointsPanel::publish() {
  if (!ws_) return;
  ws_->merge_model_count = models_.size();
  if (family_)
    ws_->loaded = Workspace::Selection{base_, models_};
  else
    ws_->loaded.reset();
}

bool CheckpointsPanel::set_recipe(const std::string& method, const std::map<std::string, double>& global,
                                  const std::vector<std::map<std::string, double>>& per_model) {
  const merge::MethodSpec* spec = merge::find_method(method);
  if (!spec) return false;
  method_ = method;
  reset_params();
  for (const auto& [name, v] : global)
    if (const auto* p = spec->param(name); p && !p->per_model) global_[name] = v;
  for (size_t i = 0; i < per_model.size() && i < per_model_.size(); ++i)
    for (const auto& [name, v] : per_model[i])
      if (const auto* p = spec->param(name); p && p->per_model) per_model_[i][name] = v;
  return true;
}

CheckpointsPanel::CheckpointsPanel() {
  const auto defaults = default_checkpoint_paths();
  if (!defaults.empty()) {
    base_ = defaults[0];
    models_.assign(defaults.begin() + 1, defaults.end());
  } else {
    models_.assign(1, "");
  }
  reset_params();
}

CheckpointsPanel::~CheckpointsPanel() {
  // The jobs' destructors cancel them (a running merge stops at its next tensor) and join.
}

const char* CheckpointsPanel::help() const {
  return "Point MergeLab at a base model and its fine-tunes (safetensors folders or files, sharded checkpoints, PEFT "
         "LoRA adapters): Load checks that they can be merged, then the table shows per tensor the task-vector norm "
         "|tau_i| = |theta_i - theta_base| of each model, the mean cosine between task vectors, the sign-conflict rate "
         "(entries whose signs differ across models) and the fraction kept by a top-k magnitude trim at the density. "
         "Click a row for the histogram of its task-vector values with the trim threshold. Choose a method and its "
         "parameters (mergekit's names and defaults), then Merge writes a checkpoint folder in the background and "
         "Export YAML writes a mergekit config. Folders dropped on the window are added as base or fine-tunes.";
}

void CheckpointsPanel::reset_params() {
  merge::PresetValues values = merge::preset_values(method_, "mergekit", models_.size());
  global_ = std::move(values.global);
  per_model_ = std::move(values.per_model);
}

recipe::Recipe CheckpointsPanel::make_recipe() const {
  const merge::MethodSpec* spec = merge::find_method(method_);
  if (!spec) throw std::runtime_error("unknown method '" + method_ + "'");
  recipe::Recipe r;
  r.method = method_;
  auto absolute = [](const std::string& p) { return fs::absolute(p).lexically_normal().string(); };
  if (spec->needs_base) r.base_model = absolute(base_);
  for (size_t i = 0; i < models_.size(); ++i) {
    recipe::ModelEntry e;
    e.path = absolute(models_[i]);
    if (i < per_model_.size())
      for (const auto& [name, v] : per_model_[i]) e.params[name] = recipe::ParamSetting::scalar(v);
    r.models.push_back(std::move(e));
  }
  for (const auto& [name, v] : global_) r.params[name] = recipe::ParamSetting::scalar(v);
  recipe::validate(r);
  return r;
}

void CheckpointsPanel::show_error(const std::string& title, const std::string& text) {
  error_title_ = title;
  error_text_ = text;
  open_error_ = true;
  error_shown_ = true;
}

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

void CheckpointsPanel::start_histogram() {
  if (!family_ || hist_job_.active() || selected_.empty()) return;
  auto fam = family_;
  const std::string tensor = selected_;
  const int model = std::clamp(hist_model_, 0, static_cast<int>(fam->models.size()) - 1);
  const double density = density_;
  hist_job_.start([fam, tensor, model, density](JobControl&) {
    HistResult h;
    h.tensor = tensor;
    h.model = model;
    h.density = density;
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
      (!hist_valid_ || hist_.tensor != selected_ || hist_.model != hist_model_ || hist_.density != density_))
    start_histogram();
  if (block) {
    if (diag_job_.active() || hist_job_.active()) poll_jobs(true);
  }
}

void CheckpointsPanel::sort_rows() {
  const size_t n_models = family_ ? family_->models.size() : 0;
  order_.resize(diags_.size());
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<int>(i);
  auto key = [&](const ckpt::TensorDiagnostics& d) -> double {
    const int c = sort_column_;
    if (c == 1) {
      double n = 1;
      for (auto s : d.shape) n *= static_cast<double>(s);
      return n;
    }
    if (c >= 2 && c < 2 + static_cast<int>(n_models)) return d.norms[static_cast<size_t>(c - 2)];
    const int rest = c - 2 - static_cast<int>(n_models);
    if (rest == 0) return d.mean_cosine();
    if (rest == 1) return d.sign_conflict;
    double kept = 0;
    for (double k : d.kept) kept += k / static_cast<double>(std::max<size_t>(d.kept.size(), 1));
    return kept;
  };
  std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
    const auto& da = diags_[static_cast<size_t>(a)];
    const auto& db = diags_[static_cast<size_t>(b)];
    if (sort_column_ == 0) return sort_ascending_ ? da.tensor < db.tensor : da.tensor > db.tensor;
    const double ka = key(da), kb = key(db);
    return sort_ascending_ ? ka < kb : ka > kb;
  });
}

nlohmann::json CheckpointsPanel::save() const {
  return {{"base", base_},          {"models", models_},     {"method", method_},       {"params", global_},
          {"model_params", per_model_}, {"density", density_}, {"out_dir", out_dir_},     {"yaml_path", yaml_path_},
          {"threads", threads_},    {"seed", seed_}};
}

void CheckpointsPanel::load(const nlohmann::json& j) {
  if (!j.is_object()) return;
  try {
    if (j.contains("base")) base_ = j["base"].get<std::string>();
    if (j.contains("models")) models_ = j["models"].get<std::vector<std::string>>();
    if (j.contains("method") && merge::find_method(j["method"].get<std::string>())) {
      method_ = j["method"].get<std::string>();
      reset_params();
    }
    if (j.contains("params")) global_ = j["params"].get<std::map<std::string, double>>();
    if (j.contains("model_params")) per_model_ = j["model_params"].get<std::vector<std::map<std::string, double>>>();
    if (j.contains("density")) density_ = std::clamp(j["density"].get<double>(), 0.0, 1.0);
    if (j.contains("out_dir")) out_dir_ = j["out_dir"].get<std::string>();
    if (j.contains("yaml_path")) yaml_path_ = j["yaml_path"].get<std::string>();
    if (j.contains("threads")) threads_ = std::clamp(j["threads"].get<int>(), 0, 64);
    if (j.contains("seed")) seed_ = std::max(0, j["seed"].get<int>());
  } catch (const nlohmann::json::exception&) {
    // A session written by another version: keep what was read.
  }
  if (models_.empty()) models_.assign(1, "");
  if (per_model_.size() != models_.size()) reset_params();
}

nlohmann::json CheckpointsPanel::state() const {
  nlohmann::json j;
  j["base"] = base_;
  j["models"] = models_;
  j["loading"] = load_job_.active();
  j["loaded"] = family_ != nullptr;
  j["error_popup"] = error_shown_;
  j["error_title"] = error_title_;
  j["error"] = error_text_;
  j["density"] = density_;
  j["diagnostics_density"] = diag_density_;
  j["method"] = method_;
  j["params"] = global_;
  j["browser"] = browser_.state();
  j["model_params"] = per_model_;
  if (family_) {
    j["n_tensors"] = family_->base->tensors().size();
    j["compatible"] = family_->report.ok();
    nlohmann::json ms = nlohmann::json::array();
    for (const auto& m : family_->report.models)
      ms.push_back({{"path", m.path},
                    {"mergeable", m.mergeable()},
                    {"cosine_to_base", std::isnan(m.cosine_to_base) ? nlohmann::json() : nlohmann::json(m.cosine_to_base)},
                    {"not_a_finetune", m.not_a_finetune},
                    {"missing", m.missing.size()},
                    {"shape_mismatches", m.shape_mismatches.size()}});
    j["compat"] = ms;
  }
  nlohmann::json ts = nlohmann::json::array();
  for (const auto& d : diags_) {
    double kept = 0;
    for (double k : d.kept) kept += k / static_cast<double>(std::max<size_t>(d.kept.size(), 1));
    const double mc = d.mean_cosine();
    ts.push_back({{"name", d.tensor},
                  {"shape", d.shape},
                  {"norms", d.norms},
                  {"mean_cosine", std::isnan(mc) ? nlohmann::json() : nlohmann::json(mc)},
                  {"sign_conflict", d.sign_conflict},
                  {"kept", kept}});
  }
  j["tensors"] = ts;
  nlohmann::json order = nlohmann::json::array();
  for (int i : order_)
    if (static_cast<size_t>(i) < diags_.size()) order.push_back(diags_[static_cast<size_t>(i)].tensor);
  j["order"] = order;
  j["sort"] = {{"column", sort_column_}, {"ascending", sort_ascending_}};
  j["selected"] = selected_;
  if (hist_valid_) {
    j["histogram"] = {{"tensor", hist_.tensor},
                      {"model", hist_.model},
                      {"density", hist_.density},
                      {"numel", hist_.numel},
                      {"zeros", hist_.zeros},
                      {"binned", std::accumulate(hist_.bins.counts.begin(), hist_.bins.counts.end(), 0.0)},
                      {"threshold", std::isfinite(hist_.threshold) ? nlohmann::json(hist_.threshold) : nlohmann::json()},
                      {"lo", hist_.bins.lo},
                      {"hi", hist_.bins.hi},
                      {"error", hist_.error}};
  }
  j["merge"] = {{"state", merge_state_},
                {"message", merge_message_},
                {"out_dir", out_dir_},
                {"force", force_merge_},
                {"tensors_done", last_progress_.tensors_done},
                {"tensors_total", last_progress_.tensors_total},
                {"bytes_done", last_progress_.bytes_done},
                {"bytes_total", last_progress_.bytes_total}};
  j["export"] = {{"state", export_state_}, {"message", export_message_}, {"path", yaml_path_}, {"force", force_export_}};
  nlohmann::json rects = nlohmann::json::object();
  for (const auto& [name, r] : rects_) rects[name] = {r.x0, r.y0, r.x1, r.y1};
  j["rects"] = rects;
  return j;
}

// ---------------------------------------------------------------------------------------------------
// [SECTION] Panel: drawing
// ---------------------------------------------------------------------------------------------------

void CheckpointsPanel::remember_rect(const std::string& name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  rects_[name] = Rect{a.x, a.y, b.x, b.y};
}

void CheckpointsPanel::accept_path(const std::string& path) {
  if (browse_target_ == -1) base_ = path;
  else if (browse_target_ >= 0 && browse_target_ < static_cast<int>(models_.size())) models_[static_cast<size_t>(browse_target_)] = path;
  else if (browse_target_ == -2) out_dir_ = path;
  else if (browse_target_ == -3) yaml_path_ = (fs::path(path) / "merge.yml").string();
}

void CheckpointsPanel::draw_error_popup() {
  if (open_error_) {
    ImGui::OpenPopup("Checkpoints: error##ckpt_error");
    open_error_ = false;
  }
  ImGui::SetNextWindowSize(ImVec2(em(32.0f), 0), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal("Checkpoints: error##ckpt_error", nullptr, ImGuiWindowFlags_NoSavedSettings)) {
    error_shown_ = false;
    return;
  }
  error_shown_ = true;
  ImGui::TextColored(to_vec4(kBad), "%s", error_title_.c_str());
  ImGui::PushTextWrapPos(em(31.0f));
  ImGui::TextUnformatted(error_text_.c_str());
  ImGui::PopTextWrapPos();
  if (ImGui::Button("OK", ImVec2(em(6.0f), 0))) {
    ImGui::CloseCurrentPopup();
    error_shown_ = false;
  }
  remember_rect("error_ok");
  ImGui::EndPopup();
}

void CheckpointsPanel::draw_inputs(AppContext&) {
  const bool busy = load_job_.active();
  ImGuiCompat::SeparatorText("Checkpoints");
  auto path_row = [&](const char* label, std::string& path, int target, const char* rect_name) {
    ImGui::PushID(rect_name);
    ImGui::TextUnformatted(label);
    ImGui::SameLine(em(5.5f));
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - em(7.0f));
    ImGui::InputTextWithHint("##path", "folder or .safetensors file", &path);
    remember_rect(rect_name);
    ImGui::SameLine();
    const bool browse_clicked = ImGui::Button("...");
    remember_rect(std::string(rect_name) + "_browse");
    if (browse_clicked) {
      browse_target_ = target;
      browser_.open(FolderBrowser::start_folder(path, /*parent_of_folder=*/true), false);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Browse folders");
    ImGui::PopID();
  };
  path_row("base", base_, -1, "base");
  int remove = -1;
  for (size_t i = 0; i < models_.size(); ++i) {
    const std::string label = "model " + std::to_string(i);
    path_row(label.c_str(), models_[i], static_cast<int>(i), ("model" + std::to_string(i)).c_str());
    ImGui::SameLine();
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::SmallButton("x")) remove = static_cast<int>(i);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Remove this model");
    ImGui::PopID();
  }
  if (remove >= 0 && models_.size() > 1) {
    models_.erase(models_.begin() + remove);
    if (static_cast<size_t>(remove) < per_model_.size()) per_model_.erase(per_model_.begin() + remove);
  }
  if (ImGui::Button("+ model")) {
    models_.emplace_back();
    reset_params();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(busy);
  if (ImGui::Button(busy ? "Loading..." : "Load", ImVec2(em(7.0f), 0))) start_load();
  ImGui::EndDisabled();
  remember_rect("load");
  ImGui::SameLine();
  ImGui::TextDisabled("(drop folders on the window to add them)");
}

void CheckpointsPanel::draw_compat() {
  ImGuiCompat::SeparatorText("Compatibility");
  if (!family_) {
    ImGui::TextDisabled(load_job_.active() ? "loading..." : "Load a base and its fine-tunes to check them.");
    return;
  }
  const auto& rep = family_->report;
  if (rep.ok())
    ImGui::TextColored(to_vec4(kGood), "compatible: %zu models merge with %s (%zu tensors)", rep.models.size(),
                       file_name(rep.base).c_str(), family_->base->tensors().size());
  else
    ImGui::TextColored(to_vec4(kBad), "NOT compatible: see the models marked below");
  for (size_t i = 0; i < rep.models.size(); ++i) {
    const auto& m = rep.models[i];
    const bool ok = m.mergeable();
    ImGui::TextColored(to_vec4(ok ? kGood : kBad), "%s", ok ? "ok " : "no ");
    ImGui::SameLine();
    ImGui::Text("[%zu] %-12s cos to base %s, |theta - base| / |base| %s", i, file_name(m.path).c_str(),
                std::isnan(m.cosine_to_base) ? "-" : fmt("%.4f", m.cosine_to_base).c_str(),
                std::isnan(m.relative_distance) ? "-" : fmt("%.4f", m.relative_distance).c_str());
    auto list = [](const char* what, const std::vector<std::string>& v) {
      if (v.empty()) return;
      std::string s = v.front();
      for (size_t i = 1; i < std::min<size_t>(v.size(), 4); ++i) s += ", " + v[i];
      if (v.size() > 4) s += ", ... (" + std::to_string(v.size()) + ")";
      ImGui::TextWrapped("      %s: %s", what, s.c_str());
    };
    list("missing", m.missing);
    list("extra (ignored)", m.extra);
    list("not mergeable", m.not_mergeable);
    for (const auto& s : m.shape_mismatches)
      ImGui::TextWrapped("      shape of %s: base %s, model %s", s.tensor.c_str(), s.base.c_str(), s.model.c_str());
    for (const auto& s : m.dtype_mismatches)
      ImGui::TextWrapped("      dtype of %s: base %s, model %s (converted to f32)", s.tensor.c_str(), s.base.c_str(),
                         s.model.c_str());
    if (!m.finetune_note.empty()) ImGui::TextColored(to_vec4(kBad), "      %s", m.finetune_note.c_str());
  }
}

void CheckpointsPanel::draw_method() {
  ImGuiCompat::SeparatorText("Method");
  const merge::MethodSpec* spec = merge::find_method(method_);
  ImGui::SetNextItemWidth(em(14.0f));
  if (ImGui::BeginCombo("##method", spec ? spec->label.c_str() : method_.c_str())) {
    for (const auto& m : merge::method_registry()) {
      if (ImGui::Selectable(m.label.c_str(), m.name == method_) && m.name != method_) {
        method_ = m.name;
        reset_params();
      }
      remember_rect("method_" + m.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.summary.c_str());
    }
    ImGui::EndCombo();
  }
  remember_rect("method");
  spec = merge::find_method(method_);
  if (!spec) return;
  ImGui::SameLine();
  ImGuiCompat::HelpMarker((spec->summary + "\n" + spec->formula).c_str());
  auto control = [&](const merge::ParamSpec& p, double& v, const std::string& id) -> bool {
    ImGui::PushID(id.c_str());
    bool changed = false;
    switch (p.kind) {
      case merge::ParamSpec::Kind::Bool: {
        bool b = v != 0.0;
        if ((changed = ImGui::Checkbox("##b", &b))) v = b ? 1.0 : 0.0;
        break;
      }
      case merge::ParamSpec::Kind::Choice: {
        int c = static_cast<int>(v);
        std::vector<const char*> names;
        for (const auto& s : p.choices) names.push_back(s.c_str());
        if ((changed = ImGui::Combo("##c", &c, names.data(), static_cast<int>(names.size())))) v = c;
        break;
      }
      case merge::ParamSpec::Kind::Integer: {
        changed = ImGui::SliderScalar("##i", ImGuiDataType_Double, &v, &p.min_value, &p.max_value, "%.0f");
        if (changed) v = std::round(v);
        break;
      }
      case merge::ParamSpec::Kind::Real:
        changed = ImGui::SliderScalar("##r", ImGuiDataType_Double, &v, &p.min_value, &p.max_value, "%.3f");
        break;
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %s", p.name.c_str(), p.help.c_str());
    remember_rect(id);
    ImGui::PopID();
    return changed;
  };
  for (const auto& p : spec->params) {
    if (p.per_model) continue;
    ImGui::TextUnformatted(p.label.c_str());
    ImGui::SameLine(em(11.0f));
    ImGui::SetNextItemWidth(std::max(em(8.0f), ImGui::GetContentRegionAvail().x - em(1.0f)));
    if (control(p, global_[p.name], "param_" + p.name) && p.name == "density") density_ = global_[p.name];
  }
  std::vector<const merge::ParamSpec*> pm;
  for (const auto& p : spec->params)
    if (p.per_model) pm.push_back(&p);
  if (!pm.empty() && !models_.empty()) {
    if (per_model_.size() != models_.size()) reset_params();
    if (ImGui::BeginTable("##per_model", static_cast<int>(pm.size()) + 1, ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("model", ImGuiTableColumnFlags_WidthFixed, em(6.0f));
      for (const auto* p : pm) ImGui::TableSetupColumn(p->label.c_str());
      ImGui::TableHeadersRow();
      for (size_t i = 0; i < models_.size(); ++i) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(models_[i].empty() ? "(empty)" : file_name(models_[i]).c_str());
        for (const auto* p : pm) {
          ImGui::TableNextColumn();
          ImGui::SetNextItemWidth(-FLT_MIN);
          if (control(*p, per_model_[i][p->name], "m" + std::to_string(i) + "_" + p->name) && p->name == "density")
            density_ = per_model_[i][p->name];
        }
      }
      ImGui::EndTable();
    }
  }
}

void CheckpointsPanel::draw_actions() {
  ImGuiCompat::SeparatorText("Merge and export");
  const float field_w = ImGui::GetContentRegionAvail().x - em(13.0f);
  auto path_field = [&](const char* id, const char* hint, std::string& s, int target, const char* rect) {
    ImGui::PushID(id);
    ImGui::SetNextItemWidth(field_w);
    ImGui::InputTextWithHint("##f", hint, &s);
    remember_rect(rect);
    ImGui::SameLine();
    if (ImGui::Button("...")) {
      browse_target_ = target;
      std::error_code ec;
      fs::path start = s.empty() ? fs::current_path(ec) : fs::path(s).parent_path();
      if (start.empty() || !fs::is_directory(start, ec)) start = fs::current_path(ec);
      browser_.open(start.string(), target == -3);
    }
    ImGui::PopID();
  };
  const bool merging = merge_job_.active();
  path_field("out", "output folder (must not exist)", out_dir_, -2, "out_dir");
  ImGui::SameLine();
  ImGui::Checkbox("force##merge", &force_merge_);
  remember_rect("force_merge");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Replace the output folder when it exists");
  ImGui::BeginDisabled(merging || !family_);
  if (ImGui::Button("Merge", ImVec2(em(7.0f), 0))) start_merge();
  remember_rect("merge");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!merging);
  if (ImGui::Button("Cancel", ImVec2(em(6.0f), 0))) merge_job_.cancel();
  remember_rect("cancel");
  ImGui::EndDisabled();
  ImGui::SameLine();
  {
    const auto& p = last_progress_;
    const double frac = p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total)
                                      : (merge_state_ == "done" ? 1.0 : 0.0);
    char overlay[160];
    if (merging || merge_state_ == "done")
      std::snprintf(overlay, sizeof overlay, "%zu/%zu tensors, %s / %s", p.tensors_done, p.tensors_total,
                    engine::format_bytes(p.bytes_done).c_str(), engine::format_bytes(p.bytes_total).c_str());
    else
      std::snprintf(overlay, sizeof overlay, "%s", merge_state_.c_str());
    ImGui::ProgressBar(static_cast<float>(frac), ImVec2(-FLT_MIN, 0), overlay);
    remember_rect("progress");
  }
  if (!merge_message_.empty())
    ImGui::TextColored(to_vec4(merge_state_ == "done" ? kGood : kBad), "%s", merge_message_.c_str());

  path_field("yaml", "mergekit YAML path (e.g. merge.yml)", yaml_path_, -3, "yaml_path");
  ImGui::SameLine();
  ImGui::Checkbox("force##export", &force_export_);
  remember_rect("force_export");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Replace the YAML file when it exists");
  ImGui::BeginDisabled(export_job_.active());
  if (ImGui::Button("Export YAML", ImVec2(em(7.0f), 0))) start_export();
  remember_rect("export");
  ImGui::EndDisabled();
  if (!export_message_.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(to_vec4(export_state_ == "done" ? kGood : kBad), "%s", export_message_.c_str());
  }
}

void CheckpointsPanel::draw_table(float height) {
  const size_t n_models = family_ ? family_->models.size() : 0;
  ImGui::TextUnformatted("Per-tensor task vectors");
  ImGui::SameLine();
  ImGuiCompat::HelpMarker(
      "tau_i = theta_i - theta_base per tensor. |tau_i|: L2 norm; mean cos: mean pairwise cosine of the tau_i; "
      "sign conflict: fraction of entries whose signs differ across models; kept: mean fraction of entries kept "
      "by the top int(density * n) magnitude trim (mergekit's TIES trim). Colours: viridis (dark = low); norms over "
      "the table's range, mean cos over [-1, 1], fractions over [0, 1]. "
      "Click a header to sort, a row to see its histogram.");
  ImGui::SameLine(std::max(em(18.0f), ImGui::GetContentRegionAvail().x - em(11.0f)));
  ImGui::SetNextItemWidth(em(11.0f));
  const double lo = 0.0, hi = 1.0;
  ImGui::SliderScalar("##density_table", ImGuiDataType_Double, &density_, &lo, &hi, "density %.2f");
  remember_rect("density");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("kept fraction k of the trim: keep the int(k * n) largest |tau|");
  if (diags_.empty()) {
    ImGui::TextDisabled(family_ ? "no tensor is mergeable in every model" : "no checkpoints loaded");
    ImGui::Dummy(ImVec2(0, std::max(0.0f, height - ImGui::GetFrameHeightWithSpacing() * 2)));
    return;
  }
  const int n_cols = 2 + static_cast<int>(n_models) + 3;
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_Resizable;
  const float row_h = ImGui::GetTextLineHeight() + 2.0f * ImGui::GetStyle().CellPadding.y;
  const float fit_h = row_h * static_cast<float>(diags_.size() + 1) + em(0.6f);
  if (!ImGui::BeginTable("##tensors", n_cols, flags, ImVec2(0, std::min(fit_h, height - ImGui::GetFrameHeightWithSpacing()))))
    return;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("tensor", ImGuiTableColumnFlags_DefaultSort, 1.6f, 0);
  ImGui::TableSetupColumn("shape", 0, 1.0f, 1);
  std::vector<std::string> names;
  for (size_t i = 0; i < n_models; ++i) names.push_back("|tau[" + std::to_string(i) + "]|");
  for (size_t i = 0; i < n_models; ++i) ImGui::TableSetupColumn(names[i].c_str(), 0, 1.0f, static_cast<ImGuiID>(2 + i));
  ImGui::TableSetupColumn("mean cos", 0, 1.0f, static_cast<ImGuiID>(2 + n_models));
  ImGui::TableSetupColumn("sign conflict", 0, 1.0f, static_cast<ImGuiID>(3 + n_models));
  ImGui::TableSetupColumn("kept", 0, 0.8f, static_cast<ImGuiID>(4 + n_models));
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < n_cols; ++c) {
    ImGui::TableSetColumnIndex(c);
    ImGui::TableHeader(ImGui::TableGetColumnName(c));
    remember_rect("header_" + std::to_string(c));
    if (c >= 2 && c < 2 + static_cast<int>(n_models) && ImGui::IsItemHovered())
      ImGui::SetTooltip("|tau| of %s", family_->models[static_cast<size_t>(c - 2)].path.c_str());
  }
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
    if (specs->SpecsCount > 0) {
      sort_column_ = static_cast<int>(specs->Specs[0].ColumnUserID);
      sort_ascending_ = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    }
    specs->SpecsDirty = false;
    sort_rows();
  }
  // Per-column ranges for the colours.
  std::vector<double> cmin(static_cast<size_t>(n_cols), INFINITY), cmax(static_cast<size_t>(n_cols), -INFINITY);
  auto value = [&](const ckpt::TensorDiagnostics& d, int c) -> double {
    if (c >= 2 && c < 2 + static_cast<int>(n_models)) return d.norms[static_cast<size_t>(c - 2)];
    const int rest = c - 2 - static_cast<int>(n_models);
    if (rest == 0) return d.mean_cosine();
    if (rest == 1) return d.sign_conflict;
    double kept = 0;
    for (double k : d.kept) kept += k / static_cast<double>(std::max<size_t>(d.kept.size(), 1));
    return kept;
  };
  for (const auto& d : diags_)
    for (int c = 2; c < n_cols; ++c) {
      const double v = value(d, c);
      if (std::isfinite(v)) cmin[static_cast<size_t>(c)] = std::min(cmin[static_cast<size_t>(c)], v),
                                 cmax[static_cast<size_t>(c)] = std::max(cmax[static_cast<size_t>(c)], v);
    }
  // Bounded quantities use their full range (a kept fraction of 0.19 vs 0.20 must not look like 0 vs 1):
  // cosine [-1, 1], sign conflict and kept [0, 1]. Norms share one range across models so that they compare.
  cmin[2 + n_models] = -1.0, cmax[2 + n_models] = 1.0;
  cmin[3 + n_models] = 0.0, cmax[3 + n_models] = 1.0;
  cmin[4 + n_models] = 0.0, cmax[4 + n_models] = 1.0;
  if (n_models > 0) {
    double lo_n = INFINITY, hi_n = -INFINITY;
    for (size_t i = 0; i < n_models; ++i) lo_n = std::min(lo_n, cmin[2 + i]), hi_n = std::max(hi_n, cmax[2 + i]);
    for (size_t i = 0; i < n_models; ++i) cmin[2 + i] = lo_n, cmax[2 + i] = hi_n;
  }
  std::string clicked;
  for (size_t row = 0; row < order_.size(); ++row) {
    const auto& d = diags_[static_cast<size_t>(order_[row])];
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    if (ImGui::Selectable(d.tensor.c_str(), d.tensor == selected_, ImGuiSelectableFlags_SpanAllColumns))
      clicked = d.tensor;
    remember_rect("row_" + std::to_string(row));
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(ckpt::shape_string(d.shape).c_str());
    for (int c = 2; c < n_cols; ++c) {
      ImGui::TableSetColumnIndex(c);
      const double v = value(d, c);
      if (std::isfinite(v)) {
        const double span = cmax[static_cast<size_t>(c)] - cmin[static_cast<size_t>(c)];
        const float s = span > 0 ? static_cast<float>((v - cmin[static_cast<size_t>(c)]) / span) : 0.5f;
        const ImU32 col = (Widgets::Viridis(s) & 0x00FFFFFFu) | (static_cast<ImU32>(150) << IM_COL32_A_SHIFT);
        ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, col);
        ImGui::Text("%s", fmt(c == 2 + static_cast<int>(n_models) + 2 || c == 2 + static_cast<int>(n_models) + 1
                                  ? "%.3f" : "%.4g", v).c_str());
      } else {
        ImGui::TextDisabled("-");
      }
    }
  }
  ImGui::EndTable();
  if (!clicked.empty()) selected_ = clicked;
}

void CheckpointsPanel::draw_histogram(float height) {
  const size_t n_models = family_ ? family_->models.size() : 0;
  if (selected_.empty() || n_models == 0) {
    ImGui::TextDisabled("Select a tensor to see its task-vector values.");
    return;
  }
  ImGui::Text("Task vector of %s", selected_.c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(10.0f));
  hist_model_ = std::clamp(hist_model_, 0, static_cast<int>(n_models) - 1);
  if (ImGui::BeginCombo("##hist_model", file_name(family_->models[static_cast<size_t>(hist_model_)].path).c_str())) {
    for (size_t i = 0; i < n_models; ++i)
      if (ImGui::Selectable(file_name(family_->models[i].path).c_str(), static_cast<int>(i) == hist_model_))
        hist_model_ = static_cast<int>(i);
    ImGui::EndCombo();
  }
  remember_rect("hist_model");
  if (!hist_valid_) {
    ImGui::TextDisabled("computing...");
    return;
  }
  if (!hist_.error.empty()) {
    ImGui::TextColored(to_vec4(kBad), "%s", hist_.error.c_str());
    return;
  }
  if (std::isfinite(hist_.threshold))
    ImGui::TextDisabled("%llu values, %llu exactly 0 (not drawn); |tau| >= %.4g kept at density %.2f (grey: trimmed)",
                        static_cast<unsigned long long>(hist_.numel), static_cast<unsigned long long>(hist_.zeros),
                        hist_.threshold, hist_.density);
  else
    ImGui::TextDisabled("%llu values; density %.2f keeps nothing", static_cast<unsigned long long>(hist_.numel),
                        hist_.density);
  Widgets::HistogramStyle style;
  Widgets::HistogramMarker markers[2];
  int n_markers = 0;
  if (std::isfinite(hist_.threshold)) {
    style.band_lo = -hist_.threshold, style.band_hi = hist_.threshold;
    markers[0] = {-hist_.threshold, kMarker, "-t"};
    markers[1] = {hist_.threshold, kMarker, "+t"};
    n_markers = 2;
  } else {
    style.band_lo = hist_.bins.lo - 1, style.band_hi = hist_.bins.hi + 1;
  }
  const float h = std::max(em(6.0f), height - ImGui::GetFrameHeightWithSpacing());
  Widgets::Histogram("##hist", hist_.bins, ImVec2(ImGui::GetContentRegionAvail().x, h), markers, n_markers,
                     "task-vector value", "count", style);
  remember_rect("histogram");
}

void CheckpointsPanel::draw(AppContext& ctx) {
  for (const auto& p : ws_ ? ws_->take_dropped() : std::vector<std::string>{}) {
    if (base_.empty()) {
      base_ = p;
    } else {
      auto empty = std::find(models_.begin(), models_.end(), std::string());
      if (empty != models_.end()) *empty = p;
      else models_.push_back(p);
    }
  }
  if (per_model_.size() != models_.size()) reset_params();
  // Screenshots are deterministic: the fixture family is loaded (and every result waited for) before the frame.
  if (ctx.screenshot_mode && !auto_loaded_ && !base_.empty()) {
    auto_loaded_ = true;
    start_load();
  }
  poll_jobs(ctx.screenshot_mode);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left_w = std::min(std::max(em(30.0f), avail.x * 0.42f), avail.x * 0.6f);
  ImGui::BeginChild("##ckpt_left", ImVec2(left_w, avail.y), false);
  draw_inputs(ctx);
  draw_compat();
  draw_method();
  draw_actions();
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("##ckpt_right", ImVec2(0, avail.y), false);
  const float table_h = std::floor(ImGui::GetContentRegionAvail().y * 0.5f);
  draw_table(table_h);
  draw_histogram(ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing());
  ImGui::EndChild();
  if (auto picked = browser_.draw([this](const char* name) { remember_rect(name); })) accept_path(*picked);
  draw_error_popup();
  publish();
}

namespace {
PanelRegistrar reg{80, [] { return std::make_unique<CheckpointsPanel>(); }};
}  // namespace

}  // namespace mergelab::app
