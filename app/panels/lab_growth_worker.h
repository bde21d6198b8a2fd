// The Merge Lab's background worker for "When does DARE work?": the article's lab toy grown to d parameters and
// every method evaluated at each d, off the frame loop.
//
//   GrowthWorker worker;                                   // starts its thread (below the frame loop's priority)
//   worker.request({settings, methods, dims, mask_draws});  // the latest request wins
//   int done, total; bool busy;
//   toy::GrowthCurves c = worker.curves(&done, &total, &busy);  // partial curves while it runs
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/toy/article.h"
#include "core/toy/features.h"
#include "core/toy/lab.h"

namespace mergelab::app {

/// Computes the "When does DARE work?" curves on a thread: trains the expanded toys once per d
/// (kept for later requests), then evaluates the methods at the latest requested settings. A new
/// request abandons the one in flight at the next d.
class GrowthWorker {
 public:
  struct Request {
    toy::LabSettings settings;
    std::vector<std::string> methods;
    std::vector<int> dims;
    int mask_draws = 3;
  };

  GrowthWorker();
  ~GrowthWorker();
  GrowthWorker(const GrowthWorker&) = delete;
  GrowthWorker& operator=(const GrowthWorker&) = delete;

  void request(const Request& r);

  /// The latest (possibly partial) curves; `done`/`total` count the dims of the current request.
  toy::GrowthCurves curves(int* done, int* total, bool* busy) const;

  /// Blocks until the current request is finished (screenshots and benchmarks want the final plot).
  void wait_idle();

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_, idle_cv_;
  Request pending_;
  bool has_pending_ = false, quit_ = false, busy_ = false;
  unsigned generation_ = 0;
  toy::GrowthCurves result_;
  int done_ = 0, total_ = 0;
  std::map<int, toy::LabToy> toys_;  // worker thread only
  std::thread thread_;

  void run();
};

}  // namespace mergelab::app
