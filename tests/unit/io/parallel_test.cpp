#include "core/io/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace mergelab::io {
namespace {

TEST(ParallelFor, RunsEveryItemOnceAndPropagatesErrors) {
  std::vector<std::atomic<int>> hits(50);
  EXPECT_EQ(parallel_for(50, 4, [&](size_t i) { ++hits[i]; }), 50u);
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  EXPECT_EQ(parallel_for(0, 4, [&](size_t) { FAIL(); }), 0u);
  EXPECT_THROW(parallel_for(20, 2, [](size_t i) { if (i == 7) throw std::runtime_error("x"); }), std::runtime_error);
}

TEST(ParallelFor, OnDoneIsSerialisedAndCancelStopsTheHandOut) {
  int done = 0;  // unguarded: on_done runs under parallel_for's mutex
  EXPECT_EQ(parallel_for(200, 4, [](size_t) {}, [&](size_t) { ++done; }), 200u);
  EXPECT_EQ(done, 200);
  std::atomic<bool> cancel{false};
  const size_t ran = parallel_for(100, 1, [&](size_t i) { if (i == 9) cancel = true; }, {}, &cancel);
  EXPECT_EQ(ran, 10u);  // one thread: item 9 sets the flag, nothing after it starts
}

}  // namespace
}  // namespace mergelab::io
