// Classification data sets read from CSV, and tasks built from them.
//
// CSV layout (the fixture layout, tests/data/digits/data/*.csv):
//   f0,f1,...,fN,label          <- header row, required; one column must be named "label"
//   0,0.3125,...,0.5,3          <- one row per example: numeric features, integer label >= 0
// Features are every column except "label", in file order. Blank lines are skipped; CRLF is fine.
// Any malformed input throws DataError whose message starts with "FILE:LINE: " (or "FILE: " for
// whole-file problems such as an empty file).
//
// Tasks: a TaskSet is a list of named data sets (one per task) plus an optional pooled set (all rows,
// for the pooled accuracy). Tasks come from label subsets of one file (tasks.json rules) or from one
// CSV per task. load_data_dir() reads the fixture folder layout:
//   {split}.csv                 every row of the split (pooled)
//   task{i}_{split}.csv         the rows of task i (i = 0, 1, ...)
//   tasks.json                  {"tasks": [{"name": "task0", "labels": [0,1,2,3]}, ...]} (optional)
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mergelab::eval {

/// Row-major feature matrix: rows = examples, cols = features.
using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A malformed data file or folder. what() names the file (and line when there is one).
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Dataset {
  FeatureMatrix X;          // rows × features
  std::vector<int> labels;  // rows, each >= 0
  std::string source;       // where it came from (file path, or a description)

  Eigen::Index rows() const { return X.rows(); }
  Eigen::Index features() const { return X.cols(); }
};

/// Parses CSV text; `name` is used in error messages in place of a file name.
Dataset parse_csv(std::string_view text, const std::string& name);

/// Reads and parses a CSV file. Throws DataError (unreadable file, empty file, missing header,
/// wrong column count, non-numeric value, non-integer or negative label).
Dataset load_csv(const std::filesystem::path& path);

/// The rows of `data` whose label is in `labels`, in their original order.
Dataset select_labels(const Dataset& data, const std::vector<int>& labels);

/// Rows of `parts` stacked in order. Throws DataError when feature counts differ.
Dataset concatenate(const std::vector<const Dataset*>& parts);

/// A task rule: a name and the labels that belong to it.
struct TaskRule {
  std::string name;
  std::vector<int> labels;
};

/// Reads {"tasks": [{"name": ..., "labels": [...]}, ...]} (the fixture tasks.json).
std::vector<TaskRule> load_task_rules(const std::filesystem::path& tasks_json);

struct Task {
  std::string name;
  Dataset data;
};

struct TaskSet {
  std::vector<Task> tasks;
  Dataset pooled;  // every row (0 rows when not available); pooled accuracy is measured on it
  bool has_pooled() const { return pooled.rows() > 0; }
};

/// One task per rule, each holding the rows of `all` whose label is in the rule; pooled = `all`.
TaskSet tasks_from_label_subsets(const Dataset& all, const std::vector<TaskRule>& rules);

/// One task per CSV file, named after the file stem; pooled = the files concatenated.
TaskSet tasks_from_files(const std::vector<std::filesystem::path>& csv_files);

/// The fixture folder layout for one split ("train", "val", "test"):
///  - task{i}_{split}.csv for i = 0, 1, ... when present (names from tasks.json when it has as many
///    tasks, else task{i}); pooled = {split}.csv when present, else the task files concatenated;
///  - otherwise {split}.csv split into tasks by the label rules of tasks.json.
/// Throws DataError naming the folder when neither layout is found.
TaskSet load_data_dir(const std::filesystem::path& dir, const std::string& split);

}  // namespace mergelab::eval
