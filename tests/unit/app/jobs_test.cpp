// The window's job runner (app/gui/jobs.h): results, errors, cancel, progress, latest-request-wins, close.
#include "app/gui/jobs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace mergelab::app {
namespace {

/// Waits (polling, no fixed sleep) until `cond` holds; false after 10 s.
template <class F>
bool eventually(F cond) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(Job, HandsBackTheResultOnce) {
  Job<int> job;
  EXPECT_FALSE(job.active());
  EXPECT_FALSE(job.poll(false));
  job.start([](JobControl&) { return 6 * 7; });
  EXPECT_TRUE(job.active());
  EXPECT_TRUE(job.poll(true));
  EXPECT_EQ(job.take(), 42);
  EXPECT_FALSE(job.active());
  job.start([](JobControl&) { return 1; });  // idle again: a new job may start
  EXPECT_EQ(job.take(), 1);
}

TEST(Job, StartingTwiceBeforeTakeIsRefused) {
  Job<int> job;
  job.start([](JobControl&) { return 0; });
  EXPECT_THROW(job.start([](JobControl&) { return 1; }), std::logic_error);
  EXPECT_EQ(job.take(), 0);
}

TEST(Job, RethrowsWhatTheWorkThrew) {
  Job<std::string> job;
  job.start([](JobControl&) -> std::string { throw std::runtime_error("model.safetensors: truncated"); });
  try {
    job.take();
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "model.safetensors: truncated");
  }
  EXPECT_FALSE(job.active());
}

TEST(Job, CancelReachesTheWorkAndProgressIsVisible) {
  Job<int> job;
  std::atomic<bool> halfway{false};
  job.start([&](JobControl& c) {
    int steps = 0;
    c.set_progress(5, 10);
    halfway = true;
    while (!c.cancelled()) ++steps, std::this_thread::yield();
    return steps >= 0 ? -1 : 0;  // -1: it saw the cancel
  });
  ASSERT_TRUE(eventually([&] { return halfway.load(); }));
  EXPECT_DOUBLE_EQ(job.progress(), 0.5);
  EXPECT_FALSE(job.poll(false));  // still running until cancelled
  job.cancel();
  EXPECT_TRUE(job.cancelled());
  EXPECT_EQ(job.take(), -1);
  EXPECT_DOUBLE_EQ(job.progress(), 0.0);  // idle
}

TEST(JobControl, ProgressIsClamped) {
  JobControl c;
  c.set_progress(3, 2);
  EXPECT_DOUBLE_EQ(c.progress(), 1.0);
  c.set_progress(-1, 2);
  EXPECT_DOUBLE_EQ(c.progress(), 0.0);
  c.set_progress(1, 0);
  EXPECT_DOUBLE_EQ(c.progress(), 0.0);
  c.set_progress(1, 4);
  EXPECT_DOUBLE_EQ(c.progress(), 0.25);
}

TEST(Job, DestroyingARunningJobCancelsItInsteadOfWaitingForItsEnd) {
  std::atomic<bool> saw_cancel{false}, started{false};
  const auto t0 = std::chrono::steady_clock::now();
  {
    Job<int> job;
    job.start([&](JobControl& c) {
      started = true;
      // Would run for a minute unless cancelled.
      const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (std::chrono::steady_clock::now() < end)
        if (c.cancelled()) {
          saw_cancel = true;
          return 1;
        }
      return 0;
    });
    ASSERT_TRUE(eventually([&] { return started.load(); }));
  }
  EXPECT_TRUE(saw_cancel);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30.0);
}

TEST(Job, DetachedOnCloseWorkFinishesAlone) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto finished = std::make_shared<std::atomic<bool>>(false);
  {
    Job<int> job;
    // Ignores the cancel flag (like a blocking directory read) and owns what it touches.
    job.start(
        [release, finished](JobControl&) {
          while (!release->load()) std::this_thread::yield();
          finished->store(true);
          return 0;
        },
        /*detach_on_close=*/true);
  }  // returns at once although the work still runs
  EXPECT_FALSE(finished->load());
  release->store(true);
  EXPECT_TRUE(eventually([&] { return finished->load(); }));
}

TEST(LatestJob, TheLatestRequestWins) {
  LatestJob<int> latest;
  std::atomic<bool> first_started{false};
  std::atomic<int> runs{0};
  // The first request runs until cancelled; two more arrive meanwhile; only the last one is run and reported.
  latest.request([&](JobControl& c) {
    first_started = true;
    ++runs;
    while (!c.cancelled()) std::this_thread::yield();
    return 1;
  });
  ASSERT_TRUE(eventually([&] { return first_started.load(); }));
  latest.request([&](JobControl&) {
    ++runs;
    return 2;
  });
  EXPECT_TRUE(latest.queued());
  latest.request([&](JobControl&) {
    ++runs;
    return 3;
  });
  EXPECT_TRUE(latest.poll(true));
  EXPECT_EQ(latest.take(), 3);
  EXPECT_EQ(runs.load(), 2);  // request 2 was replaced before it started
  EXPECT_FALSE(latest.active());
  EXPECT_FALSE(latest.poll(false));
}

TEST(LatestJob, AnIdleRequestRunsAtOnce) {
  LatestJob<std::string> latest;
  latest.request([](JobControl&) { return std::string("recipe 1"); });
  EXPECT_FALSE(latest.queued());
  EXPECT_TRUE(latest.poll(true));
  EXPECT_EQ(latest.take(), "recipe 1");
}

TEST(LatestJob, CancelDropsTheQueuedRequest) {
  LatestJob<int> latest;
  std::atomic<bool> started{false};
  latest.request([&](JobControl& c) {
    started = true;
    while (!c.cancelled()) std::this_thread::yield();
    return 1;
  });
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  latest.request([](JobControl&) { return 2; });
  latest.cancel();
  EXPECT_FALSE(latest.queued());
  EXPECT_TRUE(latest.poll(true));
  EXPECT_EQ(latest.take(), 1);  // the cancelled job's own answer; nothing else runs
}

}  // namespace
}  // namespace mergelab::app
