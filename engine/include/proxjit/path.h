#pragma once
// Regularization paths: where they start (lambda_max) and the grid they follow by default.
// One place for the rule, read by Engine::solve_path, `proxjit path --grid auto`, cross-validation
// and the Python layer.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxjit/problem.h"

namespace proxjit {

// The smallest value of the prox parameter `parameter` at which x = 0 (all features; the
// intercept, when fitted, at its own optimum) minimizes f + r, from g = grad f at that point and
// the prox's LambdaMaxRule. nullopt when the prox declares no rule for `parameter`, or when no
// value makes 0 optimal (a feature with a zero weight and a nonzero gradient; an intercept whose
// optimum is infinite, such as logistic with one class only).
std::optional<double> lambda_max(const Problem& problem, std::string_view parameter = "lambda");

struct GridOptions {
  int count = 100;
  // The last value over the first; 0 picks glmnet's rule: 1e-4 when samples > features, 1e-2
  // otherwise.
  double min_ratio = 0.0;
};

// `count` values from lambda_max down to lambda_max * min_ratio, log-spaced (glmnet's grid).
// Throws proxjit::Error naming the parameter when lambda_max is not known for this prox, or is 0
// (then every value gives x = 0).
std::vector<double> automatic_grid(const Problem& problem, std::string_view parameter,
                                   const GridOptions& options = {});

// The optimal constant term alone (f over the intercept, with every feature at 0): the start of
// a path with an intercept, and its null model. nullopt when the minimum is at infinity.
std::optional<double> intercept_only_optimum(const Problem& problem);

}  // namespace proxjit
