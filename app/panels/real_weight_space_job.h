// One background computation of the real-checkpoint Weight space view: a worker thread, an atomic cancel flag,
// an atomic progress counter, and a result slot the UI thread polls once per frame.
//
//   BackgroundJob<PathOutput> job;
//   job.start([](JobControl& c) { ...; c.set_total(n); ...; c.step(); ...; return PathOutput{...}; });
//   if (job.running()) ProgressBar(job.fraction());   if (auto r = job.take()) show(*r);   job.cancel();
//
// The work function runs on its own thread and must not touch the panel; it reads only what it captured by value
// (shared_ptr to immutable models). Partial results it wants drawn while it runs go through its own mutex-guarded
// slot (see the panel). Starting a new job cancels and joins the previous one; the destructor does too, so a
// panel never outlives its worker. Kept to this small interface so a shared job runner can replace it.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace mergelab::app {

/// What a running job sees: the cancel flag and the progress counter.
struct JobControl {
  std::atomic<bool> cancel{false};
  std::atomic<std::size_t> done{0}, total{0};
  void set_total(std::size_t n) { total = n; }
  void set_done(std::size_t n) { done = n; }
  bool cancelled() const { return cancel.load(); }
};

template <class Result>
class BackgroundJob {
 public:
  BackgroundJob() = default;
  BackgroundJob(const BackgroundJob&) = delete;
  BackgroundJob& operator=(const BackgroundJob&) = delete;
  ~BackgroundJob() { stop(); }

  /// Cancels and joins a running job, then runs `work` on a new thread.
  void start(std::function<Result(JobControl&)> work) {
    stop();
    control_ = std::make_shared<JobControl>();
    slot_ = std::make_shared<Slot>();
    running_ = std::make_shared<std::atomic<bool>>(true);
    thread_ = std::thread([work = std::move(work), c = control_, s = slot_, r = running_] {
      Slot out;
      try {
        out.result = work(*c);
      } catch (const std::exception& e) {
        out.error = e.what();
      } catch (...) {
        out.error = "unknown error";
      }
      {
        std::lock_guard<std::mutex> lock(s->mutex);
        s->result = std::move(out.result);
        s->error = std::move(out.error);
        s->ready = true;
      }
      *r = false;
    });
  }
  /// Asks the worker to stop handing out points (it returns what it has).
  void cancel() {
    if (control_) control_->cancel = true;
  }
  bool running() const { return running_ && *running_; }
  /// done / total of the running job (0 before the total is known).
  double fraction() const {
    if (!control_ || control_->total == 0) return 0.0;
    return static_cast<double>(control_->done) / static_cast<double>(control_->total);
  }
  std::size_t done() const { return control_ ? control_->done.load() : 0; }
  std::size_t total() const { return control_ ? control_->total.load() : 0; }
  /// The finished job's result once (nullopt while running, after taking it, or on an error).
  std::optional<Result> take() {
    if (!slot_) return std::nullopt;
    std::lock_guard<std::mutex> lock(slot_->mutex);
    if (!slot_->ready) return std::nullopt;
    slot_->ready = false;
    error_ = slot_->error;
    join();
    return std::move(slot_->result);
  }
  /// The message of the last finished job that threw ("" when it did not).
  const std::string& error() const { return error_; }
  /// Waits for the worker to finish on its own (screenshots: the picture is the finished one).
  void wait() { join(); }
  /// Cancels and waits for the worker; its result, if any, is dropped (take() returns nothing until the next start).
  void stop() {
    cancel();
    join();
    slot_.reset();
  }

 private:
  struct Slot {
    std::mutex mutex;
    bool ready = false;
    std::optional<Result> result;
    std::string error;
  };
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::shared_ptr<JobControl> control_;
  std::shared_ptr<Slot> slot_;
  std::shared_ptr<std::atomic<bool>> running_;
  std::thread thread_;
  std::string error_;
};

}  // namespace mergelab::app
