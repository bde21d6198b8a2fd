// `mergelab article`: the article's four experiments, printed exactly as its code prints them.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli.h"
#include "app/format/pyformat.h"
#include "core/toy/experiments.h"

namespace mergelab::app {
namespace {

using nlohmann::json;

// The names the article's code prints for each lab row.
std::string article_label(const std::string& method) {
  static const std::map<std::string, std::string> names = {
      {"linear", "lerp"}, {"task_arithmetic", "task_arith"}, {"ties", "ties"}, {"dare_ties", "dare_ties"}, {"slerp", "slerp(0,1)"}};
  auto it = names.find(method);
  return it == names.end() ? method : it->second;
}

std::string pad_right(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

void print_text(std::ostream& out, const toy::InterpolationExperiment& e1, const toy::TaskArithmeticExperiment& e2,
                const toy::TiesExperiment& e3, const toy::MergeLabExperiment& e4) {
  out << "== 01_interpolation_path.py\n";
  out << "W_init " << numpy_array_str(e1.toy.w_init_a) << " W_A " << numpy_array_str(e1.toy.w_a) << " W_B "
      << numpy_array_str(e1.toy.w_b) << "\n";
  for (const auto& p : e1.points)
    out << "t=" << py_fixed(p.t, 2) << " Task1=" << py_fixed(p.task1, 3) << " Task2=" << py_fixed(p.task2, 3)
        << " Combined=" << py_fixed(p.task1 + p.task2, 3) << "\n";

  out << "== 02_task_arithmetic.py\n=== Task Arithmetic: Addition ===\n";
  for (size_t i = 0; i < 3; ++i)
    out << "Task " << i << ": specialist=" << py_percent(e2.specialist[i], 1) << ", merged(0+1)=" << py_percent(e2.merged[i], 1)
        << "\n";
  out << "\n=== Task Arithmetic: Negation ===\n";
  for (size_t i = 0; i < 2; ++i)
    out << "Task " << i << ": before negation=" << py_percent(e2.before_negation[i], 1)
        << ", after=" << py_percent(e2.after_negation[i], 1) << "\n";

  out << "== 03_ties.py\n";
  out << "Parameters with sign conflicts: " << e3.conflicts << "/" << e3.n_params << " ("
      << py_percent(static_cast<double>(e3.conflicts) / e3.n_params, 0) << ")\n";
  out << "Simple average sign agreement: " << py_percent(e3.average_agreement, 1) << "\n";
  out << "TIES merge sign agreement: " << py_percent(e3.ties_agreement, 1) << "\n";
  out << "TIES sparsity: " << py_percent(e3.ties_sparsity, 0) << " of params zeroed\n";

  out << "== 04_merge_lab.py\n";
  out << pad_right("Method", 10) << " Task0  Task1  Task2  Combined\n";
  for (const auto& row : e4.rows) {
    out << pad_right(article_label(row.method), 10) << " ";
    for (size_t i = 0; i < row.accuracy.size(); ++i) out << (i ? " " : "") << py_percent(row.accuracy[i], 1);
    out << "  " << py_percent(row.combined, 1) << "\n";
  }
}

json to_json(const toy::InterpolationExperiment& e1, const toy::TaskArithmeticExperiment& e2, const toy::TiesExperiment& e3,
             const toy::MergeLabExperiment& e4) {
  auto vec = [](const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); };
  json j;
  j["interpolation_path"] = {{"w_init", vec(e1.toy.w_init_a)}, {"w_a", vec(e1.toy.w_a)}, {"w_b", vec(e1.toy.w_b)}, {"points", json::array()}};
  for (const auto& p : e1.points)
    j["interpolation_path"]["points"].push_back({{"t", p.t}, {"task1", p.task1}, {"task2", p.task2}, {"combined", p.combined}});
  j["task_arithmetic"] = {{"alpha", e2.alpha},
                          {"negation_scale", e2.beta},
                          {"specialist", e2.specialist},
                          {"merged_0_1", e2.merged},
                          {"before_negation", e2.before_negation},
                          {"after_negation", e2.after_negation}};
  j["ties_demo"] = {{"n_params", e3.n_params},
                    {"sign_conflicts", e3.conflicts},
                    {"simple_average_sign_agreement", e3.average_agreement},
                    {"ties_sign_agreement", e3.ties_agreement},
                    {"ties_sparsity", e3.ties_sparsity}};
  j["merge_lab"] = {{"alpha", 0.7}, {"k", 0.2}, {"trim", 0.8}, {"p", 0.9}, {"rows", json::array()}};
  for (const auto& row : e4.rows)
    j["merge_lab"]["rows"].push_back(
        {{"method", row.method}, {"article_name", article_label(row.method)}, {"accuracy", row.accuracy}, {"combined", row.combined}});
  const size_t w = toy::lab_winner(e4.rows);
  j["merge_lab"]["winner"] = e4.rows[w].method;
  return j;
}

int run_article(int argc, char** argv) {
  ArgParser args("mergelab article",
                 "Runs the article's four experiments with its exact settings and prints what its code prints:\n"
                 "  1. the LERP path between two logistic models (seed 42, lr 0.1, 300 steps)\n"
                 "  2. task arithmetic: addition of tasks 0+1 at alpha 0.7, negation of task 1 at 0.5 (seed 7)\n"
                 "  3. TIES on three random 200-parameter task vectors (trim_pct 0.8, i.e. k = 0.2 kept)\n"
                 "  4. the Merge Lab table (alpha 0.7, k 0.2, DARE p 0.9, SLERP on flattened weights).\n"
                 "The article's printed numbers differ from what its code produces; this prints what the code produces.");
  args.add_flag("json", "print the results as JSON instead of the article's text");
  if (!args.parse(argc, argv)) return 0;
  const auto e1 = toy::run_interpolation_experiment();
  const auto e2 = toy::run_task_arithmetic_experiment();
  const auto e3 = toy::run_ties_experiment();
  const auto e4 = toy::run_merge_lab_experiment();
  if (args.flag("json")) {
    std::cout << to_json(e1, e2, e3, e4).dump(2) << "\n";
  } else {
    print_text(std::cout, e1, e2, e3, e4);
  }
  return 0;
}

const CommandRegistrar registrar{{"article", "print the article's four experiments, reproduced exactly", &run_article}};

}  // namespace
}  // namespace mergelab::app
