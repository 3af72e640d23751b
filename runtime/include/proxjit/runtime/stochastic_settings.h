#pragma once
// The stochastic solvers' settings (stochastic_solver.h has the solvers): what the public
// options name, without the solvers themselves.

#include <cmath>
#include <cstdint>
#include <string_view>

namespace proxjit {

enum class StochasticMethod { sgd, saga, svrg };

// SGD's step s_t = step * factor at step t (t from 0 over the whole run; N steps an epoch).
enum class StepSchedule : std::int64_t {
  constant = 0,    // 1
  inv_t = 1,       // 1 / (1 + t/N)
  inv_sqrt_t = 2,  // 1 / sqrt(1 + t/N)
  decay = 3,       // 1 / (1 + epoch), epoch = floor(t/N): constant within an epoch
};
enum class Sampling : std::int64_t {
  with_replacement = 0,  // each step draws a sample uniformly
  shuffle = 1,           // each epoch visits every sample once, in a fresh random order
};

constexpr std::string_view to_string(StepSchedule schedule) {
  switch (schedule) {
    case StepSchedule::constant:
      return "constant";
    case StepSchedule::inv_t:
      return "inv_t";
    case StepSchedule::inv_sqrt_t:
      return "inv_sqrt_t";
    case StepSchedule::decay:
      return "decay";
  }
  return "unknown";
}
constexpr std::string_view to_string(Sampling sampling) {
  return sampling == Sampling::shuffle ? "shuffle" : "with_replacement";
}

struct StochasticSettings {
  std::uint64_t seed = 0;
  std::int64_t batch_size = 1;  // SGD only
  StepSchedule schedule = StepSchedule::decay;
  Sampling sampling = Sampling::with_replacement;
  bool averaging = false;  // SGD only
};

inline double schedule_factor(StepSchedule schedule, std::int64_t t, std::int64_t steps_per_epoch) {
  const double epochs = static_cast<double>(t) / static_cast<double>(steps_per_epoch);
  switch (schedule) {
    case StepSchedule::constant:
      return 1.0;
    case StepSchedule::inv_t:
      return 1.0 / (1.0 + epochs);
    case StepSchedule::inv_sqrt_t:
      return 1.0 / std::sqrt(1.0 + epochs);
    case StepSchedule::decay:
      return 1.0 / (1.0 + static_cast<double>(t / steps_per_epoch));
  }
  return 1.0;
}

}  // namespace proxjit
