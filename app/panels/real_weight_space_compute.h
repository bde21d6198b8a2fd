// The background computations of the real-checkpoint Weight space view: each runs on a BackgroundJob's thread,
// publishes points to a Live<> slot as they arrive (so the view draws them), counts progress on the JobControl
// and stops handing out points when its cancel flag is set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/panels/real_weight_space_job.h"
#include "app/panels/real_weight_space_views.h"

namespace mergelab::app::rws {

/// Reads base, A, B (base may be "" when only the path and landscape are wanted: then A, B only).
FamilyPtr load_family(const std::string& base, const std::string& a, const std::string& b, const std::string& data,
                      const analysis::FamilyOptions& options);

/// Index of A and B in the family's vectors (base first when present).
struct Roles {
  int base = -1, a = 0, b = 1;
};
Roles roles_of(const Family& f);

PathData run_path(const FamilyPtr& f, const analysis::PathOptions& opt, int threads, JobControl& c,
                  const std::shared_ptr<Live<PathData>>& live);
/// The exact metrics of the LERP point at t (the merge point of the Path view).
MergePoint score_merge_point(const FamilyPtr& f, double t, analysis::PathMethod method);
PlaneData run_plane(const FamilyPtr& f, const analysis::PlaneOptions& opt, int threads, JobControl& c,
                    const std::shared_ptr<Live<PlaneData>>& live);
LandscapeData run_landscape(const FamilyPtr& f, const analysis::LandscapeOptions& opt, int threads, JobControl& c,
                            const std::shared_ptr<Live<LandscapeData>>& live);
MapsData run_maps(const FamilyPtr& f, double density, int threads, JobControl& c);

}  // namespace mergelab::app::rws
