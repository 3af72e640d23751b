#pragma once
// The prox contract. A prox component r is defined once, in its own file under src/prox/:
// its formula, parameters with their checks, and either
//   - elementwise: the prox expression (read by both the reference evaluator and the IR emitter)
//     and the value expression, r(x) = sum_i v(x_i); or
//   - whole-vector (l2, tv1d, slope, projections...): C++ functions over the whole vector, for
//     double and float, that the engine calls; their kernel key is "call:<name>".
// A prox may have both (l1: elementwise, or whole-vector when per-coordinate weights are given).

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/expr.h"
#include "proxjit/runtime/expr_array.h"
#include "proxjit/runtime/solver_rules.h"

namespace proxjit {

struct ParameterSpec {
  std::string name;
  std::string description;
  double default_value = 0.0;
  bool required = true;                  // false when default_value applies
  std::function<bool(double)> is_valid;  // null: any finite or infinite number
  std::string expected;                  // what is_valid accepts, e.g. ">= 0"
  // A list of numbers, written `[0.3, 0.2]`; is_valid then applies to each element, and
  // check_list to the whole list (returns an error text or ""). A list is never empty; an
  // optional list that is not given is absent (empty span), default_value does not apply.
  bool is_list = false;
  std::function<std::string(std::span<const double>)> check_list = nullptr;
};

// A component's parameter values as the whole-vector functions read them, by declared index.
struct ProxArguments {
  std::span<const double> scalars;             // a list parameter's slot holds 0
  std::span<const std::vector<double>> lists;  // empty for scalars and lists not given
  double scalar(std::size_t index) const { return scalars[index]; }
  std::span<const double> list(std::size_t index) const { return lists[index]; }
};

// prox_{step r}(y) written to out (which may alias y); returns r(out).
template <class T>
using WholeVectorProx = double (*)(const ProxArguments& args, const T* y, T step, T* out,
                                   std::size_t size);
// r(x); +inf outside an indicator's set.
template <class T>
using WholeVectorValue = double (*)(const ProxArguments& args, const T* x, std::size_t size);

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
  // False for a prox formula given without value(x): r(x) is then unknown, and so is any
  // objective (reported as unknown, never as f(x) alone).
  bool value_known = true;
  // Checks that involve several parameters (e.g. lo <= hi); returns an error text or "".
  std::function<std::string(std::span<const double>)> check_together;
  // Whole-vector implementations (null for purely elementwise proxes).
  WholeVectorProx<double> vector_prox_double = nullptr;
  WholeVectorProx<float> vector_prox_float = nullptr;
  WholeVectorValue<double> vector_value_double = nullptr;
  WholeVectorValue<float> vector_value_float = nullptr;
  // Does the vector size fit the list parameters? Returns an error text naming the parameter
  // and both numbers, or "". Null: any size.
  std::function<std::string(const ProxArguments&, std::size_t size)> check_size;
  // What solvers may exploit (solver_rules.h); none unless the prox's file declares it.
  LaggedRule lagged;
  DualRule dual;
  LambdaMaxRule lambda_max;
  // Filled in once by the registry, kernel keys read it on every solve: expr::canonical(prox)
  // for an elementwise prox, "call:<name>" for a whole-vector one.
  std::string prox_canonical;

  bool has_vector_functions() const { return vector_prox_double != nullptr; }
  template <class T>
  WholeVectorProx<T> vector_prox() const {
    if constexpr (std::is_same_v<T, float>) {
      return vector_prox_float;
    } else {
      return vector_prox_double;
    }
  }
  template <class T>
  WholeVectorValue<T> vector_value() const {
    if constexpr (std::is_same_v<T, float>) {
      return vector_value_float;
    } else {
      return vector_value_double;
    }
  }
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
  // With list parameters: make("group_l2", {{"lambda", 0.1}}, {{"groups", {2, 3}}}).
  static ProxComponent make(
      std::string_view name, const std::vector<std::pair<std::string, double>>& arguments,
      const std::vector<std::pair<std::string, std::vector<double>>>& list_arguments);

  // The same prox with one parameter changed (validated like the rest), e.g. a new lambda.
  ProxComponent with_parameter(std::string_view name, double value) const;

  const ProxDefinition& definition() const { return *definition_; }
  const std::string& name() const { return definition_->name; }
  // Scalar parameter values by declared index (a list parameter's slot holds 0).
  std::span<const double> parameters() const { return parameters_; }
  // The list given for a list parameter; empty when it was not given (or is not a list).
  std::span<const double> list_parameter(std::string_view name) const;
  ProxArguments arguments() const { return {parameters_, lists_}; }
  // "l1(lambda=0.1)", "slope(lambdas=[0.3, 0.2, 0.1])": the canonical text, parsable again.
  std::string describe() const;

  // True when the prox is one expression per element with these arguments: the definition is
  // elementwise and no list parameter was given (weighted l1 is not).
  bool is_elementwise() const;
  // Throws proxjit::Error when a list parameter does not fit a vector of `size` elements.
  void check_size(std::size_t size) const;

  // Reference implementations: prox_{step r}(y) into out (out may alias y); returns r(out).
  template <class T>
  double prox(const T* y, T step, T* out, std::size_t size) const {
    if (!is_elementwise()) {
      check_size(size);
      return definition_->vector_prox<T>()(arguments(), y, step, out, size);
    }
    const std::vector<T> params = typed_parameters<T>();
    for (std::size_t i = 0; i < size; ++i) {
      out[i] = expr::evaluate<T>(definition_->prox, y[i], step, params.data());
    }
    return elementwise_value(out, size, params);
  }
  // r(x), +inf outside an indicator's set.
  template <class T>
  double value(const T* x, std::size_t size) const {
    if (!is_elementwise()) {
      check_size(size);
      return definition_->vector_value<T>()(arguments(), x, size);
    }
    return elementwise_value(x, size, typed_parameters<T>());
  }

 private:
  template <class T>
  std::vector<T> typed_parameters() const {
    return std::vector<T>(parameters_.begin(), parameters_.end());
  }
  template <class T>
  double elementwise_value(const T* x, std::size_t size, const std::vector<T>& params) const {
    double sum = 0.0;
    if (size < kWholeArrayValue) {
      for (std::size_t i = 0; i < size; ++i) {
        sum +=
            static_cast<double>(expr::evaluate<T>(definition_->value, x[i], T(0), params.data()));
      }
      return sum;
    }
    // Long vectors as whole arrays: the tree is walked once, not once per element (the same
    // values, summed in the same order).
    const auto n = static_cast<Eigen::Index>(size);
    const expr::ArrayOf<T> values =
        expr::evaluate_array<T>(definition_->value, Eigen::Map<const expr::ArrayOf<T>>(x, n),
                                params.data(), expr::ArrayOf<T>::Zero(n));
    for (Eigen::Index i = 0; i < n; ++i)
      sum += static_cast<double>(values[i]);
    return sum;
  }
  static constexpr std::size_t kWholeArrayValue = 64;
  const ProxDefinition* definition_ = nullptr;
  std::vector<double> parameters_;
  std::vector<std::vector<double>> lists_;  // by declared index; empty unless a given list
};

}  // namespace proxjit
