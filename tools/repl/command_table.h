#pragma once
// The REPL's commands, one table: each row's name, usage and description give `help`, its
// handler runs the command, and its completer offers the arguments. Internal to tools/repl.

#include <atomic>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "session_state.h"

namespace proxjit::repl {

// One command line being run.
struct CommandCall {
  Session::State& state;
  std::ostream& out;
  std::atomic<bool>* interrupt;  // SolverOptions::interrupt during solves
  bool& quit;
  std::string_view line;           // as typed, trimmed (def and `set r` read the rest of it)
  std::vector<std::string> words;  // split_words(line); words[0] is the command
};

// One word being completed.
struct CompletionCall {
  std::string_view before;         // the line up to the word
  std::string prefix;              // the word typed so far
  std::vector<std::string> words;  // the words before it; words[0] is the command
  Completion& result;

  // Offers the names that start with the prefix.
  void offer(const std::vector<std::string>& names) const;
};

struct ReplCommand {
  std::string name;
  std::vector<std::string> aliases;  // also accepted ("exit" for quit), not listed by `help`
  std::string usage;
  std::string description;
  // Throws proxjit::Error on bad input; returns false for a command that ran but failed.
  bool (*run)(CommandCall& call);
  void (*complete)(CompletionCall& call);  // nullptr: nothing to offer
};

// The commands, in the order `help` lists them.
const std::vector<ReplCommand>& command_table();
// By name or alias; nullptr when there is none.
const ReplCommand* find_command(std::string_view name);
// Names and then aliases: what completion and "did you mean" choose from.
std::vector<std::string> command_names();
// The usage line of a command in the table.
std::string usage_of(std::string_view name);
// Throws "<command>: takes no arguments, got '<first>'" when there are any.
void no_arguments(const std::vector<std::string>& words);

// The handlers and completers, by file: data_commands.cpp, setting_commands.cpp,
// solve_commands.cpp, model_commands.cpp.
bool run_load(CommandCall& call);
bool run_gen(CommandCall& call);
bool run_def(CommandCall& call);
bool run_x(CommandCall& call);
bool run_set(CommandCall& call);
bool run_show(CommandCall& call);
bool run_help(CommandCall& call);
bool run_solve(CommandCall& call);
bool run_time(CommandCall& call);
bool run_path(CommandCall& call);
bool run_cache(CommandCall& call);
bool run_inspect(CommandCall& call);
bool run_fit(CommandCall& call);      // model_commands.cpp
bool run_predict(CommandCall& call);
bool run_cv(CommandCall& call);
bool run_model(CommandCall& call);
void complete_gen(CompletionCall& call);
void complete_set(CompletionCall& call);
// The `set` command's usage and description, from the settings table.
std::string set_usage();
std::string set_description();
// The names `set` accepts: f, r, the settings table's REPL settings, intercept.
std::vector<std::string> set_names();

}  // namespace proxjit::repl
