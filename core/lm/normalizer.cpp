#include "core/lm/normalizer.h"

#include <nlohmann/json.hpp>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "core/lm/lm_error.h"
#include "core/lm/text_regex.h"

namespace mergelab::lm {

namespace {

std::string nfc(std::string_view text) {
  bool ascii = true;
  for (const char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(text);  // ASCII is always NFC
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) throw LmError(std::string("NFC normalizer unavailable: ") + u_errorName(status));
  const auto source = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  const icu::UnicodeString result = n->normalize(source, status);
  if (U_FAILURE(status)) throw LmError(std::string("NFC normalization failed: ") + u_errorName(status));
  std::string out;
  result.toUTF8String(out);
  return out;
}

std::string replace_all(std::string_view text, std::string_view pattern, std::string_view with) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (std::size_t hit; (hit = text.find(pattern, at)) != std::string_view::npos; at = hit + pattern.size()) {
    out.append(text.substr(at, hit - at));
    out.append(with);
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace

void Normalizer::parse(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps) {
  if (j.is_null()) return;
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    throw LmError(where + ": expected an object with a \"type\"");
  const std::string type = j["type"];
  if (type == "Sequence") {
    if (!j.contains("normalizers") || !j["normalizers"].is_array())
      throw LmError(where + ": Sequence without a \"normalizers\" array");
    for (std::size_t i = 0; i < j["normalizers"].size(); ++i)
      parse(j["normalizers"][i], where + ".normalizers[" + std::to_string(i) + "]", steps);
  } else if (type == "NFC") {
    steps.push_back({Step::Nfc, {}, {}, nullptr});
  } else if (type == "Prepend") {
    if (!j.contains("prepend") || !j["prepend"].is_string()) throw LmError(where + ": Prepend without a \"prepend\" string");
    steps.push_back({Step::Prepend, j["prepend"].get<std::string>(), {}, nullptr});
  } else if (type == "Replace") {
    if (!j.contains("content") || !j["content"].is_string() || !j.contains("pattern") || !j["pattern"].is_object())
      throw LmError(where + ": Replace needs a \"pattern\" object and a \"content\" string");
    const auto& pattern = j["pattern"];
    const std::string content = j["content"];
    if (pattern.contains("String") && pattern["String"].is_string()) {
      const std::string literal = pattern["String"];
      if (literal.empty()) throw LmError(where + ": Replace with an empty String pattern");
      steps.push_back({Step::ReplaceString, content, literal, nullptr});
    } else if (pattern.contains("Regex") && pattern["Regex"].is_string()) {
      try {
        steps.push_back({Step::ReplaceRegex, content, {}, std::make_shared<TextRegex>(pattern["Regex"].get<std::string>())});
      } catch (const LmError& e) {
        throw LmError(where + ": " + e.what());
      }
    } else {
      throw LmError(where + ": Replace pattern must be {\"String\": ...} or {\"Regex\": ...}");
    }
  } else {
    throw LmError(where + ": normalizer '" + type + "' is not supported (supported: NFC, Prepend, Replace, Sequence)");
  }
}

Normalizer Normalizer::from_json(const nlohmann::json& j, const std::string& file) {
  Normalizer n;
  parse(j, file + ": normalizer", n.steps_);
  return n;
}

std::string Normalizer::apply(std::string_view text) const {
  std::string s(text);
  std::vector<std::pair<std::size_t, std::size_t>> matches;
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Step::Nfc:
        s = nfc(s);
        break;
      case Step::Prepend:
        if (!s.empty()) s.insert(0, step.text);
        break;
      case Step::ReplaceString:
        s = replace_all(s, step.pattern, step.text);
        break;
      case Step::ReplaceRegex: {
        TextRegex::Matcher m(*step.regex);
        m.find_all(s, matches);
        std::string out;
        std::size_t at = 0;
        for (const auto& [b, e] : matches) {
          out.append(s, at, b - at);
          out.append(step.text);
          at = e;
        }
        out.append(s, at);
        s = std::move(out);
        break;
      }
    }
  }
  return s;
}

}  // namespace mergelab::lm
