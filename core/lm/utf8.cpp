#include "core/lm/utf8.h"

namespace mergelab::lm::utf8 {

namespace {

// Decodes one sequence at s[i]. Returns the bytes consumed; `ok` false means an ill-formed sequence whose
// maximal valid prefix (at least one byte) was consumed (Unicode's "maximal subpart" rule).
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp, bool& ok) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  ok = false;
  cp = 0xFFFD;
  if (b0 < 0x80) {
    cp = b0;
    ok = true;
    return 1;
  }
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return 1;
  }
  char32_t value = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return k;
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) return k;
    value = (value << 6) | (b & 0x3F);
  }
  cp = value;
  ok = true;
  return len;
}

}  // namespace

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

char32_t next(std::string_view s, std::size_t& i) {
  char32_t cp;
  bool ok;
  const std::size_t n = decode(s, i, cp, ok);
  i += ok ? n : 1;
  return cp;
}

std::string lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    char32_t cp;
    bool ok;
    const std::size_t n = decode(bytes, i, cp, ok);
    if (ok)
      out.append(bytes.substr(i, n));
    else
      append(out, 0xFFFD);
    i += n;
  }
  return out;
}

bool valid(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (static_cast<unsigned char>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    char32_t cp;
    bool ok;
    i += decode(bytes, i, cp, ok);
    if (!ok) return false;
  }
  return true;
}

}  // namespace mergelab::lm::utf8
