#include "proxjit/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "proxjit/runtime/error.h"

namespace proxjit::metrics {
namespace {

void check_sizes(Eigen::Index truth, Eigen::Index predicted, const char* metric) {
  if (truth == 0) throw Error(std::string(metric) + ": no samples to score");
  if (truth != predicted) {
    throw Error(std::string(metric) + ": " + std::to_string(truth) + " true targets but " +
                std::to_string(predicted) + " predictions (expected one per sample)");
  }
}

}  // namespace

double accuracy(const Vector& truth, const Vector& predicted) {
  check_sizes(truth.size(), predicted.size(), "accuracy");
  return static_cast<double>((truth.array() == predicted.array()).count()) /
         static_cast<double>(truth.size());
}

double log_loss(const std::vector<std::size_t>& truth_index,
                const Eigen::MatrixXd& probabilities) {
  check_sizes(static_cast<Eigen::Index>(truth_index.size()), probabilities.rows(), "log_loss");
  constexpr double kClip = 1e-15;
  double total = 0.0;
  for (std::size_t i = 0; i < truth_index.size(); ++i) {
    if (truth_index[i] >= static_cast<std::size_t>(probabilities.cols())) {
      throw Error("log_loss: sample " + std::to_string(i + 1) + "'s class is not a column");
    }
    const double p = probabilities(static_cast<Eigen::Index>(i),
                                   static_cast<Eigen::Index>(truth_index[i]));
    total -= std::log(std::clamp(p, kClip, 1.0 - kClip));
  }
  return total / static_cast<double>(truth_index.size());
}

double roc_auc(const std::vector<bool>& positive, const Vector& scores) {
  check_sizes(static_cast<Eigen::Index>(positive.size()), scores.size(), "roc_auc");
  std::vector<Eigen::Index> order(positive.size());
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(),
            [&](Eigen::Index a, Eigen::Index b) { return scores[a] < scores[b]; });
  // Sum of the positives' ranks, tied scores sharing their average rank.
  double positive_rank_sum = 0.0;
  double positives = 0.0;
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start;
    double tied_positives = 0.0;
    while (end < order.size() && scores[order[end]] == scores[order[start]]) {
      tied_positives += positive[static_cast<std::size_t>(order[end])] ? 1.0 : 0.0;
      ++end;
    }
    const double average_rank = 0.5 * static_cast<double>(start + 1 + end);
    positive_rank_sum += tied_positives * average_rank;
    positives += tied_positives;
    start = end;
  }
  const double negatives = static_cast<double>(positive.size()) - positives;
  if (positives == 0.0 || negatives == 0.0) {
    throw Error("roc_auc: needs samples of both classes (got " +
                std::to_string(static_cast<long long>(positives)) + " positive and " +
                std::to_string(static_cast<long long>(negatives)) + " negative)");
  }
  return (positive_rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

double mean_squared_error(const Vector& truth, const Vector& predicted) {
  check_sizes(truth.size(), predicted.size(), "mse");
  return (truth - predicted).squaredNorm() / static_cast<double>(truth.size());
}

double r2(const Vector& truth, const Vector& predicted) {
  check_sizes(truth.size(), predicted.size(), "r2");
  const double residual = (truth - predicted).squaredNorm();
  const double total = (truth.array() - truth.mean()).matrix().squaredNorm();
  if (total == 0.0) return residual == 0.0 ? 1.0 : 0.0;
  return 1.0 - residual / total;
}

double poisson_deviance(const Vector& truth, const Vector& predicted_rate) {
  check_sizes(truth.size(), predicted_rate.size(), "poisson_deviance");
  double total = 0.0;
  for (Eigen::Index i = 0; i < truth.size(); ++i) {
    const double y = truth[i];
    const double mu = predicted_rate[i];
    if (!(y >= 0.0)) {
      throw Error("poisson_deviance: target " + std::to_string(i + 1) + " is " +
                  std::to_string(y) + " (expected a count >= 0)");
    }
    if (!(mu > 0.0)) {
      throw Error("poisson_deviance: predicted rate " + std::to_string(i + 1) + " is " +
                  std::to_string(mu) + " (expected > 0)");
    }
    total += 2.0 * ((y > 0.0 ? y * std::log(y / mu) : 0.0) - y + mu);
  }
  return total / static_cast<double>(truth.size());
}

}  // namespace proxjit::metrics
