#include "solve_progress.h"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "output_files.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

#ifndef PROXJIT_VERSION
#define PROXJIT_VERSION "unknown"
#endif

namespace proxjit::cli {
namespace {

std::atomic<bool>* g_interrupt_flag = nullptr;

void on_solve_sigint(int) {
  // std::atomic<bool> is lock-free: safe in a signal handler. SA_RESETHAND makes the next
  // Ctrl-C kill the process, in case the solve is stuck somewhere that does not check.
  if (g_interrupt_flag) g_interrupt_flag->store(true, std::memory_order_relaxed);
}

std::string printf_text(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

constexpr char kRule[] =
    "-----------------------------------------------------------------------------\n";

}  // namespace

struct SigintGuard::Saved {
  struct sigaction previous {};
  std::atomic<bool>* previous_flag = nullptr;
  bool active = false;
};

SigintGuard::SigintGuard(std::atomic<bool>& flag) : saved_(new Saved) {
  sigaction(SIGINT, nullptr, &saved_->previous);
  // An ignored SIGINT (a background job of a script, nohup) stays ignored.
  saved_->active = saved_->previous.sa_handler != SIG_IGN;
  if (!saved_->active) return;
  saved_->previous_flag = g_interrupt_flag;
  g_interrupt_flag = &flag;
  struct sigaction action {};
  action.sa_handler = on_solve_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
}

SigintGuard::~SigintGuard() {
  if (saved_->active) {
    sigaction(SIGINT, &saved_->previous, nullptr);
    g_interrupt_flag = saved_->previous_flag;
  }
  delete saved_;
}

void VerboseTable::banner(const Problem& problem, const SolvePlan& plan) {
  const SolverOptions& options = plan.options;
  const Layout layout = plan.layout;
  const Algorithm runs = plan.algorithm();
  const std::string algorithm = plan.algorithm_text();
  out_ << kRule;
  out_ << "        proxjit " << PROXJIT_VERSION
       << "  -  JIT-compiled proximal gradient for min_x f(x) + r(x)\n";
  out_ << kRule;
  out_ << "problem:    " << problem.describe() << "\n";
  out_ << "variables:  " << problem.variables();
  if (problem.sparse()) {
    const SparseMatrix& A = problem.A_sparse();
    out_ << "  (A " << A.rows() << " x " << A.cols() << ", CSR, " << A.nonZeros() << " nonzeros";
    // Mostly nonzero data run the dense kernels.
    if (layout == Layout::dense_row_major || layout == Layout::dense_col_major) {
      out_ << ", read densely";
    }
    out_ << ")";
  } else {
    out_ << "  (A " << problem.A().rows() << " x " << problem.A().cols() << ")";
  }
  out_ << "\n";
  // Coordinate descent has no global step: each coordinate steps by its own curvature.
  const std::string step = runs == Algorithm::coordinate_descent ? "1/c_j per coordinate"
                           : options.step > 0.0                  ? number_text(options.step, 6)
                           : options.line_search                 ? "backtracking"
                                                                 : "auto (1/L)";
  out_ << "algorithm:  " << algorithm << ", step " << step << ", max_iter "
       << options.max_iterations << ", tol " << number_text(options.tolerance, 3);
  if (options.max_time > 0.0) out_ << ", max_time " << number_text(options.max_time, 6) << " s";
  out_ << "\n";
  out_ << "dtype:      " << to_string(options.scalar) << ", backend " << to_string(options.backend)
       << ", trace every "
       << (options.trace_every > 0 ? std::to_string(options.trace_every) + " iterations"
                                   : std::string("(off)"))
       << "\n";
  out_ << kRule;
  char header[128];
  std::snprintf(header, sizeof header, "%10s  %17s  %12s  %10s  %10s\n", "iter", "objective",
                "certificate", "step", "time");
  out_ << header << std::flush;
}

void VerboseTable::print_row(std::int64_t iteration, double objective, double certificate,
                             double step, double seconds) {
  char line[160];
  // Coordinate descent has no one step (0): a dash.
  char step_text[32];
  if (step > 0.0) {
    std::snprintf(step_text, sizeof step_text, "%10.3e", step);
  } else {
    std::snprintf(step_text, sizeof step_text, "%10s", "-");
  }
  std::snprintf(line, sizeof line, "%10lld  %17.10e  %12.4e  %s  %9.2es\n",
                static_cast<long long>(iteration), objective, certificate, step_text, seconds);
  out_ << line << std::flush;
  last_iteration_ = iteration;
}

void VerboseTable::row(const IterationReport& report) {
  // A later --repeat run starts over at a lower iteration: its rows would repeat the table.
  if (report.iteration <= last_iteration_) first_run_done_ = true;
  if (first_run_done_) return;
  print_row(report.iteration, report.objective, report.certificate, report.step, report.seconds);
}

void VerboseTable::footer(const Summary& summary, const std::string& disk_cache) {
  if (summary.status != SolveStatus::error && summary.iterations != last_iteration_ &&
      !first_run_done_) {
    print_row(summary.iterations, summary.objective, summary.certificate, summary.step,
              summary.timing.run_s);
  }
  out_ << kRule;
  const auto line = [&](const char* name, const std::string& value) {
    char label[32];
    std::snprintf(label, sizeof label, "%-14s", name);
    out_ << label << value << "\n";
  };
  line("status:", std::string(to_string(summary.status)));
  if (!summary.message.empty()) line("message:", summary.message);
  line("iterations:", std::to_string(summary.iterations));
  line("objective:", number_text(summary.objective, 15));
  line("certificate:", printf_text("%.4e", summary.certificate));
  line("step:", summary.algorithm == Algorithm::coordinate_descent
                    ? std::string("1/c_j per coordinate (its curvature)")
                    : number_text(summary.step, 6));
  line("compile time:", printf_text("%.3f ms", summary.timing.compile_s * 1e3));
  line("run time:", printf_text("%.3f ms", summary.timing.run_s * 1e3));
  line("cache:", std::string(to_string(summary.source)) + (summary.cache_hit ? " (hit)" : "") +
                     (disk_cache.empty() ? "" : ", disk cache " + disk_cache));
  if (!summary.cache_note.empty()) line("cache note:", summary.cache_note);
  out_ << kRule << std::flush;
}

ProgressLine::ProgressLine() : start_(std::chrono::steady_clock::now()), last_(start_) {}

void ProgressLine::update(const IterationReport& report) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < 0.5) return;  // short runs never show a line
  if (shown_ && std::chrono::duration<double>(now - last_).count() < 0.2) return;
  last_ = now;
  char text[160];
  const int length =
      std::snprintf(text, sizeof text, " iter %lld  obj %s  cert %.1e  %.1f s",
                    static_cast<long long>(report.iteration),
                    number_text(report.objective, 7).c_str(), report.certificate, report.seconds);
  std::string line = "\r" + std::string(text, static_cast<std::size_t>(std::max(length, 0)));
  // Pad over what a longer previous line left.
  if (static_cast<std::size_t>(length) < width_) line += std::string(width_ - length, ' ');
  width_ = std::max(width_, static_cast<std::size_t>(length));
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  // Two more columns for a "^C" the terminal may have echoed after the line.
  std::fputs(("\r" + std::string(width_ + 2, ' ') + "\r").c_str(), stderr);
  std::fflush(stderr);
  shown_ = false;
}

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

void write_trace_csv(const std::string& path, const std::vector<TraceRow>& rows) {
  std::ostringstream out;
  out << "iteration,seconds,objective,certificate,step\n";
  for (const TraceRow& row : rows) {
    // Shortest round-trip text: every value reads back exactly.
    out << row.iteration << ',' << number_text(row.seconds) << ',' << number_text(row.objective)
        << ',' << number_text(row.certificate) << ',' << number_text(row.step) << '\n';
  }
  write_output_file("--trace", path, out.str());
}

}  // namespace proxjit::cli
