// GPT-2's byte <-> printable character table (`bytes_to_unicode`), used by the ByteLevel pre-tokenizer
// and decoder: every byte value maps to one visible code point so that BPE never sees spaces or control
// bytes. Bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF map to themselves; the other 68 bytes (0x00..0x20,
// 0x7F..0xA0, 0xAD) map, in increasing byte order, to U+0100, U+0101, ... (so ' ' -> U+0120 'Ġ').
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mergelab::lm::byte_level {

/// The code point byte `b` stands for.
char32_t byte_to_char(std::uint8_t b);

/// The same as UTF-8 (1 or 2 bytes), e.g. 0x20 -> "Ġ".
std::string_view byte_to_utf8(std::uint8_t b);

/// The byte that code point `c` stands for, or nothing when `c` is not one of the 256 table characters.
std::optional<std::uint8_t> char_to_byte(char32_t c);

/// `bytes` with every byte replaced by its table character (UTF-8 out).
std::string encode(std::string_view bytes);

/// Inverse of encode() for one token: its bytes when every character is in the table, else nothing
/// (the ByteLevel decoder then keeps the token's own UTF-8 as it is).
std::optional<std::string> decode_token(std::string_view token);

}  // namespace mergelab::lm::byte_level
