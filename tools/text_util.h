#pragma once
// Small text helpers shared by the command line (tools/cli) and the REPL (tools/repl).

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
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

// " (did you mean 'x'?)", or "" when nothing is close.
inline std::string did_you_mean(const std::string& name,
                                const std::vector<std::string>& candidates) {
  const std::string nearest = nearest_name(name, candidates);
  if (nearest.empty() || nearest == name) return "";
  return " (did you mean '" + nearest + "'?)";
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

// "FROM:TO:COUNT": COUNT values from FROM to TO, evenly spaced on a log scale (regularization
// paths). Empty when `text` is not of that shape; throws proxjit::Error, prefixed with `who`,
// when it is but FROM, TO or COUNT are unusable.
inline std::optional<std::vector<double>> log_grid(const std::string& text,
                                                   const std::string& who) {
  double from = 0, to = 0;
  int count = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%lf:%lf:%d%c", &from, &to, &count, &extra) != 3) {
    return std::nullopt;
  }
  if (!(from > 0) || !(to > 0) || count < 1) {
    throw Error(who + ": FROM:TO:COUNT needs FROM, TO > 0 and COUNT >= 1, e.g. 1:0.001:20; got \"" +
                text + "\"");
  }
  std::vector<double> values;
  for (int i = 0; i < count; ++i) {
    values.push_back(count == 1 ? from : from * std::pow(to / from, i / (count - 1.0)));
  }
  return values;
}

}  // namespace proxjit::tools
