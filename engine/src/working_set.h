#pragma once
// Coordinate descent on working sets (the plan's `working_sets`): least squares solved over its
// normal equations on a growing set of features, checked over all of them.

#include <functional>

#include "engine_internal.h"
#include "proxjit/engine.h"

namespace proxjit::detail {

// Whether the plan's solve runs on working sets: cd on a squared loss (LossDual::squared) with
// an elementwise r, in float64 on the JIT, to a tolerance, with nothing that watches every
// epoch (traces, callbacks, objective checks, repeats).
bool working_sets_apply(const SolvePlan& plan, const Problem& problem);

// Solves with the engine's cd kernel on each working set's subproblem (a quadratic over the
// set's normal equations: one kernel for every set and every point of a path).
// `solve_set` solves one set's subproblem (the engine's solve, counting only the first lookup).
using SubproblemSolver = std::function<Summary(const Problem&, const SolverOptions&)>;
Summary solve_on_working_sets(const Problem& problem, const SolvePlan& plan,
                              Clock::time_point start, const SubproblemSolver& solve_set);

}  // namespace proxjit::detail
