#pragma once
// A self-contained SVG convergence plot of a solve's trace (no dependency): two panels side by
// side, against iterations and against run time, each with the certificate and the objective
// gap on a log-scale y axis (decade gridlines and labels), linear x axes with ticks, a legend,
// a title and a caption.
//
// The objective gap of a row is  objective - (best objective in the trace) + floor,  where
// floor = kGapFloor * max(1, |best|) keeps it positive (the best row sits on the floor).
// Points that are not finite or not positive are skipped; 0 or 1 rows give a valid plot.

#include <string>
#include <vector>

#include "proxjit/summary.h"

namespace proxjit::cli {

// Relative floor added to the objective gap so it stays positive on a log scale.
inline constexpr double kGapFloor = 1e-12;

struct ConvergencePlot {
  std::string title;     // e.g. the problem description, "quadratic + l1(lambda=0.1)"
  std::string subtitle;  // e.g. "pgd, float64, jit: converged after 120 iterations"
};

// The objective gap of every row (see above); NaN where the objective is not finite.
std::vector<double> objective_gaps(const std::vector<TraceRow>& rows);

// The SVG document: starts with "<svg" and ends with "</svg>\n". Each panel holds one
// <polyline class="certificate"> and one <polyline class="gap"> (omitted when the series has
// no plottable point), with one point per plottable row.
std::string convergence_svg(const std::vector<TraceRow>& rows, const ConvergencePlot& plot);

// Writes convergence_svg to `path`; throws proxjit::Error naming the file on failure.
void write_convergence_svg(const std::string& path, const std::vector<TraceRow>& rows,
                           const ConvergencePlot& plot);

}  // namespace proxjit::cli
