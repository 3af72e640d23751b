#pragma once
// What solvers may exploit about a component, declared in the component's own file next to its
// formula (runtime/src/prox/*.cpp, runtime/src/smooth/*.cpp). Solvers, the emitter, the duality
// gap and the engine ask these rules; none of them switches on a component's name, so a user
// formula with a built-in's math gets the built-in's rules (user_components.cpp) and kernels.
//
// Parameter slots index the component's parameters (ProxComponent::parameters()); -1 means the
// term is absent (counts as 0).

#include <optional>
#include <span>
#include <string>

namespace proxjit {

// How k skipped steps x <- prox_{step r}(x - step c) of one coordinate are caught up at once on
// sparse data (stochastic_solver.h has the rules, the emitter the same in IR).
struct LaggedRule {
  enum class Kind {
    none,    // no closed form: dense steps
    shrink,  // r = l1 |x| + l2/2 x^2 per coordinate: a closed form (catch_up)
    box,     // a projection onto an interval: two steps give the k-step result
    group,   // group_l2 over contiguous groups (list `groups`, weight in l1_slot): GroupLag
  };
  Kind kind = Kind::none;
  int l1_slot = -1;
  int l2_slot = -1;

  bool operator==(const LaggedRule&) const = default;
  // For kernel keys: "" for none, else e.g. "shrink(l1=p0,l2=-)".
  std::string canonical() const;
  // SGD's prox-only steps compose into one step (sgd_catch_up): shrink with one of l1 or l2
  // or neither, and box.
  bool composes_for_sgd() const {
    return kind == Kind::box || (kind == Kind::shrink && (l1_slot < 0 || l2_slot < 0));
  }
};

// The conjugate r* at -A'theta, for duality gaps (duality_gap.h).
struct DualRule {
  enum class Kind {
    none,    // no gap
    shrink,  // r = l1 sum_i w_i |x_i| + l2/2 |x|^2 (w from the list `weights_list` if given):
             // r*(u) = sum_i max(|u_i| - l1 w_i, 0)^2 / (2 l2), or with l2 = 0 the indicator of
             // |u_i| <= l1 w_i (theta is scaled into it)
    box,     // the indicator of [lo, hi]^d: r* is the support function (finite bounds only)
  };
  Kind kind = Kind::none;
  int l1_slot = -1, l2_slot = -1;
  int lo_slot = -1, hi_slot = -1;
  std::string weights_list;
};

// The smallest value of parameter `slot` at which x = 0 minimizes f + r, from g = grad f(0)
// (with an intercept, at the intercept's own optimum).
struct LambdaMaxRule {
  enum class Kind {
    none,
    linf,   // max_i |g_i| / w_i (w from `weights_list` if given; a zero weight is skipped)
    group,  // max over the contiguous groups of list `groups_list` of ||g_G||_2
  };
  Kind kind = Kind::none;
  int slot = -1;
  // The value of the parameter is divided among terms: elastic net's l1 is the slot; its l2
  // does not change where 0 becomes optimal.
  std::string weights_list;
  std::string groups_list;
};

// The conjugate of a margin loss phi(z, b), for duality gaps.
enum class LossDual {
  none,
  squared,   // phi = (z - b)^2 / 2
  logistic,  // phi = log(1 + exp(-b z)), b in {-1, +1}
};

// lambda_max for a rule from g = grad f(0), with the component's lists the rule names (empty
// when not given). nullopt where the rule is none or the lists do not fit g.
std::optional<double> lambda_max_from_gradient(const LambdaMaxRule& rule,
                                               std::span<const double> gradient,
                                               std::span<const double> weights,
                                               std::span<const double> groups);

}  // namespace proxjit
