// UTF-8 checks shared by the readers (dataset cells, text files) and the UI (token views).
#pragma once

#include <string>

namespace fm {

// Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool isUtf8(const std::string& s);

}  // namespace fm
