#include "core/lm/data.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>

#include "core/lm/lm_error.h"
#include "core/lm/tokenizer.h"

namespace mergelab::lm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Line {
  json value;
  int number = 0;
};

// Every non-blank line of a JSONL file, parsed. Throws LmError "FILE:LINE: ..." / "FILE: ...".
std::vector<Line> read_jsonl(const fs::path& path, int max_records) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LmError(path.string() + ": cannot be read");
  std::vector<Line> lines;
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    Line l;
    l.number = number;
    try {
      l.value = json::parse(text);
    } catch (const json::exception& e) {
      std::string why = e.what();
      if (const auto p = why.find("parse error"); p != std::string::npos) why = why.substr(p);
      throw LmError(path.string() + ":" + std::to_string(number) + ": not valid JSON (" + why + ")");
    }
    if (!l.value.is_object()) throw LmError(path.string() + ":" + std::to_string(number) + ": not a JSON object");
    lines.push_back(std::move(l));
    if (max_records > 0 && static_cast<int>(lines.size()) >= max_records) break;
  }
  if (lines.empty()) throw LmError(path.string() + ": no records (empty data)");
  return lines;
}

std::string where(const fs::path& p, int line) { return p.string() + ":" + std::to_string(line) + ": "; }

const std::string& string_field(const Line& l, const fs::path& p, const char* key) {
  if (!l.value.contains(key)) throw LmError(where(p, l.number) + "missing \"" + key + "\"");
  if (!l.value.at(key).is_string()) throw LmError(where(p, l.number) + "\"" + key + "\" must be a string");
  return l.value.at(key).get_ref<const std::string&>();
}

std::vector<std::int32_t> encode(const TextEncoder* enc, const std::string& text, const fs::path& p, int line) {
  if (!enc || !enc->encode)
    throw LmError(where(p, line) + "text needs a tokenizer (the model folder has no tokenizer.json); give "
                                   "pre-tokenized {\"input_ids\": [...]} lines instead");
  return enc->encode(text);
}

void note_ids(PreparedTask& t, const std::vector<std::int32_t>& ids) {
  for (auto id : ids) t.max_id = std::max(t.max_id, id);
}

void read_perplexity(PreparedTask& t, const fs::path& p, const TextEncoder* enc, int max_docs) {
  for (const Line& l : read_jsonl(p, max_docs)) {
    PreparedDoc d;
    if (l.value.contains("input_ids")) {
      const json& ids = l.value.at("input_ids");
      if (!ids.is_array()) throw LmError(where(p, l.number) + "\"input_ids\" must be an array of integers");
      for (const json& v : ids) {
        if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > INT32_MAX)
          throw LmError(where(p, l.number) + "\"input_ids\" holds " + v.dump() + ", not a token id");
        d.ids.push_back(static_cast<std::int32_t>(v.get<long long>()));
      }
      if (l.value.contains("bytes")) {
        if (!l.value.at("bytes").is_number_integer() || l.value.at("bytes").get<long long>() < 0)
          throw LmError(where(p, l.number) + "\"bytes\" must be a non-negative integer");
        d.bytes = l.value.at("bytes").get<long long>();
      }
    } else if (l.value.contains("text")) {
      const std::string& text = string_field(l, p, "text");
      if (enc && enc->add_bos) d.ids.push_back(enc->bos_id);
      const auto ids = encode(enc, text, p, l.number);
      d.ids.insert(d.ids.end(), ids.begin(), ids.end());
      d.bytes = static_cast<std::int64_t>(text.size());
    } else {
      throw LmError(where(p, l.number) + "expected {\"text\": ...} or {\"input_ids\": [...]}");
    }
    note_ids(t, d.ids);
    t.docs.push_back(std::move(d));
  }
  t.has_perplexity = true;
  t.perplexity_source = p.string();
}

void read_mc(PreparedTask& t, const fs::path& p, const TextEncoder* enc, int max_docs) {
  for (const Line& l : read_jsonl(p, max_docs)) {
    PreparedItem it;
    const std::string& context = string_field(l, p, "context");
    if (!l.value.contains("choices") || !l.value.at("choices").is_array() || l.value.at("choices").size() < 2)
      throw LmError(where(p, l.number) + "\"choices\" must be an array of at least two strings");
    if (!l.value.contains("label") || !l.value.at("label").is_number_integer())
      throw LmError(where(p, l.number) + "\"label\" must be an integer");
    const long long label = l.value.at("label").get<long long>();
    if (label < 0 || label >= static_cast<long long>(l.value.at("choices").size()))
      throw LmError(where(p, l.number) + "\"label\" " + std::to_string(label) + " is not the index of a choice");
    it.label = static_cast<int>(label);
    if (enc && enc->add_bos) it.context.push_back(enc->bos_id);
    const auto ctx = encode(enc, context, p, l.number);
    it.context.insert(it.context.end(), ctx.begin(), ctx.end());
    note_ids(t, it.context);
    for (const json& c : l.value.at("choices")) {
      if (!c.is_string()) throw LmError(where(p, l.number) + "every choice must be a string");
      const std::string& s = c.get_ref<const std::string&>();
      if (s.empty()) throw LmError(where(p, l.number) + "a choice is empty (acc_norm divides by its byte length)");
      it.choices.push_back(encode(enc, s, p, l.number));
      if (it.choices.back().empty()) throw LmError(where(p, l.number) + "a choice encodes to no tokens");
      note_ids(t, it.choices.back());
      it.choice_bytes.push_back(static_cast<std::int64_t>(s.size()));
    }
    t.items.push_back(std::move(it));
  }
  t.has_mc = true;
  t.mc_source = p.string();
}

bool first_record_is_mc(const fs::path& p) {
  const auto lines = read_jsonl(p, 1);
  return lines.front().value.contains("context");
}

}  // namespace

TextEncoder text_encoder(const Tokenizer& tokenizer) {
  TextEncoder e;
  e.encode = [&tokenizer](std::string_view text) { return tokenizer.encode(text); };
  e.add_bos = tokenizer.add_bos();
  if (e.add_bos) {
    if (!tokenizer.bos_id()) throw LmError(tokenizer.file().string() + ": add_bos_token is true but no bos_token id is known");
    e.bos_id = *tokenizer.bos_id();
  }
  e.vocab_size = tokenizer.vocab_size();
  return e;
}

void check_vocab_fits(const TextEncoder& encoder, int embedding_rows, const std::string& source) {
  if (encoder.vocab_size > embedding_rows)
    throw LmError(source + ": the tokenizer has " + std::to_string(encoder.vocab_size) + " token ids but the model only " +
                  std::to_string(embedding_rows) + " embedding rows (vocab_size)");
}

std::vector<TaskFiles> find_tasks(const fs::path& dir, const std::string& split, const std::vector<std::string>& only) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw LmError(dir.string() + ": not a folder");
  std::map<std::string, TaskFiles> found;
  const std::string ppl_suffix = "_" + split + ".jsonl", mc_suffix = "_mc_" + split + ".jsonl";
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string f = e.path().filename().string();
    auto ends = [&](const std::string& s) { return f.size() > s.size() && f.compare(f.size() - s.size(), s.size(), s) == 0; };
    if (ends(mc_suffix)) {
      const std::string task = f.substr(0, f.size() - mc_suffix.size());
      found[task].name = task;
      found[task].multiple_choice = e.path();
    } else if (ends(ppl_suffix)) {
      const std::string task = f.substr(0, f.size() - ppl_suffix.size());
      found[task].name = task;
      found[task].perplexity = e.path();
    }
  }
  if (found.empty())
    throw LmError(dir.string() + ": no task files for split '" + split + "' ({task}_" + split + ".jsonl or {task}_mc_" +
                  split + ".jsonl)");
  std::vector<TaskFiles> out;
  if (only.empty()) {
    for (auto& [name, t] : found) out.push_back(t);
    return out;
  }
  for (const std::string& name : only) {
    const auto it = found.find(name);
    if (it == found.end()) {
      std::string have;
      for (const auto& [n, t] : found) have += (have.empty() ? "" : ", ") + n;
      throw LmError(dir.string() + ": no task '" + name + "' for split '" + split + "' (tasks: " + have + ")");
    }
    out.push_back(it->second);
  }
  return out;
}

std::vector<TaskFiles> tasks_from_files(const std::vector<fs::path>& files) {
  std::vector<TaskFiles> out;
  for (const fs::path& f : files) {
    TaskFiles t;
    t.name = f.stem().string();
    (first_record_is_mc(f) ? t.multiple_choice : t.perplexity) = f;
    out.push_back(t);
  }
  return out;
}

std::vector<PreparedTask> prepare_tasks(const std::vector<TaskFiles>& tasks, const TextEncoder* encoder, int max_docs) {
  std::vector<PreparedTask> out;
  for (const TaskFiles& f : tasks) {
    PreparedTask t;
    t.name = f.name;
    if (!f.perplexity.empty()) read_perplexity(t, f.perplexity, encoder, max_docs);
    if (!f.multiple_choice.empty()) read_mc(t, f.multiple_choice, encoder, max_docs);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace mergelab::lm
