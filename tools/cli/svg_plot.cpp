#include "svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::cli {
namespace {

// Geometry (user units = pixels).
constexpr double kWidth = 1000;
constexpr double kHeight = 470;
constexpr double kPanelWidth = kWidth / 2;
constexpr double kLeft = 72;   // inside a panel: room for the y labels
constexpr double kRight = 24;  // inside a panel
constexpr double kTop = 78;
constexpr double kBottom = 378;  // y of the x axis
constexpr char kCertificateColor[] = "#1f77b4";
constexpr char kGapColor[] = "#d62728";

std::string printf_text(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

// A tick label: "0", "500", "0.25", "2e6".
std::string tick_text(double value) {
  if (value == 0.0) return "0";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) {
    const int exponent = static_cast<int>(std::floor(std::log10(magnitude) + 1e-9));
    const double mantissa = value / std::pow(10.0, exponent);
    std::string text = number_text(mantissa, 3);
    return text + "e" + std::to_string(exponent);
  }
  return number_text(value, 6);
}

// A linear axis from 0 (or the smallest value when negative) to a round number past the
// largest, with ticks every 1, 2 or 5 times a power of ten.
struct LinearAxis {
  double lo = 0.0;
  double hi = 1.0;
  double step = 0.2;

  LinearAxis(double min_value, double max_value, bool integer) {
    lo = std::min(0.0, min_value);
    double span = max_value - lo;
    if (!(span > 0.0) || !std::isfinite(span)) span = integer ? 1.0 : 1e-3;
    const double raw = span / 5.0;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double scaled = raw / power;
    step = (scaled <= 1.0 ? 1.0 : scaled <= 2.0 ? 2.0 : scaled <= 5.0 ? 5.0 : 10.0) * power;
    if (integer) step = std::max(step, 1.0);
    hi = lo + std::ceil(span / step - 1e-9) * step;
    if (hi <= lo) hi = lo + step;
  }
  double fraction(double value) const { return (value - lo) / (hi - lo); }
};

// A log10 axis spanning whole decades.
struct LogAxis {
  int lo = -1;
  int hi = 0;

  explicit LogAxis(const std::vector<double>& values) {
    double min_value = std::numeric_limits<double>::infinity();
    double max_value = 0.0;
    for (const double v : values) {
      if (std::isfinite(v) && v > 0.0) {
        min_value = std::min(min_value, v);
        max_value = std::max(max_value, v);
      }
    }
    if (max_value > 0.0) {
      lo = static_cast<int>(std::floor(std::log10(min_value)));
      hi = static_cast<int>(std::ceil(std::log10(max_value)));
      if (hi <= lo) hi = lo + 1;
    }
  }
  double fraction(double value) const {
    return (std::log10(value) - lo) / static_cast<double>(hi - lo);
  }
};

bool plottable(double x, double y) {
  return std::isfinite(x) && std::isfinite(y) && y > 0.0;
}

struct Series {
  const char* css_class;
  const char* color;
  const char* label;
  std::vector<double> y;
};

// One panel at horizontal offset `origin`, x values `xs`.
void draw_panel(std::string& svg, double origin, const std::vector<double>& xs, bool integer_x,
                const char* x_label, const std::vector<Series>& series, const LogAxis& y_axis) {
  double x_min = std::numeric_limits<double>::infinity();
  double x_max = -std::numeric_limits<double>::infinity();
  for (const double x : xs) {
    if (std::isfinite(x)) {
      x_min = std::min(x_min, x);
      x_max = std::max(x_max, x);
    }
  }
  if (!std::isfinite(x_min)) x_min = x_max = 0.0;
  const LinearAxis x_axis(x_min, x_max, integer_x);

  const double left = origin + kLeft;
  const double right = origin + kPanelWidth - kRight;
  const auto px = [&](double x) { return left + x_axis.fraction(x) * (right - left); };
  const auto py = [&](double y) { return kBottom - y_axis.fraction(y) * (kBottom - kTop); };
  const auto num = [](double v) { return printf_text("%.2f", v); };

  svg += "<g class=\"panel\">\n";
  // Decade gridlines and labels (every decade labelled up to 10 decades, then thinned).
  const int decades = y_axis.hi - y_axis.lo;
  const int label_every = std::max(1, (decades + 9) / 10);
  const int grid_every = decades > 40 ? label_every : 1;
  for (int e = y_axis.lo; e <= y_axis.hi; ++e) {
    if ((e - y_axis.lo) % grid_every != 0) continue;
    const double y = py(std::pow(10.0, e));
    svg += "<line class=\"grid\" x1=\"" + num(left) + "\" y1=\"" + num(y) + "\" x2=\"" +
           num(right) + "\" y2=\"" + num(y) + "\" stroke=\"#dddddd\" stroke-width=\"1\"/>\n";
    if ((e - y_axis.lo) % label_every == 0) {
      svg += "<text x=\"" + num(left - 8) + "\" y=\"" + num(y + 4) +
             "\" text-anchor=\"end\" font-size=\"12\">10<tspan dy=\"-6\" font-size=\"9\">" +
             std::to_string(e) + "</tspan></text>\n";
    }
  }
  // X ticks.
  for (double t = x_axis.lo; t <= x_axis.hi + x_axis.step * 1e-6; t += x_axis.step) {
    const double x = px(t);
    svg += "<line class=\"tick\" x1=\"" + num(x) + "\" y1=\"" + num(kBottom) + "\" x2=\"" + num(x) +
           "\" y2=\"" + num(kBottom + 5) + "\" stroke=\"#333333\"/>\n";
    svg += "<text x=\"" + num(x) + "\" y=\"" + num(kBottom + 19) +
           "\" text-anchor=\"middle\" font-size=\"12\">" +
           tick_text(std::fabs(t) < 1e-12 * x_axis.step ? 0.0 : t) + "</text>\n";
  }
  // Frame and axis labels.
  svg += "<rect x=\"" + num(left) + "\" y=\"" + num(kTop) + "\" width=\"" + num(right - left) +
         "\" height=\"" + num(kBottom - kTop) + "\" fill=\"none\" stroke=\"#333333\"/>\n";
  svg += "<text x=\"" + num((left + right) / 2) + "\" y=\"" + num(kBottom + 40) +
         "\" text-anchor=\"middle\" font-size=\"13\">" + x_label + "</text>\n";
  // The series.
  for (const Series& s : series) {
    std::string points;
    int count = 0;
    double last_x = 0.0;
    double last_y = 0.0;
    for (std::size_t i = 0; i < xs.size() && i < s.y.size(); ++i) {
      if (!plottable(xs[i], s.y[i])) continue;
      last_x = px(xs[i]);
      last_y = py(s.y[i]);
      points += (count ? " " : "") + num(last_x) + "," + num(last_y);
      ++count;
    }
    if (count == 0) continue;
    svg += std::string("<polyline class=\"") + s.css_class + "\" fill=\"none\" stroke=\"" +
           s.color + "\" stroke-width=\"1.8\" points=\"" + points + "\"/>\n";
    if (count == 1) {  // a lone point draws no line: mark it
      svg += std::string("<circle cx=\"") + num(last_x) + "\" cy=\"" + num(last_y) +
             "\" r=\"3\" fill=\"" + s.color + "\"/>\n";
    }
  }
  // Legend, top right inside the frame.
  const double legend_left = right - 150;
  svg +=
      "<rect x=\"" + num(legend_left) + "\" y=\"" + num(kTop + 8) +
      "\" width=\"142\" height=\"44\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbbbbb\"/>\n";
  double legend_y = kTop + 24;
  for (const Series& s : series) {
    svg += "<line x1=\"" + num(legend_left + 8) + "\" y1=\"" + num(legend_y - 4) + "\" x2=\"" +
           num(legend_left + 32) + "\" y2=\"" + num(legend_y - 4) + "\" stroke=\"" + s.color +
           "\" stroke-width=\"2\"/>\n";
    svg += "<text x=\"" + num(legend_left + 38) + "\" y=\"" + num(legend_y) +
           "\" font-size=\"12\">" + s.label + "</text>\n";
    legend_y += 18;
  }
  svg += "</g>\n";
}

}  // namespace

std::vector<double> objective_gaps(const std::vector<TraceRow>& rows) {
  double best = std::numeric_limits<double>::infinity();
  for (const TraceRow& row : rows) {
    if (std::isfinite(row.objective)) best = std::min(best, row.objective);
  }
  std::vector<double> gaps;
  gaps.reserve(rows.size());
  const double floor = kGapFloor * std::max(1.0, std::fabs(best));
  for (const TraceRow& row : rows) {
    gaps.push_back(std::isfinite(row.objective) ? row.objective - best + floor
                                                : std::numeric_limits<double>::quiet_NaN());
  }
  return gaps;
}

std::string convergence_svg(const std::vector<TraceRow>& rows, const ConvergencePlot& plot) {
  std::vector<double> iterations;
  std::vector<double> seconds;
  std::vector<double> certificates;
  for (const TraceRow& row : rows) {
    iterations.push_back(static_cast<double>(row.iteration));
    seconds.push_back(row.seconds);
    certificates.push_back(row.certificate);
  }
  const std::vector<double> gaps = objective_gaps(rows);
  const std::vector<Series> series = {
      {"certificate", kCertificateColor, "certificate", certificates},
      {"gap", kGapColor, "objective gap", gaps},
  };
  std::vector<double> all_y = certificates;
  all_y.insert(all_y.end(), gaps.begin(), gaps.end());
  const LogAxis y_axis(all_y);

  double best = std::numeric_limits<double>::infinity();
  for (const TraceRow& row : rows) {
    if (std::isfinite(row.objective)) best = std::min(best, row.objective);
  }

  const auto num = [](double v) { return printf_text("%.0f", v); };
  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) + "\" height=\"" +
         num(kHeight) + "\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
         "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
  svg += "<title>" + xml_escaped("proxjit convergence: " + plot.title) + "</title>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + num(kWidth / 2) +
         "\" y=\"26\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">" +
         xml_escaped(plot.title) + "</text>\n";
  if (!plot.subtitle.empty()) {
    svg += "<text x=\"" + num(kWidth / 2) +
           "\" y=\"46\" text-anchor=\"middle\" font-size=\"13\" fill=\"#555555\">" +
           xml_escaped(plot.subtitle) + "</text>\n";
  }
  // The y axis label, once per panel.
  for (const double origin : {0.0, kPanelWidth}) {
    svg += "<text x=\"" + num(origin + 16) + "\" y=\"" + num((kTop + kBottom) / 2) +
           "\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 " + num(origin + 16) +
           " " + num((kTop + kBottom) / 2) + ")\">log scale</text>\n";
  }
  draw_panel(svg, 0.0, iterations, /*integer_x=*/true, "iteration", series, y_axis);
  draw_panel(svg, kPanelWidth, seconds, /*integer_x=*/false, "run time (s)", series, y_axis);
  if (rows.empty()) {
    // Centred in each panel's frame, clear of the y axis labels between the panels.
    for (const double origin : {0.0, kPanelWidth}) {
      svg += "<text class=\"no-rows\" x=\"" + num(origin + (kLeft + kPanelWidth - kRight) / 2) +
             "\" y=\"" + num((kTop + kBottom) / 2) +
             "\" text-anchor=\"middle\" font-size=\"14\" fill=\"#888888\">no trace rows</text>\n";
    }
  }
  const std::string best_text = std::isfinite(best) ? number_text(best, 10) : std::string("none");
  svg +=
      "<text x=\"" + num(kWidth / 2) + "\" y=\"" + num(kHeight - 30) +
      "\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333333\">" +
      xml_escaped("certificate = ||x_{k+1} - x_k|| / step.  objective gap = objective - f* + " +
                  number_text(kGapFloor, 6) +
                  " * max(1, |f*|), with f* the best objective in the trace (" + best_text + "):") +
      "</text>\n";
  svg += "<text x=\"" + num(kWidth / 2) + "\" y=\"" + num(kHeight - 13) +
         "\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333333\">" +
         xml_escaped(
             "the small floor keeps it positive on the log scale (the best row sits on "
             "it). " +
             std::to_string(rows.size()) + " trace rows.") +
         "</text>\n";
  svg += "</svg>\n";
  return svg;
}

void write_convergence_svg(const std::string& path, const std::vector<TraceRow>& rows,
                           const ConvergencePlot& plot) {
  try {
    write_file_atomically(path, convergence_svg(rows, plot));  // never a half-written plot
  } catch (const Error& error) {
    throw Error(std::string("--plot ") + error.what());
  }
}

}  // namespace proxjit::cli
