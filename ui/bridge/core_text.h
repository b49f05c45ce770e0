// Messages from core (plain English, often with numbers in them) in the user's language.
//
//   label->setText(coreText(info.chatFormat));   // "the model's own (Jinja)" -> "모델 자체 (Jinja)"
//
// Core has no Qt and no translations; the common messages it shows (progress, model details,
// training status) are listed in core_text.cpp for the translators. Numbers are matched as
// placeholders: "answering validation row 3 of 4" is translated as
// "answering validation row %1 of %2". Anything not listed (paths, error details) stays as core
// wrote it.
#pragma once

#include <QString>
#include <string>

namespace fm::ui {

QString coreText(const std::string& message);
QString coreText(const QString& message);

}  // namespace fm::ui
