// Weight space on real checkpoints (the Checkpoints side): the explorer's pictures for a family on disk.
//
// Path: every task's metric and the combined one against t from A to B, LERP solid and SLERP dashed, the loss
// barrier with its verdict and threshold, and a merge point dragged along t whose exact metrics are read out.
// Task plane: θ₀ + a·τ_A + b·τ_B as a heat map with contours, the base, A, B and every registry method's merge
// as markers (distance off the plane beside each); a click reads a cell. Landscape: filter-normalised random
// directions around A, 1-D or 2-D. Maps: the task-vector cosine matrix and the layers × module-kind grid.
// Every computation runs on a BackgroundJob (real_weight_space_job.h) with progress and cancel, and is drawn
// as its points arrive. The family is read on a worker too; the fields start on the repository's digits
// family, or take the Checkpoints panel's selection.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <map>
#include <sstream>

#include "app/gui/palette.h"
#include "app/gui/panel.h"
#include "app/gui/workspace.h"
#include "app/panels/real_weight_space_compute.h"
#include "core/io/atomic_file.h"
#include "widgets/imgui_compat.h"

namespace mergelab::app {
namespace {

namespace fs = std::filesystem;
using ImGuiCompat::em;
using namespace rws;

constexpr const char* kTabs[] = {"Path", "Task plane", "Landscape", "Maps"};
constexpr const char* kTabKeys[] = {"path", "plane", "landscape", "maps"};  ///< the names in saved settings

struct Field {
  char text[1024] = "";
  void set(const std::string& s) { std::snprintf(text, sizeof text, "%s", s.c_str()); }
  std::string str() const { return text; }
};

nlohmann::json metrics_json(const analysis::Scorer& s, const analysis::PointScore& p) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t k = 0; k < s.metric_names.size() && k < p.metrics.size(); ++k) j[s.metric_names[k]] = p.metrics[k];
  j[s.combined_name] = p.combined;
  return j;
}

std::string metrics_text(const analysis::Scorer& s, const analysis::PointScore& p) {
  std::string out;
  char buf[96];
  for (std::size_t k = 0; k < s.metric_names.size() && k < p.metrics.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%s%s %.4f", out.empty() ? "" : ",  ", s.metric_names[k].c_str(), p.metrics[k]);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, ",  %s %.4f", s.combined_name.c_str(), p.combined);
  return out + buf;
}

class RealWeightSpacePanel : public Panel {
 public:
  RealWeightSpacePanel() {
    const auto d = default_checkpoint_paths();
    if (d.size() >= 3) {
      base_.set(d[0]), a_.set(d[1]), b_.set(d[2]);
      data_.set((fs::path(d[0]).parent_path().parent_path() / "data").string());
      auto_load_ = true;
      std::error_code ec;
      const fs::path root = fs::path(d[0]).parent_path().parent_path().parent_path();
      if (fs::is_directory(root / "tinylm" / "models" / "base", ec)) examples_root_ = root;
    }
  }
  ~RealWeightSpacePanel() override {
    for (auto& f : exports_)
      if (f.valid()) f.wait();
  }
  const char* id() const override { return "real_weight_space"; }
  const char* title() const override { return "Weight space (your checkpoints)"; }
  const char* help() const override {
    return "The explorer's pictures for checkpoints on disk. Path: metrics from A (t = 0) to B (t = 1), LERP solid, "
           "SLERP dashed; the barrier is the largest rise of the combined loss above the straight line between the "
           "ends, declared above 0.1 x the mean end value. Drag on the plot to move the merge point. Task plane: base + "
           "a tau_A + b tau_B with every method's merge projected onto it. Landscape: filter-normalised random "
           "directions around A. Maps: task-vector cosines and per-layer statistics.";
  }
  const char* view() const override { return "weight_space"; }
  float weight() const override { return 1.0f; }
  void attach(Workspace& w) override { workspace_ = &w; }

  void draw(AppContext& ctx) override {
    poll();
    barrier_held_ = ctx.holds_back("barrier");
    if (auto_load_) auto_load_ = false, start_load();
    if (ctx.screenshot_mode && !ctx.benchmark) settle();
    screenshot_ = ctx.screenshot_mode;
    draw_inputs();
    if (!error_.empty()) ImGui::TextColored(palette::to_vec4(palette::kBad), "%s", error_.c_str());
    if (!family_) {
      if (load_.running()) ImGui::TextUnformatted("reading the checkpoints and the data...");
      return;
    }
    for (int k = 0; k < 4; ++k) {
      if (k) ImGui::SameLine();
      const bool on = tab_ == k;
      if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
      if (ImGui::Button(kTabs[k])) tab_ = k;
      remember(std::string("tab.") + kTabs[k]);
      if (on) ImGui::PopStyleColor();
    }
    ImGui::SameLine(0, em(2.0f));
    if (ImGui::Button("Export PNG + SVG")) export_current();
    if (!export_message_.empty()) ImGui::SameLine(), ImGui::TextUnformatted(export_message_.c_str());
    const bool dark = ctx.ui.dark;
    const float lw = ctx.ui.line_scale();
    // A view computes the first time it is shown (Compute runs it again with new settings).
    if (tab_ == 1 && !plane_started_ && roles_of(*family_).base >= 0) plane_started_ = true, start_plane();
    if (tab_ == 2 && !land_started_) land_started_ = true, start_landscape();
    if (tab_ == 3 && !maps_started_ && roles_of(*family_).base >= 0) maps_started_ = true, start_maps();
    switch (tab_) {
      case 0: draw_path_tab(dark, lw); break;
      case 1: draw_plane_tab(); break;
      case 2: draw_landscape_tab(dark, lw); break;
      default: draw_maps_tab(); break;
    }
  }

  // Sessions and lecture scenes keep the family and the view (core/scene/scene_file.cpp's schema).
  nlohmann::json save() const override {
    return {{"base", portable(base_.str())}, {"a", portable(a_.str())}, {"b", portable(b_.str())},
            {"data", portable(data_.str())}, {"tab", kTabKeys[tab_]}};
  }
  void load(const nlohmann::json& j) override;
  std::string portable(const std::string& path) const;
  nlohmann::json inputs() const {
    return {{"base", base_.str()}, {"a", a_.str()}, {"b", b_.str()}, {"data", data_.str()}, {"tab", tab_}};
  }
  nlohmann::json state() const override;

 private:
  Workspace* workspace_ = nullptr;  // the window's (outlives the panel): the Checkpoints selection
  // ---- inputs ----
  Field base_, a_, b_, data_, tasks_;
  int max_docs_ = 8, window_ = 64, threads_ = 2;
  int points_ = 21, refine_ = 6, grid_ = 21;
  float range_[4] = {-0.5f, 1.5f, -0.5f, 1.5f};
  int land_dims_ = 1, land_points_ = 21, land_seed_ = 0;
  float land_range_ = 1.0f, density_ = 0.2f;
  int map_stat_ = 1, tab_ = 0;
  bool auto_load_ = false;
  bool barrier_held_ = false;  ///< a lecture scene holds the path's answer back until the reveal (V)
  // What the path view drew in the last frame (for the state dump's hold-back checks).
  std::size_t path_points_drawn_ = 0;
  bool verdict_shown_ = false, readout_shown_ = false;
  fs::path examples_root_;  ///< tests/data of the source tree when its fixture families are there
  bool plane_started_ = false, land_started_ = false, maps_started_ = false;
  std::string error_;
  // ---- results and jobs ----
  FamilyPtr family_;
  BackgroundJob<FamilyPtr> load_;
  BackgroundJob<PathData> path_job_;
  BackgroundJob<MergePoint> point_job_;
  BackgroundJob<PlaneData> plane_job_;
  BackgroundJob<LandscapeData> land_job_;
  BackgroundJob<MapsData> maps_job_;
  std::shared_ptr<Live<PathData>> path_live_ = std::make_shared<Live<PathData>>();
  std::shared_ptr<Live<PlaneData>> plane_live_ = std::make_shared<Live<PlaneData>>();
  std::shared_ptr<Live<LandscapeData>> land_live_ = std::make_shared<Live<LandscapeData>>();
  PathData path_;
  PlaneData plane_;
  LandscapeData land_;
  MapsData maps_;
  int plane_version_ = -1, land_version_ = -1;
  MergePoint merge_;
  bool merge_dirty_ = false;
  PathDraw path_draw_;
  HeatDraw plane_draw_;
  HeatCache plane_cache_, land_cache_;
  int selected_cell_ = -1;
  std::vector<std::future<void>> exports_;
  std::string export_message_;
  std::map<std::string, ImVec4> rects_;  ///< screen rects of the controls tests press
  bool screenshot_ = false;
  void remember(const std::string& name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects_[name] = ImVec4(a.x, a.y, b.x, b.y);
  }

  void start_load();
  void poll();
  /// Waits for every running job (and the ones they start), so a screenshot shows finished results.
  void settle() {
    for (int k = 0; k < 4; ++k) {
      load_.wait(), poll();
      path_job_.wait(), poll();
      point_job_.wait(), plane_job_.wait(), land_job_.wait(), maps_job_.wait(), poll();
    }
  }
  void draw_inputs();
  void start_path();
  void start_plane();
  void start_landscape();
  void start_maps();
  void draw_path_tab(bool dark, float lw);
  void draw_plane_tab();
  void draw_landscape_tab(bool dark, float lw);
  void draw_maps_tab();
  void export_current();
  std::vector<HeatMarker> plane_markers() const;
  /// Progress bar and Cancel for a running job; a Compute button otherwise. Returns true when Compute was pressed.
  template <class R>
  bool job_bar(const char* what, BackgroundJob<R>& job);
};

template <class R>
bool RealWeightSpacePanel::job_bar(const char* what, BackgroundJob<R>& job) {
  if (job.running()) {
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "%s: %zu / %zu points", what, job.done(), job.total());
    ImGui::ProgressBar(static_cast<float>(job.fraction()), ImVec2(em(22.0f), 0), overlay);
    ImGui::SameLine();
    if (ImGui::Button((std::string("Cancel##") + what).c_str())) job.cancel();
    return false;
  }
  const bool pressed = ImGui::Button((std::string("Compute##") + what).c_str());
  remember(std::string("compute.") + what);
  return pressed;
}

void RealWeightSpacePanel::start_load() {
  error_.clear();
  analysis::FamilyOptions opt;
  opt.lm.max_docs = max_docs_;
  opt.lm.window = window_;
  std::stringstream ss(tasks_.str());
  for (std::string t; std::getline(ss, t, ',');)
    if (!t.empty()) opt.lm.tasks.push_back(t);
  path_job_.stop(), plane_job_.stop(), land_job_.stop(), maps_job_.stop(), point_job_.stop();
  family_.reset();
  path_ = {}, plane_ = {}, land_ = {}, maps_ = {};
  plane_started_ = land_started_ = maps_started_ = false;
  merge_ = MergePoint{.t = merge_.t};  // the read-out belongs to the family it was scored on
  merge_dirty_ = false;
  selected_cell_ = -1;
  load_.start([base = base_.str(), a = a_.str(), b = b_.str(), data = data_.str(), opt](JobControl&) {
    return load_family(base, a, b, data, opt);
  });
}

void RealWeightSpacePanel::poll() {
  if (auto f = load_.take()) {
    family_ = *f;
    start_path();
  } else if (!load_.error().empty() && !load_.running() && !family_) {
    error_ = load_.error();
  }
  if (auto r = path_job_.take()) path_ = std::move(*r), merge_dirty_ = true;
  if (path_job_.running()) path_ = path_live_->snapshot();
  if (!path_job_.error().empty()) error_ = path_job_.error();
  if (auto r = point_job_.take()) merge_ = *r;
  if (!point_job_.running() && merge_dirty_ && family_ && path_.done) {
    merge_dirty_ = false;
    point_job_.start([f = family_, t = merge_.t](JobControl&) { return score_merge_point(f, t, analysis::PathMethod::Lerp); });
  }
  auto follow = [](auto& job, auto& live, auto& data, int& version) {
    if (auto r = job.take()) data = std::move(*r), ++version;
    else if (job.running()) {
      int v = 0;
      data = live->snapshot(&v);
      version = v;
    }
  };
  follow(plane_job_, plane_live_, plane_, plane_version_);
  if (!plane_job_.error().empty()) error_ = plane_job_.error();
  follow(land_job_, land_live_, land_, land_version_);
  if (!land_job_.error().empty()) error_ = land_job_.error();
  if (auto r = maps_job_.take()) maps_ = std::move(*r);
  if (!maps_job_.error().empty()) error_ = maps_job_.error();
  exports_.erase(std::remove_if(exports_.begin(), exports_.end(),
                                [](auto& f) { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }),
                 exports_.end());
}

void RealWeightSpacePanel::draw_inputs() {
  // Three path fields share the row (each with its one-letter label), so the names at their ends stay readable.
  const float w = std::max(em(17.0f), (ImGui::GetContentRegionAvail().x - em(6.0f)) / 3.0f - ImGui::GetStyle().ItemSpacing.x);
  auto field = [&](const char* label, Field& f) {
    ImGui::SetNextItemWidth(w);
    ImGui::InputText(label, f.text, sizeof f.text);
    remember(std::string("field.") + std::string(label).substr(0, std::string(label).find('#')));
  };
  field("base##rws", base_);
  ImGui::SameLine();
  field("A##rws", a_);
  ImGui::SameLine();
  field("B##rws", b_);
  field("data##rws", data_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(6.0f));
  ImGui::InputInt("threads##rws", &threads_);
  threads_ = std::clamp(threads_, 1, 64);
  ImGui::SameLine();
  if (load_.running()) {
    ImGui::TextUnformatted("loading...");
  } else {
    if (ImGui::Button("Load##rws")) start_load();
    remember("load");
  }
  // The repository's fixture families, one click each (the digits MLPs; the tiny LMs with the other-init model as B).
  if (!examples_root_.empty()) {
    ImGui::SameLine();
    if (ImGui::Button("digits example")) {
      const fs::path d = examples_root_ / "digits";
      base_.set((d / "models" / "base").string()), a_.set((d / "models" / "ft_task0").string());
      b_.set((d / "models" / "ft_task1").string()), data_.set((d / "data").string());
      start_load();
    }
    remember("example.digits");
    ImGui::SameLine();
    if (ImGui::Button("tiny LM example")) {
      const fs::path d = examples_root_ / "tinylm";
      base_.set((d / "models" / "base").string()), a_.set((d / "models" / "ft_python").string());
      b_.set((d / "models" / "diffinit_prose").string()), data_.set((d / "data").string());
      start_load();
    }
    remember("example.tinylm");
  }
  if (workspace_ && workspace_->loaded && workspace_->loaded->models.size() >= 2) {
    ImGui::SameLine();
    if (ImGui::Button("Use the Checkpoints selection")) {
      const Workspace::Selection& sel = *workspace_->loaded;
      base_.set(sel.base), a_.set(sel.models[0]), b_.set(sel.models[1]);
      start_load();
    }
  }
  if (ImGui::TreeNode("Language models: tasks, window, documents")) {
    field("tasks (a,b; empty: all)##rws", tasks_);
    ImGui::SetNextItemWidth(em(6.0f));
    ImGui::InputInt("window##rws", &window_);
    window_ = std::clamp(window_, 2, 4096);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em(6.0f));
    ImGui::InputInt("max docs per task##rws", &max_docs_);
    max_docs_ = std::clamp(max_docs_, 1, 100000);
    ImGui::TreePop();
  }
}

void RealWeightSpacePanel::start_path() {
  if (!family_) return;
  analysis::PathOptions opt;
  opt.points = points_, opt.refine = refine_;
  path_live_ = std::make_shared<Live<PathData>>();
  path_job_.start([f = family_, opt, th = threads_, live = path_live_](JobControl& c) { return run_path(f, opt, th, c, live); });
}

void RealWeightSpacePanel::start_plane() {
  analysis::PlaneOptions opt;
  opt.a0 = range_[0], opt.a1 = range_[1], opt.b0 = range_[2], opt.b1 = range_[3], opt.grid = grid_;
  selected_cell_ = -1;
  plane_live_ = std::make_shared<Live<PlaneData>>();
  plane_version_ = -1;
  plane_job_.start([f = family_, opt, th = threads_, live = plane_live_](JobControl& c) { return run_plane(f, opt, th, c, live); });
}

void RealWeightSpacePanel::start_landscape() {
  analysis::LandscapeOptions opt;
  opt.dims = land_dims_, opt.points = land_points_, opt.range = land_range_, opt.seed = static_cast<std::uint32_t>(land_seed_);
  land_live_ = std::make_shared<Live<LandscapeData>>();
  land_version_ = -1;
  land_job_.start([f = family_, opt, th = threads_, live = land_live_](JobControl& c) { return run_landscape(f, opt, th, c, live); });
}

void RealWeightSpacePanel::start_maps() {
  maps_job_.start([f = family_, d = density_, th = threads_](JobControl& c) { return run_maps(f, d, th, c); });
}

void RealWeightSpacePanel::draw_path_tab(bool dark, float lw) {
  ImGui::SetNextItemWidth(em(5.0f));
  ImGui::InputInt("points##rws", &points_);
  points_ = std::clamp(points_, 2, 1001);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(5.0f));
  ImGui::InputInt("refine##rws", &refine_);
  refine_ = std::clamp(refine_, 0, 50);
  ImGui::SameLine();
  if (job_bar("path", path_job_)) start_path();
  const auto& sc = family_->scored.scorer;
  if (barrier_held_) {
    // Everything that gives the answer away waits for the reveal: the verdicts, the read-out and the curves.
    ImGui::TextUnformatted("barrier: held back - is there one? (V reveals it)");
    ImGui::NewLine();
    ImGui::TextDisabled("merge point: held back");
    static const PathData kNothing;
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    ImGui::BeginDisabled();
    MergePoint marker{.t = merge_.t};
    path_draw_ = draw_path(*family_, kNothing, marker, ImVec2(avail.x, std::max(avail.y, em(10.0f))), dark, lw);
    ImGui::EndDisabled();
    path_points_drawn_ = 0, verdict_shown_ = readout_shown_ = false;
    return;
  }
  verdict_shown_ = path_.done;
  path_points_drawn_ = 0;
  for (const auto* r : {&path_.lerp, &path_.slerp})
    for (const auto& pt : r->points) path_points_drawn_ += pt.evaluated ? 1 : 0;
  if (path_.done) {
    const auto& b = path_.lerp.barrier;
    // Wrapped: a verdict writes its threshold out and runs past the panel's width in presentation view.
    ImGui::PushStyleColor(ImGuiCol_Text, b.present ? ImVec4(1.0f, 0.5f, 0.4f, 1.0f) : ImVec4(0.5f, 0.9f, 0.5f, 1.0f));
    ImGui::TextWrapped("LERP: %s", b.verdict.c_str());
    ImGui::PopStyleColor();
    ImGui::TextWrapped("SLERP: %s", path_.slerp.barrier.verdict.c_str());
  } else {
    ImGui::TextUnformatted("barrier: computing...");
    ImGui::NewLine();
  }
  char head[96];
  std::snprintf(head, sizeof head, "merge point t = %.3f (LERP):", merge_.t);
  ImGui::TextUnformatted(head);
  ImGui::SameLine();
  readout_shown_ = merge_.scored && std::abs(merge_.scored_t - merge_.t) < 1e-12;
  if (readout_shown_)
    ImGui::TextWrapped("%s", metrics_text(sc, merge_.score).c_str());
  else
    ImGui::TextDisabled("%s", path_.done ? "scoring..." : "after the path");
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // A screenshot shows no hover read-out where the pointer happens to rest: the plot takes no mouse then.
  if (screenshot_) ImGui::PushStyleVar(ImGuiStyleVar_DisabledAlpha, 1.0f), ImGui::BeginDisabled();
  path_draw_ = draw_path(*family_, path_, merge_, ImVec2(avail.x, std::max(avail.y, em(10.0f))), dark, lw);
  if (screenshot_) ImGui::EndDisabled(), ImGui::PopStyleVar();
  if (path_draw_.t_changed) merge_.scored = false;
  if (path_draw_.released || (path_draw_.t_changed && !ImGui::IsMouseDown(0))) merge_dirty_ = true;
}

std::vector<HeatMarker> RealWeightSpacePanel::plane_markers() const {
  // Merges that land on (nearly) the same spot share one marker and one label, so the names stay readable.
  const double tol = 0.015 * std::max(range_[1] - range_[0], range_[3] - range_[2]);
  std::vector<HeatMarker> out;
  char buf[96];
  for (const auto& m : plane_.markers) {
    const bool model = m.name == "base" || m.name == "model_i" || m.name == "model_j";
    const std::string name = m.name == "model_i" ? family_->names[1] : m.name == "model_j" ? family_->names[2] : m.name;
    if (model)
      std::snprintf(buf, sizeof buf, "%s", name.c_str());
    else
      std::snprintf(buf, sizeof buf, "%s (off %.2g)", name.c_str(), m.coords.relative_distance);
    const ImU32 color = model ? palette::kInit : palette::kPoint;
    auto near = std::find_if(out.begin(), out.end(), [&](const HeatMarker& h) {
      return h.color == color && std::abs(h.x - m.coords.a) < tol && std::abs(h.y - m.coords.b) < tol;
    });
    if (near != out.end())
      near->label += ", " + std::string(buf);
    else
      out.push_back({m.coords.a, m.coords.b, color, buf});
  }
  return out;
}

void RealWeightSpacePanel::draw_plane_tab() {
  if (roles_of(*family_).base < 0) {
    ImGui::TextUnformatted("The task plane needs a base checkpoint.");
    return;
  }
  ImGui::SetNextItemWidth(em(14.0f));
  ImGui::InputFloat4("a0 a1 b0 b1##rws", range_, "%.2f");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(5.0f));
  ImGui::InputInt("grid##rws", &grid_);
  grid_ = std::clamp(grid_, 2, 201);
  ImGui::SameLine();
  if (job_bar("plane", plane_job_) && range_[0] < range_[1] && range_[2] < range_[3]) start_plane();
  const auto& sc = family_->scored.scorer;
  const auto& g = plane_.grid;
  if (selected_cell_ >= 0 && selected_cell_ < static_cast<int>(g.cells.size()) && g.evaluated[static_cast<std::size_t>(selected_cell_)]) {
    const std::size_t na = g.a_values.size();
    ImGui::TextWrapped("cell a = %.3f, b = %.3f (task arithmetic with these weights, lambda 1): %s",
                       g.a_values[static_cast<std::size_t>(selected_cell_) % na], g.b_values[static_cast<std::size_t>(selected_cell_) / na],
                       metrics_text(sc, g.cells[static_cast<std::size_t>(selected_cell_)]).c_str());
  } else {
    ImGui::TextDisabled("click a cell to read its metrics; markers: each method's merge projected, (off d) = relative distance off the plane");
  }
  if (g.a_values.size() < 2) return;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const std::string at = "a (weight of tau " + family_->names[1] + ")", bt = "b (weight of tau " + family_->names[2] + ")";
  plane_draw_ = draw_heat("##rws_plane", g.a_values, g.b_values, combined_values(g.cells, g.evaluated), plane_version_, plane_cache_,
                          plane_markers(), selected_cell_, ImVec2(avail.x, std::max(avail.y, em(10.0f))), at.c_str(), bt.c_str(),
                          sc.combined_name.c_str());
  if (plane_draw_.clicked >= 0) selected_cell_ = plane_draw_.clicked;
}

void RealWeightSpacePanel::draw_landscape_tab(bool dark, float lw) {
  ImGui::SetNextItemWidth(em(5.0f));
  ImGui::SliderInt("dims##rws", &land_dims_, 1, 2);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(5.0f));
  ImGui::InputInt("points##rwsl", &land_points_);
  land_points_ = std::clamp(land_points_, 2, 201);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(5.0f));
  ImGui::InputFloat("range##rws", &land_range_, 0, 0, "%.2f");
  land_range_ = std::clamp(land_range_, 1e-3f, 100.0f);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(5.0f));
  ImGui::InputInt("seed##rws", &land_seed_);
  ImGui::SameLine();
  if (job_bar("landscape", land_job_)) start_landscape();
  ImGui::Text("around %s along filter-normalised random directions (Li et al. 2018; biases and norms left out)",
              family_->names[static_cast<std::size_t>(roles_of(*family_).a)].c_str());
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 size(avail.x, std::max(avail.y, em(10.0f)));
  const auto& r = land_.result;
  if (r.dims == 2 && r.y_values.size() >= 2)
    draw_heat("##rws_land2", r.x_values, r.y_values, combined_values(r.cells, r.evaluated), land_version_, land_cache_,
              {{0.0, 0.0, palette::kPoint, family_->names[static_cast<std::size_t>(roles_of(*family_).a)]}}, -1, size, "x (direction 0)",
              "y (direction 1)", family_->scored.scorer.combined_name.c_str());
  else if (!r.x_values.empty()) {
    // As the path: a screenshot shows no hover read-out where the pointer happens to rest.
    if (screenshot_) ImGui::PushStyleVar(ImGuiStyleVar_DisabledAlpha, 1.0f), ImGui::BeginDisabled();
    draw_landscape_1d(*family_, land_, size, dark, lw);
    if (screenshot_) ImGui::EndDisabled(), ImGui::PopStyleVar();
  }
}

void RealWeightSpacePanel::draw_maps_tab() {
  if (roles_of(*family_).base < 0) {
    ImGui::TextUnformatted("The maps need a base checkpoint (task vectors are model - base).");
    return;
  }
  ImGui::SetNextItemWidth(em(5.0f));
  ImGui::SliderFloat("density##rws", &density_, 0.0f, 1.0f, "%.2f");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em(12.0f));
  static const char* stats[] = {"norm", "cosine", "sign conflict", "kept fraction"};
  ImGui::Combo("grid statistic##rws", &map_stat_, stats, 4);
  ImGui::SameLine();
  if (job_bar("maps", maps_job_)) start_maps();
  if (!maps_.maps.whole.norms.empty()) draw_maps(*family_, maps_, map_stat_, ImGui::GetContentRegionAvail());
}

void RealWeightSpacePanel::export_current() {
  // Files next to the data folder's parent is no place for output: a fixed folder under the current directory.
  const fs::path dir = fs::path("mergelab_exports");
  std::vector<std::pair<fs::path, std::string>> files;
  if (tab_ == 0 && path_.done) {
    files.emplace_back(dir / "path.svg", svg_path(*family_, path_, merge_.t));
  } else if (tab_ == 1 && plane_.done) {
    files.emplace_back(dir / "plane.svg", svg_heat(plane_.grid.a_values, plane_.grid.b_values, plane_cache_, plane_markers(), "a", "b",
                                                   family_->scored.scorer.combined_name.c_str()));
    files.emplace_back(dir / "plane.png", png_of(plane_cache_.pixels, plane_cache_.w, plane_cache_.h));
  } else if (tab_ == 2 && land_.done && land_.result.dims == 2) {
    files.emplace_back(dir / "landscape.svg", svg_heat(land_.result.x_values, land_.result.y_values, land_cache_, {}, "x", "y",
                                                       family_->scored.scorer.combined_name.c_str()));
    files.emplace_back(dir / "landscape.png", png_of(land_cache_.pixels, land_cache_.w, land_cache_.h));
  }
  if (files.empty()) {
    export_message_ = "nothing finished to export here (Ctrl+E exports the window as PNG)";
    return;
  }
  export_message_ = "written to " + fs::absolute(dir).string();
  exports_.push_back(std::async(std::launch::async, [files = std::move(files), dir] {
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const auto& [path, text] : files) {
      try {
        io::write_file_atomic(path, text);
      } catch (...) {
      }
    }
  }));
}

nlohmann::json RealWeightSpacePanel::state() const {
  nlohmann::json j;
  j["loaded"] = family_ != nullptr;
  j["error"] = error_;
  j["tab"] = kTabs[tab_];
  j["inputs"] = inputs();
  j["barrier_held_back"] = barrier_held_;
  if (!family_) return j;
  const auto& sc = family_->scored.scorer;
  j["family"] = family_->names;
  j["language_model"] = family_->scored.language_model;
  j["scorer"] = {{"metrics", sc.metric_names}, {"combined", sc.combined_name}};
  auto count = [](const auto& pts) {
    std::size_t n = 0;
    for (const auto& p : pts) n += p.evaluated ? 1 : 0;
    return n;
  };
  nlohmann::json p = {{"running", path_job_.running()}, {"done", path_.done},
                      {"lerp_points", count(path_.lerp.points)}, {"slerp_points", count(path_.slerp.points)}};
  if (path_.done) {
    for (const auto* r : {&path_.lerp, &path_.slerp}) {
      const auto& b = r->barrier;
      p[r == &path_.lerp ? "lerp_barrier" : "slerp_barrier"] = {{"height", b.height}, {"t", b.t}, {"threshold", b.threshold},
                                                                {"present", b.present}, {"verdict", b.verdict}};
    }
  }
  const ImVec4& pr = path_draw_.plot_rect;
  p["plot_rect"] = {pr.x, pr.y, pr.z, pr.w};
  p["merge_t"] = merge_.t;
  p["points_drawn"] = path_points_drawn_;
  p["verdict_shown"] = verdict_shown_;
  p["readout_shown"] = readout_shown_;
  p["merge_scored_t"] = merge_.scored ? merge_.scored_t : -1.0;
  if (merge_.scored) p["merge_metrics"] = metrics_json(sc, merge_.score);
  j["path"] = p;
  std::size_t cells = 0;
  for (bool e : plane_.grid.evaluated) cells += e ? 1 : 0;
  nlohmann::json pl = {{"running", plane_job_.running()}, {"done", plane_.done}, {"cells", cells}, {"selected", selected_cell_}};
  nlohmann::json markers = nlohmann::json::array();
  for (const auto& m : plane_.markers)
    markers.push_back({{"name", m.name}, {"a", m.coords.a}, {"b", m.coords.b}, {"relative_distance", m.coords.relative_distance}});
  pl["markers"] = markers;
  const ImVec4& hr = plane_draw_.plot_rect;
  pl["plot_rect"] = {hr.x, hr.y, hr.z, hr.w};
  pl["a_values"] = plane_.grid.a_values;
  pl["b_values"] = plane_.grid.b_values;
  if (selected_cell_ >= 0 && selected_cell_ < static_cast<int>(plane_.grid.cells.size()) &&
      plane_.grid.evaluated[static_cast<std::size_t>(selected_cell_)])
    pl["selected_metrics"] = metrics_json(sc, plane_.grid.cells[static_cast<std::size_t>(selected_cell_)]);
  j["plane"] = pl;
  j["landscape"] = {{"running", land_job_.running()}, {"done", land_.done}, {"dims", land_.result.dims}};
  j["maps"] = {{"running", maps_job_.running()}, {"done", maps_.done}, {"layers", maps_.maps.layers},
               {"kinds", maps_.maps.kinds}};
  nlohmann::json rects = nlohmann::json::object();
  for (const auto& [name, r] : rects_) rects[name] = {r.x, r.y, r.z, r.w};
  j["rects"] = rects;
  return j;
}

std::string RealWeightSpacePanel::portable(const std::string& p) const {
  // The inverse of load()'s rule: a path into the fixtures is saved relative to them, so a saved session or
  // scene opens the same family from any folder. Purely lexical: save() also feeds the per-frame state dump,
  // which must not touch the file system.
  if (examples_root_.empty() || p.empty()) return p;
  const fs::path rel = fs::path(p).lexically_relative(examples_root_);
  if (rel.empty() || *rel.begin() == "..") return p;
  return rel.string();
}

void RealWeightSpacePanel::load(const nlohmann::json& j) {
  if (!j.is_object()) return;
  // A relative path that does not exist from the current folder is taken from the repository's fixtures
  // (tests/data), so a lecture scene can name "digits/models/multitask" wherever the explorer starts.
  auto resolve = [&](const std::string& p) {
    std::error_code ec;
    const fs::path q(p);
    if (p.empty() || q.is_absolute() || fs::exists(q, ec) || examples_root_.empty()) return p;
    const fs::path r = examples_root_ / q;
    return fs::exists(r, ec) ? r.string() : p;
  };
  auto take = [&](const char* key, Field& f) {
    if (const auto it = j.find(key); it != j.end() && it->is_string()) f.set(resolve(it->get<std::string>())), auto_load_ = true;
  };
  take("base", base_), take("a", a_), take("b", b_), take("data", data_);
  if (const auto it = j.find("tab"); it != j.end() && it->is_string())
    for (int k = 0; k < 4; ++k)
      if (*it == kTabKeys[k]) tab_ = k;
}

PanelRegistrar reg{90, [] { return std::make_unique<RealWeightSpacePanel>(); }};

}  // namespace
}  // namespace mergelab::app
