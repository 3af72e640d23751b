#include "settings.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"
#include "text_util.h"

namespace proxjit::tools {
namespace {

// One of `words`, else "unknown <what> 'x' (did you mean 'y'?); expected a, b or c".
std::size_t word_index(const std::string& text, const std::vector<std::string>& words,
                       const std::string& what, const std::string& who) {
  const auto found = std::find(words.begin(), words.end(), text);
  if (found != words.end()) return static_cast<std::size_t>(found - words.begin());
  std::string expected;
  for (std::size_t i = 0; i < words.size(); ++i) {
    expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  }
  throw Error(who + ": unknown " + what + " '" + text + "'" + did_you_mean(text, words) +
              "; expected " + expected);
}

bool on_off(const std::string& text, const std::string& who) {
  if (text != "on" && text != "off") throw Error(who + ": expected on or off, got '" + text + "'");
  return text == "on";
}

// "off" for 0 (a stopping test that is not used), both ways.
std::string number_or_off(double value) {
  return value == 0.0 ? "off" : number_text(value);
}
double number_or_off(const std::string& text, const std::string& who) {
  return text == "off" ? 0.0 : parse_number(text, who);
}

template <typename Enum>
std::vector<std::string> names_of(std::initializer_list<Enum> values) {
  std::vector<std::string> names;
  for (const Enum value : values)
    names.emplace_back(to_string(value));
  return names;
}

const std::vector<StepSchedule> kSchedules = {StepSchedule::constant, StepSchedule::inv_t,
                                              StepSchedule::inv_sqrt_t, StepSchedule::decay};
const std::vector<Sampling> kSamplings = {Sampling::with_replacement, Sampling::shuffle};

std::vector<Setting> make_settings() {
  std::vector<Setting> table;
  const auto add = [&](Setting setting) { table.push_back(std::move(setting)); };

  Setting max_iter{.name = "max_iter",
                   .flag = "--max-iter",
                   .value_name = "N",
                   .help = "Upper bound on iterations",
                   .in_repl = true,
                   .field = "max_iterations"};
  max_iter.parse = [](const std::string& text, SolverOptions& options, const std::string& who) {
    options.max_iterations = parse_integer(text, who);
  };
  max_iter.print = [](const SolverOptions& o) { return std::to_string(o.max_iterations); };

  add({.name = "algorithm",
       .flag = "--algorithm",
       .value_name = "NAME",
       .help = "Solver loop; auto (the default) picks one for the pair (see proxjit list)",
       .words = algorithm_names(),
       .in_repl = true,
       .field = "algorithm",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             const std::size_t index = word_index(text, algorithm_names(), "algorithm", who);
             options.algorithm =
                 index == 0 ? Algorithm::automatic : algorithm_table()[index - 1].algorithm;
           },
       .print = [](const SolverOptions& o) { return std::string(to_string(o.algorithm)); }});
  add({.name = "step",
       .flag = "--step",
       .value_name = "STEP",
       .help = "A fixed step, auto (1/L from the Lipschitz bound) or backtracking (a line search "
               "from 1/L; proximal gradient)",
       .words = {"auto", "backtracking"},
       .in_repl = true,
       .field = "step",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             options.line_search = text == "backtracking";
             if (text == "auto" || text == "backtracking") {
               options.step = 0.0;
               return;
             }
             errno = 0;
             char* end = nullptr;
             const double value = std::strtod(text.c_str(), &end);
             if (text.empty() || *end != '\0' || errno == ERANGE) {
               throw Error(who + ": expected a number, auto or backtracking, got '" + text + "'" +
                           did_you_mean(text, {"auto", "backtracking"}));
             }
             options.step = value;
           },
       .print =
           [](const SolverOptions& o) {
             if (o.line_search) return std::string("backtracking");
             return o.step == 0.0 ? std::string("auto (1/L)") : number_text(o.step);
           }});
  add(max_iter);
  add({.name = "tol",
       .flag = "--tol",
       .value_name = "NUMBER",
       .help = "Stop once ||x_{k+1} - x_k|| / step <= tol (0: run every iteration)",
       .in_repl = true,
       .field = "tolerance",
       .parse = [](const std::string& text, SolverOptions& options,
                   const std::string& who) { options.tolerance = parse_number(text, who); },
       .print = [](const SolverOptions& o) { return number_text(o.tolerance); }});
  add({.name = "gap_tol",
       .flag = "--gap-tol",
       .value_name = "NUMBER",
       .help = "Also stop once the duality gap is <= this (least_squares and logistic with l1, "
               "l2sq, elastic_net or box; checked every cd epoch, else every 5 iterations); 0: "
               "off",
       .words = {"off"},
       .in_repl = true,
       .field = "gap_tolerance",
       .parse = [](const std::string& text, SolverOptions& options,
                   const std::string& who) { options.gap_tolerance = number_or_off(text, who); },
       .print = [](const SolverOptions& o) { return number_or_off(o.gap_tolerance); }});
  add({.name = "obj_tol",
       .flag = "--obj-tol",
       .value_name = "NUMBER",
       .help = "Also stop once the objective changes by at most this, relative, between checks "
               "(every trace_every iterations, else 10); 0: off",
       .words = {"off"},
       .in_repl = true,
       .field = "objective_tolerance",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             options.objective_tolerance = number_or_off(text, who);
           },
       .print = [](const SolverOptions& o) { return number_or_off(o.objective_tolerance); }});
  add({.name = "dtype",
       .flag = "--dtype",
       .value_name = "DTYPE",
       .help = "Scalar type the kernel computes in: float64 or float32",
       .words = names_of({ScalarType::f32, ScalarType::f64}),
       .in_repl = true,
       .field = "scalar",
       .parse = [](const std::string& text, SolverOptions& options,
                   const std::string& who) { options.scalar = scalar_named(text, who); },
       .print = [](const SolverOptions& o) { return std::string(to_string(o.scalar)); }});
  add({.name = "backend",
       .flag = "--backend",
       .value_name = "NAME",
       .help = "Where the loop runs: jit or reference",
       .words = names_of({Backend::jit, Backend::reference}),
       .in_repl = true,
       .field = "backend",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             const std::vector<std::string> names = names_of({Backend::jit, Backend::reference});
             options.backend =
                 word_index(text, names, "backend", who) == 0 ? Backend::jit : Backend::reference;
           },
       .print = [](const SolverOptions& o) { return std::string(to_string(o.backend)); }});
  add({.name = "max_time",
       .flag = "--max-time",
       .value_name = "SECONDS",
       .help = "Stop the run after this many seconds (status max_time; 0 or none: no limit)",
       .words = {"none"},
       .in_repl = true,
       .field = "max_time",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             options.max_time = text == "none" ? 0.0 : parse_number(text, who);
           },
       .print =
           [](const SolverOptions& o) {
             return o.max_time == 0.0 ? std::string("none") : number_text(o.max_time) + " s";
           }});

  // Settings the command line has and the REPL does not offer yet: adding one to the REPL
  // (in_repl) adds it to `show` and to the "settings:" lists of its messages.
  Setting epochs = max_iter;
  epochs.name = "epochs";
  epochs.flag = "--epochs";
  epochs.help = "sgd, saga, svrg: upper bound on epochs (their iterations; --max-iter)";
  epochs.excludes = "max_iter";
  epochs.in_repl = false;
  add(epochs);
  add({.name = "restart",
       .flag = "--no-restart",
       .help = "FISTA: keep the momentum even when it points uphill (no adaptive restart)",
       .words = {"on", "off"},
       .switch_value = "off",
       .field = "adaptive_restart",
       .parse = [](const std::string& text, SolverOptions& options,
                   const std::string& who) { options.adaptive_restart = on_off(text, who); },
       .print =
           [](const SolverOptions& o) { return std::string(o.adaptive_restart ? "on" : "off"); }});
  add({.name = "seed",
       .flag = "--seed",
       .value_name = "N",
       .help = "sgd, saga, svrg: seed of the sample sequence",
       .field = "seed",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             errno = 0;
             char* end = nullptr;
             const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
             if (text.empty() || text.front() == '-' || *end != '\0' || errno == ERANGE) {
               throw Error(who + ": expected a whole number >= 0, got '" + text + "'");
             }
             options.seed = value;
           },
       .print = [](const SolverOptions& o) { return std::to_string(o.seed); }});
  add({.name = "batch_size",
       .flag = "--batch-size",
       .value_name = "N",
       .help = "sgd: samples per step",
       .field = "batch_size",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             std::int64_t value = 0;
             try {
               value = parse_integer(text, who);
             } catch (const Error&) {
             }
             if (value < 1) throw Error(who + ": expected a whole number >= 1, got " + text);
             options.batch_size = value;
           },
       .print = [](const SolverOptions& o) { return std::to_string(o.batch_size); }});
  add({.name = "step_schedule",
       .flag = "--step-schedule",
       .value_name = "NAME",
       .help = "sgd: step * 1, 1/(1+t), 1/sqrt(1+t) (t in epochs) or 1/(1+epoch)",
       .words = names_of({StepSchedule::constant, StepSchedule::inv_t, StepSchedule::inv_sqrt_t,
                          StepSchedule::decay}),
       .field = "step_schedule",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             std::vector<std::string> names;
             for (const StepSchedule schedule : kSchedules)
               names.emplace_back(to_string(schedule));
             options.step_schedule = kSchedules[word_index(text, names, "step schedule", who)];
           },
       .print = [](const SolverOptions& o) { return std::string(to_string(o.step_schedule)); }});
  add({.name = "sampling",
       .flag = "--sampling",
       .value_name = "NAME",
       .help = "sgd, saga, svrg: draw samples with_replacement, or shuffle each epoch",
       .words = names_of({Sampling::with_replacement, Sampling::shuffle}),
       .field = "sampling",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             std::vector<std::string> names;
             for (const Sampling sampling : kSamplings)
               names.emplace_back(to_string(sampling));
             options.sampling = kSamplings[word_index(text, names, "sampling", who)];
           },
       .print = [](const SolverOptions& o) { return std::string(to_string(o.sampling)); }});
  add({.name = "averaging",
       .flag = "--averaging",
       .help = "sgd: report the mean of the iterates",
       .words = {"on", "off"},
       .switch_value = "on",
       .field = "averaging",
       .parse = [](const std::string& text, SolverOptions& options,
                   const std::string& who) { options.averaging = on_off(text, who); },
       .print = [](const SolverOptions& o) { return std::string(o.averaging ? "on" : "off"); }});
  add({.name = "opt_level",
       .flag = "--opt-level",
       .value_name = "N",
       .help = "LLVM optimization level, 0..3",
       .field = "codegen.optimization_level",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             options.codegen.optimization_level =
                 static_cast<int>(std::clamp<std::int64_t>(parse_integer(text, who), -1, 1000));
           },
       .print =
           [](const SolverOptions& o) { return std::to_string(o.codegen.optimization_level); }});
  add({.name = "prefer_vector_width",
       .flag = "--prefer-vector-width",
       .value_name = "BITS",
       .help = "Preferred vector width in bits (0: let LLVM choose)",
       .field = "codegen.prefer_vector_width",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             options.codegen.prefer_vector_width =
                 static_cast<int>(std::clamp<std::int64_t>(parse_integer(text, who), -1, 1 << 20));
           },
       .print =
           [](const SolverOptions& o) { return std::to_string(o.codegen.prefer_vector_width); }});
  add({.name = "repeat",
       .flag = "--repeat",
       .value_name = "N",
       .help = "Run the solve this many times and report the best run time",
       .field = "repeat",
       .parse =
           [](const std::string& text, SolverOptions& options, const std::string& who) {
             options.repeat =
                 static_cast<int>(std::clamp<std::int64_t>(parse_integer(text, who), -1, 1 << 30));
           },
       .print = [](const SolverOptions& o) { return std::to_string(o.repeat); }});
  return table;
}

}  // namespace

const std::vector<Setting>& solver_settings() {
  static const std::vector<Setting> table = make_settings();
  return table;
}

const Setting* find_setting(std::string_view name) {
  for (const Setting& setting : solver_settings()) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

const Setting& setting_named(std::string_view name) {
  if (const Setting* setting = find_setting(name)) return *setting;
  throw std::logic_error("no setting named " + std::string(name));
}

std::vector<std::string> repl_setting_names() {
  std::vector<std::string> names;
  for (const Setting& setting : solver_settings()) {
    if (setting.in_repl) names.push_back(setting.name);
  }
  return names;
}

void apply_setting(const Setting& setting, const std::string& text, SolverOptions& options,
                   const std::string& who) {
  SolverOptions changed = options;
  setting.parse(text, changed, who);
  std::string why;
  if (!changed.IsValid(&why)) throw Error(who + ": " + why);
  options = std::move(changed);
}

void validate_settings(const SolverOptions& options,
                       const std::function<std::string(const Setting&)>& flag_of,
                       const std::vector<std::pair<std::string, std::string>>& fallbacks) {
  std::string why;
  if (options.IsValid(&why)) return;
  // IsValid's messages start with the field's name: "max_iterations must be >= 1; got 0".
  const auto names_field = [&](const std::string& field) {
    return why.starts_with(field) && why.size() > field.size() && why[field.size()] == ' ';
  };
  for (const Setting& setting : solver_settings()) {
    if (setting.excludes.empty() && names_field(setting.field)) {
      throw Error(flag_of(setting) + ": " + why);
    }
  }
  for (const auto& [field, flag] : fallbacks) {
    if (names_field(field)) throw Error(flag + ": " + why);
  }
  throw Error(why);
}

double parse_number(const std::string& text, const std::string& who) {
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE) {
    throw Error(who + ": expected a number, got '" + text + "'");
  }
  return value;
}

std::int64_t parse_integer(const std::string& text, const std::string& who) {
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && end == text.c_str() + text.size() && errno != ERANGE) return value;
  // "1e4" is a common way to write an iteration count: accept exact integers.
  errno = 0;
  const double number = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE ||
      std::floor(number) != number || std::abs(number) > 9e18) {
    throw Error(who + ": expected an integer, got '" + text + "'");
  }
  return static_cast<std::int64_t>(number);
}

const std::vector<AlgorithmEntry>& algorithm_table() {
  static const std::vector<AlgorithmEntry> table = {
      {std::string(to_string(Algorithm::proximal_gradient)), Algorithm::proximal_gradient,
       "proximal gradient: x <- prox_{step r}(x - step * grad f(x))"},
      {std::string(to_string(Algorithm::fista)), Algorithm::fista,
       "FISTA (accelerated proximal gradient) with adaptive restart, O(1/k^2)"},
      {std::string(to_string(Algorithm::coordinate_descent)), Algorithm::coordinate_descent,
       "cyclic proximal coordinate descent for separable r; an iteration is an epoch"},
      {std::string(to_string(Algorithm::sgd)), Algorithm::sgd,
       "proximal stochastic gradient (losses): --step-schedule, --batch-size, --averaging; an "
       "iteration is an epoch"},
      {std::string(to_string(Algorithm::saga)), Algorithm::saga,
       "SAGA (losses), one stored gradient per sample, lagged sparse updates; an iteration is "
       "an epoch"},
      {std::string(to_string(Algorithm::svrg)), Algorithm::svrg,
       "proximal SVRG (losses), a full-gradient snapshot per epoch; an iteration is an epoch"},
  };
  return table;
}

std::vector<std::string> algorithm_names() {
  std::vector<std::string> names = {"auto"};
  for (const AlgorithmEntry& entry : algorithm_table())
    names.push_back(entry.name);
  return names;
}

ScalarType scalar_named(const std::string& text, const std::string& who) {
  if (text == "float64" || text == "f64" || text == "double") return ScalarType::f64;
  if (text == "float32" || text == "f32" || text == "float") return ScalarType::f32;
  word_index(text, names_of({ScalarType::f64, ScalarType::f32}), "dtype", who);  // throws
  return ScalarType::f64;
}

}  // namespace proxjit::tools
