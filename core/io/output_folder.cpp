#include "io/output_folder.h"

#include <algorithm>

#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;

namespace {

fs::path canonicalOrAbsolute(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? fs::absolute(p) : c;
}

// Whether `inner` is `outer` or a folder below it.
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin(), o = outer.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

void checkOutputFolder(const fs::path& out, const std::string& what, bool overwrite, const std::vector<fs::path>& inputs) {
  if (out.empty()) throw ConfigError(what + ": no output folder given");
  const fs::path target = canonicalOrAbsolute(out);
  for (const fs::path& in : inputs) {
    if (in.empty()) continue;
    const fs::path source = canonicalOrAbsolute(in);
    if (within(target, source))
      throw ConfigError(what + " would be written into " + in.string() +
                        ", which is an input of this command; choose a new folder (nothing was written)");
  }
  std::error_code ec;
  if (!fs::exists(out, ec)) return;
  if (!fs::is_directory(out, ec))
    throw IoError(out.string() + " is a file, not a folder; choose a folder for " + what);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out, ec)) names.push_back(e.path().filename().string());
  if (names.empty() || overwrite) return;
  std::sort(names.begin(), names.end());
  std::string list;
  for (size_t i = 0; i < names.size() && i < 3; ++i) list += (i ? ", " : "") + names[i];
  if (names.size() > 3) list += " and " + std::to_string(names.size() - 3) + " more";
  throw ConfigError(out.string() + " already holds " + list + "; choose a new folder for " + what +
                    ", or pass --overwrite to replace what is there (nothing was written)");
}

}  // namespace fm
