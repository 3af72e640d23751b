#pragma once
// The `proxjit` subcommands. Each add_* function registers one subcommand (flags, description,
// a worked example in the --help footer) and returns how to run it once parsing succeeded.
// Runs return the process exit code; bad input surfaces as proxjit::Error.

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace proxjit::cli {

// Exit codes of the tool.
inline constexpr int kExitOk = 0;          // the command ran (a solve may still not converge)
inline constexpr int kExitSolveError = 1;  // a solve ended with status error
inline constexpr int kExitBadInput = 2;    // bad flags, files, components or options

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_solve_command(CLI::App& root);
Command add_demo_command(CLI::App& root);
Command add_list_command(CLI::App& root);
Command add_inspect_command(CLI::App& root);
Command add_cache_command(CLI::App& root);       // cache ls | stats | clear
Command add_precompile_command(CLI::App& root);  // kernels into the disk cache ahead of time
Command add_bench_command(CLI::App& root);       // bench compile: the compile-cost table
Command add_path_command(CLI::App& root);        // regularization paths
Command add_fit_command(CLI::App& root);         // solve, writing a model file
Command add_predict_command(CLI::App& root);     // a model file's predictions and scores
Command add_cv_command(CLI::App& root);          // cross-validation of a path
Command add_gen_command(CLI::App& root);         // seeded synthetic data files
// A registered name whose feature is not built yet: says so and exits with kExitBadInput.
Command add_unavailable_command(CLI::App& root, const std::string& name,
                                const std::string& description, const std::string& example,
                                int issue);

// Every subcommand, in the order `proxjit --help` lists them.
std::vector<Command> add_all_commands(CLI::App& root);

}  // namespace proxjit::cli
