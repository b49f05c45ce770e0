#include "util/json_text.h"

namespace fm {

bool jsonTooDeep(const char* p, const char* end, size_t maxDepth) {
  size_t depth = 0;
  bool inString = false;
  for (; p < end; ++p) {
    const char c = *p;
    if (inString) {
      if (c == '\\') ++p;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace fm
