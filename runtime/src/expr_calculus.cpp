#include "proxjit/runtime/expr_calculus.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace proxjit::expr {
namespace {

bool is_constant(const Expr& e) {
  return e.op() == Op::constant;
}
bool is_constant(const Expr& e, double value) {
  return e.op() == Op::constant && e.constant() == value;
}
bool is_comparison(Op op) {
  return op == Op::less || op == Op::less_equal || op == Op::greater || op == Op::greater_equal;
}
bool is_leaf(const Expr& e) {
  return e.args().empty();
}

// Builds `op(args)` with the rewrites of simplify() applied at this node only (the arguments are
// taken as already simplified). Every node derivative() makes goes through here, so derivatives
// stay small as they grow instead of being cleaned up afterwards.
Expr make(Op op, std::vector<Expr> args) {
  if (!args.empty() &&
      std::all_of(args.begin(), args.end(), [](const Expr& a) { return is_constant(a); })) {
    // No variable, step, label or parameter below: the reference evaluator is the folder.
    return Expr(evaluate<double>(Expr::apply(op, std::move(args)), 0.0, 0.0, nullptr, 0.0));
  }
  switch (op) {
    case Op::neg: {
      const Expr& a = args[0];
      if (a.op() == Op::neg) return a.args()[0];
      break;
    }
    case Op::add: {
      const Expr &a = args[0], &b = args[1];
      if (is_constant(a, 0.0)) return b;
      if (is_constant(b, 0.0)) return a;
      if (b.op() == Op::neg) return make(Op::sub, {a, b.args()[0]});
      if (a.op() == Op::neg) return make(Op::sub, {b, a.args()[0]});
      break;
    }
    case Op::sub: {
      const Expr &a = args[0], &b = args[1];
      if (is_constant(b, 0.0)) return a;
      if (is_constant(a, 0.0)) return make(Op::neg, {b});
      if (b.op() == Op::neg) return make(Op::add, {a, b.args()[0]});
      break;
    }
    case Op::mul: {
      Expr a = args[0], b = args[1];
      // x*0 -> 0 although inf*0 is NaN: see simplify() in the header.
      if (is_constant(a, 0.0) || is_constant(b, 0.0)) return Expr(0.0);
      if (is_constant(b)) std::swap(a, b);  // constant factor first, so the rules below see it
      if (is_constant(a, 1.0)) return b;
      if (is_constant(a, -1.0)) return make(Op::neg, {b});
      if (is_constant(a)) {
        if (b.op() == Op::mul && is_constant(b.args()[0])) {
          return make(Op::mul, {Expr(a.constant() * b.args()[0].constant()), b.args()[1]});
        }
        if (b.op() == Op::neg) return make(Op::mul, {Expr(-a.constant()), b.args()[0]});
        return Expr::apply(Op::mul, {a, b});
      }
      // a * (1/b) -> a/b: one rounding instead of two, and what the quotient rule leaves behind.
      if (b.op() == Op::div && is_constant(b.args()[0], 1.0)) {
        return make(Op::div, {a, b.args()[1]});
      }
      if (a.op() == Op::div && is_constant(a.args()[0], 1.0)) {
        return make(Op::div, {b, a.args()[1]});
      }
      if (a.op() == Op::neg && b.op() == Op::neg) {
        return make(Op::mul, {a.args()[0], b.args()[0]});
      }
      if (a.op() == Op::neg) return make(Op::neg, {make(Op::mul, {a.args()[0], b})});
      if (b.op() == Op::neg) return make(Op::neg, {make(Op::mul, {a, b.args()[0]})});
      return Expr::apply(Op::mul, {a, b});
    }
    case Op::div: {
      const Expr &a = args[0], &b = args[1];
      if (is_constant(b, 1.0)) return a;
      if (is_constant(b, -1.0)) return make(Op::neg, {a});
      if (is_constant(a, 0.0)) return Expr(0.0);  // 0/x -> 0: see simplify() in the header
      if (a.op() == Op::neg) return make(Op::neg, {make(Op::div, {a.args()[0], b})});
      break;
    }
    case Op::pow: {
      const Expr &base = args[0], &exponent = args[1];
      if (is_constant(exponent, 1.0)) return base;
      if (is_constant(exponent, 0.0)) return Expr(1.0);  // pow(NaN, 0) is 1 too
      if (is_constant(exponent, 2.0) && is_leaf(base)) return make(Op::mul, {base, base});
      break;
    }
    case Op::where: {
      const Expr& condition = args[0];
      if (is_constant(condition)) return condition.constant() != 0.0 ? args[1] : args[2];
      if (same_tree(args[1], args[2])) return args[1];
      // A comparison already is 1 or 0: where(a >= b, 1, 0) is a >= b (max's derivative).
      if (is_comparison(condition.op()) && is_constant(args[1], 1.0) && is_constant(args[2], 0.0)) {
        return condition;
      }
      break;
    }
    default:
      break;
  }
  return Expr::apply(op, std::move(args));
}

bool same_tree_within(const Expr& a, const Expr& b, std::size_t& budget) {
  if (budget == 0) return false;
  --budget;
  if (a.op() != b.op() || a.args().size() != b.args().size()) return false;
  switch (a.op()) {
    case Op::constant:
      // Bitwise-equal values only: 0 and -0 differ, and a NaN is the same as a NaN.
      return a.constant() == b.constant() ? std::signbit(a.constant()) == std::signbit(b.constant())
                                          : (std::isnan(a.constant()) && std::isnan(b.constant()));
    case Op::parameter:
      return a.slot() == b.slot();
    default:
      break;
  }
  for (std::size_t i = 0; i < a.args().size(); ++i) {
    if (!same_tree_within(a.args()[i], b.args()[i], budget)) return false;
  }
  return true;
}

void count_nodes(const Expr& e, std::size_t limit, std::size_t& count) {
  if (++count > limit) return;
  for (const Expr& arg : e.args()) {
    count_nodes(arg, limit, count);
    if (count > limit) return;
  }
}

}  // namespace

bool same_tree(const Expr& a, const Expr& b, std::size_t budget) {
  return same_tree_within(a, b, budget);
}

bool uses_op(const Expr& e, Op op) {
  if (e.op() == op) return true;
  return std::any_of(e.args().begin(), e.args().end(),
                     [op](const Expr& arg) { return uses_op(arg, op); });
}

bool uses_variable(const Expr& e) {
  return uses_op(e, Op::variable);
}

std::size_t tree_size(const Expr& e, std::size_t limit) {
  std::size_t count = 0;
  count_nodes(e, limit, count);
  return count;
}

int tree_depth(const Expr& e) {
  int deepest = 0;
  for (const Expr& arg : e.args())
    deepest = std::max(deepest, tree_depth(arg));
  return deepest + 1;
}

Expr simplify(const Expr& e) {
  if (is_leaf(e)) return e;
  std::vector<Expr> args;
  args.reserve(e.args().size());
  for (const Expr& arg : e.args())
    args.push_back(simplify(arg));
  return make(e.op(), std::move(args));
}

Expr derivative(const Expr& e) {
  const auto arg = [&](int i) -> const Expr& { return e.args()[i]; };
  const auto d = [&](int i) { return derivative(e.args()[i]); };
  switch (e.op()) {
    case Op::constant:
    case Op::step:
    case Op::parameter:
    case Op::label:
    case Op::sign:
    case Op::less:
    case Op::less_equal:
    case Op::greater:
    case Op::greater_equal:
      return Expr(0.0);
    case Op::variable:
      return Expr(1.0);
    case Op::neg:
      return make(Op::neg, {d(0)});
    case Op::abs:
      return make(Op::mul, {make(Op::sign, {arg(0)}), d(0)});
    case Op::sqrt:  // u' / (2 sqrt(u)), reusing this node for sqrt(u)
      return make(Op::div, {d(0), make(Op::mul, {Expr(2.0), e})});
    case Op::exp:
      return make(Op::mul, {e, d(0)});
    case Op::log:
      return make(Op::div, {d(0), arg(0)});
    case Op::log1p:
      return make(Op::div, {d(0), make(Op::add, {Expr(1.0), arg(0)})});
    case Op::expm1:
      return make(Op::mul, {make(Op::exp, {arg(0)}), d(0)});
    case Op::tanh:  // (1 - tanh(u)^2) u'; pow keeps a single copy of tanh(u) in the tree
      return make(Op::mul, {make(Op::sub, {Expr(1.0), make(Op::pow, {e, Expr(2.0)})}), d(0)});
    case Op::add:
      return make(Op::add, {d(0), d(1)});
    case Op::sub:
      return make(Op::sub, {d(0), d(1)});
    case Op::mul:
      return make(Op::add, {make(Op::mul, {d(0), arg(1)}), make(Op::mul, {arg(0), d(1)})});
    case Op::div: {
      // (u/v)' = (u' - (u/v) v') / v: each of u, v, u', v' appears once.
      const Expr dv = d(1);
      return make(Op::div, {make(Op::sub, {d(0), make(Op::mul, {e, dv})}), arg(1)});
    }
    case Op::pow: {
      const Expr &base = arg(0), &exponent = arg(1);
      if (!uses_variable(exponent)) {
        const Expr lowered = make(Op::pow, {base, make(Op::sub, {exponent, Expr(1.0)})});
        return make(Op::mul, {make(Op::mul, {exponent, lowered}), d(0)});
      }
      const Expr through_exponent = make(Op::mul, {d(1), make(Op::log, {base})});
      const Expr through_base = make(Op::div, {make(Op::mul, {exponent, d(0)}), base});
      return make(Op::mul, {e, make(Op::add, {through_exponent, through_base})});
    }
    case Op::min:
      return make(Op::where, {make(Op::less_equal, {arg(0), arg(1)}), d(0), d(1)});
    case Op::max:
      return make(Op::where, {make(Op::greater_equal, {arg(0), arg(1)}), d(0), d(1)});
    case Op::where:
      return make(Op::where, {arg(0), d(1), d(2)});
  }
  return Expr(0.0);
}

}  // namespace proxjit::expr
