// Typed errors thrown by fm_core. Every message says what is wrong and, where it can,
// what the user should do about it. Cancelling a job is not an error (see jobs/job.h).
#pragma once

#include <stdexcept>
#include <string>

namespace fm {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file exists but its contents are malformed (bad header, bad offsets, bad JSON...).
class FormatError : public Error {
 public:
  using Error::Error;
};

// The input is well formed but asks for something this build does not support.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

// Reading or writing the file system failed (missing file, permission, full disk).
class IoError : public Error {
 public:
  using Error::Error;
};

// A configuration value is invalid (negative length, unknown option...).
class ConfigError : public Error {
 public:
  using Error::Error;
};

// Not enough memory (or another resource) for what was asked; the message says what uses it.
class ResourceError : public Error {
 public:
  using Error::Error;
};

// The message of any exception for a person to read: fm::Error as it is; a libtorch error
// (c10::Error) without the C++ backtrace libtorch appends; anything else as what() says.
std::string errorMessage(const std::exception& e);

}  // namespace fm
