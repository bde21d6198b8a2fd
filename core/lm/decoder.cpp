#include "core/lm/decoder.h"

#include <nlohmann/json.hpp>

#include "core/lm/byte_level.h"
#include "core/lm/lm_error.h"
#include "core/lm/utf8.h"

namespace mergelab::lm {

namespace {

std::string replace_all(const std::string& text, const std::string& pattern, const std::string& with) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit; (hit = text.find(pattern, at)) != std::string::npos; at = hit + pattern.size()) {
    out.append(text, at, hit - at);
    out += with;
  }
  out.append(text, at);
  return out;
}

// "<0xNN>" -> NN.
int byte_token(const std::string& t) {
  if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
  int v = 0;
  for (int k = 3; k < 5; ++k) {
    const char c = t[k];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Splits `s` into its UTF-8 characters.
std::vector<std::string_view> chars_of(const std::string& s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    utf8::next(s, i);
    out.push_back(std::string_view(s).substr(start, i - start));
  }
  return out;
}

int get_int(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<long long>() < 0 || j[key].get<long long>() > 1000000)
    throw LmError(where + ": \"" + key + "\" must be a non-negative integer");
  return j[key].get<int>();
}

}  // namespace

void Decoder::parse(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    throw LmError(where + ": expected an object with a \"type\"");
  const std::string type = j["type"];
  Step step{};
  if (type == "Sequence") {
    if (!j.contains("decoders") || !j["decoders"].is_array()) throw LmError(where + ": Sequence without a \"decoders\" array");
    for (std::size_t i = 0; i < j["decoders"].size(); ++i)
      parse(j["decoders"][i], where + ".decoders[" + std::to_string(i) + "]", steps);
    return;
  } else if (type == "ByteLevel") {
    step.kind = Step::ByteLevel;
  } else if (type == "ByteFallback") {
    step.kind = Step::ByteFallback;
  } else if (type == "Fuse") {
    step.kind = Step::Fuse;
  } else if (type == "Replace") {
    step.kind = Step::Replace;
    if (!j.contains("pattern") || !j["pattern"].is_object() || !j["pattern"].contains("String") ||
        !j["pattern"]["String"].is_string() || !j.contains("content") || !j["content"].is_string())
      throw LmError(where + ": Replace decoder needs {\"String\": ...} pattern and a \"content\" string (Regex patterns are not supported)");
    step.from = j["pattern"]["String"];
    step.to = j["content"];
    if (step.from.empty()) throw LmError(where + ": Replace with an empty String pattern");
  } else if (type == "Strip") {
    step.kind = Step::Strip;
    if (!j.contains("content") || !j["content"].is_string() || chars_of(j["content"].get<std::string>()).size() != 1)
      throw LmError(where + ": Strip needs a one-character \"content\"");
    step.strip = j["content"];
    step.start = get_int(j, "start", where);
    step.stop = get_int(j, "stop", where);
  } else if (type == "Metaspace") {
    step.kind = Step::Metaspace;
    if (!j.contains("replacement") || !j["replacement"].is_string() || j["replacement"].get<std::string>().empty())
      throw LmError(where + ": Metaspace without a \"replacement\" character");
    step.from = j["replacement"];
    const std::string scheme = j.contains("prepend_scheme") && j["prepend_scheme"].is_string()
                                   ? j["prepend_scheme"].get<std::string>() : "always";
    step.metaspace_prepends = scheme != "never";
    if (j.contains("add_prefix_space") && j["add_prefix_space"].is_boolean() && !j["add_prefix_space"].get<bool>())
      step.metaspace_prepends = false;
  } else {
    throw LmError(where + ": decoder '" + type +
                  "' is not supported (supported: ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence)");
  }
  steps.push_back(std::move(step));
}

Decoder Decoder::from_json(const nlohmann::json& j, const std::string& file) {
  Decoder d;
  if (j.is_null()) {
    d.join_with_spaces_ = true;
    return d;
  }
  parse(j, file + ": decoder", d.steps_);
  return d;
}

std::string Decoder::decode(std::vector<std::string> tokens) const {
  for (const Step& step : steps_) {
    std::vector<std::string> next;
    switch (step.kind) {
      case Step::ByteLevel: {
        std::string bytes;
        for (const auto& t : tokens) {
          if (const auto b = byte_level::decode_token(t)) bytes += *b;
          else bytes += t;  // a token outside the byte table (an added token with a space, ...) stays as it is
        }
        next.push_back(utf8::lossy(bytes));
        break;
      }
      case Step::Replace:
        for (const auto& t : tokens) next.push_back(replace_all(t, step.from, step.to));
        break;
      case Step::ByteFallback: {
        std::string run;  // bytes of consecutive <0xNN> tokens
        std::size_t run_tokens = 0;
        const auto flush = [&] {
          if (run_tokens == 0) return;
          if (utf8::valid(run)) next.push_back(run);
          else
            for (std::size_t k = 0; k < run_tokens; ++k) next.push_back("\xEF\xBF\xBD");  // U+FFFD per byte token
          run.clear();
          run_tokens = 0;
        };
        for (auto& t : tokens) {
          const int b = byte_token(t);
          if (b >= 0) {
            run += static_cast<char>(b);
            ++run_tokens;
          } else {
            flush();
            next.push_back(std::move(t));
          }
        }
        flush();
        break;
      }
      case Step::Fuse: {
        std::string all;
        for (const auto& t : tokens) all += t;
        next.push_back(std::move(all));
        break;
      }
      case Step::Strip:
        for (const auto& t : tokens) {
          const auto chars = chars_of(t);
          std::size_t begin = 0, end = chars.size();
          while (begin < chars.size() && begin < static_cast<std::size_t>(step.start) && chars[begin] == step.strip) ++begin;
          for (int k = 0; k < step.stop && end > begin && chars[end - 1] == step.strip; ++k) --end;
          std::string kept;
          for (std::size_t k = begin; k < end; ++k) kept += chars[k];
          next.push_back(std::move(kept));
        }
        break;
      case Step::Metaspace:
        for (std::size_t i = 0; i < tokens.size(); ++i) {
          // tokenizers drops every replacement character of the first token when it prepends one.
          const std::string with = i == 0 && step.metaspace_prepends ? "" : " ";
          next.push_back(replace_all(tokens[i], step.from, with));
        }
        break;
    }
    tokens = std::move(next);
  }
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (join_with_spaces_ && i > 0) out += ' ';
    out += tokens[i];
  }
  return out;
}

}  // namespace mergelab::lm
