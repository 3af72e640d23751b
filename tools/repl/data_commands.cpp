// The REPL's data commands: load, gen (synthetic data), def (user-defined components) and x
// (the last solution).

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "../text_util.h"
#include "command_table.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/number_text.h"
#include "proxjit/runtime/synthetic.h"
#include "proxjit/runtime/user_components.h"

namespace proxjit::repl {
namespace {

using tools::did_you_mean;
using tools::joined;
using tools::parse_integer;
using tools::parse_number;

const std::vector<std::string> kGenKinds = {"lasso", "quadratic"};

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

bool run_load(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
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
      call.out << "loaded " << path << ": A " << data.A.rows() << " x " << data.A.cols() << " ("
               << data.A.nonZeros() << " nonzeros, sparse), b " << data.b.size() << "\n";
      call.state.truth.reset();
      call.state.set_sparse_data(std::move(data.A), std::move(data.b), path);
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
  call.out << "loaded A " << A.rows() << " x " << A.cols() << " (" << a_path << "), b " << b.size()
           << " (" << b_path << ")\n";
  call.state.truth.reset();
  call.state.set_data(std::move(A), std::move(b), a_path + ", " + b_path);
  return true;
}

bool run_gen(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  if (words.size() < 2) throw Error("gen: usage: " + usage_of("gen"));
  const std::string& kind = words[1];
  if (std::find(kGenKinds.begin(), kGenKinds.end(), kind) == kGenKinds.end()) {
    throw Error("gen: unknown kind '" + kind + "'" + did_you_mean(kind, kGenKinds) + "; expected " +
                joined(kGenKinds));
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
  // runtime/synthetic.h: the same seed gives the same data on every machine.
  std::ostringstream source;
  if (kind == "lasso") {
    if (nnz < 0) nnz = std::min<std::int64_t>(10, d);
    if (nnz > d) {
      throw Error("gen: nnz must be <= d (" + std::to_string(d) + "), got " + std::to_string(nnz));
    }
    DenseProblem data = make_dense_regression(n, d, nnz, noise, static_cast<std::uint64_t>(seed));
    source << "gen lasso n=" << n << " d=" << d << " seed=" << seed
           << " noise=" << number_text(noise) << " nnz=" << nnz;
    call.out << "generated lasso data: A " << n << " x " << d << ", b " << n << ", x_true with "
             << nnz << " nonzeros, noise " << number_text(noise) << "; f = least_squares\n";
    call.state.set_data(std::move(data.A), std::move(data.b), source.str());
    call.state.truth = std::move(data.x_true);
    call.state.f = SmoothComponent::parse("least_squares");
  } else {
    DenseProblem data = make_dense_quadratic(d, static_cast<std::uint64_t>(seed));
    source << "gen quadratic d=" << d << " seed=" << seed;
    call.out << "generated quadratic data: A " << d << " x " << d
             << " symmetric positive definite, b " << d << "; f = quadratic\n";
    call.state.set_data(std::move(data.A), std::move(data.b), source.str());
    call.state.truth.reset();
    call.state.f = SmoothComponent::parse("quadratic");
  }
  return true;
}

bool run_def(CommandCall& call) {
  const std::string_view line = call.line;
  const std::size_t start = line.find("def") + 3;
  const std::string text(line.substr(start));
  if (text.find_first_not_of(" \t") == std::string::npos) {
    throw Error("def: usage: " + usage_of("def"));
  }
  for (const std::string& name : define_components(text, "<repl>")) {
    call.out << "defined " << name << "\n";
  }
  return true;
}

bool run_x(CommandCall& call) {
  const std::vector<std::string>& words = call.words;
  if (!call.state.last) throw Error("x: nothing solved yet; run `solve` first");
  const Vector& x = call.state.last->x;
  if (words.size() == 1) {
    Eigen::Index nonzeros = 0;
    for (Eigen::Index i = 0; i < x.size(); ++i)
      nonzeros += x(i) != 0.0;
    call.out << "  x: " << x.size() << " values, " << nonzeros << " nonzeros\n  [";
    const Eigen::Index shown = std::min<Eigen::Index>(x.size(), 8);
    for (Eigen::Index i = 0; i < shown; ++i) {
      call.out << (i ? ", " : "") << number_text(x(i) + 0.0, 6);  // + 0.0: no "-0"
    }
    call.out << (shown < x.size() ? ", ...]\n" : "]\n");
    return true;
  }
  if (words.size() != 3 || words[1] != "save") throw Error("x: usage: " + usage_of("x"));
  save_vector(words[2], x);
  call.out << "saved x (" << x.size() << " values) to " << words[2] << "\n";
  return true;
}

void complete_gen(CompletionCall& call) {
  const std::vector<std::string>& words = call.words;
  if (words.size() == 1) {
    call.offer(kGenKinds);
  } else if (std::find(kGenKinds.begin(), kGenKinds.end(), words[1]) != kGenKinds.end() &&
             !call.before.ends_with('=')) {
    std::vector<std::string> keys;
    for (const std::string& key : gen_keys(words[1])) {
      bool given = false;
      for (std::size_t i = 2; i < words.size(); ++i)
        given = given || words[i].starts_with(key + "=");
      if (!given) keys.push_back(key + "=");
    }
    call.offer(keys);
    call.result.append_space = false;
  }
}

}  // namespace proxjit::repl
