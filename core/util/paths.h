// Paths and the UTF-8 strings that settings, JSON and messages hold. On Windows a plain
// std::string <-> std::filesystem::path conversion goes through the ANSI code page and mangles
// any name outside it (Korean, accents...); these go through UTF-8 on every platform.
//
//   fs::path p = fm::pathOf(cfg.model);      // a UTF-8 setting -> a path
//   cfg.outDir = fm::utf8(runDir);           // a path -> a UTF-8 setting
#pragma once

#include <filesystem>
#include <string>

namespace fm {

inline std::filesystem::path pathOf(const std::string& utf8) { return std::filesystem::u8path(utf8); }
inline std::string utf8(const std::filesystem::path& p) { return p.u8string(); }

}  // namespace fm
