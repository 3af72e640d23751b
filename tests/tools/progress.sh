#!/bin/sh
# Progress reporting of `proxjit solve`: the trace CSV, the SVG plot, the progress line (never on
# a pipe; on a terminal through `script`), and Ctrl-C as a clean stop.
#
#   progress.sh CASE PROXJIT WORKDIR DATADIR
#
# CASE is one of: trace_csv plot no_progress_on_pipe pty_progress pty_interrupt
# Exits 0 on success, 1 on failure, 77 (skipped) when a pty case has no `script` or no pty.

case_name=$1
proxjit=$2
work=$3
data=$4

rm -rf "$work" && mkdir -p "$work" || exit 1
failed=0

fail() {
  echo "FAIL: $*"
  failed=1
}

# solve [extra flags...]: a tiny quadratic + l1 solve.
solve() {
  "$proxjit" solve --f quadratic --A "$data/cli_quadratic_A.csv" --b "$data/cli_quadratic_b.csv" \
    --r "l1(lambda=0.1)" "$@"
}

show() {
  echo "--- $1:"
  cat "$2"
}

# in_pty COMMAND...: runs the command on a pseudo-terminal (util-linux script), output in
# $work/pty.out; skips the test when that is impossible.
in_pty() {
  if ! command -v script >/dev/null 2>&1; then
    echo "SKIP: no 'script' (util-linux) to make a pseudo-terminal"
    exit 77
  fi
  if ! script -qec "true" /dev/null </dev/null >/dev/null 2>&1; then
    echo "SKIP: 'script' cannot allocate a pseudo-terminal here"
    exit 77
  fi
  command_line=""
  for argument in "$@"; do
    command_line="$command_line '$argument'"
  done
  # exec: the command itself, not a shell around it, gets the terminal's Ctrl-C and gives
  # `script -e` its exit status (dash, unlike bash, does not exec the last command of -c).
  SHELL=/bin/sh script -qec "exec $command_line" /dev/null
}

case "$case_name" in
  trace_csv)
    # 1000 iterations, a row every 10: exactly 100 rows under the exact header.
    solve --tol 0 --max-iter 1000 --trace-every 10 --trace "$work/trace.csv" --json \
      >"$work/out" 2>"$work/err" || fail "solve exited with $?"
    show stdout "$work/out"
    show stderr "$work/err"
    [ -s "$work/trace.csv" ] || fail "no trace written"
    header=$(head -n 1 "$work/trace.csv")
    [ "$header" = "iteration,seconds,objective,certificate,step" ] ||
      fail "header is '$header'"
    rows=$(($(wc -l <"$work/trace.csv") - 1))
    [ "$rows" -eq 100 ] || fail "$rows rows, expected 1000 / 10 = 100"
    # Every row: an iteration that is a multiple of 10, then four numbers.
    bad=$(tail -n +2 "$work/trace.csv" | grep -Evc \
      '^[0-9]*0,[-+0-9.eE]+,[-+0-9.eE]+,[-+0-9.eE]+,[-+0-9.eE]+$')
    [ "$bad" -eq 0 ] || fail "$bad malformed rows"
    [ "$(tail -n 1 "$work/trace.csv" | cut -d, -f1)" = "1000" ] || fail "last row is not 1000"
    # Automatic --trace-every: max(1, min(1000, max_iter / 200)) = 5 for 1000 iterations.
    solve --tol 0 --max-iter 1000 --trace "$work/auto.csv" >"$work/out" 2>&1 ||
      fail "solve (automatic --trace-every) exited with $?"
    rows=$(($(wc -l <"$work/auto.csv") - 1))
    [ "$rows" -eq 200 ] || fail "automatic --trace-every gave $rows rows, expected 200"
    grep -q "trace (200 rows) written to" "$work/out" || fail "the report does not name the trace"
    ;;
  plot)
    solve --tol 0 --max-iter 2000 --plot "$work/conv.svg" >"$work/out" 2>"$work/err" ||
      fail "solve exited with $?"
    show stdout "$work/out"
    [ -s "$work/conv.svg" ] || fail "no plot written"
    head -c 4 "$work/conv.svg" | grep -q '^<svg' || fail "the plot does not start with <svg"
    grep -q '<polyline' "$work/conv.svg" || fail "the plot has no <polyline"
    tail -n 1 "$work/conv.svg" | grep -q '^</svg>$' || fail "the plot does not end with </svg>"
    grep -q 'quadratic + l1(lambda=0.1)' "$work/conv.svg" || fail "no title"
    grep -q "plot written to $work/conv.svg" "$work/out" || fail "the report does not name the plot"
    ;;
  no_progress_on_pipe)
    # stderr is a file here: no progress line, even for a run long enough to show one.
    solve --tol 0 --max-iter 100000000000 --max-time 1.2 >"$work/out" 2>"$work/err" ||
      fail "solve exited with $?"
    show stdout "$work/out"
    show stderr "$work/err"
    grep -q "max_time" "$work/out" || fail "the run did not stop at the time limit"
    if grep -q "iter " "$work/err"; then fail "a progress line on a non-terminal stderr"; fi
    if tr '\r' '\n' <"$work/err" | grep -q .; then fail "stderr is not empty"; fi
    ;;
  pty_progress)
    in_pty "$proxjit" solve --f quadratic --A "$data/cli_quadratic_A.csv" \
      --b "$data/cli_quadratic_b.csv" --r "l1(lambda=0.1)" --tol 0 --max-iter 100000000000 \
      --max-time 1.5 >"$work/pty.out" 2>&1 </dev/null || fail "solve exited with $?"
    tr '\r' '\n' <"$work/pty.out" >"$work/lines"
    show "terminal output (carriage returns as newlines)" "$work/lines"
    grep -Eq '^ iter [0-9]+  obj -?[0-9.e+-]+  cert [0-9.e+-]+  [0-9.]+ s' "$work/lines" ||
      fail "no progress line on the terminal"
    grep -q "max_time" "$work/lines" || fail "no report after the progress line"
    # At most ~5 refreshes a second over 1.5 s (and the line shows only after 0.5 s).
    refreshes=$(grep -Ec '^ iter [0-9]+' "$work/lines")
    [ "$refreshes" -le 8 ] || fail "$refreshes refreshes in 1.5 s"
    ;;
  pty_interrupt)
    # Ctrl-C (0x03 typed on the terminal) after a second: status interrupted, report, exit 0.
    (sleep 1; printf '\003'; sleep 5) | in_pty "$proxjit" solve --f quadratic \
      --A "$data/cli_quadratic_A.csv" --b "$data/cli_quadratic_b.csv" --r "l1(lambda=0.1)" \
      --tol 0 --max-iter 100000000000 --max-time 30 --json >"$work/pty.out" 2>&1
    status=$?
    tr '\r' '\n' <"$work/pty.out" >"$work/lines"
    show "terminal output" "$work/lines"
    [ "$status" -eq 0 ] || fail "exit status $status after Ctrl-C, expected 0"
    grep -q '"status": "interrupted"' "$work/lines" || fail "the run did not end interrupted"
    ;;
  *)
    echo "progress.sh: unknown case $case_name" >&2
    exit 1
    ;;
esac
exit "$failed"
