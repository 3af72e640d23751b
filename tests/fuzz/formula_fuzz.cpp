// libFuzzer target for the formula language: any text must either parse or throw proxjit::Error,
// and what parses must evaluate, differentiate and key the same way when typed again.
//   build/tests/fuzz/formula_fuzz -max_len=4096 -max_total_time=60

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/expr.h"
#include "proxjit/runtime/formula.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<proxjit::FormulaDefinition> definitions;
  try {
    definitions = proxjit::parse_definitions(text, "<fuzz>");
  } catch (const proxjit::Error&) {
    return 0;
  }
  const std::vector<double> params(64, 0.5);
  for (const proxjit::FormulaDefinition& d : definitions) {
    for (double x : {-1.5, 0.0, 2.0}) {
      (void)proxjit::expr::evaluate<double>(d.value, x, 0.1, params.data(), 1.0);
      (void)proxjit::expr::evaluate<double>(d.derivative, x, 0.1, params.data(), 1.0);
      (void)proxjit::expr::evaluate<float>(d.prox, float(x), 0.1f,
                                           std::vector<float>(64, 0.5f).data());
    }
    // The definition as typed parses again to the same key.
    const std::vector<proxjit::FormulaDefinition> again =
        proxjit::parse_definitions(d.text, "<fuzz>");
    if (again.size() != 1 || again[0].canonical != d.canonical) std::abort();
  }
  return 0;
}
