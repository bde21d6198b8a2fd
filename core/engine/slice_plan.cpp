#include "core/engine/slice_plan.h"

#include <filesystem>
#include <map>
#include <set>

#include "core/engine/vocab.h"
#include "core/recipe/recipe.h"

namespace mergelab::engine {

namespace fs = std::filesystem;

std::string canonical_path(const std::string& p) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal().string() : c.string();
}

namespace {

std::string slice_name(const recipe::Recipe& r, size_t k) {
  const auto& sl = r.slices[k];
  return (r.source.empty() ? "" : r.source + (sl.line ? ":" + std::to_string(sl.line) : "") + ": ") + "slice " +
         std::to_string(k + 1);
}

struct Builder {
  const recipe::Recipe& r;
  std::uint32_t seed;
  std::optional<ckpt::DType> forced;
  SlicedPlan out;
  std::map<std::string, int> index;  // canonical path -> input
  std::optional<VocabMapping> vocab;  // tokenizer_source with vocabularies that differ
  int vocab_base = -1;                // the input that is the recipe's base_model

  /// After every slice's inputs are open: the vocabulary rows checked, and mapped with a tokenizer_source.
  void plan_vocab() {
    std::vector<VocabInput> in;
    for (size_t i = 0; i < out.paths.size(); ++i) in.push_back({out.paths[i], &out.checkpoints[i]});
    check_vocab_rows(r, in);
    if (r.tokenizer_source.empty()) return;
    int base = -1;
    if (!r.base_model.empty())
      if (auto it = index.find(canonical_path(recipe::resolve_path(r, r.base_model))); it != index.end()) base = it->second;
    VocabMapping m = map_vocabularies(r, in, base);
    vocab_base = base;
    if (!m.identity) vocab = std::move(m);
  }
  bool remapped(const std::string& name, const ckpt::TensorInfo& t) const {
    return vocab && arch::is_vocab_tensor(name) && t.shape.size() == 2;
  }

  int input_of(const std::string& path) {
    const std::string key = canonical_path(path);
    if (auto it = index.find(key); it != index.end()) return it->second;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw EngineError(path + ": model not found");
    out.checkpoints.push_back(ckpt::Checkpoint::open(path));
    std::vector<std::string> names;
    for (const auto& t : out.checkpoints.back().tensors()) names.push_back(t.name);
    out.archs.push_back(arch::detect_architecture(names, arch::config_json_of(path), path));
    for (const auto& w : out.archs.back().warnings) out.warnings.push_back(w);
    out.paths.push_back(path);
    index[key] = static_cast<int>(out.paths.size() - 1);
    return index[key];
  }

  /// The slice's method inputs: (source index of the base or -1, source index of each layout model).
  struct SliceInputs {
    recipe::MergeLayout layout;
    int base = -1;
    std::vector<int> models;
    std::vector<int> input;  // per source: plan input
  };
  SliceInputs slice_inputs(size_t k) {
    SliceInputs s;
    const auto& sl = r.slices[k];
    try {
      s.layout = recipe::slice_layout(r, k);
    } catch (const recipe::RecipeError& e) {
      throw EngineError((r.source.empty() ? "" : r.source + ": ") + std::string(e.what()));
    }
    for (const auto& src : sl.sources) s.input.push_back(input_of(recipe::resolve_path(r, src.path)));
    auto source_with = [&](const std::string& path) {
      const std::string key = canonical_path(path);
      for (size_t j = 0; j < sl.sources.size(); ++j)
        if (canonical_path(recipe::resolve_path(r, sl.sources[j].path)) == key) return static_cast<int>(j);
      return -1;
    };
    if (!s.layout.base.empty()) {
      s.base = source_with(s.layout.base);
      if (s.base < 0)
        throw EngineError(slice_name(r, k) + ": the base_model '" + (sl.base_model.empty() ? r.base_model : sl.base_model) +
                          "' must be one of the slice's sources (with its layer_range)");
    }
    for (size_t m = 0; m < s.layout.models.size(); ++m) {
      const int e = s.layout.entry[m];
      s.models.push_back(e >= 0 ? e : source_with(s.layout.models[m]));
    }
    // layer_range against each model's layers.
    for (size_t j = 0; j < sl.sources.size(); ++j) {
      const auto& src = sl.sources[j];
      const arch::Architecture& a = out.archs[static_cast<size_t>(s.input[j])];
      if (src.layer_end > a.n_layers)
        throw EngineError(slice_name(r, k) + ": layer_range [" + std::to_string(src.layer_begin) + ", " +
                          std::to_string(src.layer_end) + "] of '" + src.path + "' goes past its " +
                          std::to_string(a.n_layers) + " layers (" +
                          (a.n_layers ? "0.." + std::to_string(a.n_layers - 1) + ", from " + a.n_layers_from
                                      : "it has no layer stack") +
                          ")" +
                          (a.n_layers ? "; give a layer_range within [0, " + std::to_string(a.n_layers) + "]"
                                      : "; slices need models with numbered layers, use 'models:' instead"));
    }
    return s;
  }

  /// One output tensor merged from `names[j]` of every source j of slice k.
  void add(size_t k, const SliceInputs& s, const std::string& out_name, const std::vector<std::string>& names, double t) {
    const auto& sl = r.slices[k];
    TensorPlan tp;
    tp.name = out_name;
    tp.t = t;
    tp.slice = static_cast<int>(k);
    const ckpt::TensorInfo* first = nullptr;
    std::string first_path;
    std::vector<const ckpt::TensorInfo*> infos(names.size());
    auto need = [&](size_t j) {
      if (!infos[j]) {
        const int in = s.input[j];
        infos[j] = out.checkpoints[static_cast<size_t>(in)].find(names[j]);
        if (!infos[j])
          throw EngineError(out.paths[static_cast<size_t>(in)] + ": tensor '" + names[j] + "': missing (needed for '" +
                            out_name + "' by " + slice_name(r, k) + ")");
        if (!first) {
          first = infos[j];
          first_path = out.paths[static_cast<size_t>(in)];
        } else if (infos[j]->shape != first->shape &&
                   !(remapped(names[j], *first) && infos[j]->shape.size() == 2 && infos[j]->shape[1] == first->shape[1])) {
          throw EngineError(out.paths[static_cast<size_t>(in)] + ": tensor '" + names[j] + "': shape " +
                            ckpt::shape_string(infos[j]->shape) + " differs from " + first_path + "'s " +
                            ckpt::shape_string(first->shape) + " (" + slice_name(r, k) + ")");
        } else if (ckpt::dtype_is_float(infos[j]->dtype) != ckpt::dtype_is_float(first->dtype)) {
          throw EngineError(out.paths[static_cast<size_t>(in)] + ": tensor '" + names[j] + "': " +
                            std::string(ckpt::dtype_name(infos[j]->dtype)) + " here, " +
                            std::string(ckpt::dtype_name(first->dtype)) + " in " + first_path +
                            "; only float tensors can be merged");
        }
      }
      return TensorSource{s.input[j], names[j]};
    };
    if (s.base >= 0) tp.base_source = need(static_cast<size_t>(s.base));
    for (int m : s.models) tp.model_sources.push_back(need(static_cast<size_t>(m)));
    tp.shape = first->shape;
    tp.numel = first->numel;
    if (!ckpt::dtype_is_float(first->dtype)) {  // copied from the slice's first method input
      tp.copied = true;
      tp.out_dtype = first->dtype;
      if (tp.base_source) tp.model_sources.insert(tp.model_sources.begin(), *tp.base_source);
      tp.base_source.reset();
      tp.model_sources.resize(1);
      tp.input_bytes = first->nbytes;
      out.output_bytes += first->nbytes;
    } else {
      tp.out_dtype = forced ? *forced : (ckpt::dtype_is_writable(first->dtype) ? first->dtype : ckpt::DType::F32);
      std::vector<std::string> model_names;
      for (const auto& src : tp.model_sources) model_names.push_back(src.name);
      tp.params = recipe::resolve_slice_params(r, k, s.layout, out_name, model_names, t, tensor_seed(seed, out_name));
      for (size_t j = 0; j < names.size(); ++j)
        if (infos[j]) tp.input_bytes += infos[j]->nbytes;
      if (remapped(out_name, *first)) {
        std::vector<int> slots;
        std::vector<const ckpt::Checkpoint*> cks;
        std::vector<std::string> slot_names;
        int base_slot = -1;
        auto slot = [&](const TensorSource& src) {
          if (base_slot < 0 && src.input == vocab_base) base_slot = static_cast<int>(slots.size());
          slots.push_back(src.input);
          cks.push_back(&out.checkpoints[static_cast<size_t>(src.input)]);
          slot_names.push_back(src.name);
        };
        if (tp.base_source) slot(*tp.base_source);
        for (const auto& src : tp.model_sources) slot(src);
        plan_vocab_tensor(tp, *vocab, slots, cks, slot_names, base_slot);
      }
      out.output_bytes += tp.numel * ckpt::dtype_size(tp.out_dtype);
      try {
        merge::check_params(recipe::method_of(r), tp.params, tp.model_sources.size());
      } catch (const std::invalid_argument& e) {
        throw EngineError((r.source.empty() ? std::string() : r.source + ": ") + e.what() + " (tensor '" + out_name + "')");
      }
    }
    (void)sl;
    out.input_bytes += tp.input_bytes;
    out.tensors.push_back(std::move(tp));
  }

  /// Tensors outside the stack (Pre or Post) of slice k's first source, from every source under the same name.
  void add_outside(size_t k, const SliceInputs& s, arch::Part part) {
    const int ref = s.input[0];
    const arch::Architecture& a = out.archs[static_cast<size_t>(ref)];
    for (const auto& t : out.checkpoints[static_cast<size_t>(ref)].tensors())
      if (a.place(t.name).part == part)
        add(k, s, t.name, std::vector<std::string>(r.slices[k].sources.size(), t.name), 0.0);
  }
};

}  // namespace

SlicedPlan plan_slices(const recipe::Recipe& r, std::uint32_t seed, std::optional<ckpt::DType> forced) {
  Builder b{r, seed, forced, {}, {}, std::nullopt, -1};
  std::vector<Builder::SliceInputs> inputs;
  for (size_t k = 0; k < r.slices.size(); ++k) inputs.push_back(b.slice_inputs(k));
  b.plan_vocab();

  b.add_outside(0, inputs[0], arch::Part::Pre);
  int out_layer = 0;
  for (size_t k = 0; k < r.slices.size(); ++k) {
    const auto& sl = r.slices[k];
    const int n = sl.sources[0].layer_end - sl.sources[0].layer_begin;
    const int ref = inputs[k].input[0];
    const arch::Architecture& a0 = b.out.archs[static_cast<size_t>(ref)];
    for (int i = 0; i < n; ++i, ++out_layer) {
      const double t = n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 1.0;
      const int ref_layer = sl.sources[0].layer_begin + i;
      for (const auto& tensor : b.out.checkpoints[static_cast<size_t>(ref)].tensors()) {
        const arch::TensorPlace p = a0.place(tensor.name);
        if (p.part != arch::Part::Layer || p.layer != ref_layer) continue;
        std::vector<std::string> names;
        for (size_t j = 0; j < sl.sources.size(); ++j)
          names.push_back(b.out.archs[static_cast<size_t>(inputs[k].input[j])].renamed(tensor.name, sl.sources[j].layer_begin + i));
        b.add(k, inputs[k], p.prefix + std::to_string(out_layer) + "." + p.suffix, names, t);
      }
    }
  }
  b.out.n_layers = out_layer;
  b.add_outside(r.slices.size() - 1, inputs.back(), arch::Part::Post);
  std::set<std::string> seen;
  for (const auto& t : b.out.tensors)
    if (!seen.insert(t.name).second) throw EngineError((r.source.empty() ? "" : r.source + ": ") + "output tensor '" + t.name + "' is planned twice");
  return std::move(b.out);
}

}  // namespace mergelab::engine
