// Small UTF-8 helpers shared by the tokenizer pieces (no validation beyond what each function says).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mergelab::lm::utf8 {

/// Byte length of the UTF-8 sequence that starts with `lead` (1 for stray continuation/invalid bytes).
inline std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

/// Appends code point `cp` (0..0x10FFFF) to `out` as UTF-8.
void append(std::string& out, char32_t cp);

/// Decodes the code point at `s[i]` and advances `i` past it; an invalid or truncated sequence yields
/// U+FFFD and advances by one byte.
char32_t next(std::string_view s, std::size_t& i);

/// `bytes` with every invalid UTF-8 sequence replaced by U+FFFD (one per maximal invalid subpart, as
/// Rust's String::from_utf8_lossy does): what decoders return for byte soup.
std::string lossy(std::string_view bytes);

/// True when `bytes` is well-formed UTF-8.
bool valid(std::string_view bytes);

}  // namespace mergelab::lm::utf8
