#pragma once
// The prox contract. A prox component r is defined once, in its own file under src/prox/:
// its formula, parameters with their checks, the elementwise prox expression (read by both the
// reference evaluator and the IR emitter) and the elementwise value expression, r(x) = sum_i
// v(x_i).

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/expr.h"

namespace proxjit {

struct ParameterSpec {
  std::string name;
  std::string description;
  double default_value = 0.0;
  bool required = true;                  // false when default_value applies
  std::function<bool(double)> is_valid;  // null: any finite or infinite number
  std::string expected;                  // what is_valid accepts, e.g. ">= 0"
};

struct ProxTraits {
  bool separable = true;    // r(x) = sum_i r_i(x_i)
  bool elementwise = true;  // the prox is one expression per element (fusable into the update)
  bool convex = true;
  bool indicator = false;  // r is 0 on a set and +inf outside it
};

struct ProxDefinition {
  std::string name;
  std::string formula;  // r(x) in words, for `proxjit list` and the docs
  std::vector<ParameterSpec> parameters;
  ProxTraits traits;
  expr::Expr prox = 0.0;   // prox_{step r}(y) per element, in y, step and parameter slots
  expr::Expr value = 0.0;  // r(x) per element, in x and parameter slots
  // Checks that involve several parameters (e.g. lo <= hi); returns an error text or "".
  std::function<std::string(std::span<const double>)> check_together;
  // expr::canonical(prox), filled in once by the registry: kernel keys read it on every solve.
  std::string prox_canonical;
};

// Every built-in prox, in the order `proxjit list` shows them.
const std::vector<ProxDefinition>& prox_registry();

// A prox definition with validated parameter values: what a Problem holds.
class ProxComponent {
 public:
  // Parses and validates e.g. "l1(lambda=0.1)"; throws proxjit::Error with a clear message.
  static ProxComponent parse(std::string_view text);
  // Typed builder: prox("box", {{"lo", -1}, {"hi", 1}}).
  static ProxComponent make(std::string_view name,
                            const std::vector<std::pair<std::string, double>>& arguments = {});

  // The same prox with one parameter changed (validated like the rest), e.g. a new lambda.
  ProxComponent with_parameter(std::string_view name, double value) const;

  const ProxDefinition& definition() const { return *definition_; }
  const std::string& name() const { return definition_->name; }
  std::span<const double> parameters() const { return parameters_; }
  // The prox is one expression per element (fused into kernels' update passes).
  bool is_elementwise() const { return definition_->traits.elementwise; }
  // Throws when a list parameter does not fit n unknowns (none yet: every prox fits any n).
  void check_size(std::size_t) const {}
  // "l1(lambda=0.1)": the canonical text, parsable again.
  std::string describe() const;

  // Reference implementations (plain C++ over the shared expressions).
  template <class T>
  void prox(const T* y, T step, T* out, std::size_t size) const {
    const std::vector<T> params = typed_parameters<T>();
    for (std::size_t i = 0; i < size; ++i) {
      out[i] = expr::evaluate<T>(definition_->prox, y[i], step, params.data());
    }
  }
  template <class T>
  double value(const T* x, std::size_t size) const {
    const std::vector<T> params = typed_parameters<T>();
    double sum = 0.0;
    for (std::size_t i = 0; i < size; ++i) {
      sum += static_cast<double>(expr::evaluate<T>(definition_->value, x[i], T(0), params.data()));
    }
    return sum;
  }

 private:
  template <class T>
  std::vector<T> typed_parameters() const {
    return std::vector<T>(parameters_.begin(), parameters_.end());
  }
  const ProxDefinition* definition_ = nullptr;
  std::vector<double> parameters_;
};

}  // namespace proxjit
