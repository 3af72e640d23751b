#!/bin/sh
# Builds the formula parser's libFuzzer target with clang (the project itself may be built with
# gcc) and runs it for a bounded time: no crash, hang, leak or sanitizer report.
#
#   run_fuzz.sh SOURCE_DIR WORK_DIR SECONDS
# Exits 77 (ctest: skipped) when clang++ is missing.
src=$1
work=$2
seconds=$3
if ! command -v clang++ >/dev/null 2>&1; then
  echo "SKIP: clang++ not found (scripts/install-deps.sh installs clang)"
  exit 77
fi
mkdir -p "$work/corpus" || exit 1
binary="$work/formula_fuzz"
if [ ! -x "$binary" ] || [ "$src/runtime/src/formula.cpp" -nt "$binary" ] ||
  [ "$src/tests/fuzz/formula_fuzz.cpp" -nt "$binary" ] ||
  [ "$src/runtime/src/number_text.cpp" -nt "$binary" ]; then
  clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I "$src/runtime/include" \
    "$src/tests/fuzz/formula_fuzz.cpp" "$src/runtime/src/formula.cpp" \
    "$src/runtime/src/expr_calculus.cpp" "$src/runtime/src/expr.cpp" \
    "$src/runtime/src/component_text.cpp" "$src/runtime/src/number_text.cpp" -o "$binary" ||
    exit 1
fi
# Seeds: one definition of each kind.
printf 'loss l(z, y) = log1p(exp(-y*z))\n' >"$work/corpus/loss"
printf 'prox p(y, a; k=1) = sign(y)*max(abs(y)-a*k, 0) ; value(x) = k*abs(x)\n' >"$work/corpus/prox"
"$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
  "$work/corpus" >"$work/log" 2>&1
status=$?
tail -n 15 "$work/log"
exit $status
