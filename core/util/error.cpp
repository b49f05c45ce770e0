#include "util/error.h"

#include <c10/util/Exception.h>

namespace fm {

std::string errorMessage(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) {
    std::string m = c10->what_without_backtrace();
    // The first line is the check's message; what follows ("Exception raised from ...") is for
    // developers.
    const auto cut = m.find("\nException raised from");
    if (cut != std::string::npos) m.resize(cut);
    return m;
  }
  return e.what();
}

}  // namespace fm
