#include "core/checkpoint/strict_json.h"

#include <optional>
#include <set>
#include <vector>

#include "core/checkpoint/error.h"

namespace mergelab::ckpt {

std::size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;       // no overlong forms
      if (c == 0xed) hi = 0x9f;       // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;       // no overlong forms
      if (c == 0xf4) hi = 0x8f;       // <= U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string printable(std::string_view s, std::size_t max_len) {
  std::string out;
  for (char ch : s) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    out += (c >= 0x20 && c < 0x7f) ? ch : '?';
  }
  return out;
}

namespace {

/// Maximum nesting depth of arrays/objects, ignoring brackets inside strings.
int max_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char ch : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (ch == '\\') escaped = true;
      else if (ch == '"') in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    else if (ch == '{' || ch == '[') deepest = std::max(deepest, ++depth);
    else if (ch == '}' || ch == ']') --depth;
    if (deepest > kMaxJsonDepth) break;
  }
  return deepest;
}

}  // namespace

nlohmann::json parse_strict_json_object(std::string_view text, const std::string& file, const char* what) {
  const std::string doc = what;
  const std::size_t bad = find_invalid_utf8(text);
  if (bad != std::string_view::npos)
    throw CheckpointError(file, "", doc + " is not valid UTF-8 (bad byte at offset " + std::to_string(bad) + ")");
  if (max_depth(text) > kMaxJsonDepth)
    throw CheckpointError(file, "", doc + " JSON is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");

  // Duplicate keys: one set of seen keys per open object.
  std::vector<std::set<std::string>> seen;
  std::optional<std::string> duplicate;
  bool duplicate_top_level = false;
  nlohmann::json::parser_callback_t cb = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      seen.emplace_back();
    } else if (event == E::object_end) {
      if (!seen.empty()) seen.pop_back();
    } else if (event == E::key && !seen.empty() && !duplicate) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!seen.back().insert(key).second) {
        duplicate = key;
        duplicate_top_level = seen.size() == 1;
      }
    }
    return true;
  };

  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const nlohmann::json::exception& e) {
    std::string msg = e.what();
    // drop nlohmann's "[json.exception.parse_error.101] " prefix
    if (const auto p = msg.find("] "); msg.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      msg = msg.substr(p + 2);
    throw CheckpointError(file, "", doc + " is not valid JSON: " + printable(msg, 200));
  }
  if (duplicate) {
    if (duplicate_top_level && doc == "header")
      throw CheckpointError(file, printable(*duplicate), "appears more than once in the header");
    throw CheckpointError(file, "", doc + " has the key '" + printable(*duplicate) + "' more than once");
  }
  if (!j.is_object()) throw CheckpointError(file, "", doc + " is not a JSON object");
  return j;
}

}  // namespace mergelab::ckpt
