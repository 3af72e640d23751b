#pragma once
// The one error type of the project: bad descriptions, parameters, data and options.
// Messages name the parameter, file and line, and what was expected.

#include <stdexcept>
#include <string>

namespace proxjit {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace proxjit
