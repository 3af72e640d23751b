// The REPL's solving commands: solve, path (a regularization path), time (first call against
// cached call), cache (kernel cache counters) and inspect (the kernel's IR or assembly).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "../text_util.h"
#include "command_table.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::repl {
namespace {

using tools::duration;

// Reports end with exactly one newline, brief or full.
std::string with_newline(std::string report) {
  if (!report.ends_with('\n')) report += '\n';
  return report;
}

SolverOptions solve_options(const CommandCall& call) {
  SolverOptions options = call.state.options;
  options.interrupt = call.interrupt;
  return options;
}

}  // namespace

bool run_solve(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  bool verbose = false;
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i] == "-v" || words[i] == "--verbose") {
      verbose = true;
    } else {
      throw Error("solve: unknown argument '" + words[i] + "'; usage: " + usage_of("solve"));
    }
  }
  const Problem& problem = call.state.current_problem();
  const SolverOptions options = solve_options(call);
  Summary summary;
  {
    SolvingScope scope(call.interrupt);
    summary = call.state.engine.solve(problem, options);
  }
  call.out << with_newline(verbose ? summary.FullReport() : summary.BriefReport());
  if (summary.status == SolveStatus::interrupted) {
    call.out << "interrupted (Ctrl-C) after " << summary.iterations << " iterations\n";
  }
  if (call.state.truth && summary.status != SolveStatus::error &&
      summary.x.size() == call.state.truth->size()) {
    const Vector& truth = *call.state.truth;
    const double relative =
        (summary.x - truth).norm() / std::max(truth.norm(), std::numeric_limits<double>::min());
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.3e", relative);
    Eigen::Index nonzeros = 0;
    for (Eigen::Index i = 0; i < summary.x.size(); ++i)
      nonzeros += summary.x(i) != 0.0;
    call.out << "  vs x_true: relative error " << buffer << ", " << nonzeros << " nonzeros (x_true "
             << (truth.array() != 0.0).count() << ")\n";
  }
  const bool ok = summary.status != SolveStatus::error;
  call.state.last = std::move(summary);
  if (!ok) throw Error("solve: status error: " + call.state.last->message);
  return ok;
}

bool run_path(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  std::size_t first = 1;
  std::string parameter = "lambda";
  if (words.size() > 1 && !words[1].empty() &&
      (std::isalpha(static_cast<unsigned char>(words[1][0])) || words[1][0] == '_') &&
      words[1] != "inf") {
    parameter = words[1];
    first = 2;
  }
  std::vector<double> values;
  for (std::size_t i = first; i < words.size(); ++i) {
    if (const auto grid = tools::log_grid(words[i], "path")) {
      values.insert(values.end(), grid->begin(), grid->end());
      continue;
    }
    char* end = nullptr;
    const double value = std::strtod(words[i].c_str(), &end);
    if (*end != '\0' || words[i].empty()) {
      throw Error("path: expected a number or FROM:TO:COUNT, got '" + words[i] +
                  "'; usage: " + usage_of("path"));
    }
    values.push_back(value);
  }
  if (values.empty()) throw Error("path: give values; usage: " + usage_of("path"));
  const Problem& problem = call.state.current_problem();
  std::vector<Summary> points;
  {
    SolvingScope scope(call.interrupt);
    points = call.state.engine.solve_path(problem, parameter, values, solve_options(call));
  }
  bool ok = true;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Summary& p = points[i];
    char row[160];
    std::snprintf(row, sizeof row, "  %s=%-10s %-14s objective %-16s iterations %-7lld %s\n",
                  parameter.c_str(), number_text(values[i], 6).c_str(),
                  std::string(to_string(p.status)).c_str(), number_text(p.objective, 10).c_str(),
                  static_cast<long long>(p.iterations),
                  p.cache_hit ? "(cached kernel)" : "(compiled)");
    call.out << row;
    ok = ok && p.status != SolveStatus::error;
  }
  call.state.last = points.back();
  if (!ok) throw Error("path: a point ended with status error");
  return true;
}

bool run_time(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  no_arguments(words);
  const Problem& problem = call.state.current_problem();
  SolverOptions options = solve_options(call);
  if (options.backend != Backend::jit) {
    throw Error("time: measures the JIT's first call against a cached call; `set backend jit`");
  }
  // A fresh engine without disk cache: the first call compiles, whatever ran before.
  EngineOptions engine_options;
  engine_options.disk_cache = false;
  Engine engine(engine_options);
  const auto timed = [&](Summary& summary) {
    SolvingScope scope(call.interrupt);
    const auto start = std::chrono::steady_clock::now();
    summary = engine.solve(problem, options);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  Summary first;
  Summary second;
  const double first_s = timed(first);
  if (first.status == SolveStatus::error) throw Error("time: status error: " + first.message);
  const double second_s = timed(second);
  if (second.status == SolveStatus::error) throw Error("time: status error: " + second.message);
  const auto describe = [](const Summary& s) {
    return "(compile " + duration(s.timing.compile_s) + ", run " + duration(s.timing.run_s) +
           "; kernel " + std::string(to_string(s.source)) +
           (s.cache_hit ? ", cache hit" : ", cache miss") + ")";
  };
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.1fx", second_s > 0 ? first_s / second_s : 0.0);
  call.out << "  first call   " << duration(first_s) << "  " << describe(first) << "\n";
  call.out << "  cached call  " << duration(second_s) << "  " << describe(second) << "\n";
  call.out << "  ratio        " << ratio << "  (first call / cached call; "
           << std::string(to_string(second.status)) << ", " << second.iterations
           << " iterations)\n";
  call.state.last = std::move(second);
  return true;
}

bool run_cache(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  no_arguments(words);
  const CacheStats stats = call.state.engine.cache_stats();
  call.out << "  memory  (this session's engine) " << stats.entries << " kernels, " << stats.hits
           << " hits, " << stats.misses << " misses, " << stats.compiles << " compiles, "
           << stats.disk_hits << " disk loads, " << stats.disk_invalid << " invalid disk entries\n";
  if (DiskCache* disk = call.state.engine.disk_cache()) {
    const DiskCacheStats d = disk->stats();
    call.out << "  disk    " << d.directory << ": " << d.entries << " kernels, " << d.bytes
             << " bytes (max " << d.max_bytes << "), " << d.hits << " hits, " << d.misses
             << " misses, " << d.invalid << " invalid, " << d.evicted
             << " evicted (all processes)\n";
  } else if (!call.state.engine.disk_cache_problem().empty()) {
    call.out << "  disk    off: " << call.state.engine.disk_cache_problem() << "\n";
  } else {
    call.out << "  disk    off (PROXJIT_NO_CACHE is set)\n";
  }
  return true;
}

bool run_inspect(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  if (words.size() != 2 || (words[1] != "ir" && words[1] != "asm")) {
    throw Error("inspect: usage: " + usage_of("inspect"));
  }
  const Problem& problem = call.state.current_problem();
  std::string text = words[1] == "ir" ? call.state.engine.inspect_ir(problem, call.state.options)
                                      : call.state.engine.inspect_asm(problem, call.state.options);
  if (!text.ends_with('\n')) text += '\n';
  call.out << text;
  return true;
}

}  // namespace proxjit::repl
