// MergePlan::describe: the resolved plan as text (what `mergelab merge --dry-run` prints).
#include <cstdint>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/checkpoint/checkpoint.h"
#include "core/engine/engine.h"
#include "core/merge/breadcrumbs.h"

namespace mergelab::engine {

namespace fs = std::filesystem;

namespace {

std::string signature(const TensorPlan& t, const merge::MethodSpec& spec, size_t n_models) {
  std::ostringstream s;
  for (const auto& ps : spec.params) {
    if (ps.per_model) {
      s << ps.name << "=[";
      for (size_t m = 0; m < n_models; ++m) s << (m ? ", " : "") << t.params.get(ps.name, static_cast<int>(m));
      s << "] ";
    } else {
      const double v = t.params.get(ps.name);
      s << ps.name << "=";
      if (ps.kind == merge::ParamSpec::Kind::Choice && v >= 0 && static_cast<size_t>(v) < ps.choices.size())
        s << ps.choices[static_cast<size_t>(v)];
      else if (ps.kind == merge::ParamSpec::Kind::Bool) s << (v != 0 ? "true" : "false");
      else s << v;
      s << " ";
    }
  }
  s << "-> " << ckpt::dtype_name(t.out_dtype);
  return s.str();
}

}  // namespace

std::string MergePlan::describe() const {
  std::ostringstream s;
  s << "method: " << method->name << " (" << method->label << ")\n";
  if (!layout.base.empty()) s << "base: " << layout.base << "\n";
  for (size_t m = 0; m < layout.models.size(); ++m) s << "model " << m << ": " << layout.models[m] << "\n";
  s << "layers in the stack: " << n_layers << "\n";
  // Group tensors by identical resolved parameters, in tensor order.
  std::vector<std::pair<std::string, std::vector<const TensorPlan*>>> groups;
  std::map<std::string, size_t> index;
  std::vector<const TensorPlan*> copied;
  for (const auto& t : tensors) {
    if (t.copied) {
      copied.push_back(&t);
      continue;
    }
    const std::string sig = signature(t, *method, layout.models.size());
    auto [it, fresh] = index.emplace(sig, groups.size());
    if (fresh) groups.push_back({sig, {}});
    groups[it->second].second.push_back(&t);
  }
  s << "parameter groups: " << groups.size() << "\n";
  for (const auto& [sig, members] : groups) {
    std::uint64_t bytes = 0;
    for (const auto* t : members) bytes += t->numel * ckpt::dtype_size(t->out_dtype);
    s << "  " << members.size() << " tensor(s), " << format_bytes(bytes) << ": " << members.front()->name;
    if (members.size() > 1) s << " ... " << members.back()->name;
    s << "\n    " << sig << "\n";
  }
  if (!copied.empty()) {
    s << "copied unchanged from " << (layout.base.empty() ? layout.models.front() : layout.base)
      << " (non-float, not merged): " << copied.size() << " tensor(s)\n";
    for (const auto* t : copied)
      s << "  " << t->name << " " << ckpt::dtype_name(t->out_dtype) << " " << ckpt::shape_string(t->shape) << "\n";
  }
  // Breadcrumbs: the tensors whose task vectors mergekit's small-tensor rule drops (int(gamma n) = 0), and
  // whether this recipe follows it.
  if (method->param("drop_small_tensors")) {
    std::vector<std::string> dropped, kept;
    for (const auto& t : tensors) {
      if (t.copied) continue;
      bool affected = false;
      for (size_t m = 0; m < layout.models.size(); ++m)
        affected = affected || merge::breadcrumbs_drops_tensor(t.numel, t.params.get("density", static_cast<int>(m)),
                                                               t.params.get("gamma", static_cast<int>(m)));
      if (affected) (t.params.flag("drop_small_tensors") ? dropped : kept).push_back(t.name);
    }
    auto list = [&](const std::vector<std::string>& names) {
      for (const auto& n : names) s << " " << n;
      s << "\n";
    };
    if (!dropped.empty()) {
      s << "breadcrumbs small-tensor rule (drop_small_tensors: true, mergekit's): task vectors dropped in "
        << dropped.size() << " tensor(s):";
      list(dropped);
    }
    if (!kept.empty()) {
      s << "breadcrumbs small-tensor rule (drop_small_tensors: false): task vectors kept in " << kept.size()
        << " tensor(s) that mergekit drops:";
      list(kept);
    }
  }
  s << "tensors: " << tensors.size() << ", read " << format_bytes(input_bytes) << ", write " << format_bytes(output_bytes)
    << "\n";
  if (!copied_files.empty()) {
    s << "copied from the base:";
    for (const auto& f : copied_files) s << " " << fs::path(f).filename().string();
    s << "\n";
  }
  for (const auto& w : warnings) s << "warning: " << w << "\n";
  return s.str();
}

}  // namespace mergelab::engine
