// QString <-> std::filesystem::path without passing through the ANSI code page on Windows
// (QString::toStdString is UTF-8, which std::filesystem::path reads as ANSI there).
#pragma once

#include <QString>

#include <filesystem>

namespace fm::ui {

inline std::filesystem::path toPath(const QString& s) { return std::filesystem::path(s.toStdU16String()); }
inline QString fromPath(const std::filesystem::path& p) { return QString::fromStdU16String(p.u16string()); }

}  // namespace fm::ui
