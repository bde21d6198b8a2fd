#include "core/engine/engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/lora.h"
#include "core/checkpoint/writer.h"
#include "core/engine/buffer_pool.h"
#include "core/engine/output_files.h"
#include "core/engine/remapped_read.h"
#include "core/engine/slice_plan.h"
#include "core/engine/sources.h"
#include "core/engine/vocab.h"
#include "core/io/parallel.h"
#include "core/io/staged_dir.h"
#include "core/recipe/mergekit_yaml.h"

namespace mergelab::engine {

namespace fs = std::filesystem;
using ckpt::Checkpoint;
using ckpt::DType;
using ckpt::LoraAdapter;

// ---- small helpers ---------------------------------------------------------------------------
DType dtype_from_name(const std::string& n) {
  if (n == "float32" || n == "fp32" || n == "float") return DType::F32;
  if (n == "float16" || n == "fp16" || n == "half") return DType::F16;
  if (n == "bfloat16" || n == "bf16") return DType::BF16;
  throw EngineError("dtype '" + n + "' is not supported (float32, float16, bfloat16)");
}

std::uint32_t tensor_seed(std::uint32_t seed, const std::string& name) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : name) h = (h ^ c) * 16777619u;
  return seed ^ h;
}

std::string format_bytes(std::uint64_t b) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  const double v = static_cast<double>(b);
  if (v >= 1e9) s << v / 1e9 << " GB";
  else if (v >= 1e6) s << v / 1e6 << " MB";
  else if (v >= 1e3) s << v / 1e3 << " kB";
  else s << b << " B";
  return s.str();
}

std::uint64_t parse_size(const std::string& text) {
  std::string t;
  for (char c : text)
    if (c != ' ') t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(t, &pos);
  } catch (...) {
    throw EngineError("size '" + text + "' is not a number with an optional unit (e.g. 2GB, 500MB)");
  }
  std::string unit = t.substr(pos);
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  if (!unit.empty() && unit.back() == 'I') unit.pop_back();  // "GiB" -> binary below
  const bool binary = text.find("i") != std::string::npos || text.find("I") != std::string::npos;
  const double k = binary ? 1024.0 : 1000.0;
  double mult = 1;
  if (unit == "K") mult = k;
  else if (unit == "M") mult = k * k;
  else if (unit == "G") mult = k * k * k;
  else if (unit == "T") mult = k * k * k * k;
  else if (!unit.empty()) throw EngineError("size '" + text + "': unknown unit (use K, M, G, T with optional B)");
  if (!(v > 0) || !std::isfinite(v * mult)) throw EngineError("size '" + text + "' must be positive");
  return static_cast<std::uint64_t>(v * mult);
}

namespace {

Checkpoint open_checkpoint(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw EngineError(path + ": " + what + " not found");
  return Checkpoint::open(path);  // CheckpointError already names the file and problem
}

std::optional<DType> forced_dtype(const recipe::Recipe& r) {
  try {
    if (!r.out_dtype.empty()) return dtype_from_name(r.out_dtype);
    if (!r.dtype.empty()) return dtype_from_name(r.dtype);
  } catch (const EngineError& e) {
    throw EngineError(std::string("recipe: ") + e.what());
  }
  return std::nullopt;
}

/// check_vocab_rows over the opened inputs (base first, then the models), and with a tokenizer_source the mapping
/// into the output vocabulary; nullopt when nothing is re-ordered.
std::optional<VocabMapping> vocab_mapping(const recipe::Recipe& r, const Sources& s, const recipe::MergeLayout& layout) {
  std::vector<VocabInput> in;
  bool adapters = false;
  if (s.base) in.push_back({layout.base, &*s.base});
  for (size_t m = 0; m < s.models.size(); ++m) {
    if (s.models[m].checkpoint) in.push_back({layout.models[m], &*s.models[m].checkpoint});
    adapters = adapters || !s.models[m].checkpoint;
  }
  check_vocab_rows(r, in);
  if (r.tokenizer_source.empty()) return std::nullopt;
  int base = -1;
  for (size_t k = 0; k < in.size(); ++k)
    if (base < 0 && !r.base_model.empty() && canonical_path(in[k].path) == canonical_path(recipe::resolve_path(r, r.base_model)))
      base = static_cast<int>(k);
  VocabMapping m = map_vocabularies(r, in, base);
  if (m.identity) return std::nullopt;
  if (adapters) throw EngineError(r.source + ": tokenizer_source with vocabularies that differ cannot be combined with LoRA adapters");
  return m;
}

/// A `slices:` recipe: every distinct source opened once as a model input; tensors routed by core/engine/slice_plan.
MergePlan plan_sliced_merge(MergePlan plan) {
  SlicedPlan s = plan_slices(plan.recipe, plan.seed, forced_dtype(plan.recipe));
  auto sources = std::make_shared<Sources>();
  for (size_t i = 0; i < s.paths.size(); ++i) {
    Input in;
    in.path = s.paths[i];
    in.checkpoint.emplace(std::move(s.checkpoints[i]));
    sources->models.push_back(std::move(in));
  }
  sources->reference = &*sources->models.at(0).checkpoint;
  plan.layout.models = s.paths;
  plan.n_layers = s.n_layers;
  plan.tensors = std::move(s.tensors);
  plan.input_bytes = s.input_bytes;
  plan.output_bytes = s.output_bytes;
  plan.warnings.insert(plan.warnings.end(), s.warnings.begin(), s.warnings.end());
  plan.copied_files =
      output_copies(plan.recipe, plan.recipe.base_model.empty() ? s.paths[0] : recipe::resolve_path(plan.recipe, plan.recipe.base_model));
  plan.sources = std::move(sources);
  return plan;
}

}  // namespace

// ---- planning --------------------------------------------------------------------------------
MergePlan plan_merge(const recipe::Recipe& r, const PlanOptions& options) {
  MergePlan plan;
  plan.recipe = r;
  plan.seed = options.seed;
  try {
    recipe::validate(r);
    if (r.slices.empty()) plan.layout = recipe::merge_layout(r);
  } catch (const recipe::RecipeError& e) {
    throw EngineError(e.what());
  }
  plan.method = &recipe::method_of(r);
  plan.warnings = r.warnings;
  if (!r.slices.empty()) {
    plan = plan_sliced_merge(std::move(plan));
    add_output_files(plan);
    return plan;
  }
  auto sources = std::make_shared<Sources>();
  if (!plan.layout.base.empty()) sources->base.emplace(open_checkpoint(plan.layout.base, "base model"));
  for (const auto& p : plan.layout.models) {
    Input in;
    in.path = p;
    if (ckpt::is_lora_adapter(p)) {
      if (!sources->base) throw EngineError(p + ": a LoRA adapter needs a base_model to apply to");
      in.adapter.emplace(LoraAdapter::open(p));
      for (const auto& t : in.adapter->base_tensors()) in.adapted.insert(t);
    } else {
      in.checkpoint.emplace(open_checkpoint(p, "model"));
    }
    sources->models.push_back(std::move(in));
  }
  sources->reference = sources->base ? &*sources->base : &*sources->models.at(0).checkpoint;
  if (!sources->base && !sources->models.at(0).checkpoint) throw EngineError(plan.layout.models[0] + ": not a checkpoint");
  const Checkpoint& ref = *sources->reference;
  if (sources->base) plan.warnings.insert(plan.warnings.end(), sources->base->warnings().begin(), sources->base->warnings().end());
  for (const auto& in : sources->models)
    if (in.checkpoint) plan.warnings.insert(plan.warnings.end(), in.checkpoint->warnings().begin(), in.checkpoint->warnings().end());

  // Compatibility: every model has every reference float tensor, same shape, float dtypes; non-float tensors are
  // copied from the reference, so every input that has one must hold the same dtype and bytes (mergekit's rule).
  const std::string ref_path = sources->base ? plan.layout.base : plan.layout.models[0];
  const std::optional<VocabMapping> vocab = vocab_mapping(r, *sources, plan.layout);
  auto not_merged = [](const ckpt::TensorInfo& t) { return !ckpt::dtype_is_float(t.dtype); };
  for (size_t m = 0; m < sources->models.size(); ++m) {
    const Input& in = sources->models[m];
    if (in.adapter) {
      for (const auto& name : in.adapted) {
        const ckpt::TensorInfo* bt = ref.find(name);
        if (!bt) throw EngineError(in.path + ": tensor '" + name + "': adapted by the LoRA adapter but absent from the base");
        if (in.adapter->base_shape(name) != bt->shape)
          throw EngineError(in.path + ": tensor '" + name + "': adapter shape " + ckpt::shape_string(in.adapter->base_shape(name)) +
                            " differs from the base's " + ckpt::shape_string(bt->shape));
        if (not_merged(*bt))
          throw EngineError(in.path + ": tensor '" + name + "': the adapter changes a " + std::string(ckpt::dtype_name(bt->dtype)) +
                            " tensor; non-float tensors are copied from the base, never merged");
      }
      continue;
    }
    if (&*in.checkpoint == &ref) continue;
    for (const auto& t : ref.tensors()) {
      const ckpt::TensorInfo* mt = in.checkpoint->find(t.name);
      if (!mt && not_merged(t)) {
        plan.warnings.push_back(in.path + ": tensor '" + t.name + "' (" + std::string(ckpt::dtype_name(t.dtype)) +
                                ") missing; " + ref_path + "'s copy is written");
        continue;
      }
      if (!mt) throw EngineError(in.path + ": tensor '" + t.name + "': missing (" + ref_path +
                                 " has it); every model must have the same tensors: merge models of one architecture");
      if (mt->shape != t.shape && !(vocab && arch::is_vocab_tensor(t.name) && t.shape.size() == 2))
        throw EngineError(in.path + ": tensor '" + t.name + "': shape " + ckpt::shape_string(mt->shape) + " differs from " +
                          ref_path + "'s " + ckpt::shape_string(t.shape));
      if (not_merged(t) || not_merged(*mt)) {
        if (mt->dtype != t.dtype)
          throw EngineError(in.path + ": tensor '" + t.name + "': " + std::string(ckpt::dtype_name(mt->dtype)) + " here, " +
                            std::string(ckpt::dtype_name(t.dtype)) + " in " + ref_path +
                            (not_merged(t) && not_merged(*mt)
                                 ? "; non-float tensors are copied, not merged, so every input must hold the same"
                                 : "; only float tensors (F32, F16, BF16, F64) can be merged"));
        if (!options.read_data) continue;  // pre-flight: headers only
        const auto a = ref.raw(t.name), b = in.checkpoint->raw(t.name);
        const bool same = a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
        ref.release(t.name);
        in.checkpoint->release(t.name);
        if (!same)
          throw EngineError(in.path + ": tensor '" + t.name + "': this " + std::string(ckpt::dtype_name(t.dtype)) +
                            " tensor differs from " + ref_path +
                            "'s; non-float tensors are copied, not merged, so every input must hold the same values "
                            "(mergekit refuses this too)");
      }
    }
    size_t extra = 0;
    std::string first_extra;
    for (const auto& t : in.checkpoint->tensors())
      if (!ref.find(t.name) && extra++ == 0) first_extra = t.name;
    if (extra)
      plan.warnings.push_back(in.path + ": " + std::to_string(extra) + " tensor(s) not in " + ref_path + " ignored (e.g. '" +
                              first_extra + "')");
  }

  // Layers (core/arch) and per-tensor parameters.
  std::vector<std::string> names;
  for (const auto& t : ref.tensors()) names.push_back(t.name);
  const arch::Architecture arch = arch::detect_architecture(names, arch::config_json_of(ref_path), ref_path);
  plan.n_layers = arch.n_layers;
  plan.warnings.insert(plan.warnings.end(), arch.warnings.begin(), arch.warnings.end());
  const std::optional<DType> forced = forced_dtype(r);
  const size_t n_inputs = sources->models.size() + (sources->base ? 1 : 0);
  for (const auto& t : ref.tensors()) {
    TensorPlan tp;
    tp.name = t.name;
    tp.shape = t.shape;
    tp.numel = t.numel;
    tp.t = arch.position(t.name);
    if (!ckpt::dtype_is_float(t.dtype)) {
      tp.copied = true;
      tp.out_dtype = t.dtype;
      tp.input_bytes = t.nbytes;
      plan.input_bytes += t.nbytes;
      plan.output_bytes += t.nbytes;
      plan.tensors.push_back(std::move(tp));
      continue;
    }
    tp.out_dtype = forced ? *forced : (ckpt::dtype_is_writable(t.dtype) ? t.dtype : DType::F32);
    tp.params = recipe::resolve_params(r, plan.layout, t.name, tp.t, tensor_seed(options.seed, t.name));
    try {  // filtered settings meet here: the joint rules (della's density +/- epsilon) per tensor
      merge::check_params(*plan.method, tp.params, plan.layout.models.size());
    } catch (const std::invalid_argument& e) {
      throw EngineError((r.source.empty() ? std::string() : r.source + ": ") + e.what() + " (tensor '" + t.name + "')");
    }
    tp.input_bytes = t.nbytes * n_inputs;
    if (vocab && arch::is_vocab_tensor(t.name) && t.shape.size() == 2) {
      std::vector<int> slots;
      std::vector<const Checkpoint*> cks;
      int base_slot = -1;
      for (int k = sources->base ? -1 : 0; k < static_cast<int>(sources->models.size()); ++k) {
        if (k >= 0 && !r.base_model.empty() && plan.layout.entry.size() > static_cast<size_t>(k) && plan.layout.entry[static_cast<size_t>(k)] < 0)
          base_slot = static_cast<int>(slots.size());  // slerp: the base is model 0
        if (k < 0) base_slot = 0;
        slots.push_back(static_cast<int>(slots.size()));
        cks.push_back(&sources->checkpoint(k));
      }
      plan_vocab_tensor(tp, *vocab, slots, cks, std::vector<std::string>(slots.size(), t.name), base_slot);
    }
    plan.input_bytes += tp.input_bytes;
    plan.output_bytes += tp.numel * ckpt::dtype_size(tp.out_dtype);
    plan.tensors.push_back(std::move(tp));
  }
  if (plan.tensors.empty()) throw EngineError(ref_path + ": no tensors to merge");

  // Non-tensor files of the base (or of the first model when there is no base).
  plan.copied_files = output_copies(r, sources->base ? plan.layout.base : plan.layout.models[0]);
  plan.sources = std::move(sources);
  add_output_files(plan);
  return plan;
}

// ---- running ---------------------------------------------------------------------------------
namespace {

/// The folder a checkpoint path lives in (a folder itself, or a file's parent).
std::string canonical_folder(const std::string& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) ? canonical_path(p) : canonical_path(fs::path(p).parent_path().string().empty() ? "." : fs::path(p).parent_path().string());
}

void check_destination(const MergePlan& plan, const std::string& dest, bool force) {
  const std::string d = canonical_path(dest);
  std::vector<std::string> inputs;
  if (!plan.layout.base.empty()) inputs.push_back(canonical_folder(plan.layout.base));
  for (const auto& m : plan.layout.models) inputs.push_back(canonical_folder(m));
  for (const auto& in : inputs) {
    const bool same = d == in;
    const bool holds = in.size() > d.size() && in.compare(0, d.size(), d) == 0 && in[d.size()] == '/';
    const bool inside = d.size() > in.size() && d.compare(0, in.size(), in) == 0 && d[in.size()] == '/';
    if (same || holds || inside)
      throw EngineError(dest + ": the output folder " + std::string(same ? "is" : holds ? "contains" : "is inside") +
                        " the input " + in + "; inputs are never written, choose another --out");
  }
  std::error_code ec;
  if (fs::exists(dest, ec) && !force) throw EngineError(dest + ": already exists (use --force to replace it)");
  if (fs::exists(dest, ec) && !fs::is_directory(dest, ec)) throw EngineError(dest + ": exists and is not a folder");
}

}  // namespace

RunReport run_merge(const MergePlan& plan, const RunOptions& opt) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  if (opt.out_dir.empty()) throw EngineError("no output folder given");
  if (!plan.sources) throw EngineError("the merge plan has no opened inputs");
  fs::path dest = fs::path(opt.out_dir).lexically_normal();
  if (dest.filename().empty()) dest = dest.parent_path();
  check_destination(plan, dest.string(), opt.force);
  fs::path parent = dest.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (!fs::is_directory(parent, ec)) throw EngineError(parent.string() + ": cannot create the output's parent folder");

  std::optional<io::StagedDir> stage;
  try {
    stage.emplace(dest, opt.on_note);
  } catch (const io::IoError& e) {
    throw EngineError(e.what());
  }
  const std::string stage_path = stage->path().string();

  const Sources& src = *plan.sources;
  const auto& spec = *plan.method;
  std::vector<ckpt::TensorSpec> specs;
  for (const auto& t : plan.tensors) specs.push_back({t.name, t.out_dtype, t.shape});
  recipe::Recipe stored = plan.recipe;  // absolute paths: the metadata must not depend on the YAML's folder
  if (!stored.base_model.empty()) stored.base_model = canonical_path(recipe::resolve_path(plan.recipe, stored.base_model));
  for (auto& m : stored.models) m.path = canonical_path(recipe::resolve_path(plan.recipe, m.path));
  for (auto& sl : stored.slices) {
    if (!sl.base_model.empty()) sl.base_model = canonical_path(recipe::resolve_path(plan.recipe, sl.base_model));
    for (auto& s : sl.sources) s.path = canonical_path(recipe::resolve_path(plan.recipe, s.path));
  }
  if (!stored.tokenizer_source.empty() && stored.tokenizer_source != "base")
    stored.tokenizer_source = canonical_path(recipe::resolve_path(plan.recipe, stored.tokenizer_source));
  stored.base_dir.clear();
  const std::map<std::string, std::string> metadata = {{"format", "pt"},
                                                       {"merge_method", spec.name},
                                                       {"mergelab_recipe", recipe::recipe_to_json(stored)},
                                                       {"mergelab_seed", std::to_string(plan.seed)}};
  std::optional<ckpt::CheckpointWriter> writer;
  writer.emplace(stage_path, specs, metadata,
                 ckpt::WriterOptions{.max_shard_bytes = opt.max_shard_bytes, .overwrite = false, .sync = opt.sync});

  const int threads = std::max(1, opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency()));
  const bool has_base = src.base.has_value();
  const size_t n_models = src.models.size();
  std::uint64_t bytes_total = 0;
  const size_t n_inputs = n_models + (has_base ? 1 : 0);
  std::vector<std::uint64_t> tensor_bytes;
  for (const auto& t : plan.tensors) {
    tensor_bytes.push_back(t.input_bytes + t.numel * ckpt::dtype_size(t.out_dtype));
    bytes_total += tensor_bytes.back();
  }

  std::mutex mu;  // guards the progress
  Progress progress;
  progress.tensors_total = plan.tensors.size();
  progress.bytes_total = bytes_total;
  BufferPool pool;

  auto merge_tensor = [&](size_t i) {
    const TensorPlan& t = plan.tensors[i];
    try {
      if (t.copied) {
        const Checkpoint& from = t.model_sources.empty() ? *src.reference : src.checkpoint(t.model_sources[0].input);
        const std::string& name = t.model_sources.empty() ? t.name : t.model_sources[0].name;
        writer->write_raw(t.name, from.raw(name));
        from.check_intact();
        from.release(name);
        return;
      }
      auto buffers = pool.take(n_inputs);
      merge::MergeInputs<float> in;
      in.size = static_cast<Eigen::Index>(t.numel);
      in.shape = t.shape;
      // F32 inputs are read in place from the map; others are converted into this item's buffers.
      size_t b = 0;
      auto input = [&](int m, const std::string& name) -> const float* {
        if (const float* p = src.direct(m, name)) return p;
        if (buffers->size() <= b) buffers->resize(b + 1);
        (*buffers)[b].resize(t.numel);
        src.read(m, name, (*buffers)[b]);
        return (*buffers)[b++].data();
      };
      std::vector<std::vector<float>> remapped;
      if (t.vocab) {
        read_remapped(src, t, has_base, n_models, remapped, in);
      } else if (t.model_sources.empty()) {
        if (has_base) in.base = input(-1, t.name);
        for (size_t m = 0; m < n_models; ++m) in.models.push_back(input(static_cast<int>(m), t.name));
      } else {  // slices: each input's own tensor
        if (t.base_source) in.base = input(t.base_source->input, t.base_source->name);
        for (const auto& s : t.model_sources) in.models.push_back(input(s.input, s.name));
      }
      const Eigen::VectorXf out = merge::run_merge(spec, in, t.params);
      src.check_intact();
      writer->write(t.name, std::span<const float>(out.data(), static_cast<size_t>(out.size())));
      pool.give(std::move(buffers));
      if (t.model_sources.empty()) src.release(t.name);
      if (t.base_source) src.release(t.base_source->input, t.base_source->name);
      for (const auto& s : t.model_sources) src.release(s.input, s.name);
    } catch (const std::exception& e) {
      std::string what = e.what();
      try {
        src.check_intact();  // a read of a shrunk input fails the write (EFAULT): name the input instead
      } catch (const std::exception& changed) {
        what = changed.what();
      }
      what = stage->as_dest(what);
      throw EngineError(what.find(t.name) != std::string::npos ? what : "tensor '" + t.name + "': " + what);
    }
  };
  auto on_done = [&](size_t i) {
    std::lock_guard lock(mu);
    progress.tensors_done++;
    progress.bytes_done += tensor_bytes[i];
    progress.elapsed_s = std::chrono::duration<double>(clock::now() - start).count();
    progress.eta_s = progress.bytes_done ? progress.elapsed_s * static_cast<double>(bytes_total - progress.bytes_done) /
                                               static_cast<double>(progress.bytes_done)
                                         : 0.0;
    progress.tensor = plan.tensors[i].name;
    if (opt.on_progress) opt.on_progress(progress);
  };
  io::parallel_for(plan.tensors.size(), threads, merge_tensor, on_done, opt.cancel);

  if (opt.cancel && opt.cancel->load() && progress.tensors_done < plan.tensors.size()) throw Cancelled();
  try {
    writer->finish();
  } catch (const std::exception& e) {
    throw EngineError(stage->as_dest(e.what()));
  }
  writer.reset();
  for (const auto& f : plan.copied_files) {
    if (plan.generated_files.count(fs::path(f).filename().string())) continue;
    fs::copy_file(f, fs::path(stage_path) / fs::path(f).filename(), ec);
    if (ec) throw EngineError(f + ": cannot copy into the output (" + ec.message() + ")");
  }
  for (const auto& [name, text] : plan.generated_files) {
    std::ofstream g(fs::path(stage_path) / name, std::ios::binary);
    g << text;
    if (!g.flush()) throw EngineError(dest.string() + ": cannot write " + name);
  }
  {
    recipe::Recipe yaml = stored;
    std::ofstream y(fs::path(stage_path) / "mergekit_config.yml");
    y << recipe::to_mergekit_yaml(yaml);
    if (!y) throw EngineError(dest.string() + ": cannot write mergekit_config.yml");
  }
  if (opt.cancel && opt.cancel->load()) throw Cancelled();

  // Into place: the old destination (with --force) is moved aside first and removed after.
  try {
    stage->commit(opt.force, opt.sync);
  } catch (const io::IoError& e) {
    throw EngineError(e.what());
  }

  RunReport report;
  report.tensors = plan.tensors.size();
  report.bytes_in = plan.input_bytes;
  report.bytes_out = plan.output_bytes;
  report.seconds = std::chrono::duration<double>(clock::now() - start).count();
  for (const auto& e : fs::directory_iterator(dest, ec)) report.files.push_back(e.path().filename().string());
  std::sort(report.files.begin(), report.files.end());
  return report;
}

RunReport merge_checkpoints(const recipe::Recipe& recipe, const RunOptions& options, const PlanOptions& plan) {
  return run_merge(plan_merge(recipe, plan), options);
}

}  // namespace mergelab::engine
