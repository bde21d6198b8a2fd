// Background jobs of the window: one way to run work off the frame thread.
//
// A Job<R> runs one piece of work on its own thread and hands back its result, or the exception it threw, to
// the frame that polls it. The work gets a JobControl: a cancel flag (pass cancel_flag() to the engine or the
// external evaluator, which stop on it) and a progress fraction the view reads every frame.
//
//   Job<Result> job;
//   job.start([inputs](JobControl& c) { ...; c.set_progress(i, n); if (c.cancelled()) ...; return result; });
//   if (job.poll(/*block=*/false)) use(job.take());   // once per frame
//   job.cancel();                                      // the Cancel button
//
// A LatestJob<R> is for recompute-on-change (a dragged slider, a moved selection): request() while a job runs
// cancels it and queues the new request, replacing any older queued one; the result of a superseded job is
// dropped, so what poll() hands back always answers the latest request.
//
// Destroying a job (closing the window) raises its cancel flag and joins its thread: work that honours the flag
// ends at once. A job started with detach_on_close (a folder listing that may hang on a network mount and cannot
// be interrupted) is left to finish alone; its work must own everything it touches.
//
// No GL, no ImGui: the runner is unit-tested without a window (tests/unit/app/jobs_test.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

namespace mergelab::app {

/// What the work of a job sees: its cancel flag and its progress.
class JobControl {
 public:
  bool cancelled() const { return cancel_.load(std::memory_order_relaxed); }
  /// For APIs that take a flag (engine::RunOptions::cancel, eval::ExternalEvalOptions::cancel).
  const std::atomic<bool>* cancel_flag() const { return &cancel_; }
  void cancel() { cancel_.store(true); }
  /// Progress as done / total (clamped to 0..1; total <= 0 means 0).
  void set_progress(double done, double total) {
    const double f = total > 0 ? done / total : 0.0;
    progress_.store(f < 0 ? 0.0 : (f > 1 ? 1.0 : f), std::memory_order_relaxed);
  }
  double progress() const { return progress_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancel_{false};
  std::atomic<double> progress_{0.0};
};

template <class R>
class Job {
 public:
  using Work = std::function<R(JobControl&)>;

  Job() = default;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;
  ~Job() { close(); }

  /// Starts `work` on a new thread. Throws std::logic_error while an earlier job has not been taken.
  void start(Work work, bool detach_on_close = false) {
    if (state_) throw std::logic_error("job started twice");
    state_ = std::make_shared<State>();
    detach_on_close_ = detach_on_close;
    thread_ = std::thread([s = state_, w = std::move(work)]() mutable {
      try {
        s->value.emplace(w(s->control));
      } catch (...) {
        s->error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(s->mutex);
        s->done = true;
      }
      s->finished.notify_all();
    });
  }
  /// True from start() until take(): the job runs or holds a result not yet taken.
  bool active() const { return state_ != nullptr; }
  /// True when the result is ready to take; with `block`, waits for it first (screenshot mode).
  bool poll(bool block) {
    if (!state_) return false;
    std::unique_lock<std::mutex> lock(state_->mutex);
    if (block) state_->finished.wait(lock, [&] { return state_->done; });
    return state_->done;
  }
  /// The result (waits for it); rethrows what the work threw. The job is idle afterwards.
  R take() {
    poll(true);
    if (thread_.joinable()) thread_.join();
    auto s = std::move(state_);
    state_.reset();
    if (s->error) std::rethrow_exception(s->error);
    return std::move(*s->value);
  }
  /// Raises the cancel flag of the running job (the work decides how soon it stops).
  void cancel() {
    if (state_) state_->control.cancel();
  }
  bool cancelled() const { return state_ && state_->control.cancelled(); }
  /// 0..1 as the work reported it; 0 when idle.
  double progress() const { return state_ ? state_->control.progress() : 0.0; }
  /// Cancels and forgets the job: joins its thread (or detaches it, see detach_on_close); the result is dropped.
  void close() {
    if (!state_) return;
    state_->control.cancel();
    if (thread_.joinable()) {
      if (detach_on_close_)
        thread_.detach();
      else
        thread_.join();
    }
    state_.reset();
  }

 private:
  struct State {
    JobControl control;
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::optional<R> value;
    std::exception_ptr error;
  };
  std::shared_ptr<State> state_;
  std::thread thread_;
  bool detach_on_close_ = false;
};

/// Recompute-on-change: the latest request wins (see the top of this file).
template <class R>
class LatestJob {
 public:
  using Work = typename Job<R>::Work;

  /// Runs `work` now when idle; otherwise cancels the running job and queues `work` (replacing a queued one).
  void request(Work work) {
    if (!job_.active()) {
      job_.start(std::move(work));
      return;
    }
    job_.cancel();
    queued_ = std::move(work);
  }
  /// True when the result of the latest request is ready; starts the queued request when a superseded job ends.
  bool poll(bool block) {
    while (job_.active()) {
      if (!job_.poll(block)) return false;
      if (!queued_) return true;
      try {
        (void)job_.take();  // superseded: its result answers an older request
      } catch (...) {
      }
      job_.start(std::move(*queued_));
      queued_.reset();
    }
    return false;
  }
  R take() { return job_.take(); }
  /// A job runs, or a result waits to be taken.
  bool active() const { return job_.active(); }
  bool queued() const { return queued_.has_value(); }
  void cancel() {
    queued_.reset();
    job_.cancel();
  }

 private:
  Job<R> job_;
  std::optional<Work> queued_;
};

}  // namespace mergelab::app
