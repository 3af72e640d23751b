#include "proxjit/runtime/formula.h"

#include <gtest/gtest.h>

namespace proxjit {
namespace {
TEST(Formula, Placeholder) {
  auto d = parse_definitions("loss l(z, y) = 0.5*(z-y)^2", "<t>");
  EXPECT_EQ(d.size(), 1u);
}
}  // namespace
}  // namespace proxjit
