#pragma once
// Components users define as formulas at runtime (formula.h), registered next to the built-ins:
// once defined, a name works wherever a built-in's does (Problem::parse, --f/--r, the REPL,
// `proxjit list`), and its kernels are the built-ins' kernels: the same fused loops, keyed by the
// formula's canonical math.

#include <string>
#include <string_view>
#include <vector>

#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/smooth.h"

namespace proxjit {

// Parses and registers every definition of `text` (`source` names it in messages: a file,
// "<repl>"). Returns the names defined. A loss becomes a margin loss; without a `lipschitz`
// clause its curvature is unbounded (steps then come from a line search). A prox is elementwise,
// separable and assumed convex; without a `value(x)` clause it counts 0 in objectives.
// Redefining a user name replaces it for later lookups (components made before keep theirs);
// a built-in name cannot be redefined. Throws proxjit::Error, with line and caret for syntax.
std::vector<std::string> define_components(std::string_view text, std::string_view source);

// The same from C++, with the expression builders of expr.h, e.g.
//   using namespace proxjit::expr;
//   ProxDefinition soft;
//   soft.name = "soft";
//   soft.parameters = {{"lambda", "threshold", 0.1, false}};
//   const Expr y = Expr::variable(), lambda = Expr::parameter(0, "lambda");
//   soft.prox = sign(y) * max(abs(y) - Expr::step() * lambda, 0.0);
//   soft.value = lambda * abs(y);
//   define_prox(soft);
// Canonical keys are filled in; a loss without `derivative` gets the symbolic one.
void define_prox(ProxDefinition definition);
void define_loss(SmoothDefinition definition);

// The user definitions in force (the latest of each name), in definition order.
std::vector<const SmoothDefinition*> user_smooth_definitions();
std::vector<const ProxDefinition*> user_prox_definitions();
// Null when `name` is not a user definition.
const SmoothDefinition* find_user_smooth(std::string_view name);
const ProxDefinition* find_user_prox(std::string_view name);

}  // namespace proxjit
