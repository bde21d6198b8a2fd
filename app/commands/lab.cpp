// `mergelab lab`: the Merge Lab on the article's 4-D toys for any alpha, k, p, seed, methods, tasks.
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli.h"
#include "app/format/pyformat.h"
#include "core/merge/registry.h"
#include "core/toy/lab.h"

namespace mergelab::app {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string pad(std::string s, size_t width, char fill = ' ') {
  if (s.size() < width) s.resize(width, fill);
  return s;
}

int run_lab(int argc, char** argv) {
  std::string method_names;
  for (const auto& m : toy::lab_methods()) method_names += (method_names.empty() ? "" : ",") + m;
  ArgParser args("mergelab lab",
                 "Trains the article's three 4-D logistic specialists from one pretrained vector (seed 7) and merges\n"
                 "them with every method, printing each task's accuracy, the combined (mean) accuracy and the winner.\n"
                 "Methods follow the article's rules (quantile trim, sign by count, plain mean, DARE rescale 1/(1-p));\n"
                 "--sign-rule sum switches TIES and DARE-TIES to mergekit's election.");
  args.add_option("alpha", "A", "scaling of the merged task vector: theta_0 + alpha * tau_merged (mergekit: lambda)", "0.7");
  args.add_option("k", "K",
                  "TIES kept fraction: the top k of each task vector by magnitude survives (mergekit: density). "
                  "The article's trim_pct=0.8 is k=0.2",
                  "0.2");
  args.add_option("p", "P", "DARE drop rate: each entry is dropped with probability p (mergekit: density = 1 - p)", "0.9");
  args.add_option("seed", "S", "DARE seed: specialist i draws its mask from RandomState(S + i)", "0");
  std::string all_names;
  for (const auto& m : toy::lab_all_methods()) all_names += (all_names.empty() ? "" : ",") + m;
  args.add_option("methods", "LIST",
                  "comma-separated registry methods (" + all_names + "), or all; a method whose model count does not "
                  "fit the chosen tasks prints n/a",
                  method_names);
  args.add_option("tasks", "LIST", "comma-separated specialists taking part (0,1,2)", "0,1,2");
  args.add_option("sign-rule", "RULE", "TIES sign election: count (article) or sum (mergekit)", "count");
  args.add_option("slerp", "A,B", "the two specialists SLERP interpolates (at t = 0.5)", "0,1");
  args.add_option("data-seed", "S", "seed of the toy data and pretrained vector", "7");
  args.add_flag("json", "print the table as JSON");
  if (!args.parse(argc, argv)) return 0;

  toy::LabSettings s;
  s.alpha = args.get_double("alpha");
  s.k = args.get_double("k");
  s.p = args.get_double("p");
  if (!(s.k > 0.0 && s.k <= 1.0)) throw CliError("--k must be in (0, 1], got " + args.get("k"));
  if (!(s.p >= 0.0 && s.p < 1.0)) throw CliError("--p must be in [0, 1), got " + args.get("p"));
  const long seed = args.get_int("seed");
  if (seed < 0 || seed > 4294967295L) throw CliError("--seed must be in [0, 4294967295]");
  s.seed = static_cast<uint32_t>(seed);
  const std::string rule = args.get("sign-rule");
  if (rule == "count") s.sign_rule = 0;
  else if (rule == "sum") s.sign_rule = 1;
  else throw CliError("--sign-rule must be count or sum, got '" + rule + "'");
  s.tasks.clear();
  for (const auto& t : split_list(args.get("tasks"))) {
    const long v = parse_int("--tasks", t);
    if (v < 0 || v > 2) throw CliError("--tasks: task " + t + " does not exist (0, 1 or 2)");
    s.tasks.push_back(static_cast<int>(v));
  }
  if (s.tasks.empty()) throw CliError("--tasks: choose at least one specialist");
  const auto pair = split_list(args.get("slerp"));
  if (pair.size() != 2) throw CliError("--slerp takes two specialists, e.g. 0,1");
  s.slerp_a = static_cast<int>(parse_int("--slerp", pair[0]));
  s.slerp_b = static_cast<int>(parse_int("--slerp", pair[1]));
  if (s.slerp_a < 0 || s.slerp_a > 2 || s.slerp_b < 0 || s.slerp_b > 2) throw CliError("--slerp: specialists are 0, 1 or 2");
  auto methods = split_list(args.get("methods"));
  if (methods.size() == 1 && methods[0] == "all") methods = toy::lab_all_methods();
  if (methods.empty()) throw CliError("--methods: choose at least one method");
  for (const auto& m : methods)
    if (!merge::find_method(m)) throw CliError("--methods: unknown method '" + m + "' (choose from " + all_names + ")");
  const long data_seed = args.get_int("data-seed");
  if (data_seed < 0 || data_seed > 4294967295L) throw CliError("--data-seed must be in [0, 4294967295]");
  toy::LabSetup setup;
  setup.seed = static_cast<uint32_t>(data_seed);

  const toy::LabToy lab = toy::train_lab_toy(setup);
  // Methods that cannot run here (model count) are listed with the reason and take no part in the ranking.
  std::vector<toy::LabRow> rows;
  std::vector<std::pair<std::string, std::string>> skipped;  // method, reason
  for (const auto& m : methods) {
    try {
      rows.push_back(toy::evaluate_lab_method(lab, m, s));
    } catch (const std::invalid_argument& e) {
      skipped.emplace_back(m, e.what());
    }
  }
  if (rows.empty()) throw CliError("--methods: none of the methods runs on tasks " + args.get("tasks") + " (" +
                                   skipped.front().second + ")");
  const size_t winner = toy::lab_winner(rows);

  if (args.flag("json")) {
    nlohmann::json j;
    j["settings"] = {{"alpha", s.alpha}, {"k", s.k}, {"p", s.p}, {"seed", s.seed}, {"sign_rule", rule}, {"tasks", s.tasks}};
    j["rows"] = nlohmann::json::array();
    for (const auto& r : rows)
      j["rows"].push_back({{"method", r.method},
                           {"label", r.label},
                           {"accuracy", r.accuracy},
                           {"combined", r.combined},
                           {"weights", std::vector<double>(r.weights.data(), r.weights.data() + r.weights.size())}});
    j["winner"] = rows[winner].method;
    j["not_run"] = nlohmann::json::array();
    for (const auto& [m, why] : skipped) j["not_run"].push_back({{"method", m}, {"reason", why}});
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "Merge Lab: alpha=" << s.alpha << " k=" << s.k << " (trim " << 1.0 - s.k << ") p=" << s.p << " seed=" << s.seed
            << " sign=" << rule << " tasks=" << args.get("tasks") << "\n\n";
  std::cout << pad("Method", 22) << "Task0   Task1   Task2   Combined\n";
  std::cout << std::string(52, '-') << "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string label = rows[i].label;
    if (rows[i].method == "slerp") label += " (" + std::to_string(s.slerp_a) + "," + std::to_string(s.slerp_b) + ")";
    std::cout << pad(label, 22);
    for (double a : rows[i].accuracy) std::cout << pad(py_percent(a, 1), 8);
    std::cout << py_percent(rows[i].combined, 1) << (i == winner ? "  <- winner" : "") << "\n";
  }
  for (const auto& [m, why] : skipped) std::cout << pad(merge::find_method(m)->label, 22) << "n/a: " << why << "\n";
  std::cout << "\nRecommendation: " << rows[winner].label << " (combined accuracy " << py_percent(rows[winner].combined, 1) << ")\n";
  return 0;
}

const CommandRegistrar registrar{{"lab", "run the Merge Lab on the article's toys for any alpha, k, p, seed", &run_lab}};

}  // namespace
}  // namespace mergelab::app
