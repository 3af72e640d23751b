#pragma once
// `proxjit repl`: an interactive session that describes and solves problems.
//
// The session (commands, state, completion candidates) is separate from the line editor
// (GNU readline, history, Ctrl-C), so it can be driven by tests and by scripts:
//
//   proxjit::repl::Session session(std::cout, std::cerr);
//   session.execute("gen quadratic d=50 seed=0");
//   session.execute("set r l1(lambda=0.1)");
//   session.execute("solve");          // false when the command failed ("error: ..." printed)
//
// Scripts (stdin not a terminal, or `proxjit repl FILE`) run every command, print no prompt,
// banner or echo, and exit with status 1 if any command failed (0 otherwise).

#include <atomic>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "proxjit/engine.h"
#include "proxjit/options.h"
#include "proxjit/problem.h"
#include "proxjit/summary.h"

namespace proxjit::cli {
struct Command;
}

namespace proxjit::repl {

// What the completer offers for the word under the cursor.
struct Completion {
  std::vector<std::string> candidates;  // full words starting with the typed prefix
  bool files = false;                   // complete file names instead
  bool append_space = true;             // false after "lambda=" and the like
};

class Session {
 public:
  // `interrupt` is passed as SolverOptions::interrupt during solves (a SIGINT handler sets it);
  // it is cleared before each solve. Null: solves cannot be interrupted.
  Session(std::ostream& out, std::ostream& err, std::atomic<bool>* interrupt = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs one line. Blank lines and '#' comments do nothing. Returns false when the command
  // failed; the error has been printed to `err` as "error: ...". `where`, when not empty, is
  // put in front of the message ("line 3: ").
  bool execute(std::string_view line, const std::string& where = "");
  // True once `quit` or `exit` ran.
  bool quit_requested() const { return quit_; }

  // Candidates for the word that starts at `word_start` in `line` (the text up to the cursor).
  Completion complete(std::string_view line, std::size_t word_start) const;

  // True while a solve runs (the SIGINT handler interrupts it rather than the REPL).
  static bool solving();

  struct State;  // session_state.h

 private:
  std::unique_ptr<State> state_;
  std::ostream& out_;
  std::ostream& err_;
  std::atomic<bool>* interrupt_;
  bool quit_ = false;
};

// Runs the session over `input` (a script): no prompt, no echo. Returns 1 if any command
// failed, 0 otherwise. Stops at `quit`/`exit` or the end of input.
int run_script(std::istream& input, std::ostream& out, std::ostream& err,
               std::atomic<bool>* interrupt = nullptr);

// Registers `proxjit repl [FILE]`.
cli::Command add_repl_command(CLI::App& root);

}  // namespace proxjit::repl
