// `proxjit repl` on a terminal: GNU readline (callback interface) for line editing, history
// kept across sessions and tab completion; SIGINT interrupts a running solve, or clears the line
// at the prompt. Scripts (stdin not a terminal, or a FILE argument) bypass all of that.

#include <fcntl.h>
#include <sys/select.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

// clang-format off
#include <readline/readline.h>
#include <readline/history.h>
// clang-format on

#include "commands.h"
#include "proxjit/runtime/error.h"
#include "repl.h"

namespace proxjit::repl {
namespace {

constexpr int kHistoryLines = 1000;
constexpr const char* kPrompt = "proxjit> ";

// Set by SIGINT during a solve; the solve polls it (SolverOptions::interrupt).
std::atomic<bool> g_interrupt{false};
// Set by SIGINT at the prompt: the main loop clears the line.
volatile std::sig_atomic_t g_prompt_interrupted = 0;
volatile std::sig_atomic_t g_script_mode = 0;

extern "C" void on_sigint(int) {
  if (Session::solving()) {
    g_interrupt.store(true);
    return;
  }
  if (g_script_mode) _exit(130);  // a script between solves: stop, as the shell would
  g_prompt_interrupted = 1;
}

void install_sigint_handler() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // select() still returns EINTR, which the prompt loop needs
  sigaction(SIGINT, &action, nullptr);
}

// $PROXJIT_HISTORY, else $XDG_STATE_HOME/proxjit/history, else ~/.local/state/proxjit/history.
std::string history_path() {
  if (const char* path = std::getenv("PROXJIT_HISTORY"); path && *path) return path;
  std::filesystem::path state;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    state = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    state = std::filesystem::path(home) / ".local" / "state";
  } else {
    return "";
  }
  return (state / "proxjit" / "history").string();
}

// Makes sure the history file exists (owner-only); false when it cannot be made.
bool prepare_history_file(const std::string& path) {
  if (path.empty()) return false;
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, error)) {
    std::filesystem::create_directories(parent, error);
    if (error) return false;
    std::filesystem::permissions(parent, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

struct Interactive {
  Session* session = nullptr;
  std::string history;  // empty: not kept
  bool done = false;
  std::vector<std::string> candidates;  // of the completion in progress
};
Interactive g_repl;

char* candidate_generator(const char* /*text*/, int state) {
  static std::size_t next = 0;
  if (state == 0) next = 0;
  if (next >= g_repl.candidates.size()) return nullptr;
  return strdup(g_repl.candidates[next++].c_str());
}

char** attempt_completion(const char* text, int start, int end) {
  rl_attempted_completion_over = 1;  // no file names unless the session asks for them
  const Completion completion =
      g_repl.session->complete(std::string_view(rl_line_buffer, static_cast<std::size_t>(end)),
                               static_cast<std::size_t>(start));
  if (completion.files) {
    rl_attempted_completion_over = 0;
    return nullptr;
  }
  if (completion.candidates.empty()) return nullptr;
  g_repl.candidates = completion.candidates;
  rl_completion_append_character = completion.append_space ? ' ' : '\0';
  return rl_completion_matches(text, candidate_generator);
}

void remember(const std::string& line) {
  if (line.find_first_not_of(" \t") == std::string::npos) return;
  if (history_length > 0) {
    HIST_ENTRY* previous = history_get(history_base + history_length - 1);
    if (previous && line == previous->line) return;
  }
  add_history(line.c_str());
  if (!g_repl.history.empty()) append_history(1, g_repl.history.c_str());
}

void on_line(char* raw) {
  if (raw == nullptr) {  // Ctrl-D on an empty line
    std::cout << "\n";
    g_repl.done = true;
    rl_callback_handler_remove();
    return;
  }
  const std::string line(raw);
  std::free(raw);
  remember(line);
  g_repl.session->execute(line);
  std::cout.flush();
  if (g_repl.session->quit_requested()) {
    g_repl.done = true;
    rl_callback_handler_remove();
  }
}

void clear_line_after_sigint() {
  g_prompt_interrupted = 0;
  rl_free_line_state();
  rl_callback_sigcleanup();
  rl_replace_line("", 0);
  rl_crlf();
  rl_on_new_line();
  rl_redisplay();
}

int run_interactive() {
  Session session(std::cout, std::cerr, &g_interrupt);
  g_repl.session = &session;
  g_repl.history = history_path();
  if (!prepare_history_file(g_repl.history)) {
    if (!g_repl.history.empty()) {
      std::cerr << "proxjit repl: warning: cannot keep history in " << g_repl.history << "\n";
    }
    g_repl.history.clear();
  }
  using_history();
  stifle_history(kHistoryLines);
  if (!g_repl.history.empty()) read_history(g_repl.history.c_str());

  rl_readline_name = "proxjit";
  rl_catch_signals = 0;  // our SIGINT handler: interrupt a solve, or clear the line
  rl_basic_word_break_characters = const_cast<char*>(" \t(,=");
  rl_attempted_completion_function = attempt_completion;
  install_sigint_handler();

  std::cout << "proxjit repl: describe and solve min_x f(x) + r(x). Type `help` for commands, "
               "Tab to complete, Ctrl-C to interrupt a solve, Ctrl-D to quit.\n";
  std::cout.flush();
  rl_callback_handler_install(kPrompt, on_line);
  while (!g_repl.done) {
    if (g_prompt_interrupted) clear_line_after_sigint();
    fd_set ready;
    FD_ZERO(&ready);
    FD_SET(STDIN_FILENO, &ready);
    const int count = select(STDIN_FILENO + 1, &ready, nullptr, nullptr, nullptr);
    if (count < 0) {
      if (errno == EINTR) continue;
      break;
    }
    rl_callback_read_char();
  }
  if (!g_repl.done) rl_callback_handler_remove();
  if (!g_repl.history.empty()) history_truncate_file(g_repl.history.c_str(), kHistoryLines);
  g_repl.session = nullptr;
  return 0;
}

int run_repl(const std::string& script) {
  if (!script.empty()) {
    std::ifstream file(script);
    if (!file) throw Error("repl: cannot open script '" + script + "'");
    g_script_mode = 1;
    install_sigint_handler();
    return run_script(file, std::cout, std::cerr, &g_interrupt);
  }
  if (!isatty(STDIN_FILENO)) {
    g_script_mode = 1;
    install_sigint_handler();
    return run_script(std::cin, std::cout, std::cerr, &g_interrupt);
  }
  return run_interactive();
}

}  // namespace

cli::Command add_repl_command(CLI::App& root) {
  auto script = std::make_shared<std::string>();
  CLI::App* app = root.add_subcommand("repl",
                                      "Interactive session: describe and solve problems, one "
                                      "command a line (Tab completes, history kept)");
  app->add_option("FILE", *script,
                  "Run the commands in FILE as a script (as when stdin is not a terminal)")
      ->type_name("FILE");
  app->footer(
      "Examples:\n"
      "  proxjit repl\n"
      "    proxjit> gen quadratic d=50 seed=0\n"
      "    proxjit> set r l1(lambda=0.1)\n"
      "    proxjit> solve\n"
      "    proxjit> time\n"
      "  proxjit repl session.pjx        (or: proxjit repl < session.pjx)\n"
      "Scripts print no prompt and no banner, run every command (a failing one reports\n"
      "\"error: line N: ...\" on stderr and the next one runs), and exit with status 1 if any\n"
      "command failed, 0 otherwise.\n"
      "History: $PROXJIT_HISTORY, else $XDG_STATE_HOME/proxjit/history, else\n"
      "~/.local/state/proxjit/history.");
  return {app, [script] { return run_repl(*script); }};
}

}  // namespace proxjit::repl
