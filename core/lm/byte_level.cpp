#include "core/lm/byte_level.h"

#include <array>

#include "core/lm/utf8.h"

namespace mergelab::lm::byte_level {

namespace {

struct Table {
  std::array<char32_t, 256> chars{};
  std::array<std::string, 256> utf8;
  std::array<std::int16_t, 512> byte_of{};  // code point (< 0x200) -> byte, or -1

  Table() {
    byte_of.fill(-1);
    char32_t extra = 0x100;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      chars[b] = printable ? static_cast<char32_t>(b) : extra++;
      utf8::append(utf8[b], chars[b]);
      byte_of[chars[b]] = static_cast<std::int16_t>(b);
    }
  }
};

const Table& table() {
  static const Table t;
  return t;
}

}  // namespace

char32_t byte_to_char(std::uint8_t b) { return table().chars[b]; }

std::string_view byte_to_utf8(std::uint8_t b) { return table().utf8[b]; }

std::optional<std::uint8_t> char_to_byte(char32_t c) {
  if (c >= 512) return std::nullopt;
  const std::int16_t b = table().byte_of[c];
  if (b < 0) return std::nullopt;
  return static_cast<std::uint8_t>(b);
}

std::string encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) out += table().utf8[static_cast<std::uint8_t>(c)];
  return out;
}

std::optional<std::string> decode_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  std::size_t i = 0;
  while (i < token.size()) {
    const auto b = char_to_byte(utf8::next(token, i));
    if (!b) return std::nullopt;
    out += static_cast<char>(*b);
  }
  return out;
}

}  // namespace mergelab::lm::byte_level
