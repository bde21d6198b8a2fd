// How an analysis runs: threads, progress, results as they arrive, cancel.
//
// Every analysis of core/analysis/ (path, task plane, landscape, maps) evaluates many independent points and
// takes one RunControl. The callbacks are called from worker threads but never concurrently (parallel_for
// serialises them under one mutex), so a caller may update plain state from them; they must be quick.
//
//   std::atomic<bool> cancel{false};
//   RunControl run{.threads = 2, .progress = [](size_t done, size_t total) { ... }, .cancel = &cancel};
//
// A set cancel flag stops handing out new points; points already running finish; the result says which ran.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

namespace mergelab::analysis {

struct PointScore;

struct RunControl {
  int threads = 1;  ///< worker threads (<= 0: one per hardware thread)
  /// After each point: how many are done out of how many the run will evaluate (refinement points of a path
  /// are counted in `total` from the start).
  std::function<void(std::size_t done, std::size_t total)> progress = {};
  /// After each point: its index in the run's point list (a grid's cell index; for a path, grid points 0..N-1
  /// then the refinement points in the order they ran) and its score, so a view can draw as results arrive.
  std::function<void(std::size_t index, const PointScore& score)> on_point = {};
  const std::atomic<bool>* cancel = nullptr;  ///< when set and true, no new point starts

  bool cancelled() const { return cancel && cancel->load(); }
};

}  // namespace mergelab::analysis
