// Checkpoints panel: see checkpoints_panel.h. The panel's core; its jobs and views are in checkpoints_panel_*.cpp.
//
// [SECTION] Panel: settings, recipe, state dump
// [SECTION] Panel: the frame
#include "app/panels/checkpoints_panel.h"
#include "app/panels/checkpoints_panel_internal.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "app/gui/workspace.h"
#include "app/panels/dialog_keys.h"
#include "core/merge/registry.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {

namespace fs = std::filesystem;
using ImGuiCompat::em;
using checkpoints_detail::kBad;
using checkpoints_detail::to_vec4;

// ---------------------------------------------------------------------------------------------------
// [SECTION] Panel: settings, recipe, state dump
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
  if (spec->needs_base || ((spec->base_optional || spec->base_joins_models) && use_base_)) r.base_model = absolute(base_);
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

nlohmann::json CheckpointsPanel::save() const {
  return {{"base", base_},          {"models", models_},     {"method", method_},       {"params", global_},
          {"model_params", per_model_}, {"density", density_}, {"out_dir", out_dir_},     {"yaml_path", yaml_path_},
          {"threads", threads_},    {"seed", seed_},         {"use_base", use_base_},   {"load_on_open", load_on_open_}};
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
    if (j.contains("use_base")) use_base_ = j["use_base"].get<bool>();
    if (j.contains("load_on_open")) load_on_open_ = j["load_on_open"].get<bool>(), auto_loaded_ = false;
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
  j["use_base"] = use_base_;
  if (preflight_)
    j["preflight"] = {{"ok", preflight_->ok},
                      {"error", preflight_->error},
                      {"warnings", preflight_->warnings},
                      {"tensors", preflight_->tensors},
                      {"bytes_read", preflight_->bytes_read},
                      {"bytes_written", preflight_->bytes_written},
                      {"peak_memory_bytes", preflight_->peak_memory_bytes},
                      {"pending", preflight_running_}};
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
                      {"density_of", hist_.density_of},
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
// [SECTION] Panel: the frame
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
  if (ImGui::Button("OK", ImVec2(em(6.0f), 0)) || dialog_keys::enter() || dialog_keys::escape()) {
    ImGui::CloseCurrentPopup();
    error_shown_ = false;
  }
  remember_rect("error_ok");
  ImGui::EndPopup();
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
  if ((ctx.screenshot_mode || load_on_open_) && !auto_loaded_ && !base_.empty()) {
    auto_loaded_ = true;
    start_load();
  }
  poll_jobs(ctx.screenshot_mode);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float left_w = std::min(std::max(em(30.0f), avail.x * 0.42f), avail.x * 0.6f);
  ImGui::BeginChild("##ckpt_left", ImVec2(left_w, avail.y), false);
  // The inputs, the report and the method scroll when the column is short (presentation view, small windows);
  // Merge and export stay in view below them.
  const float spacing = ImGui::GetStyle().ItemSpacing.y;
  const float room = std::max(em(8.0f), avail.y - (actions_h_ > 0.0f ? actions_h_ : em(9.0f)) - spacing);
  const float setup_h = setup_h_ > 0.0f ? std::min(room, setup_h_ + spacing) : room;
  ImGui::BeginChild("##ckpt_setup", ImVec2(0, setup_h), false);
  draw_inputs(ctx);
  draw_compat();
  draw_method();
  setup_h_ = ImGui::GetCursorPosY();  // the content's height (ImGui's cursor starts at the child's top)
  ImGui::EndChild();
  const float actions_top = ImGui::GetCursorPosY();
  draw_actions();
  actions_h_ = ImGui::GetCursorPosY() - actions_top;
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
