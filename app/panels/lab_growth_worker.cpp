#include "app/panels/lab_growth_worker.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmath>
#include <exception>

#include "app/panels/merge_lab_panel.h"

namespace mergelab::app {

GrowthWorker::GrowthWorker() : thread_([this] { run(); }) {}

GrowthWorker::~GrowthWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void GrowthWorker::request(const Request& r) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = r;
    has_pending_ = true;
    ++generation_;
    busy_ = true;
  }
  cv_.notify_all();
}

toy::GrowthCurves GrowthWorker::curves(int* done, int* total, bool* busy) const {
  std::lock_guard<std::mutex> lock(mutex_);
  *done = done_;
  *total = total_;
  *busy = busy_;
  return result_;
}

void GrowthWorker::wait_idle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_cv_.wait(lock, [this] { return !busy_; });
}

void GrowthWorker::run() {
  // Lower priority than the frame loop (Linux: per-thread nice value); failure is harmless.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (;;) {
    Request r;
    unsigned gen = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return quit_ || has_pending_; });
      if (quit_) return;
      r = pending_;
      gen = generation_;
      has_pending_ = false;
      total_ = static_cast<int>(r.dims.size());
      done_ = 0;
      result_ = toy::GrowthCurves{};
      result_.methods = r.methods;
      result_.dims = r.dims;
      result_.combined = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(r.methods.size()),
                                                   static_cast<Eigen::Index>(r.dims.size()), NAN);
    }
    bool abandoned = false;
    for (size_t c = 0; c < r.dims.size() && !abandoned; ++c) {
      const int d = r.dims[c];
      if (!toys_.count(d)) {
        toy::FeatureSetup fs;
        fs.d = d;
        toys_[d] = toy::expand_lab_toy(article_lab_toy(), toy::LabSetup{}, fs);
      }
      std::vector<double> point;
      try {
        point = toy::growth_point(toys_[d], r.settings, r.methods, r.mask_draws);
      } catch (const std::exception&) {
        point.assign(r.methods.size(), NAN);  // a method the lab cannot run at these settings
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (gen != generation_ || quit_) {
        abandoned = true;
        break;
      }
      for (size_t m = 0; m < point.size(); ++m)
        result_.combined(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(c)) = point[m];
      result_.computed = static_cast<int>(c) + 1;
      done_ = static_cast<int>(c) + 1;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (!abandoned && gen == generation_) {
      busy_ = false;
      idle_cv_.notify_all();
    }
    if (quit_) {
      busy_ = false;
      idle_cv_.notify_all();
      return;
    }
  }
}

}  // namespace mergelab::app
