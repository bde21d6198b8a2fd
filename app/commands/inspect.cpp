// `mergelab inspect PATH... [--base B] [--density D] [--json]`
//
// Without --base: for each checkpoint (safetensors file, folder, sharded folder or index, PEFT LoRA folder) the
// tensors with dtype, shape, size and file. With --base: the compatibility report of the models against the base,
// then per-tensor diagnostics (task-vector norms, cosine between task vectors, sign-conflict rate, fraction kept
// at --density). Any unreadable or malformed input: one message naming the file, exit status 1.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/compat.h"
#include "core/checkpoint/diagnostics.h"
#include "core/checkpoint/lora.h"
#include "core/lm/layer_order.h"

namespace mergelab::app {
namespace {

using nlohmann::ordered_json;
namespace ck = mergelab::ckpt;

/// A model given on the command line: a checkpoint, or a LoRA adapter (with its adapter file as checkpoint).
struct Input {
  std::string path;
  std::unique_ptr<ck::LoraAdapter> adapter;
  std::unique_ptr<ck::Checkpoint> checkpoint;
  const ck::Checkpoint& tensors() const { return adapter ? adapter->file() : *checkpoint; }
  ck::ModelRef ref() const { return {adapter ? nullptr : checkpoint.get(), adapter.get(), path}; }
};

Input open_input(const std::string& path) {
  Input in;
  in.path = path;
  if (ck::is_lora_adapter(path)) in.adapter = std::make_unique<ck::LoraAdapter>(ck::LoraAdapter::open(path));
  else in.checkpoint = std::make_unique<ck::Checkpoint>(ck::Checkpoint::open(path));
  return in;
}

std::string human_bytes(std::uint64_t b) {
  char buf[32];
  if (b < 1024) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  else if (b < (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  else if (b < (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f MiB", b / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.2f GiB", b / 1073741824.0);
  return buf;
}

std::string num(double v, int digits = 4) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.resize(w, ' ');
  return s;
}

// The tensors in layer order (layer 2 before layer 10: lm::natural_less), not the header's string order.
std::vector<const ck::TensorInfo*> layer_ordered(const ck::Checkpoint& c) {
  std::vector<const ck::TensorInfo*> out;
  for (const auto& t : c.tensors()) out.push_back(&t);
  std::stable_sort(out.begin(), out.end(), [](const ck::TensorInfo* a, const ck::TensorInfo* b) { return lm::natural_less(a->name, b->name); });
  return out;
}

std::vector<lm::LayerSummary> layer_summary(const ck::Checkpoint& c) {
  std::vector<lm::TensorEntry> entries;
  for (const auto& t : c.tensors()) entries.push_back({t.name, t.numel, t.nbytes});
  return lm::summarize_layers(entries);
}

ordered_json listing_json(const Input& in) {
  const ck::Checkpoint& c = in.tensors();
  ordered_json j;
  j["path"] = in.path;
  j["kind"] = in.adapter ? "lora" : c.sharded() ? "sharded" : "single";
  j["files"] = c.file_count();
  j["total_bytes"] = c.total_bytes();
  j["metadata"] = c.metadata();
  if (in.adapter) {
    const auto& cfg = in.adapter->config();
    j["lora"] = {{"r", cfg.r}, {"lora_alpha", cfg.lora_alpha}, {"target_modules", cfg.target_modules},
                 {"base_tensors", in.adapter->base_tensors()}};
  }
  j["tensors"] = ordered_json::array();
  for (const auto* t : layer_ordered(c))
    j["tensors"].push_back({{"name", t->name}, {"dtype", std::string(ck::dtype_name(t->dtype))}, {"shape", t->shape},
                            {"bytes", t->nbytes}, {"file", std::filesystem::path(t->file).filename().string()}});
  const auto layers = layer_summary(c);
  if (layers.size() > 1 || (layers.size() == 1 && layers[0].layer >= 0)) {
    j["layers"] = ordered_json::array();
    for (const auto& l : layers)
      j["layers"].push_back({{"layer", l.layer < 0 ? ordered_json(nullptr) : ordered_json(l.layer)}, {"tensors", l.tensors},
                             {"parameters", l.elements}, {"bytes", l.bytes}});
  }
  return j;
}

// Per layer: tensors, parameters and bytes (only for checkpoints whose names carry layer numbers).
void print_layer_summary(std::ostream& o, const std::vector<lm::LayerSummary>& layers) {
  if (layers.empty() || (layers.size() == 1 && layers[0].layer < 0)) return;
  o << "  per layer:\n  " << pad("layer", 10) << "  " << pad("tensors", 7) << "  " << pad("parameters", 12) << "  size\n";
  for (const auto& l : layers)
    o << "  " << pad(l.layer < 0 ? "other" : std::to_string(l.layer), 10) << "  " << pad(std::to_string(l.tensors), 7) << "  "
      << pad(std::to_string(l.elements), 12) << "  " << human_bytes(l.bytes) << "\n";
}

void print_listing(std::ostream& o, const Input& in) {
  const ck::Checkpoint& c = in.tensors();
  o << in.path << ": " << c.tensors().size() << " tensors, " << human_bytes(c.total_bytes());
  if (in.adapter) {
    const auto& cfg = in.adapter->config();
    o << ", LoRA adapter (r = " << cfg.r << ", lora_alpha = " << cfg.lora_alpha << ", scale " << cfg.lora_alpha / cfg.r
      << ")";
  } else if (c.sharded()) {
    o << ", " << c.file_count() << " shards";
  }
  o << "\n";
  std::size_t w = 6;
  for (const auto& t : c.tensors()) w = std::max(w, t.name.size());
  o << "  " << pad("tensor", w) << "  " << pad("dtype", 7) << "  " << pad("shape", 16) << "  " << pad("size", 10)
    << "  file\n";
  for (const auto* t : layer_ordered(c))
    o << "  " << pad(t->name, w) << "  " << pad(std::string(ck::dtype_name(t->dtype)), 7) << "  "
      << pad(ck::shape_string(t->shape), 16) << "  " << pad(human_bytes(t->nbytes), 10) << "  "
      << std::filesystem::path(t->file).filename().string() << "\n";
  print_layer_summary(o, layer_summary(c));
  if (in.adapter) {
    o << "  changes:";
    for (const auto& b : in.adapter->base_tensors()) o << " " << b << " " << ck::shape_string(in.adapter->base_shape(b));
    o << "\n";
  }
}

int run_inspect(int argc, char** argv) {
  ArgParser args("mergelab inspect",
                 "List the tensors of safetensors checkpoints (files, folders, sharded folders, PEFT LoRA adapters).\n"
                 "With --base, check the models against the base and show per-tensor task-vector diagnostics.");
  args.add_positional("PATH", "checkpoint file or folder (with --base: the models to compare)", true, true);
  args.add_option("base", "B", "base checkpoint: report compatibility and per-tensor diagnostics of PATH... against it");
  args.add_option("density", "D", "kept fraction for the 'kept' columns (top int(D*n) magnitudes, as mergekit TIES)", "0.2");
  args.add_flag("json", "print JSON instead of tables");
  args.add_epilog(
      "Diagnostics (tau_i = model_i - base):\n"
      "  norm        |tau_i|_2 per model\n"
      "  cos         mean pairwise cosine between the task vectors (needs two or more models)\n"
      "  conflict    fraction of entries whose signs (-, 0, +) differ between models\n"
      "  kept        fraction of entries non-zero after the top-k trim at --density (mean over models)\n"
      "  norm_kept   |trim(tau)| / |tau| (mean over models)\n"
      "Exit status: 0 on success (even when models are reported incompatible), 1 on unreadable input, 2 on usage errors.");
  if (!args.parse(argc, argv)) return 0;
  const bool as_json = args.flag("json");
  const double density = parse_double("--density", args.get("density"));
  if (!(density >= 0.0 && density <= 1.0)) throw CliError("--density must be between 0 and 1, got " + args.get("density"));

  // Open (and validate) everything before printing anything.
  std::vector<Input> inputs;
  for (const auto& p : args.positionals()) inputs.push_back(open_input(p));
  std::ostringstream out;
  ordered_json j;

  if (!args.has("base")) {
    j["checkpoints"] = ordered_json::array();
    for (const auto& in : inputs) {
      if (as_json) j["checkpoints"].push_back(listing_json(in));
      else print_listing(out, in);
    }
  } else {
    const Input base = open_input(args.get("base"));
    if (base.adapter) throw CliError("--base must be a full checkpoint, not a LoRA adapter");
    std::vector<ck::ModelRef> refs;
    for (const auto& in : inputs) refs.push_back(in.ref());
    const ck::CompatReport report = ck::check_compatibility(*base.checkpoint, refs);
    auto diags = ck::tensor_diagnostics(*base.checkpoint, refs, density);
    std::stable_sort(diags.begin(), diags.end(), [](const auto& a, const auto& b) { return lm::natural_less(a.tensor, b.tensor); });
    if (as_json) {
      j["base"] = base.path;
      j["density"] = density;
      j["compatible"] = report.ok();
      j["models"] = ordered_json::array();
      for (const auto& m : report.models) {
        auto mism = [](const std::vector<ck::TensorMismatch>& v) {
          ordered_json a = ordered_json::array();
          for (const auto& x : v) a.push_back({{"tensor", x.tensor}, {"base", x.base}, {"model", x.model}});
          return a;
        };
        j["models"].push_back({{"path", m.path},
                               {"mergeable", m.mergeable()},
                               {"cosine_to_base", std::isnan(m.cosine_to_base) ? ordered_json() : ordered_json(m.cosine_to_base)},
                               {"relative_distance", std::isnan(m.relative_distance) ? ordered_json() : ordered_json(m.relative_distance)},
                               {"not_a_finetune", m.not_a_finetune},
                               {"note", m.finetune_note},
                               {"missing", m.missing},
                               {"extra", m.extra},
                               {"shape_mismatches", mism(m.shape_mismatches)},
                               {"dtype_mismatches", mism(m.dtype_mismatches)},
                               {"copied", m.copied},
                               {"not_mergeable", m.not_mergeable}});
      }
      j["tensors"] = ordered_json::array();
      for (const auto& d : diags) {
        ordered_json cos = ordered_json::array();
        for (Eigen::Index r = 0; r < d.cosines.rows(); ++r) {
          ordered_json row = ordered_json::array();
          for (Eigen::Index c = 0; c < d.cosines.cols(); ++c) row.push_back(d.cosines(r, c));
          cos.push_back(row);
        }
        j["tensors"].push_back({{"name", d.tensor}, {"shape", d.shape}, {"norms", d.norms}, {"cosines", cos},
                                {"sign_conflict_rate", d.sign_conflict}, {"kept_fraction", d.kept},
                                {"norm_kept", d.norm_kept}});
      }
    } else {
      out << "compatibility\n" << report.to_text() << "\n";
      out << "per-tensor diagnostics (density " << num(density, 2) << ")\n";
      std::size_t w = 6;
      for (const auto& d : diags) w = std::max(w, d.tensor.size());
      out << "  " << pad("tensor", w) << "  " << pad("shape", 12);
      for (std::size_t i = 0; i < inputs.size(); ++i) out << "  " << pad("norm[" + std::to_string(i) + "]", 9);
      out << "  " << pad("cos", 7) << "  " << pad("conflict", 8) << "  " << pad("kept", 6) << "  norm_kept\n";
      for (const auto& d : diags) {
        double kept = 0, nk = 0;
        for (std::size_t i = 0; i < d.kept.size(); ++i) {
          kept += d.kept[i] / static_cast<double>(d.kept.size());
          nk += d.norm_kept[i] / static_cast<double>(d.kept.size());
        }
        out << "  " << pad(d.tensor, w) << "  " << pad(ck::shape_string(d.shape), 12);
        for (double n : d.norms) out << "  " << pad(num(n), 9);
        out << "  " << pad(num(d.mean_cosine()), 7) << "  " << pad(num(d.sign_conflict, 3), 8) << "  "
            << pad(num(kept, 3), 6) << "  " << num(nk, 3) << "\n";
      }
      out << "models: ";
      for (std::size_t i = 0; i < inputs.size(); ++i) out << (i ? ", " : "") << "[" << i << "] " << inputs[i].path;
      out << "\n";
    }
  }
  if (as_json) std::cout << j.dump(2) << "\n";
  else std::cout << out.str();
  return 0;
}

const CommandRegistrar reg{{"inspect", "list checkpoint tensors; with --base, compatibility and task-vector diagnostics",
                            &run_inspect}};

}  // namespace
}  // namespace mergelab::app
