// JSON from files and input the user supplies, parsed with a bound on nesting. nlohmann's
// parser and destructor recurse once per level, so a few hundred thousand "[" overflow the
// stack; every user-supplied document goes through these instead of json::parse.
//
//   nlohmann::json j = fm::parseJson(text, "tokenizer_config.json");  // FormatError on problems
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace fm {

constexpr size_t kMaxJsonDepth = 512;

// True if arrays/objects in [begin, end) nest deeper than maxDepth (strings are skipped).
bool jsonTooDeep(const char* begin, const char* end, size_t maxDepth = kMaxJsonDepth);
inline bool jsonTooDeep(const std::string& text, size_t maxDepth = kMaxJsonDepth) {
  return jsonTooDeep(text.data(), text.data() + text.size(), maxDepth);
}

// Parses text; a syntax error or too deep nesting throws FormatError naming `what`.
template <typename J = nlohmann::json>
J parseJson(const char* begin, const char* end, const std::string& what) {
  if (jsonTooDeep(begin, end))
    throw FormatError(what + ": JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  try {
    return J::parse(begin, end);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(what + ": invalid JSON (" + e.what() + ")");
  }
}
template <typename J = nlohmann::json>
J parseJson(const std::string& text, const std::string& what) {
  return parseJson<J>(text.data(), text.data() + text.size(), what);
}

}  // namespace fm
