// The SVG convergence plot on its own: a well-formed document, one polyline point per plottable
// row, and no crash or junk on 0 rows, 1 row, NaN and infinities.

#include "svg_plot.h"

#include <cmath>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace proxjit::cli {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<TraceRow> geometric_rows(int count) {
  std::vector<TraceRow> rows;
  for (int i = 1; i <= count; ++i) {
    rows.push_back({i * 10, i * 1e-4, -1.0 + std::pow(0.5, i), std::pow(0.3, i), 0.2});
  }
  return rows;
}

// The points="..." of the polyline with this class, or nullopt-like "" with found=false.
bool polyline_points(const std::string& svg, const std::string& css_class, std::string* points) {
  const std::regex pattern("<polyline class=\"" + css_class + "\"[^>]*points=\"([^\"]*)\"");
  std::smatch match;
  if (!std::regex_search(svg, match, pattern)) return false;
  *points = match[1];
  return true;
}

int point_count(const std::string& points) {
  std::istringstream in(points);
  int count = 0;
  for (std::string point; in >> point;) {
    EXPECT_TRUE(std::regex_match(point, std::regex("-?[0-9]+\\.[0-9]+,-?[0-9]+\\.[0-9]+")))
        << point;
    ++count;
  }
  return count;
}

int count_of(const std::string& text, const std::string& needle) {
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

// Every opened element is closed (a cheap well-formedness check: no parser needed).
void expect_well_formed(const std::string& svg) {
  EXPECT_TRUE(svg.starts_with("<svg")) << svg.substr(0, 80);
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_EQ(count_of(svg, "<svg"), 1);
  for (const char* element : {"text", "g", "title", "tspan"}) {
    EXPECT_EQ(count_of(svg, std::string("<") + element + " ") +
                  count_of(svg, std::string("<") + element + ">"),
              count_of(svg, std::string("</") + element + ">"))
        << element;
  }
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  // Text is escaped: no raw '&' that does not start an entity.
  EXPECT_FALSE(std::regex_search(svg, std::regex("&(?!(amp|lt|gt|quot|apos);)")));
}

TEST(SvgPlot, TwoPanelsOnePointPerRow) {
  const std::vector<TraceRow> rows = geometric_rows(30);
  const std::string svg = convergence_svg(rows, {"quadratic + l1(lambda=0.1)", "pgd"});
  expect_well_formed(svg);
  EXPECT_EQ(count_of(svg, "<g class=\"panel\">"), 2);
  EXPECT_EQ(count_of(svg, "<polyline class=\"certificate\""), 2);  // one per panel
  EXPECT_EQ(count_of(svg, "<polyline class=\"gap\""), 2);
  std::string points;
  ASSERT_TRUE(polyline_points(svg, "certificate", &points));
  EXPECT_EQ(point_count(points), 30);
  ASSERT_TRUE(polyline_points(svg, "gap", &points));
  EXPECT_EQ(point_count(points), 30);  // the best row sits on the floor, still positive
  EXPECT_NE(svg.find("quadratic + l1(lambda=0.1)"), std::string::npos);
  EXPECT_NE(svg.find("objective gap"), std::string::npos);
  EXPECT_NE(svg.find("floor"), std::string::npos);  // the caption says so
  EXPECT_NE(svg.find("iteration"), std::string::npos);
  EXPECT_NE(svg.find("run time (s)"), std::string::npos);
  // Decade labels on the log axis: 10^-15 .. 10^0 at least.
  EXPECT_NE(svg.find("<tspan dy=\"-6\" font-size=\"9\">0</tspan>"), std::string::npos);
}

TEST(SvgPlot, NoRowsIsStillAPlot) {
  const std::string svg = convergence_svg({}, {"empty", ""});
  expect_well_formed(svg);
  EXPECT_EQ(count_of(svg, "<polyline"), 0);
  EXPECT_NE(svg.find("no trace rows"), std::string::npos);
}

// The "no trace rows" text sits inside a panel's frame (x from 72 to 476, or 572 to 976), clear
// of the right panel's y axis label: its estimated width (0.6 em a character) fits.
TEST(SvgPlot, NoRowsTextStaysInsideAPanel) {
  const std::string svg = convergence_svg({}, {"empty", ""});
  int texts = 0;
  for (std::size_t at = svg.find("no trace rows"); at != std::string::npos;
       at = svg.find("no trace rows", at + 1)) {
    const std::size_t open = svg.rfind("<text", at);
    const std::size_t close = svg.find("</text>", at);
    ASSERT_NE(open, std::string::npos);
    const std::string element = svg.substr(open, close - open);
    const std::string content = element.substr(element.find('>') + 1);
    const double x = std::stod(element.substr(element.find(" x=\"") + 4));
    const double font = std::stod(element.substr(element.find("font-size=\"") + 11));
    const double half = 0.3 * font * static_cast<double>(content.size());
    const bool left = x - half >= 72 && x + half <= 476;
    const bool right = x - half >= 572 && x + half <= 976;
    EXPECT_TRUE(left || right) << element;
    ++texts;
  }
  EXPECT_GE(texts, 1);
}

TEST(SvgPlot, OneRowIsAMarkedPoint) {
  const std::string svg = convergence_svg(geometric_rows(1), {"one", ""});
  expect_well_formed(svg);
  std::string points;
  ASSERT_TRUE(polyline_points(svg, "certificate", &points));
  EXPECT_EQ(point_count(points), 1);
  EXPECT_GE(count_of(svg, "<circle"), 1);
}

TEST(SvgPlot, NonFiniteAndNonPositiveValuesAreSkipped) {
  std::vector<TraceRow> rows = geometric_rows(10);
  rows[2].certificate = kNaN;
  rows[3].certificate = kInf;
  rows[4].certificate = 0.0;   // converged exactly: nothing to draw on a log scale
  rows[5].certificate = -1.0;  // not a certificate, but must not break the plot
  rows[6].objective = kNaN;    // drops out of the gap series only
  rows[7].seconds = kInf;      // drops out of the time panel only
  const std::string svg = convergence_svg(rows, {"a < b & c", ""});
  expect_well_formed(svg);
  EXPECT_NE(svg.find("a &lt; b &amp; c"), std::string::npos);

  // The first panel is against iterations: every row has a finite x there.
  std::string points;
  ASSERT_TRUE(polyline_points(svg, "certificate", &points));
  EXPECT_EQ(point_count(points), 6);
  ASSERT_TRUE(polyline_points(svg, "gap", &points));
  EXPECT_EQ(point_count(points), 9);

  // The second panel (against time) loses row 7 as well.
  const std::size_t second = svg.find("<g class=\"panel\">", svg.find("<g class=\"panel\">") + 1);
  ASSERT_NE(second, std::string::npos);
  ASSERT_TRUE(polyline_points(svg.substr(second), "certificate", &points));
  EXPECT_EQ(point_count(points), 5);
  ASSERT_TRUE(polyline_points(svg.substr(second), "gap", &points));
  EXPECT_EQ(point_count(points), 8);
}

TEST(SvgPlot, AllNonFiniteGivesNoPolyline) {
  std::vector<TraceRow> rows = {{1, kNaN, kNaN, kNaN, 0.1}, {2, kInf, kInf, -kInf, 0.1}};
  const std::string svg = convergence_svg(rows, {"bad", ""});
  expect_well_formed(svg);
  EXPECT_EQ(count_of(svg, "<polyline"), 0);
}

TEST(SvgPlot, ObjectiveGapHasAFloor) {
  const std::vector<double> gaps = objective_gaps({{1, 0, -100.0, 1, 1}, {2, 0, -101.0, 1, 1}});
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_DOUBLE_EQ(gaps[1], kGapFloor * 101.0);
  EXPECT_NEAR(gaps[0], 1.0, 1e-9);
}

}  // namespace
}  // namespace proxjit::cli
