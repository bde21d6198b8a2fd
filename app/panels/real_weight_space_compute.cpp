#include "app/panels/real_weight_space_compute.h"

#include <filesystem>
#include <stdexcept>

#include "core/merge/registry.h"

namespace mergelab::app::rws {

namespace fs = std::filesystem;

namespace {
std::string short_name(const std::string& path) {
  fs::path p(path);
  while (!p.empty() && p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

// A RunControl that counts into the job's progress and forwards points to `on_point`.
analysis::RunControl control_of(JobControl& c, int threads, std::size_t offset,
                                std::function<void(std::size_t, const analysis::PointScore&)> on_point) {
  analysis::RunControl run;
  run.threads = threads;
  run.cancel = &c.cancel;
  run.progress = [&c, offset](std::size_t done, std::size_t) { c.set_done(offset + done); };
  run.on_point = std::move(on_point);
  return run;
}
}  // namespace

FamilyPtr load_family(const std::string& base, const std::string& a, const std::string& b, const std::string& data,
                      const analysis::FamilyOptions& options) {
  if (a.empty() || b.empty()) throw std::runtime_error("give two checkpoints A and B");
  std::vector<fs::path> paths;
  auto f = std::make_shared<Family>();
  if (!base.empty()) paths.emplace_back(base), f->names.push_back(short_name(base));
  paths.emplace_back(a), f->names.push_back(short_name(a));
  paths.emplace_back(b), f->names.push_back(short_name(b));
  f->scored = analysis::load_scored_family(paths, data, options);
  return f;
}

Roles roles_of(const Family& f) {
  if (f.scored.models.vectors.size() == 3) return {0, 1, 2};
  return {-1, 0, 1};
}

PathData run_path(const FamilyPtr& f, const analysis::PathOptions& opt, int threads, JobControl& c,
                  const std::shared_ptr<Live<PathData>>& live) {
  const Roles r = roles_of(*f);
  const auto& m = f->scored.models;
  const std::size_t per = static_cast<std::size_t>(opt.points + opt.refine);
  c.set_total(2 * per);
  PathData out;
  for (int kind = 0; kind < 2; ++kind) {
    analysis::PathOptions o = opt;
    o.method = kind == 0 ? analysis::PathMethod::Lerp : analysis::PathMethod::Slerp;
    {
      // Grid points appear as they are scored (the refinement points with the full result).
      std::lock_guard<std::mutex> lock(live->mutex);
      auto& pr = kind == 0 ? live->value.lerp : live->value.slerp;
      pr.points.assign(static_cast<std::size_t>(opt.points), {});
      for (int k = 0; k < opt.points; ++k) pr.points[static_cast<std::size_t>(k)].t = static_cast<double>(k) / (opt.points - 1);
    }
    auto on_point = [live, kind, n = opt.points](std::size_t i, const analysis::PointScore& s) {
      if (i >= static_cast<std::size_t>(n)) return;
      std::lock_guard<std::mutex> lock(live->mutex);
      auto& p = (kind == 0 ? live->value.lerp : live->value.slerp).points[i];
      p.evaluated = true, p.score = s;
      ++live->version;
    };
    analysis::PathResult res = analysis::interpolation_path(m.layout, m.vectors[static_cast<std::size_t>(r.a)],
                                                            m.vectors[static_cast<std::size_t>(r.b)], f->scored.scorer, o,
                                                            control_of(c, threads, kind * per, on_point));
    {
      std::lock_guard<std::mutex> lock(live->mutex);
      (kind == 0 ? live->value.lerp : live->value.slerp) = res;
      ++live->version;
    }
    (kind == 0 ? out.lerp : out.slerp) = std::move(res);
    if (c.cancelled()) break;
  }
  out.done = !c.cancelled();
  return out;
}

MergePoint score_merge_point(const FamilyPtr& f, double t, analysis::PathMethod method) {
  const Roles r = roles_of(*f);
  const auto& m = f->scored.models;
  MergePoint mp;
  mp.t = t;
  mp.score = f->scored.scorer.score(analysis::path_point(m.layout, m.vectors[static_cast<std::size_t>(r.a)],
                                                         m.vectors[static_cast<std::size_t>(r.b)], t, method));
  mp.scored = true;
  mp.scored_t = t;
  return mp;
}

PlaneData run_plane(const FamilyPtr& f, const analysis::PlaneOptions& opt, int threads, JobControl& c,
                    const std::shared_ptr<Live<PlaneData>>& live) {
  const Roles r = roles_of(*f);
  if (r.base < 0) throw std::runtime_error("the task plane needs a base: give the base checkpoint");
  const auto& m = f->scored.models;
  const std::size_t cells = static_cast<std::size_t>(opt.grid) * opt.grid;
  const std::vector<analysis::MarkerMethod> methods = analysis::registry_marker_methods();
  c.set_total(cells + 3 + methods.size());
  {
    std::lock_guard<std::mutex> lock(live->mutex);
    auto& g = live->value.grid;
    g = {};
    for (int k = 0; k < opt.grid; ++k) {
      g.a_values.push_back(opt.a0 + (opt.a1 - opt.a0) * k / (opt.grid - 1));
      g.b_values.push_back(opt.b0 + (opt.b1 - opt.b0) * k / (opt.grid - 1));
    }
    g.cells.assign(cells, {});
    g.evaluated.assign(cells, false);
  }
  auto on_point = [live](std::size_t i, const analysis::PointScore& s) {
    std::lock_guard<std::mutex> lock(live->mutex);
    if (i >= live->value.grid.cells.size()) return;
    live->value.grid.cells[i] = s;
    live->value.grid.evaluated[i] = true;
    ++live->version;
  };
  const auto& t0 = m.vectors[0];
  PlaneData out;
  out.grid = analysis::task_plane(m.layout, t0, m.vectors[1], m.vectors[2], f->scored.scorer, opt,
                                  control_of(c, threads, 0, on_point));
  if (!c.cancelled())
    out.markers = analysis::plane_markers(m.layout, t0, m.vectors[1], m.vectors[2], methods, f->scored.scorer,
                                          control_of(c, threads, cells, {}));
  out.done = !c.cancelled();
  std::lock_guard<std::mutex> lock(live->mutex);
  live->value = out;
  ++live->version;
  return out;
}

LandscapeData run_landscape(const FamilyPtr& f, const analysis::LandscapeOptions& opt, int threads, JobControl& c,
                            const std::shared_ptr<Live<LandscapeData>>& live) {
  const Roles r = roles_of(*f);
  const auto& m = f->scored.models;
  const std::size_t n = opt.dims == 2 ? static_cast<std::size_t>(opt.points) * opt.points : static_cast<std::size_t>(opt.points);
  c.set_total(n);
  {
    std::lock_guard<std::mutex> lock(live->mutex);
    auto& l = live->value.result;
    l = {};
    l.dims = opt.dims;
    for (int k = 0; k < opt.points; ++k) l.x_values.push_back(-opt.range + 2 * opt.range * k / (opt.points - 1));
    if (opt.dims == 2) l.y_values = l.x_values;
    l.cells.assign(n, {});
    l.evaluated.assign(n, false);
  }
  auto on_point = [live](std::size_t i, const analysis::PointScore& s) {
    std::lock_guard<std::mutex> lock(live->mutex);
    if (i >= live->value.result.cells.size()) return;
    live->value.result.cells[i] = s;
    live->value.result.evaluated[i] = true;
    ++live->version;
  };
  LandscapeData out;
  out.result = analysis::loss_landscape(m.layout, m.vectors[static_cast<std::size_t>(r.a)], f->scored.scorer, opt,
                                        control_of(c, threads, 0, on_point));
  out.result.directions.clear();  // not drawn; the snapshot copies stay small
  out.done = !c.cancelled();
  std::lock_guard<std::mutex> lock(live->mutex);
  live->value = out;
  ++live->version;
  return out;
}

MapsData run_maps(const FamilyPtr& f, double density, int threads, JobControl& c) {
  const Roles r = roles_of(*f);
  if (r.base < 0) throw std::runtime_error("the maps need a base: give the base checkpoint");
  const auto& m = f->scored.models;
  c.set_total(m.layout.size());
  MapsData out;
  analysis::RunControl run = control_of(c, threads, 0, {});
  out.maps = analysis::task_vector_maps(m.layout, m.vectors[0], {&m.vectors[1], &m.vectors[2]}, density, run);
  out.done = !c.cancelled();
  return out;
}

}  // namespace mergelab::app::rws
