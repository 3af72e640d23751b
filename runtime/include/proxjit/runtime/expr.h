#pragma once
// Elementwise expressions: the one definition of a component's math.
//
// A prox is written once, e.g. `sign(y) * max(abs(y) - step * lambda, 0)`, and two consumers
// read it: `evaluate` below (the reference path and the test oracle) and the IR emitter in
// codegen/, which inlines it into the fused kernel loop. Both follow the same semantics:
//   - max/min propagate NaN (a NaN never becomes a silent 0),
//   - sign(0) = 0 and sign(NaN) = NaN,
//   - comparisons yield 1 or 0, `where(c, a, b)` picks a when c is non-zero.

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace proxjit::expr {

enum class Op : std::uint8_t {
  constant,
  variable,   // the vector element the expression maps (y for a prox, x for a value, the
              // margin z = a_i'x for a loss)
  step,       // the prox step alpha
  parameter,  // a component parameter, read from the kernel's parameter slots
  label,      // a loss's target b_i for the sample (losses over margins only)
  neg,
  abs,
  sign,
  sqrt,
  exp,
  log,
  log1p,
  expm1,
  tanh,
  add,
  sub,
  mul,
  div,
  pow,
  min,
  max,
  less,
  less_equal,
  greater,
  greater_equal,
  where,
};

struct Node;

class Expr {
 public:
  Expr(double value);  // NOLINT(google-explicit-constructor): constants read naturally in formulas
  static Expr variable();
  static Expr step();
  static Expr label();
  static Expr parameter(int slot, std::string name);
  static Expr apply(Op op, std::vector<Expr> args);

  Op op() const;
  double constant() const;
  int slot() const;
  const std::string& name() const;
  const std::vector<Expr>& args() const;

 private:
  explicit Expr(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  std::shared_ptr<const Node> node_;
};

struct Node {
  Op op = Op::constant;
  double constant = 0.0;
  int slot = -1;
  std::string name;
  std::vector<Expr> args;
};

Expr operator-(const Expr& a);
Expr operator+(const Expr& a, const Expr& b);
Expr operator-(const Expr& a, const Expr& b);
Expr operator*(const Expr& a, const Expr& b);
Expr operator/(const Expr& a, const Expr& b);
Expr operator<(const Expr& a, const Expr& b);
Expr operator<=(const Expr& a, const Expr& b);
Expr operator>(const Expr& a, const Expr& b);
Expr operator>=(const Expr& a, const Expr& b);
Expr abs(const Expr& a);
Expr sign(const Expr& a);
Expr sqrt(const Expr& a);
Expr exp(const Expr& a);
Expr log(const Expr& a);
Expr log1p(const Expr& a);
Expr expm1(const Expr& a);
Expr tanh(const Expr& a);
Expr pow(const Expr& base, const Expr& exponent);
Expr min(const Expr& a, const Expr& b);
Expr max(const Expr& a, const Expr& b);
Expr where(const Expr& condition, const Expr& if_true, const Expr& if_false);

// Composites, written with the operations above in numerically stable forms.
Expr clamp(const Expr& a, const Expr& lo, const Expr& hi);  // min(max(a, lo), hi)
Expr sigmoid(const Expr& a);   // 1 / (1 + exp(-a)), without overflow for large |a|
Expr softplus(const Expr& a);  // log(1 + exp(a)) = max(a, 0) + log1p(exp(-|a|))

// Readable infix text, with the variable printed as `variable_name` and the label as
// `label_name`.
std::string to_string(const Expr& e, const std::string& variable_name = "y",
                      const std::string& label_name = "b");
// Canonical prefix text used in kernel keys: parameters by slot, not by name, so that two
// components with the same math share a kernel.
std::string canonical(const Expr& e);
// Number of parameter slots an expression reads (highest slot + 1).
int parameter_count(const Expr& e);

// NaN-propagating max/min, the semantics shared with the IR (llvm.maximum/minimum).
template <class T>
T nan_max(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  if (a == b) return std::signbit(a) ? b : a;  // max(-0, +0) = +0
  return a > b ? a : b;
}
template <class T>
T nan_min(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  if (a == b) return std::signbit(a) ? a : b;  // min(-0, +0) = -0
  return a < b ? a : b;
}

// Reference evaluation in the scalar type T (float kernels compute in float, and so does this).
// `label` is the sample's target for a loss expression (unused by proxes).
template <class T>
T evaluate(const Expr& e, T variable, T step, const T* params, T label = T(0)) {
  const auto arg = [&](int i) { return evaluate<T>(e.args()[i], variable, step, params, label); };
  switch (e.op()) {
    case Op::constant:
      return static_cast<T>(e.constant());
    case Op::variable:
      return variable;
    case Op::step:
      return step;
    case Op::parameter:
      return params[e.slot()];
    case Op::label:
      return label;
    case Op::neg:
      return -arg(0);
    case Op::abs:
      return std::abs(arg(0));
    case Op::sign: {
      const T a = arg(0);
      return a > T(0) ? T(1) : (a < T(0) ? T(-1) : a);
    }
    case Op::sqrt:
      return std::sqrt(arg(0));
    case Op::exp:
      return std::exp(arg(0));
    case Op::log:
      return std::log(arg(0));
    case Op::log1p:
      return std::log1p(arg(0));
    case Op::expm1:
      return std::expm1(arg(0));
    case Op::tanh:
      return std::tanh(arg(0));
    case Op::add:
      return arg(0) + arg(1);
    case Op::sub:
      return arg(0) - arg(1);
    case Op::mul:
      return arg(0) * arg(1);
    case Op::div:
      return arg(0) / arg(1);
    case Op::pow:
      return std::pow(arg(0), arg(1));
    case Op::min:
      return nan_min(arg(0), arg(1));
    case Op::max:
      return nan_max(arg(0), arg(1));
    case Op::less:
      return arg(0) < arg(1) ? T(1) : T(0);
    case Op::less_equal:
      return arg(0) <= arg(1) ? T(1) : T(0);
    case Op::greater:
      return arg(0) > arg(1) ? T(1) : T(0);
    case Op::greater_equal:
      return arg(0) >= arg(1) ? T(1) : T(0);
    case Op::where:
      return arg(0) != T(0) ? arg(1) : arg(2);
  }
  return std::numeric_limits<T>::quiet_NaN();
}

}  // namespace proxjit::expr
