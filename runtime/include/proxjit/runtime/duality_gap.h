#pragma once
// Duality gaps: a bound P(x) - P* <= gap that certifies how far from optimal an answer is,
// whatever algorithm produced it.

#include <optional>

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/objective.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/smooth.h"

namespace proxjit {

// Known for least_squares and logistic losses, P(x) = 1/n sum_i w_i phi(a_i'x, b_i) + r(x),
// with r = l1, l2sq, elastic_net, or a box with finite bounds, by Fenchel duality:
//   D(theta) = -1/n sum_i w_i phi*(n theta_i / w_i, b_i) - r*(-A'theta)
// at theta_i = w_i phi'(a_i'x, b_i) / n (the point the dual solution is the image of), rescaled
// into r*'s domain for l1. Empty for other pairs and with an intercept (the dual then needs
// sum theta = 0 exactly).
// When `primal` is given and the gap is known, P(x) goes there too (it is part of the gap).
//
// A solver that already holds the margins z = A x (coordinate descent), phi(z_i, b_i) and
// w_i phi'(z_i, b_i) per sample and the gradient of f (proximal Newton) passes them as `at_x`:
// the check then needs no product with A or A' and no exp or log per sample (the logistic
// dual's logs follow from phi and z), two passes over the samples.
// Whether duality_gap gives a gap for the pair: a loss and an r with known conjugates
// (solver_rules.h), no intercept (penalized == variables), finite bounds for a box.
bool duality_gap_known(const SmoothComponent& f, const ProxComponent& r, Eigen::Index penalized,
                       Eigen::Index variables);

struct SampleValues {
  const double* margins = nullptr;         // z = A x, one per sample
  const double* loss = nullptr;            // phi(z_i, b_i); with weighted_slope, or neither
  const double* weighted_slope = nullptr;  // w_i phi'(z_i, b_i)
  const double* gradient = nullptr;        // grad f(x) = A'(w phi') / n, one per unknown
};
std::optional<double> duality_gap(const SmoothComponent& f, const ProxComponent& r,
                                  const DataView<double>& data, Eigen::Index penalized,
                                  const Vector& x, double* primal = nullptr,
                                  const SampleValues& at_x = {});
// Dense data without weights or intercept.
std::optional<double> duality_gap(const SmoothComponent& f, const ProxComponent& r, const Matrix& A,
                                  const Vector& b, const Vector& x);

}  // namespace proxjit
