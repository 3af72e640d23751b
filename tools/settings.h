#pragma once
// The solver settings as people name them, defined once for the command line and the REPL:
// `proxjit solve --max-iter 500` and `set max_iter 500` parse the same text with the same code,
// fail with the same message (after "--max-iter: " or "set max_iter: "), and print the value the
// same way.
//
//   SolverOptions options;
//   const Setting& tol = setting_named("tol");
//   apply_setting(tol, "1e-10", options, "--tol");   // throws proxjit::Error("--tol: ...")
//   tol.print(options);                              // "1e-10"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "proxjit/options.h"

namespace proxjit::tools {

struct Setting {
  std::string name = {};        // the REPL's word: "max_iter"
  std::string flag = {};        // the command line's: "--max-iter"
  std::string value_name = {};  // in --help: "N", "NUMBER", "NAME"
  std::string help = {};        // one description for --help and the REPL's `help set`
  // The words a value may be, for completion: all of them for a choice ("pgd", "fista", ...),
  // the words a number may be replaced by for a number ("off", "none", "auto").
  std::vector<std::string> words = {};
  // Non-empty for an on/off setting that the command line writes as a flag without a value:
  // giving the flag means this value ("--no-restart" is restart "off").
  std::string switch_value = {};
  // Another setting whose flag this one excludes on the command line (--epochs: --max-iter).
  std::string excludes = {};
  bool in_repl = false;  // offered by `set` and shown by `show`
  // The SolverOptions field as SolverOptions::IsValid names it ("max_iterations"), so that its
  // message can be put after the flag or the `set` that changed it.
  std::string field = {};
  // Sets the options from `text`; throws proxjit::Error starting with `who` on text that is
  // not a value of the setting. Ranges are left to SolverOptions::IsValid (apply_setting).
  std::function<void(const std::string& text, SolverOptions& options, const std::string& who)>
      parse = {};
  // The value as the REPL shows it and the command line's --help gives its default.
  std::function<std::string(const SolverOptions& options)> print = {};
};

// Every setting, in the order `show` lists the REPL's.
const std::vector<Setting>& solver_settings();
// nullptr when there is no such setting.
const Setting* find_setting(std::string_view name);
// The setting, which must exist (a programming error otherwise).
const Setting& setting_named(std::string_view name);
// The names of the settings the REPL offers, in table order.
std::vector<std::string> repl_setting_names();

// setting.parse, then SolverOptions::IsValid for the field it changed: on failure the options
// are left as they were and the message is "<who>: <why>".
void apply_setting(const Setting& setting, const std::string& text, SolverOptions& options,
                   const std::string& who);
// SolverOptions::IsValid, its message put after the flag of the setting whose field failed
// (`flag_of(setting)`), or after `fallbacks` for fields no setting has ({"x0", "--x0"}).
void validate_settings(const SolverOptions& options,
                       const std::function<std::string(const Setting&)>& flag_of,
                       const std::vector<std::pair<std::string, std::string>>& fallbacks = {});

// A number, else "<who>: expected a number, got 'x'".
double parse_number(const std::string& text, const std::string& who);
// An integer ("1e4" too, if exact), else "<who>: expected an integer, got 'x'".
std::int64_t parse_integer(const std::string& text, const std::string& who);

struct AlgorithmEntry {
  std::string name;  // what --algorithm and `set algorithm` accept
  Algorithm algorithm;
  std::string description;
};

// Every algorithm the engine knows, in the order `proxjit list` shows them.
const std::vector<AlgorithmEntry>& algorithm_table();
// "auto" and then the table's names.
std::vector<std::string> algorithm_names();
// "float64" / "float32" (also "f64", "double", "f32", "float"); throws naming `who`.
ScalarType scalar_named(const std::string& text, const std::string& who);

}  // namespace proxjit::tools
