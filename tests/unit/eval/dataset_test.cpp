// CSV loading, malformed-input errors, tasks from label rules / files / the fixture folder layout.
#include "core/eval/dataset.h"
#include "tests/unit/temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <stdlib.h>

namespace fs = std::filesystem;
using namespace mergelab::eval;

namespace {

const fs::path kData = fs::path(MERGELAB_TEST_DATA) / "digits" / "data";

// The message of the DataError thrown by parse_csv(text, "f.csv").
std::string csv_error(const std::string& text) {
  try {
    parse_csv(text, "f.csv");
  } catch (const DataError& e) {
    return e.what();
  }
  return "<no error>";
}

using mergelab::testing::TempDir;

}  // namespace

TEST(ParseCsv, ReadsFeaturesAndLabels) {
  const Dataset d = parse_csv("f0,f1,label\n0.5,-1,3\r\n\n2e-1,+4,0\n", "f.csv");
  ASSERT_EQ(d.rows(), 2);
  ASSERT_EQ(d.features(), 2);
  EXPECT_FLOAT_EQ(d.X(0, 0), 0.5f);
  EXPECT_FLOAT_EQ(d.X(0, 1), -1.0f);
  EXPECT_FLOAT_EQ(d.X(1, 0), 0.2f);
  EXPECT_FLOAT_EQ(d.X(1, 1), 4.0f);
  EXPECT_EQ(d.labels, (std::vector<int>{3, 0}));
}

TEST(ParseCsv, LabelColumnMayBeAnywhere) {
  const Dataset d = parse_csv("label,a,b\n7,1,2\n", "f.csv");
  EXPECT_EQ(d.labels, std::vector<int>{7});
  EXPECT_FLOAT_EQ(d.X(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(d.X(0, 1), 2.0f);
}

TEST(ParseCsv, ErrorsNameFileAndLine) {
  EXPECT_EQ(csv_error(""), "f.csv: empty file (expected a header row and data rows)");
  EXPECT_EQ(csv_error("\n\n"), "f.csv: empty file (expected a header row and data rows)");
  EXPECT_EQ(csv_error("f0,label\n"), "f.csv: no data rows after the header");
  EXPECT_EQ(csv_error("0.1,0.2,3\n0.3,0.4,1\n"),
            "f.csv:1: missing header row (expected column names such as f0,...,fN,label; found numbers)");
  EXPECT_EQ(csv_error("f0,f1,y\n1,2,3\n"), "f.csv:1: header has no 'label' column");
  EXPECT_EQ(csv_error("f0,f1,label\n1,2,3\n1,2\n"), "f.csv:3: expected 3 columns (as the header), found 2");
  EXPECT_EQ(csv_error("f0,f1,label\n1,2,3,4\n"), "f.csv:2: expected 3 columns (as the header), found 4");
  EXPECT_EQ(csv_error("f0,f1,label\n\n1,abc,3\n"), "f.csv:3: column 2: 'abc' is not a finite number");
  EXPECT_EQ(csv_error("f0,f1,label\n1,,3\n"), "f.csv:2: column 2: '' is not a finite number");
  EXPECT_EQ(csv_error("f0,f1,label\n1,nan,3\n"), "f.csv:2: column 2: 'nan' is not a finite number");
  EXPECT_EQ(csv_error("f0,f1,label\n1,2,3.5\n"), "f.csv:2: label '3.5' is not an integer");
  EXPECT_EQ(csv_error("f0,f1,label\n1,2,-1\n"), "f.csv:2: label '-1' is negative");
}

TEST(LoadCsv, MissingFileIsNamed) {
  try {
    load_csv("/nonexistent/x.csv");
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/x.csv: cannot open file");
  }
}

TEST(LoadCsv, FixtureTestSplit) {
  // Counts from tasks.json; first row of task0_test.csv read by hand.
  const Dataset all = load_csv(kData / "test.csv");
  EXPECT_EQ(all.rows(), 359);
  EXPECT_EQ(all.features(), 64);
  const Dataset t0 = load_csv(kData / "task0_test.csv");
  ASSERT_EQ(t0.rows(), 144);
  EXPECT_EQ(t0.labels[0], 1);
  EXPECT_FLOAT_EQ(t0.X(0, 3), 0.125f);
  EXPECT_FLOAT_EQ(t0.X(0, 4), 1.0f);
  for (Eigen::Index r = 0; r < all.rows(); ++r)
    for (Eigen::Index c = 0; c < all.features(); ++c) {
      // pixel / 16: every value is a multiple of 1/16 in [0, 1].
      const float v = all.X(r, c) * 16.0f;
      ASSERT_EQ(v, std::floor(v));
      ASSERT_GE(all.X(r, c), 0.0f);
      ASSERT_LE(all.X(r, c), 1.0f);
    }
}

TEST(Tasks, LabelSubsetsEqualTheTaskFiles) {
  const auto rules = load_task_rules(kData / "tasks.json");
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[1].name, "task1");
  EXPECT_EQ(rules[1].labels, (std::vector<int>{4, 5, 6}));
  const TaskSet by_labels = tasks_from_label_subsets(load_csv(kData / "test.csv"), rules);
  const TaskSet by_files = load_data_dir(kData, "test");
  ASSERT_EQ(by_labels.tasks.size(), 3u);
  ASSERT_EQ(by_files.tasks.size(), 3u);
  const int expected_rows[] = {144, 108, 107};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(by_files.tasks[i].name, "task" + std::to_string(i));
    EXPECT_EQ(by_labels.tasks[i].data.rows(), expected_rows[i]);
    EXPECT_EQ(by_labels.tasks[i].data.labels, by_files.tasks[i].data.labels);
    EXPECT_EQ(by_labels.tasks[i].data.X, by_files.tasks[i].data.X);
  }
  EXPECT_EQ(by_files.pooled.rows(), 359);
  EXPECT_EQ(by_labels.pooled.rows(), 359);
}

TEST(Tasks, ValSplitCounts) {
  const TaskSet val = load_data_dir(kData, "val");
  ASSERT_EQ(val.tasks.size(), 3u);
  EXPECT_EQ(val.tasks[0].data.rows(), 108);
  EXPECT_EQ(val.tasks[1].data.rows(), 82);
  EXPECT_EQ(val.tasks[2].data.rows(), 80);
  EXPECT_EQ(val.pooled.rows(), 270);
}

TEST(Tasks, OneCsvPerTask) {
  const TaskSet set = tasks_from_files({kData / "task2_test.csv", kData / "task0_test.csv"});
  ASSERT_EQ(set.tasks.size(), 2u);
  EXPECT_EQ(set.tasks[0].name, "task2_test");
  EXPECT_EQ(set.tasks[1].name, "task0_test");
  EXPECT_EQ(set.pooled.rows(), 107 + 144);
  EXPECT_EQ(set.pooled.labels.front(), set.tasks[0].data.labels.front());
  EXPECT_EQ(set.pooled.labels.back(), set.tasks[1].data.labels.back());
}

TEST(Tasks, FolderWithRulesOnly) {
  TempDir dir;
  dir.write("val.csv", "f0,label\n1,0\n2,1\n3,0\n4,2\n");
  dir.write("tasks.json", R"({"tasks": [{"name": "even", "labels": [0, 2]}, {"name": "odd", "labels": [1]}]})");
  const TaskSet set = load_data_dir(dir.path, "val");
  ASSERT_EQ(set.tasks.size(), 2u);
  EXPECT_EQ(set.tasks[0].name, "even");
  EXPECT_EQ(set.tasks[0].data.labels, (std::vector<int>{0, 0, 2}));
  EXPECT_FLOAT_EQ(set.tasks[0].data.X(2, 0), 4.0f);
  EXPECT_EQ(set.tasks[1].data.labels, std::vector<int>{1});
  EXPECT_EQ(set.pooled.rows(), 4);
}

TEST(Tasks, FolderErrors) {
  TempDir dir;
  try {
    load_data_dir(dir.path, "test");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.path.string() + ": no task0_test.csv"), std::string::npos) << e.what();
  }
  dir.write("task0_test.csv", "f0,f1,label\n1,2,0\n");
  dir.write("task1_test.csv", "f0,label\n1,1\n");
  try {
    load_data_dir(dir.path, "test");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("task1_test.csv: has 1 features but"), std::string::npos) << e.what();
  }
  dir.write("tasks.json", R"({"tasks": [{"labels": [0, 1]}, {"labels": [1]}]})");
  EXPECT_THROW(load_task_rules(dir.path / "tasks.json"), DataError);
  dir.write("tasks.json", "{");
  EXPECT_THROW(load_task_rules(dir.path / "tasks.json"), DataError);
}
