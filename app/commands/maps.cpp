// `mergelab maps BASE MODEL...`: cosines between task vectors, per tensor group, and the layers × module-kind grid.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "core/analysis/flat_models.h"
#include "core/analysis/maps.h"
#include "core/eval/dataset.h"

namespace mergelab::app {
namespace {

namespace fs = std::filesystem;

nlohmann::ordered_json stats_json(const analysis::TaskVectorStats& s) {
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["entries"] = s.entries;
  j["norms"] = s.norms;
  nlohmann::ordered_json cos = nlohmann::ordered_json::array();
  for (Eigen::Index i = 0; i < s.cosines.rows(); ++i) {
    std::vector<double> row;
    for (Eigen::Index k = 0; k < s.cosines.cols(); ++k) row.push_back(s.cosines(i, k));
    cos.push_back(row);
  }
  j["cosines"] = cos;
  const double mc = s.mean_cosine();
  j["mean_cosine"] = std::isnan(mc) ? nlohmann::ordered_json() : nlohmann::ordered_json(mc);
  j["sign_conflict"] = s.sign_conflict;
  j["kept"] = s.kept;
  return j;
}

void print_stats_row(const analysis::TaskVectorStats& s, std::size_t width) {
  std::printf("%-*s %9zu", static_cast<int>(width), s.name.c_str(), s.entries);
  for (double n : s.norms) std::printf(" %9.4f", n);
  const double mc = s.mean_cosine();
  std::printf(" %8.4f %8.4f", std::isnan(mc) ? 0.0 : mc, s.sign_conflict);
  for (double k : s.kept) std::printf(" %7.4f", k);
  std::printf("\n");
}

int run_maps(int argc, char** argv) {
  ArgParser args("mergelab maps",
                 "Task vectors tau_k = MODEL_k - BASE compared: the matrix of cosines over the whole model and per\n"
                 "tensor group, and for layered models (tensor names with a layer number, e.g.\n"
                 "model.layers.N.self_attn.q_proj.weight) a layers x module-kind grid (q, k, v, o, gate, up, down, ...)\n"
                 "of task-vector norm, mean pairwise cosine, sign-conflict rate and fraction kept by a per-tensor\n"
                 "top-k trim at --density. No data needed: any family of float checkpoints with the base's tensors.");
  args.add_positional("BASE", "the base checkpoint (folder, .safetensors or index)");
  args.add_positional("MODEL", "fine-tuned checkpoints of the same tensors", /*many=*/true);
  args.add_option("density", "D", "kept fraction of the top-k trim (TIES/mergekit magnitude), in [0, 1]", "0.2");
  args.add_option("threads", "N", "worker threads (0: one per core)", "0");
  args.add_flag("json", "print JSON: per tensor, per group, the whole model and the grid");
  args.add_epilog(
      "examples:\n"
      "  mergelab maps tests/data/digits/models/base tests/data/digits/models/ft_task{0,1,2}\n"
      "  mergelab maps tinylm/models/base tinylm/models/ft_python tinylm/models/ft_c --density 0.5 --json");
  if (!args.parse(argc, argv)) return 0;
  const double density = args.get_double("density");
  if (!(density >= 0.0 && density <= 1.0)) throw CliError("--density must be in [0, 1]");
  if (args.get_int("threads") < 0) throw CliError("--threads must be >= 0");
  const auto& pos = args.positionals();
  std::error_code ec;
  for (const auto& p : pos)
    if (!fs::exists(p, ec)) throw eval::DataError(p + ": no such file or directory");
  const analysis::FlatModels m = analysis::load_flat_models(std::vector<fs::path>(pos.begin(), pos.end()));
  std::vector<const Eigen::VectorXf*> models;
  for (std::size_t k = 1; k < m.vectors.size(); ++k) models.push_back(&m.vectors[k]);
  analysis::RunControl run;
  run.threads = static_cast<int>(args.get_int("threads"));
  const analysis::TaskVectorMaps r = analysis::task_vector_maps(m.layout, m.vectors[0], models, density, run);

  if (args.flag("json")) {
    nlohmann::ordered_json j;
    j["command"] = "maps";
    j["base"] = pos[0];
    j["models"] = std::vector<std::string>(pos.begin() + 1, pos.end());
    j["density"] = density;
    j["whole"] = stats_json(r.whole);
    for (const auto& g : r.groups) j["groups"].push_back(stats_json(g));
    for (const auto& t : r.tensors) j["tensors"].push_back(stats_json(t));
    j["grid"]["layers"] = r.layers;
    j["grid"]["kinds"] = r.kinds;
    j["grid"]["cells"] = nlohmann::ordered_json::array();
    for (std::size_t row = 0; row < r.layers.size(); ++row)
      for (std::size_t col = 0; col < r.kinds.size(); ++col)
        if (const auto* c = r.cell(row, col)) {
          auto cj = stats_json(*c);
          cj["layer"] = r.layers[row];
          cj["kind"] = r.kinds[col];
          j["grid"]["cells"].push_back(cj);
        }
    std::cout << j.dump(1) << "\n";
    return 0;
  }
  std::printf("task vectors tau_k = model_k - %s, density %g\n", pos[0].c_str(), density);
  for (std::size_t k = 1; k < pos.size(); ++k) std::printf("  tau_%zu: %s\n", k - 1, pos[k].c_str());
  std::printf("\ncosines over the whole model (%zu entries):\n", r.whole.entries);
  for (Eigen::Index i = 0; i < r.whole.cosines.rows(); ++i) {
    std::printf("  tau_%-3ld", static_cast<long>(i));
    for (Eigen::Index k = 0; k < r.whole.cosines.cols(); ++k) std::printf(" %8.4f", r.whole.cosines(i, k));
    std::printf("\n");
  }
  std::size_t width = 12;
  for (const auto& g : r.groups) width = std::max(width, g.name.size() + 1);
  for (const auto& t : r.tensors) width = std::max(width, t.name.size() + 1);
  auto header = [&](const char* first) {
    std::printf("\n%-*s %9s", static_cast<int>(width), first, "entries");
    for (std::size_t k = 0; k < models.size(); ++k) std::printf(" %9s", ("|tau_" + std::to_string(k) + "|").c_str());
    std::printf(" %8s %8s", "mean cos", "conflict");
    for (std::size_t k = 0; k < models.size(); ++k) std::printf(" %7s", ("kept_" + std::to_string(k)).c_str());
    std::printf("\n");
  };
  header("group");
  for (const auto& g : r.groups) print_stats_row(g, width);
  print_stats_row(r.whole, width);
  header("tensor");
  for (const auto& t : r.tensors) print_stats_row(t, width);
  if (!r.layers.empty()) {
    auto grid = [&](const char* title, auto value) {
      std::printf("\n%s (rows layers, columns module kinds):\n%6s", title, "layer");
      for (const auto& k : r.kinds) std::printf(" %15s", k.c_str());
      std::printf("\n");
      for (std::size_t row = 0; row < r.layers.size(); ++row) {
        std::printf("%6d", r.layers[row]);
        for (std::size_t col = 0; col < r.kinds.size(); ++col) {
          const auto* c = r.cell(row, col);
          if (c) std::printf(" %15.4f", value(*c));
          else std::printf(" %15s", "-");
        }
        std::printf("\n");
      }
    };
    grid("task-vector norm |tau_0|", [](const analysis::TaskVectorStats& c) { return c.norms[0]; });
    grid("mean pairwise cosine", [](const analysis::TaskVectorStats& c) {
      const double v = c.mean_cosine();
      return std::isnan(v) ? 1.0 : v;
    });
    grid("sign-conflict rate", [](const analysis::TaskVectorStats& c) { return c.sign_conflict; });
    grid("kept fraction of tau_0", [](const analysis::TaskVectorStats& c) { return c.kept[0]; });
  }
  return 0;
}

const CommandRegistrar registrar{{"maps", "task-vector cosines, per tensor group, and the layers x module-kind grid", &run_maps}};

}  // namespace
}  // namespace mergelab::app
