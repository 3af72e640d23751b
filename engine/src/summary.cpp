#include "proxjit/summary.h"

#include "proxjit/runtime/number_text.h"

#include <cstdio>
#include <string>

namespace proxjit {
namespace {

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string milliseconds(double seconds) {
  return format("%.3f ms", seconds * 1e3);
}

}  // namespace

std::string Summary::BriefReport() const {
  return std::string(to_string(status)) + ", objective " + number_text(objective, 10) +
         ", certificate " + format("%.3e", certificate) + ", " + std::to_string(iterations) +
         " iterations, run " + milliseconds(timing.run_s) +
         (backend == Backend::jit
              ? (cache_hit ? " (kernel cached)" : ", compile " + milliseconds(timing.compile_s))
              : " (reference)");
}

std::string Summary::FullReport() const {
  std::string text;
  const auto line = [&](const std::string& name, const std::string& value) {
    text += "  " + name + std::string(name.size() < 16 ? 16 - name.size() : 1, ' ') + value + "\n";
  };
  text += "proxjit solve: " + problem + "\n";
  line("status", std::string(to_string(status)));
  if (!message.empty()) line("message", message);
  line("objective", number_text(objective, 15));
  // Coordinate descent has no single step: each coordinate j moves with its own curvature c_j.
  const bool by_coordinates = algorithm == Algorithm::coordinate_descent;
  line("certificate",
       format("%.6e", certificate) +
           (by_coordinates ? "  (sqrt(sum_j (c_j dx_j)^2), c_j coordinate j's curvature)"
                           : "  (||x_k+1 - x_k|| / step)"));
  if (duality_gap == duality_gap)
    line("duality gap", format("%.6e", duality_gap) + "  (P(x) - P* <= gap)");
  line("iterations", std::to_string(iterations));
  line("step", by_coordinates ? std::string("1/c_j per coordinate") : number_text(step, 6));
  line("algorithm", std::string(to_string(algorithm)));
  line("backend", std::string(to_string(backend)) + ", " + std::string(to_string(scalar)));
  line("run time", milliseconds(timing.run_s));
  line("first call", milliseconds(timing.first_call_s));
  if (backend == Backend::jit) {
    line("compile", milliseconds(timing.compile_s) + "  (setup " + milliseconds(timing.setup_s) +
                        ", IR " + milliseconds(timing.ir_s) + ", optimize " +
                        milliseconds(timing.optimize_s) + ", codegen " +
                        milliseconds(timing.codegen_s) + ", link " + milliseconds(timing.link_s) +
                        ", cache I/O " + milliseconds(timing.cache_io_s) + ")");
    line("kernel", std::string(to_string(source)) + (cache_hit ? " (cache hit)" : "") +
                       ", lookup " + format("%.3f us", timing.lookup_s * 1e6));
    line("kernel key", kernel_key);
    if (!cache_note.empty()) line("cache note", cache_note);
  }
  return text;
}

}  // namespace proxjit
