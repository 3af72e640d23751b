// The REPL's command table, and the completers of the commands whose arguments are fixed words.

#include "command_table.h"

#include <algorithm>

namespace proxjit::repl {
namespace {

bool run_quit(CommandCall& call) {
  no_arguments(call.words);
  call.quit = true;
  return true;
}

void complete_command_name(CompletionCall& call) {
  if (call.words.size() == 1) call.offer(command_names());
}

void complete_files(CompletionCall& call) {
  call.result.files = true;
}

void complete_x(CompletionCall& call) {
  if (call.words.size() == 1) {
    call.offer({"save"});
  } else {
    call.result.files = true;
  }
}

void complete_model(CompletionCall& call) {
  if (call.words.size() == 1) {
    call.offer({"save", "load"});
  } else {
    call.result.files = true;
  }
}

void complete_show(CompletionCall& call) {
  if (call.words.size() == 1) call.offer({"summary"});
}

void complete_solve(CompletionCall& call) {
  if (call.words.size() == 1) call.offer({"-v"});
}

void complete_inspect(CompletionCall& call) {
  if (call.words.size() == 1) call.offer({"ir", "asm"});
}

std::vector<ReplCommand> make_table() {
  return {
      {"load",
       {},
       "load A.npy b.npy | load A=FILE b=FILE | load data.svm",
       "Load the data: a matrix A and a vector b (.npy, .csv/.txt, .mtx), or a LIBSVM file "
       "(.svm, .libsvm, .svmlight) holding both.",
       run_load,
       complete_files},
      {"gen",
       {},
       "gen lasso n=1000 d=200 seed=0 [noise=0.1 nnz=10] | gen quadratic d=50 seed=0",
       "Generate data (runtime/synthetic.h: the same seed gives the same data on every "
       "machine). lasso: A n x d standard normal, b = A x_true + noise, x_true with nnz "
       "nonzeros of magnitude 1 to 2 (sets f least_squares). quadratic: A = M'M/d + 0.1 I "
       "symmetric positive definite with M standard normal, b standard normal (sets f "
       "quadratic).",
       run_gen,
       complete_gen},
      {"set", {}, set_usage(), set_description(), run_set, complete_set},
      {"def",
       {},
       "def loss NAME(z, y; params) = EXPR [; grad = EXPR] [; lipschitz = EXPR] | "
       "def prox NAME(y, alpha; params) = EXPR [; value(x) = EXPR]",
       "Define a component as a formula; its name then works in `set f` / `set r`, compiled "
       "into the same kernels as the built-ins. Example: def prox soft(y, alpha; lambda=0.1) = "
       "sign(y) * max(abs(y) - alpha * lambda, 0) ; value(x) = lambda * abs(x)",
       run_def,
       nullptr},
      {"show",
       {},
       "show | show summary",
       "Print the problem, the data and the options; `show summary` prints the full report of "
       "the last solve.",
       run_show,
       complete_show},
      {"solve",
       {},
       "solve [-v]",
       "Solve and print a one-line report (-v: the full report). Ctrl-C interrupts the solve "
       "(status interrupted), not the session.",
       run_solve,
       complete_solve},
      {"time",
       {},
       "time",
       "Solve twice in a fresh engine without disk cache: the first call pays the compile, the "
       "second is a cache hit; prints both and their ratio.",
       run_time,
       nullptr},
      {"path",
       {},
       "path [PARAMETER] V1 V2 ... | path [PARAMETER] FROM:TO:COUNT",
       "A regularization path over the prox's parameter (lambda by default): one warm-started "
       "solve per value, all on one kernel; prints a row per value.",
       run_path,
       nullptr},
      {"fit",
       {},
       "fit",
       "Fit a model of f + r on the data (a loss over samples): any two labels of a classifier, "
       "more by one against the rest; prints the training scores. `predict` and `model save` use "
       "it.",
       run_fit,
       nullptr},
      {"predict",
       {},
       "predict [test.svm]",
       "Score the model on the loaded data, or on a LIBSVM file read at the model's width "
       "(accuracy, log loss, ROC AUC; MSE, R^2; Poisson deviance).",
       run_predict,
       complete_files},
      {"cv",
       {},
       "cv [folds=5] [count=100] [seed=0] [choose=min|1se]",
       "Cross-validate lambda over the automatic grid (count values from lambda_max down): "
       "the mean validation loss per value, the minimum and the one-standard-error choice; the "
       "model refitted at the choice becomes the session's model.",
       run_cv,
       nullptr},
      {"model",
       {},
       "model | model save FILE | model load FILE",
       "Show the session's model, write it (JSON, as `proxjit fit --model-out`), or read one.",
       run_model,
       complete_model},
      {"cache",
       {},
       "cache",
       "In-memory kernel cache counters and the disk cache statistics.",
       run_cache,
       nullptr},
      {"inspect",
       {},
       "inspect ir|asm",
       "Print the optimized LLVM IR or the assembly of the kernel a solve would use.",
       run_inspect,
       complete_inspect},
      {"x",
       {},
       "x | x save FILE",
       "Show the last solution, or write it (.npy or .csv by extension).",
       run_x,
       complete_x},
      {"help",
       {},
       "help [command]",
       "List the commands, or describe one.",
       run_help,
       complete_command_name},
      {"quit", {"exit"}, "quit | exit | Ctrl-D", "Leave the session.", run_quit, nullptr},
  };
}

}  // namespace

void CompletionCall::offer(const std::vector<std::string>& names) const {
  for (const std::string& name : names) {
    if (name.starts_with(prefix)) result.candidates.push_back(name);
  }
}

const std::vector<ReplCommand>& command_table() {
  static const std::vector<ReplCommand> table = make_table();
  return table;
}

const ReplCommand* find_command(std::string_view name) {
  for (const ReplCommand& command : command_table()) {
    if (command.name == name) return &command;
    if (std::find(command.aliases.begin(), command.aliases.end(), name) != command.aliases.end()) {
      return &command;
    }
  }
  return nullptr;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const ReplCommand& command : command_table())
    names.push_back(command.name);
  for (const ReplCommand& command : command_table())
    names.insert(names.end(), command.aliases.begin(), command.aliases.end());
  return names;
}

std::string usage_of(std::string_view name) {
  const ReplCommand* command = find_command(name);
  return command ? command->usage : std::string(name);
}

void no_arguments(const std::vector<std::string>& words) {
  if (words.size() > 1) {
    throw Error(words[0] + ": takes no arguments, got '" + words[1] + "'");
  }
}

}  // namespace proxjit::repl
