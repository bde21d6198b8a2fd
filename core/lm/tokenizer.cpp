#include "core/lm/tokenizer.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/lm/added_tokens.h"
#include "core/lm/bpe.h"
#include "core/lm/decoder.h"
#include "core/lm/lm_error.h"
#include "core/lm/normalizer.h"
#include "core/lm/pretokenize.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace mergelab::lm {

struct Tokenizer::Impl {
  fs::path file;
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  BpeModel model;
  Decoder decoder;
  AddedTokenMatcher raw_added;         ///< normalized: false
  AddedTokenMatcher normalized_added;  ///< normalized: true, matched after normalization
  std::vector<AddedToken> added;
  std::vector<std::string> tokens;  ///< id -> string form
  std::vector<bool> has_token;      ///< false for ids no token has
  bool add_bos = false;
  std::optional<std::int32_t> bos, eos;

  std::optional<std::int32_t> token_id(std::string_view token) const {
    for (const AddedToken& t : added)
      if (t.content == token) return t.id;
    return model.find(token);
  }
};

namespace {

json read_json(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw LmError(file.string() + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw LmError(file.string() + ": read failed");
  try {
    json j = json::parse(text.str());
    if (!j.is_object()) throw LmError(file.string() + ": expected a JSON object at the top level");
    return j;
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number past double's range
    throw LmError(file.string() + ": malformed JSON: " + e.what());
  }
}

bool flag(const json& j, const char* key, bool fallback, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_boolean()) throw LmError(where + ": \"" + key + "\" must be true or false");
  return j[key].get<bool>();
}

// Optional string setting; "" counts as unset.
std::optional<std::string> optional_string(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_string()) throw LmError(where + ": \"" + key + "\" must be a string or null");
  return j[key].get<std::string>();
}

std::int32_t checked_id(const json& v, const std::string& where) {
  if (!v.is_number_integer()) throw LmError(where + ": the id must be an integer");
  const long long id = v.get<long long>();
  if (id < 0 || id >= (1LL << 30)) throw LmError(where + ": id " + std::to_string(id) + " is out of range");
  return static_cast<std::int32_t>(id);
}

BpeModel parse_model(const json& root, const std::string& file) {
  if (!root.contains("model") || !root["model"].is_object()) throw LmError(file + ": no \"model\" object");
  const json& m = root["model"];
  const std::string where = file + ": model";
  const std::string type = m.contains("type") && m["type"].is_string() ? m["type"].get<std::string>()
                           : m.contains("merges")                      ? "BPE"
                                                                       : "(none)";
  if (type != "BPE") throw LmError(file + ": model type '" + type + "' is not supported (only BPE)");
  if (m.contains("dropout") && !m["dropout"].is_null()) {
    if (!m["dropout"].is_number()) throw LmError(where + ": \"dropout\" must be a number or null");
    if (m["dropout"].get<double>() != 0.0)
      throw LmError(where + ": BPE dropout " + m["dropout"].dump() + " is not supported (encoding must be deterministic)");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    const auto value = optional_string(m, key, where);
    if (value && !value->empty())
      throw LmError(where + ": " + key + " '" + *value + "' is not supported (byte-level and SentencePiece BPE have none)");
  }
  BpeOptions options;
  options.unk_token = optional_string(m, "unk_token", where);
  options.fuse_unk = flag(m, "fuse_unk", false, where);
  options.byte_fallback = flag(m, "byte_fallback", false, where);
  options.ignore_merges = flag(m, "ignore_merges", false, where);

  if (!m.contains("vocab") || !m["vocab"].is_object()) throw LmError(where + ": \"vocab\" must be an object (token -> id)");
  BpeModel::Vocab vocab;
  vocab.reserve(m["vocab"].size());
  for (const auto& [token, id] : m["vocab"].items()) vocab.emplace_back(token, checked_id(id, where + ".vocab['" + token + "']"));

  if (!m.contains("merges") || !m["merges"].is_array()) throw LmError(where + ": \"merges\" must be an array");
  BpeModel::Merges merges;
  merges.reserve(m["merges"].size());
  for (std::size_t i = 0; i < m["merges"].size(); ++i) {
    const json& e = m["merges"][i];
    const std::string at = where + ".merges[" + std::to_string(i) + "]";
    if (e.is_string()) {  // the older "a b" form
      const std::string s = e;
      const std::size_t space = s.find(' ');
      if (space == std::string::npos || space == 0 || space + 1 == s.size() || s.find(' ', space + 1) != std::string::npos)
        throw LmError(at + ": '" + s + "' is not two tokens separated by one space");
      merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {  // ["a", "b"]
      merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
    } else {
      throw LmError(at + ": a merge must be \"a b\" or [\"a\", \"b\"]");
    }
  }
  return BpeModel::build(vocab, merges, options, file);
}

std::vector<AddedToken> parse_added(const json& root, const std::string& file) {
  std::vector<AddedToken> out;
  if (!root.contains("added_tokens") || root["added_tokens"].is_null()) return out;
  if (!root["added_tokens"].is_array()) throw LmError(file + ": \"added_tokens\" must be an array");
  for (std::size_t i = 0; i < root["added_tokens"].size(); ++i) {
    const json& e = root["added_tokens"][i];
    const std::string where = file + ": added_tokens[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("content") || !e["content"].is_string() || !e.contains("id"))
      throw LmError(where + ": expected {\"id\": ..., \"content\": ...}");
    AddedToken t;
    t.content = e["content"];
    if (t.content.empty()) throw LmError(where + ": empty content");
    t.id = checked_id(e["id"], where);
    t.special = flag(e, "special", false, where);
    t.lstrip = flag(e, "lstrip", false, where);
    t.rstrip = flag(e, "rstrip", false, where);
    t.single_word = flag(e, "single_word", false, where);
    t.normalized = flag(e, "normalized", !t.special, where);
    out.push_back(std::move(t));
  }
  return out;
}

// tokenizer_config.json's bos_token / eos_token: a string, {"content": ...}, or null.
template <class Lookup>
std::optional<std::int32_t> config_token(const json& config, const char* key, const Lookup& find,
                                         const fs::path& tokenizer_file, const std::string& file) {
  if (!config.contains(key) || config[key].is_null()) return std::nullopt;
  const json& v = config[key];
  std::string content;
  if (v.is_string()) content = v;
  else if (v.is_object() && v.contains("content") && v["content"].is_string()) content = v["content"];
  else throw LmError(file + ": \"" + key + "\" must be a string, {\"content\": ...} or null");
  const auto id = find(content);
  if (!id) throw LmError(file + ": " + key + " '" + content + "' is not a token of " + tokenizer_file.string());
  return id;
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::load(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const fs::path file = path / "tokenizer.json";
    if (!fs::exists(file, ec)) throw LmError(path.string() + ": no tokenizer.json in this folder");
    const fs::path config = path / "tokenizer_config.json";
    return load_files(file, fs::exists(config, ec) ? std::optional<fs::path>(config) : std::nullopt);
  }
  if (!fs::exists(path, ec)) throw LmError(path.string() + ": no such file or folder");
  return load_files(path, std::nullopt);
}

Tokenizer Tokenizer::load_files(const fs::path& tokenizer_json, const std::optional<fs::path>& config_json) {
  const std::string file = tokenizer_json.string();
  const json root = read_json(tokenizer_json);
  auto impl = std::make_unique<Impl>();
  impl->file = tokenizer_json;
  try {
    impl->normalizer = Normalizer::from_json(root.value("normalizer", json()), file);
    impl->pre_tokenizer = PreTokenizer::from_json(root.value("pre_tokenizer", json()), file);
    impl->decoder = Decoder::from_json(root.value("decoder", json()), file);
    impl->model = parse_model(root, file);
    impl->added = parse_added(root, file);
  } catch (const json::exception& e) {  // a field of an unexpected JSON type that slipped past the checks
    throw LmError(file + ": " + e.what());
  }

  // id -> token: the vocabulary, then the added tokens (which win where both name an id, as in tokenizers).
  std::int32_t size = 0;
  for (const auto& [token, id] : root["model"]["vocab"].items()) size = std::max(size, id.get<std::int32_t>() + 1);
  for (const AddedToken& t : impl->added) size = std::max(size, t.id + 1);
  // Ids are dense in real files (a few holes at most); a huge one would only allocate a huge table.
  const std::size_t entries = root["model"]["vocab"].size() + impl->added.size();
  if (static_cast<std::size_t>(size) > 2 * entries + 1024)
    throw LmError(file + ": token id " + std::to_string(size - 1) + " is far past the " + std::to_string(entries) +
                  " entries of model.vocab and added_tokens");
  impl->tokens.assign(static_cast<std::size_t>(size), std::string());
  impl->has_token.assign(static_cast<std::size_t>(size), false);
  for (const auto& [token, id] : root["model"]["vocab"].items()) {
    impl->tokens[id.get<std::size_t>()] = token;
    impl->has_token[id.get<std::size_t>()] = true;
  }
  std::vector<AddedToken> raw, normalized;
  std::vector<std::string> raw_patterns, normalized_patterns;
  for (const AddedToken& t : impl->added) {
    impl->tokens[t.id] = t.content;
    impl->has_token[t.id] = true;
    if (t.normalized && !impl->normalizer.identity()) {
      normalized_patterns.push_back(impl->normalizer.apply(t.content));
      normalized.push_back(t);
    } else {
      raw_patterns.push_back(t.content);
      raw.push_back(t);
    }
  }
  impl->raw_added = AddedTokenMatcher(std::move(raw), std::move(raw_patterns));
  impl->normalized_added = AddedTokenMatcher(std::move(normalized), std::move(normalized_patterns));

  if (config_json) {
    const std::string cfile = config_json->string();
    const json config = read_json(*config_json);
    impl->add_bos = flag(config, "add_bos_token", false, cfile);
    const auto find = [&](std::string_view token) { return impl->token_id(token); };
    impl->bos = config_token(config, "bos_token", find, tokenizer_json, cfile);
    impl->eos = config_token(config, "eos_token", find, tokenizer_json, cfile);
  }
  return Tokenizer(std::move(impl));
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view text) const {
  const Impl& m = *impl_;
  std::vector<std::int32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  std::vector<AddedTokenMatcher::Segment> segments, inner;
  std::vector<Piece> pieces;
  PreTokenizer::Scratch pre_scratch;
  BpeScratch bpe_scratch;
  const bool byte_level = m.pre_tokenizer.byte_level();
  const auto encode_segment = [&](std::string_view segment, bool at_start) {
    m.pre_tokenizer.split(segment, at_start, pieces, pre_scratch);
    for (const Piece& p : pieces) m.model.encode_piece(p.text, byte_level, ids, bpe_scratch);
  };

  m.raw_added.split(text, segments);
  for (const auto& seg : segments) {
    if (seg.id >= 0) {
      ids.push_back(seg.id);
      continue;
    }
    const bool at_start = seg.offset == 0;
    if (m.normalizer.identity()) {
      encode_segment(seg.text, at_start);
      continue;
    }
    const std::string normalized = m.normalizer.apply(seg.text);
    inner.clear();
    m.normalized_added.split(normalized, inner);
    for (const auto& part : inner) {
      if (part.id >= 0) ids.push_back(part.id);
      else encode_segment(part.text, at_start && part.offset == 0);
    }
  }
  return ids;
}

const std::string& Tokenizer::checked_token(std::int32_t id) const {
  if (id < 0 || id >= vocab_size() || !impl_->has_token[static_cast<std::size_t>(id)])
    throw LmError(impl_->file.string() + ": token id " + std::to_string(id) + " is not in the vocabulary (size " +
                  std::to_string(vocab_size()) + ")");
  return impl_->tokens[static_cast<std::size_t>(id)];
}

std::string Tokenizer::decode(std::span<const std::int32_t> ids) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (const std::int32_t id : ids) tokens.push_back(checked_token(id));
  return impl_->decoder.decode(std::move(tokens));
}

bool Tokenizer::add_bos() const { return impl_->add_bos; }
std::optional<std::int32_t> Tokenizer::bos_id() const { return impl_->bos; }
std::optional<std::int32_t> Tokenizer::eos_id() const { return impl_->eos; }
std::int32_t Tokenizer::vocab_size() const { return static_cast<std::int32_t>(impl_->tokens.size()); }
std::string Tokenizer::token(std::int32_t id) const { return checked_token(id); }
const fs::path& Tokenizer::file() const { return impl_->file; }

std::optional<std::int32_t> Tokenizer::token_id(std::string_view token) const { return impl_->token_id(token); }

}  // namespace mergelab::lm
