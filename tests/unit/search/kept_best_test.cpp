// search::replaces_kept_best: which search result the Tune panel keeps as its best recipe. The case that went
// wrong: a sweep cancelled at 94.9% replaced the 96.9% that CMA-ES had found.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/search/objective.h"

using mergelab::search::replaces_kept_best;

TEST(KeptBest, ACancelledSearchReplacesOnlyABetterBest) {
  const double cmaes = 0.969;
  EXPECT_FALSE(replaces_kept_best(/*cancelled=*/true, &cmaes, 0.949, /*maximize=*/true));
  EXPECT_TRUE(replaces_kept_best(true, &cmaes, 0.970, true));
  EXPECT_FALSE(replaces_kept_best(true, &cmaes, 0.969, true));  // a tie keeps the one found over the whole space
}

TEST(KeptBest, AFinishedSearchAlwaysReplaces) {
  const double kept = 0.969;
  EXPECT_TRUE(replaces_kept_best(false, &kept, 0.949, true));  // its best is the best of its own settings
  EXPECT_TRUE(replaces_kept_best(false, nullptr, 0.5, true));
}

TEST(KeptBest, NothingKeptYet) {
  EXPECT_TRUE(replaces_kept_best(true, nullptr, 0.2, true));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(replaces_kept_best(true, &nan, 0.2, true));
}

TEST(KeptBest, LowerIsBetterForPerplexities) {
  const double kept_ppl = 12.5;
  EXPECT_TRUE(replaces_kept_best(true, &kept_ppl, 12.0, /*maximize=*/false));
  EXPECT_FALSE(replaces_kept_best(true, &kept_ppl, 13.0, false));
}

TEST(KeptBest, ANonFiniteScoreNeverReplaces) {
  const double kept = 0.9;
  for (const bool cancelled : {false, true}) {
    EXPECT_FALSE(replaces_kept_best(cancelled, &kept, std::numeric_limits<double>::quiet_NaN(), true));
    EXPECT_FALSE(replaces_kept_best(cancelled, nullptr, std::numeric_limits<double>::infinity(), false));
  }
}
