#pragma once
// Calculus on expression trees: the derivative in the variable and a simplifier, so that a
// component typed as a formula (formula.h) gets its gradient without the user writing it.

#include <cstddef>

#include "proxjit/runtime/expr.h"

namespace proxjit::expr {

// d e / d variable. Step, label and parameters are constants. Kinks take a fixed subgradient:
//   abs(u)' = sign(u) u'  (0 at u = 0),   max(a, b)' = where(a >= b, a', b'),
//   min(a, b)' = where(a <= b, a', b'),   where(c, a, b)' = where(c, a', b'),
//   sign' = 0 and comparisons' = 0.
// pow(u, c) with an exponent free of the variable is c u^(c-1) u'; otherwise
// pow(u, v)' = pow(u, v) (v' log u + v u' / u). The result is simplified as it is built.
Expr derivative(const Expr& e);

// Local rewrites that keep the value: constants folded with evaluate<double>, x+0, x-0, 0-x,
// x*1, x/1, --x, pow(x, 1), pow(x, 0), where with a constant condition, where(c, a, a),
// where(comparison, 1, 0), a*(1/b) -> a/b, signs pulled out of products and quotients and
// constant factors gathered (2*(3*x) -> 6*x). Two rewrites trade IEEE corner cases for small
// derivatives, which is what a user reading a gradient expects:
//   x*0 -> 0 and 0/x -> 0 even though they are NaN for an infinite or NaN x,
//   pow(leaf, 2) -> leaf*leaf (only for a leaf, so that no subtree is duplicated).
Expr simplify(const Expr& e);

// Whether `e` reads the variable / an operation anywhere.
bool uses_variable(const Expr& e);
bool uses_op(const Expr& e, Op op);

// Number of nodes of `e` walked as a tree (shared subtrees counted each time they appear, as
// evaluate() and canonical() visit them), stopping early once it exceeds `limit`.
std::size_t tree_size(const Expr& e, std::size_t limit);
// Longest path from the root to a leaf (a single leaf has depth 1).
int tree_depth(const Expr& e);

// Structural equality (same ops, constants, slots), giving up (false) after `budget` nodes.
bool same_tree(const Expr& a, const Expr& b, std::size_t budget = 256);

}  // namespace proxjit::expr
