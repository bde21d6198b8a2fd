// Golden tests of the article's four experiments against what its code prints
// (tests/data/article_code_output.txt, produced by the article's code with numpy 1.24).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/toy/experiments.h"

using namespace mergelab::toy;

namespace {
std::string output_text() {
  std::ifstream in(std::string(MERGELAB_TEST_DATA) + "/article_code_output.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}
std::string pct(double x, int digits) { return fixed(100.0 * x, digits) + "%"; }
bool contains(const std::string& line) { return output_text().find(line) != std::string::npos; }
}  // namespace

TEST(ArticleExperiments, InterpolationPathMatchesTheArticlesCode) {
  const auto ex = run_interpolation_experiment();
  // Weights as printed by numpy (8 significant decimals).
  EXPECT_NEAR(ex.toy.w_init_a[0], 0.24835708, 5e-9);
  EXPECT_NEAR(ex.toy.w_init_a[1], -0.06913215, 5e-9);
  EXPECT_NEAR(ex.toy.w_a[0], 3.2515678, 5e-8);
  EXPECT_NEAR(ex.toy.w_a[1], -0.06144994, 5e-9);
  EXPECT_NEAR(ex.toy.w_b[0], 0.14574525, 5e-9);
  EXPECT_NEAR(ex.toy.w_b[1], 3.20987999, 5e-9);
  ASSERT_EQ(ex.points.size(), 5u);
  for (const auto& p : ex.points) {
    const std::string line = "t=" + fixed(p.t, 2) + " Task1=" + fixed(p.task1, 3) + " Task2=" + fixed(p.task2, 3) +
                             " Combined=" + fixed(p.task1 + p.task2, 3);
    EXPECT_TRUE(contains(line)) << line;
  }
  // The U shape: the combined loss is lowest in the middle of the path.
  EXPECT_LT(ex.points[2].combined, ex.points[0].combined);
  EXPECT_LT(ex.points[2].combined, ex.points[4].combined);
}

TEST(ArticleExperiments, TaskArithmeticMatchesTheArticlesCode) {
  const auto ex = run_task_arithmetic_experiment();
  for (size_t i = 0; i < 3; ++i) {
    const std::string line =
        "Task " + std::to_string(i) + ": specialist=" + pct(ex.specialist[i], 1) + ", merged(0+1)=" + pct(ex.merged[i], 1);
    EXPECT_TRUE(contains(line)) << line;
  }
  for (size_t i = 0; i < 2; ++i) {
    const std::string line = "Task " + std::to_string(i) + ": before negation=" + pct(ex.before_negation[i], 1) +
                             ", after=" + pct(ex.after_negation[i], 1);
    EXPECT_TRUE(contains(line)) << line;
  }
  // Negation removes task 1's capability (its accuracy drops) — the claim that holds.
  EXPECT_LT(ex.after_negation[1], ex.before_negation[1]);
}

TEST(ArticleExperiments, TiesDemoMatchesTheArticlesCode) {
  const auto ex = run_ties_experiment();
  EXPECT_EQ(ex.conflicts, 158);
  EXPECT_TRUE(contains("Simple average sign agreement: " + pct(ex.average_agreement, 1)));
  EXPECT_TRUE(contains("TIES merge sign agreement: " + pct(ex.ties_agreement, 1)));
  EXPECT_TRUE(contains("TIES sparsity: " + pct(ex.ties_sparsity, 0) + " of params zeroed"));
  EXPECT_DOUBLE_EQ(ex.average_agreement, 0.855);
  EXPECT_DOUBLE_EQ(ex.ties_agreement, 0.615);
}

TEST(ArticleExperiments, MergeLabTableMatchesTheArticlesCode) {
  const auto ex = run_merge_lab_experiment();
  const char* names[] = {"lerp      ", "task_arith", "ties      ", "dare_ties ", "slerp(0,1)"};
  ASSERT_EQ(ex.rows.size(), 5u);
  for (size_t r = 0; r < 5; ++r) {
    std::string line = std::string(names[r]) + " ";
    for (size_t i = 0; i < 3; ++i) line += (i ? " " : "") + pct(ex.rows[r].accuracy[i], 1);
    line += "  " + pct(ex.rows[r].combined, 1);
    EXPECT_TRUE(contains(line)) << line;
  }
  // Its code crowns LERP and puts DARE-TIES last (the article claims DARE-TIES wins).
  EXPECT_EQ(ex.rows[lab_winner(ex.rows)].method, "linear");
  for (const auto& row : ex.rows) EXPECT_GE(row.combined, ex.rows[3].combined);
}
