#!/bin/sh
# Progress reporting of `proxjit solve`: the trace CSV, the SVG plot, the progress line (never on
# a pipe; on a terminal through `script`), and Ctrl-C as a clean stop.
#
#   progress.sh CASE PROXJIT WORKDIR DATADIR
#
# CASE is one of: trace_csv plot no_progress_on_pipe pty_progress pty_interrupt path_interrupt
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

# need_pty: skips the test when no pseudo-terminal can be made.
need_pty() {
  if ! command -v script >/dev/null 2>&1; then
    echo "SKIP: no 'script' (util-linux) to make a pseudo-terminal"
    exit 77
  fi
  if ! script -qec "true" /dev/null </dev/null >/dev/null 2>&1; then
    echo "SKIP: 'script' cannot allocate a pseudo-terminal here"
    exit 77
  fi
}

# in_pty COMMAND...: runs the command on a pseudo-terminal (util-linux script), output in
# $work/pty.out; skips the test when that is impossible.
in_pty() {
  need_pty
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
    # 1000 iterations, a row every 10, and the start (iteration 0): 101 rows under the header.
    solve --tol 0 --max-iter 1000 --trace-every 10 --trace "$work/trace.csv" --json \
      >"$work/out" 2>"$work/err" || fail "solve exited with $?"
    show stdout "$work/out"
    show stderr "$work/err"
    [ -s "$work/trace.csv" ] || fail "no trace written"
    header=$(head -n 1 "$work/trace.csv")
    [ "$header" = "iteration,seconds,objective,certificate,step" ] ||
      fail "header is '$header'"
    rows=$(($(wc -l <"$work/trace.csv") - 1))
    [ "$rows" -eq 101 ] || fail "$rows rows, expected 1 + 1000 / 10 = 101"
    # The start: no certificate before a step.
    grep -Eq '^0,0,[-+0-9.eE]+,nan,[-+0-9.eE]+$' "$work/trace.csv" || fail "no row for the start"
    # Every other row: an iteration that is a multiple of 10, then four numbers.
    bad=$(tail -n +3 "$work/trace.csv" | grep -Evc \
      '^[0-9]*0,[-+0-9.eE]+,[-+0-9.eE]+,[-+0-9.eE]+,[-+0-9.eE]+$')
    [ "$bad" -eq 0 ] || fail "$bad malformed rows"
    [ "$(tail -n 1 "$work/trace.csv" | cut -d, -f1)" = "1000" ] || fail "last row is not 1000"
    # Automatic --trace-every: max(1, min(1000, max_iter / 200)) = 5 for 1000 iterations; and
    # the start.
    solve --tol 0 --max-iter 1000 --trace "$work/auto.csv" >"$work/out" 2>&1 ||
      fail "solve (automatic --trace-every) exited with $?"
    rows=$(($(wc -l <"$work/auto.csv") - 1))
    [ "$rows" -eq 201 ] || fail "automatic --trace-every gave $rows rows, expected 201"
    grep -q "trace (201 rows) written to" "$work/out" || fail "the report does not name the trace"
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
  short_trace)
    # A run shorter than the automatic interval (50 for the default 10000 iterations): every
    # iteration from the start (0) to the last is in the trace, and the plot has its lines.
    solve --algorithm pgd --tol 1e-6 --trace "$work/t.csv" --plot "$work/p.svg" --json \
      >"$work/out" 2>"$work/err" || fail "solve exited with $?"
    show stdout "$work/out"
    show trace "$work/t.csv"
    n=$(grep -o '"iterations": [0-9]*' "$work/out" | grep -o '[0-9]*$')
    [ -n "$n" ] && [ "$n" -gt 1 ] && [ "$n" -lt 50 ] || fail "the run took '$n' iterations"
    [ "$(tail -n +2 "$work/t.csv" | cut -d, -f1 | tr '\n' ' ')" = "$(seq -s ' ' 0 "$n") " ] ||
      fail "the trace is not every iteration 0..$n"
    [ "$(grep -c '<polyline' "$work/p.svg")" -ge 2 ] || fail "the plot has no lines"
    if grep -q 'no trace rows' "$work/p.svg"; then fail "the plot says it has no rows"; fi
    # A given interval: its rows, plus the start and the last iteration (30 is not a multiple).
    solve --algorithm pgd --tol 0 --max-iter 30 --trace-every 7 --trace "$work/t7.csv" \
      >"$work/out" 2>"$work/err" || fail "solve --trace-every 7 exited with $?"
    [ "$(tail -n +2 "$work/t7.csv" | cut -d, -f1 | tr '\n' ' ')" = "0 7 14 21 28 30 " ] ||
      fail "--trace-every 7 rows: $(tail -n +2 "$work/t7.csv" | cut -d, -f1 | tr '\n' ' ')"
    for bad in 0 -1 -5; do
      solve --trace-every "$bad" >"$work/out" 2>"$work/err"
      [ $? -eq 2 ] || fail "--trace-every $bad was accepted"
      grep -q -- "--trace-every: expected a whole number of iterations >= 1" "$work/err" ||
        fail "--trace-every $bad: $(cat "$work/err")"
    done
    ;;
  path_interrupt)
    # Ctrl-C during a path's second point, typed once the first point's row is on the
    # terminal (a handshake, not a timed race): that point ends interrupted, the finished one
    # is reported, the remaining two are skipped with a note, exit 0.
    need_pty
    trap '' PIPE  # a command that already ended must not take this script with it
    mkfifo "$work/keys" || exit 1
    # The typist runs in the background, the command in the foreground: a background job of
    # a script has SIGINT ignored, and so would the command. It keeps the keyboard open until
    # the command is done (an end of input would end `script` early).
    # Waits until the pty shows $1, at most $2 tenths of a second.
    wait_for_output() {
      local waited=0
      until grep -qs "$1" "$work/pty.out"; do
        waited=$((waited + 1))
        [ "$waited" -le "$2" ] || break
        sleep 0.1
      done
    }
    (
      exec 3>"$work/keys"
      wait_for_output "max_time" 600
      printf '\003' >&3
      wait_for_output "one kernel for" 300
    ) >/dev/null 2>&1 &
    typist=$!
    SHELL=/bin/sh script -qec "exec '$proxjit' path --f quadratic \
      --A '$data/cli_quadratic_A.csv' --b '$data/cli_quadratic_b.csv' --r l1 \
      --values 0.1,0.05,0.02,0.01 --tol 0 --max-iter 100000000000 --max-time 2" /dev/null \
      <"$work/keys" >"$work/pty.out" 2>&1
    status=$?
    kill "$typist" 2>/dev/null
    wait
    tr '\r' '\n' <"$work/pty.out" >"$work/lines"
    show "terminal output" "$work/lines"
    [ "$status" -eq 0 ] || fail "exit status $status after Ctrl-C, expected 0"
    grep -Eq '^ +0\.1  max_time ' "$work/lines" || fail "the first point is not reported"
    # (the terminal echoes ^C where the cursor is: at the start of the next row)
    grep -Eq '^(\^C)? +0\.05  interrupted ' "$work/lines" || fail "the second point did not end interrupted"
    grep -q 'interrupted (Ctrl-C) at lambda = 0.05: 2 remaining points skipped' "$work/lines" ||
      fail "no note of the skipped points"
    grep -q 'one kernel for 2 points' "$work/lines" || fail "no closing line"
    if grep -Eq '^ +0\.0[12] ' "$work/lines"; then fail "a skipped point was run"; fi
    ;;
  *)
    echo "progress.sh: unknown case $case_name" >&2
    exit 1
    ;;
esac
exit "$failed"
