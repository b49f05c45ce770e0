// main() for the tests that run model code: the process is set up as the programs set theirs
// up (fm::ensureRuntimeEnvironment: passive OpenMP threads, the BLAS kernels the CPU can run),
// so the tests check the numbers and the speed the user gets.
//
//   FM_TEST_MAIN_APPLESS(TestLora)   // instead of QTEST_APPLESS_MAIN
//   FM_TEST_MAIN_GUILESS(TestVision) // instead of QTEST_GUILESS_MAIN
#pragma once

#include <QCoreApplication>
#include <QtTest/QtTest>

#include "util/runtime.h"

#define FM_TEST_MAIN_APPLESS(TestObject)          \
  int main(int argc, char** argv) {               \
    fm::ensureRuntimeEnvironment(argc, argv);     \
    TestObject tc;                                \
    QTEST_SET_MAIN_SOURCE_PATH                    \
    return QTest::qExec(&tc, argc, argv);         \
  }

#define FM_TEST_MAIN_GUILESS(TestObject)          \
  int main(int argc, char** argv) {               \
    fm::ensureRuntimeEnvironment(argc, argv);     \
    QCoreApplication app(argc, argv);             \
    app.setAttribute(Qt::AA_Use96Dpi, true);      \
    TestObject tc;                                \
    QTEST_SET_MAIN_SOURCE_PATH                    \
    return QTest::qExec(&tc, argc, argv);         \
  }
