#pragma once
// Scores of predictions against true targets, as scikit-learn's sklearn.metrics defines them.
// Sizes are checked (proxjit::Error names the argument); empty inputs are refused.

#include <vector>

#include "proxjit/runtime/dense.h"

namespace proxjit::metrics {

// The fraction of predictions equal to the truth.
double accuracy(const Vector& truth, const Vector& predicted);
// -mean log P(true class), probabilities clipped to [1e-15, 1 - 1e-15] as scikit-learn does.
// `truth_index[i]` is the column of sample i's class in `probabilities` (samples x classes).
double log_loss(const std::vector<std::size_t>& truth_index, const Eigen::MatrixXd& probabilities);
// Area under the ROC curve of `scores` for the samples where `positive` is true (the
// Mann-Whitney statistic; tied scores count one half). Throws unless both classes occur.
double roc_auc(const std::vector<bool>& positive, const Vector& scores);
double mean_squared_error(const Vector& truth, const Vector& predicted);
// 1 - SS_res / SS_tot; 1 when the truth is constant and predicted exactly, 0 when not (as
// scikit-learn's r2_score with force_finite).
double r2(const Vector& truth, const Vector& predicted);
// mean 2 (y log(y / mu) - y + mu), y >= 0 and mu > 0 (scikit-learn's mean_poisson_deviance).
double poisson_deviance(const Vector& truth, const Vector& predicted_rate);

}  // namespace proxjit::metrics
