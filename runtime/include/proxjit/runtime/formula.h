#pragma once
// User-defined components typed as formulas, at runtime (a file or the REPL).
//
// One definition per line; blank lines and `#` comments (also after a definition) are ignored.
// A definition does not continue on the next line.
//
//   loss NAME(z, y) = EXPR                        f(x) = 1/n sum_i phi(a_i'x, b_i): z is the
//                                                 margin, y the label (any two identifiers)
//   loss NAME(z, y; lambda=1, delta) = EXPR       parameters after ';', with optional defaults
//                                                 (no default: the parameter is required)
//   loss NAME(z, y) = EXPR ; grad = EXPR ; lipschitz = EXPR
//                                                 dphi/dz given by hand, and a bound on phi''
//                                                 (parameters and constants only)
//   smooth NAME(x; params) = EXPR [; grad = EXPR] [; lipschitz = EXPR]
//                                                 g(x_i), summed over the coordinates
//   prox NAME(y, alpha; lambda=0.1) = EXPR [; value(x) = EXPR]
//                                                 the elementwise prox with step alpha, and
//                                                 optionally r(x) per element for objectives
//
// Expressions: + - * / ^ (right-associative and tighter than unary minus: -x^2 = -(x^2),
// 2^3^2 = 512), comparisons < <= > >= (1 or 0; they do not chain), parentheses, numbers (1, 0.5,
// 1e-3, inf) and the functions abs sign min max clamp exp log log1p expm1 sqrt pow tanh sigmoid
// softplus where(cond, a, b).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxjit/runtime/expr.h"

namespace proxjit {

struct FormulaParameter {
  std::string name;
  double default_value = 0.0;
  bool required = true;  // no default was given
};

enum class FormulaKind { loss, smooth, prox };

struct FormulaDefinition {
  FormulaKind kind = FormulaKind::loss;
  std::string name;
  std::vector<FormulaParameter> parameters;  // in slot order
  std::string text;                          // the definition as typed (without its comment)
  expr::Expr value = 0.0;       // loss: phi(z, y); smooth: g(x); prox: r(x) per element if given
  expr::Expr derivative = 0.0;  // loss: dphi/dz; smooth: g'(x) (derived and simplified unless
                                // given); prox: unused
  expr::Expr prox = 0.0;        // prox only: prox_{alpha r}(y) per element
  bool has_value = false;       // prox: whether a value(x) formula was given
  std::optional<expr::Expr> lipschitz;  // loss/smooth: the given bound on the second derivative
  // Kind and trees in expr::canonical form: names of the bound variables and parameters do not
  // appear, nor does whitespace, so the same math typed twice gives the same key.
  std::string canonical;
  int source_line = 0;  // 1-based line in the parsed text
};

// Limits that make a hostile formula fail with an error instead of exhausting the stack or memory.
struct FormulaLimits {
  static constexpr std::size_t max_text_length = 1 << 20;  // whole text, bytes
  static constexpr std::size_t max_line_length = 10000;    // one definition, bytes
  static constexpr int max_nesting = 200;                  // parentheses, calls, unary signs
  static constexpr std::size_t max_nodes = 10000;          // per expression, walked as a tree
  static constexpr std::size_t max_derivative_nodes = 200000;
};

// Parses every definition of `text`. `source_name` (a file name, "<repl>") starts the messages.
// Throws proxjit::Error at the first problem: "SOURCE:LINE:COLUMN: what was expected", then the
// line and a caret under the column.
std::vector<FormulaDefinition> parse_definitions(std::string_view text,
                                                 std::string_view source_name);

std::string_view to_string(FormulaKind kind);

// The names a formula may call, for completion and suggestions.
const std::vector<std::string>& formula_function_names();

}  // namespace proxjit
