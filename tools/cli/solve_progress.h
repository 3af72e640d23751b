#pragma once
// What `proxjit solve` shows while it runs: the --verbose iteration table, the progress line
// on a terminal, Ctrl-C as a clean stop, and the trace written as CSV.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "proxjit/options.h"
#include "proxjit/problem.h"
#include "proxjit/solve_plan.h"
#include "proxjit/summary.h"

namespace proxjit::cli {

// While alive, SIGINT (Ctrl-C) sets `flag` instead of killing the process, so a solve given
// `flag` as SolverOptions::interrupt ends with status interrupted and is still reported.
// A second Ctrl-C kills as usual. The previous handler comes back on destruction. A SIGINT
// that is ignored (a background job of a script) is left ignored.
class SigintGuard {
 public:
  explicit SigintGuard(std::atomic<bool>& flag);
  ~SigintGuard();
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;

 private:
  struct Saved;
  Saved* saved_;
};

// The OSQP-style table of --verbose: banner, header, one row per trace point (printed as the
// solve runs), footer.
class VerboseTable {
 public:
  explicit VerboseTable(std::ostream& out) : out_(out) {}
  // What will run, as the plan says: "auto (cd)" for auto, its step rule and how its kernel
  // reads A.
  void banner(const Problem& problem, const SolvePlan& plan);
  // A row for a trace point; rows of later --repeat runs are not printed again.
  void row(const IterationReport& report);
  // The final row (when the last iteration was not a trace point) and the footer.
  void footer(const Summary& summary, const std::string& disk_cache);

 private:
  void print_row(std::int64_t iteration, double objective, double certificate, double step,
                 double seconds);
  std::ostream& out_;
  std::int64_t last_iteration_ = -1;
  bool first_run_done_ = false;
};

// "\r iter 12000  obj -59.61168  cert 3.2e-04  1.8 s" on stderr, refreshed at most five times
// a second, shown only once the solve has run half a second; clear() erases it.
class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine() { clear(); }
  void update(const IterationReport& report);
  void clear();

 private:
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool shown_ = false;
  std::size_t width_ = 0;
};

// True when stderr is a terminal (the progress line is for people, never for pipes and files).
bool stderr_is_terminal();

// The trace as CSV: "iteration,seconds,objective,certificate,step", full precision.
void write_trace_csv(const std::string& path, const std::vector<TraceRow>& rows);

}  // namespace proxjit::cli
