#include "core/eval/dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace mergelab::eval {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits one line on commas (no quoting: the format is purely numeric apart from the header).
void split_fields(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(trim(line.substr(start)));
      return;
    }
    out.push_back(trim(line.substr(start, comma - start)));
    start = comma + 1;
  }
}

bool parse_float(std::string_view s, float& value) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(value);
}

bool parse_label(std::string_view s, int& value) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc() && ptr == s.data() + s.size()) return true;
  // Accept integral floats such as "3.0" (some writers emit them).
  float f = 0;
  if (!parse_float(s, f) || f != std::floor(f) || std::fabs(f) > 1e9f) return false;
  value = static_cast<int>(f);
  return true;
}

[[noreturn]] void fail(const std::string& name, size_t line, const std::string& what) {
  throw DataError(name + ":" + std::to_string(line) + ": " + what);
}

std::string quoted(std::string_view s) {
  std::string text(s.substr(0, 40));
  if (s.size() > 40) text += "...";
  return "'" + text + "'";
}

}  // namespace

Dataset parse_csv(std::string_view text, const std::string& name) {
  Dataset data;
  data.source = name;
  std::vector<std::string_view> fields;
  size_t pos = 0, line_no = 0;
  size_t label_col = 0, n_cols = 0;
  bool have_header = false;
  std::vector<float> values;  // row-major, grows
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    split_fields(line, fields);
    if (!have_header) {
      // The header must name the columns: a first line of numbers means it is missing.
      float probe = 0;
      const bool all_numeric =
          std::all_of(fields.begin(), fields.end(), [&](std::string_view f) { return parse_float(f, probe); });
      if (all_numeric)
        fail(name, line_no, "missing header row (expected column names such as f0,...,fN,label; found numbers)");
      auto it = std::find(fields.begin(), fields.end(), std::string_view("label"));
      if (it == fields.end()) fail(name, line_no, "header has no 'label' column");
      if (std::count(fields.begin(), fields.end(), std::string_view("label")) > 1)
        fail(name, line_no, "header has more than one 'label' column");
      if (fields.size() < 2) fail(name, line_no, "header has no feature columns");
      label_col = static_cast<size_t>(it - fields.begin());
      n_cols = fields.size();
      have_header = true;
      continue;
    }
    if (fields.size() != n_cols)
      fail(name, line_no,
           "expected " + std::to_string(n_cols) + " columns (as the header), found " + std::to_string(fields.size()));
    for (size_t c = 0; c < n_cols; ++c) {
      if (c == label_col) {
        int label = 0;
        if (!parse_label(fields[c], label))
          fail(name, line_no, "label " + quoted(fields[c]) + " is not an integer");
        if (label < 0) fail(name, line_no, "label " + quoted(fields[c]) + " is negative");
        data.labels.push_back(label);
      } else {
        float v = 0;
        if (!parse_float(fields[c], v))
          fail(name, line_no, "column " + std::to_string(c + 1) + ": " + quoted(fields[c]) + " is not a finite number");
        values.push_back(v);
      }
    }
  }
  if (!have_header) throw DataError(name + ": empty file (expected a header row and data rows)");
  if (data.labels.empty()) throw DataError(name + ": no data rows after the header");
  const Eigen::Index rows = static_cast<Eigen::Index>(data.labels.size());
  const Eigen::Index cols = static_cast<Eigen::Index>(n_cols - 1);
  data.X = Eigen::Map<const FeatureMatrix>(values.data(), rows, cols);
  return data;
}

Dataset load_csv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw DataError(path.string() + ": read error");
  return parse_csv(buffer.str(), path.string());
}

Dataset select_labels(const Dataset& data, const std::vector<int>& labels) {
  const std::set<int> keep(labels.begin(), labels.end());
  std::vector<Eigen::Index> rows;
  for (size_t r = 0; r < data.labels.size(); ++r)
    if (keep.count(data.labels[r])) rows.push_back(static_cast<Eigen::Index>(r));
  Dataset out;
  out.source = data.source;
  out.X.resize(static_cast<Eigen::Index>(rows.size()), data.X.cols());
  out.labels.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    out.X.row(static_cast<Eigen::Index>(i)) = data.X.row(rows[i]);
    out.labels.push_back(data.labels[static_cast<size_t>(rows[i])]);
  }
  return out;
}

Dataset concatenate(const std::vector<const Dataset*>& parts) {
  Dataset out;
  if (parts.empty()) return out;
  Eigen::Index rows = 0;
  const Eigen::Index cols = parts.front()->X.cols();
  for (const Dataset* p : parts) {
    if (p->X.cols() != cols)
      throw DataError(p->source + ": has " + std::to_string(p->X.cols()) + " features but " + parts.front()->source +
                      " has " + std::to_string(cols));
    rows += p->X.rows();
    if (!out.source.empty()) out.source += " + ";
    out.source += p->source;
  }
  out.X.resize(rows, cols);
  Eigen::Index r = 0;
  for (const Dataset* p : parts) {
    out.X.middleRows(r, p->X.rows()) = p->X;
    r += p->X.rows();
    out.labels.insert(out.labels.end(), p->labels.begin(), p->labels.end());
  }
  return out;
}

std::vector<TaskRule> load_task_rules(const std::filesystem::path& tasks_json) {
  const std::string name = tasks_json.string();
  std::ifstream in(tasks_json);
  if (!in) throw DataError(name + ": cannot open file");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(name + ": not valid JSON (" + e.what() + ")");
  }
  if (!doc.is_object() || !doc.contains("tasks") || !doc["tasks"].is_array())
    throw DataError(name + ": expected an object with a \"tasks\" array");
  std::vector<TaskRule> rules;
  std::set<int> seen;
  for (size_t i = 0; i < doc["tasks"].size(); ++i) {
    const auto& t = doc["tasks"][i];
    const std::string where = name + ": tasks[" + std::to_string(i) + "]";
    if (!t.is_object() || !t.contains("labels") || !t["labels"].is_array() || t["labels"].empty())
      throw DataError(where + ": expected {\"name\": ..., \"labels\": [non-empty list of integers]}");
    TaskRule rule;
    rule.name = t.contains("name") && t["name"].is_string() ? t["name"].get<std::string>() : "task" + std::to_string(i);
    for (const auto& l : t["labels"]) {
      if (!l.is_number_integer() || l.get<long long>() < 0)
        throw DataError(where + ": labels must be non-negative integers");
      const int label = l.get<int>();
      if (!seen.insert(label).second)
        throw DataError(where + ": label " + std::to_string(label) + " belongs to more than one task");
      rule.labels.push_back(label);
    }
    rules.push_back(std::move(rule));
  }
  if (rules.empty()) throw DataError(name + ": \"tasks\" is empty");
  return rules;
}

TaskSet tasks_from_label_subsets(const Dataset& all, const std::vector<TaskRule>& rules) {
  TaskSet set;
  for (const auto& rule : rules) {
    Task task{rule.name, select_labels(all, rule.labels)};
    if (task.data.rows() == 0)
      throw DataError(all.source + ": no rows with the labels of task '" + rule.name + "'");
    set.tasks.push_back(std::move(task));
  }
  set.pooled = all;
  return set;
}

TaskSet tasks_from_files(const std::vector<std::filesystem::path>& csv_files) {
  if (csv_files.empty()) throw DataError("no CSV files given");
  TaskSet set;
  std::vector<const Dataset*> parts;
  for (const auto& f : csv_files) set.tasks.push_back({f.stem().string(), load_csv(f)});
  for (const auto& t : set.tasks) parts.push_back(&t.data);
  set.pooled = concatenate(parts);
  return set;
}

TaskSet load_data_dir(const std::filesystem::path& dir, const std::string& split) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw DataError(dir.string() + ": not a directory");
  const fs::path rules_path = dir / "tasks.json";
  const fs::path pooled_path = dir / (split + ".csv");
  std::vector<fs::path> task_files;
  for (int i = 0;; ++i) {
    fs::path p = dir / ("task" + std::to_string(i) + "_" + split + ".csv");
    if (!fs::exists(p, ec)) break;
    task_files.push_back(p);
  }
  if (!task_files.empty()) {
    TaskSet set;
    for (const auto& f : task_files) set.tasks.push_back({f.stem().string(), load_csv(f)});
    if (fs::exists(rules_path, ec)) {
      const auto rules = load_task_rules(rules_path);
      if (rules.size() == set.tasks.size())
        for (size_t i = 0; i < rules.size(); ++i) set.tasks[i].name = rules[i].name;
    } else {
      for (size_t i = 0; i < set.tasks.size(); ++i) set.tasks[i].name = "task" + std::to_string(i);
    }
    if (fs::exists(pooled_path, ec)) {
      set.pooled = load_csv(pooled_path);
    } else {
      std::vector<const Dataset*> parts;
      for (const auto& t : set.tasks) parts.push_back(&t.data);
      set.pooled = concatenate(parts);
    }
    for (const auto& t : set.tasks)
      if (t.data.features() != set.pooled.features())
        throw DataError(t.data.source + ": has " + std::to_string(t.data.features()) + " features but " +
                        set.pooled.source + " has " + std::to_string(set.pooled.features()));
    return set;
  }
  if (fs::exists(pooled_path, ec) && fs::exists(rules_path, ec))
    return tasks_from_label_subsets(load_csv(pooled_path), load_task_rules(rules_path));
  throw DataError(dir.string() + ": no task0_" + split + ".csv, and no " + split +
                  ".csv with a tasks.json: not a data folder for split '" + split + "'");
}

}  // namespace mergelab::eval
