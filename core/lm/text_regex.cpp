#include "core/lm/text_regex.h"

#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include "core/lm/lm_error.h"
#include "core/lm/utf8.h"

namespace mergelab::lm {

namespace {

// The classes the GPT-2 regex distinguishes: \p{L}, \p{N}, \s (ICU: the White_Space property), the rest.
enum class CharClass : std::uint8_t { Letter, Number, Space, Other };

CharClass classify(char32_t c) {
  if (c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return CharClass::Letter;
    if (c >= '0' && c <= '9') return CharClass::Number;
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return CharClass::Space;
    return CharClass::Other;
  }
  const auto mask = U_MASK(u_charType(static_cast<UChar32>(c)));
  if (mask & U_GC_L_MASK) return CharClass::Letter;
  if (mask & U_GC_N_MASK) return CharClass::Number;
  if (u_isUWhiteSpace(static_cast<UChar32>(c))) return CharClass::Space;
  return CharClass::Other;
}

CharClass class_at(std::string_view s, std::size_t i, std::size_t& next) {
  next = i;
  return classify(utf8::next(s, next));
}

// End of the run of `cls` characters that starts at `i`.
std::size_t run_end(std::string_view s, std::size_t i, CharClass cls) {
  std::size_t next;
  while (i < s.size() && class_at(s, i, next) == cls) i = next;
  return i;
}

// kGpt2SplitRegex by hand. At each position the alternatives are tried in order, as a backtracking engine
// does: 's|'t|'re|'ve|'m|'ll|'d, then " ?" + a run of letters / numbers / others, then whitespace: the run
// minus its last character when a non-space follows (\s+(?!\S)), else the whole run (\s+ or end of text).
void gpt2_split(std::string_view s, std::vector<std::pair<std::size_t, std::size_t>>& matches) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    if (s[i] == '\'' && i + 1 < s.size()) {
      const char a = s[i + 1], b = i + 2 < s.size() ? s[i + 2] : '\0';
      std::size_t len = 0;
      if (a == 's' || a == 't' || a == 'm' || a == 'd') len = 2;
      else if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) len = 3;
      if (len) {
        matches.emplace_back(start, start + len);
        i = start + len;
        continue;
      }
    }
    std::size_t next;
    CharClass cls = class_at(s, i, next);
    if (s[i] == ' ' && next < s.size()) {  // " ?" followed by a letter, number or other run
      std::size_t after;
      const CharClass following = class_at(s, next, after);
      if (following != CharClass::Space) {
        i = run_end(s, next, following);
        matches.emplace_back(start, i);
        continue;
      }
    }
    if (cls != CharClass::Space) {
      i = run_end(s, i, cls);
      matches.emplace_back(start, i);
      continue;
    }
    // Whitespace run [start, end); `last` = where its last character begins.
    std::size_t end = start, last = start, count = 0;
    while (end < s.size() && class_at(s, end, next) == CharClass::Space) {
      last = end;
      end = next;
      ++count;
    }
    i = (end < s.size() && count >= 2) ? last : end;
    matches.emplace_back(start, i);
  }
}

}  // namespace

struct TextRegex::Impl {
  std::unique_ptr<icu::RegexPattern> pattern;
};

TextRegex::TextRegex(const std::string& pattern, bool allow_scanner)
    : pattern_(pattern), scanner_(allow_scanner && pattern == kGpt2SplitRegex), impl_(std::make_unique<Impl>()) {
  UParseError where{};
  UErrorCode status = U_ZERO_ERROR;
  impl_->pattern.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), 0, where, status));
  if (U_FAILURE(status) || !impl_->pattern)
    throw LmError("invalid regex '" + pattern + "': " + u_errorName(status) + " at offset " +
                  std::to_string(where.offset));
}

TextRegex::~TextRegex() = default;

struct TextRegex::Matcher::Impl {
  bool scanner = false;
  std::unique_ptr<icu::RegexMatcher> matcher;
  UText text = UTEXT_INITIALIZER;
  ~Impl() { utext_close(&text); }
};

TextRegex::Matcher::Matcher(const TextRegex& regex) : impl_(std::make_unique<Impl>()) {
  impl_->scanner = regex.scanner_;
  if (impl_->scanner) return;
  UErrorCode status = U_ZERO_ERROR;
  impl_->matcher.reset(regex.impl_->pattern->matcher(status));
  if (U_FAILURE(status) || !impl_->matcher)
    throw LmError("regex '" + regex.pattern_ + "': cannot create a matcher: " + u_errorName(status));
}

TextRegex::Matcher::~Matcher() = default;

void TextRegex::Matcher::find_all(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& matches) {
  matches.clear();
  if (text.empty()) return;
  if (impl_->scanner) return gpt2_split(text, matches);
  UErrorCode status = U_ZERO_ERROR;
  utext_openUTF8(&impl_->text, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status)) throw LmError(std::string("regex: cannot read the text: ") + u_errorName(status));
  auto& m = *impl_->matcher;
  m.reset(&impl_->text);
  while (m.find(status) && U_SUCCESS(status)) {
    // On a UTF-8 UText, ICU's native indices are byte offsets.
    const auto begin = static_cast<std::size_t>(m.start64(status));
    const auto end = static_cast<std::size_t>(m.end64(status));
    if (end > begin) matches.emplace_back(begin, end);
  }
  if (U_FAILURE(status)) throw LmError(std::string("regex: matching failed: ") + u_errorName(status));
}

}  // namespace mergelab::lm
