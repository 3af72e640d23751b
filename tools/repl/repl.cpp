// The REPL session: parses one command line at a time, keeps the problem, options, engine and
// last solution, and offers completion candidates. No terminal handling here (line_editor.cpp).

#include "repl.h"

#include "../text_util.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include "common.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/smooth.h"
#include "proxjit/runtime/user_components.h"

namespace proxjit::repl {
namespace {

using tools::duration;
using tools::joined;
using tools::prox_names;
using tools::smooth_names;

std::atomic<bool> g_solving{false};

// Marks a solve in progress for the SIGINT handler.
class SolvingScope {
 public:
  explicit SolvingScope(std::atomic<bool>* interrupt) {
    if (interrupt) interrupt->store(false);
    g_solving.store(true);
  }
  ~SolvingScope() { g_solving.store(false); }
  SolvingScope(const SolvingScope&) = delete;
  SolvingScope& operator=(const SolvingScope&) = delete;
};

const std::vector<std::string> kSettings = {"f",        "r",       "algorithm", "step",
                                            "max_iter", "tol",     "gap_tol",   "obj_tol",
                                            "dtype",    "backend", "max_time",  "intercept"};
const std::vector<std::string> kGenKinds = {"lasso", "quadratic"};

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const CommandHelp& command : command_table())
    names.push_back(command.name);
  names.push_back("exit");
  return names;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string nearest = nearest_name(name, candidates);
  if (nearest.empty() || nearest == name) return "";
  return " (did you mean '" + nearest + "'?)";
}

std::vector<std::string> algorithm_names() {
  std::vector<std::string> names = {"auto"};
  for (const cli::AlgorithmEntry& entry : cli::algorithm_table())
    names.push_back(entry.name);
  return names;
}

// Words separated by blanks; "double quotes" keep blanks in a word (file names).
std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
      in_word = true;
      continue;
    }
    if (!quoted && (c == ' ' || c == '\t')) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
      continue;
    }
    word += c;
    in_word = true;
  }
  if (quoted) throw Error("unterminated quote");
  if (in_word) words.push_back(word);
  return words;
}

std::string trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

double parse_number(const std::string& text, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE) {
    throw Error(what + ": expected a number, got '" + text + "'");
  }
  return value;
}

std::int64_t parse_integer(const std::string& text, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE) {
    // "1e4" is a common way to write an iteration count: accept exact integers.
    errno = 0;
    const double number = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE) {
      throw Error(what + ": expected an integer, got '" + text + "'");
    }
    if (std::floor(number) != number || std::abs(number) > 9e18) {
      throw Error(what + ": expected an integer, got '" + text + "'");
    }
    return static_cast<std::int64_t>(number);
  }
  return value;
}

// The shortest text that reads back as `value`: "60", "0.001", "1e-08".
std::string number_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// key=value arguments of `gen`, checked against the keys the kind accepts.
std::vector<std::pair<std::string, std::string>> key_values(const std::vector<std::string>& words,
                                                            std::size_t first,
                                                            const std::string& command,
                                                            const std::vector<std::string>& keys) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = first; i < words.size(); ++i) {
    const std::size_t eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(command + ": expected key=value, got '" + words[i] + "' (keys: " + joined(keys) +
                  ")");
    }
    const std::string key = words[i].substr(0, eq);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      throw Error(command + ": unknown key '" + key + "'" + did_you_mean(key, keys) +
                  "; expected " + joined(keys));
    }
    pairs.emplace_back(key, words[i].substr(eq + 1));
  }
  return pairs;
}

const std::vector<std::string>& gen_keys(const std::string& kind) {
  static const std::vector<std::string> lasso = {"n", "d", "seed", "noise", "nnz"};
  static const std::vector<std::string> quadratic = {"d", "seed"};
  return kind == "lasso" ? lasso : quadratic;
}

}  // namespace

const std::vector<CommandHelp>& command_table() {
  static const std::vector<CommandHelp> table = {
      {"load", "load A.npy b.npy | load A=FILE b=FILE | load data.svm",
       "Load the data: a matrix A and a vector b (.npy, .csv/.txt, .mtx), or a LIBSVM file "
       "(.svm, .libsvm, .svmlight) holding both."},
      {"gen", "gen lasso n=1000 d=200 seed=0 [noise=0.1 nnz=10] | gen quadratic d=50 seed=0",
       "Generate data. lasso: A n x d standard normal, b = A x_true + noise, x_true with nnz "
       "nonzeros (sets f least_squares). quadratic: A = M'M/d + 0.1 I symmetric positive "
       "definite, b standard normal, the seed article's problem for d=50 seed=0 (sets f "
       "quadratic)."},
      {"set",
       "set f NAME | set r NAME(key=value, ...) | set algorithm|step|max_iter|tol|gap_tol|"
       "obj_tol|dtype|backend|max_time VALUE | set intercept on|off",
       "Choose the smooth term f, the prox r, or a solver option. algorithm auto (the default) "
       "picks one for the pair, as the command line does; step auto (or 0) is 1/L, or "
       "backtracking; tol 0 runs every iteration; gap_tol stops once the duality gap is at most "
       "it (0: off); obj_tol on the relative objective change (0: off); max_time 0 is no limit; "
       "dtype float32|float64; backend jit|reference."},
      {"def",
       "def loss NAME(z, y; params) = EXPR [; grad = EXPR] [; lipschitz = EXPR] | "
       "def prox NAME(y, alpha; params) = EXPR [; value(x) = EXPR]",
       "Define a component as a formula; its name then works in `set f` / `set r`, compiled "
       "into the same kernels as the built-ins. Example: def prox soft(y, alpha; lambda=0.1) = "
       "sign(y) * max(abs(y) - alpha * lambda, 0) ; value(x) = lambda * abs(x)"},
      {"show", "show | show summary",
       "Print the problem, the data and the options; `show summary` prints the full report of "
       "the last solve."},
      {"solve", "solve [-v]",
       "Solve and print a one-line report (-v: the full report). Ctrl-C interrupts the solve "
       "(status interrupted), not the session."},
      {"time", "time",
       "Solve twice in a fresh engine without disk cache: the first call pays the compile, the "
       "second is a cache hit; prints both and their ratio."},
      {"path", "path [PARAMETER] V1 V2 ... | path [PARAMETER] FROM:TO:COUNT",
       "A regularization path over the prox's parameter (lambda by default): one warm-started "
       "solve per value, all on one kernel; prints a row per value."},
      {"cache", "cache", "In-memory kernel cache counters and the disk cache statistics."},
      {"inspect", "inspect ir|asm",
       "Print the optimized LLVM IR or the assembly of the kernel a solve would use."},
      {"x", "x | x save FILE", "Show the last solution, or write it (.npy or .csv by extension)."},
      {"help", "help [command]", "List the commands, or describe one."},
      {"quit", "quit | exit | Ctrl-D", "Leave the session."},
  };
  return table;
}

// Reports end with exactly one newline, brief or full.
std::string with_newline(std::string report) {
  if (!report.ends_with('\n')) report += '\n';
  return report;
}

struct Session::State {
  Engine engine;
  std::optional<Matrix> A;
  std::optional<SparseMatrix> A_sparse;  // LIBSVM data stay CSR (sparse kernels)
  std::optional<Vector> b;
  std::string data_source;  // "gen quadratic d=50 seed=0", "A.npy, b.npy"
  std::optional<Vector> truth;
  SmoothComponent f = SmoothComponent::parse("quadratic");
  ProxComponent r = ProxComponent::parse("zero");
  bool intercept = false;          // fit an unpenalized intercept (losses over samples)
  std::optional<Problem> problem;  // built from the above on first use
  SolverOptions options;           // algorithm auto, as on the command line
  std::optional<Summary> last;

  const Problem& current_problem() {
    if ((!A && !A_sparse) || !b) {
      throw Error("no data: use `load A.npy b.npy` or `gen lasso n=100 d=20 seed=0` first");
    }
    if (!problem) {
      ProblemOptions data_options;
      data_options.fit_intercept = intercept;
      if (A_sparse) {
        problem.emplace(f, r, *A_sparse, *b, data_options);
      } else {
        problem.emplace(f, r, *A, *b, data_options);
      }
    }
    return *problem;
  }
  void set_sparse_data(SparseMatrix matrix, Vector vector, std::string source) {
    set_data(Matrix(), std::move(vector), std::move(source));
    A.reset();
    A_sparse = std::move(matrix);
  }
  void set_data(Matrix matrix, Vector vector, std::string source) {
    A_sparse.reset();
    A = std::move(matrix);
    b = std::move(vector);
    data_source = std::move(source);
    problem.reset();
  }
};

Session::Session(std::ostream& out, std::ostream& err, std::atomic<bool>* interrupt)
    : state_(std::make_unique<State>()), out_(out), err_(err), interrupt_(interrupt) {}

Session::~Session() = default;

bool Session::solving() {
  return g_solving.load();
}

namespace {

// One command; throws proxjit::Error on bad input.
class Runner {
 public:
  Runner(Session::State& state, std::ostream& out, std::atomic<bool>* interrupt, bool& quit)
      : s_(state), out_(out), interrupt_(interrupt), quit_(quit) {}

  // Returns false for a command that ran but failed (a solve with status error).
  bool run(std::string_view line) {
    const std::vector<std::string> words = split_words(line);
    const std::string& command = words.front();
    if (command == "load") return load(words);
    if (command == "gen") return gen(words);
    if (command == "def") return define(line);
    if (command == "set") return set(line, words);
    if (command == "show") return show(words);
    if (command == "solve") return solve(words);
    if (command == "time") return time(words);
    if (command == "path") {
      return path(words);
    }
    if (command == "cache") return cache(words);
    if (command == "inspect") return inspect(words);
    if (command == "x") return x(words);
    if (command == "help") return help(words);
    if (command == "quit" || command == "exit") {
      no_arguments(words);
      quit_ = true;
      return true;
    }
    throw Error("unknown command '" + command + "'" + did_you_mean(command, command_names()) +
                "; type `help` for the list");
  }

 private:
  static void no_arguments(const std::vector<std::string>& words) {
    if (words.size() > 1) {
      throw Error(words[0] + ": takes no arguments, got '" + words[1] + "'");
    }
  }

  static std::string usage_of(const std::string& name) {
    for (const CommandHelp& command : command_table()) {
      if (command.name == name) return command.usage;
    }
    return name;
  }

  bool define(std::string_view line) {
    const std::size_t start = line.find("def") + 3;
    const std::string text(line.substr(start));
    if (text.find_first_not_of(" \t") == std::string::npos) {
      throw Error("def: usage: " + usage_of("def"));
    }
    for (const std::string& name : define_components(text, "<repl>")) {
      out_ << "defined " << name << "\n";
    }
    return true;
  }

  bool load(const std::vector<std::string>& words) {
    const std::string usage = "usage: " + usage_of("load");
    if (words.size() == 2) {
      const std::string& path = words[1];
      const std::string lower = [&] {
        std::string text = path;
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        return text;
      }();
      // One file holds A and b only in LIBSVM form (heart_scale has no extension at all).
      const bool other_format = lower.ends_with(".npy") || lower.ends_with(".csv") ||
                                lower.ends_with(".txt") || lower.ends_with(".mtx");
      if (!other_format) {
        LabeledSparseData data = load_libsvm_sparse(path);
        out_ << "loaded " << path << ": A " << data.A.rows() << " x " << data.A.cols() << " ("
             << data.A.nonZeros() << " nonzeros, sparse), b " << data.b.size() << "\n";
        s_.truth.reset();
        s_.set_sparse_data(std::move(data.A), std::move(data.b), path);
        return true;
      }
      throw Error("load: one file must be a LIBSVM file (.svm, .libsvm, .svmlight); " + usage);
    }
    if (words.size() != 3) throw Error("load: " + usage);
    std::string a_path;
    std::string b_path;
    for (std::size_t i = 1; i < words.size(); ++i) {
      const std::string& word = words[i];
      if (word.starts_with("A=")) {
        a_path = word.substr(2);
      } else if (word.starts_with("b=")) {
        b_path = word.substr(2);
      } else if (i == 1 && a_path.empty()) {
        a_path = word;
      } else if (i == 2 && b_path.empty()) {
        b_path = word;
      } else {
        throw Error("load: cannot tell whether '" + word + "' is A or b; " + usage);
      }
    }
    if (a_path.empty() || b_path.empty()) throw Error("load: " + usage);
    Matrix A = load_matrix(a_path);
    Vector b = load_vector(b_path);
    out_ << "loaded A " << A.rows() << " x " << A.cols() << " (" << a_path << "), b " << b.size()
         << " (" << b_path << ")\n";
    s_.truth.reset();
    s_.set_data(std::move(A), std::move(b), a_path + ", " + b_path);
    return true;
  }

  bool gen(const std::vector<std::string>& words) {
    if (words.size() < 2) throw Error("gen: usage: " + usage_of("gen"));
    const std::string& kind = words[1];
    if (std::find(kGenKinds.begin(), kGenKinds.end(), kind) == kGenKinds.end()) {
      throw Error("gen: unknown kind '" + kind + "'" + did_you_mean(kind, kGenKinds) +
                  "; expected " + joined(kGenKinds));
    }
    const auto pairs = key_values(words, 2, "gen " + kind, gen_keys(kind));
    std::int64_t n = 1000, d = kind == "lasso" ? 200 : 50, seed = 0, nnz = -1;
    double noise = 0.1;
    for (const auto& [key, value] : pairs) {
      if (key == "n") n = parse_integer(value, "gen: n");
      if (key == "d") d = parse_integer(value, "gen: d");
      if (key == "seed") seed = parse_integer(value, "gen: seed");
      if (key == "nnz") nnz = parse_integer(value, "gen: nnz");
      if (key == "noise") noise = parse_number(value, "gen: noise");
    }
    if (n < 1) throw Error("gen: n must be >= 1, got " + std::to_string(n));
    if (d < 1) throw Error("gen: d must be >= 1, got " + std::to_string(d));
    const double elements = kind == "lasso" ? double(n) * double(d) : double(d) * double(d);
    if (elements > 2e8) throw Error("gen: too large (" + number_text(elements) + " entries)");
    if (!(noise >= 0) || !std::isfinite(noise)) {
      throw Error("gen: noise must be a finite number >= 0, got " + number_text(noise));
    }
    std::mt19937_64 generator(static_cast<std::uint64_t>(seed));
    std::normal_distribution<double> normal(0.0, 1.0);
    std::ostringstream source;
    if (kind == "lasso") {
      if (nnz < 0) nnz = std::min<std::int64_t>(10, d);
      if (nnz > d) {
        throw Error("gen: nnz must be <= d (" + std::to_string(d) + "), got " +
                    std::to_string(nnz));
      }
      Matrix A(n, d);
      for (Eigen::Index i = 0; i < A.rows(); ++i) {
        for (Eigen::Index j = 0; j < A.cols(); ++j)
          A(i, j) = normal(generator);
      }
      std::vector<Eigen::Index> indices(static_cast<std::size_t>(d));
      std::iota(indices.begin(), indices.end(), Eigen::Index{0});
      std::shuffle(indices.begin(), indices.end(), generator);
      Vector truth = Vector::Zero(d);
      std::uniform_real_distribution<double> magnitude(1.0, 2.0);
      for (std::int64_t k = 0; k < nnz; ++k) {
        const double sign = (generator() & 1) ? 1.0 : -1.0;
        truth(indices[static_cast<std::size_t>(k)]) = sign * magnitude(generator);
      }
      Vector b = A * truth;
      for (Eigen::Index i = 0; i < b.size(); ++i)
        b(i) += noise * normal(generator);
      source << "gen lasso n=" << n << " d=" << d << " seed=" << seed
             << " noise=" << number_text(noise) << " nnz=" << nnz;
      out_ << "generated lasso data: A " << n << " x " << d << ", b " << n << ", x_true with "
           << nnz << " nonzeros, noise " << number_text(noise) << "; f = least_squares\n";
      s_.set_data(std::move(A), std::move(b), source.str());
      s_.truth = std::move(truth);
      s_.f = SmoothComponent::parse("least_squares");
    } else {
      // The seed article's problem (as `proxjit demo`): A = M'M/d + 0.1 I, M standard normal.
      std::mt19937 article_generator(static_cast<std::mt19937::result_type>(seed));
      Matrix M(d, d);
      for (Eigen::Index i = 0; i < M.rows(); ++i) {
        for (Eigen::Index j = 0; j < M.cols(); ++j)
          M(i, j) = normal(article_generator);
      }
      Matrix A = M.transpose() * M / double(d);
      A.diagonal().array() += 0.1;
      A = (0.5 * (A + A.transpose())).eval();
      Vector b(d);
      for (Eigen::Index i = 0; i < b.size(); ++i)
        b(i) = normal(article_generator);
      source << "gen quadratic d=" << d << " seed=" << seed;
      out_ << "generated quadratic data: A " << d << " x " << d
           << " symmetric positive definite, b " << d << "; f = quadratic\n";
      s_.set_data(std::move(A), std::move(b), source.str());
      s_.truth.reset();
      s_.f = SmoothComponent::parse("quadratic");
    }
    return true;
  }

  bool set(std::string_view line, const std::vector<std::string>& words) {
    if (words.size() < 2) {
      throw Error("set: usage: " + usage_of("set") + "; settings: " + joined(kSettings));
    }
    const std::string& name = words[1];
    if (std::find(kSettings.begin(), kSettings.end(), name) == kSettings.end()) {
      throw Error("set: unknown setting '" + name + "'" + did_you_mean(name, kSettings) +
                  "; settings: " + joined(kSettings));
    }
    if (words.size() < 3) throw Error("set " + name + ": missing value");
    if (name == "r") {
      // The rest of the line, blanks included: "box(lo=-1, hi=1)".
      std::string rest = trimmed(line);
      rest = trimmed(std::string_view(rest).substr(3));  // after "set"
      rest = trimmed(std::string_view(rest).substr(1));  // after "r"
      ProxComponent r = ProxComponent::parse(rest);
      if (s_.problem) s_.problem = s_.problem->with_prox(r);
      s_.r = std::move(r);
      out_ << "r = " << s_.r.describe() << "\n";
      return true;
    }
    if (words.size() > 3) {
      throw Error("set " + name + ": one value expected, got '" + words[2] + " " + words[3] +
                  "...'");
    }
    const std::string& value = words[2];
    if (name == "intercept") {
      if (value != "on" && value != "off") {
        throw Error("set intercept: expected on or off, got '" + value + "'");
      }
      s_.intercept = value == "on";
      s_.problem.reset();
      out_ << "intercept = " << value << "\n";
      return true;
    }
    if (name == "f") {
      s_.f = SmoothComponent::parse(value);
      s_.problem.reset();
      out_ << "f = " << s_.f.describe() << "\n";
      return true;
    }
    SolverOptions options = s_.options;
    if (name == "algorithm") {
      bool found = value == "auto";
      if (found) options.algorithm = Algorithm::automatic;
      for (const cli::AlgorithmEntry& entry : cli::algorithm_table()) {
        if (entry.name == value) {
          options.algorithm = entry.algorithm;
          found = true;
        }
      }
      if (!found) {
        throw Error("set algorithm: unknown algorithm '" + value + "'" +
                    did_you_mean(value, algorithm_names()) + "; expected " +
                    joined(algorithm_names()));
      }
    } else if (name == "step") {
      options.line_search = value == "backtracking";
      options.step =
          value == "auto" || value == "backtracking" ? 0.0 : parse_number(value, "set step");
      if (!(options.step >= 0) || !std::isfinite(options.step)) {
        throw Error("set step: expected a positive number or auto, got '" + value + "'");
      }
    } else if (name == "max_iter") {
      options.max_iterations = parse_integer(value, "set max_iter");
    } else if (name == "tol") {
      options.tolerance = parse_number(value, "set tol");
    } else if (name == "gap_tol") {
      options.gap_tolerance = parse_number(value, "set gap_tol");
    } else if (name == "obj_tol") {
      options.objective_tolerance = parse_number(value, "set obj_tol");
    } else if (name == "dtype") {
      if (value == "float64" || value == "f64" || value == "double") {
        options.scalar = ScalarType::f64;
      } else if (value == "float32" || value == "f32" || value == "float") {
        options.scalar = ScalarType::f32;
      } else {
        const std::vector<std::string> names = {"float64", "float32"};
        throw Error("set dtype: unknown dtype '" + value + "'" + did_you_mean(value, names) +
                    "; expected float32 or float64");
      }
    } else if (name == "backend") {
      if (value == "jit") {
        options.backend = Backend::jit;
      } else if (value == "reference") {
        options.backend = Backend::reference;
      } else {
        const std::vector<std::string> names = {"jit", "reference"};
        throw Error("set backend: unknown backend '" + value + "'" + did_you_mean(value, names) +
                    "; expected jit or reference");
      }
    } else if (name == "max_time") {
      options.max_time = value == "none" ? 0.0 : parse_number(value, "set max_time");
    }
    std::string why;
    if (!options.IsValid(&why)) throw Error("set " + name + ": " + why);
    s_.options = std::move(options);
    out_ << name << " = " << setting_text(name) << "\n";
    return true;
  }

  std::string setting_text(const std::string& name) const {
    const SolverOptions& o = s_.options;
    if (name == "intercept") return s_.intercept ? "on" : "off";
    if (name == "algorithm") {
      return std::string(to_string(o.algorithm));
    }
    if (name == "step") {
      if (o.line_search) return "backtracking";
      return o.step == 0.0 ? "auto (1/L)" : number_text(o.step);
    }
    if (name == "max_iter") return std::to_string(o.max_iterations);
    if (name == "tol") return number_text(o.tolerance);
    if (name == "gap_tol") return o.gap_tolerance == 0.0 ? "off" : number_text(o.gap_tolerance);
    if (name == "obj_tol") {
      return o.objective_tolerance == 0.0 ? "off" : number_text(o.objective_tolerance);
    }
    if (name == "dtype") return std::string(to_string(o.scalar));
    if (name == "backend") return std::string(to_string(o.backend));
    if (name == "max_time") return o.max_time == 0.0 ? "none" : number_text(o.max_time) + " s";
    return "";
  }

  bool show(const std::vector<std::string>& words) {
    if (words.size() > 1) {
      if (words[1] != "summary" || words.size() > 2) {
        throw Error("show: usage: " + usage_of("show"));
      }
      if (!s_.last) throw Error("show summary: nothing solved yet; run `solve` first");
      out_ << with_newline(s_.last->FullReport());
      return true;
    }
    const auto row = [&](const std::string& label, const std::string& value) {
      out_ << "  " << label << std::string(label.size() < 10 ? 10 - label.size() : 1, ' ') << value
           << "\n";
    };
    row("problem", s_.f.describe() + " + " + s_.r.describe());
    if ((s_.A || s_.A_sparse) && s_.b) {
      std::ostringstream data;
      if (s_.A_sparse) {
        data << "A " << s_.A_sparse->rows() << " x " << s_.A_sparse->cols() << " sparse";
      } else {
        data << "A " << s_.A->rows() << " x " << s_.A->cols();
      }
      data << ", b " << s_.b->size() << "  (" << s_.data_source << ")";
      row("data", data.str());
    } else {
      row("data", "none (load A.npy b.npy, or gen lasso|quadratic)");
    }
    for (const std::string& name : kSettings) {
      if (name != "f" && name != "r") row(name, setting_text(name));
    }
    if (s_.last) {
      char objective[32];
      std::snprintf(objective, sizeof objective, "%.10g", s_.last->objective);
      row("last", std::string(to_string(s_.last->status)) + ", objective " + objective + ", " +
                      std::to_string(s_.last->iterations) + " iterations");
    }
    return true;
  }

  SolverOptions solve_options() const {
    SolverOptions options = s_.options;
    options.interrupt = interrupt_;
    return options;
  }

  bool solve(const std::vector<std::string>& words) {
    bool verbose = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i] == "-v" || words[i] == "--verbose") {
        verbose = true;
      } else {
        throw Error("solve: unknown argument '" + words[i] + "'; usage: " + usage_of("solve"));
      }
    }
    const Problem& problem = s_.current_problem();
    const SolverOptions options = solve_options();
    Summary summary;
    {
      SolvingScope scope(interrupt_);
      summary = s_.engine.solve(problem, options);
    }
    out_ << with_newline(verbose ? summary.FullReport() : summary.BriefReport());
    if (summary.status == SolveStatus::interrupted) {
      out_ << "interrupted (Ctrl-C) after " << summary.iterations << " iterations\n";
    }
    if (s_.truth && summary.status != SolveStatus::error && summary.x.size() == s_.truth->size()) {
      const Vector& truth = *s_.truth;
      const double relative =
          (summary.x - truth).norm() / std::max(truth.norm(), std::numeric_limits<double>::min());
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.3e", relative);
      Eigen::Index nonzeros = 0;
      for (Eigen::Index i = 0; i < summary.x.size(); ++i)
        nonzeros += summary.x(i) != 0.0;
      out_ << "  vs x_true: relative error " << buffer << ", " << nonzeros << " nonzeros (x_true "
           << (truth.array() != 0.0).count() << ")\n";
    }
    const bool ok = summary.status != SolveStatus::error;
    s_.last = std::move(summary);
    if (!ok) throw Error("solve: status error: " + s_.last->message);
    return ok;
  }

  bool path(const std::vector<std::string>& words) {
    std::size_t first = 1;
    std::string parameter = "lambda";
    if (words.size() > 1 && !words[1].empty() &&
        (std::isalpha(static_cast<unsigned char>(words[1][0])) || words[1][0] == '_') &&
        words[1] != "inf") {
      parameter = words[1];
      first = 2;
    }
    std::vector<double> values;
    for (std::size_t i = first; i < words.size(); ++i) {
      if (const auto grid = tools::log_grid(words[i], "path")) {
        values.insert(values.end(), grid->begin(), grid->end());
        continue;
      }
      char* end = nullptr;
      const double value = std::strtod(words[i].c_str(), &end);
      if (*end != '\0' || words[i].empty()) {
        throw Error("path: expected a number or FROM:TO:COUNT, got '" + words[i] +
                    "'; usage: " + usage_of("path"));
      }
      values.push_back(value);
    }
    if (values.empty()) throw Error("path: give values; usage: " + usage_of("path"));
    const Problem& problem = s_.current_problem();
    std::vector<Summary> points;
    {
      SolvingScope scope(interrupt_);
      points = s_.engine.solve_path(problem, parameter, values, solve_options());
    }
    bool ok = true;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const Summary& p = points[i];
      char row[160];
      std::snprintf(row, sizeof row, "  %s=%-10.6g %-14s objective %-16.10g iterations %-7lld %s\n",
                    parameter.c_str(), values[i], std::string(to_string(p.status)).c_str(),
                    p.objective, static_cast<long long>(p.iterations),
                    p.cache_hit ? "(cached kernel)" : "(compiled)");
      out_ << row;
      ok = ok && p.status != SolveStatus::error;
    }
    s_.last = points.back();
    if (!ok) throw Error("path: a point ended with status error");
    return true;
  }

  bool time(const std::vector<std::string>& words) {
    no_arguments(words);
    const Problem& problem = s_.current_problem();
    SolverOptions options = solve_options();
    if (options.backend != Backend::jit) {
      throw Error("time: measures the JIT's first call against a cached call; `set backend jit`");
    }
    // A fresh engine without disk cache: the first call compiles, whatever ran before.
    EngineOptions engine_options;
    engine_options.disk_cache = false;
    Engine engine(engine_options);
    const auto timed = [&](Summary& summary) {
      SolvingScope scope(interrupt_);
      const auto start = std::chrono::steady_clock::now();
      summary = engine.solve(problem, options);
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    Summary first;
    Summary second;
    const double first_s = timed(first);
    if (first.status == SolveStatus::error) throw Error("time: status error: " + first.message);
    const double second_s = timed(second);
    if (second.status == SolveStatus::error) throw Error("time: status error: " + second.message);
    const auto describe = [](const Summary& s) {
      return "(compile " + duration(s.timing.compile_s) + ", run " + duration(s.timing.run_s) +
             "; kernel " + std::string(to_string(s.source)) +
             (s.cache_hit ? ", cache hit" : ", cache miss") + ")";
    };
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.1fx", second_s > 0 ? first_s / second_s : 0.0);
    out_ << "  first call   " << duration(first_s) << "  " << describe(first) << "\n";
    out_ << "  cached call  " << duration(second_s) << "  " << describe(second) << "\n";
    out_ << "  ratio        " << ratio << "  (first call / cached call; "
         << std::string(to_string(second.status)) << ", " << second.iterations << " iterations)\n";
    s_.last = std::move(second);
    return true;
  }

  bool cache(const std::vector<std::string>& words) {
    no_arguments(words);
    const CacheStats stats = s_.engine.cache_stats();
    out_ << "  memory  (this session's engine) " << stats.entries << " kernels, " << stats.hits
         << " hits, " << stats.misses << " misses, " << stats.compiles << " compiles, "
         << stats.disk_hits << " disk loads, " << stats.disk_invalid << " invalid disk entries\n";
    if (DiskCache* disk = s_.engine.disk_cache()) {
      const DiskCacheStats d = disk->stats();
      out_ << "  disk    " << d.directory << ": " << d.entries << " kernels, " << d.bytes
           << " bytes (max " << d.max_bytes << "), " << d.hits << " hits, " << d.misses
           << " misses, " << d.invalid << " invalid, " << d.evicted << " evicted (all processes)\n";
    } else if (!s_.engine.disk_cache_problem().empty()) {
      out_ << "  disk    off: " << s_.engine.disk_cache_problem() << "\n";
    } else {
      out_ << "  disk    off (PROXJIT_NO_CACHE is set)\n";
    }
    return true;
  }

  bool inspect(const std::vector<std::string>& words) {
    if (words.size() != 2 || (words[1] != "ir" && words[1] != "asm")) {
      throw Error("inspect: usage: " + usage_of("inspect"));
    }
    const Problem& problem = s_.current_problem();
    std::string text = words[1] == "ir" ? s_.engine.inspect_ir(problem, s_.options)
                                        : s_.engine.inspect_asm(problem, s_.options);
    if (!text.ends_with('\n')) text += '\n';
    out_ << text;
    return true;
  }

  bool x(const std::vector<std::string>& words) {
    if (!s_.last) throw Error("x: nothing solved yet; run `solve` first");
    const Vector& x = s_.last->x;
    if (words.size() == 1) {
      Eigen::Index nonzeros = 0;
      for (Eigen::Index i = 0; i < x.size(); ++i)
        nonzeros += x(i) != 0.0;
      out_ << "  x: " << x.size() << " values, " << nonzeros << " nonzeros\n  [";
      const Eigen::Index shown = std::min<Eigen::Index>(x.size(), 8);
      for (Eigen::Index i = 0; i < shown; ++i) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.6g", x(i) + 0.0);  // no "-0"
        out_ << (i ? ", " : "") << buffer;
      }
      out_ << (shown < x.size() ? ", ...]\n" : "]\n");
      return true;
    }
    if (words.size() != 3 || words[1] != "save") throw Error("x: usage: " + usage_of("x"));
    save_vector(words[2], x);
    out_ << "saved x (" << x.size() << " values) to " << words[2] << "\n";
    return true;
  }

  bool help(const std::vector<std::string>& words) {
    if (words.size() == 1) {
      out_ << "Commands (help COMMAND for details):\n";
      for (const CommandHelp& command : command_table()) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "  %-9s", command.name.c_str());
        out_ << buffer << command.usage << "\n";
      }
      out_ << "Smooth terms: " << joined(smooth_names()) << ". Proxes: " << joined(prox_names())
           << " (see `proxjit list`).\n";
      return true;
    }
    if (words.size() > 2) throw Error("help: usage: " + usage_of("help"));
    std::string name = words[1] == "exit" ? "quit" : words[1];
    for (const CommandHelp& command : command_table()) {
      if (command.name == name) {
        out_ << "usage: " << command.usage << "\n  " << command.description << "\n";
        return true;
      }
    }
    throw Error("help: unknown command '" + name + "'" + did_you_mean(name, command_names()));
  }

  Session::State& s_;
  std::ostream& out_;
  std::atomic<bool>* interrupt_;
  bool& quit_;
};

}  // namespace

bool Session::execute(std::string_view line, const std::string& where) {
  const std::string text = trimmed(line);
  if (text.empty() || text.starts_with('#')) return true;
  try {
    Runner runner(*state_, out_, interrupt_, quit_);
    return runner.run(text);
  } catch (const Error& error) {
    out_.flush();
    err_ << "error: " << where << error.what() << "\n";
  } catch (const std::exception& error) {
    out_.flush();
    err_ << "error: " << where << "internal: " << error.what() << "\n";
  }
  err_.flush();
  return false;
}

Completion Session::complete(std::string_view line, std::size_t word_start) const {
  Completion result;
  word_start = std::min(word_start, line.size());
  const std::string prefix(line.substr(word_start));
  const std::string before(line.substr(0, word_start));
  std::vector<std::string> words;
  {
    std::istringstream stream(before);
    for (std::string word; stream >> word;)
      words.push_back(word);
  }
  const auto offer = [&](const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      if (name.starts_with(prefix)) result.candidates.push_back(name);
    }
  };
  if (words.empty()) {
    offer(command_names());
    return result;
  }
  const std::string& command = words[0];
  if (command == "help" && words.size() == 1) {
    offer(command_names());
  } else if (command == "load") {
    result.files = true;
  } else if (command == "x") {
    if (words.size() == 1) {
      offer({"save"});
    } else {
      result.files = true;
    }
  } else if (command == "show" && words.size() == 1) {
    offer({"summary"});
  } else if (command == "solve" && words.size() == 1) {
    offer({"-v"});
  } else if (command == "inspect" && words.size() == 1) {
    offer({"ir", "asm"});
  } else if (command == "gen") {
    if (words.size() == 1) {
      offer(kGenKinds);
    } else if (std::find(kGenKinds.begin(), kGenKinds.end(), words[1]) != kGenKinds.end() &&
               !before.ends_with('=')) {
      std::vector<std::string> keys;
      for (const std::string& key : gen_keys(words[1])) {
        bool given = false;
        for (std::size_t i = 2; i < words.size(); ++i)
          given = given || words[i].starts_with(key + "=");
        if (!given) keys.push_back(key + "=");
      }
      offer(keys);
      result.append_space = false;
    }
  } else if (command == "set") {
    if (words.size() == 1) {
      offer(kSettings);
    } else if (words.size() == 2 || words[1] == "r") {
      const std::string& name = words[1];
      if (name == "f") {
        offer(smooth_names());
      } else if (name == "algorithm") {
        offer(algorithm_names());
      } else if (name == "dtype") {
        offer({"float32", "float64"});
      } else if (name == "backend") {
        offer({"jit", "reference"});
      } else if (name == "step") {
        offer({"auto", "backtracking"});
      } else if (name == "r") {
        // After "set r": a prox name, or inside "name(" its parameter names not yet given.
        const std::size_t r_at = before.find(" r") + 2;
        const std::string r_text = before.substr(std::min(r_at, before.size()));
        const std::size_t open = r_text.find('(');
        if (open == std::string::npos) {
          if (trimmed(r_text).empty()) offer(prox_names());
        } else if (r_text.find(')') == std::string::npos && !before.ends_with('=')) {
          const std::string prox_name = trimmed(std::string_view(r_text).substr(0, open));
          for (const ProxDefinition& prox : prox_registry()) {
            if (prox.name != prox_name) continue;
            std::vector<std::string> keys;
            for (const ParameterSpec& parameter : prox.parameters) {
              if (r_text.find(parameter.name + "=") == std::string::npos)
                keys.push_back(parameter.name + "=");
            }
            offer(keys);
          }
          result.append_space = false;
        }
      }
    }
  }
  return result;
}

int run_script(std::istream& input, std::ostream& out, std::ostream& err,
               std::atomic<bool>* interrupt) {
  Session session(out, err, interrupt);
  int status = 0;
  std::string line;
  for (int number = 1; !session.quit_requested() && std::getline(input, line); ++number) {
    if (!session.execute(line, "line " + std::to_string(number) + ": ")) status = 1;
  }
  out.flush();
  return status;
}

}  // namespace proxjit::repl
