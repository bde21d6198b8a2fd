#include "core/lm/pretokenize.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/lm/lm_error.h"

namespace mergelab::lm {

namespace {

struct Span {
  std::size_t begin, end;
  bool match;
};

void literal_matches(std::string_view text, std::string_view literal,
                     std::vector<std::pair<std::size_t, std::size_t>>& matches) {
  matches.clear();
  if (literal.empty()) return;
  for (std::size_t at = text.find(literal); at != std::string_view::npos; at = text.find(literal, at + literal.size()))
    matches.emplace_back(at, at + literal.size());
}

bool get_bool(const nlohmann::json& j, const char* key, bool fallback, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_boolean()) throw LmError(where + ": \"" + key + "\" must be true or false");
  return j[key].get<bool>();
}

}  // namespace

void split_by_matches(const Piece& text, const std::vector<std::pair<std::size_t, std::size_t>>& matches,
                      SplitBehavior behavior, bool invert, std::vector<Piece>& out) {
  // Spans covering the text: matches and the gaps between them (tokenizers' Pattern::find_matches).
  std::vector<Span> spans;
  spans.reserve(2 * matches.size() + 1);
  std::size_t prev = 0;
  for (const auto& [b, e] : matches) {
    if (prev < b) spans.push_back({prev, b, false});
    spans.push_back({b, e, true});
    prev = e;
  }
  if (prev < text.text.size()) spans.push_back({prev, text.text.size(), false});
  if (invert)
    for (Span& s : spans) s.match = !s.match;

  std::vector<Span> kept;
  kept.reserve(spans.size());
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::Isolated:
      kept = spans;
      break;
    case SplitBehavior::Removed:
      for (const Span& s : spans)
        if (!s.match) kept.push_back(s);
      break;
    case SplitBehavior::Contiguous:  // runs of matches become one piece
      for (const Span& s : spans) {
        if (s.match == previous_match && !kept.empty())
          kept.back().end = s.end;
        else
          kept.push_back(s);
        previous_match = s.match;
      }
      break;
    case SplitBehavior::MergedWithPrevious:  // a match joins the non-match before it
      for (const Span& s : spans) {
        if (s.match && !previous_match && !kept.empty())
          kept.back().end = s.end;
        else
          kept.push_back(s);
        previous_match = s.match;
      }
      break;
    case SplitBehavior::MergedWithNext:  // a match joins the non-match after it
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->match && !previous_match && !kept.empty())
          kept.back().begin = it->begin;
        else
          kept.push_back(*it);
        previous_match = it->match;
      }
      std::reverse(kept.begin(), kept.end());
      break;
  }
  for (const Span& s : kept)
    if (s.end > s.begin) out.push_back({text.text.substr(s.begin, s.end - s.begin), text.at_start && s.begin == 0});
}

PreTokenizer::Scratch::Scratch() = default;
PreTokenizer::Scratch::~Scratch() = default;

void PreTokenizer::parse(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return;
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    throw LmError(where + ": expected an object with a \"type\"");
  const std::string type = j["type"];
  if (byte_level_) throw LmError(where + ": '" + type + "' after ByteLevel is not supported (ByteLevel must come last)");
  Step step{};
  if (type == "Sequence") {
    if (!j.contains("pretokenizers") || !j["pretokenizers"].is_array())
      throw LmError(where + ": Sequence without a \"pretokenizers\" array");
    for (std::size_t i = 0; i < j["pretokenizers"].size(); ++i)
      parse(j["pretokenizers"][i], where + ".pretokenizers[" + std::to_string(i) + "]");
    return;
  } else if (type == "ByteLevel") {
    step.kind = Step::ByteLevel;
    step.add_prefix_space = get_bool(j, "add_prefix_space", true, where);
    if (get_bool(j, "use_regex", true, where)) step.regex = std::make_shared<TextRegex>(kGpt2SplitRegex);
    byte_level_ = true;
  } else if (type == "Split") {
    step.kind = Step::Split;
    if (!j.contains("pattern") || !j["pattern"].is_object()) throw LmError(where + ": Split without a \"pattern\" object");
    const auto& pattern = j["pattern"];
    if (pattern.contains("Regex") && pattern["Regex"].is_string()) {
      try {
        step.regex = std::make_shared<TextRegex>(pattern["Regex"].get<std::string>());
      } catch (const LmError& e) {
        throw LmError(where + ": " + e.what());
      }
    } else if (pattern.contains("String") && pattern["String"].is_string()) {
      step.literal = pattern["String"].get<std::string>();
    } else {
      throw LmError(where + ": Split pattern must be {\"Regex\": ...} or {\"String\": ...}");
    }
    const std::string behavior = j.contains("behavior") && j["behavior"].is_string() ? j["behavior"].get<std::string>() : "";
    if (behavior == "Removed") step.behavior = SplitBehavior::Removed;
    else if (behavior == "Isolated") step.behavior = SplitBehavior::Isolated;
    else if (behavior == "MergedWithPrevious") step.behavior = SplitBehavior::MergedWithPrevious;
    else if (behavior == "MergedWithNext") step.behavior = SplitBehavior::MergedWithNext;
    else if (behavior == "Contiguous") step.behavior = SplitBehavior::Contiguous;
    else throw LmError(where + ": Split behavior '" + behavior + "' is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
    step.invert = get_bool(j, "invert", false, where);
  } else if (type == "Digits") {  // StarCoder / SmolLM: numbers cut out of the text, one digit each or whole runs
    step.kind = Step::Split;
    const bool individual = get_bool(j, "individual_digits", false, where);
    step.regex = std::make_shared<TextRegex>(individual ? "\\p{N}" : "\\p{N}+");
    step.behavior = SplitBehavior::Isolated;
  } else if (type == "Metaspace") {
    step.kind = Step::Metaspace;
    if (!j.contains("replacement") || !j["replacement"].is_string() || j["replacement"].get<std::string>().empty())
      throw LmError(where + ": Metaspace without a \"replacement\" character");
    step.replacement = j["replacement"];
    const std::string scheme = j.contains("prepend_scheme") && j["prepend_scheme"].is_string()
                                   ? j["prepend_scheme"].get<std::string>() : "always";
    if (scheme == "always") step.prepend = Step::Always;
    else if (scheme == "first") step.prepend = Step::First;
    else if (scheme == "never") step.prepend = Step::Never;
    else throw LmError(where + ": Metaspace prepend_scheme '" + scheme + "' is not one of always, first, never");
    if (!get_bool(j, "add_prefix_space", true, where)) step.prepend = Step::Never;  // the older spelling
    step.metaspace_split = get_bool(j, "split", true, where);
  } else {
    throw LmError(where + ": pre-tokenizer '" + type + "' is not supported (supported: ByteLevel, Split, Digits, Metaspace, Sequence)");
  }
  steps_.push_back(std::move(step));
}

PreTokenizer PreTokenizer::from_json(const nlohmann::json& j, const std::string& file) {
  PreTokenizer p;
  p.parse(j, file + ": pre_tokenizer");
  return p;
}

void PreTokenizer::apply_split(const Step& step, std::size_t index, const Piece& piece, Scratch& s) const {
  if (!step.regex) {
    literal_matches(piece.text, step.literal, s.matches);
  } else {
    if (s.matchers.size() <= index) s.matchers.resize(steps_.size());
    if (!s.matchers[index]) s.matchers[index] = std::make_unique<TextRegex::Matcher>(*step.regex);
    s.matchers[index]->find_all(piece.text, s.matches);
  }
  split_by_matches(piece, s.matches, step.behavior, step.invert, s.next);
}

void PreTokenizer::split(std::string_view text, bool at_start, std::vector<Piece>& out, Scratch& s) const {
  s.arena.clear();
  out.clear();
  if (text.empty()) return;
  out.push_back({text, at_start});
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    const Step& step = steps_[i];
    s.next.clear();
    for (const Piece& piece : out) {
      switch (step.kind) {
        case Step::Split:
          apply_split(step, i, piece, s);
          break;
        case Step::ByteLevel: {
          Piece p = piece;
          if (step.add_prefix_space && p.text.front() != ' ') {
            std::string& spaced = s.arena.emplace_back();
            spaced.reserve(p.text.size() + 1);
            spaced.push_back(' ');
            spaced.append(p.text);
            p.text = spaced;
          }
          if (step.regex) {
            apply_split(step, i, p, s);  // the GPT-2 regex, matches isolated
          } else {
            s.next.push_back(p);
          }
          break;
        }
        case Step::Metaspace: {
          std::string rewritten;
          rewritten.reserve(piece.text.size() + step.replacement.size());
          for (const char c : piece.text) {
            if (c == ' ') rewritten += step.replacement;
            else rewritten += c;
          }
          const bool prepend = step.prepend == Step::Always || (step.prepend == Step::First && piece.at_start);
          if (prepend && !std::string_view(rewritten).starts_with(step.replacement)) rewritten.insert(0, step.replacement);
          s.arena.push_back(std::move(rewritten));
          const Piece p{s.arena.back(), piece.at_start};
          if (step.metaspace_split) {
            literal_matches(p.text, step.replacement, s.matches);
            split_by_matches(p, s.matches, SplitBehavior::MergedWithNext, false, s.next);
          } else {
            s.next.push_back(p);
          }
          break;
        }
      }
    }
    std::swap(out, s.next);
  }
}

}  // namespace mergelab::lm
