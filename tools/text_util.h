#pragma once
// Small text helpers shared by the command line (tools/cli) and the REPL (tools/repl).

#include <cstdio>
#include <string>
#include <vector>

#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/smooth.h"

namespace proxjit::tools {

inline std::string joined(const std::vector<std::string>& names,
                          const std::string& separator = ", ") {
  std::string text;
  for (const std::string& name : names)
    text += (text.empty() ? "" : separator) + name;
  return text;
}

inline std::vector<std::string> smooth_names() {
  std::vector<std::string> names;
  for (const SmoothDefinition& smooth : smooth_registry())
    names.push_back(smooth.name);
  return names;
}

inline std::vector<std::string> prox_names() {
  std::vector<std::string> names;
  for (const ProxDefinition& prox : prox_registry())
    names.push_back(prox.name);
  return names;
}

// "12.3 us", "4.56 ms", "1.234 s".
inline std::string duration(double seconds) {
  char buffer[32];
  if (seconds < 1e-3) {
    std::snprintf(buffer, sizeof buffer, "%.1f us", seconds * 1e6);
  } else if (seconds < 1.0) {
    std::snprintf(buffer, sizeof buffer, "%.2f ms", seconds * 1e3);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3f s", seconds);
  }
  return buffer;
}

}  // namespace proxjit::tools
