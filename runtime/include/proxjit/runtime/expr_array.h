#pragma once
// expr::evaluate over whole arrays (Eigen), apart from expr.h so that the expression core stays
// free of Eigen (the formula fuzzer compiles it alone).

#include <Eigen/Core>

#include "proxjit/runtime/expr.h"

namespace proxjit::expr {

// The same over whole arrays of variables and labels: the tree is walked once, each node one
// pass (the objective and gradient of a loss over all samples). Element by element the same
// operations as evaluate(), so the same values; `where` computes both branches and picks.
template <class T>
using ArrayOf = Eigen::Array<T, Eigen::Dynamic, 1>;
template <class T>
ArrayOf<T> evaluate_array(const Expr& e, const ArrayOf<T>& variable, const T* params,
                          const ArrayOf<T>& label) {
  const auto arg = [&](int i) { return evaluate_array<T>(e.args()[i], variable, params, label); };
  const auto unary = [&](auto function) { return ArrayOf<T>(arg(0).unaryExpr(function)); };
  const auto binary = [&](auto function) {
    return ArrayOf<T>(arg(0).binaryExpr(arg(1), function));
  };
  const Eigen::Index n = variable.size();
  switch (e.op()) {
    case Op::constant:
      return ArrayOf<T>::Constant(n, static_cast<T>(e.constant()));
    case Op::variable:
      return variable;
    case Op::step:
      return ArrayOf<T>::Zero(n);
    case Op::parameter:
      return ArrayOf<T>::Constant(n, params[e.slot()]);
    case Op::label:
      return label;
    case Op::neg:
      return -arg(0);
    case Op::abs:
      return unary([](T a) { return std::abs(a); });
    case Op::sign:
      return unary([](T a) { return a > T(0) ? T(1) : (a < T(0) ? T(-1) : a); });
    case Op::sqrt:
      return unary([](T a) { return std::sqrt(a); });
    case Op::exp:
      return unary([](T a) { return std::exp(a); });
    case Op::log:
      return unary([](T a) { return std::log(a); });
    case Op::log1p:
      return unary([](T a) { return std::log1p(a); });
    case Op::expm1:
      return unary([](T a) { return std::expm1(a); });
    case Op::tanh:
      return unary([](T a) { return std::tanh(a); });
    case Op::add:
      return binary([](T a, T b) { return a + b; });
    case Op::sub:
      return binary([](T a, T b) { return a - b; });
    case Op::mul:
      return binary([](T a, T b) { return a * b; });
    case Op::div:
      return binary([](T a, T b) { return a / b; });
    case Op::pow:
      return binary([](T a, T b) { return std::pow(a, b); });
    case Op::min:
      return binary([](T a, T b) { return nan_min(a, b); });
    case Op::max:
      return binary([](T a, T b) { return nan_max(a, b); });
    case Op::less:
      return binary([](T a, T b) { return a < b ? T(1) : T(0); });
    case Op::less_equal:
      return binary([](T a, T b) { return a <= b ? T(1) : T(0); });
    case Op::greater:
      return binary([](T a, T b) { return a > b ? T(1) : T(0); });
    case Op::greater_equal:
      return binary([](T a, T b) { return a >= b ? T(1) : T(0); });
    case Op::where: {
      const ArrayOf<T> condition = arg(0);
      const ArrayOf<T> then = arg(1);
      const ArrayOf<T> otherwise = arg(2);
      return (condition != T(0)).select(then, otherwise);
    }
  }
  return ArrayOf<T>::Constant(n, std::numeric_limits<T>::quiet_NaN());
}

}  // namespace proxjit::expr
