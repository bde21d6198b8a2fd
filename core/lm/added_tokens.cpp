#include "core/lm/added_tokens.h"

#include <algorithm>

#include <unicode/uchar.h>

#include "core/lm/utf8.h"

namespace mergelab::lm {

namespace {

bool is_word_char(char32_t c) { return c == U'_' || u_isalnum(static_cast<UChar32>(c)); }
bool is_space(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)); }

// Position where the trailing whitespace of text[from, to) begins.
std::size_t trailing_space_start(std::string_view text, std::size_t from, std::size_t to) {
  std::size_t keep = from;
  for (std::size_t i = from; i < to;) {
    const char32_t c = utf8::next(text, i);
    if (!is_space(c)) keep = i;
  }
  return keep;
}

// Position after the leading whitespace of text[from, end).
std::size_t leading_space_end(std::string_view text, std::size_t from) {
  std::size_t i = from;
  while (i < text.size()) {
    std::size_t j = i;
    if (!is_space(utf8::next(text, j))) break;
    i = j;
  }
  return i;
}

// The last character of text[0, end) is a word character.
bool word_before(std::string_view text, std::size_t end) {
  if (end == 0) return false;
  std::size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return is_word_char(utf8::next(text, start));
}

bool word_after(std::string_view text, std::size_t begin) {
  if (begin >= text.size()) return false;
  return is_word_char(utf8::next(text, begin));
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens, std::vector<std::string> patterns)
    : tokens_(std::move(tokens)), patterns_(std::move(patterns)), by_first_byte_(256) {
  for (std::uint32_t i = 0; i < patterns_.size(); ++i)
    if (!patterns_[i].empty()) by_first_byte_[static_cast<unsigned char>(patterns_[i][0])].push_back(i);
  for (auto& list : by_first_byte_)
    std::stable_sort(list.begin(), list.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return patterns_[a].size() > patterns_[b].size(); });
}

void AddedTokenMatcher::split(std::string_view text, std::vector<Segment>& out) const {
  std::size_t done = 0;  // text[0, done) is already in `out`
  std::size_t at = 0;
  const auto emit_text = [&](std::size_t end) {
    if (end > done) out.push_back({text.substr(done, end - done), -1, done});
  };
  while (at < text.size()) {
    const auto& candidates = by_first_byte_[static_cast<unsigned char>(text[at])];
    const std::uint32_t* hit = nullptr;
    for (const std::uint32_t& c : candidates)
      if (text.substr(at).starts_with(patterns_[c])) {
        hit = &c;
        break;  // longest first
      }
    if (!hit) {
      ++at;
      continue;
    }
    const AddedToken& token = tokens_[*hit];
    std::size_t begin = at, end = at + patterns_[*hit].size();
    at = end;  // the scan goes on after this match even when it is discarded
    if (token.single_word && (word_before(text, begin) || word_after(text, end))) continue;
    if (token.lstrip) begin = std::max(trailing_space_start(text, done, begin), done);
    if (token.rstrip) end = leading_space_end(text, end);
    emit_text(begin);
    out.push_back({text.substr(begin, end - begin), token.id, begin});
    done = at = end;
  }
  emit_text(text.size());
}

}  // namespace mergelab::lm
