#include "core/engine/vocab.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/arch/architecture.h"
#include "core/engine/engine.h"

namespace mergelab::engine {

namespace fs = std::filesystem;
using Vocab = std::map<std::string, std::int64_t>;

namespace {

std::string folder_of(const std::string& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) return p;
  const std::string parent = fs::path(p).parent_path().string();
  return parent.empty() ? "." : parent;
}

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw EngineError(file.string() + ": not a JSON object");
  return j;
}

void add_entries(const nlohmann::json& map, Vocab& v, const fs::path& file) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it.value().is_number_integer()) throw EngineError(file.string() + ": token '" + it.key() + "' has no integer id");
    v[it.key()] = it.value().get<std::int64_t>();
  }
}

/// config.json's vocab_size of a model folder (text_config's for multimodal configs); 0 when absent.
std::int64_t config_vocab_size(const std::string& folder) {
  const std::string cfg = arch::config_json_of(folder);
  if (cfg.empty()) return 0;
  std::ifstream in(cfg, std::ios::binary);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object()) return 0;
  const nlohmann::json& t = j.contains("text_config") && j["text_config"].is_object() ? j["text_config"] : j;
  return t.contains("vocab_size") && t["vocab_size"].is_number_integer() ? t["vocab_size"].get<std::int64_t>() : 0;
}

/// Rows of the input's vocabulary tensors: (name, rows, cols) of each 2-D one.
struct VocabTensor {
  std::string name;
  std::uint64_t rows = 0, cols = 0;
};
std::vector<VocabTensor> vocab_tensors(const ckpt::Checkpoint& c) {
  std::vector<VocabTensor> out;
  for (const auto& t : c.tensors())
    if (arch::is_vocab_tensor(t.name) && t.shape.size() == 2) out.push_back({t.name, t.shape[0], t.shape[1]});
  return out;
}

std::string where(const recipe::Recipe& r) { return r.source.empty() ? std::string() : r.source + ": "; }

}  // namespace

Vocab read_token_vocab(const std::string& model_folder) {
  const fs::path dir = folder_of(model_folder);
  Vocab v;
  std::error_code ec;
  if (const fs::path tj = dir / "tokenizer.json"; fs::exists(tj, ec)) {
    const nlohmann::json j = read_json(tj);
    const nlohmann::json model = j.value("model", nlohmann::json::object());
    const nlohmann::json vocab = model.value("vocab", nlohmann::json());
    if (vocab.is_object()) {
      add_entries(vocab, v, tj);
    } else if (vocab.is_array()) {  // Unigram: [[piece, score], ...], id = position
      for (size_t i = 0; i < vocab.size(); ++i)
        if (vocab[i].is_array() && !vocab[i].empty() && vocab[i][0].is_string())
          v[vocab[i][0].get<std::string>()] = static_cast<std::int64_t>(i);
    } else {
      throw EngineError(tj.string() + ": no model vocabulary (model.vocab) to map tokens by");
    }
    for (const auto& a : j.value("added_tokens", nlohmann::json::array()))
      if (a.is_object() && a.contains("content") && a.contains("id") && a["id"].is_number_integer())
        v[a["content"].get<std::string>()] = a["id"].get<std::int64_t>();
    return v;
  }
  if (const fs::path vj = dir / "vocab.json"; fs::exists(vj, ec)) {
    add_entries(read_json(vj), v, vj);
    if (const fs::path aj = dir / "added_tokens.json"; fs::exists(aj, ec)) add_entries(read_json(aj), v, aj);
  }
  return v;
}

void check_vocab_rows(const recipe::Recipe& r, const std::vector<VocabInput>& inputs) {
  if (inputs.size() < 2) return;
  const auto ref = vocab_tensors(*inputs[0].checkpoint);
  for (size_t i = 1; i < inputs.size(); ++i)
    for (const auto& t : ref) {
      const ckpt::TensorInfo* o = inputs[i].checkpoint->find(t.name);
      if (!o || o->shape.size() != 2) continue;  // reported by the tensor checks
      if (o->shape[1] != t.cols)
        throw EngineError(where(r) + "tensor '" + t.name + "': embedding width " + std::to_string(o->shape[1]) + " in " +
                          inputs[i].path + ", " + std::to_string(t.cols) + " in " + inputs[0].path +
                          "; models of different widths cannot be merged");
      if (o->shape[0] != t.rows && r.tokenizer_source.empty())
        throw EngineError(where(r) + "vocabulary sizes differ: '" + t.name + "' has " + std::to_string(t.rows) +
                          " rows in " + inputs[0].path + " and " + std::to_string(o->shape[0]) + " in " +
                          inputs[i].path + "; add 'tokenizer_source: base' (or the model whose tokenizer the output "
                          "keeps) to merge the embeddings token by token as mergekit does");
    }
}

VocabMapping map_vocabularies(const recipe::Recipe& r, const std::vector<VocabInput>& inputs, int base) {
  const std::string base_path = inputs.at(base >= 0 ? static_cast<size_t>(base) : 0).path;
  const Vocab base_vocab = read_token_vocab(base_path);
  Vocab out;
  if (r.tokenizer_source == "base") {
    if (base_vocab.empty())
      throw EngineError(where(r) + "tokenizer_source: base, but " + base_path +
                        " has no tokenizer.json or vocab.json to map the tokens by");
    const std::int64_t n = config_vocab_size(base_path);
    for (const auto& [tok, id] : base_vocab)
      if (n <= 0 || id < n) out[tok] = id;
  } else {
    const std::string src = recipe::resolve_path(r, r.tokenizer_source);
    out = read_token_vocab(src);
    if (out.empty())
      throw EngineError(where(r) + "tokenizer_source '" + r.tokenizer_source + "' has no tokenizer.json or vocab.json (looked in " +
                        folder_of(src) + ")");
  }
  VocabMapping m;
  for (const auto& [tok, id] : out) {
    if (id < 0) throw EngineError(where(r) + "tokenizer_source: token '" + tok + "' has a negative id");
    m.rows = std::max(m.rows, static_cast<std::uint64_t>(id) + 1);
  }
  for (const auto& in : inputs) {
    Vocab own = read_token_vocab(in.path);
    const Vocab& vocab = own.empty() ? base_vocab : own;  // mergekit: a model without a tokenizer uses the base's
    std::int64_t limit = config_vocab_size(in.path);
    if (limit <= 0) limit = static_cast<std::int64_t>(vocab.size());
    std::vector<std::int64_t> rows(m.rows, -1);
    for (const auto& [tok, id] : out)
      if (auto it = vocab.find(tok); it != vocab.end() && it->second < limit) rows[static_cast<size_t>(id)] = it->second;
    for (size_t k = 0; k < rows.size(); ++k) m.identity = m.identity && rows[k] == static_cast<std::int64_t>(k);
    for (const auto& t : vocab_tensors(*in.checkpoint)) m.identity = m.identity && t.rows == m.rows;
    m.rows_of_input.push_back(std::move(rows));
  }
  return m;
}

std::shared_ptr<const VocabRemap> vocab_remap(const VocabMapping& m, const std::vector<int>& inputs, int base_slot,
                                              const std::vector<std::uint64_t>& input_rows) {
  auto r = std::make_shared<VocabRemap>();
  r->rows = m.rows;
  for (size_t k = 0; k < inputs.size(); ++k) {
    std::vector<std::int64_t> rows = m.rows_of_input.at(static_cast<size_t>(inputs[k]));
    for (auto& x : rows)
      if (x >= static_cast<std::int64_t>(input_rows[k])) x = -1;
    r->source_rows.push_back(std::move(rows));
  }
  // The same input twice (a model that is also the base) counts once, as mergekit's set of models.
  std::vector<bool> counted(inputs.size(), true);
  for (size_t k = 0; k < inputs.size(); ++k)
    for (size_t j = 0; j < k; ++j) counted[k] = counted[k] && inputs[j] != inputs[k];
  for (std::uint64_t row = 0; row < m.rows; ++row) {
    std::vector<std::pair<int, std::int64_t>> present;
    bool all = true;
    for (size_t k = 0; k < inputs.size(); ++k) {
      const std::int64_t x = r->source_rows[k][row];
      all = all && x >= 0;
      if (x >= 0 && counted[k]) present.push_back({static_cast<int>(k), x});
    }
    if (all) continue;
    if (present.size() > 1 && base_slot >= 0 && r->source_rows[static_cast<size_t>(base_slot)][row] >= 0)
      present = {{base_slot, r->source_rows[static_cast<size_t>(base_slot)][row]}};
    r->defaults[row] = std::move(present);
  }
  return r;
}

/// A vocabulary tensor planned for re-ordering: output shape, remap and bytes read. Per method input (MergeInputs
/// order): its index into the mapping's inputs, its checkpoint and its tensor name.
void plan_vocab_tensor(TensorPlan& tp, const VocabMapping& m, const std::vector<int>& slots,
                       const std::vector<const ckpt::Checkpoint*>& inputs, const std::vector<std::string>& names, int base_slot) {
  std::vector<std::uint64_t> rows;
  tp.input_bytes = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const ckpt::TensorInfo* info = inputs[k]->find(names[k]);
    rows.push_back(info->shape[0]);
    tp.input_bytes += info->nbytes;
  }
  tp.vocab = vocab_remap(m, slots, base_slot, rows);
  tp.shape[0] = m.rows;
  tp.numel = m.rows * tp.shape[1];
}

void VocabRemap::apply(const std::vector<const float*>& in, std::uint64_t cols, std::vector<std::vector<float>>& out) const {
  out.resize(in.size());
  std::map<std::uint64_t, std::vector<float>> made;  // default rows
  for (const auto& [row, from] : defaults) {
    std::vector<float> v(cols, 0.0f);
    for (const auto& [k, x] : from)
      for (std::uint64_t c = 0; c < cols; ++c) v[c] += in[static_cast<size_t>(k)][static_cast<std::uint64_t>(x) * cols + c];
    if (from.size() > 1)
      for (auto& e : v) e /= static_cast<float>(from.size());
    made[row] = std::move(v);
  }
  for (size_t k = 0; k < in.size(); ++k) {
    out[k].assign(rows * cols, 0.0f);
    for (std::uint64_t row = 0; row < rows; ++row) {
      const std::int64_t x = source_rows[k][row];
      const float* src = x >= 0 ? in[k] + static_cast<std::uint64_t>(x) * cols : made.at(row).data();
      std::copy(src, src + cols, out[k].begin() + static_cast<std::ptrdiff_t>(row * cols));
    }
  }
}

}  // namespace mergelab::engine
