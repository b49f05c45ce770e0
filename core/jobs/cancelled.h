// Thrown by a long operation that was asked to stop from deep inside (reading a file, building
// examples) where returning a status would have to pass through every layer. Jobs catch it and
// report JobStatus::Cancelled; it is an outcome, not an error to show.
#pragma once

#include "util/error.h"

namespace fm {

class CancelledError : public Error {
 public:
  using Error::Error;
};

}  // namespace fm
