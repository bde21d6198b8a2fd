#include "core/lm/text_regex.h"

#include <unicode/regex.h>
#include <unicode/utext.h>

#include "core/lm/lm_error.h"

namespace mergelab::lm {

struct TextRegex::Impl {
  std::unique_ptr<icu::RegexPattern> pattern;
};

TextRegex::TextRegex(const std::string& pattern) : pattern_(pattern), impl_(std::make_unique<Impl>()) {
  UParseError where{};
  UErrorCode status = U_ZERO_ERROR;
  impl_->pattern.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), 0, where, status));
  if (U_FAILURE(status) || !impl_->pattern)
    throw LmError("invalid regex '" + pattern + "': " + u_errorName(status) + " at offset " +
                  std::to_string(where.offset));
}

TextRegex::~TextRegex() = default;

struct TextRegex::Matcher::Impl {
  std::unique_ptr<icu::RegexMatcher> matcher;
  UText text = UTEXT_INITIALIZER;
  ~Impl() { utext_close(&text); }
};

TextRegex::Matcher::Matcher(const TextRegex& regex) : impl_(std::make_unique<Impl>()) {
  UErrorCode status = U_ZERO_ERROR;
  impl_->matcher.reset(regex.impl_->pattern->matcher(status));
  if (U_FAILURE(status) || !impl_->matcher)
    throw LmError("regex '" + regex.pattern_ + "': cannot create a matcher: " + u_errorName(status));
}

TextRegex::Matcher::~Matcher() = default;

void TextRegex::Matcher::find_all(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& matches) {
  matches.clear();
  if (text.empty()) return;
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
