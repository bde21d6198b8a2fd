// JSON parsing for untrusted checkpoint headers and indexes: nlohmann_json plus the checks it does not make.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace mergelab::ckpt {

/// Maximum nesting of arrays/objects accepted (a safetensors header needs 3).
inline constexpr int kMaxJsonDepth = 64;

/// Parses `text` as JSON, refusing: invalid UTF-8 (with the byte offset), nesting deeper than kMaxJsonDepth,
/// syntax errors, a top-level value that is not an object, and duplicate keys in any object (nlohmann would
/// silently keep one). `what` names the document in messages ("header", "index"). A duplicate top-level key
/// is reported as a tensor problem (the key is the tensor name). Throws CheckpointError naming `file`.
nlohmann::json parse_strict_json_object(std::string_view text, const std::string& file, const char* what);

/// Byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code points > U+10FFFF are
/// invalid), or npos when `text` is valid.
std::size_t find_invalid_utf8(std::string_view text);

/// `s` with control and non-ASCII bytes replaced by '?', cut to `max_len` characters: safe to print.
std::string printable(std::string_view s, std::size_t max_len = 80);

}  // namespace mergelab::ckpt
