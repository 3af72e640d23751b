// proxjit: the command line. Parses with CLI11, runs the chosen subcommand, and turns errors
// into one-line messages and exit codes (0 ran, 1 solve status error, 2 bad input).

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"

namespace {

using proxjit::cli::Command;

// The flags of `app` as a user types them: "--step", "-h".
std::vector<std::string> flag_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames())
      names.push_back("--" + name);
    for (const std::string& name : option->get_snames())
      names.push_back("-" + name);
  }
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({}))
    names.push_back(sub->get_name());
  return names;
}

// "did you mean" lines for the arguments CLI11 could not place, in the subcommand that was
// being parsed (or among its subcommand names, for a misspelt subcommand).
std::vector<std::string> suggestions(const CLI::App& root) {
  const std::vector<CLI::App*> selected = root.get_subcommands();
  const CLI::App& scope = selected.empty() ? root : *selected.front();
  std::vector<std::string> lines;
  for (std::string argument : scope.remaining()) {
    std::string suggestion;
    if (argument.starts_with("-")) {
      argument = argument.substr(0, argument.find('='));  // --stp=0.1
      suggestion = proxjit::nearest_name(argument, flag_names(scope));
    } else {
      // A misspelt subcommand (`proxjit solv`, `proxjit cache lss`).
      suggestion = proxjit::nearest_name(argument, subcommand_names(scope));
    }
    if (!suggestion.empty() && suggestion != argument) {
      lines.push_back("'" + argument + "': did you mean '" + suggestion + "'?");
    }
  }
  return lines;
}

int report_parse_error(const CLI::App& root, const CLI::ParseError& error) {
  const std::vector<CLI::App*> selected = root.get_subcommands();
  const std::string command =
      selected.empty() ? "proxjit" : "proxjit " + selected.front()->get_name();
  std::cerr << "proxjit: error: " << error.what() << "\n";
  for (const std::string& line : suggestions(root))
    std::cerr << "  " << line << "\n";
  std::cerr << "Run '" << command << " --help' for the flags and an example.\n";
  return proxjit::cli::kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App root{
      "proxjit: a JIT-compiling proximal-gradient engine for min_x f(x) + r(x).\n"
      "Each problem structure is compiled once into a fused kernel and cached; new parameters "
      "and data reuse it.",
      "proxjit"};
  root.require_subcommand(1);
  root.footer(
      "Examples:\n"
      "  proxjit demo\n"
      "  proxjit list\n"
      "  proxjit solve --f quadratic --A A.npy --b b.npy --r \"l1(lambda=0.1)\" --json\n"
      "  proxjit precompile --all        (no later process pays a first-call compile)\n"
      "  proxjit cache ls\n"
      "  proxjit bench compile --opt-levels 0,2\n"
      "Compiled kernels persist in --cache-dir, $PROXJIT_CACHE_DIR, $XDG_CACHE_HOME/proxjit or\n"
      "~/.cache/proxjit (off with --no-cache or PROXJIT_NO_CACHE=1).\n"
      "Run 'proxjit <subcommand> --help' for its flags.");
  const std::vector<Command> commands = proxjit::cli::add_all_commands(root);

  // Bare `proxjit`: the overview is more useful than "A subcommand is required".
  if (argc <= 1) {
    std::cerr << root.help();
    return proxjit::cli::kExitBadInput;
  }
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and friends are "errors" with exit code 0; CLI11 prints those itself.
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return root.exit(error);
    }
    return report_parse_error(root, error);
  }

  try {
    for (const Command& command : commands) {
      if (command.app->parsed()) return command.run();
    }
    std::cerr << "proxjit: error: no subcommand given\n";
    return proxjit::cli::kExitBadInput;
  } catch (const proxjit::Error& error) {
    std::cerr << "proxjit: error: " << error.what() << "\n";
    return proxjit::cli::kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << "proxjit: internal error: " << error.what() << "\n";
    return proxjit::cli::kExitSolveError;
  }
}
